using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Spec;

namespace GenoSynth.Tests.Support;

/// <summary>Runs the real pipeline on a committed workflow, in a private cache and results directory.</summary>
public sealed class PipelineHarness : IDisposable
{
    private readonly TempDir _tmp = new();
    public List<string> Log { get; } = [];

    public string Cache => _tmp.File("cache");
    public string Results => _tmp.File("results");
    public string Dir => _tmp.Path;

    /// <summary>Copies workflows/NAME.yaml with the mirror pointed at the shared data and optional edits.</summary>
    public string Spec(string workflow, Func<string, string>? edit = null, string fileName = "spec.yaml")
    {
        var text = File.ReadAllText(Path.Combine(TestData.RepoRoot, "workflows", workflow + ".yaml"))
            .Replace("mirrors: [../shared/data]", $"mirrors: [{TestData.Root}]");
        if (edit is not null) text = edit(text);
        var path = _tmp.File(fileName);
        File.WriteAllText(path, text);
        return path;
    }

    public IReadOnlyList<StageOutcome> Run(string specPath, string target, bool force = false, string? cache = null, string? results = null)
    {
        var runner = new PipelineRunner(new PipelineOptions(cache ?? Cache, results ?? Results, force, TimeSpan.FromSeconds(1), line => { lock (Log) Log.Add(line); }));
        return runner.Run(SpecLoader.Load(specPath), target);
    }

    public string ResultFile(string experiment, string relative) => Path.Combine(Results, experiment, relative);

    public void Dispose() => _tmp.Dispose();
}
