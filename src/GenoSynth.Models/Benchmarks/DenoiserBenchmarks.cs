using System.Diagnostics;
using GenoSynth.Models.Diffusion;
using GenoSynth.Neural;
using GenoSynth.Neural.Optim;

namespace GenoSynth.Models.Benchmarks;

public sealed record DenoiserStepFigure(string Denoiser, string Settings, long Parameters, int Batch, double MillisecondsPerStep,
    double StepsPerSecond, double SampleMillisecondsPerStep);

/// <summary>
/// Training-step and sampling-step time of each denoiser on the 805-SNP benchmark's shape (haplotypes: two categories,
/// five superpopulation labels) with the settings its workflows use, so a denoiser's cost per step is known before a
/// spec asks for it. Median of timed steps after warm-up; a step is forward, cross-entropy, backward and AdamW.
/// </summary>
public static class DenoiserBenchmarks
{
    public const int Variants = 805, Categories = 2, Classes = 5, Batch = 256;

    public static readonly (string Settings, DenoiserConfig Config)[] Cases =
    [
        ("width 1024, blocks 2, dropout 0.1", new(Variants, Categories, Classes, 1024, 2, Dropout: 0.1f)),
        ("width 128, 2 layers, patch 32, 4 heads", new(Variants, Categories, Classes, 128, 2, Kind: DenoiserKind.Transformer, Patch: 32, Heads: 4)),
        ("width 128, channels 32, 2 levels, 4 heads", new(Variants, Categories, Classes, 128, 2, Kind: DenoiserKind.ConvUnet, Heads: 4, Channels: 32, Levels: 2)),
        ("width 128, patch 4, channels 64, 3 levels, 4 heads", new(Variants, Categories, Classes, 128, 2, Kind: DenoiserKind.ConvUnet, Patch: 4, Heads: 4, Channels: 64, Levels: 3)),
        ("MLP width 1024 x 2 + U-Net patch 4, channels 64, 3 levels", new(Variants, Categories, Classes, 1024, 2, Kind: DenoiserKind.Hybrid, Patch: 4, Heads: 4, Channels: 64, Levels: 3)),
    ];

    public static IReadOnlyList<DenoiserStepFigure> Run(int steps = 10, Action<string>? log = null)
    {
        var figures = new List<DenoiserStepFigure>();
        foreach (var (settings, config) in Cases)
        {
            var figure = Measure(settings, config, steps);
            log?.Invoke($"{figure.Denoiser,-12} {figure.MillisecondsPerStep,9:F1} ms/step {figure.StepsPerSecond,6:F2} steps/s  sampling {figure.SampleMillisecondsPerStep,8:F1} ms/step (batch {Batch})  {figure.Parameters,10:N0} parameters  {settings}");
            figures.Add(figure);
        }
        return figures;
    }

    private static DenoiserStepFigure Measure(string settings, DenoiserConfig config, int steps)
    {
        var rng = new SeededRandom(7);
        var model = Denoiser.Create(config, rng);
        var optimizer = Adam.AdamW(model.Parameters(), 2e-4f);
        var pool = new BufferPool();
        var x = Tensor.Randn(rng, 1, Batch, Variants);
        var times = Enumerable.Range(0, Batch).Select(i => (float)(i * 7 % 1000)).ToArray();
        var labels = Enumerable.Range(0, Batch).Select(i => i % (Classes + 1)).ToArray();
        var targets = Enumerable.Range(0, Batch * Variants).Select(i => (i * 31 + i / 7) % Categories).ToArray();
        var training = new Graph(pool, random: new SeededRandom(8));

        void TrainStep()
        {
            var logits = model.Forward(training, x, times, labels); // [B, K, m] -> rows of K logits
            var rows = training.Reshape(training.Permute(logits, 0, 2, 1), Batch * Variants, Categories);
            var loss = training.CrossEntropy(rows, targets);
            optimizer.ZeroGrad();
            training.Backward(loss);
            optimizer.Step();
            training.Reset();
        }

        var sampling = new Graph(pool, gradEnabled: false);
        void SampleStep()
        {
            model.Forward(sampling, x, times, labels);
            sampling.Reset();
        }

        double train = Median(TrainStep, steps);
        return new DenoiserStepFigure(SpecName(config.Kind), settings, model.ParameterCount, Batch, Math.Round(train, 1),
            Math.Round(1000 / train, 2), Math.Round(Median(SampleStep, steps), 1));
    }

    private static string SpecName(DenoiserKind kind) => kind switch
    {
        DenoiserKind.ConvUnet => "conv-unet",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static double Median(Action step, int steps)
    {
        step();
        step(); // warm-up: JIT, pooled buffers, packing
        var samples = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            var sw = Stopwatch.StartNew();
            step();
            samples[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(samples);
        return samples[steps / 2];
    }
}
