using GenoSynth.Genotypes;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Genotypes;

public class GeneAnnotationTests
{
    private static Variant At(string chromosome, long position) => new(chromosome, $"{chromosome}:{position}", 0, position, "A", "G");

    [Fact]
    public void A_bed_file_is_read_with_comments_headers_and_chr_prefixes()
    {
        using var tmp = new TempDir();
        var path = tmp.File("genes.bed");
        File.WriteAllText(path, "# genes near LCT\ntrack name=genes\nchr2\t100\t200\tGENE1\t0\t+\nchr2 300 400\n\nchr3\t10\t20\tGENE3\n");
        var annotation = GeneAnnotation.ReadBed(path);
        Assert.Equal(3, annotation.Genes.Count);
        Assert.Equal(new GeneInterval("chr2", 100, 200, "GENE1"), annotation.Genes[0]);
        Assert.Equal("chr2:300-400", annotation.Genes[1].Name); // unnamed lines get their coordinates as the name
    }

    [Fact]
    public void Variants_are_assigned_by_bed_coordinates_and_nested_genes_go_to_the_earlier_start()
    {
        var annotation = GeneAnnotation.FromIntervals([
            new GeneInterval("chr2", 100, 200, "OUTER"),
            new GeneInterval("2", 150, 160, "NESTED"),
            new GeneInterval("2", 190, 300, "OVERLAPPING"),
            new GeneInterval("X", 0, 50, "ON_X"),
        ]);
        // BED [100, 200) covers 1-based positions 101..200.
        Variant[] variants = [At("2", 100), At("2", 101), At("2", 155), At("2", 200), At("2", 201), At("2", 300), At("2", 301), At("X", 1), At("1", 150)];
        Assert.Equal([-1, 0, 0, 0, 2, 2, -1, 3, -1], annotation.Assign(variants));
    }

    [Fact]
    public void Assignment_agrees_with_a_plain_scan_on_random_overlapping_genes()
    {
        var rng = new Random(7);
        var genes = Enumerable.Range(0, 200).Select(i =>
        {
            long start = rng.Next(0, 100_000);
            return new GeneInterval(rng.Next(2) == 0 ? "1" : "chr2", start, start + rng.Next(1, 5_000), $"G{i}");
        }).ToList();
        var annotation = GeneAnnotation.FromIntervals(genes);
        var variants = Enumerable.Range(0, 2_000).Select(_ => At(rng.Next(3).ToString(), rng.Next(1, 106_000))).ToList();

        int Scan(Variant v)
        {
            int best = -1;
            for (int g = 0; g < genes.Count; g++)
            {
                if (genes[g].Chromosome.Replace("chr", "") != v.Chromosome || v.Position <= genes[g].Start || v.Position > genes[g].End) continue;
                if (best < 0 || genes[g].Start < genes[best].Start) best = g;
            }
            return best;
        }
        Assert.Equal(variants.Select(Scan).ToArray(), annotation.Assign(variants));
    }

    [Theory]
    [InlineData("2\t100\n", "expected chromosome, start and end, found 2 field(s)")]
    [InlineData("2\t100\t200\tA\n2\tx\t200\tB\n", "start 'x' is not a non-negative integer")]
    [InlineData("2\t100\t-5\n", "end '-5' is not a non-negative integer")]
    [InlineData("2\t300\t200\n", "end 200 is not after start 300")]
    public void Malformed_lines_are_reported_with_file_and_line(string text, string message)
    {
        using var tmp = new TempDir();
        var path = tmp.File("genes.bed");
        File.WriteAllText(path, text);
        var ex = Assert.Throws<GenotypeFormatException>(() => GeneAnnotation.ReadBed(path));
        Assert.Contains(message, ex.Message);
        Assert.StartsWith($"{path}:{text.Count(c => c == '\n')}:", ex.Message);
    }

    [Fact]
    public void An_empty_annotation_is_an_error()
    {
        using var tmp = new TempDir();
        var path = tmp.File("genes.bed");
        File.WriteAllText(path, "# nothing\n");
        Assert.Contains("no intervals", Assert.Throws<GenotypeFormatException>(() => GeneAnnotation.ReadBed(path)).Message);
    }
}
