using GenoSynth.Neural;
using GenoSynth.Neural.Layers;

namespace GenoSynth.Models.Diffusion;

/// <summary>
/// Transformer over variant patches (a DiT-style denoiser for 1-D genotype rows): the row is cut into tokens of
/// <see cref="DenoiserConfig.Patch"/> consecutive variants (the last one zero-padded), each token is embedded linearly and
/// given a learned position, and pre-norm layers of self-attention and a GELU MLP mix them. Time and label are embedded
/// as in the MLP and added to every token before each layer. Attention lets one weight set serve every region of the
/// row, where the MLP has one weight per variant pair: fewer parameters per variant, less room to memorise rows.
/// </summary>
public sealed class PatchTransformerDenoiser : Denoiser
{
    private readonly Linear _patchIn, _time1, _time2, _output;
    private readonly Embedding _label;
    private readonly Tensor _position;
    private readonly List<(LayerNorm AttentionNorm, MultiHeadAttention Attention, LayerNorm MlpNorm, Linear Up, Linear Down)> _layers = [];
    private readonly LayerNorm _finalNorm;
    private readonly int _tokens;

    public PatchTransformerDenoiser(DenoiserConfig config, SeededRandom rng) : base(config)
    {
        if (config.Patch < 1) throw new ArgumentException("a transformer denoiser needs a patch size >= 1");
        if (config.Heads < 1 || config.Width % config.Heads != 0) throw new ArgumentException($"width {config.Width} is not a multiple of {config.Heads} heads");
        _tokens = (config.Variants + config.Patch - 1) / config.Patch;
        int w = config.Width;
        _patchIn = Child("patch_in", new Linear(config.Patch, w, rng));
        _position = Parameter("position", Tensor.Randn(rng, 0.02f, _tokens, w));
        _time1 = Child("time.0", new Linear(config.TimeDim, w, rng));
        _time2 = Child("time.1", new Linear(w, w, rng));
        _label = Child("label", new Embedding(config.Classes + 1, w, rng));
        for (int l = 0; l < config.Blocks; l++)
        {
            var attention = Child($"layers.{l}.attention", new MultiHeadAttention(w, config.Heads, rng));
            _layers.Add((Child($"layers.{l}.attention_norm", new LayerNorm(w)), attention, Child($"layers.{l}.mlp_norm", new LayerNorm(w)),
                Child($"layers.{l}.up", new Linear(w, 4 * w, rng)), Child($"layers.{l}.down", new Linear(4 * w, w, rng, initScale: 1e-3f))));
        }
        _finalNorm = Child("final_norm", new LayerNorm(w));
        _output = Child("output", new Linear(w, config.Categories * config.Patch, rng));
    }

    public override Tensor Forward(Graph g, Tensor x, ReadOnlySpan<float> timesteps, ReadOnlySpan<int> labels)
    {
        int batch = x.Shape[0], m = Config.Variants, p = Config.Patch, k = Config.Categories, w = Config.Width;
        int padded = _tokens * p;
        var row = padded == m ? x : g.Concat(1, x, g.Constant(new float[batch * (padded - m)], batch, padded - m));
        var h = g.Add(_patchIn.Forward(g, g.Reshape(row, batch, _tokens, p)), _position);
        var condition = g.Reshape(Condition(g, _time1, _time2, _label, timesteps, labels), batch, 1, w);
        foreach (var (attentionNorm, attention, mlpNorm, up, down) in _layers)
        {
            h = g.Add(h, condition);
            h = g.Add(h, attention.Forward(g, attentionNorm.Forward(g, h)));
            h = g.Add(h, down.Forward(g, g.Dropout(g.GELU(up.Forward(g, mlpNorm.Forward(g, h))), Config.Dropout)));
        }
        var perToken = _output.Forward(g, g.SiLU(_finalNorm.Forward(g, h))); // [batch, tokens, k * p]
        var logits = g.Reshape(g.Permute(g.Reshape(perToken, batch, _tokens, k, p), 0, 2, 1, 3), batch, k, padded);
        return padded == m ? logits : g.Narrow(logits, 2, 0, m);
    }
}
