using System.Globalization;
using System.Text;
using GenoSynth.Evaluation;

namespace GenoSynth.Reports;

/// <summary>Seconds a generator took to train and to sample (from the run's manifest); null where not recorded.</summary>
public sealed record GeneratorTiming(double? TrainSeconds, double? SampleSeconds);

/// <summary>One experiment's entry in the leaderboard: its metrics, its generators' timings and notes per set.</summary>
public sealed record LeaderboardEntry(string Experiment, string Description, MetricsDocument Metrics,
    IReadOnlyDictionary<string, GeneratorTiming> Timings, IReadOnlyDictionary<string, string> Notes);

/// <summary>
/// results/README.md: per experiment, one row per synthetic set (our generator, the baselines, external sets) with
/// the headline fidelity, privacy and utility figures, measured against the real holdout, and the real holdout's
/// own row (holdout against train: the level a perfect generator reaches).
/// </summary>
public static class Leaderboard
{
    /// <remarks>WithSd: the cell also gives the metric's sd (for the MIA AUC its standard error), where there is one.</remarks>
    private static readonly (string Header, string Section, string Key, bool VsHoldout, bool WithSd)[] Columns =
    [
        ("AF r", "fidelity", "af_pearson", true, false),
        ("LD r² r", "fidelity", "ld_r2_pearson", true, false),
        ("3-point r", "fidelity", "three_point_pearson", true, false),
        ("AA_truth", "privacy", "aa_truth", false, false),
        ("AA_syn", "privacy", "aa_syn", false, false),
        ("privacy loss", "privacy", "privacy_loss", false, false),
        ("MIA AUC", "privacy", "mia_auc", false, true),
        ("exact copies", "privacy", "exact_copies", false, false),
        ("TSTR / TRTR", "utility", "recovery", false, false),
    ];

    /// <summary>
    /// The second table, for dense regions and whole chromosomes (shown where the metrics have them). LD columns are
    /// vs the holdout like the first table's; the MAE, distance, block, run and heterozygosity columns give the set's
    /// own figure (MAE and W1 vs train), so that each reads against the holdout row directly.
    /// </summary>
    private static readonly (string Header, string Section, string Key, bool VsHoldout, bool WithSd)[] DenseColumns =
    [
        ("LD r² r ≤ window", "fidelity", "ld_r2_window_pearson", true, false),
        ("LD r² r nearest", "fidelity", "ld_r2_nearest_pearson", true, false),
        ("LD r² r straddling", "fidelity", "ld_r2_straddling_pearson", true, false),
        ("LD decay MAE", "fidelity", "ld_decay_mae", false, false),
        ("window decay MAE", "fidelity", "ld_decay_window_mae", false, false),
        ("blocks", "fidelity", "ld_blocks_count", false, false),
        ("longest run median", "privacy", "longest_run_median", false, false),
        ("longest run p99", "privacy", "longest_run_p99", false, false),
        ("pairwise W1", "fidelity", "pairwise_distance_w1", false, false),
        ("heterozygosity", "fidelity", "heterozygosity", false, false),
        ("worst-chr AF r", "fidelity", "af_pearson_worst_chromosome", true, false),
        ("worst-chr LD r", "fidelity", "ld_r2_window_pearson_worst_chromosome", true, false),
    ];

    public static string Render(IReadOnlyList<LeaderboardEntry> entries, IReadOnlyList<string> preface)
    {
        var md = new StringBuilder();
        md.AppendLine("# Results: the leaderboard");
        md.AppendLine();
        foreach (var line in preface) md.AppendLine(line);
        md.AppendLine();
        foreach (var entry in entries)
        {
            md.AppendLine($"## {entry.Experiment}");
            md.AppendLine();
            if (entry.Description.Length > 0) md.AppendLine(entry.Description + ".");
            var real = entry.Metrics.Real;
            md.AppendLine($"Real data: {real.TrainRows} train and {real.HoldoutRows} holdout {real.Unit}s x {real.Variants} variants. " +
                $"Report: [{entry.Experiment}/report.md]({entry.Experiment}/report.md) ([HTML]({entry.Experiment}/report.html)), " +
                $"metrics: [{entry.Experiment}/metrics.json]({entry.Experiment}/metrics.json), manifest: [{entry.Experiment}/manifest.json]({entry.Experiment}/manifest.json).");
            md.AppendLine();
            md.AppendLine("| set | " + string.Join(" | ", Columns.Select(c => c.Header)) + " | train s | sample s |");
            md.AppendLine("|---|" + string.Concat(Columns.Select(_ => "---:|")) + "---:|---:|");
            var first = entry.Metrics.Sets.FirstOrDefault();
            if (first is not null)
                md.AppendLine("| real holdout (vs train) | " + string.Join(" | ", Columns.Select(c => Format.Number(Format.Get(first, c.Section, c.Key)?.Reference))) + " | | |");
            foreach (var set in entry.Metrics.Sets)
            {
                entry.Timings.TryGetValue(set.Name, out var timing);
                md.AppendLine($"| {SetName(entry, set)} | {string.Join(" | ", Cells(set, Columns))} | " +
                    $"{Seconds(timing?.TrainSeconds)} | {Seconds(timing?.SampleSeconds)} |");
            }
            if (first is not null && first.Fidelity.ContainsKey("ld_r2_window_pearson"))
            {
                md.AppendLine();
                var settings = entry.Metrics.Settings;
                string segments = settings.Segments is int n ? $", {n} generator segments" : "";
                md.AppendLine($"Dense regions and chromosomes (LD window {settings.LdWindowKb} kb, nearest " +
                    $"{settings.LdNearest} variants{segments}):");
                md.AppendLine();
                md.AppendLine("| set | " + string.Join(" | ", DenseColumns.Select(c => c.Header)) + " |");
                md.AppendLine("|---|" + string.Concat(DenseColumns.Select(_ => "---:|")));
                var references = DenseColumns.Select(c => Format.Get(first, c.Section, c.Key)?.Reference)
                    .Select(Format.Number);
                md.AppendLine("| real holdout (vs train) | " + string.Join(" | ", references) + " |");
                foreach (var set in entry.Metrics.Sets)
                    md.AppendLine($"| {SetName(entry, set)} | {string.Join(" | ", Cells(set, DenseColumns))} |");
            }
            var notes = entry.Metrics.Sets.Where(s => entry.Notes.TryGetValue(s.Name, out var n) && n.Length > 0).Select(s => $"{s.Name}: {entry.Notes[s.Name]}").ToList();
            if (notes.Count > 0)
            {
                md.AppendLine();
                md.AppendLine("¹ " + string.Join("; ", notes) + ".");
            }
            md.AppendLine();
        }
        md.AppendLine("Columns: AF r, LD r² r and 3-point r are Pearson correlations with the real **holdout** (allele frequencies, " +
            "all-pairs LD r², connected three-point correlations); the holdout row gives the same figures for holdout vs train. " +
            "AA_truth and AA_syn are the nearest-neighbour adversarial accuracies against the training rows (ideal 0.5; " +
            "AA_syn near 1 means mode collapse, AA_truth near 0 means copying); privacy loss = AATS vs holdout - AATS vs train " +
            "(ideal 0); MIA AUC is a distance-based membership inference of train vs holdout rows (0.5 = no signal; ± its DeLong standard error); " +
            "TSTR / TRTR is the accuracy of a classifier of the labels trained on synthetic, over one trained on real, both tested on the real holdout. " +
            "Times are wall seconds on the machine that ran the benchmark (see each manifest); blank for published sets. " +
            "Dense-region tables: LD r² r over pairs within the window, over each variant and its nearest " +
            "following variants, and over window pairs straddling a boundary of the generator's segments (each vs " +
            "the holdout); LD decay MAE is the mean absolute difference of mean r² by distance bin from real train's " +
            "curve (coarse bins; window: 1-2-5 bins inside the window), to read against the holdout's own " +
            "difference; blocks are plink1.9 --blocks on equal numbers of individuals; the longest run is each row's " +
            "longest stretch identical to its closest training row (median and 99th percentile, against the " +
            "holdout's rows); pairwise W1 compares within-set distances with real train's; " +
            "worst-chr figures are the lowest per-chromosome AF r and window LD r. " +
            "Definitions: [docs/metrics.md](../docs/metrics.md).");
        return md.ToString();
    }

    private static IEnumerable<string> Cells(SetMetrics set,
        (string Header, string Section, string Key, bool VsHoldout, bool WithSd)[] columns) =>
        columns.Select(c =>
        {
            var metric = Format.Get(set, c.Section, c.Key);
            var cell = Format.Number(c.VsHoldout ? metric?.VsHoldout : metric?.Value);
            return c.WithSd && metric?.Sd is double sd ? $"{cell} ± {Format.Number(sd)}" : cell;
        });

    private static string SetName(LeaderboardEntry entry, SetMetrics set) =>
        entry.Notes.TryGetValue(set.Name, out var note) && note.Length > 0 ? $"{set.Name} ¹" : set.Name;

    private static string Seconds(double? s) => s is double v ? v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) : "";
}
