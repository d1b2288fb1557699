using GenoSynth.Genotypes;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Genotypes;

public class HaptTests
{
    [Fact]
    public void The_805_SNP_hapt_loads_with_its_legend_and_pairs_into_2504_individuals()
    {
        var data = HaptFiles.Read(TestData.Hapt805, TestData.Legend805);
        Assert.Equal(5008, data.Haplotypes.Rows);
        Assert.Equal(805, data.Haplotypes.Variants);
        Assert.Equal("HG00096_A", data.Haplotypes.RowIds![0]);
        var individuals = data.Haplotypes.PairedIndividuals(TestData.Hapt805);
        Assert.Equal(2504, individuals.Count);
        Assert.Equal("HG00096", individuals[0]);
        // SOURCES.md: three SNPs carry allele 1 in every haplotype.
        var monomorphic = new List<long>();
        for (int j = 0; j < 805; j++)
        {
            int ones = 0;
            for (int h = 0; h < 5008; h++) ones += data.Haplotypes.Values[h * 805 + j];
            if (ones == 5008) monomorphic.Add(data.Variants[j].Position);
        }
        Assert.Equal(new long[] { 173292219, 126536094, 32247638 }.Order(), monomorphic.Order());
    }

    [Fact]
    public void Hapt_round_trips_through_our_writer_and_gzip()
    {
        using var tmp = new TempDir();
        var data = HaptFiles.Read(TestData.Hapt805, TestData.Legend805);
        HaptFiles.WriteHaplotypes(tmp.File("x.hapt.gz"), data.Haplotypes, "Real");
        HaptFiles.WriteLegend(tmp.File("x.legend"), data.Variants);
        var back = HaptFiles.Read(tmp.File("x.hapt.gz"), tmp.File("x.legend"));
        Assert.Equal(data.Haplotypes.Values, back.Haplotypes.Values);
        Assert.Equal(data.Haplotypes.RowIds!, back.Haplotypes.RowIds!);
        Assert.Equal(data.Variants, back.Variants);
        Assert.Equal(File.ReadAllText(TestData.Legend805), File.ReadAllText(tmp.File("x.legend")));
    }

    [Fact]
    public void Diploid_dosages_are_the_sums_of_haplotype_pairs()
    {
        var data = HaptFiles.Read(TestData.Hapt805, TestData.Legend805);
        var diploid = data.Haplotypes.ToPackedDosages();
        var rng = new GenoSynth.Neural.SeededRandom(3);
        for (int k = 0; k < 2000; k++)
        {
            int i = rng.NextInt(2504), j = rng.NextInt(805);
            Assert.Equal(data.Haplotypes.Values[2 * i * 805 + j] + data.Haplotypes.Values[(2 * i + 1) * 805 + j],
                diploid.Get(i, j));
        }
    }

    [Theory]
    [InlineData("Real A_A 0 1 0\nReal A_B 0 1\n", "row has 2 allele columns, expected 3", 2)]
    [InlineData("Real A_A 0 1 0\nReal A_B 0 2 0\n", "allele column 2 is '2'", 2)]
    [InlineData("Real A_A 0 1 0\nReal\n", "expected a group tag", 2)]
    public void Ragged_or_invalid_hapt_rows_name_the_line(string content, string message, int line)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("bad.hapt"), content);
        var ex = Assert.Throws<GenotypeFormatException>(() => HaptFiles.ReadHaplotypes(tmp.File("bad.hapt"), null));
        Assert.Contains(message, ex.Message);
        Assert.Equal(line, ex.Line);
    }

    [Fact]
    public void Sample_table_maps_the_panel_and_rejects_duplicate_ids()
    {
        var panel = SampleTable.Read(TestData.Panel).Map("sample", "super_pop");
        Assert.Equal(2535, panel.Count);
        Assert.Equal("EUR", panel["HG00096"]);
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("dup.tsv"), "sample\tpop\nA\tX\nB\tY\nA\tZ\n");
        var ex = Assert.Throws<GenotypeFormatException>(() => SampleTable.Read(tmp.File("dup.tsv")).Map("sample", "pop"));
        Assert.Equal(4, ex.Line);
    }
}
