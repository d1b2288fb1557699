using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;

namespace GenoSynth.Models.Diffusion;

/// <summary>
/// Training settings of a diffusion model (on genotypes or on latents), built by name; every default is here. Saved
/// as JSON in the model file (property order is the JSON's): the denoiser fields at their zero default are left out,
/// so MLP models saved before them read the same.
/// </summary>
public sealed record DiffusionSettings
{
    public int Width { get; init; } = 1024;
    public int Blocks { get; init; } = 2;
    public int Timesteps { get; init; } = 1000;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    public int TrainSteps { get; init; } = 3000;
    public int Batch { get; init; } = 256;
    public float LearningRate { get; init; } = 5e-4f;
    public int WarmupSteps { get; init; } = 100;
    public float WeightDecay { get; init; }
    public float EmaDecay { get; init; } = 0.999f;

    /// <summary>Share of training rows whose label is replaced by "no label" (classifier-free guidance).</summary>
    public float LabelDropout { get; init; } = 0.1f;
    public int EvaluateEvery { get; init; } = 250;
    public int CheckpointEvery { get; init; } = 250;
    public ulong Seed { get; init; } = 1;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public DenoiserKind Denoiser { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public float Dropout { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Patch { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Heads { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Channels { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Levels { get; init; }

    /// <summary>Stop after this many validation checks without a new best (0: train every step).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Patience { get; init; }

    /// <summary>The denoiser for rows of <paramref name="variants"/> values with <paramref name="categories"/> outputs each.</summary>
    public DenoiserConfig DenoiserFor(int variants, int categories, int classes) =>
        new(variants, categories, classes, Width, Blocks, Kind: Denoiser, Dropout: Dropout, Patch: Patch, Heads: Heads,
            Channels: Channels, Levels: Levels);
}

/// <summary>
/// Label-conditioned diffusion on genotypes: <see cref="ConditionalDiffusion{TRows, TTarget}"/> with a categorical
/// step. Clean values map to [-1, 1] (haplotype bits 2v-1, dosages v-1); the denoiser predicts the clean value's class
/// and is trained with cross-entropy at random noise levels. The weights returned are the EMA weights with the lowest
/// validation loss (validation rows only, fixed noise), never the holdout.
/// </summary>
public sealed class GenotypeDiffusion : ConditionalDiffusion<GenotypeRows, int>
{
    private readonly Ploidy _ploidy;

    private GenotypeDiffusion(Denoiser model, DiffusionSettings settings, Ploidy ploidy) : base(model, settings) =>
        _ploidy = ploidy;

    private float Scale(byte value) => CallScale.Centred(value, _ploidy);

    public static GenotypeDiffusion Train(GenotypeRows train, GenotypeRows? validation, DiffusionSettings settings,
        string? checkpointPath, Action<TrainingProgress>? progress)
    {
        var config = settings.DenoiserFor(train.Variants, train.Ploidy.CallValues, train.Classes.Count);
        var model = Denoiser.Create(config, new SeededRandom(settings.Seed));
        var diffusion = new GenotypeDiffusion(model, settings, train.Ploidy);
        diffusion.Fit(train, validation, checkpointPath, progress);
        return diffusion;
    }

    protected override int RowCount(GenotypeRows rows) => rows.Rows;

    protected override int ClassOf(GenotypeRows rows, int row) => rows.ClassIndexes[row];

    /// <remarks>
    /// Noise first, then the label dropout: the order of draws the committed models were trained with.
    /// </remarks>
    protected override int NoiseTrainingRow(GenotypeRows rows, int row, int t, SeededRandom rng, Span<float> noisy,
        Span<int> targets)
    {
        double ab = Schedule.AlphaBar[t];
        float signal = (float)Math.Sqrt(ab), noise = (float)Math.Sqrt(1 - ab);
        var values = rows.Row(row);
        for (int j = 0; j < values.Length; j++)
        {
            noisy[j] = signal * Scale(values[j]) + noise * (float)rng.NextGaussian();
            targets[j] = values[j];
        }
        return DropLabel(rng, rows.ClassIndexes[row]);
    }

    /// <remarks>Mixed in double precision, as the committed checkpoints were chosen.</remarks>
    protected override void NoiseValidationRow(GenotypeRows rows, int row, int t, SeededRandom rng, Span<float> noisy,
        Span<int> targets)
    {
        double ab = Schedule.AlphaBar[t];
        var values = rows.Row(row);
        for (int j = 0; j < values.Length; j++)
        {
            noisy[j] = (float)(Math.Sqrt(ab) * Scale(values[j]) + Math.Sqrt(1 - ab) * rng.NextGaussian());
            targets[j] = values[j];
        }
    }

    protected override Tensor Loss(Graph g, Tensor output, int[] targets, int rows) => g.CrossEntropy(output, targets);

    /// <summary>
    /// Sampling over <paramref name="steps"/> respaced timesteps. At each step the clean genotypes are drawn from the
    /// predicted class probabilities (guided by w: (1+w) conditional - w unconditional logits, divided by the
    /// temperature), and the next noisy state comes from that draw, or from the calls' expected value when
    /// <paramref name="estimate"/> is Mean: the DDPM posterior (ancestral) or the DDIM update.
    /// </summary>
    public GenotypeRows Sample(RowLabels labels, int steps, float guidance, ulong seed,
        Action<int, int>? progress = null, int chunk = 512, SamplerKind sampler = SamplerKind.Ancestral, double eta = 0,
        float temperature = 1, CleanEstimate estimate = CleanEstimate.Draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        var result = new byte[(long)labels.Count * Width];
        SampleChunks(labels.Indexes, steps, guidance, seed, sampler, eta, progress, chunk,
            (first, rows) => new CallSteps(this, rows, 1 / temperature, estimate,
                drawn => drawn.CopyTo(result, (long)first * Width)));
        return new GenotypeRows(_ploidy, labels.Count, Width, result, labels: labels);
    }

    /// <summary>
    /// The categorical step: draws each call from the (cooled) logits, steps towards it or its expected value.
    /// </summary>
    private sealed class CallSteps(GenotypeDiffusion owner, int rows, float sharpen, CleanEstimate estimate,
        Action<byte[]> finish) : SamplingChunk
    {
        private readonly byte[] _drawn = new byte[rows * owner.Width];
        private readonly float[] _probabilities = new float[owner.Model.Config.Categories];

        public override void Step(Span<float> x, ReadOnlySpan<float> logits, int t, int previous,
            (double OnX0, double OnXt, double Sd) update, SeededRandom rng)
        {
            int m = owner.Width, k = _probabilities.Length;
            float sd = (float)update.Sd;
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < m; j++)
                {
                    float max = float.NegativeInfinity;
                    for (int cat = 0; cat < k; cat++)
                    {
                        float l = logits[(r * k + cat) * m + j];
                        if (sharpen != 1) l *= sharpen;
                        _probabilities[cat] = l;
                        max = Math.Max(max, l);
                    }
                    float sum = 0;
                    for (int cat = 0; cat < k; cat++) sum += _probabilities[cat] = MathF.Exp(_probabilities[cat] - max);
                    int value = CategoricalDraw.Index(_probabilities, rng.NextFloat() * sum);
                    _drawn[r * m + j] = (byte)value;
                    if (previous >= 0)
                    {
                        float clean = estimate == CleanEstimate.Draw ? owner.Scale((byte)value) : ExpectedScaled(sum);
                        float mean = (float)(update.OnX0 * clean + update.OnXt * x[r * m + j]);
                        x[r * m + j] = mean + sd * (float)rng.NextGaussian();
                    }
                }
        }

        /// <summary>
        /// The expected scaled value of a call under the unnormalised class weights, whose total is the sum.
        /// </summary>
        private float ExpectedScaled(float sum)
        {
            float expected = 0;
            for (int cat = 0; cat < _probabilities.Length; cat++)
                expected += _probabilities[cat] * owner.Scale((byte)cat);
            return expected / sum;
        }

        public override void Finish() => finish(_drawn);
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
        var ploidy = Ploidy.FromCopies(int.Parse(loaded.Metadata["ploidy"], CultureInfo.InvariantCulture));
        var diffusion = new GenotypeDiffusion(Denoiser.Create(config, new SeededRandom(0)), settings, ploidy);
        SafeTensors.CopyInto(path, loaded.Tensors, diffusion.Model.NamedParameters(), rejectUnexpected: true);
        return diffusion;
    }
}
