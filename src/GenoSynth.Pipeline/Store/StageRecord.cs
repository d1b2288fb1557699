using System.Text.Json;

namespace GenoSynth.Pipeline.Store;

public sealed record FileDigest(string Sha256, long Bytes);

public sealed record InputDigest(string Stage, string File, string Sha256);

/// <summary>What a completed stage wrote, kept beside its outputs in the cache and copied into the manifest.</summary>
public sealed record StageRecord(
    string Stage,
    string Key,
    string ToolVersion,
    JsonElement Config,
    IReadOnlyList<InputDigest> Inputs,
    IReadOnlyDictionary<string, string> ExternalTools,
    IReadOnlyDictionary<string, FileDigest> Outputs,
    double WallSeconds,
    long PeakMemoryBytes,
    string CompletedUtc,
    IReadOnlyDictionary<string, double>? Timings = null);
