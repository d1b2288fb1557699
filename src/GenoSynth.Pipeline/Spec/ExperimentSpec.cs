using GenoSynth.Genotypes;

namespace GenoSynth.Pipeline.Spec;

public enum InputFormat { Plink, Vcf, Hapt }

public enum RankMethod { All, Gwas }

/// <summary>A file identified by content: resolved from a mirror directory first, then downloaded from the url.</summary>
public sealed record RemoteFile(string Name, string Url, string Sha256, string? IdPrefix);

public sealed record DataSpec(InputFormat Format, IReadOnlyList<RemoteFile> Files, IReadOnlyList<string> Mirrors);

public sealed record LabelsSpec(RemoteFile File, string IdColumn, string LabelColumn);

public sealed record PhenotypeSimulation(double Heritability, double Prevalence, int CausalVariants, double MinCausalMaf, ulong Seed);

public sealed record PhenotypeSpec(PhenotypeSimulation? Simulate, RemoteFile? File, string IdColumn, string ValueColumn);

public sealed record LdPruneSpec(int WindowKb, double R2);

public sealed record QcSpec(double? Maf, double? Geno, double? Mind, double? Hwe, bool SnpsOnly, int MaxAlleles, LdPruneSpec? LdPrune);

public sealed record SplitSpec(double Train, double Validation, double Holdout, bool Stratify, ulong Seed);

public sealed record ClumpSpec(double P1, double P2, double R2, int Kb);

public sealed record RankSpec(RankMethod Method, int TopK, int PrincipalComponents, ClumpSpec? Clump);

public sealed record ToolsSpec(string? Plink1, string? Plink2);

public enum EncodeMethod { Identity, PcaBlocks, Vae }

public enum BlockGrouping { Fixed, Ld, Genes }

public enum ModelType { Diffusion, Rbm, Gan, Independent, PerLabelIndependent }

public enum NoiseScheduleKind { Cosine, Linear }

/// <param name="BlockSize">pca-blocks: variants per fixed window.</param>
/// <param name="ExplainedVariance">pca-blocks: 0 = GeneDiffusion's components-by-size rule (8/4/1); otherwise the fewest components explaining this fraction.</param>
/// <param name="Compression">vae: length reduction of the latent map (power of two).</param>
/// <param name="LatentChannels">vae: channels of the latent map.</param>
/// <param name="Channels">vae: channels of the conv layers.</param>
/// <param name="Beta">vae: KL weight per variant.</param>
/// <param name="Steps">vae: training steps (batch and learning rate below).</param>
/// <param name="Blocks">pca-blocks: how variants are grouped (fixed windows, LD blocks of the train split, genes of an annotation).</param>
/// <param name="Genes">pca-blocks with blocks: genes: the BED annotation.</param>
/// <param name="LdMaxKb">pca-blocks with blocks: ld: plink1.9 --blocks-max-kb; 0 = plink's default (200).</param>
public sealed record EncodeSpec(EncodeMethod Method, ulong Seed, int BlockSize = 32, double ExplainedVariance = 0, int Compression = 4,
    int LatentChannels = 4, int Channels = 64, double Beta = 0.01, int Steps = 2000, int Batch = 64, double LearningRate = 1e-3,
    // Left out of the serialised spec at their defaults, so that specs written before these keys keep their cache keys.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    BlockGrouping Blocks = BlockGrouping.Fixed,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    RemoteFile? Genes = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int LdMaxKb = 0)
{
    public const int DefaultLdMaxKb = 200;
    // Derived, so not part of the serialised spec (and of cache keys).
    [System.Text.Json.Serialization.JsonIgnore]
    public int EffectiveLdMaxKb => LdMaxKb > 0 ? LdMaxKb : DefaultLdMaxKb;
}

/// <param name="Hidden">RBM hidden units.</param>
/// <param name="GibbsSteps">RBM Gibbs steps per persistent-chain update.</param>
/// <param name="Latent">GAN noise dimensions.</param>
/// <param name="Conditional">RBM and GAN: model the class label (needed for per-label sampling).</param>
/// <param name="Prediction">Diffusion on latents (encode pca-blocks or vae): the regression target, v (default) or epsilon. With
/// epsilon the clean estimate divides by sqrt(alpha-bar), near 0 at the noisy end of the cosine schedule: on AGBL4's VAE
/// latents that blew up (allele-frequency r 0.26 against 0.99 with v).</param>
/// <param name="Denoiser">Diffusion: residual MLP (default), transformer over variant patches, conv U-Net with attention, or
/// the time-gated MLP + CNN hybrid.</param>
/// <param name="Dropout">Diffusion: dropout inside the denoiser's blocks while training.</param>
/// <param name="Patch">Transformer: variants per token (16 unless given); U-Net and the hybrid's CNN branch: variants per
/// position of the stem (1 unless given).</param>
/// <param name="Heads">Transformer and U-Net: attention heads (4 unless given).</param>
/// <param name="Channels">U-Net and the hybrid's CNN branch: channels at every level (32 unless given).</param>
/// <param name="Levels">U-Net and the hybrid's CNN branch: halvings of the length (2 unless given).</param>
/// <remarks>The denoiser fields are left out of the serialised spec at their zero default, so the cache keys of specs
/// written before they existed do not change.</remarks>
public sealed record ModelSpec(ModelType Type, int Width, int Blocks, int Timesteps, NoiseScheduleKind Schedule, double LabelDropout,
    int Hidden = 500, int GibbsSteps = 10, int Latent = 600, bool Conditional = true,
    GenoSynth.Models.Diffusion.PredictionKind Prediction = GenoSynth.Models.Diffusion.PredictionKind.V,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    GenoSynth.Models.Diffusion.DenoiserKind Denoiser = GenoSynth.Models.Diffusion.DenoiserKind.Mlp,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    double Dropout = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int Patch = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int Heads = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int Channels = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int Levels = 0);

/// <param name="DiscriminatorLearningRate">GAN only: the discriminator's rate (learning_rate is the generator's).</param>
/// <param name="Patience">Diffusion only: stop after this many validation evaluations without a new best loss (0: train
/// every step); left out of the cache key at 0.</param>
public sealed record TrainSpec(int Steps, int Batch, double LearningRate, int WarmupSteps, double WeightDecay, double Ema,
    int EvaluateEvery, int CheckpointEvery, ulong Seed, double DiscriminatorLearningRate = 8e-4,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] int Patience = 0);

/// <param name="Sampler">Diffusion: ancestral DDPM steps or DDIM (with <paramref name="Eta"/> = 0 deterministic given the start noise).</param>
/// <param name="LabelCounts">Individuals per label when the spec gives them (sample.labels as a mapping); null: the
/// <see cref="Balanced"/> or as-data policy with <see cref="Count"/>.</param>
/// <param name="Decode">How a latent diffusion's draws become calls (VAE encoders can draw from p(x | z)); left out of the
/// cache key at its default so that specs written before it keep their keys.</param>
/// <param name="CleanEstimate">Genotype diffusion: each step's clean sample is a draw of the calls or their expected value.</param>
/// <param name="Temperature">Genotype diffusion: the predicted call logits are divided by it (null: 1).</param>
public sealed record SampleSpec(int Count, bool Balanced, int Steps, double Guidance, ulong Seed, double MaxMiaAuc = 0.6, bool AllowPrivacyRisk = false,
    GenoSynth.Models.Diffusion.SamplerKind Sampler = GenoSynth.Models.Diffusion.SamplerKind.Ancestral, double Eta = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    GenoSynth.Models.Encoders.LatentDecoding Decode = GenoSynth.Models.Encoders.LatentDecoding.Argmax,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    SortedDictionary<string, int>? LabelCounts = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    GenoSynth.Models.Diffusion.CleanEstimate CleanEstimate = GenoSynth.Models.Diffusion.CleanEstimate.Draw,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    double? Temperature = null);

/// <summary>An external synthetic set scored beside ours (e.g. Yelmen's published genomes): same variants, same order.</summary>
public sealed record ComparisonSet(string Name, RemoteFile File, string Note);

public sealed record EvaluateSpec(int AatsDraw, int AatsRepeats, bool Utility, ulong Seed, IReadOnlyList<ComparisonSet>? Compare = null)
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<ComparisonSet> Comparisons => Compare ?? [];
}

/// <summary>Another generator trained on the same encoded data and scored in the same evaluation (a leaderboard row).</summary>
/// <param name="Encode">A diffusion baseline's encoder: the main encode section unless the baseline gives its own.</param>
public sealed record BaselineSpec(string Name, ModelSpec Model, TrainSpec Train, SampleSpec Sample, EncodeSpec Encode);

/// <summary>A validated experiment spec with every default filled in (see docs/spec.md).</summary>
public sealed record ExperimentSpec(
    string SourcePath,
    string SourceSha256,
    string Experiment,
    string Description,
    ulong Seed,
    Ploidy Ploidy,
    DataSpec Data,
    LabelsSpec? Labels,
    PhenotypeSpec? Phenotype,
    QcSpec Qc,
    SplitSpec Split,
    RankSpec Rank,
    ToolsSpec Tools,
    EncodeSpec Encode,
    ModelSpec Model,
    TrainSpec Train,
    SampleSpec Sample,
    EvaluateSpec Evaluate,
    IReadOnlyList<BaselineSpec>? BaselineList = null)
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<BaselineSpec> Baselines => BaselineList ?? [];
}
