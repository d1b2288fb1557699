using System.Text.RegularExpressions;

namespace GenoSynth.Tests.Support;

/// <summary>
/// Our snapshot helper (Verify is not in the package source): compares text with an approved file under
/// tests/GenoSynth.Tests/Snapshots/. On a difference it writes NAME.received beside it and fails; approve a change by
/// reviewing the diff and running the tests once with GENOSYNTH_APPROVE=1 (or copying .received over the approved file).
/// </summary>
public static partial class Snapshot
{
    public static string Directory => Path.Combine(TestData.RepoRoot, "tests", "GenoSynth.Tests", "Snapshots");

    public static void Match(string name, string actual)
    {
        var approved = Path.Combine(Directory, name);
        var received = approved + ".received";
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("GENOSYNTH_APPROVE") == "1")
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(approved, actual);
        }
        if (File.Exists(approved) && File.ReadAllText(approved).Replace("\r\n", "\n") == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(received, actual);
        var expected = File.Exists(approved) ? File.ReadAllText(approved) : "";
        var firstDifference = FirstDifferentLine(expected, actual);
        Assert.Fail($"snapshot {name} differs from the approved file (first difference: {firstDifference}); see {received}");
    }

    private static string FirstDifferentLine(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "<none>", y = i < b.Length ? b[i] : "<none>";
            if (x != y) return $"line {i + 1}: approved '{x}', received '{y}'";
        }
        return "none";
    }

    /// <summary>Rounds every JSON number to 6 significant digits, so a snapshot does not hang on the last float bits.</summary>
    public static string RoundNumbers(string json) =>
        NumberRegex().Replace(json, m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)
            .ToString("G6", System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"(?<=[:\[,]\s*)-?\d+\.\d+(?:[eE][-+]?\d+)?")]
    private static partial Regex NumberRegex();
}
