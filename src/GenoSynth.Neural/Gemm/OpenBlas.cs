using System.Runtime.InteropServices;

namespace GenoSynth.Neural;

/// <summary>The optional OpenBLAS backend (Debian libopenblas0-openmp). Set OPENBLAS_CORETYPE=SkylakeX on AVX-512 CPUs.</summary>
public static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly Lazy<bool> Available = new(() => NativeLibrary.TryLoad(Library, out _));

    public static bool IsAvailable => Available.Value;

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (!IsAvailable) throw new InvalidOperationException("OpenBLAS (libopenblas.so.0) is not installed: apt-get install libopenblas0-openmp");
        cblas_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    public static void SetThreads(int threads)
    {
        if (IsAvailable) openblas_set_num_threads(threads);
    }

    [LibraryImport(Library)]
    private static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);
}
