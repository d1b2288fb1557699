using GenoSynth.Genotypes;
using System.Text.Json.Serialization;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// A validated experiment spec with every default filled in. Each [Key] property here and in the section records is
/// that key's only declaration: <see cref="SpecLoader"/> reads and validates from them, docs/spec.md is generated from
/// them (<see cref="SpecDocs"/>), and the stages serialise these records into their cache keys.
/// </summary>
public sealed record ExperimentSpec
{
    /// <summary>The spec file as given on the command line (not part of any cache key).</summary>
    public string SourcePath { get; init; } = "";

    public string SourceSha256 { get; init; } = "";

    [Key("names `results/<experiment>/`: letters, digits, `-`, `_` or `.`", Required = true)]
    public string Experiment { get; init; } = "";

    [Key("shown in reports")]
    public string Description { get; init; } = "";

    [Key("default for every other seed")]
    public ulong Seed { get; init; } = 42;

    [Key("`haplotype`: the unit is a phased haplotype and individuals are pairs (`X_A`, `X_B`); `diploid`: dosages " +
        "0/1/2")]
    public Ploidy Ploidy { get; init; } = Ploidy.Diploid;

    [Key("the genotypes", Required = true)]
    public DataSpec Data { get; init; } = new();

    [Key("a class per individual (population, case/control): stratifies the split and conditions generators")]
    public LabelsSpec? Labels { get; init; }

    [Key("a phenotype for GWAS ranking and the utility evaluation (polygenic scores)", Default = "none")]
    public PhenotypeSpec? Phenotype { get; init; }

    [Key("variant and sample filters")]
    public QcSpec Qc { get; init; } = new();

    [Key("train / validation / holdout split by individual")]
    public SplitSpec Split { get; init; } = new();

    [Key("which variants the generators model")]
    public RankSpec Rank { get; init; } = new();

    [Key("external tools")]
    public ToolsSpec Tools { get; init; } = new();

    [Key("the representation a diffusion model learns")]
    public EncodeSpec Encode { get; init; } = new();

    [Key("the generator")]
    public ModelSpec Model { get; init; } = new();

    [Key("fitting the generator")]
    [AppliesWhen("model.type", "diffusion", "rbm", "gan")]
    public TrainSpec Train { get; init; } = new();

    [Key("drawing the synthetic set and the privacy release gate")]
    public SampleSpec Sample { get; init; } = new();

    [Key("the evaluation against the real holdout")]
    public EvaluateSpec Evaluate { get; init; } = new();

    [Key("other generators trained on the same encoded rows by the `baselines` stage and scored by the same " +
        "evaluation (leaderboard rows); no release gate, no VCF", Name = "baselines", Custom = true,
        Type = "list of baselines")]
    public IReadOnlyList<BaselineSpec>? BaselineList { get; init; }

    [JsonIgnore] public IReadOnlyList<BaselineSpec> Baselines => BaselineList ?? [];
}

/// <summary>An external synthetic set scored beside ours (Yelmen's published genomes), same variants in the same
/// order.</summary>
public sealed record ComparisonSet
{
    [Key("names the set in reports: letters, digits, `-`, `_` or `.`", Required = true)]
    public string Name { get; init; } = "";

    [Key("the set's genotypes, resolved from the mirrors like data files", Required = true)]
    public RemoteFile File { get; init; } = new();

    [Key("shown beside the set in reports")]
    public string Note { get; init; } = "";
}

public sealed record EvaluateSpec
{
    [Key("rows per AATS draw (capped by the holdout size)", Min = 2, Max = 1_000_000)]
    public int AatsDraw { get; init; } = 2000;

    [Key("AATS repeats", Min = 1, Max = 1000)]
    public int AatsRepeats { get; init; } = 5;

    [Key("train-on-synthetic / test-on-real classifiers, polygenic scores, augmentation")]
    public bool Utility { get; init; } = true;

    [Key("every evaluation draw"), DefaultFrom("seed")]
    public ulong Seed { get; init; }

    [Key("external synthetic sets (e.g. Yelmen's published genomes) scored beside ours; same variants in the same " +
        "order", Default = "none")]
    public IReadOnlyList<ComparisonSet>? Compare { get; init; }

    [JsonIgnore] public IReadOnlyList<ComparisonSet> Comparisons => Compare ?? [];
}

/// <summary>Another generator trained on the same encoded data and scored by the same evaluation (a leaderboard row).
/// </summary>
public sealed record BaselineSpec
{
    [Key("names the row and its files: letters, digits, `-`, `_` or `.`; not `real` or `holdout`", Required = true)]
    public string Name { get; init; } = "";

    [Key("as `model`", Required = true)]
    public ModelSpec Model { get; init; } = new();

    [Key("as `train`, with the defaults of the baseline's model type")]
    [AppliesWhen("model.type", "diffusion", "rbm", "gan")]
    public TrainSpec Train { get; init; } = new();

    [Key("as `sample`; each key left out keeps the main `sample` section's value (count, labels, seed, ...) where it " +
        "applies to this generator"), DefaultFrom("sample")]
    public SampleSpec Sample { get; init; } = new();

    [Key("as `encode`: a different one is fitted on the train split inside the stage; RBM, GAN and the floors always " +
        "model genotype calls"), DefaultFrom("encode")]
    [AppliesWhen("model.type", "diffusion")]
    public EncodeSpec Encode { get; init; } = new();
}
