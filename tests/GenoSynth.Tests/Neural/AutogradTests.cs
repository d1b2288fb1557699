using GenoSynth.Neural;
using GenoSynth.Neural.Layers;
using static GenoSynth.Tests.Neural.GradientCheck;

namespace GenoSynth.Tests.Neural;

public class AutogradTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul_gradients(bool ta, bool tb)
    {
        var a = Input(1, ta ? [5, 4] : [4, 5]);
        var b = Input(2, tb ? [3, 5] : [5, 3]);
        Check(g => g.MatMul(a, b, ta, tb), [a, b]);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void BatchedMatMul_gradients(bool ta, bool tb)
    {
        var a = Input(3, ta ? [2, 5, 4] : [2, 4, 5]);
        var b = Input(4, tb ? [2, 3, 5] : [2, 5, 3]);
        Check(g => g.BatchedMatMul(a, b, ta, tb), [a, b]);
    }

    [Fact]
    public void Linear_gradients_with_leading_dimensions()
    {
        var x = Input(5, 2, 3, 6);
        var w = Input(6, 4, 6);
        var b = Input(7, 4);
        Check(g => g.Linear(x, w, b), [x, w, b]);
    }

    [Fact]
    public void Add_sub_mul_gradients_with_broadcasting()
    {
        var a = Input(8, 2, 3, 4);
        var row = Input(9, 4);
        var channel = Input(10, 2, 3, 1);
        var same = Input(11, 2, 3, 4);
        Check(g => g.Add(a, row), [a, row]);
        Check(g => g.Sub(channel, a), [a, channel]);
        Check(g => g.Mul(a, channel), [a, channel]);
        Check(g => g.Mul(a, same), [a, same]);
        Check(g => g.Sub(a, same), [a, same]);
        var sample = Input(12, 2, 1, 1);
        Check(g => g.Mul(sample, a), [a, sample]);
        Check(g => g.Sub(a, sample), [a, sample]);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 3, 1 })]
    [InlineData(new[] { 2, 3, 1 }, new[] { 2, 3, 4 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 1, 1 })]
    [InlineData(new[] { 2, 1, 4 }, new[] { 2, 3, 1 })]
    [InlineData(new[] { 1, 3, 1 }, new[] { 2, 1, 4 })]
    [InlineData(new[] { 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 1 })]
    public void Broadcasting_values_match_index_arithmetic(int[] shapeA, int[] shapeB)
    {
        var a = Input(40, shapeA);
        var b = Input(41, shapeB);
        int rank = Math.Max(shapeA.Length, shapeB.Length);
        int Dim(int[] shape, int axis) => axis - (rank - shape.Length) >= 0 ? shape[axis - (rank - shape.Length)] : 1;
        var outShape = Enumerable.Range(0, rank).Select(i => Math.Max(Dim(shapeA, i), Dim(shapeB, i))).ToArray();
        float At(Tensor t, int[] shape, int[] index)
        {
            int offset = 0;
            for (int i = 0; i < rank; i++) offset = offset * Dim(shape, i) + (Dim(shape, i) == 1 ? 0 : index[i]);
            return t.Data[offset];
        }
        var g = g0();
        var sum = g.Add(a, b);
        var difference = g.Sub(a, b);
        var product = g.Mul(a, b);
        Assert.Equal(outShape, sum.Shape);
        var idx = new int[rank];
        for (int flat = 0; flat < sum.Length; flat++)
        {
            for (int i = rank - 1, rest = flat; i >= 0; i--) { idx[i] = rest % outShape[i]; rest /= outShape[i]; }
            float x = At(a, shapeA, idx), y = At(b, shapeB, idx);
            Assert.Equal((x + y, x - y, x * y), (sum.Data[flat], difference.Data[flat], product.Data[flat]));
        }
    }

    [Fact]
    public void Affine_sum_and_mean_gradients()
    {
        var x = Input(12, 3, 5);
        Check(g => g.Affine(x, -1.5f, 0.25f), [x]);
        Check(g => g.Sum(x), [x]);
        Check(g => g.Mean(x), [x]);
    }

    [Theory]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.LeakyReLU)]
    [InlineData(Activation.SiLU)]
    [InlineData(Activation.GELU)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Exp)]
    public void Activation_gradients(Activation kind)
    {
        var x = Input(13, 0.05f, 4, 6);
        Check(g => g.Activate(x, kind, 0.1f), [x]);
    }

    [Theory]
    [InlineData(Activation.SiLU)]
    [InlineData(Activation.GELU)]
    public void Activations_over_many_pieces_match_the_formula_and_not_the_thread_count(Activation kind)
    {
        // Long inputs go through the element-wise kernels in cache-sized pieces on several threads: every element must
        // still get the formula's value and gradient, and one thread must give the same bits as two.
        const int n = 3 * 8192 + 5;
        static double Value(Activation kind, double x) => kind == Activation.SiLU
            ? x / (1 + Math.Exp(-x))
            : 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        (float[] Y, float[] Dx) Run(int threads)
        {
            var saved = Engine.Threads;
            try
            {
                Engine.Threads = threads;
                var x = Tensor.Parameter(Tensor.Randn(new SeededRandom(21), 3, n), "x");
                var g = new Graph(new BufferPool());
                var y = g.Activate(x, kind);
                g.Backward(g.Sum(y));
                return (y.Data.AsSpan(0, n).ToArray(), x.Grad!.AsSpan(0, n).ToArray());
            }
            finally { Engine.Threads = saved; }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
        var input = Tensor.Randn(new SeededRandom(21), 3, n).Data;
        for (int i = 0; i < n; i++)
        {
            double x = input[i], h = 1e-3;
            double slope = (Value(kind, x + h) - Value(kind, x - h)) / (2 * h);
            Assert.True(Math.Abs(one.Y[i] - Value(kind, x)) < 1e-5 * (1 + Math.Abs(x)), $"{kind}({x}) = {one.Y[i]} at {i}");
            Assert.True(Math.Abs(one.Dx[i] - slope) < 1e-4 * (1 + Math.Abs(x)), $"{kind}'({x}) = {one.Dx[i]}, finite difference {slope} at {i}");
        }
    }

    [Fact]
    public void Softmax_gradients()
    {
        var x = Input(14, 3, 7);
        Check(g => g.Softmax(x), [x]);
        var y = g0().Softmax(x);
        for (int r = 0; r < 3; r++) Assert.Equal(1.0, y.Data.Skip(r * 7).Take(7).Sum(v => (double)v), 5);
    }

    private static Graph g0() => new(new BufferPool(), gradEnabled: false);

    [Fact]
    public void LayerNorm_gradients_and_statistics()
    {
        var x = Input(15, 4, 8);
        var gamma = Input(16, 8);
        var beta = Input(17, 8);
        Check(g => g.LayerNorm(x, gamma, beta), [x, gamma, beta], relTol: 3e-2);
        var plain = g0().LayerNorm(x, null, null);
        var row = plain.Data.Take(8).Select(v => (double)v).ToArray();
        Assert.Equal(0, row.Average(), 5);
        Assert.Equal(1, row.Select(v => v * v).Average(), 3);
    }

    [Fact]
    public void GroupNorm_gradients_and_statistics()
    {
        var x = Input(18, 2, 4, 5);
        var gamma = Input(19, 4);
        var beta = Input(20, 4);
        Check(g => g.GroupNorm(x, 2, gamma, beta), [x, gamma, beta], relTol: 3e-2);
        var plain = g0().GroupNorm(x, 2, null, null);
        var group = plain.Data.Skip(10).Take(10).Select(v => (double)v).ToArray(); // sample 0, channels 2-3
        Assert.Equal(0, group.Average(), 5);
        Assert.Equal(1, group.Select(v => v * v).Average(), 3);
    }

    [Fact]
    public void Shape_op_gradients()
    {
        var x = Input(21, 2, 3, 4);
        var y = Input(22, 2, 2, 4);
        Check(g => g.Permute(x, 2, 0, 1), [x]);
        Check(g => g.Reshape(g.Permute(x, 0, 2, 1), 6, -1), [x]);
        Check(g => g.Concat(1, x, y), [x, y]);
        Check(g => g.Narrow(x, 2, 1, 2), [x]);
        Check(g => g.Upsample1d(x, 3), [x]);
    }

    [Fact]
    public void Permute_moves_elements_like_a_naive_transpose()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 3, 4);
        var y = g0().Permute(x, 1, 2, 0);
        Assert.Equal([3, 4, 2], y.Shape);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 4; c++)
                    Assert.Equal(x.Data[(a * 3 + b) * 4 + c], y.Data[(b * 4 + c) * 2 + a]);
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 2, 2)]
    [InlineData(1, 5, 1)] // padding wider than the kernel: whole columns of zeros at both ends
    [InlineData(3, 4, 2)]
    [InlineData(2, 0, 3)]
    public void Conv1d_gradients_and_values(int stride, int padding, int dilation)
    {
        var x = Input(23, 2, 3, 9);
        var w = Input(24, 4, 3, 3);
        var b = Input(25, 4);
        Check(g => g.Conv1d(x, w, b, stride, padding, dilation), [x, w, b]);

        // Against the definition: y[n, o, t] = b[o] + sum_c,k w[o, c, k] x[n, c, t*s - p + k*d].
        var y = g0().Conv1d(x, w, b, stride, padding, dilation);
        int lout = y.Shape[2];
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 4; o++)
                for (int t = 0; t < lout; t++)
                {
                    double s = b.Data[o];
                    for (int c = 0; c < 3; c++)
                        for (int k = 0; k < 3; k++)
                        {
                            int pos = t * stride - padding + k * dilation;
                            if (pos >= 0 && pos < 9) s += w.Data[(o * 3 + c) * 3 + k] * x.Data[(n * 3 + c) * 9 + pos];
                        }
                    Assert.Equal(s, y.Data[(n * 4 + o) * lout + t], 4);
                }
    }

    [Theory]
    [InlineData(150, 6, 3, 1, 1)]  // 2 blocks of 64 positions, one of 16, a ragged tail; 6 output channels = one block of 4 + 2 single
    [InlineData(70, 5, 3, 3, 2)]   // dilation 2 with padding 3
    [InlineData(33, 4, 2, 7, 1)]   // padding wider than the kernel (negative left pad for the input gradient)
    [InlineData(808, 8, 3, 1, 1)]  // the U-Net's row length
    [InlineData(128, 4, 3, 1, 1)]  // rows of whole vectors: output and gradient used in place, no widened copy
    public void Stride_one_convolution_matches_the_definition_on_long_rows_forward_and_backward(int length, int cout, int kernel, int padding, int dilation)
    {
        const int batch = 3, cin = 5;
        var x = Input(40, batch, cin, length);
        var w = Input(41, cout, cin, kernel);
        var b = Input(42, cout);
        var g = new Graph(new BufferPool());
        var y = g.Conv1d(x, w, b, 1, padding, dilation);
        int lout = y.Shape[2];
        var upstream = Input(43, batch, cout, lout);
        foreach (var p in new[] { x, w, b }) Array.Clear(p.Grad!);
        g.Backward(g.Sum(g.Mul(y, g.Constant(upstream.Data.AsSpan(0, upstream.Length), y.Shape))));

        // y[n, o, t] = b[o] + sum_c,k w[o, c, k] x[n, c, t - p + k d]; the gradients follow from the same index map.
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[cout];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < cout; o++)
                for (int t = 0; t < lout; t++)
                {
                    double s = b.Data[o], up = upstream.Data[(n * cout + o) * lout + t];
                    db[o] += up;
                    for (int c = 0; c < cin; c++)
                        for (int k = 0; k < kernel; k++)
                        {
                            int pos = t - padding + k * dilation;
                            if (pos < 0 || pos >= length) continue;
                            int xi = (n * cin + c) * length + pos, wi = (o * cin + c) * kernel + k;
                            s += w.Data[wi] * x.Data[xi];
                            dx[xi] += w.Data[wi] * up;
                            dw[wi] += x.Data[xi] * up;
                        }
                    Close(s, y.Data[(n * cout + o) * lout + t], $"y[{n}, {o}, {t}]");
                }
        for (int i = 0; i < x.Length; i++) Close(dx[i], x.Grad![i], $"dx[{i}]");
        for (int i = 0; i < w.Length; i++) Close(dw[i], w.Grad![i], $"dw[{i}]");
        for (int i = 0; i < cout; i++) Close(db[i], b.Grad![i], $"db[{i}]");

        static void Close(double expected, float actual, string what) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-4 * (1 + Math.Abs(expected)), $"{what}: {actual} vs {expected}");
    }

    [Fact]
    public void Embedding_gradients_accumulate_repeated_indices()
    {
        var w = Input(26, 5, 3);
        Check(g => g.Embedding(w, [4, 0, 4, 2]), [w]);
    }

    [Fact]
    public void Dropout_gradient_uses_the_same_mask()
    {
        var x = Input(27, 6, 6);
        Check(g => g.Dropout(x, 0.3f), [x]);
        var eval = new Graph(new BufferPool(), gradEnabled: false) { Training = false };
        Assert.Same(x, eval.Dropout(x, 0.3f));
    }

    [Fact]
    public void Loss_gradients()
    {
        var p = Input(28, 3, 4);
        var target = Tensor.Randn(new SeededRandom(29), 1, 3, 4);
        var mask = Tensor.FromArray([1, 0, 1, 1], 4);
        var bits = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)(i % 3 == 0 ? 1 : 0)).ToArray(), 3, 4);
        Check(g => g.MseLoss(p, target, mask), [p]);
        Check(g => g.BceWithLogits(p, bits), [p]);
        Check(g => g.CrossEntropy(p, [3, 0, 2]), [p]);
        var logits3 = Input(30, 2, 3, 4);
        Check(g => g.CrossEntropy(logits3, [0, 1, 2, 0, 2, 2, 1, 0]), [logits3]);
        var mu = Input(31, 3, 2);
        var logVariance = Input(32, 3, 2);
        Check(g => g.GaussianKl(mu, logVariance), [mu, logVariance]);
    }

    [Fact]
    public void Loss_values_match_their_definitions()
    {
        var g = g0();
        var logits = Tensor.FromArray([2f, -1f], 2);
        var targets = Tensor.FromArray([1f, 0f], 2);
        double bce = (Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(-1))) / 2;
        Assert.Equal(bce, g.BceWithLogits(logits, targets).Item(), 5);
        var ce = g.CrossEntropy(Tensor.FromArray([1f, 2f, 3f], 1, 3), [2]);
        Assert.Equal(-Math.Log(Math.Exp(3) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(3))), ce.Item(), 5);
        var kl = g.GaussianKl(Tensor.FromArray([1f], 1, 1), Tensor.FromArray([0f], 1, 1));
        Assert.Equal(0.5, kl.Item(), 6);
        var mse = g.MseLoss(Tensor.FromArray([1f, 2f, 3f], 3), Tensor.FromArray([0f, 0f, 0f], 3), Tensor.FromArray([1f, 0f, 1f], 3));
        Assert.Equal(5.0, mse.Item(), 6);
    }

    [Fact]
    public void Attention_layer_gradients_self_and_cross()
    {
        var rng = new SeededRandom(33);
        var self = new MultiHeadAttention(8, 2, rng);
        var x = Input(34, 2, 3, 8);
        Check(g => self.Forward(g, x), [x, .. self.Parameters()], relTol: 3e-2);
        var cross = new MultiHeadAttention(8, 2, rng, contextDim: 5);
        var context = Input(35, 2, 4, 5);
        Check(g => cross.Forward(g, x, context), [x, context, .. cross.Parameters()], relTol: 3e-2);
    }

    [Fact]
    public void Layer_modules_gradients()
    {
        var rng = new SeededRandom(36);
        var conv = new Conv1d(3, 4, 3, rng, padding: 1);
        var norm = new GroupNorm(2, 4);
        var linear = new Linear(9, 5, rng);
        var ln = new LayerNorm(5);
        var x = Input(37, 2, 3, 9);
        Check(g => ln.Forward(g, linear.Forward(g, g.SiLU(norm.Forward(g, conv.Forward(g, x))))),
            [x, .. conv.Parameters(), .. norm.Parameters(), .. linear.Parameters(), .. ln.Parameters()], relTol: 4e-2);
    }

    [Fact]
    public void Time_embedding_is_the_sinusoidal_formula()
    {
        var e = g0().TimeEmbedding([0f, 10f], 8);
        Assert.Equal(1f, e.Data[0]);        // cos(0)
        Assert.Equal(0f, e.Data[4]);        // sin(0)
        Assert.Equal(MathF.Cos(10f), e.Data[8], 5);
        Assert.Equal(MathF.Sin(10f * MathF.Exp(-MathF.Log(10000f) * 1 / 4)), e.Data[8 + 4 + 1], 5);
    }

    [Fact]
    public void No_grad_mode_records_nothing_and_reset_recycles_buffers()
    {
        var pool = new BufferPool();
        var w = Input(38, 16, 16);
        var x = Tensor.Randn(new SeededRandom(39), 1, 4, 16);
        var g = new Graph(pool, gradEnabled: false);
        var y = g.Linear(x, w, null);
        Assert.False(y.RequiresGrad);
        Assert.Equal(0, g.TapeLength);
        g.Reset();
        g.Tanh(g.Linear(x, w, null));
        g.Reset();
        long before = pool.BytesAllocated; // the loop below asks for the same buffers: none is new
        for (int i = 0; i < 10; i++) { g.Tanh(g.Linear(x, w, null)); g.Reset(); }
        Assert.Equal(before, pool.BytesAllocated);
    }
}
