using System.Text.Json.Serialization;
using GenoSynth.Models.Diffusion;

namespace GenoSynth.Pipeline.Spec;

public enum ModelType { Diffusion, Rbm, Gan, Independent, PerLabelIndependent }

public enum NoiseScheduleKind { Cosine, Linear }

/// <summary>
/// model: the generator and its network. Each [Key] property is that key's only declaration. The denoiser keys are
/// left out of the JSON at their zero default, so the cache keys of specs written before they existed do not change;
/// patch, heads, channels and levels are 0 where the denoiser has no use for them.
/// </summary>
public sealed record ModelSpec
{
    private const string Diffusion = "diffusion";

    [Key("the generator; `rbm` and `gan` are Yelmen et al.'s baselines; the independent samplers are floors " +
        "(frequencies kept, LD only through labels)")]
    public ModelType Type { get; init; } = ModelType.Diffusion;

    [Key("MLP: hidden width; transformer: token width; U-Net: width of the time and label embeddings",
        Min = 8, Max = 16_384)]
    [AppliesWhen("model.type", Diffusion)]
    public int Width { get; init; } = 1024;

    [Key("MLP and the hybrid's MLP branch: residual blocks; transformer: layers", Min = 0, Max = 64)]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("model.denoiser", "mlp", "transformer", "hybrid")]
    public int Blocks { get; init; } = 2;

    [Key("steps of the DDPM noise schedule", Min = 2, Max = 100_000)]
    [AppliesWhen("model.type", Diffusion)]
    public int Timesteps { get; init; } = 1000;

    [Key("DDPM noise schedule")]
    [AppliesWhen("model.type", Diffusion)]
    public NoiseScheduleKind Schedule { get; init; } = NoiseScheduleKind.Cosine;

    [Key("share of training rows with the label replaced by \"no label\" (classifier-free guidance)", Min = 0, Max = 1)]
    [AppliesWhen("model.type", Diffusion)]
    public double LabelDropout { get; init; } = 0.1;

    [Key("RBM hidden units", Min = 1, Max = 65_536)]
    [AppliesWhen("model.type", "rbm")]
    public int Hidden { get; init; } = 500;

    [Key("RBM Gibbs steps per persistent-chain update (Yelmen used 50)", Min = 1, Max = 10_000)]
    [AppliesWhen("model.type", "rbm")]
    public int GibbsSteps { get; init; } = 10;

    [Key("GAN noise dimensions (generator n/1.2 -> n/1.1 -> n, discriminator n/2 -> n/3 -> 1)", Min = 1, Max = 65_536)]
    [AppliesWhen("model.type", "gan")]
    public int Latent { get; init; } = 600;

    [Key("model the class label (needed for per-label sampling). RBM: a softmax label group, clamped when sampling; " +
        "GAN: one-hot label appended to noise and discriminator input")]
    [AppliesWhen("model.type", "rbm", "gan")]
    public bool Conditional { get; init; } = true;

    [Key("what the denoiser regresses (MSE) on latents. Diffusion on genotype calls always predicts the clean call's " +
        "class. epsilon divides by sqrt(alpha-bar), near 0 at the noisy end of the cosine schedule; on AGBL4's VAE " +
        "latents it gave allele-frequency r 0.26 against 0.99 with v")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("encode.method", "pca-blocks", "vae")]
    public PredictionKind Prediction { get; init; } = PredictionKind.V;

    [Key("diffusion's network: a residual MLP over the whole row; a transformer over patches of consecutive variants " +
        "(pre-norm self-attention + GELU MLP, learned positions, time and label added to every token); a 1-D conv " +
        "U-Net (residual conv blocks with time + label projected in, stride-2 down / upsample + skip up, " +
        "self-attention at the coarsest level, learned positions); or GeneDiffusion's time-gated hybrid " +
        "out = (1 - l(t)) MLP + l(t) U-Net with l(t) = sigmoid(MLP(time embedding)). Cost per step: " +
        "`genosynth bench denoiser-step`")]
    [AppliesWhen("model.type", Diffusion)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public DenoiserKind Denoiser { get; init; } = DenoiserKind.Mlp;

    [Key("dropout inside each denoiser block while training; masks come from the step's generator, so runs stay " +
        "reproducible and resumable", Min = 0, Max = 0.9)]
    [AppliesWhen("model.type", Diffusion)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double Dropout { get; init; }

    [Key("transformer: variants per token (the last token zero-padded); U-Net and the hybrid's U-Net: variants per " +
        "position of a stride-`patch` stem (the head emits `patch` variants' logits per position)",
        Min = 1, Max = 100_000, Default = "transformer 16, conv-unet and hybrid 1")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("model.denoiser", "transformer", "conv-unet", "hybrid")]
    [DefaultWhen("model.denoiser", "transformer", 16)]
    [DefaultWhen("model.denoiser", "conv-unet", 1), DefaultWhen("model.denoiser", "hybrid", 1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Patch { get; init; }

    [Key("attention heads: the transformer's (must divide width), the U-Net's at the coarsest level (must divide " +
        "channels)", Min = 1, Max = 256, Default = "4")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("model.denoiser", "transformer", "conv-unet", "hybrid")]
    [DefaultWhen("model.denoiser", "transformer", 4)]
    [DefaultWhen("model.denoiser", "conv-unet", 4), DefaultWhen("model.denoiser", "hybrid", 4)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Heads { get; init; }

    [Key("channels at every level of the U-Net", Min = 1, Max = 4096, Default = "32")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("model.denoiser", "conv-unet", "hybrid")]
    [DefaultWhen("model.denoiser", "conv-unet", 32), DefaultWhen("model.denoiser", "hybrid", 32)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Channels { get; init; }

    [Key("times the U-Net halves the length", Min = 0, Max = 8, Default = "2")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("model.denoiser", "conv-unet", "hybrid")]
    [DefaultWhen("model.denoiser", "conv-unet", 2), DefaultWhen("model.denoiser", "hybrid", 2)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Levels { get; init; }
}
