using System.Numerics.Tensors;

namespace GenoSynth.Neural;

public enum Activation { ReLU, LeakyReLU, SiLU, GELU, Tanh, Sigmoid, Exp }

/// <summary>Element-wise nonlinearities and softmax.</summary>
public sealed partial class Graph
{
    private const float GeluC = 0.7978845608f; // sqrt(2 / pi)
    private const float GeluA = 0.044715f;

    /// <summary>t = tanh(c (x + a x^3)), the tanh approximation's inner term, vectorised.</summary>
    private static void GeluTanh(ReadOnlySpan<float> x, Span<float> t)
    {
        TensorPrimitives.Multiply(x, x, t);
        TensorPrimitives.Multiply(t, GeluA, t);
        TensorPrimitives.Add(t, 1f, t);          // 1 + a x^2
        TensorPrimitives.Multiply(t, x, t);      // x + a x^3
        TensorPrimitives.Multiply(t, GeluC, t);
        TensorPrimitives.Tanh(t, t);
    }

    /// <summary>Floats per piece of element-wise work: a piece's operands and scratch stay in the core's cache.</summary>
    private const int PieceLength = 8192;

    [ThreadStatic] private static float[]? _pieceScratch;

    /// <summary>
    /// Runs body(start, length) over [0, n) in pieces on the engine's threads, so that a chain of vector passes reads
    /// cached data instead of memory. Pieces are multiples of the widest vector and the last one takes the remainder,
    /// so each element goes through the same vector code as in one pass over the whole span: the result is bitwise
    /// the same for any thread count.
    /// </summary>
    private static void ForEachPiece(int n, Action<int, int> body)
    {
        int pieces = Math.Max(1, n / PieceLength);
        if (pieces == 1)
        {
            body(0, n);
            return;
        }
        Engine.For(pieces, p =>
        {
            int start = p * PieceLength;
            body(start, p == pieces - 1 ? n - start : PieceLength);
        });
    }

    /// <summary>This thread's scratch for <paramref name="count"/> arrays of a piece of <paramref name="length"/> floats.</summary>
    private static Span<float> PieceScratch(int length, int count)
    {
        int needed = length * count;
        if (_pieceScratch is null || _pieceScratch.Length < needed) _pieceScratch = new float[Math.Max(needed, 2 * PieceLength * count)];
        return _pieceScratch.AsSpan(0, needed);
    }

    public Tensor ReLU(Tensor x) => Activate(x, Activation.ReLU);
    public Tensor LeakyReLU(Tensor x, float slope = 0.01f) => Activate(x, Activation.LeakyReLU, slope);
    public Tensor SiLU(Tensor x) => Activate(x, Activation.SiLU);

    /// <summary>GELU, tanh approximation (PyTorch's approximate="tanh").</summary>
    public Tensor GELU(Tensor x) => Activate(x, Activation.GELU);
    public Tensor Tanh(Tensor x) => Activate(x, Activation.Tanh);
    public Tensor Sigmoid(Tensor x) => Activate(x, Activation.Sigmoid);
    public Tensor Exp(Tensor x) => Activate(x, Activation.Exp);

    public Tensor Activate(Tensor x, Activation kind, float slope = 0.01f)
    {
        var y = New(x.Shape, clear: false);
        var xs = x.Span;
        var ys = y.Span;
        switch (kind)
        {
            case Activation.ReLU: TensorPrimitives.Max(xs, 0f, ys); break;
            case Activation.LeakyReLU: for (int i = 0; i < xs.Length; i++) ys[i] = xs[i] > 0 ? xs[i] : slope * xs[i]; break;
            case Activation.SiLU:
            {
                float[] input = x.Data, output = y.Data;
                ForEachPiece(xs.Length, (start, length) =>
                {
                    var yp = output.AsSpan(start, length);
                    TensorPrimitives.Sigmoid(input.AsSpan(start, length), yp);
                    TensorPrimitives.Multiply(input.AsSpan(start, length), yp, yp);
                });
                break;
            }
            case Activation.GELU:
            {
                float[] input = x.Data, output = y.Data;
                ForEachPiece(xs.Length, (start, length) =>
                {
                    var xp = input.AsSpan(start, length);
                    var yp = output.AsSpan(start, length);
                    var t = PieceScratch(length, 1);
                    GeluTanh(xp, t);
                    TensorPrimitives.Add(t, 1f, t);               // 1 + tanh(u)
                    TensorPrimitives.Multiply(xp, t, yp);
                    TensorPrimitives.Multiply(yp, 0.5f, yp);      // 0.5 x (1 + tanh(u))
                });
                break;
            }
            case Activation.Tanh: TensorPrimitives.Tanh(xs, ys); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); break;
            case Activation.Exp: TensorPrimitives.Exp(xs, ys); break;
        }
        return Tracks(x) ? Record(new ActivationOp(x, kind, slope), y) : y;
    }

    private sealed class ActivationOp(Tensor x, Activation kind, float slope) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            var y = Output.Data;
            var xd = x.Data;
            var dx = g.GradOf(x);
            int n = x.Length;
            switch (kind)
            {
                case Activation.ReLU: for (int i = 0; i < n; i++) if (xd[i] > 0) dx[i] += dy[i]; break;
                case Activation.LeakyReLU: for (int i = 0; i < n; i++) dx[i] += xd[i] > 0 ? dy[i] : slope * dy[i]; break;
                case Activation.SiLU:
                    // d/dx x*s(x) = s + x*s*(1-s) = s + y*(1-s), with s = sigmoid(x) and y = x*s.
                    ForEachPiece(n, (start, length) =>
                    {
                        var scratch = PieceScratch(length, 2);
                        var sig = scratch[..length];
                        var tmp = scratch.Slice(length, length);
                        TensorPrimitives.Sigmoid(xd.AsSpan(start, length), sig);
                        TensorPrimitives.Subtract(1f, sig, tmp);                                   // 1 - s
                        TensorPrimitives.MultiplyAdd(y.AsSpan(start, length), tmp, sig, tmp);      // s + y(1-s)
                        TensorPrimitives.MultiplyAdd(dy.AsSpan(start, length), tmp, dx.AsSpan(start, length), dx.AsSpan(start, length));
                    });
                    break;
                case Activation.GELU:
                    // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2), t = tanh(c (x + a x^3)).
                    ForEachPiece(n, (start, length) =>
                    {
                        var xs = xd.AsSpan(start, length);
                        var scratch = PieceScratch(length, 3);
                        var t = scratch[..length];
                        var inner = scratch.Slice(length, length);
                        var square = scratch.Slice(2 * length, length);
                        GeluTanh(xs, t);
                        TensorPrimitives.Multiply(xs, xs, inner);
                        TensorPrimitives.Multiply(inner, 3 * GeluA * GeluC, inner);
                        TensorPrimitives.Add(inner, GeluC, inner);                              // c (1 + 3 a x^2)
                        TensorPrimitives.Multiply(inner, xs, inner);
                        TensorPrimitives.Multiply(inner, 0.5f, inner);                          // 0.5 x c (1 + 3 a x^2)
                        TensorPrimitives.Multiply(t, t, square);
                        TensorPrimitives.Subtract(1f, square, square);                          // 1 - t^2
                        TensorPrimitives.Multiply(inner, square, inner);
                        TensorPrimitives.Multiply(t, 0.5f, t);
                        TensorPrimitives.Add(t, 0.5f, t);                                       // 0.5 (1 + t)
                        TensorPrimitives.Add(inner, t, inner);
                        TensorPrimitives.MultiplyAdd(dy.AsSpan(start, length), inner, dx.AsSpan(start, length), dx.AsSpan(start, length));
                    });
                    break;
                case Activation.Tanh:
                {
                    var tmp = g.Scratch(n, clear: false).AsSpan(0, n);
                    TensorPrimitives.Multiply(y.AsSpan(0, n), y.AsSpan(0, n), tmp);
                    TensorPrimitives.Subtract(1f, tmp, tmp);
                    TensorPrimitives.MultiplyAdd(dy.AsSpan(0, n), tmp, dx.AsSpan(0, n), dx.AsSpan(0, n));
                    break;
                }
                case Activation.Sigmoid:
                {
                    var tmp = g.Scratch(n, clear: false).AsSpan(0, n);
                    TensorPrimitives.Subtract(1f, y.AsSpan(0, n), tmp);
                    TensorPrimitives.Multiply(tmp, y.AsSpan(0, n), tmp);
                    TensorPrimitives.MultiplyAdd(dy.AsSpan(0, n), tmp, dx.AsSpan(0, n), dx.AsSpan(0, n));
                    break;
                }
                case Activation.Exp:
                    TensorPrimitives.MultiplyAdd(dy.AsSpan(0, n), y.AsSpan(0, n), dx.AsSpan(0, n), dx.AsSpan(0, n));
                    break;
            }
        }
    }

    /// <summary>Softmax over the last axis.</summary>
    public Tensor Softmax(Tensor x)
    {
        var y = New(x.Shape, clear: false);
        int cols = x.Columns, rows = x.Rows;
        for (int r = 0; r < rows; r++) TensorPrimitives.SoftMax(x.Data.AsSpan(r * cols, cols), y.Data.AsSpan(r * cols, cols));
        return Tracks(x) ? Record(new SoftmaxOp(x), y) : y;
    }

    private sealed class SoftmaxOp(Tensor x) : Op
    {
        internal override void Backward(Graph g)
        {
            int cols = x.Columns, rows = x.Rows;
            var dx = g.GradOf(x);
            for (int r = 0; r < rows; r++)
            {
                var y = Output.Data.AsSpan(r * cols, cols);
                var dy = Output.Grad!.AsSpan(r * cols, cols);
                float dot = TensorPrimitives.Dot(y, dy);
                var d = dx.AsSpan(r * cols, cols);
                for (int j = 0; j < cols; j++) d[j] += y[j] * (dy[j] - dot);
            }
        }
    }
}
