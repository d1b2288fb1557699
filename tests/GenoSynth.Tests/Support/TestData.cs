using GenoSynth.Plink;

namespace GenoSynth.Tests.Support;

/// <summary>Locates the shared 1000 Genomes data (never copied into the repository) and the PLINK tools.</summary>
public static class TestData
{
    private static readonly Lazy<string> DataDirectory = new(Locate);

    public static string Root => DataDirectory.Value;

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string LctPrefix => Path("1000g_lct_gaston/LCT");
    public static string LctVcf => Path("1000g_lct_gaston/LCT.vcf.gz");
    public static string Agbl4Split1 => Path("1000g_agbl4_vcf/AGBL4_split1.vcf.gz");
    public static string Agbl4Split2 => Path("1000g_agbl4_vcf/AGBL4_split2.vcf.gz");
    public static string Hapt805 => Path("1000g_805snp_yelmen/805_SNP_1000G_real.hapt.gz");
    public static string Legend805 => Path("1000g_805snp_yelmen/805_SNP.legend");
    public static string Panel => Path("1000g_panel/integrated_call_samples_v3.20130502.ALL.panel");

    /// <summary>The repository root (holds Pipeline.sln).</summary>
    public static string RepoRoot { get; } = FindUp(AppContext.BaseDirectory, d => File.Exists(System.IO.Path.Combine(d, "Pipeline.sln")))
        ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("GENOSYNTH_DATA");
        if (!string.IsNullOrEmpty(env) && File.Exists(System.IO.Path.Combine(env, "SOURCES.md"))) return env;
        var found = FindUp(AppContext.BaseDirectory, d =>
            File.Exists(System.IO.Path.Combine(d, "shared", "data", "SOURCES.md")));
        if (found is not null) return System.IO.Path.Combine(found, "shared", "data");
        throw new InvalidOperationException("shared/data not found: set GENOSYNTH_DATA to the folder holding SOURCES.md");
    }

    private static string? FindUp(string start, Func<string, bool> match)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (match(dir.FullName)) return dir.FullName;
        return null;
    }

    public static PlinkOperations Plink { get; } = new(new PlinkRunner(new PlinkLocator()));
}

/// <summary>A temporary directory removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "genosynth-test-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
