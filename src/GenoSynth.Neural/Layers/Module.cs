namespace GenoSynth.Neural.Layers;

/// <summary>
/// A layer or a model: owns named parameters and child modules. Parameter names are dotted paths
/// ("blocks.0.linear.weight"), the names used in safetensors checkpoints.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Parameter)> _parameters = [];
    private readonly List<(string Name, Module Child)> _children = [];

    protected Tensor Parameter(string name, Tensor initial)
    {
        var p = Tensor.Parameter(initial, name);
        _parameters.Add((name, p));
        return p;
    }

    protected T Child<T>(string name, T module) where T : Module
    {
        _children.Add((name, module));
        return module;
    }

    /// <summary>Every parameter with its full dotted name, in registration order (a stable order for optimizers).</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (prefix + name, p);
        foreach (var (name, child) in _children)
            foreach (var inner in child.NamedParameters(prefix + name + ".")) yield return inner;
    }

    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter).ToList();

    public long ParameterCount => NamedParameters().Sum(p => (long)p.Parameter.Length);
}

/// <summary>y = x W^T + b, W [out, in]; PyTorch's default initialisation U(-1/sqrt(in), 1/sqrt(in)).</summary>
public sealed class Linear : Module
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Linear(int inFeatures, int outFeatures, SeededRandom rng, bool bias = true, float? initScale = null)
    {
        float bound = initScale ?? 1f / MathF.Sqrt(inFeatures);
        Weight = Parameter("weight", Tensor.Uniform(rng, -bound, bound, outFeatures, inFeatures));
        if (bias) Bias = Parameter("bias", Tensor.Uniform(rng, -bound, bound, outFeatures));
    }

    public Tensor Forward(Graph g, Tensor x) => g.Linear(x, Weight, Bias);
}

public sealed class Embedding : Module
{
    public Tensor Weight { get; }

    public Embedding(int count, int dim, SeededRandom rng) => Weight = Parameter("weight", Tensor.Randn(rng, 1f, count, dim));

    public Tensor Forward(Graph g, ReadOnlySpan<int> indices) => g.Embedding(Weight, indices);
}

public sealed class LayerNorm : Module
{
    private readonly float _eps;
    public Tensor Gamma { get; }
    public Tensor Beta { get; }

    public LayerNorm(int dim, float eps = 1e-5f)
    {
        _eps = eps;
        var ones = Tensor.Zeros(dim);
        ones.Span.Fill(1);
        Gamma = Parameter("weight", ones);
        Beta = Parameter("bias", Tensor.Zeros(dim));
    }

    public Tensor Forward(Graph g, Tensor x) => g.LayerNorm(x, Gamma, Beta, _eps);
}

public sealed class GroupNorm : Module
{
    private readonly int _groups;
    private readonly float _eps;
    public Tensor Gamma { get; }
    public Tensor Beta { get; }

    public GroupNorm(int groups, int channels, float eps = 1e-5f)
    {
        _groups = groups;
        _eps = eps;
        var ones = Tensor.Zeros(channels);
        ones.Span.Fill(1);
        Gamma = Parameter("weight", ones);
        Beta = Parameter("bias", Tensor.Zeros(channels));
    }

    public Tensor Forward(Graph g, Tensor x) => g.GroupNorm(x, _groups, Gamma, Beta, _eps);
}

public sealed class Conv1d : Module
{
    private readonly int _stride, _padding, _dilation;
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Conv1d(int inChannels, int outChannels, int kernel, SeededRandom rng, int stride = 1, int padding = 0, int dilation = 1, bool bias = true)
    {
        _stride = stride;
        _padding = padding;
        _dilation = dilation;
        float bound = 1f / MathF.Sqrt(inChannels * kernel);
        Weight = Parameter("weight", Tensor.Uniform(rng, -bound, bound, outChannels, inChannels, kernel));
        if (bias) Bias = Parameter("bias", Tensor.Uniform(rng, -bound, bound, outChannels));
    }

    public Tensor Forward(Graph g, Tensor x) => g.Conv1d(x, Weight, Bias, _stride, _padding, _dilation);
}

/// <summary>
/// Multi-head attention. Self-attention when no context is given; cross-attention of x [B, Lq, D] over
/// context [B, Lk, Dc] otherwise (as used to inject labels in latent diffusion).
/// </summary>
public sealed class MultiHeadAttention : Module
{
    private readonly int _heads, _dim;
    public Linear Query { get; }
    public Linear Key { get; }
    public Linear Value { get; }
    public Linear Out { get; }

    public MultiHeadAttention(int dim, int heads, SeededRandom rng, int? contextDim = null)
    {
        if (dim % heads != 0) throw new ArgumentException("dim must be a multiple of heads");
        _heads = heads;
        _dim = dim;
        int kv = contextDim ?? dim;
        Query = Child("q", new Linear(dim, dim, rng));
        Key = Child("k", new Linear(kv, dim, rng));
        Value = Child("v", new Linear(kv, dim, rng));
        Out = Child("out", new Linear(dim, dim, rng));
    }

    public Tensor Forward(Graph g, Tensor x, Tensor? context = null)
    {
        int batch = x.Shape[0], lq = x.Shape[1];
        var source = context ?? x;
        int lk = source.Shape[1];
        int headDim = _dim / _heads;
        Tensor Heads(Tensor t, int length) =>
            g.Reshape(g.Permute(g.Reshape(t, batch, length, _heads, headDim), 0, 2, 1, 3), batch * _heads, length, headDim);
        var q = Heads(Query.Forward(g, x), lq);
        var k = Heads(Key.Forward(g, source), lk);
        var v = Heads(Value.Forward(g, source), lk);
        var scores = g.Scale(g.BatchedMatMul(q, k, transB: true), 1f / MathF.Sqrt(headDim));
        var attended = g.BatchedMatMul(g.Softmax(scores), v);
        var merged = g.Reshape(g.Permute(g.Reshape(attended, batch, _heads, lq, headDim), 0, 2, 1, 3), batch, lq, _dim);
        return Out.Forward(g, merged);
    }
}
