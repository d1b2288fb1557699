using System.Runtime.Intrinsics.X86;

namespace GenoSynth.Plink;

public enum PlinkTool { Plink1, Plink2 }

/// <summary>Finds the PLINK binaries. Explicit paths win; otherwise the environment, then known locations, then PATH.</summary>
public sealed class PlinkLocator(string? plink1Override = null, string? plink2Override = null)
{
    public const string Plink2AvxBuild = "/usr/lib/plink2/plink2-avx2";

    public string Locate(PlinkTool tool)
    {
        var candidates = new List<string?>();
        if (tool == PlinkTool.Plink2)
        {
            candidates.Add(plink2Override);
            candidates.Add(Environment.GetEnvironmentVariable("GENOSYNTH_PLINK2"));
            if (Avx2.IsSupported) candidates.Add(Plink2AvxBuild);
            candidates.Add(FindOnPath("plink2"));
        }
        else
        {
            candidates.Add(plink1Override);
            candidates.Add(Environment.GetEnvironmentVariable("GENOSYNTH_PLINK1"));
            candidates.Add(FindOnPath("plink1.9"));
            candidates.Add(FindOnPath("plink"));
        }
        foreach (var c in candidates)
            if (!string.IsNullOrEmpty(c) && File.Exists(c)) return c;
        string name = tool == PlinkTool.Plink2 ? "plink2" : "plink1.9";
        throw new PlinkException($"{name} not found: install it (Debian: apt-get install {(tool == PlinkTool.Plink2 ? "plink2" : "plink1.9")}), " +
            $"or set GENOSYNTH_{(tool == PlinkTool.Plink2 ? "PLINK2" : "PLINK1")} to its path");
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var full = Path.Combine(dir, name);
            if (File.Exists(full)) return full;
        }
        return null;
    }
}
