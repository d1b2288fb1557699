using GenoSynth.Neural;
using GenoSynth.Neural.Layers;

namespace GenoSynth.Models.Diffusion;

/// <summary>
/// Residual MLP denoiser: noisy genotypes in, logits of the clean genotype's class out ([B, categories, variants]).
/// Time enters through a sinusoidal embedding and an MLP, the label through an embedding whose last row is the
/// "no label" used for classifier-free guidance; both are added to the hidden state of every block.
/// </summary>
public sealed class MlpDenoiser : Denoiser
{
    private readonly Linear _input, _time1, _time2, _output;
    private readonly Embedding _label;
    private readonly List<(LayerNorm Norm, Linear First, Linear Second)> _blocks = [];
    private readonly LayerNorm _finalNorm;

    public MlpDenoiser(DenoiserConfig config, SeededRandom rng) : base(config)
    {
        _input = Child("input", new Linear(config.Variants, config.Width, rng));
        _time1 = Child("time.0", new Linear(config.TimeDim, config.Width, rng));
        _time2 = Child("time.1", new Linear(config.Width, config.Width, rng));
        _label = Child("label", new Embedding(config.Classes + 1, config.Width, rng));
        for (int b = 0; b < config.Blocks; b++)
            _blocks.Add((Child($"blocks.{b}.norm", new LayerNorm(config.Width)), Child($"blocks.{b}.first", new Linear(config.Width, config.Width, rng)),
                Child($"blocks.{b}.second", new Linear(config.Width, config.Width, rng, initScale: 1e-3f))));
        _finalNorm = Child("final_norm", new LayerNorm(config.Width));
        _output = Child("output", new Linear(config.Width, config.Categories * config.Variants, rng));
    }

    /// <summary>Logits [batch, categories, variants] for noisy input x [batch, variants] at timesteps t with labels.</summary>
    public override Tensor Forward(Graph g, Tensor x, ReadOnlySpan<float> timesteps, ReadOnlySpan<int> labels)
    {
        var condition = Condition(g, _time1, _time2, _label, timesteps, labels);
        var h = g.Add(_input.Forward(g, x), condition);
        foreach (var (norm, first, second) in _blocks)
            h = g.Add(h, second.Forward(g, g.Dropout(g.SiLU(g.Add(first.Forward(g, g.SiLU(norm.Forward(g, h))), condition)), Config.Dropout)));
        var logits = _output.Forward(g, g.SiLU(_finalNorm.Forward(g, h)));
        return g.Reshape(logits, x.Shape[0], Config.Categories, Config.Variants);
    }
}
