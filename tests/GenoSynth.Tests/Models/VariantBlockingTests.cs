using GenoSynth.Models.Encoders;

namespace GenoSynth.Tests.Models;

public class VariantBlockingTests
{
    private static string Spans(IEnumerable<VariantBlock> blocks) => string.Join(" ", blocks.Select(b => $"{b.Start}+{b.Length}"));

    [Fact]
    public void Fixed_windows_cover_the_variants_with_a_shorter_last_window()
    {
        Assert.Equal("0+4 4+4 8+2", Spans(VariantBlocking.FixedWindows(10, 4)));
        Assert.Equal("0+3", Spans(VariantBlocking.FixedWindows(3, 8)));
    }

    [Fact]
    public void Each_run_of_a_group_is_one_block_and_ungrouped_runs_are_cut_into_windows()
    {
        //            0   1   2  3  4  5  6  7  8   9  10  11
        int[] groups = [-1, -1, 0, 0, 0, 1, 1, -1, -1, -1, -1, -1];
        var chromosomes = Enumerable.Repeat("2", groups.Length).ToList();
        Assert.Equal("0+2 2+3 5+2 7+3 10+2", Spans(VariantBlocking.FromGroups(groups, chromosomes, gapWindow: 3)));
    }

    [Fact]
    public void No_block_crosses_a_chromosome_even_within_one_group()
    {
        // A gene id reused across chromosomes (or an annotation bug) must not join unlinked variants.
        int[] groups = [0, 0, 0, -1, -1, -1];
        string[] chromosomes = ["1", "1", "2", "2", "3", "3"];
        Assert.Equal("0+2 2+1 3+1 4+2", Spans(VariantBlocking.FromGroups(groups, chromosomes, gapWindow: 10)));
    }

    [Fact]
    public void A_group_split_by_other_variants_gives_one_block_per_run()
    {
        int[] groups = [3, 3, 5, 3, 3];
        var blocks = VariantBlocking.FromGroups(groups, Enumerable.Repeat("7", 5).ToList(), gapWindow: 2);
        Assert.Equal("0+2 2+1 3+2", Spans(blocks));
        Assert.Equal(groups.Length, blocks.Sum(b => b.Length));
    }
}
