using System.Runtime.InteropServices;
using System.Text.Json;
using GenoSynth.Pipeline.Spec;

namespace GenoSynth.Pipeline.Store;

public sealed record ManifestStage(
    string Stage, string Key, bool Cached, JsonElement Config, IReadOnlyList<InputDigest> Inputs,
    IReadOnlyDictionary<string, string> ExternalTools, IReadOnlyDictionary<string, FileDigest> Outputs,
    double WallSeconds, long PeakMemoryBytes, string CacheDirectory, IReadOnlyDictionary<string, double>? Timings = null);

public sealed record Manifest(
    string Experiment, string SpecPath, string SpecSha256, string SpecText, JsonElement Spec, string GenosynthVersion, string GitCommit,
    string Runtime, string Os, string GeneratedUtc, IReadOnlyList<ManifestStage> Stages, IReadOnlyDictionary<string, string> Results);

/// <summary>
/// Copies published artifacts to stable paths under results/&lt;experiment&gt;/ and writes manifest.json, each file
/// through a temporary name and a rename. Stages recorded by an earlier, deeper run are kept only while the stages
/// run now still have the keys that run recorded, so results/ never mixes outputs of different configurations.
/// </summary>
public sealed class ResultsPublisher(string resultsRoot)
{
    public const string ManifestFile = "manifest.json";

    public string ExperimentDirectory(string experiment) => Path.Combine(resultsRoot, experiment);

    public Manifest Publish(ExperimentSpec spec, IReadOnlyList<(ManifestStage Stage, IReadOnlyList<(string SourcePath, string ResultPath)> Files)> runs)
    {
        var dir = ExperimentDirectory(spec.Experiment);
        Directory.CreateDirectory(dir);
        var manifestPath = Path.Combine(dir, ManifestFile);
        var previous = TryRead(manifestPath);

        var stages = runs.Select(r => r.Stage).ToList();
        var results = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var currentKeys = stages.ToDictionary(s => s.Stage, s => s.Key);
        bool sameLineage = previous is not null && previous.Stages.All(p => !currentKeys.TryGetValue(p.Stage, out var k) || k == p.Key);
        if (previous is not null && sameLineage)
        {
            foreach (var p in previous.Stages.Where(p => !currentKeys.ContainsKey(p.Stage))) stages.Add(p);
            foreach (var (path, sha) in previous.Results) results[path] = sha;
        }
        else if (previous is not null)
        {
            foreach (var path in previous.Results.Keys)
            {
                var stale = Path.Combine(dir, path);
                if (File.Exists(stale)) File.Delete(stale);
            }
        }

        foreach (var (_, files) in runs)
            foreach (var (source, resultPath) in files)
            {
                var target = Path.Combine(dir, resultPath);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var temp = target + $".tmp-{Environment.ProcessId}";
                File.Copy(source, temp, overwrite: true);
                File.Move(temp, target, overwrite: true);
                results[resultPath] = Digest.OfFile(target);
            }

        var order = Stages.StageCatalog.All.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var manifest = new Manifest(
            spec.Experiment, spec.SourcePath, spec.SourceSha256, File.ReadAllText(spec.SourcePath), JsonSerializer.SerializeToElement(spec, Digest.CanonicalJson),
            ToolInfo.Version, ToolInfo.Commit, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription,
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            stages.OrderBy(s => order.GetValueOrDefault(s.Stage, 99)).ToList(), results);
        Digest.WriteAllTextAtomic(manifestPath, Digest.ToJson(manifest) + "\n");
        return manifest;
    }

    public static Manifest? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), Digest.CanonicalJson); }
        catch (JsonException) { return null; }
    }
}
