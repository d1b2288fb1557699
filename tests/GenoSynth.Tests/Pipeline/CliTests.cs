using GenoSynth.Cli;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Inspect_summarizes_a_bed_a_vcf_and_a_hapt()
    {
        var bed = Run("inspect", TestData.LctPrefix + ".bed");
        Assert.Equal(0, bed.Code);
        Assert.Contains("samples:     503", bed.Out);
        Assert.Contains("variants:    607", bed.Out);
        var vcf = Run("inspect", TestData.Agbl4Split1);
        Assert.Contains("variants:    4053", vcf.Out);
        Assert.Contains("diploid (phased)", vcf.Out);
        Assert.Contains("60 multiallelic", vcf.Out);
        var hapt = Run("inspect", TestData.Hapt805);
        Assert.Contains("samples:     5008", hapt.Out);
    }

    [Fact]
    public void Bad_input_is_one_error_line_and_exit_code_2()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("x.vcf"), "not a vcf\n");
        var r = Run("inspect", tmp.File("x.vcf"));
        Assert.Equal(2, r.Code);
        Assert.StartsWith("error: " + tmp.File("x.vcf") + ":1:", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        var missing = Run("stage", "fetch", "--spec", tmp.File("none.yaml"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("spec file not found", missing.Err);
    }

    [Fact]
    public void Help_is_available_on_every_command()
    {
        foreach (var command in new[] { new[] { "--help" }, ["stage", "--help"], ["inspect", "--help"], ["bench", "--help"] })
        {
            var r = Run(command);
            Assert.Equal(0, r.Code);
            Assert.Contains("Usage:", r.Out);
        }
    }

    [Fact]
    public void An_unknown_stage_name_is_a_usage_error()
    {
        var r = Run("stage", "nonsense");
        Assert.NotEqual(0, r.Code);
        Assert.Contains("nonsense", r.Err);
    }
}
