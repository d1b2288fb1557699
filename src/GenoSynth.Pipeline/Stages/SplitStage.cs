using System.Globalization;
using GenoSynth.Neural;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Splits individuals (never haplotypes) into train / validation / holdout before anything is fitted, stratified by
/// label. Each stratum is shuffled with its own fork of the seed, so adding a label does not reshuffle the others.
/// </summary>
public sealed class SplitStage : IStage
{
    public string Name => "split";
    public IReadOnlyList<string> Upstream => ["labels"];
    public int Version => 1;

    public object Config(ExperimentSpec spec) => spec.Split;
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [];

    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) =>
    [
        new(StageFiles.Train, "split/train.txt"), new(StageFiles.Validation, "split/validation.txt"),
        new(StageFiles.Holdout, "split/holdout.txt"), new("split.json", "split/split.json"),
    ];

    public void Run(StageContext context)
    {
        var rows = StageFiles.ReadLabels(context.Input("labels", StageFiles.Labels));
        var assignment = Assign(rows.Select(r => (r.Iid, context.Spec.Split.Stratify ? r.Label : "all")).ToList(), context.Spec.Split);
        var byPart = new Dictionary<string, List<string>> { ["train"] = [], ["validation"] = [], ["holdout"] = [] };
        foreach (var row in rows) byPart[assignment[row.Iid]].Add(row.Iid); // input order, for readable files
        StageFiles.WriteLines(context.Output(StageFiles.Train), byPart["train"]);
        StageFiles.WriteLines(context.Output(StageFiles.Validation), byPart["validation"]);
        StageFiles.WriteLines(context.Output(StageFiles.Holdout), byPart["holdout"]);
        var perLabel = rows.GroupBy(r => r.Label).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => new
        {
            train = g.Count(r => assignment[r.Iid] == "train"),
            validation = g.Count(r => assignment[r.Iid] == "validation"),
            holdout = g.Count(r => assignment[r.Iid] == "holdout"),
        });
        StageFiles.WriteJson(context.Output("split.json"), new
        {
            train = byPart["train"].Count, validation = byPart["validation"].Count, holdout = byPart["holdout"].Count, per_label = perLabel,
        });
        context.Log($"split by individual: train {byPart["train"].Count}, validation {byPart["validation"].Count}, holdout {byPart["holdout"].Count}");
    }

    /// <summary>Maps each individual to "train", "validation" or "holdout".</summary>
    public static Dictionary<string, string> Assign(IReadOnlyList<(string Id, string Stratum)> individuals, SplitSpec split)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var root = new SeededRandom(split.Seed);
        foreach (var stratum in individuals.GroupBy(x => x.Stratum).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ids = stratum.Select(x => x.Id).ToList();
            root.Fork(StableHash(stratum.Key)).Shuffle(ids);
            int n = ids.Count;
            int holdout = (int)Math.Round(n * split.Holdout, MidpointRounding.AwayFromZero);
            int validation = (int)Math.Round(n * split.Validation, MidpointRounding.AwayFromZero);
            if (holdout + validation > n) validation = Math.Max(0, n - holdout);
            for (int i = 0; i < n; i++)
                result[ids[i]] = i < holdout ? "holdout" : i < holdout + validation ? "validation" : "train";
        }
        return result;
    }

    private static ulong StableHash(string s)
    {
        ulong h = 1469598103934665603UL; // FNV-1a: string.GetHashCode is randomized per process
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }
}
