using GenoSynth.Neural;

namespace GenoSynth.Tests.Neural;

/// <summary>Tests that change engine-wide settings (kernel, backend, threads) run alone, after the others.</summary>
[CollectionDefinition("EngineSettings", DisableParallelization = true)]
public sealed class EngineSettingsCollection;

[Collection("EngineSettings")]
public class GemmTests
{
    /// <summary>The obvious triple loop in double precision: the reference every kernel is checked against.</summary>
    internal static double[] Naive(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c0, int ldc)
    {
        var c = new double[m * ldc];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = alpha * s + beta * c0[i * ldc + j];
            }
        return c;
    }

    private static float[] Random(SeededRandom rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)rng.NextGaussian();
        return x;
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 6, 32, 256 }, { 13, 805, 3 }, { 64, 805, 512 }, { 100, 37, 805 }, { 5, 1, 300 }, { 257, 65, 129 },
    };

    private static void CheckAgainstNaive(int m, int n, int k, bool ta, bool tb, float alpha, float beta, int seed)
    {
        var rng = new SeededRandom((ulong)seed);
        int lda = ta ? m : k, ldb = tb ? k : n, ldc = n + 3; // a padded C row checks the leading dimension
        var a = Random(rng, (ta ? k : m) * lda);
        var b = Random(rng, (tb ? n : k) * ldb);
        var c = Random(rng, m * ldc);
        var expected = Naive(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        var padding = Enumerable.Range(0, m).Select(i => c.AsSpan(i * ldc + n, 3).ToArray()).ToArray();
        Gemm.Multiply(ta, tb, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double e = expected[i * ldc + j];
                Assert.True(Math.Abs(c[i * ldc + j] - e) <= 1e-4 * Math.Sqrt(k) * (1 + Math.Abs(e)),
                    $"{Gemm.Backend}/{Gemm.Kernel} {m}x{n}x{k} ta={ta} tb={tb}: C[{i},{j}] = {c[i * ldc + j]}, expected {e}");
            }
            Assert.Equal(padding[i], c.AsSpan(i * ldc + n, 3).ToArray()); // never writes past n columns
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_managed_kernel_matches_the_naive_loop_for_every_transpose(int m, int n, int k)
    {
        var saved = Gemm.Kernel;
        try
        {
            foreach (var kernel in AvailableKernels())
            {
                Gemm.Kernel = kernel;
                foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                    CheckAgainstNaive(m, n, k, ta, tb, 1, 0, m * 31 + n * 7 + k);
            }
        }
        finally { Gemm.Kernel = saved; }
    }

    [Fact]
    public void Alpha_and_beta_are_applied()
    {
        CheckAgainstNaive(33, 70, 41, false, true, 0.5f, 1f, 1);
        CheckAgainstNaive(33, 70, 41, true, false, -2f, 0.25f, 2);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OpenBlas_matches_the_naive_loop_for_every_transpose(int m, int n, int k)
    {
        Assert.True(OpenBlas.IsAvailable, "libopenblas.so.0 is missing: build.sh installs libopenblas0-openmp");
        var saved = Gemm.Backend;
        try
        {
            Gemm.Backend = GemmBackend.OpenBlas;
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                CheckAgainstNaive(m, n, k, ta, tb, 1, 0, m + n + k);
        }
        finally { Gemm.Backend = saved; }
    }

    [Fact]
    public void Results_are_bitwise_identical_with_one_and_two_threads()
    {
        var rng = new SeededRandom(9);
        foreach (var (m, n, k) in new[] { (256, 1024, 300), (805, 64, 512), (64, 805, 512) })
        {
            var a = Random(rng, m * k);
            var b = Random(rng, k * n);
            var saved = Engine.Threads;
            try
            {
                Engine.Threads = 1;
                var c1 = new float[m * n];
                Gemm.Multiply(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c1, 0, n);
                Engine.Threads = 2;
                var c2 = new float[m * n];
                Gemm.Multiply(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c2, 0, n);
                Assert.Equal(c1, c2);
            }
            finally { Engine.Threads = saved; }
        }
    }

    internal static IEnumerable<GemmKernel> AvailableKernels()
    {
        yield return GemmKernel.Scalar;
        if (Gemm.BestKernel >= GemmKernel.Vector256Fma) yield return GemmKernel.Vector256Fma;
        if (Gemm.BestKernel >= GemmKernel.Vector512) yield return GemmKernel.Vector512;
    }
}
