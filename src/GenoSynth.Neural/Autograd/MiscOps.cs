using System.Numerics.Tensors;

namespace GenoSynth.Neural;

/// <summary>Embedding lookup, dropout and the sinusoidal time embedding.</summary>
public sealed partial class Graph
{
    /// <summary>Rows of weight [V, D] for each index: [indices.Length, D].</summary>
    public Tensor Embedding(Tensor weight, ReadOnlySpan<int> indices)
    {
        int d = weight.Shape[1], vocabulary = weight.Shape[0];
        var y = New([indices.Length, d], clear: false);
        var copy = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)vocabulary) throw new ArgumentOutOfRangeException(nameof(indices), $"index {index} outside [0, {vocabulary})");
            copy[i] = index;
            Array.Copy(weight.Data, index * d, y.Data, i * d, d);
        }
        return Tracks(weight) ? Record(new EmbeddingOp(weight, copy), y) : y;
    }

    private sealed class EmbeddingOp(Tensor weight, int[] indices) : Op
    {
        internal override void Backward(Graph g)
        {
            int d = weight.Shape[1];
            var dw = g.GradOf(weight);
            for (int i = 0; i < indices.Length; i++) // in index order: a fixed reduction order
            {
                var dst = dw.AsSpan(indices[i] * d, d);
                TensorPrimitives.Add(dst, Output.Grad!.AsSpan(i * d, d), dst);
            }
        }
    }

    /// <summary>Inverted dropout: zeroes elements with probability p while training, scales the rest by 1/(1-p).</summary>
    public Tensor Dropout(Tensor x, float p)
    {
        if (!Training || p <= 0) return x;
        if (p >= 1) throw new ArgumentOutOfRangeException(nameof(p));
        var mask = Scratch(x.Length, clear: false);
        float keep = 1f / (1 - p);
        for (int i = 0; i < x.Length; i++) mask[i] = Random.NextFloat() < p ? 0 : keep;
        var y = New(x.Shape, clear: false);
        TensorPrimitives.Multiply(x.Span, mask.AsSpan(0, x.Length), y.Span);
        return Tracks(x) ? Record(new MaskOp(x, mask), y) : y;
    }

    private sealed class MaskOp(Tensor x, float[] mask) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(x).AsSpan(0, x.Length);
            TensorPrimitives.MultiplyAdd(Output.GradSpan, mask.AsSpan(0, x.Length), dx, dx);
        }
    }

    /// <summary>
    /// Sinusoidal embedding of (diffusion) times, [t.Length, dim]: first half cos, second half sin of
    /// t * maxPeriod^(-i / half), as in DDPM / latent diffusion code.
    /// </summary>
    public Tensor TimeEmbedding(ReadOnlySpan<float> times, int dim, float maxPeriod = 10000f)
    {
        int half = dim / 2;
        var y = New([times.Length, dim]);
        for (int r = 0; r < times.Length; r++)
            for (int i = 0; i < half; i++)
            {
                float frequency = MathF.Exp(-MathF.Log(maxPeriod) * i / half);
                float angle = times[r] * frequency;
                y.Data[r * dim + i] = MathF.Cos(angle);
                y.Data[r * dim + half + i] = MathF.Sin(angle);
            }
        return y;
    }
}
