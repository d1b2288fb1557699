using GenoSynth.Genotypes;
namespace GenoSynth.Evaluation;

/// <summary>
/// The copying check that counting exact copies misses: for each query row, the longest run of consecutive variants
/// on which it is identical to some reference (training) row, i.e. the maximum over reference rows of their longest
/// common run. Haplotypes compare alleles; diploid rows compare dosages (0/1/2). Runs stop at chromosome starts.
/// </summary>
/// <remarks>
/// Exact, in O((reference + queries) x variants) with Durbin's positional Burrows-Wheeler transform (2014): after
/// each variant, all rows are sorted by their reversed prefix, and the divergence array says where each row's match
/// with its predecessor in that order starts. The longest match ending at a variant between a query and any
/// reference row is the one with the nearest reference row above or below the query in that order.
/// </remarks>
public static class IdenticalRuns
{
    /// <param name="chromosomeStarts">Indexes of the first variant of each chromosome after the first (may be
    /// empty).</param>
    public static int[] LongestAgainst(GenotypeRows reference, GenotypeRows queries, IReadOnlyList<int> chromosomeStarts)
    {
        if (reference.Variants != queries.Variants || reference.Ploidy != queries.Ploidy)
            throw new ArgumentException($"'{queries.Name}' and '{reference.Name}' differ in variants or ploidy");
        int references = reference.Rows, rows = reference.Rows + queries.Rows, m = reference.Variants;
        var longest = new int[queries.Rows];
        if (m == 0 || references == 0) return longest;

        // Columns are copied out in blocks of variants, so that every row is read sequentially.
        const int block = 64;
        var columns = new byte[(long)block * rows];
        var order = Enumerable.Range(0, rows).ToArray();
        var divergence = new int[rows];
        var nextOrder = new int[rows];
        var nextDivergence = new int[rows];
        var bucketStart = new int[reference.Ploidy.Copies + 2];
        var runningMax = new int[reference.Ploidy.Copies + 1];
        var matchStart = new int[rows];
        var starts = new HashSet<int>(chromosomeStarts);
        int chromosomeStart = 0;
        for (int k0 = 0; k0 < m; k0 += block)
        {
            int width = Math.Min(block, m - k0);
            for (int r = 0; r < rows; r++)
            {
                var values = (r < references ? reference.Row(r) : queries.Row(r - references)).Slice(k0, width);
                for (int c = 0; c < width; c++) columns[(long)c * rows + r] = values[c];
            }
            for (int c = 0; c < width; c++)
            {
                int k = k0 + c;
                if (starts.Contains(k)) chromosomeStart = k;
                Extend(k, columns.AsSpan(c * rows, rows), order, divergence, nextOrder, nextDivergence, bucketStart,
                    runningMax);
                (order, nextOrder) = (nextOrder, order);
                (divergence, nextDivergence) = (nextDivergence, divergence);
                NearestReferenceMatches(order, divergence, references, matchStart);
                for (int i = 0; i < rows; i++)
                {
                    int row = order[i];
                    if (row < references || matchStart[i] > k) continue;
                    int length = k + 1 - Math.Max(matchStart[i], chromosomeStart);
                    if (length > longest[row - references]) longest[row - references] = length;
                }
            }
        }
        return longest;
    }

    /// <summary>
    /// One PBWT step (Durbin's algorithm 2, for up to three values): a stable sort of the order by the value at
    /// variant k, and the new divergences: where each row's match with its new predecessor starts (k + 1: none).
    /// </summary>
    private static void Extend(int k, ReadOnlySpan<byte> column, int[] order, int[] divergence, int[] nextOrder,
        int[] nextDivergence, int[] bucketStart, int[] runningMax)
    {
        Array.Clear(bucketStart);
        foreach (byte v in column) bucketStart[v + 1]++;
        for (int v = 1; v < bucketStart.Length; v++) bucketStart[v] += bucketStart[v - 1];
        Array.Fill(runningMax, k + 1);
        for (int i = 0; i < order.Length; i++)
        {
            int d = divergence[i];
            for (int v = 0; v < runningMax.Length; v++) if (d > runningMax[v]) runningMax[v] = d;
            int row = order[i];
            byte value = column[row];
            int slot = bucketStart[value]++;
            nextOrder[slot] = row;
            nextDivergence[slot] = runningMax[value];
            runningMax[value] = 0;
        }
    }

    /// <summary>
    /// For each position of the order, where the longest match ending at the current variant with any reference row
    /// starts: the smaller of the starts with the nearest reference row above and below (int.MaxValue: no reference).
    /// </summary>
    private static void NearestReferenceMatches(int[] order, int[] divergence, int references, int[] matchStart)
    {
        int rows = order.Length;
        bool seen = false;
        int run = 0;
        for (int i = 0; i < rows; i++)
        {
            if (seen && divergence[i] > run) run = divergence[i];
            if (order[i] < references) { seen = true; run = 0; }
            matchStart[i] = seen ? run : int.MaxValue;
        }
        seen = false;
        run = 0;
        for (int i = rows - 2; i >= 0; i--)
        {
            if (order[i + 1] < references) { seen = true; run = divergence[i + 1]; }
            else if (divergence[i + 1] > run) run = divergence[i + 1];
            if (seen && run < matchStart[i]) matchStart[i] = run;
        }
    }
}
