using System.Numerics;
using GenoSynth.Genotypes;

namespace GenoSynth.Evaluation;

/// <summary>
/// Rows packed into bit planes so distances are popcounts: haplotypes use one plane (Hamming distance); diploid
/// dosages use two planes, (x >= 1) and (x == 2), whose Hamming distances sum to |x - y|.
/// </summary>
public sealed class BitPackedRows
{
    private readonly ulong[] _bits;
    public int Rows { get; }
    public int WordsPerRow { get; }

    public BitPackedRows(GenotypeRows set)
    {
        Rows = set.Rows;
        int planeWords = (set.Variants + 63) / 64;
        WordsPerRow = planeWords * set.Ploidy.Copies;
        _bits = new ulong[(long)Rows * WordsPerRow];
        for (int r = 0; r < Rows; r++)
        {
            var row = set.Row(r);
            var dst = _bits.AsSpan(r * WordsPerRow, WordsPerRow);
            for (int j = 0; j < row.Length; j++)
            {
                byte v = row[j];
                if (v >= 1) dst[j >> 6] |= 1UL << (j & 63);
                if (v == 2) dst[planeWords + (j >> 6)] |= 1UL << (j & 63);
            }
        }
    }

    public ReadOnlySpan<ulong> Row(int r) => new(_bits, r * WordsPerRow, WordsPerRow);

    public static int Distance(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        int d = 0;
        for (int w = 0; w < a.Length; w++) d += BitOperations.PopCount(a[w] ^ b[w]);
        return d;
    }

    /// <summary>
    /// For each row of <paramref name="queries"/> (restricted to <paramref name="queryRows"/>), the distance to its
    /// nearest row of <paramref name="reference"/> (restricted to <paramref name="referenceRows"/>); with
    /// <paramref name="excludeSame"/> the pair with equal indexes is skipped (nearest other row of the same set).
    /// </summary>
    public static int[] NearestDistances(BitPackedRows queries, IReadOnlyList<int> queryRows, BitPackedRows reference,
        IReadOnlyList<int> referenceRows, bool excludeSame)
    {
        var result = new int[queryRows.Count];
        GenoSynth.Neural.Engine.For(queryRows.Count, qi =>
        {
            var q = queries.Row(queryRows[qi]);
            int best = int.MaxValue;
            for (int ri = 0; ri < referenceRows.Count; ri++)
            {
                if (excludeSame && ri == qi) continue;
                int d = Distance(q, reference.Row(referenceRows[ri]));
                if (d < best) best = d;
            }
            result[qi] = best;
        });
        return result;
    }
}
