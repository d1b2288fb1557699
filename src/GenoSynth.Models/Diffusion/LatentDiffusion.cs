using System.Text.Json;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;

namespace GenoSynth.Models.Diffusion;

/// <summary>What the denoiser of a continuous diffusion predicts: the noise (DDPM) or v = sqrt(ab) eps - sqrt(1 - ab) x0.</summary>
public enum PredictionKind { Epsilon, V }

/// <summary>Latent vectors for a continuous diffusion: rows x Size values, one class index per row.</summary>
public sealed record LatentSet(float[] Values, int Rows, int Size, int[] Labels)
{
    public ReadOnlySpan<float> Row(int r) => new(Values, r * Size, Size);
}

/// <summary>
/// Label-conditioned Gaussian diffusion on continuous latent vectors (PCA block scores, VAE means), the GeneDiffusion
/// and SNPgen setting: <see cref="ConditionalDiffusion{TRows, TTarget}"/> with a Gaussian step. Each latent dimension
/// is standardised with train means and deviations (stored with the weights); the denoiser has one output per
/// dimension, trained with MSE on epsilon or v; labels are dropped with the configured probability so that
/// classifier-free guidance works. Checkpoint choice uses the validation latents only (see <see cref="DenoiserTraining"/>).
/// </summary>
public sealed class LatentDiffusion : ConditionalDiffusion<LatentSet, float>
{
    public const string Kind = "latent-diffusion";
    public PredictionKind Prediction { get; }
    private readonly float[] _mean, _deviation;

    private LatentDiffusion(Denoiser model, DiffusionSettings settings, PredictionKind prediction, float[] mean,
        float[] deviation) : base(model, settings)
    {
        Prediction = prediction;
        _mean = mean;
        _deviation = deviation;
    }

    public static LatentDiffusion Train(LatentSet train, LatentSet? validation, int classes, DiffusionSettings settings,
        PredictionKind prediction, string? checkpointPath, Action<TrainingProgress>? progress)
    {
        var (mean, deviation) = Moments(train);
        var config = settings.DenoiserFor(train.Size, 1, classes);
        var model = Denoiser.Create(config, new SeededRandom(settings.Seed));
        var diffusion = new LatentDiffusion(model, settings, prediction, mean, deviation);
        var standardValidation = validation is { Rows: > 0 } ? diffusion.Standardise(validation) : null;
        diffusion.Fit(diffusion.Standardise(train), standardValidation, checkpointPath, progress);
        return diffusion;
    }

    private static (float[] Mean, float[] Deviation) Moments(LatentSet set)
    {
        var mean = new double[set.Size];
        var square = new double[set.Size];
        for (int r = 0; r < set.Rows; r++)
        {
            var row = set.Row(r);
            for (int j = 0; j < set.Size; j++) { mean[j] += row[j]; square[j] += (double)row[j] * row[j]; }
        }
        var m = new float[set.Size];
        var d = new float[set.Size];
        for (int j = 0; j < set.Size; j++)
        {
            m[j] = (float)(mean[j] / set.Rows);
            double variance = square[j] / set.Rows - m[j] * (double)m[j];
            d[j] = (float)Math.Sqrt(Math.Max(variance, 1e-8));
        }
        return (m, d);
    }

    private LatentSet Standardise(LatentSet set)
    {
        var values = new float[set.Values.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (set.Values[i] - _mean[i % set.Size]) / _deviation[i % set.Size];
        return set with { Values = values };
    }

    protected override int RowCount(LatentSet rows) => rows.Rows;

    protected override int ClassOf(LatentSet rows, int row) => rows.Labels[row];

    /// <remarks>
    /// The label dropout first, then the noise: the order of draws the committed models were trained with.
    /// </remarks>
    protected override int NoiseTrainingRow(LatentSet rows, int row, int t, SeededRandom rng, Span<float> noisy,
        Span<float> targets)
    {
        int label = DropLabel(rng, rows.Labels[row]);
        Noise(rows.Row(row), t, rng, noisy, targets);
        return label;
    }

    protected override void NoiseValidationRow(LatentSet rows, int row, int t, SeededRandom rng, Span<float> noisy,
        Span<float> targets) => Noise(rows.Row(row), t, rng, noisy, targets);

    /// <summary>x_t = sqrt(ab) x0 + sqrt(1 - ab) eps, and the regression target for it (eps, or v).</summary>
    private void Noise(ReadOnlySpan<float> clean, int t, SeededRandom rng, Span<float> noisy, Span<float> target)
    {
        double ab = Schedule.AlphaBar[t];
        float signal = (float)Math.Sqrt(ab), noise = (float)Math.Sqrt(1 - ab);
        for (int j = 0; j < clean.Length; j++)
        {
            float eps = (float)rng.NextGaussian();
            noisy[j] = signal * clean[j] + noise * eps;
            target[j] = Prediction == PredictionKind.Epsilon ? eps : signal * eps - noise * clean[j];
        }
    }

    protected override Tensor Loss(Graph g, Tensor output, float[] targets, int rows) =>
        g.MseLoss(g.Reshape(output, rows, Width), g.Constant(targets, rows, Width));

    /// <summary>
    /// Draws latents for the given labels: Gaussian noise denoised over <paramref name="steps"/> respaced timesteps
    /// with the chosen sampler; with guidance w the prediction is (1 + w) conditional - w unconditional.
    /// </summary>
    public LatentSet Sample(RowLabels labels, int steps, float guidance, ulong seed,
        SamplerKind sampler = SamplerKind.Ancestral, double eta = 0, Action<int, int>? progress = null, int chunk = 512)
    {
        var result = new float[(long)labels.Count * Width];
        SampleChunks(labels.Indexes, steps, guidance, seed, sampler, eta, progress, chunk,
            (first, rows) => new GaussianSteps(this, rows, clean =>
            {
                for (int i = 0; i < clean.Length; i++)
                    result[(long)first * Width + i] = clean[i] * _deviation[i % Width] + _mean[i % Width];
            }));
        return new LatentSet(result, labels.Count, Width, labels.Indexes);
    }

    /// <summary>The Gaussian step: the clean estimate from the predicted epsilon or v, then the update.</summary>
    private sealed class GaussianSteps(LatentDiffusion owner, int rows, Action<float[]> finish) : SamplingChunk
    {
        private readonly float[] _clean = new float[rows * owner.Width];

        public override void Step(Span<float> x, ReadOnlySpan<float> prediction, int t, int previous,
            (double OnX0, double OnXt, double Sd) update, SeededRandom rng)
        {
            double ab = owner.Schedule.AlphaBar[t];
            float signal = (float)Math.Sqrt(ab), noise = (float)Math.Sqrt(1 - ab);
            bool epsilon = owner.Prediction == PredictionKind.Epsilon;
            for (int i = 0; i < _clean.Length; i++)
            {
                float o = prediction[i];
                _clean[i] = epsilon ? (x[i] - noise * o) / signal : signal * x[i] - noise * o;
                if (previous >= 0)
                    x[i] = (float)(update.OnX0 * _clean[i] + update.OnXt * x[i] + update.Sd * rng.NextGaussian());
            }
        }

        public override void Finish() => finish(_clean);
    }

    // ---------------------------------------------------------------- persistence

    public void Save(string path, IReadOnlyDictionary<string, string> extra)
    {
        var meta = new Dictionary<string, string>(extra)
        {
            ["genosynth.model"] = Kind,
            ["config"] = JsonSerializer.Serialize(Model.Config),
            ["settings"] = JsonSerializer.Serialize(Settings),
            ["prediction"] = Prediction.ToString(),
        };
        var tensors = Model.NamedParameters().Select(p => (p.Name, p.Parameter))
            .Append(("latent.mean", Tensor.FromArray(_mean, _mean.Length))).Append(("latent.deviation", Tensor.FromArray(_deviation, _deviation.Length)));
        SafeTensors.Save(path, tensors, meta);
    }

    public static LatentDiffusion Load(string path)
    {
        var loaded = SafeTensors.Load(path);
        var config = JsonSerializer.Deserialize<DenoiserConfig>(loaded.Metadata["config"])!;
        var settings = JsonSerializer.Deserialize<DiffusionSettings>(loaded.Metadata["settings"])!;
        var prediction = Enum.Parse<PredictionKind>(loaded.Metadata["prediction"]);
        var diffusion = new LatentDiffusion(Denoiser.Create(config, new SeededRandom(0)), settings, prediction,
            loaded.Tensors["latent.mean"].Span.ToArray(), loaded.Tensors["latent.deviation"].Span.ToArray());
        var weights = loaded.Tensors.Where(kv => !kv.Key.StartsWith("latent.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        SafeTensors.CopyInto(path, weights, diffusion.Model.NamedParameters(), rejectUnexpected: true);
        return diffusion;
    }
}
