using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Store;

namespace GenoSynth.Pipeline;

public sealed record AuditDifference(string Stage, string What, string Recorded, string Rerun);

/// <summary>
/// Re-runs the exact spec a manifest records, from scratch (a fresh cache and results directory), and compares every
/// stage's key and every output's sha256 with the manifest. Runs are deterministic, so any difference means the
/// code, the tools or the inputs changed.
/// </summary>
public static class Audit
{
    public static IReadOnlyList<AuditDifference> Run(string manifestPath, string workDirectory, Action<string> log)
    {
        var manifest = ResultsPublisher.TryRead(manifestPath) ?? throw new InputException($"{manifestPath}: not a readable GenoSynth manifest");
        Directory.CreateDirectory(workDirectory);
        var specPath = Path.Combine(workDirectory, Path.GetFileName(manifest.SpecPath));
        File.WriteAllText(specPath, manifest.SpecText);
        var spec = SpecLoader.Load(specPath);
        if (spec.SourceSha256 != manifest.SpecSha256)
            throw new InputException($"{manifestPath}: the recorded spec text does not match its recorded sha256");
        var target = manifest.Stages.Last().Stage;
        log($"auditing {manifest.Experiment} (recorded by genosynth {manifest.GenosynthVersion}, commit {manifest.GitCommit}): re-running up to '{target}' in {workDirectory}");
        var rerun = new PipelineRunner(new PipelineOptions(Path.Combine(workDirectory, "cache"), Path.Combine(workDirectory, "results"), false,
            TimeSpan.FromSeconds(2), log)).Run(spec, target);
        var fresh = ResultsPublisher.TryRead(Path.Combine(workDirectory, "results", manifest.Experiment, ResultsPublisher.ManifestFile))!;

        var differences = new List<AuditDifference>();
        foreach (var recorded in manifest.Stages)
        {
            var again = fresh.Stages.FirstOrDefault(s => s.Stage == recorded.Stage);
            if (again is null) { differences.Add(new(recorded.Stage, "stage", "present", "missing")); continue; }
            if (again.Key != recorded.Key) differences.Add(new(recorded.Stage, "key", recorded.Key, again.Key));
            foreach (var (file, digest) in recorded.Outputs)
            {
                var other = again.Outputs.GetValueOrDefault(file);
                if (other?.Sha256 != digest.Sha256) differences.Add(new(recorded.Stage, file, digest.Sha256, other?.Sha256 ?? "missing"));
            }
        }
        foreach (var (path, sha) in manifest.Results)
            if (fresh.Results.GetValueOrDefault(path) != sha)
                differences.Add(new("results", path, sha, fresh.Results.GetValueOrDefault(path) ?? "missing"));
        return differences;
    }
}
