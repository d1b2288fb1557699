using GenoSynth.Genotypes;
namespace GenoSynth.Evaluation;

/// <summary>
/// A set seen as individuals: diploid rows are individuals already; haplotype rows are paired consecutively (rows
/// 2i and 2i + 1 form individual i), as real haplotype files list the two copies of an individual and as the
/// release writes synthetic individuals. An odd last haplotype belongs to no individual.
/// </summary>
public static class IndividualRows
{
    public static int Count(GenotypeRows set) => set.Ploidy == Ploidy.Diploid ? set.Rows : set.Rows / 2;

    /// <summary>Dosages (0/1/2) of the given individuals, row-major individuals x variants.</summary>
    public static byte[] Dosages(GenotypeRows set, IReadOnlyList<int> individuals)
    {
        int m = set.Variants;
        var dosages = new byte[(long)individuals.Count * m];
        for (int i = 0; i < individuals.Count; i++)
        {
            var target = dosages.AsSpan(i * m, m);
            if (set.Ploidy == Ploidy.Diploid) { set.Row(individuals[i]).CopyTo(target); continue; }
            var a = set.Row(2 * individuals[i]);
            var b = set.Row(2 * individuals[i] + 1);
            for (int j = 0; j < m; j++) target[j] = (byte)(a[j] + b[j]);
        }
        return dosages;
    }

    /// <summary>Observed heterozygosity: the share of (individual, variant) calls that are heterozygous.</summary>
    public static double Heterozygosity(GenotypeRows set)
    {
        int individuals = Count(set), m = set.Variants;
        if (individuals == 0 || m == 0) return double.NaN;
        long heterozygous = 0;
        for (int i = 0; i < individuals; i++)
        {
            if (set.Ploidy == Ploidy.Diploid)
            {
                foreach (byte v in set.Row(i)) if (v == 1) heterozygous++;
                continue;
            }
            var a = set.Row(2 * i);
            var b = set.Row(2 * i + 1);
            for (int j = 0; j < m; j++) if (a[j] != b[j]) heterozygous++;
        }
        return (double)heterozygous / ((long)individuals * m);
    }
}
