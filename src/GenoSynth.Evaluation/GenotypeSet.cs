using GenoSynth.Genotypes;

namespace GenoSynth.Evaluation;

/// <summary>
/// A set of genomes as the metrics see them: one row per unit (a haplotype, values 0/1, or an individual, dosages
/// 0/1/2), one column per variant, with ids, the individual each row belongs to, and optional labels.
/// Missing calls are filled with the variant's most common value when the set is built (documented in the report).
/// </summary>
public sealed class GenotypeSet
{
    public string Name { get; }
    public int Rows { get; }
    public int Variants { get; }

    /// <summary>1 for haplotypes (values 0/1), 2 for diploid dosages (0/1/2).</summary>
    public int Ploidy { get; }

    public byte[] Values { get; }
    public IReadOnlyList<string> RowIds { get; }
    public IReadOnlyList<string> Individuals { get; }
    public IReadOnlyList<string>? Labels { get; }

    public GenotypeSet(string name, int ploidy, int rows, int variants, byte[] values, IReadOnlyList<string> rowIds,
        IReadOnlyList<string> individuals, IReadOnlyList<string>? labels = null)
    {
        if (values.LongLength != (long)rows * variants) throw new ArgumentException("values do not match rows x variants");
        Name = name;
        Ploidy = ploidy;
        Rows = rows;
        Variants = variants;
        Values = values;
        RowIds = rowIds;
        Individuals = individuals;
        Labels = labels;
    }

    public ReadOnlySpan<byte> Row(int r) => new(Values, r * Variants, Variants);

    public GenotypeSet WithLabels(IReadOnlyList<string>? labels, string? name = null) =>
        new(name ?? Name, Ploidy, Rows, Variants, Values, RowIds, Individuals, labels);

    public GenotypeSet SelectRows(IReadOnlyList<int> rows, string? name = null)
    {
        var values = new byte[(long)rows.Count * Variants];
        for (int i = 0; i < rows.Count; i++) Row(rows[i]).CopyTo(values.AsSpan(i * Variants, Variants));
        return new GenotypeSet(name ?? Name, Ploidy, rows.Count, Variants, values, rows.Select(r => RowIds[r]).ToList(),
            rows.Select(r => Individuals[r]).ToList(), Labels is null ? null : rows.Select(r => Labels[r]).ToList());
    }

    /// <summary>Rows belonging to the given individuals, in row order.</summary>
    public GenotypeSet SelectIndividuals(IReadOnlySet<string> individuals, string name) =>
        SelectRows(Enumerable.Range(0, Rows).Where(r => individuals.Contains(Individuals[r])).ToList(), name);

    /// <summary>Allele-1 frequency of each variant.</summary>
    public double[] AlleleFrequencies()
    {
        var sums = new long[Variants];
        for (int r = 0; r < Rows; r++)
        {
            var row = Row(r);
            for (int j = 0; j < Variants; j++) sums[j] += row[j];
        }
        return sums.Select(s => Rows == 0 ? 0 : (double)s / ((long)Rows * Ploidy)).ToArray();
    }

    public static GenotypeSet FromHaplotypes(string name, HaplotypeMatrix haplotypes) =>
        new(name, 1, haplotypes.HaplotypeCount, haplotypes.VariantCount, haplotypes.Alleles, haplotypes.HaplotypeIds,
            haplotypes.HaplotypeIds.Select(HaplotypeMatrix.IndividualOf).ToList());

    public static GenotypeSet FromDiploid(string name, PackedGenotypes genotypes, IReadOnlyList<string> individualIds)
    {
        int n = genotypes.SampleCount, m = genotypes.VariantCount;
        var values = new byte[(long)n * m];
        var column = new sbyte[n];
        Span<int> counts = stackalloc int[3];
        for (int j = 0; j < m; j++)
        {
            genotypes.DecodeVariant(j, column);
            counts.Clear();
            foreach (var d in column) if (d >= 0) counts[d]++;
            byte fill = (byte)(counts[1] > counts[0] ? (counts[2] > counts[1] ? 2 : 1) : (counts[2] > counts[0] ? 2 : 0));
            for (int i = 0; i < n; i++) values[(long)i * m + j] = column[i] < 0 ? fill : (byte)column[i];
        }
        return new GenotypeSet(name, 2, n, m, values, individualIds, individualIds);
    }
}
