using GenoSynth.Neural;
using GenoSynth.Neural.Layers;

namespace GenoSynth.Models.Diffusion;

/// <summary>
/// 1-D convolutional U-Net with self-attention at its coarsest level (GeneDiffusion's second denoiser, the shape of
/// SNPgen's latent U-Net). The row is one input channel; a learned per-position embedding is added after the stem
/// because convolutions are shift-invariant and every variant has its own allele frequency. Each level runs a residual
/// block and halves the length with a stride-2 convolution; the way back upsamples, concatenates the skip of the same
/// level and runs another residual block. Channels stay the same at every level (image U-Nets double them): doubling made
/// the coarse levels cost most of a step on two cores (2.6 s against 0.5 s per 805-variant batch, bench denoiser-step). Time and label (the shared conditioning vector) are
/// projected into every residual block. The row is zero-padded to a multiple of patch x 2^levels and cut back at the end.
/// With <see cref="DenoiserConfig.Patch"/> p > 1 the stem is a stride-p convolution (a token of p variants per position)
/// and the head emits p variants' logits per position: the network then runs at 1/p of the length, which is what makes
/// it affordable on hundreds of variants (activations of channels x length per sample at every layer).
/// </summary>
public sealed class ConvUnetDenoiser : Denoiser
{
    private readonly Linear _time1, _time2;
    private readonly Embedding _label;
    private readonly Conv1d _stem, _head;
    private readonly Tensor _position;
    private readonly List<(ResidualConvBlock Block, Conv1d Down)> _down = [];
    private readonly ResidualConvBlock _middleFirst, _middleSecond;
    private readonly LayerNorm _attentionNorm;
    private readonly MultiHeadAttention _attention;
    private readonly List<(Conv1d Up, ResidualConvBlock Block)> _up = [];
    private readonly GroupNorm _headNorm;
    private readonly int _padded, _patch;

    public ConvUnetDenoiser(DenoiserConfig config, SeededRandom rng) : base(config)
    {
        int levels = config.Levels, c = config.Channels, w = config.Width;
        if (c < 1 || levels < 0) throw new ArgumentException("a conv U-Net needs channels >= 1 and levels >= 0");
        if (config.Heads < 1 || c % config.Heads != 0) throw new ArgumentException($"{c} channels are not a multiple of {config.Heads} heads");
        _patch = Math.Max(1, config.Patch);
        int multiple = _patch << levels;
        _padded = (config.Variants + multiple - 1) / multiple * multiple;
        _time1 = Child("time.0", new Linear(config.TimeDim, w, rng));
        _time2 = Child("time.1", new Linear(w, w, rng));
        _label = Child("label", new Embedding(config.Classes + 1, w, rng));
        _stem = Child("stem", _patch == 1 ? new Conv1d(1, c, 3, rng, padding: 1) : new Conv1d(1, c, _patch, rng, stride: _patch));
        _position = Parameter("position", Tensor.Randn(rng, 0.02f, c, _padded / _patch));
        for (int level = 0; level < levels; level++)
            _down.Add((Child($"down.{level}.block", new ResidualConvBlock(c, c, w, config.Dropout, rng)),
                Child($"down.{level}.resample", new Conv1d(c, c, 3, rng, stride: 2, padding: 1))));
        _middleFirst = Child("middle.0", new ResidualConvBlock(c, c, w, config.Dropout, rng));
        _attentionNorm = Child("middle.attention_norm", new LayerNorm(c));
        _attention = Child("middle.attention", new MultiHeadAttention(c, config.Heads, rng));
        _middleSecond = Child("middle.1", new ResidualConvBlock(c, c, w, config.Dropout, rng));
        for (int level = levels - 1; level >= 0; level--)
            _up.Add((Child($"up.{level}.resample", new Conv1d(c, c, 3, rng, padding: 1)),
                Child($"up.{level}.block", new ResidualConvBlock(2 * c, c, w, config.Dropout, rng))));
        _headNorm = Child("head_norm", new GroupNorm(ResidualConvBlock.GroupsFor(c), c));
        _head = Child("head", new Conv1d(c, config.Categories * _patch, 3, rng, padding: 1));
    }

    public override Tensor Forward(Graph g, Tensor x, ReadOnlySpan<float> timesteps, ReadOnlySpan<int> labels)
    {
        var condition = Condition(g, _time1, _time2, _label, timesteps, labels);
        int batch = x.Shape[0], m = Config.Variants;
        var row = _padded == m ? x : g.Concat(1, x, g.Constant(new float[batch * (_padded - m)], batch, _padded - m));
        var h = g.Add(_stem.Forward(g, g.Reshape(row, batch, 1, _padded)), _position);
        var skips = new Stack<Tensor>();
        foreach (var (block, down) in _down)
        {
            h = block.Forward(g, h, condition);
            skips.Push(h);
            h = down.Forward(g, h);
        }
        h = _middleFirst.Forward(g, h, condition);
        var tokens = g.Permute(h, 0, 2, 1); // [batch, length, channels]
        tokens = g.Add(tokens, _attention.Forward(g, _attentionNorm.Forward(g, tokens)));
        h = _middleSecond.Forward(g, g.Permute(tokens, 0, 2, 1), condition);
        foreach (var (up, block) in _up)
            h = block.Forward(g, g.Concat(1, up.Forward(g, g.Upsample1d(h, 2)), skips.Pop()), condition);
        var logits = _head.Forward(g, g.SiLU(_headNorm.Forward(g, h))); // [batch, categories * patch, positions]
        if (_patch > 1)
        {
            int k = Config.Categories, positions = _padded / _patch;
            logits = g.Reshape(g.Permute(g.Reshape(logits, batch, k, _patch, positions), 0, 1, 3, 2), batch, k, _padded);
        }
        return _padded == m ? logits : g.Narrow(logits, 2, 0, m);
    }
}

/// <summary>
/// GroupNorm, SiLU, convolution; the conditioning vector projected to channels and added; GroupNorm, SiLU, dropout,
/// convolution; plus the input (through a 1x1 convolution when the channel count changes).
/// </summary>
internal sealed class ResidualConvBlock : Module
{
    private readonly GroupNorm _firstNorm, _secondNorm;
    private readonly Conv1d _first, _second;
    private readonly Conv1d? _shortcut;
    private readonly Linear _condition;
    private readonly float _dropout;
    private readonly int _outChannels;

    public ResidualConvBlock(int inChannels, int outChannels, int conditionWidth, float dropout, SeededRandom rng)
    {
        _dropout = dropout;
        _outChannels = outChannels;
        _firstNorm = Child("norm.0", new GroupNorm(GroupsFor(inChannels), inChannels));
        _first = Child("conv.0", new Conv1d(inChannels, outChannels, 3, rng, padding: 1));
        _condition = Child("condition", new Linear(conditionWidth, outChannels, rng));
        _secondNorm = Child("norm.1", new GroupNorm(GroupsFor(outChannels), outChannels));
        _second = Child("conv.1", new Conv1d(outChannels, outChannels, 3, rng, padding: 1));
        if (inChannels != outChannels) _shortcut = Child("shortcut", new Conv1d(inChannels, outChannels, 1, rng));
    }

    /// <summary>Eight groups where the channels divide evenly (the usual choice for small U-Nets), else one.</summary>
    internal static int GroupsFor(int channels) => channels % 8 == 0 ? 8 : 1;

    public Tensor Forward(Graph g, Tensor x, Tensor condition)
    {
        var h = _first.Forward(g, g.SiLU(_firstNorm.Forward(g, x)));
        h = g.Add(h, g.Reshape(_condition.Forward(g, condition), x.Shape[0], _outChannels, 1));
        h = _second.Forward(g, g.Dropout(g.SiLU(_secondNorm.Forward(g, h)), _dropout));
        return g.Add(_shortcut is null ? x : _shortcut.Forward(g, x), h);
    }
}
