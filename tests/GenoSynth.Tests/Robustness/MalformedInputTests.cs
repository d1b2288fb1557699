using GenoSynth.Cli;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Robustness;

/// <summary>The malformed-input corpus (tests/GenoSynth.Tests/Fixtures/Malformed, listed in cases.tsv).</summary>
public class MalformedInputTests
{
    private static string Corpus => Path.Combine(TestData.RepoRoot, "tests", "GenoSynth.Tests", "Fixtures", "Malformed");

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(Corpus, "cases.tsv")).Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            data.Add(f[0], f[1], f[2], f[3]);
        }
        return data;
    }

    [Fact]
    public void The_corpus_holds_at_least_30_cases()
    {
        Assert.True(Cases().Count >= 30, $"{Cases().Count} cases");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_malformed_input_is_one_error_line_naming_the_file_with_exit_code_2_and_no_results(string file, string command, string message, string line)
    {
        using var tmp = new TempDir();
        var path = Path.Combine(Corpus, file);
        string[] args;
        if (command == "inspect") args = ["inspect", path];
        else
        {
            // Specs find their inputs through the mirror search: this corpus (for the empty phenotype file) and the shared data.
            Environment.SetEnvironmentVariable("GENOSYNTH_MIRRORS", Corpus + Path.PathSeparator + TestData.Root);
            args = ["stage", command.Split(':')[1], "--spec", path, "--cache", tmp.File("cache"), "--results", tmp.File("results")];
        }
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        var error = stderr.ToString().Trim();
        Assert.True(code == 2, $"exit code {code}; stderr: {error}; stdout: {stdout}");
        Assert.StartsWith("error: ", error);
        Assert.Single(error.Split('\n'));
        Assert.Contains(message, error);
        // Input files and spec syntax errors name the file; errors found while running a spec name the key or input.
        if (command is "inspect" or "spec:fetch" && !message.Contains("LCT.bed")) Assert.Contains(file.Split('.')[0], error);
        if (line.Length > 0) Assert.Contains($":{line}:", error);
        Assert.False(Directory.Exists(tmp.File("results")), "nothing may be written to results/");
    }
}
