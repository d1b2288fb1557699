namespace GenoSynth.Neural.Numerics;

/// <summary>When the Jacobi sweeps of <see cref="SymmetricEigen"/> stop (after 100 sweeps at the latest).</summary>
public enum JacobiStop
{
    /// <summary>
    /// The upper triangle's sum of squares below 1e-22: for matrices of unit-scale entries, such as the Rayleigh-Ritz
    /// projection of a correlation matrix (the evaluation PCA).
    /// </summary>
    AbsoluteOffDiagonal,

    /// <summary>
    /// The off-diagonal sum of squares at most 1e-24 of the squared Frobenius norm: the same relative accuracy at any
    /// scale (genotype covariances of the PCA-block encoder).
    /// </summary>
    RelativeOffDiagonal,
}

/// <summary>
/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: exact to rounding and deterministic
/// (a fixed rotation order), which is why the PCA encoder and the evaluation PCA use it instead of an iterative solver.
/// </summary>
public static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Eigenvalues in descending order (ties in diagonal order) and the matching unit eigenvectors as rows ([n][n]), each
    /// with the sign the rotations leave it (deterministic; <see cref="MakeLargestEntryPositive"/> fixes a convention).
    /// </summary>
    public static (double[] Values, double[][] Vectors) Decompose(double[,] matrix, JacobiStop stop)
    {
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException($"a {n} x {matrix.GetLength(1)} matrix is not square");
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < MaxSweeps && !Converged(a, stop); sweep++)
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++) Rotate(a, v, p, q);

        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i, i]).ThenBy(i => i).ToArray();
        var vectors = order.Select(i => Enumerable.Range(0, n).Select(k => v[k, i]).ToArray()).ToArray();
        return (order.Select(i => a[i, i]).ToArray(), vectors);
    }

    /// <summary>
    /// Flips <paramref name="vector"/> so that its largest entry (the first of entries equal within 1e-12) is positive:
    /// the same matrix then always gives the same components.
    /// </summary>
    public static void MakeLargestEntryPositive(double[] vector)
    {
        int largest = 0;
        for (int k = 1; k < vector.Length; k++) if (Math.Abs(vector[k]) > Math.Abs(vector[largest]) + 1e-12) largest = k;
        if (vector[largest] < 0) for (int k = 0; k < vector.Length; k++) vector[k] = -vector[k];
    }

    private static bool Converged(double[,] a, JacobiStop stop)
    {
        int n = a.GetLength(0);
        if (stop == JacobiStop.AbsoluteOffDiagonal)
        {
            double upper = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) upper += a[i, j] * a[i, j];
            return upper < 1e-22;
        }
        double off = 0, total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                total += a[i, j] * a[i, j];
                if (i != j) off += a[i, j] * a[i, j];
            }
        return off <= 1e-24 * Math.Max(total, 1e-300);
    }

    /// <summary>The rotation in the (p, q) plane that zeroes a[p, q], applied to a from both sides and to v's columns.</summary>
    private static void Rotate(double[,] a, double[,] v, int p, int q)
    {
        if (Math.Abs(a[p, q]) < 1e-300) return;
        int n = a.GetLength(0);
        double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = a[k, p], akq = a[k, q];
            a[k, p] = c * akp - s * akq;
            a[k, q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p, k], aqk = a[q, k];
            a[p, k] = c * apk - s * aqk;
            a[q, k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k, p], vkq = v[k, q];
            v[k, p] = c * vkp - s * vkq;
            v[k, q] = s * vkp + c * vkq;
        }
    }
}
