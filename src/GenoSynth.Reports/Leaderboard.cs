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
                var cells = Columns.Select(c =>
                {
                    var metric = Format.Get(set, c.Section, c.Key);
                    var cell = Format.Number(c.VsHoldout ? metric?.VsHoldout : metric?.Value);
                    return c.WithSd && metric?.Sd is double sd ? $"{cell} ± {Format.Number(sd)}" : cell;
                });
                entry.Timings.TryGetValue(set.Name, out var timing);
                string name = entry.Notes.TryGetValue(set.Name, out var note) && note.Length > 0 ? $"{set.Name} ¹" : set.Name;
                md.AppendLine($"| {name} | {string.Join(" | ", cells)} | {Seconds(timing?.TrainSeconds)} | {Seconds(timing?.SampleSeconds)} |");
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
            "Definitions: [docs/metrics.md](../docs/metrics.md).");
        return md.ToString();
    }

    private static string Seconds(double? s) => s is double v ? v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) : "";
}
