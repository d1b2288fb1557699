using System.Diagnostics;
using System.Text.Json;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Stages;
using GenoSynth.Pipeline.Store;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline;

/// <param name="Force">Recompute the target stage even when cached (its upstream stages are still taken from the cache).</param>
public sealed record PipelineOptions(string CacheRoot, string ResultsRoot, bool Force, TimeSpan LockWait, Action<string> Log);

public sealed record StageOutcome(string Stage, string Key, bool Cached, double Seconds);

/// <summary>
/// Runs a target stage and whatever it needs: for each stage in order, computes its key from its config, its inputs'
/// digests and tool versions; a complete, intact cache entry is reused, anything else is computed. Results are
/// published only when every stage succeeded.
/// </summary>
public sealed class PipelineRunner(PipelineOptions options)
{
    private readonly ArtifactStore _store = new(options.CacheRoot);

    public IReadOnlyList<StageOutcome> Run(ExperimentSpec spec, string targetStage)
    {
        var target = StageCatalog.Get(targetStage);
        using var experimentLock = ExperimentLock.Acquire(Path.Combine(_store.Root, "locks"), spec.Experiment, options.LockWait);
        var locator = new PlinkLocator(spec.Tools.Plink1, spec.Tools.Plink2);
        var runner = new PlinkRunner(locator);
        var records = new Dictionary<string, StageRecord>();
        var published = new List<(ManifestStage, IReadOnlyList<(string, string)>)>();
        var outcomes = new List<StageOutcome>();

        foreach (var stage in StageCatalog.Closure(target))
        {
            var clock = Stopwatch.StartNew();
            var config = ConfigOf(stage, spec);
            var inputs = stage.Upstream.SelectMany(u => records[u].Outputs.Select(o => new InputDigest(u, o.Key, o.Value.Sha256))).ToList();
            var tools = stage.ExternalTools(spec).Distinct().ToDictionary(t => t == PlinkTool.Plink1 ? "plink1.9" : "plink2", runner.Version);
            var toolVersion = $"genosynth {ToolInfo.Version}; {stage.Name} v{stage.Version}";
            var key = Digest.OfText(Digest.ToJson(new { stage = stage.Name, tool_version = toolVersion, config, inputs, external_tools = tools }));

            _store.RemoveStaleTemporaries(stage.Name);
            StageRecord? record = null;
            if (!(options.Force && stage == target))
            {
                record = _store.TryLoad(stage.Name, key, out var invalid);
                if (invalid is not null) options.Log($"[{stage.Name}] cached result is invalid ({invalid}); recomputing");
            }
            bool cached = record is not null;
            if (record is null)
            {
                options.Log($"[{stage.Name}] running (key {key[..12]})");
                record = Execute(stage, spec, key, config, inputs, tools, toolVersion, records, locator, runner);
                options.Log($"[{stage.Name}] done in {clock.Elapsed.TotalSeconds:F1} s");
            }
            else options.Log($"[{stage.Name}] cached (key {key[..12]}), skipped in {clock.Elapsed.TotalSeconds:F2} s");

            records[stage.Name] = record;
            var dir = _store.DirectoryFor(stage.Name, key);
            var files = stage.Publications(spec).Select(p => (Path.Combine(dir, p.File), p.ResultPath)).ToList();
            published.Add((new ManifestStage(stage.Name, key, cached, record.Config, record.Inputs, record.ExternalTools, record.Outputs,
                record.WallSeconds, record.PeakMemoryBytes, dir, record.Timings), files));
            outcomes.Add(new StageOutcome(stage.Name, key, cached, clock.Elapsed.TotalSeconds));
        }

        new ResultsPublisher(options.ResultsRoot).Publish(spec, published);
        options.Log($"results: {Path.Combine(options.ResultsRoot, spec.Experiment)}");
        return outcomes;
    }

    /// <summary>A stage's config as it enters the cache key and the manifest (the guard test calls this too).</summary>
    public static JsonElement ConfigOf(IStage stage, ExperimentSpec spec) =>
        JsonSerializer.SerializeToElement(stage.Config(spec), Digest.CanonicalJson);

    private StageRecord Execute(IStage stage, ExperimentSpec spec, string key, JsonElement config, List<InputDigest> inputs,
        Dictionary<string, string> tools, string toolVersion, Dictionary<string, StageRecord> records, PlinkLocator locator, PlinkRunner runner)
    {
        var temp = _store.BeginWrite(stage.Name, key);
        var scratch = Path.Combine(Path.GetTempPath(), $"genosynth-{stage.Name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        var clock = Stopwatch.StartNew();
        try
        {
            var upstream = stage.Upstream.ToDictionary(u => u, u => _store.DirectoryFor(u, records[u].Key));
            var resume = Path.Combine(_store.Root, stage.Name, key + ".resume");
            var context = new StageContext(spec, temp, scratch, upstream, () => new PlinkOperations(runner),
                () => new FileResolver(FileResolver.MirrorsFor(spec.Data), Path.Combine(_store.Root, "downloads"), m => options.Log($"[{stage.Name}] {m}")),
                m => options.Log($"[{stage.Name}] {m}"), resume);
            stage.Run(context);
            var partial = new StageRecord(stage.Name, key, toolVersion, config, inputs, tools, new Dictionary<string, FileDigest>(),
                Math.Round(clock.Elapsed.TotalSeconds, 3), Process.GetCurrentProcess().PeakWorkingSet64, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                context.Timings.Count == 0 ? null : new SortedDictionary<string, double>(context.Timings, StringComparer.Ordinal));
            var committed = _store.Commit(temp, partial);
            if (Directory.Exists(resume)) Directory.Delete(resume, recursive: true);
            return committed;
        }
        catch
        {
            _store.Abandon(temp);
            throw;
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
    }
}
