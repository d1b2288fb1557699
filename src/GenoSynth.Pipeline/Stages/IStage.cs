using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>A file a stage publishes under results/&lt;experiment&gt;/ at a stable path.</summary>
public sealed record Publication(string File, string ResultPath);

/// <summary>
/// One step of the pipeline: a pure function of its upstream artifacts and its own config section.
/// It writes only into <see cref="StageContext.OutputDirectory"/>.
/// </summary>
public interface IStage
{
    string Name { get; }

    /// <summary>Stages whose outputs this one reads.</summary>
    IReadOnlyList<string> Upstream { get; }

    /// <summary>Bumped whenever a change to the stage's code changes its output bytes (part of the cache key).</summary>
    int Version { get; }

    /// <summary>The part of the spec this stage depends on (part of the cache key; shown in the manifest).</summary>
    object Config(ExperimentSpec spec);

    /// <summary>External tools whose version is part of the cache key.</summary>
    IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec);

    IReadOnlyList<Publication> Publications(ExperimentSpec spec);

    void Run(StageContext context);
}

/// <summary>Everything a running stage may touch.</summary>
public sealed class StageContext(
    ExperimentSpec spec,
    string outputDirectory,
    string scratchDirectory,
    IReadOnlyDictionary<string, string> upstreamDirectories,
    Func<PlinkOperations> plink,
    Func<Store.FileResolver> resolver,
    Action<string> log,
    string resumeDirectory = "")
{
    /// <summary>
    /// A directory that survives an interrupted run of this stage with this key (for training checkpoints); the
    /// runner deletes it once the stage's outputs are committed.
    /// </summary>
    public string ResumeDirectory => resumeDirectory;

    private PlinkOperations? _plink;
    private Store.FileResolver? _resolver;

    public ExperimentSpec Spec => spec;

    /// <summary>
    /// Seconds spent on named parts of the stage (e.g. "rbm.train"): recorded in the stage record and the manifest,
    /// never in the outputs, whose bytes must not depend on the machine's speed.
    /// </summary>
    public Dictionary<string, double> Timings { get; } = new(StringComparer.Ordinal);
    public string OutputDirectory => outputDirectory;

    /// <summary>For intermediate files (PLINK runs); deleted after the stage.</summary>
    public string ScratchDirectory => scratchDirectory;

    public PlinkOperations Plink => _plink ??= plink();
    public Store.FileResolver Resolver => _resolver ??= resolver();

    public string Output(string file) => Path.Combine(outputDirectory, file);
    public string Scratch(string file) => Path.Combine(scratchDirectory, file);

    public string Input(string stage, string file)
    {
        if (!upstreamDirectories.TryGetValue(stage, out var dir))
            throw new InvalidOperationException($"stage reads '{stage}' but does not declare it upstream");
        return Path.Combine(dir, file);
    }

    public bool HasInput(string stage, string file) => upstreamDirectories.ContainsKey(stage) && File.Exists(Input(stage, file));

    public void Log(string message) => log(message);
}
