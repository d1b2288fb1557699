using System.Reflection;

namespace GenoSynth.Pipeline;

/// <summary>Version facts that go into cache keys (version) and manifests (version and commit).</summary>
public static class ToolInfo
{
    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The git commit the tool was built from (stamped at build time), or "unknown".</summary>
    public static string Commit { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GitCommit")?.Value is { Length: > 0 } c
            ? c : "unknown";
}
