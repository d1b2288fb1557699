using GenoSynth.Neural;

namespace GenoSynth.Models.Diffusion;

/// <summary>
/// The skeleton both diffusions share, on rows of a fixed width conditioned on a class label: training batches at
/// random noise levels with label dropout (<see cref="DenoiserTraining"/> runs them), the validation loss at five
/// fixed noise levels with fixed noise, and the sampling loop (chunks of rows, each with its own random stream, over
/// respaced timesteps, with classifier-free guidance). A diffusion plugs in how a clean row is noised and what the
/// denoiser's output is scored against (<see cref="Loss"/>), and how one sampling step moves x_t given the guided
/// prediction (<see cref="SamplingChunk"/>): a categorical step for genotype calls, a Gaussian one for latents.
/// </summary>
/// <typeparam name="TRows">The clean rows it learns, with a class per row.</typeparam>
/// <typeparam name="TTarget">What the loss compares each output with: a call's class, a regression target.</typeparam>
public abstract class ConditionalDiffusion<TRows, TTarget> where TRows : class where TTarget : unmanaged
{
    /// <summary>
    /// The fork of a step's generator that drives dropout masks (the batch draws use the step's own).
    /// </summary>
    internal const ulong DropoutStream = 0xD80;

    /// <summary>
    /// The validation loss averages these noise levels (fractions of the schedule) over up to 512 rows.
    /// </summary>
    private static readonly double[] ValidationLevels = [0.1, 0.3, 0.5, 0.7, 0.9];
    private const int MaxValidationRows = 512;

    public Denoiser Model { get; }
    public NoiseSchedule Schedule { get; }
    public DiffusionSettings Settings { get; }
    public IReadOnlyList<TrainingLoss> LossCurve => _curve;
    private readonly List<TrainingLoss> _curve = [];

    protected ConditionalDiffusion(Denoiser model, DiffusionSettings settings)
    {
        Model = model;
        Settings = settings;
        Schedule = new NoiseSchedule(settings.Schedule, settings.Timesteps);
    }

    /// <summary>Values per row, as the denoiser reads them.</summary>
    protected int Width => Model.Config.Variants;

    // ---------------------------------------------------------------- what a diffusion plugs in

    protected abstract int RowCount(TRows rows);

    protected abstract int ClassOf(TRows rows, int row);

    /// <summary>
    /// Writes training row <paramref name="row"/> noised to step <paramref name="t"/> and its targets, and returns the
    /// label the denoiser is conditioned on: the row's class, or the null label after <see cref="DropLabel"/>. Each
    /// diffusion draws the noise and the label dropout from <paramref name="rng"/> in its own order.
    /// </summary>
    protected abstract int NoiseTrainingRow(TRows rows, int row, int t, SeededRandom rng, Span<float> noisy,
        Span<TTarget> targets);

    /// <summary>Writes validation row <paramref name="row"/> noised to step t, and its targets.</summary>
    protected abstract void NoiseValidationRow(TRows rows, int row, int t, SeededRandom rng, Span<float> noisy,
        Span<TTarget> targets);

    /// <summary>The mean loss of the denoiser's output for the first rows against their targets.</summary>
    protected abstract Tensor Loss(Graph g, Tensor output, TTarget[] targets, int rows);

    /// <summary>
    /// The null label with probability <see cref="DiffusionSettings.LabelDropout"/> (one draw), else the label.
    /// </summary>
    protected int DropLabel(SeededRandom rng, int label) =>
        rng.NextFloat() < Settings.LabelDropout ? Model.NullLabel : label;

    /// <summary>
    /// Rows on their way from noise to data: keeps what a sampling step needs besides x_t (the latest clean estimate)
    /// and writes the result when the chunk is done.
    /// </summary>
    protected abstract class SamplingChunk
    {
        /// <summary>
        /// One step from <paramref name="t"/> to <paramref name="previous"/> (-1 after the last one: only the clean
        /// estimate is kept) given the guided denoiser output, as x_prev = OnX0 x0_hat + OnXt x_t + Sd z.
        /// </summary>
        public abstract void Step(Span<float> x, ReadOnlySpan<float> prediction, int t, int previous,
            (double OnX0, double OnXt, double Sd) update, SeededRandom rng);

        public abstract void Finish();
    }

    // ---------------------------------------------------------------- the skeleton

    protected void Fit(TRows train, TRows? validation, string? checkpointPath, Action<TrainingProgress>? progress)
    {
        int trainRows = RowCount(train), batch = Math.Min(Settings.Batch, trainRows);
        var x = new float[batch * Width];
        var targets = new TTarget[batch * Width];
        var times = new float[batch];
        var labels = new int[batch];
        Tensor StepLoss(Graph g, int step)
        {
            var rng = new SeededRandom(Settings.Seed).Fork((ulong)step + 1);
            g.Random = rng.Fork(DropoutStream);
            for (int b = 0; b < batch; b++)
            {
                int row = rng.NextInt(trainRows);
                int t = rng.NextInt(Settings.Timesteps);
                times[b] = t;
                var noisy = x.AsSpan(b * Width, Width);
                labels[b] = NoiseTrainingRow(train, row, t, rng, noisy, targets.AsSpan(b * Width, Width));
            }
            return Loss(g, Forward(g, x, batch, times, labels), targets, batch);
        }
        Func<double>? validationLoss = validation is not null && RowCount(validation) > 0
            ? () => ValidationLoss(validation)
            : null;
        _curve.AddRange(DenoiserTraining.Run(Model, Settings, StepLoss, validationLoss, checkpointPath, progress));
    }

    /// <summary>
    /// Mean loss on the validation rows at fixed noise levels with fixed noise (comparable over steps).
    /// </summary>
    private double ValidationLoss(TRows validation)
    {
        int rows = Math.Min(RowCount(validation), MaxValidationRows);
        var pool = new BufferPool();
        var x = new float[rows * Width];
        var targets = new TTarget[rows * Width];
        var labels = Enumerable.Range(0, rows).Select(r => ClassOf(validation, r)).ToArray();
        double total = 0;
        foreach (double level in ValidationLevels)
        {
            int t = (int)(level * (Settings.Timesteps - 1));
            var rng = new SeededRandom(Settings.Seed ^ 0xABCDEFUL).Fork((ulong)t);
            for (int r = 0; r < rows; r++)
                NoiseValidationRow(validation, r, t, rng, x.AsSpan(r * Width, Width), targets.AsSpan(r * Width, Width));
            var g = new Graph(pool, gradEnabled: false);
            var times = Enumerable.Repeat((float)t, rows).ToArray();
            total += Loss(g, Forward(g, x, rows, times, labels), targets, rows).Item();
            g.Reset();
        }
        return total / ValidationLevels.Length;
    }

    private Tensor Forward(Graph g, float[] x, int rows, ReadOnlySpan<float> times, ReadOnlySpan<int> labels) =>
        Model.Forward(g, g.Constant(x.AsSpan(0, rows * Width), rows, Width), times, labels);

    /// <summary>
    /// Denoises Gaussian noise over <paramref name="steps"/> respaced timesteps for the given class indexes. With
    /// guidance w the prediction is (1 + w) conditional - w unconditional. Rows go in chunks, each drawing from its own
    /// random stream (initial noise first), so the result does not depend on threading.
    /// </summary>
    /// <param name="start">The chunk of <c>rows</c> rows that begins at row <c>first</c>.</param>
    protected void SampleChunks(int[] labels, int steps, float guidance, ulong seed, SamplerKind sampler, double eta,
        Action<int, int>? progress, int chunk, Func<int, int, SamplingChunk> start)
    {
        int n = labels.Length;
        var timesteps = Schedule.SamplingTimesteps(steps);
        var pool = new BufferPool();
        int chunks = (n + chunk - 1) / chunk;
        for (int c = 0; c < chunks; c++)
        {
            int first = c * chunk, rows = Math.Min(chunk, n - first);
            var rng = new SeededRandom(seed).Fork((ulong)c + 1);
            var x = new float[rows * Width];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
            var state = start(first, rows);
            var rowLabels = labels.AsSpan(first, rows).ToArray();
            var nullLabels = Enumerable.Repeat(Model.NullLabel, rows).ToArray();
            float[]? guided = null;
            for (int s = 0; s < timesteps.Length; s++)
            {
                int t = timesteps[s], previous = s + 1 < timesteps.Length ? timesteps[s + 1] : -1;
                var g = new Graph(pool, gradEnabled: false);
                var times = Enumerable.Repeat((float)t, rows).ToArray();
                ReadOnlySpan<float> prediction = Forward(g, x, rows, times, rowLabels).Span;
                if (guidance != 0)
                {
                    var unconditional = Forward(g, x, rows, times, nullLabels).Span;
                    guided ??= new float[prediction.Length];
                    for (int i = 0; i < guided.Length; i++)
                        guided[i] = (1 + guidance) * prediction[i] - guidance * unconditional[i];
                    prediction = guided;
                }
                state.Step(x, prediction, t, previous, Schedule.Step(sampler, t, previous, eta), rng);
                g.Reset();
                progress?.Invoke(c * timesteps.Length + s + 1, chunks * timesteps.Length);
            }
            state.Finish();
        }
    }
}
