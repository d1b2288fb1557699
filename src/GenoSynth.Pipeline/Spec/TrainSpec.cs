using System.Text.Json.Serialization;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// train: how the generator is fitted. Each [Key] property is that key's only declaration. Defaults differ per
/// generator: Yelmen et al.'s settings for the RBM (lr 0.01, batch 500) and the GAN (lr 1e-4 / 8e-4, batch 32). The
/// independent samplers have nothing to train (the section does not apply to them).
/// </summary>
public sealed record TrainSpec
{
    [Key("optimiser updates (diffusion: the most; see `patience`)", Min = 1, Max = 10_000_000)]
    [DefaultWhen("model.type", "rbm", 2000), DefaultWhen("model.type", "gan", 4000)]
    public int Steps { get; init; } = 3000;

    [Key("batch size", Min = 1, Max = 65_536)]
    [DefaultWhen("model.type", "rbm", 500), DefaultWhen("model.type", "gan", 32)]
    public int Batch { get; init; } = 256;

    [Key("diffusion: linear warm-up then cosine decay to 5 %; RBM: with momentum 0.5 then 0.9; GAN: the generator's",
        Min = 0, Max = 1, MinExclusive = true)]
    [DefaultWhen("model.type", "rbm", 0.01), DefaultWhen("model.type", "gan", 1e-4)]
    public double LearningRate { get; init; } = 5e-4;

    [Key("steps of the linear warm-up", Min = 0, Max = 10_000_000)]
    [AppliesWhen("model.type", "diffusion")]
    [DefaultWhen("model.type", "rbm", 0), DefaultWhen("model.type", "gan", 0)]
    public int WarmupSteps { get; init; } = 100;

    [Key("decoupled weight decay (RBM, GAN: L2)", Min = 0, Max = 1)]
    [DefaultWhen("model.type", "rbm", 1e-4), DefaultWhen("model.type", "gan", 1e-4)]
    public double WeightDecay { get; init; }

    [Key("EMA of weights (decay warmed up as min(ema, (1+t)/(10+t)))", Min = 0, Max = 1)]
    [AppliesWhen("model.type", "diffusion")]
    [DefaultWhen("model.type", "rbm", 0), DefaultWhen("model.type", "gan", 0)]
    public double Ema { get; init; } = 0.999;

    [Key("steps between loss checks; diffusion: validation-loss checks, and the EMA weights with the lowest " +
        "validation loss are kept", Min = 1, Max = 10_000_000)]
    public int EvaluateEvery { get; init; } = 250;

    [Key("resumable checkpoints in the cache; a killed run continues from the last one (baselines retrain instead)",
        Min = 1, Max = 10_000_000)]
    [AppliesWhen("model.type", "diffusion")]
    public int CheckpointEvery { get; init; } = 250;

    [Key("initialisation and every training draw"), DefaultFrom("seed")]
    public ulong Seed { get; init; }

    [Key("the discriminator's learning rate", Min = 0, Max = 1, MinExclusive = true)]
    [AppliesWhen("model.type", "gan")]
    public double DiscriminatorLearningRate { get; init; } = 8e-4;

    /// <summary>Left out of the cache key at 0.</summary>
    [Key("stop after this many validation checks without a lower validation loss (0: run every step); the kept " +
        "weights are still the best EMA snapshot", Min = 0, Max = 1_000_000)]
    [AppliesWhen("model.type", "diffusion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Patience { get; init; }
}
