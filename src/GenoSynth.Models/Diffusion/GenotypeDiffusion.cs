using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;

namespace GenoSynth.Models.Diffusion;

/// <remarks>Denoiser fields at their zero default are left out of the saved JSON (MLP models saved before them read the same).</remarks>
public sealed record DiffusionSettings(
    int Width = 1024, int Blocks = 2, int Timesteps = 1000, ScheduleKind Schedule = ScheduleKind.Cosine,
    int TrainSteps = 3000, int Batch = 256, float LearningRate = 5e-4f, int WarmupSteps = 100, float WeightDecay = 0f,
    float EmaDecay = 0.999f, float LabelDropout = 0.1f, int EvaluateEvery = 250, int CheckpointEvery = 250, ulong Seed = 1,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] DenoiserKind Denoiser = DenoiserKind.Mlp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] float Dropout = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Patch = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Heads = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Channels = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Levels = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Patience = 0)
{
    /// <summary>The denoiser for rows of <paramref name="variants"/> values with <paramref name="categories"/> outputs each.</summary>
    public DenoiserConfig DenoiserFor(int variants, int categories, int classes) =>
        new(variants, categories, classes, Width, Blocks, Kind: Denoiser, Dropout: Dropout, Patch: Patch, Heads: Heads, Channels: Channels, Levels: Levels);
}

/// <summary>
/// Label-conditioned diffusion on genotypes. Clean values map to [-1, 1] (haplotype bits 2v-1, dosages v-1); the
/// denoiser predicts the clean value's class and is trained with cross-entropy at random noise levels. The weights
/// returned are the EMA weights with the lowest validation loss (validation rows only, fixed noise), never the holdout.
/// </summary>
public sealed class GenotypeDiffusion
{
    public Denoiser Model { get; }
    public NoiseSchedule Schedule { get; }
    public DiffusionSettings Settings { get; }
    public IReadOnlyList<TrainingLoss> LossCurve => _curve;
    private readonly List<TrainingLoss> _curve = [];
    private readonly Ploidy _ploidy;

    private GenotypeDiffusion(Denoiser model, DiffusionSettings settings, Ploidy ploidy)
    {
        Model = model;
        Settings = settings;
        Schedule = new NoiseSchedule(settings.Schedule, settings.Timesteps);
        _ploidy = ploidy;
    }

    /// <summary>The fork of a step's generator that drives dropout masks (the batch draws use the step generator itself).</summary>
    internal const ulong DropoutStream = 0xD80;

    private float Scale(byte value) => CallScale.Centred(value, _ploidy);

    public static GenotypeDiffusion Train(GenotypeRows train, GenotypeRows? validation, DiffusionSettings settings,
        string? checkpointPath, Action<TrainingProgress>? progress)
    {
        var config = settings.DenoiserFor(train.Variants, train.Ploidy.CallValues, train.Classes.Count);
        var diffusion = new GenotypeDiffusion(Denoiser.Create(config, new SeededRandom(settings.Seed)), settings, train.Ploidy);
        diffusion.Fit(train, validation, checkpointPath, progress);
        return diffusion;
    }

    private void Fit(GenotypeRows train, GenotypeRows? validation, string? checkpointPath, Action<TrainingProgress>? progress)
    {
        int m = train.Variants, batch = Math.Min(Settings.Batch, train.Rows);
        var x = new float[batch * m];
        var targets = new int[batch * m];
        var times = new float[batch];
        var labels = new int[batch];
        Tensor StepLoss(Graph g, int step)
        {
            var rng = new SeededRandom(Settings.Seed).Fork((ulong)step + 1);
            g.Random = rng.Fork(DropoutStream);
            for (int b = 0; b < batch; b++)
            {
                int row = rng.NextInt(train.Rows);
                int t = rng.NextInt(Settings.Timesteps);
                double ab = Schedule.AlphaBar[t];
                float signal = (float)Math.Sqrt(ab), noise = (float)Math.Sqrt(1 - ab);
                var values = train.Row(row);
                for (int j = 0; j < m; j++)
                {
                    x[b * m + j] = signal * Scale(values[j]) + noise * (float)rng.NextGaussian();
                    targets[b * m + j] = values[j];
                }
                times[b] = t;
                labels[b] = rng.NextFloat() < Settings.LabelDropout ? Model.NullLabel : train.ClassIndexes[row];
            }
            return g.CrossEntropy(Model.Forward(g, g.Constant(x, batch, m), times, labels), targets);
        }
        Func<double>? validationLoss = validation is { Rows: > 0 } ? () => ValidationLoss(validation) : null;
        _curve.AddRange(DenoiserTraining.Run(Model, Settings, StepLoss, validationLoss, checkpointPath, progress));
    }

    /// <summary>Mean cross-entropy on the validation rows at fixed noise levels with fixed noise (comparable across steps).</summary>
    private double ValidationLoss(GenotypeRows validation)
    {
        int m = validation.Variants;
        int rows = Math.Min(validation.Rows, 512);
        var pool = new BufferPool();
        double total = 0;
        int count = 0;
        foreach (double fraction in new[] { 0.1, 0.3, 0.5, 0.7, 0.9 })
        {
            int t = (int)(fraction * (Settings.Timesteps - 1));
            var rng = new SeededRandom(Settings.Seed ^ 0xABCDEFUL).Fork((ulong)t);
            double ab = Schedule.AlphaBar[t];
            var x = new float[rows * m];
            var targets = new int[rows * m];
            for (int r = 0; r < rows; r++)
            {
                var values = validation.Row(r);
                for (int j = 0; j < m; j++)
                {
                    x[r * m + j] = (float)(Math.Sqrt(ab) * Scale(values[j]) + Math.Sqrt(1 - ab) * rng.NextGaussian());
                    targets[r * m + j] = values[j];
                }
            }
            var g = new Graph(pool, gradEnabled: false);
            var labels = Enumerable.Range(0, rows).Select(r => validation.ClassIndexes[r]).ToArray();
            total += g.CrossEntropy(Model.Forward(g, g.Constant(x, rows, m), Enumerable.Repeat((float)t, rows).ToArray(), labels), targets).Item();
            count++;
            g.Reset();
        }
        return total / count;
    }

    /// <summary>
    /// Sampling over <paramref name="steps"/> respaced timesteps. At each step the clean genotypes are drawn from the
    /// predicted class probabilities (guided by w: (1+w) conditional - w unconditional logits, divided by the
    /// temperature), and the next noisy state comes from that draw, or from the calls' expected value when
    /// <paramref name="estimate"/> is Mean: the DDPM posterior (ancestral) or the DDIM update.
    /// </summary>
    public GenotypeRows Sample(RowLabels labels, int steps, float guidance, ulong seed, Action<int, int>? progress = null, int chunk = 512,
        SamplerKind sampler = SamplerKind.Ancestral, double eta = 0, float temperature = 1, CleanEstimate estimate = CleanEstimate.Draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        float sharpen = 1 / temperature;
        int m = Model.Config.Variants, k = Model.Config.Categories, n = labels.Count;
        var result = new byte[(long)n * m];
        var timesteps = Schedule.SamplingTimesteps(steps);
        var pool = new BufferPool();
        int chunks = (n + chunk - 1) / chunk;
        for (int c = 0; c < chunks; c++)
        {
            int first = c * chunk, rows = Math.Min(chunk, n - first);
            var rng = new SeededRandom(seed).Fork((ulong)c + 1);
            var x = new float[rows * m];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
            var drawn = new byte[rows * m];
            var rowLabels = labels.Indexes.AsSpan(first, rows).ToArray();
            var nullLabels = Enumerable.Repeat(Model.NullLabel, rows).ToArray();
            var probabilities = new float[k];
            for (int s = 0; s < timesteps.Length; s++)
            {
                int t = timesteps[s], previous = s + 1 < timesteps.Length ? timesteps[s + 1] : -1;
                var g = new Graph(pool, gradEnabled: false);
                var input = g.Constant(x, rows, m);
                var times = Enumerable.Repeat((float)t, rows).ToArray();
                var logits = Model.Forward(g, input, times, rowLabels).Data;
                float[]? unconditional = guidance != 0 ? Model.Forward(g, input, times, nullLabels).Data : null;
                var (onX0, onXt, stepSd) = Schedule.Step(sampler, t, previous, eta);
                float sd = (float)stepSd;
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < m; j++)
                    {
                        float max = float.NegativeInfinity;
                        for (int cat = 0; cat < k; cat++)
                        {
                            int index = (r * k + cat) * m + j;
                            float l = unconditional is null ? logits[index] : (1 + guidance) * logits[index] - guidance * unconditional[index];
                            if (sharpen != 1) l *= sharpen;
                            probabilities[cat] = l;
                            max = Math.Max(max, l);
                        }
                        float sum = 0;
                        for (int cat = 0; cat < k; cat++) sum += probabilities[cat] = MathF.Exp(probabilities[cat] - max);
                        int value = CategoricalDraw.Index(probabilities, rng.NextFloat() * sum);
                        drawn[r * m + j] = (byte)value;
                        if (previous >= 0)
                        {
                            float clean = estimate == CleanEstimate.Draw ? Scale((byte)value) : ExpectedScaled(probabilities, sum);
                            float mean = (float)(onX0 * clean + onXt * x[r * m + j]);
                            x[r * m + j] = mean + sd * (float)rng.NextGaussian();
                        }
                    }
                g.Reset();
                progress?.Invoke(c * timesteps.Length + s + 1, chunks * timesteps.Length);
            }
            drawn.CopyTo(result, (long)first * m);
        }
        return new GenotypeRows(_ploidy, n, m, result, labels: labels);
    }

    /// <summary>The expected scaled value of a call under unnormalised class weights (their total is <paramref name="sum"/>).</summary>
    private float ExpectedScaled(ReadOnlySpan<float> weights, float sum)
    {
        float expected = 0;
        for (int cat = 0; cat < weights.Length; cat++) expected += weights[cat] * Scale((byte)cat);
        return expected / sum;
    }

    // ---------------------------------------------------------------- persistence

    public void Save(string path, IReadOnlyDictionary<string, string> extra)
    {
        var meta = new Dictionary<string, string>(extra)
        {
            ["genosynth.model"] = "genotype-diffusion",
            ["config"] = JsonSerializer.Serialize(Model.Config),
            ["settings"] = JsonSerializer.Serialize(Settings),
            ["ploidy"] = _ploidy.Copies.ToString(CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, Model.NamedParameters(), meta);
    }

    public static GenotypeDiffusion Load(string path)
    {
        var loaded = SafeTensors.Load(path);
        var config = JsonSerializer.Deserialize<DenoiserConfig>(loaded.Metadata["config"])!;
        var settings = JsonSerializer.Deserialize<DiffusionSettings>(loaded.Metadata["settings"])!;
        var diffusion = new GenotypeDiffusion(Denoiser.Create(config, new SeededRandom(0)), settings,
            Ploidy.FromCopies(int.Parse(loaded.Metadata["ploidy"], CultureInfo.InvariantCulture)));
        SafeTensors.CopyInto(path, loaded.Tensors, diffusion.Model.NamedParameters(), rejectUnexpected: true);
        return diffusion;
    }
}
