using GenoSynth.Neural;
using GenoSynth.Neural.Numerics;

namespace GenoSynth.Tests.Neural;

/// <summary>
/// The Jacobi eigensolver against matrices whose eigen-decomposition is known by construction (A = Q diag(l) Q^T with Q
/// from Gram-Schmidt on random vectors) and against the 2 x 2 closed form.
/// </summary>
public class SymmetricEigenTests
{
    /// <summary>Rows of a random orthonormal basis, by classical Gram-Schmidt in the obvious loops.</summary>
    private static double[][] RandomBasis(int n, SeededRandom rng)
    {
        var basis = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var v = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
            for (int p = 0; p < i; p++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += v[k] * basis[p][k];
                for (int k = 0; k < n; k++) v[k] -= dot * basis[p][k];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            basis[i] = v.Select(x => x / norm).ToArray();
        }
        return basis;
    }

    private static double[,] Compose(double[][] basis, double[] values)
    {
        int n = values.Length;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i, j] += values[k] * basis[k][i] * basis[k][j];
        return a;
    }

    [Theory]
    [InlineData(JacobiStop.AbsoluteOffDiagonal, 1.0)]
    [InlineData(JacobiStop.RelativeOffDiagonal, 1.0)]
    [InlineData(JacobiStop.RelativeOffDiagonal, 1e-9)]
    [InlineData(JacobiStop.RelativeOffDiagonal, 1e6)]
    public void Recovers_a_known_spectrum_and_its_eigenvectors(JacobiStop stop, double scale)
    {
        var rng = new SeededRandom(7);
        const int n = 20;
        var basis = RandomBasis(n, rng);
        // Distinct values of both signs, in shuffled order, so the sort has work to do.
        var values = Enumerable.Range(0, n).Select(i => scale * (3.0 - 0.29 * i)).ToArray();
        var shuffled = values.ToArray();
        rng.Shuffle(shuffled);
        var order = shuffled.Select(v => Array.IndexOf(values, v)).ToArray();
        var a = Compose(order.Select(i => basis[i]).ToArray(), shuffled);

        var (found, vectors) = SymmetricEigen.Decompose(a, stop);
        for (int k = 0; k < n; k++)
        {
            Assert.Equal(values[k], found[k], 1e-10 * scale);
            double overlap = Enumerable.Range(0, n).Sum(i => vectors[k][i] * basis[k][i]);
            Assert.Equal(1, Math.Abs(overlap), 9);
            for (int i = 0; i < n; i++)
            {
                double av = Enumerable.Range(0, n).Sum(j => a[i, j] * vectors[k][j]);
                Assert.Equal(found[k] * vectors[k][i], av, 1e-10 * scale);
            }
        }
    }

    [Fact]
    public void An_absolute_stop_gives_up_on_tiny_matrices_that_the_relative_stop_solves()
    {
        // Why the PCA encoder's covariances use the relative rule: entries near 1e-13 are below the absolute floor.
        var basis = RandomBasis(6, new SeededRandom(3));
        var a = Compose(basis, [6e-13, 5e-13, 4e-13, 3e-13, 2e-13, 1e-13]);
        var (relative, _) = SymmetricEigen.Decompose(a, JacobiStop.RelativeOffDiagonal);
        var (absolute, _) = SymmetricEigen.Decompose(a, JacobiStop.AbsoluteOffDiagonal);
        Assert.Equal(6e-13, relative[0], 1e-22);
        Assert.True(Math.Abs(absolute[0] - 6e-13) > 1e-14, "the absolute rule stops before the first sweep here");
    }

    [Fact]
    public void Two_by_two_matches_the_closed_form()
    {
        var rng = new SeededRandom(19);
        for (int trial = 0; trial < 50; trial++)
        {
            double p = rng.NextGaussian(), q = rng.NextGaussian(), r = rng.NextGaussian();
            double mid = (p + r) / 2, radius = Math.Sqrt((p - r) * (p - r) / 4 + q * q);
            foreach (var stop in new[] { JacobiStop.AbsoluteOffDiagonal, JacobiStop.RelativeOffDiagonal })
            {
                var (values, _) = SymmetricEigen.Decompose(new[,] { { p, q }, { q, r } }, stop);
                Assert.Equal(mid + radius, values[0], 12);
                Assert.Equal(mid - radius, values[1], 12);
            }
        }
    }

    [Fact]
    public void Sign_convention_makes_the_largest_entry_positive_and_keeps_the_first_of_near_ties()
    {
        var v = new[] { 0.1, -0.7, 0.5 };
        SymmetricEigen.MakeLargestEntryPositive(v);
        Assert.Equal(new[] { -0.1, 0.7, -0.5 }, v);
        var tie = new[] { -0.6, 0.6 + 1e-14 };
        SymmetricEigen.MakeLargestEntryPositive(tie);
        Assert.Equal(new[] { 0.6, -0.6 - 1e-14 }, tie);
    }
}
