using GenoSynth.Genotypes;
using System.Numerics;
using System.Runtime.CompilerServices;
using GenoSynth.Neural;

namespace GenoSynth.Evaluation;

/// <summary>Pearson r and mean squared difference of r^2 between two sets over one group of pairs.</summary>
public sealed record LdAgreement(double Pearson, double Mse);

/// <summary>
/// LD r^2 compared between sets over the groups of <see cref="VariantPairs"/>, one block of variants at a time: never
/// an m x m matrix. Each r^2 is the entry <see cref="Linkage.R2Matrix"/> holds, bit for bit (the same standardized
/// values and GEMM accumulation order), and sums run over pairs in row order, so the all-pairs figures equal those
/// computed from the full matrix exactly. Pass 1 gives each set's mean r^2 per group and its LD decay curves;
/// pass 2 the centred sums of each comparison (a set against one of the real sets).
/// </summary>
public sealed class LinkageComparison
{
    private readonly VariantPairs _pairs;
    private readonly int _sets;
    private readonly List<(int Baseline, int Other)> _comparisons = [];
    private readonly long[] _count;
    private readonly double[][] _sum;
    private readonly double[][] _sxy, _sxx, _syy, _sse;
    private readonly double[][] _decaySum, _windowDecaySum;
    private readonly long[] _decayCount, _windowDecayCount;

    public VariantPairs Pairs => _pairs;

    private LinkageComparison(VariantPairs pairs, int sets, int baselines)
    {
        _pairs = pairs;
        _sets = sets;
        for (int b = 0; b < baselines; b++)
            for (int o = b + 1; o < sets; o++) _comparisons.Add((b, o));
        int groups = pairs.GroupCount;
        _count = new long[groups];
        _sum = Jagged(sets, groups);
        (_sxy, _sxx, _syy, _sse) = (Jagged(_comparisons.Count, groups), Jagged(_comparisons.Count, groups),
            Jagged(_comparisons.Count, groups), Jagged(_comparisons.Count, groups));
        _decaySum = Jagged(sets, Linkage.DecayBinEdges.Length);
        _windowDecaySum = Jagged(sets, pairs.WindowDecayEdges.Length);
        _decayCount = new long[Linkage.DecayBinEdges.Length];
        _windowDecayCount = new long[pairs.WindowDecayEdges.Length];
    }

    /// <summary>
    /// Compares every set with each of the first <paramref name="baselines"/> sets before it (the real train and
    /// holdout sets come first); all sets hold the same variants.
    /// </summary>
    public static LinkageComparison Run(IReadOnlyList<GenotypeRows> sets, int baselines, VariantPairs pairs)
    {
        foreach (var set in sets)
            if (set.Variants != pairs.Variants)
                throw new ArgumentException($"set '{set.Name}' has {set.Variants} variants, not {pairs.Variants}");
        var result = new LinkageComparison(pairs, sets.Count, baselines);
        var standardizers = sets.Select(s => new Standardizer(s)).ToArray();
        int m = pairs.Variants;
        // Blocks of rows short enough that every set's block of r^2 stays within about 256 MB together.
        int blockRows = (int)Math.Clamp(64L * 1024 * 1024 / Math.Max(1L, (long)sets.Count * m), 32, 256);
        var tiles = new float[sets.Count][];
        var block = new PairBlock();
        foreach (int pass in new[] { 1, 2 })
        {
            for (int first = 0; first < m; first += blockRows)
            {
                int rows = Math.Min(blockRows, m - first);
                int end = Enumerable.Range(first, rows).Max(pairs.RowEnd);
                int width = end - first;
                block.Fill(pairs, first, rows, width);
                if (block.Count == 0) continue;
                for (int s = 0; s < sets.Count; s++)
                {
                    if (tiles[s] is null || tiles[s].Length < rows * width)
                        tiles[s] = new float[blockRows * (long)width];
                    standardizers[s].R2Block(first, rows, width, tiles[s]);
                }
                if (pass == 1) result.AddMeans(block, tiles);
                else result.AddCentredSums(block, tiles);
            }
        }
        return result;
    }

    /// <summary>Pairs in a group (0 when the group is empty or not computed).</summary>
    public long Count(int group) => _count[group];

    /// <summary>A set's mean r^2 over a group of pairs (NaN when the group is empty).</summary>
    public double Mean(int group, int set) => _count[group] == 0 ? double.NaN : _sum[set][group] / _count[group];

    /// <summary>r^2 of <paramref name="other"/> against <paramref name="baseline"/> over a group; null when it is
    /// empty.</summary>
    public LdAgreement? Compare(int group, int baseline, int other)
    {
        if (_count[group] == 0) return null;
        int c = _comparisons.IndexOf((baseline, other));
        if (c < 0) throw new ArgumentException($"set {other} was not compared with set {baseline}");
        double sxx = _sxx[c][group], syy = _syy[c][group];
        double pearson = sxx == 0 || syy == 0 ? double.NaN : _sxy[c][group] / Math.Sqrt(sxx * syy);
        return new LdAgreement(pearson, _sse[c][group] / _count[group]);
    }

    /// <summary>Mean r^2 by <see cref="Linkage.DecayBinEdges"/> (NaN where empty); null when all pairs were not
    /// computed.</summary>
    public double[]? Decay(int set) => _pairs.AllPairs ? Curve(_decaySum[set], _decayCount) : null;

    /// <summary>Mean r^2 of window pairs by <see cref="VariantPairs.WindowDecayEdges"/> (NaN where empty).</summary>
    public double[] WindowDecay(int set) => Curve(_windowDecaySum[set], _windowDecayCount);

    private static double[] Curve(double[] sums, long[] counts) =>
        sums.Select((s, b) => counts[b] == 0 ? double.NaN : s / counts[b]).ToArray();

    private void AddMeans(PairBlock block, float[][] tiles)
    {
        for (int p = 0; p < block.Count; p++)
        {
            for (int mask = block.Mask[p]; mask != 0; mask &= mask - 1) _count[BitOperations.TrailingZeroCount(mask)]++;
            if (block.Chromosome[p] >= 0) _count[block.Chromosome[p]]++;
            if (block.DecayBin[p] >= 0) _decayCount[block.DecayBin[p]]++;
            if (block.WindowBin[p] >= 0) _windowDecayCount[block.WindowBin[p]]++;
        }
        Engine.For(_sets, s =>
        {
            var tile = tiles[s];
            var (sum, decay, windowDecay) = (_sum[s], _decaySum[s], _windowDecaySum[s]);
            for (int p = 0; p < block.Count; p++)
            {
                double r2 = tile[block.Offset[p]];
                for (int mask = block.Mask[p]; mask != 0; mask &= mask - 1)
                    sum[BitOperations.TrailingZeroCount(mask)] += r2;
                if (block.Chromosome[p] >= 0) sum[block.Chromosome[p]] += r2;
                if (block.DecayBin[p] >= 0) decay[block.DecayBin[p]] += r2;
                if (block.WindowBin[p] >= 0) windowDecay[block.WindowBin[p]] += r2;
            }
        });
    }

    private void AddCentredSums(PairBlock block, float[][] tiles)
    {
        var means = Enumerable.Range(0, _sets).Select(s => Enumerable.Range(0, _count.Length)
            .Select(g => _count[g] == 0 ? 0 : _sum[s][g] / _count[g]).ToArray()).ToArray();
        Engine.For(_comparisons.Count, c =>
        {
            var (b, o) = _comparisons[c];
            var (x, y, mx, my) = (tiles[b], tiles[o], means[b], means[o]);
            var sums = new CentredSums(_sxy[c], _sxx[c], _syy[c], _sse[c]);
            for (int p = 0; p < block.Count; p++)
            {
                double vx = x[block.Offset[p]], vy = y[block.Offset[p]];
                for (int mask = block.Mask[p]; mask != 0; mask &= mask - 1)
                {
                    int g = BitOperations.TrailingZeroCount(mask);
                    sums.Add(g, vx - mx[g], vy - my[g], vx - vy);
                }
                if (block.Chromosome[p] is int chromosome and >= 0)
                    sums.Add(chromosome, vx - mx[chromosome], vy - my[chromosome], vx - vy);
            }
        });
    }

    /// <summary>The sums of one comparison, added in the same order and arithmetic as Statistics.Pearson and the
    /// MSE.</summary>
    private readonly record struct CentredSums(double[] Sxy, double[] Sxx, double[] Syy, double[] Sse)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int group, double dx, double dy, double difference)
        {
            Sxy[group] += dx * dy;
            Sxx[group] += dx * dx;
            Syy[group] += dy * dy;
            Sse[group] += difference * difference;
        }
    }

    private static double[][] Jagged(int rows, int columns) =>
        Enumerable.Range(0, rows).Select(_ => new double[columns]).ToArray();

    /// <summary>The pairs of one block of rows: where each sits in the block's r^2 tile and which groups it is
    /// in.</summary>
    private sealed class PairBlock
    {
        public int Count;
        public int[] Offset = [];
        public byte[] Mask = [];
        public int[] Chromosome = [], DecayBin = [], WindowBin = [];

        public void Fill(VariantPairs pairs, int first, int rows, int width)
        {
            Count = 0;
            for (int i = first; i < first + rows; i++)
                for (int j = i + 1; j < pairs.RowEnd(i); j++)
                {
                    int mask = pairs.Classify(i, j, out int chromosome, out int decayBin, out int windowBin);
                    if (mask == 0 && chromosome < 0 && decayBin < 0 && windowBin < 0) continue;
                    if (Count == Offset.Length) Grow();
                    Offset[Count] = (i - first) * width + (j - first);
                    Mask[Count] = (byte)mask;
                    (Chromosome[Count], DecayBin[Count], WindowBin[Count]) = (chromosome, decayBin, windowBin);
                    Count++;
                }
        }

        private void Grow()
        {
            int size = Math.Max(1024, Offset.Length * 2);
            Array.Resize(ref Offset, size);
            Array.Resize(ref Mask, size);
            Array.Resize(ref Chromosome, size);
            Array.Resize(ref DecayBin, size);
            Array.Resize(ref WindowBin, size);
        }
    }

    /// <summary>
    /// Standardized values of one set, made column block by column block from a table of the three possible values
    /// per variant (bitwise those of <see cref="Linkage.Standardize"/>), and r^2 blocks from them by one GEMM.
    /// </summary>
    private sealed class Standardizer
    {
        private readonly GenotypeRows _set;
        private readonly float[] _table;
        private float[] _z = [];

        public Standardizer(GenotypeRows set)
        {
            _set = set;
            var means = Linkage.ColumnMeans(set);
            var sds = Linkage.ColumnSds(set, means);
            _table = new float[set.Variants * 3];
            for (int j = 0; j < set.Variants; j++)
                for (int v = 0; v < 3; v++) _table[j * 3 + v] = sds[j] > 0 ? (float)((v - means[j]) / sds[j]) : 0f;
        }

        /// <summary>r^2 of variants [first, first + rows) with [first, first + width), row-major with row length
        /// width.</summary>
        public void R2Block(int first, int rows, int width, float[] tile)
        {
            int n = _set.Rows;
            if ((long)n * width > _z.Length) _z = new float[(long)n * width];
            const int rowsPerPiece = 64;
            Engine.For((n + rowsPerPiece - 1) / rowsPerPiece, piece =>
            {
                for (int r = piece * rowsPerPiece; r < Math.Min(n, (piece + 1) * rowsPerPiece); r++)
                {
                    var values = _set.Row(r).Slice(first, width);
                    var z = _z.AsSpan(r * width, width);
                    for (int c = 0; c < width; c++) z[c] = _table[(first + c) * 3 + values[c]];
                }
            });
            Gemm.Multiply(true, false, rows, width, n, 1f / n, _z, 0, width, _z, 0, width, 0, tile, 0, width);
            for (int i = 0; i < rows * width; i++) tile[i] = Math.Min(1f, tile[i] * tile[i]);
        }
    }
}
