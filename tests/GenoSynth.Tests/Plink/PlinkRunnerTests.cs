using GenoSynth.Plink;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Plink;

public class PlinkRunnerTests
{
    [Fact]
    public void A_failing_plink_run_raises_its_error_line_and_log_path()
    {
        using var tmp = new TempDir();
        var runner = TestData.Plink.Runner;
        var ex = Assert.Throws<PlinkException>(() =>
            runner.Run(PlinkTool.Plink2, ["--bfile", tmp.File("does-not-exist"), "--freq", "--out", tmp.File("out")], tmp.File("out")));
        Assert.Contains("Error:", ex.Message);
        Assert.Contains("does-not-exist", ex.Message);
        Assert.Contains("out.log", ex.Message);
    }

    [Fact]
    public void The_avx2_build_of_plink2_is_preferred_where_the_cpu_has_avx2()
    {
        var path = new PlinkLocator().Locate(PlinkTool.Plink2);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && File.Exists(PlinkLocator.Plink2AvxBuild))
            Assert.Equal(PlinkLocator.Plink2AvxBuild, path);
        Assert.StartsWith("PLINK v2", TestData.Plink.Runner.Version(PlinkTool.Plink2));
        Assert.StartsWith("PLINK v1.9", TestData.Plink.Runner.Version(PlinkTool.Plink1));
    }

    [Fact]
    public void An_explicit_missing_binary_is_not_silently_replaced_but_reported()
    {
        var locator = new PlinkLocator(plink2Override: "/nonexistent/plink2");
        // An override that does not exist falls through to the next candidate; an empty PATH and no override fail clearly.
        var old = Environment.GetEnvironmentVariable("PATH");
        Assert.NotNull(locator.Locate(PlinkTool.Plink2));
        var bare = new PlinkLocator(plink1Override: "/nonexistent/plink1");
        try
        {
            Environment.SetEnvironmentVariable("PATH", "/nonexistent");
            var ex = Assert.Throws<PlinkException>(() => bare.Locate(PlinkTool.Plink1));
            Assert.Contains("apt-get install plink1.9", ex.Message);
        }
        finally { Environment.SetEnvironmentVariable("PATH", old); }
    }

    [Fact]
    public void Glm_and_clump_results_are_parsed_and_consistent()
    {
        using var tmp = new TempDir();
        var ops = TestData.Plink;
        var data = GenoSynth.Genotypes.Plink1Files.Read(TestData.LctPrefix);
        // Phenotype: carriers of the lactase persistence allele (rs4988235), with every fifth label flipped so the
        // association is strong but not a perfect separation.
        int tag = data.Variants.ToList().FindIndex(v => v.Id == "rs4988235");
        Assert.True(tag >= 0);
        var column = new sbyte[data.Samples.Count];
        data.Genotypes.DecodeVariant(tag, column);
        var pheno = tmp.File("pheno.txt");
        File.WriteAllLines(pheno, new[] { "#FID\tIID\tPHENO" }.Concat(data.Samples.Select((s, i) => $"{s.FamilyId}\t{s.IndividualId}\t{((column[i] >= 1) ^ (i % 5 == 0) ? 2 : 1)}")));
        var keep = tmp.File("all.keep");
        File.WriteAllLines(keep, data.Samples.Select(s => $"{s.FamilyId} {s.IndividualId}"));
        var glm = ops.Glm(TestData.LctPrefix, pheno, keep, null, tmp.File("glm"));
        Assert.Equal(607, glm.Count(g => g.Id.Length > 0));
        var best = glm.Where(g => !double.IsNaN(g.P)).MinBy(g => g.P)!;
        Assert.True(best.P < 1e-20, $"best p {best.P}");
        var lactase = glm.Single(g => g.Id == "rs4988235");
        Assert.True(lactase.P < 1e-20, $"rs4988235 p {lactase.P}");

        var assoc = tmp.File("assoc.tsv");
        File.WriteAllLines(assoc, new[] { "ID\tP" }.Concat(glm.Where(g => !double.IsNaN(g.P)).Select(g => $"{g.Id}\t{g.P:R}")));
        var clumps = ops.Clump(TestData.LctPrefix, assoc, keep, 1, 1, 0.5, 250, tmp.File("clump"));
        Assert.NotEmpty(clumps);
        Assert.True(clumps.Count < glm.Count);
        Assert.Equal(best.P, clumps.Min(c => c.P), 3);
        Assert.Equal(clumps.Count, clumps.Select(c => c.IndexId).Distinct().Count());
    }
}
