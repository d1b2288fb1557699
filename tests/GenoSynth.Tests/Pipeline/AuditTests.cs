using System.Text.Json;
using System.Text.Json.Nodes;
using GenoSynth.Cli;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

public class AuditTests
{
    [Fact]
    public void Auditing_a_run_reproduces_every_digest_and_a_tampered_manifest_fails()
    {
        using var h = new PipelineHarness();
        // The diffusion path end to end (training, sampling, evaluation): every byte must come out the same again.
        var spec = h.Spec("1kg-lct-eur", t => GeneratorStagesTests.WithoutGenerator(t) + GeneratorStagesTests.SmallDiffusion);
        h.Run(spec, "report");
        var manifest = h.ResultFile("1kg-lct-eur", "manifest.json");

        var output = new StringWriter();
        int code = CliApp.Run(["audit", "--manifest", manifest, "--work", Path.Combine(h.Dir, "audit1")], output, new StringWriter());
        Assert.True(code == 0, output.ToString());
        Assert.Contains("audit passed", output.ToString());

        // A recorded digest that no longer matches (as if the published synthetic set had been altered) must fail.
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        var sample = json["stages"]!.AsArray().First(s => s!["stage"]!.GetValue<string>() == "sample")!;
        sample["outputs"]!["synthetic.bed"]!["sha256"] = new string('0', 64);
        var tampered = Path.Combine(h.Dir, "tampered.json");
        File.WriteAllText(tampered, json.ToJsonString());
        var failed = new StringWriter();
        int failedCode = CliApp.Run(["audit", "--manifest", tampered, "--work", Path.Combine(h.Dir, "audit2")], failed, new StringWriter());
        Assert.Equal(1, failedCode);
        Assert.Contains("DIFFERS sample synthetic.bed", failed.ToString());
    }
}
