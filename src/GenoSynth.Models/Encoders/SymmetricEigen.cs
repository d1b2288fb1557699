namespace GenoSynth.Models.Encoders;

/// <summary>Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (exact to rounding, deterministic).</summary>
public static class SymmetricEigen
{
    /// <summary>Eigenvalues in descending order and the matching unit eigenvectors as rows ([n][n]).</summary>
    public static (double[] Values, double[][] Vectors) Decompose(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) { total += a[i, j] * a[i, j]; if (i != j) off += a[i, j] * a[i, j]; }
            if (off <= 1e-24 * Math.Max(total, 1e-300)) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
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
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i, i]).ThenBy(i => i).ToArray();
        var values = order.Select(i => a[i, i]).ToArray();
        var vectors = order.Select(i =>
        {
            var column = Enumerable.Range(0, n).Select(k => v[k, i]).ToArray();
            // Sign convention: the largest entry positive, so the same data always gives the same components.
            int largest = 0;
            for (int k = 1; k < n; k++) if (Math.Abs(column[k]) > Math.Abs(column[largest]) + 1e-12) largest = k;
            if (column[largest] < 0) for (int k = 0; k < n; k++) column[k] = -column[k];
            return column;
        }).ToArray();
        return (values, vectors);
    }
}
