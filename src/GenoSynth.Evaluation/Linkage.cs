using GenoSynth.Genotypes;
using GenoSynth.Neural;

namespace GenoSynth.Evaluation;

/// <summary>Linkage disequilibrium as r^2 between all variant pairs, computed as one GEMM on standardized genotypes.</summary>
public static class Linkage
{
    /// <summary>Standardized values (n x m, float): (x - mean) / sd per column; constant columns become 0.</summary>
    public static float[] Standardize(GenotypeRows set, double[]? means = null, double[]? sds = null)
    {
        int n = set.Rows, m = set.Variants;
        means ??= ColumnMeans(set);
        sds ??= ColumnSds(set, means);
        var z = new float[(long)n * m];
        for (int r = 0; r < n; r++)
        {
            var row = set.Row(r);
            for (int j = 0; j < m; j++)
                z[(long)r * m + j] = sds[j] > 0 ? (float)((row[j] - means[j]) / sds[j]) : 0f;
        }
        return z;
    }

    public static double[] ColumnMeans(GenotypeRows set)
    {
        var sums = new double[set.Variants];
        for (int r = 0; r < set.Rows; r++)
        {
            var row = set.Row(r);
            for (int j = 0; j < row.Length; j++) sums[j] += row[j];
        }
        return sums.Select(s => s / set.Rows).ToArray();
    }

    public static double[] ColumnSds(GenotypeRows set, double[] means)
    {
        var ss = new double[set.Variants];
        for (int r = 0; r < set.Rows; r++)
        {
            var row = set.Row(r);
            for (int j = 0; j < row.Length; j++) { double d = row[j] - means[j]; ss[j] += d * d; }
        }
        return ss.Select(s => Math.Sqrt(s / set.Rows)).ToArray();
    }

    /// <summary>The m x m matrix of r^2 (row-major); pairs involving a constant variant are 0.</summary>
    public static float[] R2Matrix(GenotypeRows set)
    {
        int n = set.Rows, m = set.Variants;
        var z = Standardize(set);
        var r = new float[(long)m * m];
        Gemm.Multiply(true, false, m, m, n, 1f / n, z, 0, m, z, 0, m, 0, r, 0, m);
        for (int i = 0; i < r.Length; i++) r[i] = Math.Min(1f, r[i] * r[i]);
        return r;
    }

    /// <summary>Upper-triangle entries (i &lt; j) of an m x m matrix, in row order.</summary>
    public static double[] UpperTriangle(float[] matrix, int m)
    {
        var values = new double[(long)m * (m - 1) / 2];
        int k = 0;
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++) values[k++] = matrix[(long)i * m + j];
        return values;
    }

    /// <summary>Distance bins (bp) of the LD decay curve: [0, 1 kb), [1 kb, 10 kb), ... [10 Mb, inf).</summary>
    public static readonly long[] DecayBinEdges = [0, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

    /// <summary>Mean r^2 of same-chromosome pairs by distance bin (NaN where a bin is empty).</summary>
    public static double[] Decay(float[] r2, IReadOnlyList<(string Chromosome, long Position)> variants)
    {
        int m = variants.Count;
        var sums = new double[DecayBinEdges.Length];
        var counts = new long[DecayBinEdges.Length];
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
            {
                if (variants[i].Chromosome != variants[j].Chromosome) continue;
                long distance = Math.Abs(variants[j].Position - variants[i].Position);
                int bin = DecayBinEdges.Length - 1;
                while (bin > 0 && distance < DecayBinEdges[bin]) bin--;
                sums[bin] += r2[(long)i * m + j];
                counts[bin]++;
            }
        return sums.Select((s, b) => counts[b] == 0 ? double.NaN : s / counts[b]).ToArray();
    }
}
