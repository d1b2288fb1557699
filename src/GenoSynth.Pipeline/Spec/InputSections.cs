namespace GenoSynth.Pipeline.Spec;

// The sections that say which data an experiment reads and which variants and individuals it keeps. Each [Key]
// property is that key's only declaration (see KeyAttribute); property order is the order of the JSON in cache keys.


public enum InputFormat { Plink, Vcf, Hapt }

public enum RankMethod { All, Gwas }

/// <summary>A file identified by content: resolved from a mirror directory first, else downloaded from the url.
/// </summary>
public sealed record RemoteFile
{
    [Key("file name in the mirrors and the cache", Default = "last part of the url")]
    public string Name { get; init; } = "";

    [Key("where to download the file when no mirror holds it", Required = true)]
    public string Url { get; init; } = "";

    [Key("sha256 of the file as stored (64 hexadecimal characters)", Required = true)]
    public string Sha256 { get; init; } = "";

    [Key("prepended to the file's sample ids, to join files whose ids collide")]
    public string? IdPrefix { get; init; }
}

public sealed record DataSpec
{
    [Key("input format", Required = true)]
    public InputFormat Format { get; init; } = InputFormat.Plink;

    [Key("plink: a .bed, .bim and .fam; vcf: one or more VCF(.gz) over the same sites, joined by sample; " +
        "hapt: a .hapt(.gz) and its .legend", Type = "list of files", Required = true)]
    public IReadOnlyList<RemoteFile> Files { get; init; } = [];

    [Key("directories searched recursively for a file of the same name and sha256 before the url is downloaded; " +
        "`GENOSYNTH_MIRRORS` adds more. Relative paths are relative to the working directory (`build.sh` runs from " +
        "the repository root)")]
    public IReadOnlyList<string> Mirrors { get; init; } = [];
}

public sealed record LabelsSpec
{
    [Key("a table with a header row (tab- or whitespace-separated)", Required = true)]
    public RemoteFile File { get; init; } = new();

    [Key("column of the sample ids")]
    public string IdColumn { get; init; } = "sample";

    [Key("the class used to stratify the split and to condition generators")]
    public string LabelColumn { get; init; } = "label";
}

public sealed record PhenotypeSimulation
{
    [Key("liability-scale heritability", Name = "h2", Min = 0, Max = 1, MinExclusive = true)]
    public double Heritability { get; init; } = 0.5;

    [Key("fraction of cases (the top liabilities)", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double Prevalence { get; init; } = 0.5;

    [Key("drawn at random among variants with MAF >= `min_causal_maf`; recorded in `phenotype/causal.tsv`",
        Min = 1, Max = 1_000_000)]
    public int CausalVariants { get; init; } = 20;

    [Key("smallest minor allele frequency of a causal variant", Min = 0, Max = 0.5)]
    public double MinCausalMaf { get; init; } = 0.05;

    [Key("draws of the causal variants, effects and liabilities"), DefaultFrom("seed")]
    public ulong Seed { get; init; }
}

public sealed record PhenotypeSpec
{
    [Key("a case/control phenotype simulated on the genotypes (liability threshold model)")]
    public PhenotypeSimulation? Simulate { get; init; }

    [Key("instead of `simulate`: a table of phenotypes; 0/1 or 1/2 = control/case, anything else quantitative")]
    public RemoteFile? File { get; init; }

    [Key("`file`: column of the sample ids")]
    public string IdColumn { get; init; } = "IID";

    [Key("`file`: column of the phenotype")]
    public string ValueColumn { get; init; } = "PHENO";
}

public sealed record LdPruneSpec
{
    [Key("window of plink2 `--indep-pairwise`", Min = 1, Max = 100_000)]
    public int WindowKb { get; init; } = 250;

    [Key("r² threshold of plink2 `--indep-pairwise`", Min = 0, Max = 1, MinExclusive = true)]
    public double R2 { get; init; } = 0.5;
}

public sealed record QcSpec
{
    [Key("minor allele frequency, computed on the train split", Min = 0, Max = 0.5, Default = "off")]
    public double? Maf { get; init; }

    [Key("maximum variant missingness, train split", Min = 0, Max = 1, Default = "off")]
    public double? Geno { get; init; }

    [Key("maximum sample missingness (per individual, all splits)", Min = 0, Max = 1, Default = "off")]
    public double? Mind { get; init; }

    [Key("Hardy-Weinberg exact test p threshold, train split", Min = 0, Max = 1, Default = "off")]
    public double? Hwe { get; init; }

    [Key("drop indels and symbolic alleles at fetch")]
    public bool SnpsOnly { get; init; } = true;

    [Key("only biallelic variants are modelled", Min = 2, Max = 2)]
    public int MaxAlleles { get; init; } = 2;

    [Key("LD pruning with plink2 `--indep-pairwise` on the train split", Default = "off")]
    public LdPruneSpec? LdPrune { get; init; }
}

/// <summary>Fractions of individuals (haplotype pairs stay together); they must sum to 1.</summary>
public sealed record SplitSpec
{
    [Key("fraction of individuals the generators and every fitted transform learn from", Min = 0, Max = 1,
        MinExclusive = true)]
    public double Train { get; init; } = 0.8;

    [Key("fraction for checkpoint choice and the release gate's membership inference", Min = 0, Max = 1)]
    public double Validation { get; init; } = 0.1;

    [Key("fraction kept away from everything but the evaluation (the fractions sum to 1)", Min = 0, Max = 1,
        MinExclusive = true)]
    public double Holdout { get; init; } = 0.1;

    [Key("stratify by label")]
    public bool Stratify { get; init; } = true;

    [Key("the split's draw"), DefaultFrom("seed")]
    public ulong Seed { get; init; }
}

public sealed record ClumpSpec
{
    [Key("plink1.9 `--clump-p1`", Min = 0, Max = 1, MinExclusive = true)]
    public double P1 { get; init; } = 1;

    [Key("plink1.9 `--clump-p2`", Min = 0, Max = 1, MinExclusive = true)]
    public double P2 { get; init; } = 1;

    [Key("plink1.9 `--clump-r2`", Min = 0, Max = 1, MinExclusive = true)]
    public double R2 { get; init; } = 0.5;

    [Key("plink1.9 `--clump-kb`", Min = 1, Max = 100_000)]
    public int Kb { get; init; } = 250;
}

public sealed record RankSpec
{
    [Key("`all` keeps every QC'd variant; `gwas` (needs a phenotype) runs plink2 `--glm` on the train split and " +
        "keeps the top_k variants by p-value")]
    public RankMethod Method { get; init; } = RankMethod.All;

    [Key("variants kept (0 = all; gwas needs at least 1)", Min = 0, Max = 10_000_000)]
    [DefaultWhen("rank.method", "gwas", 1024)]
    public int TopK { get; init; }

    [Key("principal components of the train split as GWAS covariates", Name = "pcs", Min = 0, Max = 50)]
    [AppliesWhen("rank.method", "gwas")]
    public int PrincipalComponents { get; init; }

    [Key("plink1.9 `--clump` on train-split LD; top_k is taken among index variants", Default = "off")]
    [AppliesWhen("rank.method", "gwas")]
    public ClumpSpec? Clump { get; init; }
}

public sealed record ToolsSpec
{
    [Key("path of plink1.9", Default = "located (see README)")]
    public string? Plink1 { get; init; }

    [Key("path of plink2", Default = "located (see README)")]
    public string? Plink2 { get; init; }
}
