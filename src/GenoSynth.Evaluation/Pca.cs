using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.Numerics;

namespace GenoSynth.Evaluation;

/// <summary>
/// Principal components fitted on one set (real train) by subspace iteration on the standardized matrix, so any
/// other set can be projected into the same axes. Deterministic: seeded start, fixed iteration count, sign fixed
/// so that each component's largest loading is positive.
/// </summary>
public sealed class Pca
{
    public int Components { get; }
    public double[] Means { get; }
    public double[] Sds { get; }
    public double[] ExplainedVariance { get; }
    private readonly float[] _loadings; // m x k

    private Pca(int components, double[] means, double[] sds, float[] loadings, double[] explained)
    {
        Components = components;
        Means = means;
        Sds = sds;
        _loadings = loadings;
        ExplainedVariance = explained;
    }

    public static Pca Fit(GenotypeRows train, int components = 10, int iterations = 25, ulong seed = 1)
    {
        int n = train.Rows, m = train.Variants;
        int k = Math.Min(components, Math.Min(n, m));
        int width = Math.Min(m, k + 10);
        var means = Linkage.ColumnMeans(train);
        var sds = Linkage.ColumnSds(train, means);
        var z = Linkage.Standardize(train, means, sds);
        var rng = new SeededRandom(seed);
        var q = new float[(long)m * width];
        for (int i = 0; i < q.Length; i++) q[i] = (float)rng.NextGaussian();
        Orthonormalize(q, m, width);
        var zq = new float[(long)n * width];
        for (int it = 0; it < iterations; it++)
        {
            Gemm.Multiply(false, false, n, width, m, 1, z, 0, m, q, 0, width, 0, zq, 0, width);      // Z Q
            Gemm.Multiply(true, false, m, width, n, 1f / n, z, 0, m, zq, 0, width, 0, q, 0, width);   // Z^T Z Q / n
            Orthonormalize(q, m, width);
        }
        // Rayleigh-Ritz: B = Q^T C Q, its eigenvectors rotate Q onto the principal axes.
        Gemm.Multiply(false, false, n, width, m, 1, z, 0, m, q, 0, width, 0, zq, 0, width);
        var b = new double[width, width];
        for (int i = 0; i < width; i++)
            for (int j = 0; j < width; j++)
            {
                double s = 0;
                for (int r = 0; r < n; r++) s += (double)zq[(long)r * width + i] * zq[(long)r * width + j];
                b[i, j] = s / n;
            }
        var (values, vectors) = SymmetricEigen.Decompose(b, JacobiStop.AbsoluteOffDiagonal);
        var loadings = new float[(long)m * k];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int t = 0; t < width; t++) s += q[(long)j * width + t] * vectors[c][t];
                loadings[(long)j * k + c] = (float)s;
            }
            // The sign is fixed in variant space (the largest loading positive), whatever the Ritz vector's sign.
            int argmax = 0;
            for (int j = 1; j < m; j++)
                if (Math.Abs(loadings[(long)j * k + c]) > Math.Abs(loadings[(long)argmax * k + c])) argmax = j;
            if (loadings[(long)argmax * k + c] < 0)
                for (int j = 0; j < m; j++) loadings[(long)j * k + c] = -loadings[(long)j * k + c];
        }
        double total = sds.Count(s => s > 0);
        return new Pca(k, means, sds, loadings, values.Take(k).Select(v => v / total).ToArray());
    }

    /// <summary>Scores [rows, k] of a set in this PCA's axes.</summary>
    public float[] Project(GenotypeRows set)
    {
        var z = Linkage.Standardize(set, Means, Sds);
        var scores = new float[(long)set.Rows * Components];
        Gemm.Multiply(false, false, set.Rows, Components, set.Variants, 1, z, 0, set.Variants, _loadings, 0, Components, 0, scores, 0, Components);
        return scores;
    }

    public static double[] Column(float[] scores, int k, int component) =>
        Enumerable.Range(0, scores.Length / k).Select(r => (double)scores[r * k + component]).ToArray();

    private static void Orthonormalize(float[] q, int m, int width)
    {
        var column = new double[m];
        for (int c = 0; c < width; c++)
        {
            for (int j = 0; j < m; j++) column[j] = q[(long)j * width + c];
            for (int p = 0; p < c; p++)
            {
                double dot = 0;
                for (int j = 0; j < m; j++) dot += column[j] * q[(long)j * width + p];
                for (int j = 0; j < m; j++) column[j] -= dot * q[(long)j * width + p];
            }
            double norm = Math.Sqrt(column.Sum(v => v * v));
            for (int j = 0; j < m; j++) q[(long)j * width + c] = norm > 0 ? (float)(column[j] / norm) : 0;
        }
    }
}
