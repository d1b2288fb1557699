using System.Numerics.Tensors;

namespace GenoSynth.Neural;

/// <summary>Matrix products, linear layers and element-wise arithmetic with broadcasting.</summary>
public sealed partial class Graph
{
    // ---------------------------------------------------------------- matrix products

    /// <summary>op(a) [M,K] x op(b) [K,N] for 2-D tensors; transposes are read in place, never copied.</summary>
    public Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank != 2 || b.Rank != 2) throw new ArgumentException("MatMul takes 2-D tensors");
        int m = transA ? a.Shape[1] : a.Shape[0], k = transA ? a.Shape[0] : a.Shape[1];
        int kb = transB ? b.Shape[1] : b.Shape[0], n = transB ? b.Shape[0] : b.Shape[1];
        if (k != kb) throw new ArgumentException($"MatMul: inner dimensions differ ({a} x {b})");
        var y = New([m, n], clear: false);
        Gemm.Multiply(transA, transB, m, n, k, 1, a.Data, 0, a.Shape[1], b.Data, 0, b.Shape[1], 0, y.Data, 0, n);
        return Tracks(a) || Tracks(b) ? Record(new MatMulOp(a, b, transA, transB, m, n, k), y) : y;
    }

    private sealed class MatMulOp(Tensor a, Tensor b, bool transA, bool transB, int m, int n, int k) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            int lda = a.Shape[1], ldb = b.Shape[1];
            if (g.Tracks(a))
            {
                if (!transA) Gemm.Multiply(false, !transB, m, k, n, 1, dy, 0, n, b.Data, 0, ldb, 1, g.GradOf(a), 0, lda);
                else Gemm.Multiply(transB, true, k, m, n, 1, b.Data, 0, ldb, dy, 0, n, 1, g.GradOf(a), 0, lda);
            }
            if (g.Tracks(b))
            {
                if (!transB) Gemm.Multiply(!transA, false, k, n, m, 1, a.Data, 0, lda, dy, 0, n, 1, g.GradOf(b), 0, ldb);
                else Gemm.Multiply(true, transA, n, k, m, 1, dy, 0, n, a.Data, 0, lda, 1, g.GradOf(b), 0, ldb);
            }
        }
    }

    /// <summary>Batched op(a[i]) x op(b[i]) for 3-D tensors [batch, rows, cols]; batches run in parallel.</summary>
    public Tensor BatchedMatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank != 3 || b.Rank != 3 || a.Shape[0] != b.Shape[0]) throw new ArgumentException($"BatchedMatMul: {a} x {b}");
        int batch = a.Shape[0];
        int m = transA ? a.Shape[2] : a.Shape[1], k = transA ? a.Shape[1] : a.Shape[2];
        int kb = transB ? b.Shape[2] : b.Shape[1], n = transB ? b.Shape[1] : b.Shape[2];
        if (k != kb) throw new ArgumentException($"BatchedMatMul: inner dimensions differ ({a} x {b})");
        var y = New([batch, m, n], clear: false);
        BatchedGemm(batch, transA, transB, m, n, k, a.Data, a.Shape[1] * a.Shape[2], a.Shape[2], b.Data, b.Shape[1] * b.Shape[2], b.Shape[2], 0, y.Data, m * n, n);
        return Tracks(a) || Tracks(b) ? Record(new BatchedMatMulOp(a, b, transA, transB, m, n, k), y) : y;
    }

    internal static unsafe void BatchedGemm(int batch, bool transA, bool transB, int m, int n, int k,
        float[] a, int strideA, int lda, float[] b, int strideB, int ldb, float beta, float[] c, int strideC, int ldc)
    {
        // Each batch is one single-threaded product: results do not depend on the thread count.
        Engine.For(batch, i =>
        {
            fixed (float* pa = a, pb = b, pc = c)
                ManagedGemm.Run(Gemm.Kernel, transA, transB, m, n, k, 1, pa + (long)i * strideA, lda, pb + (long)i * strideB, ldb, beta, pc + (long)i * strideC, ldc, 1);
        });
    }

    private sealed class BatchedMatMulOp(Tensor a, Tensor b, bool transA, bool transB, int m, int n, int k) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            int batch = a.Shape[0];
            int sa = a.Shape[1] * a.Shape[2], sb = b.Shape[1] * b.Shape[2], lda = a.Shape[2], ldb = b.Shape[2];
            if (g.Tracks(a))
            {
                if (!transA) BatchedGemm(batch, false, !transB, m, k, n, dy, m * n, n, b.Data, sb, ldb, 1, g.GradOf(a), sa, lda);
                else BatchedGemm(batch, transB, true, k, m, n, b.Data, sb, ldb, dy, m * n, n, 1, g.GradOf(a), sa, lda);
            }
            if (g.Tracks(b))
            {
                if (!transB) BatchedGemm(batch, !transA, false, k, n, m, a.Data, sa, lda, dy, m * n, n, 1, g.GradOf(b), sb, ldb);
                else BatchedGemm(batch, true, transA, n, k, m, dy, m * n, n, a.Data, sa, lda, 1, g.GradOf(b), sb, ldb);
            }
        }
    }

    /// <summary>y = x W^T + b over the last axis of x (W is [out, in], as in PyTorch).</summary>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        int inFeatures = weight.Shape[1], outFeatures = weight.Shape[0];
        if (x.Columns != inFeatures) throw new ArgumentException($"Linear: input {x} does not end in {inFeatures}");
        int rows = x.Rows;
        var shape = (int[])x.Shape.Clone();
        shape[^1] = outFeatures;
        var y = New(shape, clear: false);
        Gemm.Multiply(false, true, rows, outFeatures, inFeatures, 1, x.Data, 0, inFeatures, weight.Data, 0, inFeatures, 0, y.Data, 0, outFeatures);
        if (bias is not null)
            for (int r = 0; r < rows; r++)
            {
                var row = y.Data.AsSpan(r * outFeatures, outFeatures);
                TensorPrimitives.Add(row, bias.Span, row);
            }
        return Tracks(x) || Tracks(weight) || (bias is not null && Tracks(bias)) ? Record(new LinearOp(x, weight, bias, rows), y) : y;
    }

    private sealed class LinearOp(Tensor x, Tensor w, Tensor? bias, int rows) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            int inF = w.Shape[1], outF = w.Shape[0];
            if (g.Tracks(x)) Gemm.Multiply(false, false, rows, inF, outF, 1, dy, 0, outF, w.Data, 0, inF, 1, g.GradOf(x), 0, inF);
            if (g.Tracks(w)) Gemm.Multiply(true, false, outF, inF, rows, 1, dy, 0, outF, x.Data, 0, inF, 1, g.GradOf(w), 0, inF);
            if (bias is not null && g.Tracks(bias)) AddRowSums(dy, rows, outF, g.GradOf(bias));
        }
    }

    /// <summary>target[j] += sum over rows of m[r, j], rows in order (a fixed reduction order).</summary>
    internal static void AddRowSums(float[] m, int rows, int cols, float[] target)
    {
        var t = target.AsSpan(0, cols);
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(t, m.AsSpan(r * cols, cols), t);
    }

    // ---------------------------------------------------------------- element-wise arithmetic

    private enum Arith { Add, Sub, Mul }

    public Tensor Add(Tensor a, Tensor b) => Binary(a, b, Arith.Add);
    public Tensor Sub(Tensor a, Tensor b) => Binary(a, b, Arith.Sub);
    public Tensor Mul(Tensor a, Tensor b) => Binary(a, b, Arith.Mul);

    private Tensor Binary(Tensor a, Tensor b, Arith kind)
    {
        var plan = Broadcast.Plan(a.Shape, b.Shape);
        var y = New(plan.OutShape, clear: false);
        if (plan.Same)
        {
            switch (kind)
            {
                case Arith.Add: TensorPrimitives.Add(a.Span, b.Span, y.Span); break;
                case Arith.Sub: TensorPrimitives.Subtract(a.Span, b.Span, y.Span); break;
                default: TensorPrimitives.Multiply(a.Span, b.Span, y.Span); break;
            }
        }
        else
        {
            int run = plan.Run;
            var ad = a.Data; var bd = b.Data; var yd = y.Data;
            if (plan.Scalar != Broadcast.ScalarOperand.None)
            {
                // One operand is a single value per run ([B, C, L] + [B, C, 1]): span-with-scalar kernels.
                bool scalarB = plan.Scalar == Broadcast.ScalarOperand.B;
                for (int i = 0; i < plan.IndexA.Length; i++)
                {
                    var full = scalarB ? ad.AsSpan(plan.IndexA[i], run) : bd.AsSpan(plan.IndexB[i], run);
                    float value = scalarB ? bd[plan.IndexB[i]] : ad[plan.IndexA[i]];
                    var target = yd.AsSpan(i * run, run);
                    switch (kind)
                    {
                        case Arith.Add: TensorPrimitives.Add(full, value, target); break;
                        case Arith.Sub when scalarB: TensorPrimitives.Subtract(full, value, target); break;
                        case Arith.Sub: TensorPrimitives.Subtract(value, full, target); break;
                        default: TensorPrimitives.Multiply(full, value, target); break;
                    }
                }
                return Tracks(a) || Tracks(b) ? Record(new BinaryOp(a, b, kind, plan), y) : y;
            }
            for (int i = 0; i < plan.IndexA.Length; i++)
            {
                var u = ad.AsSpan(plan.IndexA[i], run);
                var v = bd.AsSpan(plan.IndexB[i], run);
                var target = yd.AsSpan(i * run, run);
                switch (kind)
                {
                    case Arith.Add: TensorPrimitives.Add(u, v, target); break;
                    case Arith.Sub: TensorPrimitives.Subtract(u, v, target); break;
                    default: TensorPrimitives.Multiply(u, v, target); break;
                }
            }
        }
        return Tracks(a) || Tracks(b) ? Record(new BinaryOp(a, b, kind, plan), y) : y;
    }

    private sealed class BinaryOp(Tensor a, Tensor b, Arith kind, Broadcast.PlanResult plan) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            int n = Output.Length;
            if (plan.Scalar != Broadcast.ScalarOperand.None)
            {
                bool scalarB = plan.Scalar == Broadcast.ScalarOperand.B;
                if (g.Tracks(a)) AccumulateScalarRuns(dy, g.GradOf(a), plan.IndexA, b.Data, plan.IndexB, !scalarB, 1);
                if (g.Tracks(b)) AccumulateScalarRuns(dy, g.GradOf(b), plan.IndexB, a.Data, plan.IndexA, scalarB, kind == Arith.Sub ? -1 : 1);
                return;
            }
            if (g.Tracks(a))
            {
                var da = g.GradOf(a);
                if (plan.Same)
                {
                    if (kind == Arith.Mul) TensorPrimitives.MultiplyAdd(dy.AsSpan(0, n), b.Span, da.AsSpan(0, n), da.AsSpan(0, n));
                    else TensorPrimitives.Add(da.AsSpan(0, n), dy.AsSpan(0, n), da.AsSpan(0, n));
                }
                else
                    for (int i = 0, run = plan.Run; i < plan.IndexA.Length; i++)
                    {
                        var target = da.AsSpan(plan.IndexA[i], run);
                        var gradient = dy.AsSpan(i * run, run);
                        if (kind == Arith.Mul) TensorPrimitives.MultiplyAdd(gradient, b.Data.AsSpan(plan.IndexB[i], run), target, target);
                        else TensorPrimitives.Add(target, gradient, target);
                    }
            }
            if (g.Tracks(b))
            {
                var db = g.GradOf(b);
                float sign = kind == Arith.Sub ? -1 : 1;
                if (plan.Same)
                {
                    if (kind == Arith.Mul) TensorPrimitives.MultiplyAdd(dy.AsSpan(0, n), a.Span, db.AsSpan(0, n), db.AsSpan(0, n));
                    else TensorPrimitives.MultiplyAdd(dy.AsSpan(0, n), sign, db.AsSpan(0, n), db.AsSpan(0, n));
                }
                else
                    for (int i = 0, run = plan.Run; i < plan.IndexB.Length; i++)
                    {
                        var target = db.AsSpan(plan.IndexB[i], run);
                        var gradient = dy.AsSpan(i * run, run);
                        if (kind == Arith.Mul) TensorPrimitives.MultiplyAdd(gradient, a.Data.AsSpan(plan.IndexA[i], run), target, target);
                        else TensorPrimitives.MultiplyAdd(gradient, sign, target, target);
                    }
            }
        }

        /// <summary>
        /// Adds one operand's gradient for runs where one side is a single value: the full side gets dy (times the
        /// other's value for Mul) element by element; the single value gets the run's sum, added in element order (the
        /// order of the element-wise plan this replaces, so results keep their bits).
        /// </summary>
        private void AccumulateScalarRuns(float[] dy, float[] grad, int[] index, float[] other, int[] otherIndex, bool isScalar, float sign)
        {
            int run = plan.Run;
            for (int i = 0; i < index.Length; i++)
            {
                var gradient = dy.AsSpan(i * run, run);
                if (isScalar)
                {
                    ref float target = ref grad[index[i]];
                    if (kind == Arith.Mul)
                    {
                        var factor = other.AsSpan(otherIndex[i], run);
                        for (int j = 0; j < run; j++) target = gradient[j] * factor[j] + target;
                    }
                    else
                        for (int j = 0; j < run; j++) target = gradient[j] * sign + target;
                }
                else
                {
                    var target = grad.AsSpan(index[i], run);
                    if (kind == Arith.Mul) TensorPrimitives.MultiplyAdd(gradient, other[otherIndex[i]], target, target);
                    else TensorPrimitives.MultiplyAdd(gradient, sign, target, target);
                }
            }
        }
    }

    /// <summary>y = s * x + c (scalars).</summary>
    public Tensor Affine(Tensor x, float scale, float shift = 0)
    {
        var y = New(x.Shape, clear: false);
        TensorPrimitives.Multiply(x.Span, scale, y.Span);
        if (shift != 0) TensorPrimitives.Add(y.Span, shift, y.Span);
        return Tracks(x) ? Record(new AffineOp(x, scale), y) : y;
    }

    public Tensor Scale(Tensor x, float scale) => Affine(x, scale);

    private sealed class AffineOp(Tensor x, float scale) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(x).AsSpan(0, x.Length);
            TensorPrimitives.MultiplyAdd(Output.GradSpan, scale, dx, dx);
        }
    }

    /// <summary>Sum of all elements (a scalar).</summary>
    public Tensor Sum(Tensor x)
    {
        var y = New([1]);
        y.Data[0] = TensorPrimitives.Sum(x.Span);
        return Tracks(x) ? Record(new SumOp(x, 1f), y) : y;
    }

    public Tensor Mean(Tensor x)
    {
        var y = New([1]);
        y.Data[0] = TensorPrimitives.Sum(x.Span) / x.Length;
        return Tracks(x) ? Record(new SumOp(x, 1f / x.Length), y) : y;
    }

    private sealed class SumOp(Tensor x, float factor) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(x).AsSpan(0, x.Length);
            TensorPrimitives.Add(dx, Output.Grad![0] * factor, dx);
        }
    }
}

/// <summary>NumPy-style broadcasting of two shapes, precomputed as source indexes for every output element.</summary>
internal static class Broadcast
{
    /// <summary>
    /// Index of the first element of each run in a and b; a run is the longest trailing block of the output that is
    /// contiguous in both operands (neither broadcasts there), so kernels work on spans of <c>Run</c> elements.
    /// </summary>
    /// <remarks>When the last axis broadcasts, runs instead span the trailing axes where one operand has size 1
    /// (<see cref="Scalar"/> names it): that operand contributes one value per run.</remarks>
    internal sealed record PlanResult(int[] OutShape, bool Same, int[] IndexA, int[] IndexB, int Run, ScalarOperand Scalar = ScalarOperand.None);

    internal enum ScalarOperand { None, A, B }

    public static PlanResult Plan(int[] a, int[] b)
    {
        if (ShapeUtil.SameShape(a, b)) return new PlanResult(a, true, [], [], 0);
        int rank = Math.Max(a.Length, b.Length);
        var outShape = new int[rank];
        var broadcasts = new bool[rank];
        var dimsA = new int[rank];
        var dimsB = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = dimsA[i] = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = dimsB[i] = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {ShapeUtil.Format(a)} and {ShapeUtil.Format(b)} do not broadcast");
            outShape[i] = Math.Max(da, db);
            broadcasts[i] = da != db;
        }
        int inner = rank, run = 1;
        while (inner > 0 && !broadcasts[inner - 1]) run *= outShape[--inner];
        var scalar = ScalarOperand.None;
        if (inner == rank)
        {
            var single = dimsB[rank - 1] == 1 ? dimsB : dimsA;
            scalar = single == dimsB ? ScalarOperand.B : ScalarOperand.A;
            while (inner > 0 && single[inner - 1] == 1) run *= outShape[--inner];
        }
        int runs = ShapeUtil.Count(outShape) / Math.Max(run, 1);
        var ia = new int[runs];
        var ib = new int[runs];
        var sa = Strides(a, rank, outShape);
        var sb = Strides(b, rank, outShape);
        var index = new int[inner];
        for (int i = 0; i < runs; i++)
        {
            int oa = 0, ob = 0;
            for (int d = 0; d < inner; d++) { oa += index[d] * sa[d]; ob += index[d] * sb[d]; }
            ia[i] = oa;
            ib[i] = ob;
            for (int d = inner - 1; d >= 0; d--)
            {
                if (++index[d] < outShape[d]) break;
                index[d] = 0;
            }
        }
        return new PlanResult(outShape, false, ia, ib, run, scalar);
    }

    private static int[] Strides(int[] shape, int rank, int[] outShape)
    {
        var strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int si = i - (rank - shape.Length);
            int dim = si >= 0 ? shape[si] : 1;
            strides[i] = dim == 1 && outShape[i] != 1 ? 0 : stride;
            stride *= dim;
        }
        return strides;
    }
}
