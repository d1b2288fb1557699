using GenoSynth.Genotypes;
using GenoSynth.Plink;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Genotypes;

public class VcfTests
{
    private static void AssertSameAsPlink2Import(string vcf, int expectedVariants, int expectedSamples)
    {
        using var tmp = new TempDir();
        TestData.Plink.ImportVcf(vcf, tmp.File("p2"));
        var plink = Plink1Files.Read(tmp.File("p2"));
        var ours = VcfReader.Read(vcf);
        Assert.Equal(expectedVariants, ours.Variants.Count);
        Assert.Equal(expectedSamples, ours.Samples.Count);
        Assert.Equal(plink.Samples.Select(s => s.IndividualId), ours.Samples.Select(s => s.IndividualId));
        Assert.Equal(plink.Variants.Select(v => (v.Chromosome, v.Id, v.Position, v.Allele1, v.Allele2)),
            ours.Variants.Select(v => (v.Chromosome, v.Id, v.Position, v.Allele1, v.Allele2)));
        Assert.Equal(plink.Genotypes.RawData, ours.Genotypes.RawData);
    }

    [Fact]
    public void LCT_vcf_reads_exactly_as_plink2_converts_it() => AssertSameAsPlink2Import(TestData.LctVcf, 607, 503);

    [Fact]
    public void AGBL4_vcf_reads_exactly_as_plink2_converts_it_with_skips_counted()
    {
        AssertSameAsPlink2Import(TestData.Agbl4Split1, 4053, 1252);
        var vcf = VcfReader.Read(TestData.Agbl4Split1);
        Assert.Equal(60, vcf.Skipped.Multiallelic);
        Assert.Equal(4531 - 4053 - 60, vcf.Skipped.Indel + vcf.Skipped.Symbolic);
        Assert.True(vcf.AllPhased);
    }

    [Fact]
    public void The_LCT_vcf_and_bed_hold_the_same_calls()
    {
        // LCT.bed fills the unused slots of each variant's last byte with the missing code; reading normalises them.
        // The VCF's REF/ALT are not always the .bed's allele 2/allele 1 (PLINK's provisional-reference flag), so
        // compare the count of the same named allele.
        var bed = Plink1Files.Read(TestData.LctPrefix);
        var vcf = VcfReader.Read(TestData.LctVcf);
        Assert.Equal(bed.Variants.Select(v => v.Id), vcf.Variants.Select(v => v.Id));
        var a = new sbyte[503];
        var b = new sbyte[503];
        int swapped = 0;
        for (int j = 0; j < 607; j++)
        {
            bed.Genotypes.DecodeVariant(j, a);
            vcf.Genotypes.DecodeVariant(j, b);
            bool same = bed.Variants[j].Allele1 == vcf.Variants[j].Allele1;
            Assert.True(same || bed.Variants[j].Allele1 == vcf.Variants[j].Allele2);
            if (!same) swapped++;
            for (int i = 0; i < 503; i++)
                Assert.Equal(a[i], b[i] < 0 || same ? b[i] : (sbyte)(2 - b[i]));
        }
        Assert.True(swapped > 0, "the fixture is expected to contain allele-swapped records");
    }

    [Fact]
    public void Phased_haplotypes_round_trip_through_our_bgzf_vcf_and_sum_to_the_dosages()
    {
        using var tmp = new TempDir();
        var vcf = VcfReader.Read(TestData.Agbl4Split2, keepHaplotypes: true);
        Assert.NotNull(vcf.Haplotypes);
        var haplotypes = vcf.Haplotypes!;
        Assert.Equal(vcf.Genotypes.RawData, haplotypes.ToPackedDosages().RawData);
        var ids = vcf.Samples.Select(s => s.IndividualId).ToList();
        VcfWriter.WritePhased(tmp.File("out.vcf.gz"), vcf.Variants, ids, haplotypes);
        var back = VcfReader.Read(tmp.File("out.vcf.gz"), keepHaplotypes: true);
        Assert.Equal(haplotypes.Values, back.Haplotypes!.Values);
        Assert.Equal(vcf.Variants, back.Variants);
    }

    [Fact]
    public void Bcftools_and_plink2_read_the_vcf_we_write()
    {
        using var tmp = new TempDir();
        var data = Plink1Files.Read(TestData.LctPrefix);
        var ids = data.Samples.Select(s => s.IndividualId).ToList();
        var path = tmp.File("lct.vcf.gz");
        VcfWriter.WriteUnphased(path, data.Variants, ids, data.Genotypes);

        var view = Run("bcftools", "view", "-H", path);
        Assert.Equal(607, view.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var query = Run("bcftools", "query", "-f", "[%GT ]\\n", "-r", "2:136401418", Index(path));
        Assert.StartsWith("0/0 0/0 0/0 0/1 0/1", query);

        TestData.Plink.ImportVcf(path, tmp.File("back"));
        Assert.Equal(data.Genotypes.RawData, Plink1Files.Read(tmp.File("back")).Genotypes.RawData);
    }

    private static string Index(string path)
    {
        Run("bcftools", "index", "-t", path); // needs valid BGZF
        return path;
    }

    [Theory]
    [InlineData("##fileformat=VCFv4.2\n1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/1\n", "expected the '#CHROM' header line", 2)]
    [InlineData("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2\n1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/1\n", "1 sample columns", 3)]
    [InlineData("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\n1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/7\n", "invalid GT '0/7'", 3)]
    [InlineData("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2\n1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/1\t1\n", "mixed ploidy", 3)]
    [InlineData("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts1\n", "duplicate sample id 's1'", 2)]
    [InlineData("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\n1\tabc\trs1\tA\tG\t.\t.\t.\tGT\t0/1\n", "POS 'abc'", 3)]
    public void Malformed_vcf_lines_are_reported_with_file_and_line(string content, string message, int line)
    {
        using var tmp = new TempDir();
        var path = tmp.File("bad.vcf");
        File.WriteAllText(path, content);
        var ex = Assert.Throws<GenotypeFormatException>(() => VcfReader.Read(path));
        Assert.Contains(message, ex.Message);
        Assert.Equal(line, ex.Line);
        Assert.StartsWith(path + ":" + line, ex.Message);
    }

    internal static string Run(string tool, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {stderr}");
        return stdout.Result;
    }
}
