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

public enum ModelType { Diffusion, Independent, PerLabelIndependent }

public enum NoiseScheduleKind { Cosine, Linear }

public sealed record EncodeSpec(EncodeMethod Method, ulong Seed);

public sealed record ModelSpec(ModelType Type, int Width, int Blocks, int Timesteps, NoiseScheduleKind Schedule, double LabelDropout);

public sealed record TrainSpec(int Steps, int Batch, double LearningRate, int WarmupSteps, double WeightDecay, double Ema,
    int EvaluateEvery, int CheckpointEvery, ulong Seed);

public sealed record SampleSpec(int Count, bool Balanced, int Steps, double Guidance, ulong Seed, double MaxMiaAuc = 0.6, bool AllowPrivacyRisk = false);

public sealed record EvaluateSpec(int AatsDraw, int AatsRepeats, bool Utility, ulong Seed);

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
    EvaluateSpec Evaluate);
