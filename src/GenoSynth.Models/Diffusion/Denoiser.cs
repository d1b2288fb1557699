using System.Text.Json.Serialization;
using GenoSynth.Neural;
using GenoSynth.Neural.Layers;

namespace GenoSynth.Models.Diffusion;

/// <summary>The network that predicts the clean value from a noisy one: a residual MLP, a transformer over variant patches, a
/// 1-D conv U-Net with attention, or GeneDiffusion's time-gated MLP + CNN hybrid.</summary>
public enum DenoiserKind { Mlp, Transformer, ConvUnet, Hybrid }

/// <param name="Width">Hidden width (MLP), token width (transformer), width of the time + label conditioning (U-Net).</param>
/// <param name="Blocks">Residual blocks (MLP, the hybrid's MLP branch) or transformer layers.</param>
/// <param name="Dropout">Dropout inside each block while training (0: none).</param>
/// <param name="Patch">Transformer only: consecutive variants per token.</param>
/// <param name="Heads">Transformer and U-Net: attention heads.</param>
/// <param name="Channels">U-Net (and the hybrid's CNN branch): channels at every level.</param>
/// <param name="Levels">U-Net: times the length is halved.</param>
/// <remarks>Fields that are zero are left out of the saved JSON, so MLP models saved before they existed read the same.</remarks>
public sealed record DenoiserConfig(int Variants, int Categories, int Classes, int Width, int Blocks, int TimeDim = 128,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] DenoiserKind Kind = DenoiserKind.Mlp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] float Dropout = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Patch = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Heads = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Channels = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Levels = 0);

/// <summary>
/// A diffusion denoiser: noisy values [batch, variants] at timesteps t with labels in, [batch, categories, variants] out
/// (class logits of the clean genotype, or one regression channel for latents). The label embedding's last row is the
/// "no label" used for classifier-free guidance.
/// </summary>
public abstract class Denoiser : Module
{
    public DenoiserConfig Config { get; }

    protected Denoiser(DenoiserConfig config) => Config = config;

    public int NullLabel => Config.Classes;

    public abstract Tensor Forward(Graph g, Tensor x, ReadOnlySpan<float> timesteps, ReadOnlySpan<int> labels);

    /// <summary>The conditioning vector [batch, width]: an MLP of the sinusoidal time embedding plus the label embedding.</summary>
    protected Tensor Condition(Graph g, Linear time1, Linear time2, Embedding label, ReadOnlySpan<float> timesteps, ReadOnlySpan<int> labels) =>
        g.Add(time2.Forward(g, g.SiLU(time1.Forward(g, g.TimeEmbedding(timesteps, Config.TimeDim)))), label.Forward(g, labels));

    public static Denoiser Create(DenoiserConfig config, SeededRandom rng) => config.Kind switch
    {
        DenoiserKind.Transformer => new PatchTransformerDenoiser(config, rng),
        DenoiserKind.ConvUnet => new ConvUnetDenoiser(config, rng),
        DenoiserKind.Hybrid => new HybridDenoiser(config, rng),
        _ => new MlpDenoiser(config, rng),
    };
}
