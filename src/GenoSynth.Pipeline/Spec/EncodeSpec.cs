using System.Text.Json.Serialization;

namespace GenoSynth.Pipeline.Spec;

public enum EncodeMethod { Identity, PcaBlocks, Vae }

public enum BlockGrouping { Fixed, Ld, Genes }

/// <summary>
/// encode: how the selected variants become what a diffusion model learns. Each [Key] property is that key's only
/// declaration; keys added after the first results are left out of the JSON at their default, so that older specs
/// keep their cache keys.
/// </summary>
public sealed record EncodeSpec
{
    public const int DefaultLdMaxKb = 200;

    [Key("`identity`: the generator sees the selected variants as they are (haplotype bits or dosages 0/1/2); " +
        "missing dosages filled by Binomial(2, train frequency). `pca-blocks` (GeneDiffusion): PCA per block of " +
        "variants (`encode.blocks`), scores z-scored, decoded by inverse projection and the nearest valid genotype. " +
        "`vae` (SNPgen): conv VAE on one-hot calls, encoded by the posterior mean, decoded by argmax. Both are " +
        "fitted on the train split only; a diffusion model then learns their latents; `encode.json` and the report " +
        "give the share of calls decoded back exactly (train and validation)")]
    public EncodeMethod Method { get; init; } = EncodeMethod.Identity;

    [Key("the missing-dosage draws and the VAE's training draws"), DefaultFrom("seed")]
    public ulong Seed { get; init; }

    [Key("variants per fixed window (and the largest window for variants outside LD blocks or genes)",
        Min = 1, Max = 100_000)]
    [AppliesWhen("encode.method", "pca-blocks")]
    public int BlockSize { get; init; } = 32;

    [Key("0 = GeneDiffusion's components-by-size rule (8 if > 20 variants, 4 for 5-20, else 1), otherwise the " +
        "fewest components explaining this fraction of each block's variance", Min = 0, Max = 1)]
    [AppliesWhen("encode.method", "pca-blocks")]
    public double ExplainedVariance { get; init; }

    [Key("length reduction of the latent map (a power of two): latent_channels x (variants / compression)",
        Min = 1, Max = 1024)]
    [AppliesWhen("encode.method", "vae")]
    public int Compression { get; init; } = 4;

    [Key("channels of the latent map", Min = 1, Max = 4096)]
    [AppliesWhen("encode.method", "vae")]
    public int LatentChannels { get; init; } = 4;

    [Key("width of the conv layers", Min = 1, Max = 4096)]
    [AppliesWhen("encode.method", "vae")]
    public int Channels { get; init; } = 64;

    [Key("KL weight per variant", Min = 0, Max = 1000)]
    [AppliesWhen("encode.method", "vae")]
    public double Beta { get; init; } = 0.01;

    [Key("Adam updates", Min = 1, Max = 10_000_000)]
    [AppliesWhen("encode.method", "vae")]
    public int Steps { get; init; } = 2000;

    [Key("batch size", Min = 1, Max = 65_536)]
    [AppliesWhen("encode.method", "vae")]
    public int Batch { get; init; } = 64;

    [Key("learning rate (warm-up then cosine)", Min = 0, Max = 1, MinExclusive = true)]
    [AppliesWhen("encode.method", "vae")]
    public double LearningRate { get; init; } = 1e-3;

    [Key("how variants are grouped. `fixed`: consecutive windows of `block_size`. `ld`: haplotype blocks from " +
        "`plink1.9 --blocks no-pheno-req` on the train rows only (haplotype pairs as individuals), each block " +
        "spanning its first to last listed variant (plink lists only variants with MAF >= 0.05). `genes`: the genes " +
        "of `encode.genes` (a variant in overlapping genes joins the one starting first). With `ld` or `genes`, " +
        "variants in no block or gene go into windows of at most `block_size`; no block crosses a chromosome. " +
        "encode.json reports how many variants each grouping holds")]
    [AppliesWhen("encode.method", "pca-blocks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public BlockGrouping Blocks { get; init; } = BlockGrouping.Fixed;

    [Key("BED annotation (chrom, 0-based start, end, name; `chr` prefixes ignored; gzip allowed), resolved from the " +
        "mirrors like any input", Default = "none (required with `blocks: genes`)")]
    [AppliesWhen("encode.method", "pca-blocks"), AppliesWhen("encode.blocks", "genes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public RemoteFile? Genes { get; init; }

    /// <summary>0: not given, plink's default (<see cref="EffectiveLdMaxKb"/>); left out of the cache key.</summary>
    [Key("plink's `--blocks-max-kb`", Min = 1, Max = 100_000, Default = "200")]
    [AppliesWhen("encode.method", "pca-blocks"), AppliesWhen("encode.blocks", "ld")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int LdMaxKb { get; init; }

    // Derived, so not part of the serialised spec (and of cache keys).
    [JsonIgnore]
    public int EffectiveLdMaxKb => LdMaxKb > 0 ? LdMaxKb : DefaultLdMaxKb;
}
