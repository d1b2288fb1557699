using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Models.Baselines;
using GenoSynth.Models.Diffusion;
using GenoSynth.Models.Encoders;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;
using GenoSynth.Pipeline.Spec;

namespace GenoSynth.Pipeline.Stages;

/// <summary>What training wrote besides the model file: the loss curve (TSV lines) and a summary for train.json.</summary>
public sealed record TrainedGenerator(IReadOnlyList<string> LossLines, object Details);

/// <summary>
/// Maps a spec's model section onto the generators of GenoSynth.Models: trains one into a model file and samples
/// from a model file, whichever kind it holds. Used by the train and sample stages and by the baselines stage.
/// </summary>
public static class Generators
{
    /// <param name="encoder">The fitted latent encoder (encode pca-blocks or vae): a diffusion model then learns its latents;
    /// the RBM, GAN and independent samplers always model genotypes.</param>
    public static TrainedGenerator Train(ModelSpec model, TrainSpec t, GenotypeRows train, GenotypeRows validation,
        GenotypeEncoder? encoder,
        string modelPath, string? checkpointPath, Action<TrainingProgress> progress)
    {
        var meta = new Dictionary<string, string> { ["classes"] = string.Join(",", train.Classes) };
        IReadOnlyList<TrainingLoss> curve = [];
        object details;
        string secondColumn = "validation_loss";
        switch (model.Type)
        {
            case ModelType.Diffusion when encoder is not null:
            {
                var latent = LatentDiffusion.Train(encoder.Encode(train), validation.Rows > 0 ? encoder.Encode(validation) : null, train.Classes.Count,
                    DiffusionSettingsOf(model, t), model.Prediction, checkpointPath, progress);
                meta["encoder"] = encoder.Kind;
                latent.Save(modelPath, meta);
                curve = latent.LossCurve;
                details = new
                {
                    parameters = latent.Model.ParameterCount, steps = StepsRun(curve, t), encoder = encoder.Kind, latent_size = encoder.LatentSize,
                    prediction = SpecNode.ToSnake(model.Prediction.ToString()),
                    best_validation_loss = curve.Where(p => p.ValidationLoss is not null).Select(p => p.ValidationLoss).Min(),
                };
                break;
            }
            case ModelType.Diffusion:
            {
                var settings = DiffusionSettingsOf(model, t);
                var diffusion = GenotypeDiffusion.Train(train, validation, settings, checkpointPath, progress);
                diffusion.Save(modelPath, meta);
                curve = diffusion.LossCurve;
                details = new { parameters = diffusion.Model.ParameterCount, steps = StepsRun(curve, t), best_validation_loss = curve.Where(p => p.ValidationLoss is not null).Select(p => p.ValidationLoss).Min() };
                break;
            }
            case ModelType.Rbm:
            {
                var rbm = GenotypeRbm.Train(train, validation, RbmSettingsOf(model, t), model.Conditional, progress);
                rbm.Save(modelPath, meta);
                curve = rbm.LossCurve;
                details = new { parameters = rbm.ParameterCount, steps = t.Steps, conditional = model.Conditional, loss = "mean absolute one-step reconstruction error" };
                break;
            }
            case ModelType.Gan:
            {
                var gan = GenotypeGan.Train(train, GanSettingsOf(model, t), model.Conditional, progress);
                gan.Save(modelPath, meta);
                curve = gan.LossCurve;
                secondColumn = "discriminator_loss";
                details = new { parameters = gan.ParameterCount, steps = t.Steps, conditional = model.Conditional };
                break;
            }
            default:
            {
                bool perLabel = model.Type == ModelType.PerLabelIndependent;
                var sampler = IndependentSampler.Fit(train, perLabel);
                meta["genosynth.model"] = perLabel ? "per-label-independent" : "independent";
                meta["ploidy"] = train.Ploidy.Copies.ToString(CultureInfo.InvariantCulture);
                SafeTensors.Save(modelPath, sampler.Tensors(), meta);
                details = new { per_label = perLabel };
                break;
            }
        }
        var lines = new List<string> { $"step\ttrain_loss\t{secondColumn}" };
        lines.AddRange(curve.Select(p => $"{p.Step}\t{F(p.TrainLoss)}\t{(p.ValidationLoss is double v ? F(v) : "NA")}"));
        return new TrainedGenerator(lines, details);
    }

    /// <summary>Steps trained: fewer than train.steps when early stopping ended the run (the last step is always evaluated).</summary>
    private static int StepsRun(IReadOnlyList<TrainingLoss> curve, TrainSpec t) => curve.Count > 0 ? curve[^1].Step : t.Steps;

    // The spec's model and train sections reach the models by name; a key a generator does not use is not mapped.

    private static DiffusionSettings DiffusionSettingsOf(ModelSpec model, TrainSpec t) => new()
    {
        Width = model.Width, Blocks = model.Blocks, Timesteps = model.Timesteps,
        Schedule = model.Schedule == NoiseScheduleKind.Cosine ? ScheduleKind.Cosine : ScheduleKind.Linear,
        LabelDropout = (float)model.LabelDropout, Denoiser = model.Denoiser, Dropout = (float)model.Dropout,
        Patch = model.Patch, Heads = model.Heads, Channels = model.Channels, Levels = model.Levels,
        TrainSteps = t.Steps, Batch = t.Batch, LearningRate = (float)t.LearningRate, WarmupSteps = t.WarmupSteps,
        WeightDecay = (float)t.WeightDecay, EmaDecay = (float)t.Ema, EvaluateEvery = t.EvaluateEvery,
        CheckpointEvery = t.CheckpointEvery, Seed = t.Seed, Patience = t.Patience,
    };

    private static RbmSettings RbmSettingsOf(ModelSpec model, TrainSpec t) => new()
    {
        Hidden = model.Hidden, GibbsSteps = model.GibbsSteps,
        TrainSteps = t.Steps, Batch = t.Batch, LearningRate = (float)t.LearningRate, WeightDecay = (float)t.WeightDecay,
        EvaluateEvery = t.EvaluateEvery, Seed = t.Seed,
    };

    private static GanSettings GanSettingsOf(ModelSpec model, TrainSpec t) => new()
    {
        Latent = model.Latent,
        TrainSteps = t.Steps, Batch = t.Batch, GeneratorLearningRate = (float)t.LearningRate,
        DiscriminatorLearningRate = (float)t.DiscriminatorLearningRate, WeightDecay = (float)t.WeightDecay,
        EvaluateEvery = t.EvaluateEvery, Seed = t.Seed,
    };

    /// <summary>Samples from whichever generator the model file holds; returns the draw and that kind ("genosynth.model").</summary>
    /// <param name="encoder">Decodes a latent diffusion's draws (the encoder it was trained on).</param>
    /// <param name="progress">(done, total) units of sampling work: denoising steps or Gibbs sweeps.</param>
    public static (GenotypeRows Set, string Kind) Sample(string modelPath, GenotypeRows train, GenotypeEncoder? encoder,
        RowLabels rowLabels, SampleSpec spec, Action<int, int>? progress)
    {
        var loaded = SafeTensors.Load(modelPath);
        var kind = loaded.Metadata["genosynth.model"];
        var set = kind switch
        {
            "genotype-diffusion" => GenotypeDiffusion.Load(modelPath).Sample(rowLabels, spec.Steps, (float)spec.Guidance, spec.Seed, progress,
                sampler: spec.Sampler, eta: spec.Eta, temperature: (float)(spec.Temperature ?? 1), estimate: spec.CleanEstimate),
            LatentDiffusion.Kind => Decode(
                encoder ?? throw new InvalidOperationException($"{modelPath}: a latent diffusion needs its encoder"),
                LatentDiffusion.Load(modelPath).Sample(rowLabels, spec.Steps, (float)spec.Guidance, spec.Seed,
                    spec.Sampler, spec.Eta, progress), rowLabels, train.Ploidy, spec),
            GenotypeRbm.Kind => GenotypeRbm.Load(modelPath).Sample(rowLabels, spec.Steps, spec.Seed, progress),
            GenotypeGan.Kind => GenotypeGan.Load(modelPath).Sample(rowLabels, spec.Seed),
            _ => IndependentSampler.FromTensors(loaded.Tensors, train.Ploidy, kind == "per-label-independent")
                .Sample(rowLabels, new SeededRandom(spec.Seed), train.Variants),
        };
        return (set, kind);
    }

    /// <summary>The decoding draws use a fork of the sampling seed of their own, so argmax and drawn decodings share the latents.</summary>
    private static GenotypeRows Decode(GenotypeEncoder encoder, LatentSet latents, RowLabels labels, Ploidy ploidy,
        SampleSpec spec)
    {
        var calls = spec.Decode == LatentDecoding.Sample
            ? encoder.DecodeByDrawing(latents, new SeededRandom(spec.Seed).Fork(DecodingStream).NextUInt64())
            : encoder.Decode(latents);
        return new GenotypeRows(ploidy, latents.Rows, encoder.Variants, calls, labels: labels);
    }

    private const ulong DecodingStream = 0xDEC0DE;

    /// <summary>Whether <see cref="SampleSpec.Steps"/> means anything for this kind (denoising steps, Gibbs sweeps).</summary>
    public static bool UsesSamplingSteps(string kind) => kind is "genotype-diffusion" or LatentDiffusion.Kind or GenotypeRbm.Kind;

    private static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
