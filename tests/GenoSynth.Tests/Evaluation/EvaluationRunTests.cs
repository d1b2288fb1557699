using System.Diagnostics;
using System.Text.Json;
using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Pipeline.Evaluate;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Evaluation;

public class EvaluationRunTests
{
    /// <summary>
    /// A small deterministic evaluation: LCT (503 EUR individuals, 5 populations), a fixed split, and a per-label
    /// independent sampler (each population's allele frequencies, no LD) as the labelled synthetic set.
    /// </summary>
    internal static (EvaluationRequest Request, TempDir Dir) LctRequest()
    {
        var tmp = new TempDir();
        var data = Plink1Files.Read(TestData.LctPrefix);
        var ids = data.Samples.Select(s => s.IndividualId).ToList();
        var panel = SampleTable.Read(TestData.Panel).Map("sample", "pop");
        File.WriteAllLines(tmp.File("train.txt"), ids.Where((_, i) => i % 5 != 0));
        File.WriteAllLines(tmp.File("holdout.txt"), ids.Where((_, i) => i % 5 == 0));
        File.WriteAllLines(tmp.File("labels.tsv"), new[] { "iid\tlabel" }.Concat(ids.Select(id => $"{id}\t{panel[id]}")));

        var set = EvaluationInputs.FromPacked("lct", data.Genotypes, ids);
        var trainRows = Enumerable.Range(0, ids.Count).Where(i => i % 5 != 0).ToList();
        var rng = new SeededRandom(5);
        var synthetic = new PackedGenotypes(400, set.Variants);
        var synIds = Enumerable.Range(1, 400).Select(i => $"SYN_{i:D6}").ToList();
        var labels = trainRows.Select(r => panel[ids[r]]).Distinct().Order().ToList();
        var synLabels = synIds.Select((_, i) => labels[i % labels.Count]).ToList();
        var frequency = labels.ToDictionary(l => l, l =>
        {
            var rows = trainRows.Where(r => panel[ids[r]] == l).ToList();
            return set.SelectRows(rows).AlleleFrequencies();
        });
        var column = new sbyte[400];
        for (int j = 0; j < set.Variants; j++)
        {
            for (int i = 0; i < 400; i++)
            {
                double p = frequency[synLabels[i]][j];
                column[i] = (sbyte)((rng.NextDouble() < p ? 1 : 0) + (rng.NextDouble() < p ? 1 : 0));
            }
            synthetic.EncodeVariant(j, column);
        }
        Plink1Files.Write(tmp.File("independent"), new PlinkDataset(data.Variants, synIds.Select(Sample.Of).ToList(), synthetic));
        File.WriteAllLines(tmp.File("independent.labels.tsv"), new[] { "iid\tlabel" }.Concat(synIds.Select((id, i) => $"{id}\t{synLabels[i]}")));

        var request = new EvaluationRequest(TestData.LctPrefix + ".bed", null, [tmp.File("independent.bed")], ["per-label-independent"],
            tmp.File("train.txt"), tmp.File("holdout.txt"), tmp.File("labels.tsv"), "label", [tmp.File("independent.labels.tsv")],
            tmp.File("out"), "LCT: per-label independent sampler", new EvaluationOptions(AatsDraw: 100, AatsRepeats: 3));
        return (request, tmp);
    }

    [Fact]
    public void A_deterministic_evaluation_matches_its_approved_metrics_and_report()
    {
        var (request, tmp) = LctRequest();
        using var cleanup = tmp;
        var document = EvaluationRun.Run(request, _ => { }).Metrics;
        var set = document.Sets.Single();
        // Behaviour first: an independent sampler keeps frequencies, loses LD (what remains comes from frequency
        // differences between the populations), copies nobody.
        Assert.True(set.Fidelity["af_pearson"].Value > 0.95);
        var ld = set.Fidelity["ld_r2_pearson"];
        Assert.True(ld.Value < ld.Reference - 0.2, $"LD r {ld.Value}, holdout {ld.Reference}");
        Assert.Equal(0, set.Privacy["exact_copies"].Value);
        Assert.True(set.Privacy["aa_truth"].Value > 0.9, "real rows are closer to each other than to LD-free synthetic rows");
        Assert.NotNull(set.Utility["tstr_accuracy"].Value);

        var metrics = File.ReadAllText(Path.Combine(request.OutputDirectory, "metrics.json"));
        using (var json = JsonDocument.Parse(metrics))
        {
            var root = json.RootElement;
            Assert.Equal("genosynth.metrics/1", root.GetProperty("schema").GetString());
            var af = root.GetProperty("sets")[0].GetProperty("fidelity").GetProperty("af_pearson");
            Assert.True(af.TryGetProperty("value", out _) && af.TryGetProperty("reference", out _) && af.TryGetProperty("ideal", out _));
        }
        Snapshot.Match("lct-independent.metrics.json", Snapshot.RoundNumbers(metrics));
        Snapshot.Match("lct-independent.report.md", File.ReadAllText(Path.Combine(request.OutputDirectory, "report.md")));
    }

    [Fact]
    public void The_same_request_gives_the_same_bytes_twice()
    {
        var (request, tmp) = LctRequest();
        using var cleanup = tmp;
        EvaluationRun.Run(request, _ => { });
        var first = Directory.GetFiles(request.OutputDirectory).Order().Select(File.ReadAllBytes).ToList();
        EvaluationRun.Run(request, _ => { });
        var second = Directory.GetFiles(request.OutputDirectory).Order().Select(File.ReadAllBytes).ToList();
        Assert.Equal(first, second);
    }

    [Fact]
    public void The_html_report_renders_in_headless_chromium_without_errors()
    {
        var (request, tmp) = LctRequest();
        using var cleanup = tmp;
        EvaluationRun.Run(request, _ => { });
        var html = Path.Combine(request.OutputDirectory, "report.html");
        var content = File.ReadAllText(html);
        Assert.DoesNotContain("<script", content);            // self-contained: nothing to fetch or run
        Assert.DoesNotContain("http://", content.Replace("http://www.w3.org/2000/svg", ""));
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Assert.True(chromium is not null, "chromium is missing: build.sh installs Debian's chromium");
        var png = tmp.File("report.png");
        var (code, output) = RunChromium(chromium!, tmp, $"--screenshot={png}", "--window-size=1200,2000", "file://" + html);
        Assert.True(code == 0 && File.Exists(png), $"chromium failed: {output}");
        Assert.DoesNotContain("Uncaught", output);
        Assert.DoesNotContain(":CONSOLE(", output);
        Assert.True(PngInspector.DistinctColours(File.ReadAllBytes(png)) > 20, "the screenshot is blank");
        var (domCode, dom) = RunChromium(chromium!, tmp, "--dump-dom", "file://" + html);
        Assert.Equal(0, domCode);
        Assert.True(System.Text.RegularExpressions.Regex.Matches(dom, "<svg").Count >= 8, "plots drawn");
    }

    private static (int Code, string Output) RunChromium(string chromium, TempDir tmp, params string[] args)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-logging=stderr",
                     $"--user-data-dir={tmp.File("chromium-profile")}" }.Concat(args))
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); return (-1, "timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>Decodes an 8-bit RGB(A) PNG just far enough to count distinct colours (a blank page has one).</summary>
internal static class PngInspector
{
    public static int DistinctColours(byte[] png)
    {
        int width = ReadInt(png, 16), height = ReadInt(png, 20), bitDepth = png[24], colourType = png[25];
        Assert.Equal(8, bitDepth);
        int channels = colourType switch { 2 => 3, 6 => 4, _ => throw new InvalidOperationException($"colour type {colourType}") };
        using var idat = new MemoryStream();
        for (int offset = 8; offset < png.Length;)
        {
            int length = ReadInt(png, offset);
            string type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            if (type == "IDAT") idat.Write(png, offset + 8, length);
            offset += 12 + length;
        }
        idat.Position = 0;
        using var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
        int stride = width * channels;
        var previous = new byte[stride];
        var current = new byte[stride];
        var colours = new HashSet<int>();
        for (int y = 0; y < height; y++)
        {
            int filter = z.ReadByte();
            z.ReadExactly(current);
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? current[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidOperationException($"filter {filter}"),
                };
                current[x] = (byte)(current[x] + predictor);
            }
            for (int x = 0; x < stride; x += channels * 7) colours.Add(current[x] << 16 | current[x + 1] << 8 | current[x + 2]);
            (previous, current) = (current, previous);
        }
        return colours.Count;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static int ReadInt(byte[] data, int offset) => data[offset] << 24 | data[offset + 1] << 16 | data[offset + 2] << 8 | data[offset + 3];
}

public class EvaluationInputErrorTests
{
    [Fact]
    public void A_synthetic_label_unknown_to_the_real_data_is_a_one_line_input_error()
    {
        var (request, tmp) = EvaluationRunTests.LctRequest();
        using var cleanup = tmp;
        var labels = tmp.File("independent.labels.tsv");
        File.WriteAllLines(labels, File.ReadAllLines(labels).Select((l, i) => i == 1 ? l.Split('\t')[0] + "\tMARS" : l));
        var ex = Assert.Throws<GenoSynth.Pipeline.InputException>(() => EvaluationRun.Run(request, _ => { }));
        Assert.Contains("label 'MARS'", ex.Message);
    }
}
