using GenoSynth.Genotypes;

namespace GenoSynth.Evaluation;

/// <summary>Fst, 3-point correlations, genotype-class frequencies and Hardy-Weinberg tests.</summary>
public static class PopulationGenetics
{
    /// <summary>Hudson's Fst between two groups (ratio of averages over variants); frequencies with allele counts n.</summary>
    public static double HudsonFst(double[] p1, long n1, double[] p2, long n2)
    {
        double numerator = 0, denominator = 0;
        for (int j = 0; j < p1.Length; j++)
        {
            double a = p1[j], b = p2[j];
            numerator += (a - b) * (a - b) - a * (1 - a) / (n1 - 1) - b * (1 - b) / (n2 - 1);
            denominator += a * (1 - b) + b * (1 - a);
        }
        return denominator == 0 ? 0 : numerator / denominator;
    }

    /// <summary>Fst for every pair of labels present in the set (label pairs in ordinal order).</summary>
    public static Dictionary<string, double> PairwiseFst(GenotypeRows set)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (set.Labels is null) return result;
        var groups = Enumerable.Range(0, set.Rows).GroupBy(r => set.Labels[r]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Where(g => g.Count() >= 2).Select(g => (Label: g.Key, Set: set.SelectRows(g.ToList()))).ToList();
        for (int a = 0; a < groups.Count; a++)
            for (int b = a + 1; b < groups.Count; b++)
                result[$"{groups[a].Label}-{groups[b].Label}"] = HudsonFst(
                    groups[a].Set.AlleleFrequencies(), (long)groups[a].Set.Rows * set.Ploidy.Copies,
                    groups[b].Set.AlleleFrequencies(), (long)groups[b].Set.Rows * set.Ploidy.Copies);
        return result;
    }

    public static readonly int[] ThreePointGaps = [1, 2, 4, 8, 16];

    /// <summary>Connected 3-point correlations E[(x_i - mu_i)(x_j - mu_j)(x_k - mu_k)] for (i, i+g, i+2g), all gaps g.</summary>
    public static double[] ThreePointCorrelations(GenotypeRows set)
    {
        var means = Linkage.ColumnMeans(set);
        int m = set.Variants;
        var values = new List<double>();
        foreach (int g in ThreePointGaps)
            for (int i = 0; i + 2 * g < m; i++)
            {
                double s = 0;
                for (int r = 0; r < set.Rows; r++)
                {
                    var row = set.Row(r);
                    s += (row[i] - means[i]) * (row[i + g] - means[i + g]) * (row[i + 2 * g] - means[i + 2 * g]);
                }
                values.Add(s / set.Rows);
            }
        return values.ToArray();
    }

    /// <summary>Per-variant frequencies of dosage 0, 1 and 2 (diploid sets), flattened [variant * 3 + class].</summary>
    public static double[] GenotypeClassFrequencies(GenotypeRows set)
    {
        var counts = new double[set.Variants * 3];
        for (int r = 0; r < set.Rows; r++)
        {
            var row = set.Row(r);
            for (int j = 0; j < row.Length; j++) counts[j * 3 + row[j]]++;
        }
        return counts.Select(c => c / set.Rows).ToArray();
    }

    public static double Heterozygosity(GenotypeRows set)
    {
        long het = 0;
        foreach (var v in set.Values) if (v == 1) het++;
        return (double)het / set.Values.LongLength;
    }

    /// <summary>Exact Hardy-Weinberg test p-value (Wigginton, Cutler and Abecasis 2005) from genotype counts.</summary>
    public static double HweExactP(int homRare, int het, int homCommon)
    {
        if (homRare > homCommon) (homRare, homCommon) = (homCommon, homRare);
        int n = homRare + het + homCommon;
        if (n == 0) return 1;
        int rare = 2 * homRare + het;
        var probabilities = new double[rare + 1];
        int mid = rare * (2 * n - rare) / (2 * n);
        if ((mid & 1) != (rare & 1)) mid++;
        int hetsMid = mid;
        probabilities[mid] = 1;
        double sum = 1;
        int currHomR = (rare - mid) / 2, currHomC = n - mid - currHomR;
        for (int h = mid; h > 1; h -= 2)
        {
            probabilities[h - 2] = probabilities[h] * h * (h - 1) / (4.0 * (currHomR + 1) * (currHomC + 1));
            sum += probabilities[h - 2];
            currHomR++;
            currHomC++;
        }
        currHomR = (rare - mid) / 2;
        currHomC = n - mid - currHomR;
        for (int h = mid; h <= rare - 2; h += 2)
        {
            probabilities[h + 2] = probabilities[h] * 4.0 * currHomR * currHomC / ((h + 2.0) * (h + 1.0));
            sum += probabilities[h + 2];
            currHomR--;
            currHomC--;
        }
        double observed = probabilities[het];
        double p = 0;
        for (int h = 0; h <= rare; h++) if (probabilities[h] <= observed * (1 + 1e-8)) p += probabilities[h];
        _ = hetsMid;
        return Math.Min(1, p / sum);
    }

    /// <summary>Fraction of variants whose HWE exact p-value is below <paramref name="alpha"/> (diploid sets).</summary>
    public static double HweViolationRate(GenotypeRows set, double alpha = 0.05)
    {
        var freq = GenotypeClassFrequencies(set);
        int violations = 0;
        for (int j = 0; j < set.Variants; j++)
        {
            int c0 = (int)Math.Round(freq[j * 3] * set.Rows), c1 = (int)Math.Round(freq[j * 3 + 1] * set.Rows), c2 = (int)Math.Round(freq[j * 3 + 2] * set.Rows);
            if (HweExactP(c2, c1, c0) < alpha) violations++;
        }
        return (double)violations / set.Variants;
    }
}
