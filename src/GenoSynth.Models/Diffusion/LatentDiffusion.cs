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
/// Label-conditioned Gaussian diffusion on continuous latent vectors (PCA block scores, VAE means): the GeneDiffusion and
/// SNPgen setting. Each latent dimension is standardised with train means and deviations (stored with the weights);
/// the denoiser is the residual MLP with one output per dimension, trained with MSE on epsilon or v; labels are
/// dropped with the configured probability so that classifier-free guidance works. Checkpoint choice uses the
/// validation latents only (see <see cref="DenoiserTraining"/>).
/// </summary>
public sealed class LatentDiffusion
{
    public const string Kind = "latent-diffusion";
    public Denoiser Model { get; }
    public NoiseSchedule Schedule { get; }
    public DiffusionSettings Settings { get; }
    public PredictionKind Prediction { get; }
    public IReadOnlyList<TrainingLoss> LossCurve => _curve;
    private readonly List<TrainingLoss> _curve = [];
    private readonly float[] _mean, _deviation;

    private LatentDiffusion(Denoiser model, DiffusionSettings settings, PredictionKind prediction, float[] mean, float[] deviation)
    {
        Model = model;
        Settings = settings;
        Prediction = prediction;
        Schedule = new NoiseSchedule(settings.Schedule, settings.Timesteps);
        _mean = mean;
        _deviation = deviation;
    }

    public static LatentDiffusion Train(LatentSet train, LatentSet? validation, int classes, DiffusionSettings settings, PredictionKind prediction,
        string? checkpointPath, Action<TrainingProgress>? progress)
    {
        var (mean, deviation) = Moments(train);
        var config = settings.DenoiserFor(train.Size, 1, classes);
        var diffusion = new LatentDiffusion(Denoiser.Create(config, new SeededRandom(settings.Seed)), settings, prediction, mean, deviation);
        diffusion.Fit(diffusion.Standardise(train), validation is { Rows: > 0 } ? diffusion.Standardise(validation) : null, checkpointPath, progress);
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
        for (int i = 0; i < values.Length; i++) values[i] = (set.Values[i] - _mean[i % set.Size]) / _deviation[i % set.Size];
        return set with { Values = values };
    }

    private void Fit(LatentSet train, LatentSet? validation, string? checkpointPath, Action<TrainingProgress>? progress)
    {
        int d = train.Size, batch = Math.Min(Settings.Batch, train.Rows);
        var x = new float[batch * d];
        var target = new float[batch * d];
        var times = new float[batch];
        var labels = new int[batch];
        Tensor StepLoss(Graph g, int step)
        {
            var rng = new SeededRandom(Settings.Seed).Fork((ulong)step + 1);
            g.Random = rng.Fork(GenotypeDiffusion.DropoutStream);
            for (int b = 0; b < batch; b++)
            {
                int row = rng.NextInt(train.Rows);
                int t = rng.NextInt(Settings.Timesteps);
                times[b] = t;
                labels[b] = rng.NextFloat() < Settings.LabelDropout ? Model.NullLabel : train.Labels[row];
                Noise(train.Row(row), t, rng, x.AsSpan(b * d, d), target.AsSpan(b * d, d));
            }
            return g.MseLoss(Predict(g, x, batch, times, labels), g.Constant(target, batch, d));
        }
        Func<double>? validationLoss = validation is null ? null : () => ValidationLoss(validation);
        _curve.AddRange(DenoiserTraining.Run(Model, Settings, StepLoss, validationLoss, checkpointPath, progress));
    }

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

    private Tensor Predict(Graph g, float[] x, int rows, ReadOnlySpan<float> times, ReadOnlySpan<int> labels) =>
        g.Reshape(Model.Forward(g, g.Constant(x.AsSpan(0, rows * Model.Config.Variants), rows, Model.Config.Variants), times, labels), rows, Model.Config.Variants);

    /// <summary>Mean MSE on (up to 512) validation rows at five fixed noise levels with fixed noise.</summary>
    private double ValidationLoss(LatentSet validation)
    {
        int d = validation.Size, rows = Math.Min(validation.Rows, 512);
        var pool = new BufferPool();
        var x = new float[rows * d];
        var target = new float[rows * d];
        var labels = validation.Labels.AsSpan(0, rows).ToArray();
        double total = 0;
        var fractions = new[] { 0.1, 0.3, 0.5, 0.7, 0.9 };
        foreach (double fraction in fractions)
        {
            int t = (int)(fraction * (Settings.Timesteps - 1));
            var rng = new SeededRandom(Settings.Seed ^ 0xABCDEFUL).Fork((ulong)t);
            for (int r = 0; r < rows; r++) Noise(validation.Row(r), t, rng, x.AsSpan(r * d, d), target.AsSpan(r * d, d));
            var g = new Graph(pool, gradEnabled: false);
            total += g.MseLoss(Predict(g, x, rows, Enumerable.Repeat((float)t, rows).ToArray(), labels), g.Constant(target, rows, d)).Item();
            g.Reset();
        }
        return total / fractions.Length;
    }

    /// <summary>
    /// Draws latents for the given labels: Gaussian noise denoised over <paramref name="steps"/> respaced timesteps with
    /// the chosen sampler; with guidance w the prediction is (1 + w) conditional - w unconditional. Rows are drawn in
    /// chunks, each from its own random stream, so the result does not depend on threading.
    /// </summary>
    public LatentSet Sample(RowLabels labels, int steps, float guidance, ulong seed, SamplerKind sampler = SamplerKind.Ancestral,
        double eta = 0, Action<int, int>? progress = null, int chunk = 512)
    {
        int d = Model.Config.Variants, n = labels.Count;
        var result = new float[(long)n * d];
        var timesteps = Schedule.SamplingTimesteps(steps);
        var pool = new BufferPool();
        int chunks = (n + chunk - 1) / chunk;
        for (int c = 0; c < chunks; c++)
        {
            int first = c * chunk, rows = Math.Min(chunk, n - first);
            var rng = new SeededRandom(seed).Fork((ulong)c + 1);
            var x = new float[rows * d];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
            var clean = new float[rows * d];
            var rowLabels = labels.Indexes.AsSpan(first, rows).ToArray();
            var nullLabels = Enumerable.Repeat(Model.NullLabel, rows).ToArray();
            for (int s = 0; s < timesteps.Length; s++)
            {
                int t = timesteps[s], previous = s + 1 < timesteps.Length ? timesteps[s + 1] : -1;
                var g = new Graph(pool, gradEnabled: false);
                var times = Enumerable.Repeat((float)t, rows).ToArray();
                var output = Predict(g, x, rows, times, rowLabels).Data;
                float[]? unconditional = guidance != 0 ? Predict(g, x, rows, times, nullLabels).Data : null;
                double ab = Schedule.AlphaBar[t];
                float signal = (float)Math.Sqrt(ab), noise = (float)Math.Sqrt(1 - ab);
                var (onX0, onXt, sd) = Schedule.Step(sampler, t, previous, eta);
                for (int i = 0; i < rows * d; i++)
                {
                    float o = unconditional is null ? output[i] : (1 + guidance) * output[i] - guidance * unconditional[i];
                    clean[i] = Prediction == PredictionKind.Epsilon ? (x[i] - noise * o) / signal : signal * x[i] - noise * o;
                    if (previous >= 0) x[i] = (float)(onX0 * clean[i] + onXt * x[i] + sd * rng.NextGaussian());
                }
                g.Reset();
                progress?.Invoke(c * timesteps.Length + s + 1, chunks * timesteps.Length);
            }
            for (int i = 0; i < rows * d; i++) result[(long)first * d + i] = clean[i] * _deviation[i % d] + _mean[i % d];
        }
        return new LatentSet(result, n, d, labels.Indexes);
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
