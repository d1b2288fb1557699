namespace GenoSynth.Models.Encoders;

/// <summary>How variants are cut into the blocks a <see cref="PcaBlockEncoder"/> compresses one by one.</summary>
public static class VariantBlocking
{
    /// <summary>Consecutive windows of <paramref name="size"/> variants (the last one shorter).</summary>
    public static IReadOnlyList<VariantBlock> FixedWindows(int variants, int size) =>
        Enumerable.Range(0, (variants + size - 1) / size).Select(i => new VariantBlock(i * size, Math.Min(size, variants - i * size))).ToList();

    /// <summary>
    /// Blocks from a grouping of the variants (an LD block or a gene per variant; -1 for none): each run of consecutive
    /// variants in the same group is one block, and each run in no group is cut into windows of at most
    /// <paramref name="gapWindow"/> variants, so that every variant is encoded. No block crosses a chromosome.
    /// </summary>
    public static IReadOnlyList<VariantBlock> FromGroups(IReadOnlyList<int> groups, IReadOnlyList<string> chromosomes, int gapWindow)
    {
        if (groups.Count != chromosomes.Count) throw new ArgumentException($"{groups.Count} groups for {chromosomes.Count} variants");
        ArgumentOutOfRangeException.ThrowIfLessThan(gapWindow, 1);
        var blocks = new List<VariantBlock>();
        int start = 0;
        for (int v = 1; v <= groups.Count; v++)
        {
            bool ends = v == groups.Count || groups[v] != groups[start] || chromosomes[v] != chromosomes[start]
                        || (groups[start] < 0 && v - start == gapWindow);
            if (!ends) continue;
            blocks.Add(new VariantBlock(start, v - start));
            start = v;
        }
        return blocks;
    }
}
