namespace GenoSynth.Neural;

/// <summary>
/// A float32 tensor: contiguous, row-major, with a shape. Tensors made by a <see cref="Graph"/> borrow their buffers
/// from its pool and are only valid until the graph is reset; parameters own their buffers.
/// </summary>
public sealed class Tensor
{
    public int[] Shape { get; }
    public float[] Data { get; }
    public int Length { get; }

    /// <summary>Gradient buffer (same length as Data); null until something flows back.</summary>
    public float[]? Grad { get; internal set; }

    public bool RequiresGrad { get; internal set; }

    /// <summary>Name, for parameters (checkpoints address tensors by name).</summary>
    public string Name { get; set; } = "";

    internal Op? Creator { get; set; }
    internal bool Pooled { get; init; }

    public Tensor(float[] data, params int[] shape)
    {
        int length = ShapeUtil.Count(shape);
        if (data.Length < length) throw new ArgumentException($"buffer of {data.Length} floats is smaller than shape [{string.Join(", ", shape)}]");
        Data = data;
        Shape = (int[])shape.Clone();
        Length = length;
    }

    public static Tensor Zeros(params int[] shape) => new(new float[ShapeUtil.Count(shape)], shape);

    public static Tensor FromArray(float[] data, params int[] shape)
    {
        if (data.Length != ShapeUtil.Count(shape)) throw new ArgumentException("data length does not match the shape");
        return new Tensor(data, shape);
    }

    /// <summary>Normal(0, std) entries from a seeded generator: the same seed gives the same tensor on any machine.</summary>
    public static Tensor Randn(SeededRandom rng, float std, params int[] shape)
    {
        var t = Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextGaussian() * std);
        return t;
    }

    public static Tensor Uniform(SeededRandom rng, float low, float high, params int[] shape)
    {
        var t = Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = low + (high - low) * rng.NextFloat();
        return t;
    }

    /// <summary>A trainable tensor that owns its data and gradient.</summary>
    public static Tensor Parameter(Tensor initial, string name)
    {
        var p = new Tensor(initial.Data, initial.Shape) { Name = name };
        p.RequiresGrad = true;
        p.Grad = new float[p.Length];
        return p;
    }

    public Span<float> Span => Data.AsSpan(0, Length);
    public Span<float> GradSpan => Grad is null ? throw new InvalidOperationException("no gradient") : Grad.AsSpan(0, Length);

    public int Rank => Shape.Length;
    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];

    /// <summary>Rows of a tensor seen as a matrix [Length / last, last].</summary>
    public int Rows => Length / Shape[^1];
    public int Columns => Shape[^1];

    public float Item() => Length == 1 ? Data[0] : throw new InvalidOperationException("Item() needs a single-element tensor");

    public Tensor CloneDetached()
    {
        var copy = Zeros(Shape);
        Span.CopyTo(copy.Data);
        return copy;
    }

    public override string ToString() => $"Tensor[{string.Join(", ", Shape)}]{(Name.Length > 0 ? " " + Name : "")}";
}

public static class ShapeUtil
{
    public static int Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException("negative dimension");
            n *= d;
        }
        return checked((int)n);
    }

    public static bool SameShape(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
