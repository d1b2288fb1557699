using System.Text.Json.Serialization;
using GenoSynth.Models.Diffusion;
using GenoSynth.Models.Encoders;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// sample: how many rows, with which labels, and how the generator draws them. Each [Key] property is that key's only
/// declaration. Keys added after the first results are left out of the JSON at their default, so that older specs
/// keep their cache keys.
/// </summary>
public sealed record SampleSpec
{
    private const string Diffusion = "diffusion";

    [Key("rows to generate (haplotypes for haplotype data)", Min = 0, Max = 10_000_000,
        Default = "0 (= as many rows as the training split)")]
    public int Count { get; init; }

    /// <summary>Equal rows per label; false with <see cref="LabelCounts"/> null: label counts as in the data.</summary>
    [Key("label counts as in the training data, equal per label, or given per label (e.g. `{EUR: 500, AFR: 250}`; " +
        "unlisted labels get none, `count` must be left out; a label the training data lack is an error naming it)",
        Name = "labels", Custom = true, Type = "`as-data` | `balanced` | mapping `label: individuals`",
        Default = "`as-data`")]
    public bool Balanced { get; init; }

    [Key("diffusion: respaced sampling steps; RBM: Gibbs sweeps from independent draws", Min = 1, Max = 100_000)]
    [AppliesWhen("model.type", Diffusion, "rbm")]
    public int Steps { get; init; } = 100;

    [Key("classifier-free guidance weight w ((1+w) conditional - w unconditional)", Min = 0, Max = 100)]
    [AppliesWhen("model.type", Diffusion)]
    public double Guidance { get; init; }

    [Key("every sampling draw"), DefaultFrom("seed")]
    public ulong Seed { get; init; }

    [Key("privacy release gate: refuse to publish when membership inference (training vs validation rows, by " +
        "distance to the nearest synthetic row) exceeds this AUC, or when any synthetic row copies a training row",
        Min = 0, Max = 1)]
    [MainGeneratorOnly]
    public double MaxMiaAuc { get; init; } = 0.6;

    [Key("publish even when the gate fails (the report says so)")]
    [MainGeneratorOnly]
    public bool AllowPrivacyRisk { get; init; }

    [Key("DDPM posterior steps, or DDIM (deterministic given the start noise at eta 0)")]
    [AppliesWhen("model.type", Diffusion)]
    public SamplerKind Sampler { get; init; } = SamplerKind.Ancestral;

    [Key("DDIM's fresh noise per step: 0 none after the start, 1 equals ancestral", Min = 0, Max = 1)]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("sample.sampler", "ddim")]
    public double Eta { get; init; }

    [Key("how a latent diffusion's draws become calls: each call is the VAE decoder's most likely one, or drawn from " +
        "its p(x | z) (the VAE's generative model: calls independent given the latent)")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("encode.method", "vae")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public LatentDecoding Decode { get; init; } = LatentDecoding.Argmax;

    /// <summary>Individuals per label when the spec gives them (sample.labels as a mapping).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SortedDictionary<string, int>? LabelCounts { get; init; }

    [Key("each step moves towards one draw of the predicted calls, or towards their expected value (the usual x0 " +
        "estimate of a continuous DDPM); the last step always draws")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("encode.method", "identity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public CleanEstimate CleanEstimate { get; init; } = CleanEstimate.Draw;

    /// <summary>Null: 1 (the predicted logits as they are); 1 itself is stored as null, the same cache key.</summary>
    [Key("the predicted call logits (after guidance) are divided by it before each draw; below 1 the draws lean to " +
        "the likelier call", Min = 0.05, Max = 20, SameAsUnset = 1, Default = "1")]
    [AppliesWhen("model.type", Diffusion), AppliesWhen("encode.method", "identity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Temperature { get; init; }
}
