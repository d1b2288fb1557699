using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GenoSynth.Neural;

public enum GemmBackend { Managed, OpenBlas }

/// <summary>Which micro-kernel the managed GEMM uses; chosen from the CPU at start-up, overridable for tests.</summary>
public enum GemmKernel { Scalar, Vector256Fma, Vector512 }

/// <summary>
/// C = alpha * op(A) * op(B) + beta * C on row-major float32 matrices (op = optional transpose). The managed kernel
/// is the default; OpenBLAS (cblas_sgemm from libopenblas.so.0) is chosen with GENOSYNTH_GEMM=openblas or
/// <see cref="Backend"/>.
/// </summary>
public static unsafe class Gemm
{
    public static GemmBackend Backend { get; set; } =
        string.Equals(Environment.GetEnvironmentVariable("GENOSYNTH_GEMM"), "openblas", StringComparison.OrdinalIgnoreCase) && OpenBlas.IsAvailable
            ? GemmBackend.OpenBlas : GemmBackend.Managed;

    public static GemmKernel BestKernel { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernel.Vector512
        : Avx2.IsSupported && Fma.IsSupported ? GemmKernel.Vector256Fma
        : GemmKernel.Scalar;

    /// <summary>The managed micro-kernel in use (tests set it to check every path).</summary>
    public static GemmKernel Kernel { get; set; } = BestKernel;

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        CheckBounds(transA ? k : m, transA ? m : k, a.Length - aOffset, lda, "A");
        CheckBounds(transB ? n : k, transB ? k : n, b.Length - bOffset, ldb, "B");
        CheckBounds(m, n, c.Length - cOffset, ldc, "C");
        fixed (float* pa = a, pb = b, pc = c)
            Multiply(transA, transB, m, n, k, alpha, pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc);
    }

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (Backend == GemmBackend.OpenBlas)
            OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            ManagedGemm.Run(Kernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Engine.Threads);
    }

    private static void CheckBounds(int rows, int cols, int available, int ld, string name)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"{name}: leading dimension {ld} < {cols} columns");
        if ((long)(rows - 1) * ld + cols > available) throw new ArgumentException($"{name}: {rows}x{cols} (ld {ld}) exceeds the buffer");
    }
}
