using Scores = System.Collections.Generic.Dictionary<string, (double? Value, string Description, double? Ideal)>;

namespace GenoSynth.Evaluation;

/// <summary>
/// The metrics for dense regions and whole chromosomes, each computed for one set against a real baseline set (the
/// evaluator calls them for holdout vs train, synthetic vs train and synthetic vs holdout): LD over windows, nearest
/// variants and segment boundaries, LD decay inside the window, haplotype blocks, and per-chromosome figures.
/// </summary>
internal static class LinkageMetrics
{
    /// <summary>Keys that describe the set itself (reference: the holdout's own value; no "vs holdout").</summary>
    public static readonly string[] OwnStatistics =
        ["ld_r2_inside_mean", "ld_r2_straddling_mean", "ld_blocks_count", "ld_blocks_median_kb", "ld_blocks_coverage"];

    /// <summary>Fewer variants (or window pairs) than this on a chromosome give no correlation for it (n/a).</summary>
    public const int MinimumPerChromosome = 10;

    /// <summary>Per-chromosome keys, in the order of <see cref="ChromosomeScores"/>.</summary>
    private static readonly (string Key, string Description)[] ChromosomeKeys =
    [
        ("af_pearson", "Pearson r of this chromosome's allele frequencies vs real train"),
        ("ld_r2_window_pearson", "Pearson r of LD r^2 over this chromosome's window pairs vs real train"),
    ];

    public static void Score(Scores result, LinkageComparison ld, int baseline, int other)
    {
        var settings = ld.Pairs.Settings;
        string Pairs(int group) => $"{ld.Count(group):N0} pairs";
        double? Pearson(int group) => ld.Compare(group, baseline, other)?.Pearson;
        string window = $"within {settings.WindowKb} kb";

        result["ld_r2_window_pearson"] = (Pearson(VariantPairs.Window),
            $"Pearson r of LD r^2 over same-chromosome pairs {window} ({Pairs(VariantPairs.Window)}) vs real train",
            null);
        result["ld_r2_window_mse"] = (ld.Compare(VariantPairs.Window, baseline, other)?.Mse,
            $"mean squared difference of LD r^2 over pairs {window}", null);
        result["ld_r2_nearest_pearson"] = (Pearson(VariantPairs.Nearest),
            $"Pearson r of LD r^2 over each variant and the next {settings.Nearest} on its chromosome " +
            $"({Pairs(VariantPairs.Nearest)}) vs real train", null);
        result["ld_decay_window_mae"] = (MeanAbsoluteDifference(ld.WindowDecay(baseline), ld.WindowDecay(other)),
            $"mean absolute difference of mean r^2 by distance bin {window} (1-2-5 bins from 1 kb)", null);
        if (!ld.Pairs.HasSegments) return;
        result["ld_r2_inside_pearson"] = (Pearson(VariantPairs.Inside),
            $"Pearson r of LD r^2 over window pairs inside one of the generator's segments " +
            $"({Pairs(VariantPairs.Inside)})",
            null);
        result["ld_r2_straddling_pearson"] = (Pearson(VariantPairs.Straddling),
            $"Pearson r of LD r^2 over window pairs that straddle a segment boundary " +
            $"({Pairs(VariantPairs.Straddling)})",
            null);
        result["ld_r2_inside_mean"] = (NullIfNaN(ld.Mean(VariantPairs.Inside, other)),
            "mean LD r^2 of window pairs inside one segment", null);
        result["ld_r2_straddling_mean"] = (NullIfNaN(ld.Mean(VariantPairs.Straddling, other)),
            "mean LD r^2 of window pairs straddling a segment boundary (a generator that breaks LD there falls short)",
            null);
    }

    /// <summary>Haplotype blocks of the set (own statistics) and how well they agree with the baseline's.</summary>
    public static void ScoreBlocks(Scores result, IReadOnlyList<(int First, int Last)> baseline,
        IReadOnlyList<(int First, int Last)> other, IReadOnlyList<(string Chromosome, long Position)> positions)
    {
        var summary = HaplotypeBlocks.Summarize(other, 0, positions);
        result["ld_blocks_count"] = (summary.Blocks,
            "haplotype blocks (plink1.9 --blocks on equal numbers of individuals)", null);
        result["ld_blocks_median_kb"] = (NullIfNaN(summary.MedianKb),
            "median haplotype block length (kb, first to last variant)", null);
        result["ld_blocks_coverage"] = (NullIfNaN(summary.Coverage), "share of variants inside a haplotype block",
            null);
        result["ld_blocks_agreement"] = (NullIfNaN(HaplotypeBlocks.Agreement(baseline, other, positions)),
            "share of neighbouring variant pairs that both sets put in one block or both do not, " +
            "vs real train's blocks",
            null);
    }

    /// <summary>Per chromosome (two or more): allele-frequency r and windowed LD r of other against baseline.</summary>
    public static double?[][] ChromosomeScores(LinkageComparison ld, double[] baselineFrequencies,
        double[] otherFrequencies, int baseline, int other)
    {
        var pairs = ld.Pairs;
        if (pairs.Chromosomes.Count < 2) return [];
        return Enumerable.Range(0, pairs.Chromosomes.Count).Select(c =>
        {
            var columns = pairs.VariantsOf(c);
            double? af = columns.Count < MinimumPerChromosome ? null
                : NullIfNaN(Statistics.Pearson(columns.Select(j => baselineFrequencies[j]).ToList(),
                    columns.Select(j => otherFrequencies[j]).ToList()));
            int group = VariantPairs.FirstChromosome + c;
            var window = ld.Count(group) < MinimumPerChromosome ? null : ld.Compare(group, baseline, other);
            return new[] { af, window is null ? null : NullIfNaN(window.Pearson) };
        }).ToArray();
    }

    /// <summary>The lowest per-chromosome figure, as a headline for many chromosomes.</summary>
    public static void ScoreWorstChromosome(Scores result, double?[][] chromosomes)
    {
        if (chromosomes.Length == 0) return;
        for (int k = 0; k < ChromosomeKeys.Length; k++)
        {
            var values = chromosomes.Select(c => c[k]).OfType<double>().ToList();
            result[ChromosomeKeys[k].Key + "_worst_chromosome"] = (values.Count == 0 ? null : values.Min(),
                $"lowest over chromosomes: {ChromosomeKeys[k].Description}", null);
        }
    }

    /// <summary>A set's per-chromosome section: vs train, the holdout's reference and vs holdout side by
    /// side.</summary>
    public static IReadOnlyList<ChromosomeMetrics>? PerChromosome(LinkageComparison ld, double?[][] vsTrain,
        double?[][] reference, double?[][] vsHoldout)
    {
        if (vsTrain.Length == 0) return null;
        return Enumerable.Range(0, vsTrain.Length).Select(c =>
        {
            var metrics = new SortedDictionary<string, Metric>(StringComparer.Ordinal);
            for (int k = 0; k < ChromosomeKeys.Length; k++)
                metrics[ChromosomeKeys[k].Key] = new Metric(vsTrain[c][k], reference[c][k], null,
                    ChromosomeKeys[k].Description, VsHoldout: vsHoldout[c][k]);
            return new ChromosomeMetrics(ld.Pairs.Chromosomes[c], ld.Pairs.VariantsOf(c).Count, metrics);
        }).ToList();
    }

    private static double? MeanAbsoluteDifference(double[] a, double[] b)
    {
        var bins = Enumerable.Range(0, a.Length).Where(k => !double.IsNaN(a[k]) && !double.IsNaN(b[k])).ToList();
        return bins.Count == 0 ? null : bins.Average(k => Math.Abs(a[k] - b[k]));
    }

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;
}
