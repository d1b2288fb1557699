using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GenoSynth.Neural;

/// <summary>
/// Packed GEMM in the Goto/BLIS scheme: B is packed into kc x NR micro-panels, A into MR x kc micro-panels (alpha
/// folded in), and a register-blocked micro-kernel accumulates an MR x NR tile of C over kc. Work is split over
/// disjoint column (or row) ranges of C; every element of C is accumulated by one thread in the same k order
/// whatever the thread count, so the result is bitwise identical for 1 or N threads.
/// </summary>
internal static unsafe class ManagedGemm
{
    private const int MaxMR = 12;
    private const int KC = 256;
    private const int MC = 96;   // multiple of every MR (6 and 12)
    private const int NC = 2048;

    [ThreadStatic] private static float* _packA;
    [ThreadStatic] private static float* _packB;
    [ThreadStatic] private static int _packBSize;

    private static int MrOf(GemmKernel kernel) => kernel == GemmKernel.Vector512 ? 12 : 6;

    private static int NrOf(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Vector512 => 32,
        GemmKernel.Vector256Fma => 16,
        _ => 8,
    };

    public static void Run(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int threads)
    {
        ScaleC(m, n, beta, c, ldc);
        if (k == 0 || alpha == 0) return;
        int nr = NrOf(kernel), mr = MrOf(kernel);

        var operands = new Operands(a, lda, b, ldb, c, ldc, transA, transB, alpha, k, kernel, nr, mr);
        if (threads <= 1 || ((long)m * n * k) < 64 * 64 * 64)
        {
            Block(operands, 0, m, 0, n);
            return;
        }
        int columnPanels = (n + nr - 1) / nr;
        if (m < 2 * MC && columnPanels >= 2 * threads)
        {
            // Short products: disjoint column ranges, each thread packing its own part of B and all of (small) A.
            Engine.For(threads, p =>
            {
                int first = columnPanels * p / threads * nr, last = Math.Min(n, columnPanels * (p + 1) / threads * nr);
                if (first < last) Block(operands, 0, m, first, last);
            });
            return;
        }
        Shared(operands, m, n, threads);
    }

    /// <summary>
    /// Multi-threaded product in the BLIS manner: each kc x nc block of B is packed once, cooperatively, into a
    /// shared buffer; then the threads take disjoint row ranges of C (or disjoint column panels when C is short).
    /// </summary>
    private static void Shared(Operands o, int m, int n, int threads)
    {
        int nr = o.Nr, mr = o.Mr;
        int rowPanels = (m + mr - 1) / mr;
        int nbMax = Math.Min(NC, n);
        int panelsMax = (nbMax + nr - 1) / nr;
        float* packB = (float*)NativeMemory.AlignedAlloc((nuint)((long)KC * panelsMax * nr * sizeof(float)), 64);
        try
        {
            for (int jc = 0; jc < n; jc += NC)
            {
                int nb = Math.Min(NC, n - jc);
                int panels = (nb + nr - 1) / nr;
                for (int pc = 0; pc < o.K; pc += KC)
                {
                    int kb = Math.Min(KC, o.K - pc);
                    int packParts = Math.Min(threads, panels);
                    Engine.For(packParts, t =>
                    {
                        int first = panels * t / packParts, last = panels * (t + 1) / packParts;
                        int c0 = first * nr, c1 = Math.Min(nb, last * nr);
                        if (c0 < c1) PackB(o, pc, kb, jc + c0, c1 - c0, nr, packB + (long)first * kb * nr);
                    });
                    bool byRows = rowPanels >= 2 * threads || panels < 2 * threads;
                    int parts = Math.Min(threads, byRows ? rowPanels : panels);
                    int jcCopy = jc;
                    Engine.For(parts, t =>
                    {
                        if (byRows)
                        {
                            int r0 = rowPanels * t / parts * mr, r1 = Math.Min(m, rowPanels * (t + 1) / parts * mr);
                            Macro(o, r0, r1, jcCopy, 0, nb, pc, kb, packB);
                        }
                        else
                        {
                            int c0 = panels * t / parts * nr, c1 = Math.Min(nb, panels * (t + 1) / parts * nr);
                            Macro(o, 0, m, jcCopy, c0, c1, pc, kb, packB);
                        }
                    });
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(packB);
        }
    }

    private readonly struct Operands(float* a, int lda, float* b, int ldb, float* c, int ldc, bool transA, bool transB,
        float alpha, int k, GemmKernel kernel, int nr, int mr)
    {
        public readonly int Mr = mr;
        public readonly float* A = a, B = b, C = c;
        public readonly int Lda = lda, Ldb = ldb, Ldc = ldc, K = k, Nr = nr;
        public readonly bool TransA = transA, TransB = transB;
        public readonly float Alpha = alpha;
        public readonly GemmKernel Kernel = kernel;
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>C[m0..m1, n0..n1] += alpha * op(A) op(B), one thread.</summary>
    private static void Block(in Operands o, int m0, int m1, int n0, int n1)
    {
        int nr = o.Nr;
        EnsureBuffers(nr);
        float* packB = _packB;
        for (int jc = n0; jc < n1; jc += NC)
        {
            int nb = Math.Min(NC, n1 - jc);
            for (int pc = 0; pc < o.K; pc += KC)
            {
                int kb = Math.Min(KC, o.K - pc);
                PackB(o, pc, kb, jc, nb, nr, packB);
                Macro(o, m0, m1, jc, 0, nb, pc, kb, packB);
            }
        }
    }

    /// <summary>
    /// Rows [m0, m1) times the packed B block (columns jc + [c0, c1) of it, c0 a multiple of NR): packs A block by
    /// block into this thread's buffer and runs the micro-kernel over every tile.
    /// </summary>
    private static void Macro(in Operands o, int m0, int m1, int jc, int c0, int c1, int pc, int kb, float* packB)
    {
        int nr = o.Nr, mr = o.Mr;
        EnsureBuffers(nr);
        float* packA = _packA;
        for (int ic = m0; ic < m1; ic += MC)
        {
            int mb = Math.Min(MC, m1 - ic);
            PackA(o, ic, mb, pc, kb, packA);
            for (int jr = c0; jr < c1; jr += nr)
            {
                int nrEff = Math.Min(nr, c1 - jr);
                float* bPanel = packB + (long)(jr / nr) * kb * nr;
                for (int ir = 0; ir < mb; ir += mr)
                {
                    int mrEff = Math.Min(mr, mb - ir);
                    float* aPanel = packA + (long)(ir / mr) * kb * mr;
                    float* cTile = o.C + (long)(ic + ir) * o.Ldc + jc + jr;
                    if (mrEff == mr && nrEff == nr) MicroKernel(o.Kernel, kb, aPanel, bPanel, cTile, o.Ldc);
                    else EdgeTile(o.Kernel, kb, aPanel, bPanel, cTile, o.Ldc, mrEff, nrEff, nr, mr);
                }
            }
        }
    }

    private static void EnsureBuffers(int nr)
    {
        if (_packA == null) _packA = (float*)NativeMemory.AlignedAlloc((nuint)(MC * KC * sizeof(float)), 64);
        int needB = KC * (((NC + nr - 1) / nr) * nr);
        if (_packBSize < needB)
        {
            if (_packB != null) NativeMemory.AlignedFree(_packB);
            _packB = (float*)NativeMemory.AlignedAlloc((nuint)(needB * sizeof(float)), 64);
            _packBSize = needB;
        }
    }

    /// <summary>Packs op(B)[pc..pc+kb, jc..jc+nb] into NR-wide micro-panels, zero-padded: panel[p][j].</summary>
    private static void PackB(in Operands o, int pc, int kb, int jc, int nb, int nr, float* dst)
    {
        float** rowsOf = stackalloc float*[32]; // once per call: a stackalloc inside the loop would grow the stack per panel
        for (int jr = 0; jr < nb; jr += nr)
        {
            int cols = Math.Min(nr, nb - jr);
            float* panel = dst + (long)(jr / nr) * kb * nr;
            if (!o.TransB)
            {
                for (int p = 0; p < kb; p++)
                {
                    float* src = o.B + (long)(pc + p) * o.Ldb + jc + jr;
                    float* row = panel + p * nr;
                    if (cols == nr) Buffer.MemoryCopy(src, row, nr * sizeof(float), nr * sizeof(float));
                    else
                    {
                        for (int j = 0; j < cols; j++) row[j] = src[j];
                        for (int j = cols; j < nr; j++) row[j] = 0;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = B[j, p]: p outer so the panel is written sequentially while NR row streams are read.
                for (int j = 0; j < cols; j++) rowsOf[j] = o.B + (long)(jc + jr + j) * o.Ldb + pc;
                float* row = panel;
                for (int p = 0; p < kb; p++, row += nr)
                {
                    for (int j = 0; j < cols; j++) row[j] = rowsOf[j][p];
                    for (int j = cols; j < nr; j++) row[j] = 0;
                }
            }
        }
    }

    /// <summary>Packs alpha * op(A)[ic..ic+mb, pc..pc+kb] into MR-tall micro-panels, zero-padded: panel[p][i].</summary>
    private static void PackA(in Operands o, int ic, int mb, int pc, int kb, float* dst)
    {
        float alpha = o.Alpha;
        int MR = o.Mr;
        float** rowsOf = stackalloc float*[MaxMR]; // once per call, as in PackB
        for (int ir = 0; ir < mb; ir += MR)
        {
            int rows = Math.Min(MR, mb - ir);
            float* panel = dst + (long)(ir / MR) * kb * MR;
            if (!o.TransA)
            {
                // p outer, rows inner: the panel is written sequentially while MR row streams are read.
                for (int i = 0; i < rows; i++) rowsOf[i] = o.A + (long)(ic + ir + i) * o.Lda + pc;
                float* row = panel;
                for (int p = 0; p < kb; p++, row += MR)
                {
                    for (int i = 0; i < rows; i++) row[i] = alpha * rowsOf[i][p];
                    for (int i = rows; i < MR; i++) row[i] = 0;
                }
            }
            else
            {
                // op(A)[i, p] = A[p, i]: contiguous in i.
                for (int p = 0; p < kb; p++)
                {
                    float* src = o.A + (long)(pc + p) * o.Lda + ic + ir;
                    float* row = panel + p * MR;
                    for (int i = 0; i < rows; i++) row[i] = alpha * src[i];
                    for (int i = rows; i < MR; i++) row[i] = 0;
                }
            }
        }
    }

    private static void EdgeTile(GemmKernel kernel, int kb, float* a, float* b, float* c, int ldc, int rows, int cols, int nr, int mr)
    {
        float* tile = stackalloc float[MaxMR * 32];
        new Span<float>(tile, mr * nr).Clear();
        MicroKernel(kernel, kb, a, b, tile, nr);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) c[(long)i * ldc + j] += tile[i * nr + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(GemmKernel kernel, int kb, float* a, float* b, float* c, int ldc)
    {
        switch (kernel)
        {
            case GemmKernel.Vector512: Kernel512(kb, a, b, c, ldc); break;
            case GemmKernel.Vector256Fma: Kernel256(kb, a, b, c, ldc); break;
            default: KernelScalar(kb, a, b, c, ldc); break;
        }
    }

    /// <summary>12 x 32 tile: 24 zmm accumulators, two B loads and twelve broadcasts per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kb, float* a, float* b, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kb; p++)
        {
            var b0 = Avx512F.LoadAlignedVector512(b);
            var b1 = Avx512F.LoadAlignedVector512(b + 16);
            var ai = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60); c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70); c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);
            ai = Vector512.Create(a[8]);
            c80 = Avx512F.FusedMultiplyAdd(ai, b0, c80); c81 = Avx512F.FusedMultiplyAdd(ai, b1, c81);
            ai = Vector512.Create(a[9]);
            c90 = Avx512F.FusedMultiplyAdd(ai, b0, c90); c91 = Avx512F.FusedMultiplyAdd(ai, b1, c91);
            ai = Vector512.Create(a[10]);
            ca0 = Avx512F.FusedMultiplyAdd(ai, b0, ca0); ca1 = Avx512F.FusedMultiplyAdd(ai, b1, ca1);
            ai = Vector512.Create(a[11]);
            cb0 = Avx512F.FusedMultiplyAdd(ai, b0, cb0); cb1 = Avx512F.FusedMultiplyAdd(ai, b1, cb1);
            a += 12;
            b += 32;
        }
        Accumulate512(c, c00, c01); c += ldc;
        Accumulate512(c, c10, c11); c += ldc;
        Accumulate512(c, c20, c21); c += ldc;
        Accumulate512(c, c30, c31); c += ldc;
        Accumulate512(c, c40, c41); c += ldc;
        Accumulate512(c, c50, c51); c += ldc;
        Accumulate512(c, c60, c61); c += ldc;
        Accumulate512(c, c70, c71); c += ldc;
        Accumulate512(c, c80, c81); c += ldc;
        Accumulate512(c, c90, c91); c += ldc;
        Accumulate512(c, ca0, ca1); c += ldc;
        Accumulate512(c, cb0, cb1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate512(float* c, Vector512<float> lo, Vector512<float> hi)
    {
        Vector512.Store(Vector512.Load(c) + lo, c);
        Vector512.Store(Vector512.Load(c + 16) + hi, c + 16);
    }

    /// <summary>6 x 16 tile with AVX2 + FMA: 12 ymm accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kb, float* a, float* b, float* c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kb; p++)
        {
            var b0 = Avx.LoadAlignedVector256(b);
            var b1 = Avx.LoadAlignedVector256(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40); c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50); c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        Accumulate256(c, c00, c01); c += ldc;
        Accumulate256(c, c10, c11); c += ldc;
        Accumulate256(c, c20, c21); c += ldc;
        Accumulate256(c, c30, c31); c += ldc;
        Accumulate256(c, c40, c41); c += ldc;
        Accumulate256(c, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate256(float* c, Vector256<float> lo, Vector256<float> hi)
    {
        Vector256.Store(Vector256.Load(c) + lo, c);
        Vector256.Store(Vector256.Load(c + 8) + hi, c + 8);
    }

    /// <summary>6 x 8 portable tile for CPUs without AVX2.</summary>
    private static void KernelScalar(int kb, float* a, float* b, float* c, int ldc)
    {
        const int MR = 6;
        float* acc = stackalloc float[MR * 8];
        new Span<float>(acc, MR * 8).Clear();
        for (int p = 0; p < kb; p++)
        {
            for (int i = 0; i < MR; i++)
            {
                float ai = a[i];
                float* row = acc + i * 8;
                for (int j = 0; j < 8; j++) row[j] += ai * b[j];
            }
            a += 6;
            b += 8;
        }
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < 8; j++) c[(long)i * ldc + j] += acc[i * 8 + j];
    }
}
