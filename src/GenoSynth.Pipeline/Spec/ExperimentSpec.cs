namespace GenoSynth.Pipeline.Spec;

public enum Ploidy { Haplotype, Diploid }

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

public enum EncodeMethod { Identity }

public enum ModelType { Diffusion, Rbm, Gan, Independent, PerLabelIndependent }

public enum NoiseScheduleKind { Cosine, Linear }

public sealed record EncodeSpec(EncodeMethod Method, ulong Seed);

/// <param name="Hidden">RBM hidden units.</param>
/// <param name="GibbsSteps">RBM Gibbs steps per persistent-chain update.</param>
/// <param name="Latent">GAN noise dimensions.</param>
/// <param name="Conditional">RBM and GAN: model the class label (needed for per-label sampling).</param>
public sealed record ModelSpec(ModelType Type, int Width, int Blocks, int Timesteps, NoiseScheduleKind Schedule, double LabelDropout,
    int Hidden = 500, int GibbsSteps = 10, int Latent = 600, bool Conditional = true);

/// <param name="DiscriminatorLearningRate">GAN only: the discriminator's rate (learning_rate is the generator's).</param>
public sealed record TrainSpec(int Steps, int Batch, double LearningRate, int WarmupSteps, double WeightDecay, double Ema,
    int EvaluateEvery, int CheckpointEvery, ulong Seed, double DiscriminatorLearningRate = 8e-4);

public sealed record SampleSpec(int Count, bool Balanced, int Steps, double Guidance, ulong Seed, double MaxMiaAuc = 0.6, bool AllowPrivacyRisk = false);

/// <summary>An external synthetic set scored beside ours (e.g. Yelmen's published genomes): same variants, same order.</summary>
public sealed record ComparisonSet(string Name, RemoteFile File, string Note);

public sealed record EvaluateSpec(int AatsDraw, int AatsRepeats, bool Utility, ulong Seed, IReadOnlyList<ComparisonSet>? Compare = null)
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<ComparisonSet> Comparisons => Compare ?? [];
}

/// <summary>Another generator trained on the same encoded data and scored in the same evaluation (a leaderboard row).</summary>
public sealed record BaselineSpec(string Name, ModelSpec Model, TrainSpec Train, SampleSpec Sample);

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
