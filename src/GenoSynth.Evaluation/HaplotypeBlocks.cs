using GenoSynth.Genotypes;
using GenoSynth.Neural;

namespace GenoSynth.Evaluation;

/// <summary>
/// Finds haplotype blocks among individuals (dosages 0/1/2, row-major individuals x variants), such as plink1.9
/// --blocks does: each block as its first and last variant index.
/// </summary>
public delegate IReadOnlyList<(int First, int Last)> HaplotypeBlockFinder(byte[] dosages, int individuals);

/// <summary>How many haplotype blocks a set has and how long they are.</summary>
/// <param name="Individuals">Individuals the blocks were found among (equal numbers for every set compared).</param>
/// <param name="MedianKb">Median distance from a block's first to its last variant, in kb.</param>
/// <param name="MeanVariants">Mean number of variants from a block's first to its last variant.</param>
/// <param name="Coverage">Share of the variants lying in a block.</param>
public sealed record BlockSummary(int Individuals, int Blocks, double MedianKb, double MeanVariants, double Coverage);

/// <summary>
/// Haplotype blocks compared between sets. Block finding depends on the sample size (more individuals give
/// narrower confidence intervals of D'), so every set is reduced to the same number of individuals, drawn with a
/// seed: the holdout's count.
/// </summary>
public static class HaplotypeBlocks
{
    public static IReadOnlyList<(int First, int Last)> Find(GenotypeRows set, int individuals, ulong seed,
        HaplotypeBlockFinder finder)
    {
        int available = IndividualRows.Count(set);
        var drawn = Privacy.Draw(available, Math.Min(individuals, available), new SeededRandom(seed));
        Array.Sort(drawn);
        return finder(IndividualRows.Dosages(set, drawn), drawn.Length);
    }

    public static BlockSummary Summarize(IReadOnlyList<(int First, int Last)> blocks, int individuals,
        IReadOnlyList<(string Chromosome, long Position)> positions)
    {
        var inBlock = Labels(blocks, positions.Count);
        var lengths = blocks.Select(b => (positions[b.Last].Position - positions[b.First].Position) / 1000.0).ToArray();
        return new BlockSummary(individuals, blocks.Count,
            lengths.Length == 0 ? double.NaN : Statistics.Quantile(lengths, 0.5),
            blocks.Count == 0 ? double.NaN : blocks.Average(b => b.Last - b.First + 1.0),
            positions.Count == 0 ? double.NaN : (double)inBlock.Count(l => l >= 0) / positions.Count);
    }

    /// <summary>
    /// Share of neighbouring variant pairs (same chromosome) on which two sets' blocks agree: both sets put the two
    /// variants in one block, or neither does. 1 when the blocks are the same.
    /// </summary>
    public static double Agreement(IReadOnlyList<(int First, int Last)> a, IReadOnlyList<(int First, int Last)> b,
        IReadOnlyList<(string Chromosome, long Position)> positions)
    {
        var (labelsA, labelsB) = (Labels(a, positions.Count), Labels(b, positions.Count));
        int pairs = 0, agree = 0;
        for (int j = 0; j + 1 < positions.Count; j++)
        {
            if (positions[j].Chromosome != positions[j + 1].Chromosome) continue;
            bool togetherA = labelsA[j] >= 0 && labelsA[j] == labelsA[j + 1];
            bool togetherB = labelsB[j] >= 0 && labelsB[j] == labelsB[j + 1];
            pairs++;
            if (togetherA == togetherB) agree++;
        }
        return pairs == 0 ? double.NaN : (double)agree / pairs;
    }

    /// <summary>Each variant's block index, or -1 outside every block.</summary>
    private static int[] Labels(IReadOnlyList<(int First, int Last)> blocks, int variants)
    {
        var labels = Enumerable.Repeat(-1, variants).ToArray();
        for (int b = 0; b < blocks.Count; b++)
            for (int j = blocks[b].First; j <= blocks[b].Last; j++) labels[j] = b;
        return labels;
    }
}

/// <summary>
/// Haplotype blocks of the sets of one evaluation: found among the same number of individuals in every set (the
/// holdout's), each set's individuals drawn with the evaluation's seed.
/// </summary>
internal sealed class BlockContext(HaplotypeBlockFinder finder, int individuals,
    IReadOnlyList<(string Chromosome, long Position)> positions, ulong seed)
{
    public int Individuals => individuals;

    public IReadOnlyList<(int First, int Last)> Find(GenotypeRows set) =>
        HaplotypeBlocks.Find(set, individuals, seed, finder);

    public BlockSummary Summary(IReadOnlyList<(int First, int Last)> blocks) =>
        HaplotypeBlocks.Summarize(blocks, individuals, positions);
}
