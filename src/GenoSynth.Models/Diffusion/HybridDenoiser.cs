using GenoSynth.Neural;
using GenoSynth.Neural.Layers;

namespace GenoSynth.Models.Diffusion;

/// <summary>
/// GeneDiffusion's time-gated hybrid (the winner of its comparison): out = (1 - l(t)) MLP(x) + l(t) CNN(x) with
/// l(t) = sigmoid(small MLP of the time embedding). The gate lets the network lean on the convolutional branch's local
/// structure at some noise levels and on the MLP's global view at others, and learns where the switch lies. The MLP
/// branch uses width and blocks, the CNN branch (a <see cref="ConvUnetDenoiser"/>) channels, levels and heads.
/// </summary>
public sealed class HybridDenoiser : Denoiser
{
    private const int GateWidth = 32;
    private readonly MlpDenoiser _mlp;
    private readonly ConvUnetDenoiser _cnn;
    private readonly Linear _gate1, _gate2;

    public HybridDenoiser(DenoiserConfig config, SeededRandom rng) : base(config)
    {
        _mlp = Child("mlp", new MlpDenoiser(config, rng));
        _cnn = Child("cnn", new ConvUnetDenoiser(config, rng));
        _gate1 = Child("gate.0", new Linear(config.TimeDim, GateWidth, rng));
        _gate2 = Child("gate.1", new Linear(GateWidth, 1, rng));
    }

    public override Tensor Forward(Graph g, Tensor x, ReadOnlySpan<float> timesteps, ReadOnlySpan<int> labels)
    {
        var cnnShare = g.Reshape(Gate(g, timesteps), x.Shape[0], 1, 1);
        var mlpShare = g.Affine(cnnShare, -1, 1);
        return g.Add(g.Mul(mlpShare, _mlp.Forward(g, x, timesteps, labels)), g.Mul(cnnShare, _cnn.Forward(g, x, timesteps, labels)));
    }

    /// <summary>l(t) in (0, 1) per row: the share of the convolutional branch.</summary>
    public Tensor Gate(Graph g, ReadOnlySpan<float> timesteps) =>
        g.Sigmoid(_gate2.Forward(g, g.SiLU(_gate1.Forward(g, g.TimeEmbedding(timesteps, Config.TimeDim)))));
}
