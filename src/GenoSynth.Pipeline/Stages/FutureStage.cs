using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>A stage of the design whose implementation has not landed: running it fails clearly, never silently.</summary>
public sealed class FutureStage(string name, string upstream) : IStage
{
    public string Name => name;
    public IReadOnlyList<string> Upstream => [upstream];
    public int Version => 0;
    public object Config(ExperimentSpec spec) => new { };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [];
    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => [];
    public void Run(StageContext context) => throw new NotImplementedStageException(name);
}

/// <summary>The stages in pipeline order.</summary>
public static class StageCatalog
{
    public static readonly IReadOnlyList<IStage> All =
    [
        new FetchStage(), new LabelsStage(), new SplitStage(), new QcStage(), new RankStage(),
        new FutureStage("encode", "rank"), new FutureStage("train", "encode"), new FutureStage("sample", "train"),
        new FutureStage("evaluate", "sample"), new FutureStage("report", "evaluate"),
    ];

    public static IStage Get(string name) =>
        All.FirstOrDefault(s => s.Name == name.ToLowerInvariant())
        ?? throw new ArgumentException($"unknown stage '{name}' (stages: {string.Join(", ", All.Select(s => s.Name))})");

    /// <summary>The target and every stage it depends on, in an order where each comes after its inputs.</summary>
    public static IReadOnlyList<IStage> Closure(IStage target)
    {
        var needed = new HashSet<string>();
        void Visit(IStage s) { if (needed.Add(s.Name)) foreach (var u in s.Upstream) Visit(Get(u)); }
        Visit(target);
        return All.Where(s => needed.Contains(s.Name)).ToList();
    }
}
