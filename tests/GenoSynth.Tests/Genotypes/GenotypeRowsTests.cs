using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Genotypes;

/// <summary>The genotype-rows type, its labels and its ploidy, against naive loops on the 805-SNP data.</summary>
public class GenotypeRowsTests
{
    private static GenotypeRows Labelled805()
    {
        var haplotypes = HaptFiles.Read(TestData.Hapt805, TestData.Legend805).Haplotypes;
        var panel = SampleTable.Read(TestData.Panel).Map("sample", "super_pop");
        return haplotypes.WithLabels(RowLabels.FromNames(haplotypes.Individuals.Select(i => panel[i]).ToList()));
    }

    [Fact]
    public void Selecting_individuals_by_position_takes_both_haplotypes_and_the_given_columns()
    {
        var all = Labelled805();
        var individuals = new[] { 7, 0, 2503, 19 };
        var columns = new[] { 804, 3, 3, 400 };
        var picked = all.SelectIndividuals(individuals, columns);
        Assert.Equal((Ploidy.Haplotype, 8, 4), (picked.Ploidy, picked.Rows, picked.Variants));
        for (int i = 0; i < individuals.Length; i++)
            for (int copy = 0; copy < 2; copy++)
            {
                int source = 2 * individuals[i] + copy, row = 2 * i + copy;
                Assert.Equal(all.RowIds![source], picked.RowIds![row]);
                Assert.Equal(all.Labels![source], picked.Labels![row]);
                for (int j = 0; j < columns.Length; j++)
                    Assert.Equal(all.Values[source * 805 + columns[j]], picked.Values[row * 4 + j]);
            }
    }

    [Fact]
    public void Selecting_individuals_by_id_keeps_row_order_ids_and_labels()
    {
        var all = Labelled805();
        var wanted = new HashSet<string>(["NA12878", "HG00096", "NA19238"]);
        var picked = all.SelectIndividuals(wanted, "picked");
        var expected = Enumerable.Range(0, all.Rows)
            .Where(r => wanted.Contains(all.RowIds![r][..all.RowIds[r].LastIndexOf('_')])).ToList();
        Assert.Equal(6, expected.Count);
        Assert.Equal("picked", picked.Name);
        Assert.Equal(expected.Select(r => all.RowIds![r]), picked.RowIds!);
        Assert.Equal(expected.Select(r => all.Labels![r]), picked.Labels!);
        Assert.Equal(expected.SelectMany(r => all.Row(r).ToArray()), picked.Values);
        Assert.Equal(["HG00096", "HG00096"], picked.Individuals.Take(2));
        Assert.Same(all.Labels!.Classes, picked.Labels!.Classes);
    }

    [Theory]
    [InlineData(Ploidy.Haplotype, 1)]
    [InlineData(Ploidy.Diploid, 2)]
    public void Allele_frequencies_count_copies_per_row(Ploidy ploidy, int copies)
    {
        var set = RandomGenotypes.Rows(ploidy, 30, 11, new SeededRandom(4));
        var frequencies = set.AlleleFrequencies();
        for (int j = 0; j < set.Variants; j++)
        {
            double ones = Enumerable.Range(0, set.Rows).Sum(r => set.Values[r * set.Variants + j]);
            Assert.Equal(ones / (set.Rows * copies), frequencies[j], 12);
        }
    }

    [Fact]
    public void Dosage_rows_pack_as_they_are()
    {
        var rng = new SeededRandom(8);
        int rows = 13, variants = 9;
        var values = Enumerable.Range(0, rows * variants).Select(_ => (byte)rng.NextInt(3)).ToArray();
        var packed = new GenotypeRows(Ploidy.Diploid, rows, variants, values).ToPackedDosages();
        Assert.Equal((rows, variants), (packed.SampleCount, packed.VariantCount));
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < variants; j++) Assert.Equal(values[i * variants + j], (byte)packed.Get(i, j));
    }

    [Fact]
    public void Haplotype_rows_that_do_not_pair_name_the_file_and_line()
    {
        var rows = new GenotypeRows(Ploidy.Haplotype, 4, 1, [0, 1, 1, 0], ["A_A", "A_B", "B_A", "C_B"]);
        var error = Assert.Throws<GenotypeFormatException>(() => rows.PairedIndividuals("x.hapt"));
        Assert.Contains("x.hapt", error.Message);
        Assert.Contains("'B_A' and 'C_B'", error.Message);
        var odd = new GenotypeRows(Ploidy.Haplotype, 3, 1, [0, 1, 1], ["A_A", "A_B", "B_A"]);
        var oddError = Assert.Throws<GenotypeFormatException>(() => odd.PairedIndividuals("y"));
        Assert.Contains("3 haplotypes cannot be paired", oddError.Message);
        Assert.Equal(["A", "B"], new GenotypeRows(Ploidy.Haplotype, 4, 1, [0, 1, 1, 0], HaplotypeIds.Pairs(["A", "B"]))
            .PairedIndividuals("z"));
    }

    [Fact]
    public void Shapes_ids_and_labels_must_agree_and_unlabelled_rows_have_no_classes()
    {
        Assert.Throws<ArgumentException>(() => new GenotypeRows(Ploidy.Diploid, 2, 3, new byte[5]));
        Assert.Throws<ArgumentException>(() => new GenotypeRows(Ploidy.Diploid, 2, 1, new byte[2], ["only one"]));
        var oneLabel = RowLabels.FromNames(["x"]);
        Assert.Throws<ArgumentException>(() => new GenotypeRows(Ploidy.Diploid, 2, 1, new byte[2], labels: oneLabel));
        var unnamed = new GenotypeRows(Ploidy.Diploid, 2, 1, new byte[2]);
        Assert.Throws<InvalidOperationException>(() => unnamed.Classes);
        Assert.Throws<InvalidOperationException>(() => unnamed.Individuals);
    }

    [Fact]
    public void Labels_hold_class_indexes_and_read_as_names()
    {
        var labels = RowLabels.FromNames(["EUR", "AFR", "EUR", "EAS"]);
        Assert.Equal(["AFR", "EAS", "EUR"], labels.Classes);
        Assert.Equal([2, 0, 2, 1], labels.Indexes);
        Assert.Equal(["EUR", "AFR", "EUR", "EAS"], labels);
        Assert.Equal("EAS", labels[3]);
        var picked = labels.Select([3, 0]);
        Assert.Equal(["EAS", "EUR"], picked);
        Assert.Same(labels.Classes, picked.Classes);
        Assert.Throws<ArgumentException>(() => new RowLabels([0, 2], ["a", "b"]));
    }

    [Fact]
    public void Ploidy_is_stored_as_allele_copies()
    {
        foreach (var ploidy in new[] { Ploidy.Haplotype, Ploidy.Diploid })
            Assert.Equal(ploidy, Ploidy.FromCopies(ploidy.Copies));
        var (haplotype, diploid) = (Ploidy.Haplotype, Ploidy.Diploid);
        Assert.Equal((1, 2, 2), (haplotype.Copies, haplotype.CallValues, haplotype.RowsPerIndividual));
        Assert.Equal((2, 3, 1), (diploid.Copies, diploid.CallValues, diploid.RowsPerIndividual));
        Assert.Throws<FormatException>(() => Ploidy.FromCopies(3));
    }
}
