namespace GenoSynth.Pipeline.Stages;

/// <summary>The stages in pipeline order.</summary>
public static class StageCatalog
{
    public static readonly IReadOnlyList<IStage> All =
    [
        new FetchStage(), new LabelsStage(), new SplitStage(), new QcStage(), new RankStage(),
        new EncodeStage(), new TrainStage(), new SampleStage(), new BaselinesStage(), new EvaluateStage(), new ReportStage(),
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
