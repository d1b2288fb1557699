using System.Globalization;
using System.Text.Json;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;
using GenoSynth.Neural.Layers;
using GenoSynth.Neural.Optim;

namespace GenoSynth.Models.Baselines;

/// <summary>Training settings of the GAN, built by name (Yelmen et al.'s defaults); saved as JSON in model files.
/// </summary>
public sealed record GanSettings
{
    public int Latent { get; init; } = 600;
    public int TrainSteps { get; init; } = 4000;
    public int Batch { get; init; } = 32;
    public float GeneratorLearningRate { get; init; } = 1e-4f;
    public float DiscriminatorLearningRate { get; init; } = 8e-4f;
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>One-sided label smoothing: the discriminator's target for real rows.</summary>
    public float RealTarget { get; init; } = 0.9f;
    public int EvaluateEvery { get; init; } = 250;
    public ulong Seed { get; init; } = 1;
}

/// <remarks>Saved as JSON; the ploidy as its number of allele copies (System.Text.Json's default for enums).</remarks>
public sealed record GanShape(int Variants, int Classes, Ploidy Ploidy, int Latent);

/// <summary>
/// Yelmen et al.'s GAN baseline: generator noise -> n/1.2 -> n/1.1 -> n (tanh), discriminator n -> n/2 -> n/3 -> 1,
/// LeakyReLU 0.01, Adam with L2, one-sided label smoothing on real rows. Conditional on the class through a one-hot
/// label appended to the noise and to the discriminator's input. Genotypes are scaled to [-1, 1]; generated values
/// are rounded to the nearest genotype.
/// </summary>
public sealed class GenotypeGan
{
    private readonly GanShape _shape;
    private readonly Mlp _generator, _discriminator;
    public GanSettings Settings { get; }
    public IReadOnlyList<TrainingLoss> LossCurve => _curve;
    private readonly List<TrainingLoss> _curve = [];
    public long ParameterCount => _generator.ParameterCount + _discriminator.ParameterCount;

    private GenotypeGan(GanShape shape, GanSettings settings)
    {
        (_shape, Settings) = (shape, settings);
        var rng = new SeededRandom(settings.Seed);
        int n = shape.Variants;
        _generator = new Mlp([shape.Latent + shape.Classes, Math.Max(1, (int)(n / 1.2)), Math.Max(1, (int)(n / 1.1)), n], rng);
        _discriminator = new Mlp([n + shape.Classes, Math.Max(1, n / 2), Math.Max(1, n / 3), 1], rng);
    }

    public static GenotypeGan Train(GenotypeRows train, GanSettings settings, bool conditional,
        Action<TrainingProgress>? progress)
    {
        var shape = new GanShape(train.Variants, conditional ? train.Classes.Count : 0, train.Ploidy, settings.Latent);
        var gan = new GenotypeGan(shape, settings);
        gan.Fit(train, progress);
        return gan;
    }

    private void Fit(GenotypeRows train, Action<TrainingProgress>? progress)
    {
        var generatorOptimizer = new Adam(_generator.Parameters(), Settings.GeneratorLearningRate, beta1: 0.5f, weightDecay: Settings.WeightDecay);
        var discriminatorOptimizer = new Adam(_discriminator.Parameters(), Settings.DiscriminatorLearningRate, beta1: 0.5f, weightDecay: Settings.WeightDecay);
        int batch = Math.Min(Settings.Batch, train.Rows), n = _shape.Variants, c = _shape.Classes;
        var pool = new BufferPool();
        double runningD = double.NaN, runningG = double.NaN;
        var real = new float[batch * (n + c)];
        var labels = new int[batch];
        var both = new float[2 * batch * (n + c)];
        var targets = new float[2 * batch]; // real rows: the smoothed target; generated rows: 0
        for (int b = 0; b < batch; b++) targets[b] = Settings.RealTarget;
        var ones = Enumerable.Repeat(1f, batch).ToArray();
        for (int step = 0; step < Settings.TrainSteps; step++)
        {
            var rng = new SeededRandom(Settings.Seed).Fork((ulong)step + 1);
            Array.Clear(real);
            for (int b = 0; b < batch; b++)
            {
                int row = rng.NextInt(train.Rows);
                labels[b] = train.ClassIndexes[row];
                var values = train.Row(row);
                for (int j = 0; j < n; j++) real[b * (n + c) + j] = CallScale.Centred(values[j], _shape.Ploidy);
                if (c > 0) real[b * (n + c) + n + labels[b]] = 1;
            }
            var noise = Noise(rng, batch, labels);

            // Discriminator: real rows towards the smoothed target, generated rows towards 0.
            var g = new Graph(pool);
            var fake = WithLabels(_generator.Forward(g, g.Constant(noise, batch, _shape.Latent + c), final: g.Tanh).Data, batch, labels);
            g.Reset();
            g = new Graph(pool);
            real.CopyTo(both, 0);
            fake.CopyTo(both, real.Length);
            var discriminatorLoss = g.BceWithLogits(_discriminator.Forward(g, g.Constant(both, 2 * batch, n + c), final: null), g.Constant(targets, 2 * batch, 1));
            discriminatorOptimizer.ZeroGrad();
            g.Backward(discriminatorLoss);
            discriminatorOptimizer.Step();
            double dLoss = discriminatorLoss.Item();
            g.Reset();

            // Generator: make the discriminator call its rows real (its gradients flow through the discriminator, whose step is not taken).
            g = new Graph(pool);
            var generated = _generator.Forward(g, g.Constant(noise, batch, _shape.Latent + c), final: g.Tanh);
            var withLabels = c > 0 ? g.Concat(1, generated, g.Constant(OneHot(batch, labels), batch, c)) : generated;
            var generatorLoss = g.BceWithLogits(_discriminator.Forward(g, withLabels, final: null), g.Constant(ones, batch, 1));
            generatorOptimizer.ZeroGrad();
            g.Backward(generatorLoss);
            generatorOptimizer.Step();
            double gLoss = generatorLoss.Item();
            g.Reset();

            runningD = double.IsNaN(runningD) ? dLoss : 0.98 * runningD + 0.02 * dLoss;
            runningG = double.IsNaN(runningG) ? gLoss : 0.98 * runningG + 0.02 * gLoss;
            if ((step + 1) % Settings.EvaluateEvery == 0 || step + 1 == Settings.TrainSteps)
            {
                // The curve records the generator's loss as "train" and the discriminator's as the second column.
                _curve.Add(new TrainingLoss(step + 1, Math.Round(runningG, 6), Math.Round(runningD, 6)));
                progress?.Invoke(new TrainingProgress(step + 1, Settings.TrainSteps, runningG, runningD));
            }
        }
    }

    private float[] Noise(SeededRandom rng, int rows, int[] labels)
    {
        int width = _shape.Latent + _shape.Classes;
        var noise = new float[rows * width];
        for (int b = 0; b < rows; b++)
        {
            for (int j = 0; j < _shape.Latent; j++) noise[b * width + j] = (float)rng.NextGaussian();
            if (_shape.Classes > 0) noise[b * width + _shape.Latent + labels[b]] = 1;
        }
        return noise;
    }

    private float[] OneHot(int rows, int[] labels)
    {
        var result = new float[rows * _shape.Classes];
        for (int b = 0; b < rows; b++) result[b * _shape.Classes + labels[b]] = 1;
        return result;
    }

    private float[] WithLabels(float[] generated, int rows, int[] labels)
    {
        int n = _shape.Variants, c = _shape.Classes;
        var result = new float[rows * (n + c)];
        for (int b = 0; b < rows; b++)
        {
            Array.Copy(generated, b * n, result, b * (n + c), n);
            if (c > 0) result[b * (n + c) + n + labels[b]] = 1;
        }
        return result;
    }

    /// <summary>Generates one row per label; tanh outputs are rounded to the nearest genotype.</summary>
    public GenotypeRows Sample(RowLabels labels, ulong seed, int chunk = 1024)
    {
        int n = _shape.Variants, total = labels.Count, copies = _shape.Ploidy.Copies;
        var result = new byte[(long)total * n];
        var pool = new BufferPool();
        for (int first = 0, c = 0; first < total; first += chunk, c++)
        {
            int rows = Math.Min(chunk, total - first);
            var rng = new SeededRandom(seed).Fork((ulong)c + 1);
            var chunkLabels = labels.Indexes.AsSpan(first, rows).ToArray();
            var g = new Graph(pool, gradEnabled: false);
            var output = _generator.Forward(g, g.Constant(Noise(rng, rows, chunkLabels), rows, _shape.Latent + _shape.Classes), final: g.Tanh).Data;
            for (int i = 0; i < rows * n; i++)
            {
                int call = (int)MathF.Round((output[i] + 1f) * 0.5f * copies);
                result[(long)first * n + i] = (byte)Math.Clamp(call, 0, copies);
            }
            g.Reset();
        }
        return new GenotypeRows(_shape.Ploidy, total, n, result, labels: labels);
    }

    // ---------------------------------------------------------------- persistence

    public const string Kind = "gan";

    public void Save(string path, IReadOnlyDictionary<string, string> extra)
    {
        var meta = new Dictionary<string, string>(extra)
        {
            ["genosynth.model"] = Kind,
            ["shape"] = JsonSerializer.Serialize(_shape),
            ["settings"] = JsonSerializer.Serialize(Settings),
        };
        SafeTensors.Save(path, _generator.NamedParameters("generator.").Concat(_discriminator.NamedParameters("discriminator.")), meta);
    }

    public static GenotypeGan Load(string path)
    {
        var loaded = SafeTensors.Load(path);
        var gan = new GenotypeGan(JsonSerializer.Deserialize<GanShape>(loaded.Metadata["shape"])!, JsonSerializer.Deserialize<GanSettings>(loaded.Metadata["settings"])!);
        SafeTensors.CopyInto(path, loaded.Tensors, gan._generator.NamedParameters("generator.").Concat(gan._discriminator.NamedParameters("discriminator.")), rejectUnexpected: true);
        return gan;
    }

    /// <summary>Dense layers with LeakyReLU(0.01) between them; the last layer's activation is the caller's.</summary>
    private sealed class Mlp : Module
    {
        private readonly List<Linear> _layers = [];

        public Mlp(int[] widths, SeededRandom rng)
        {
            for (int i = 0; i + 1 < widths.Length; i++) _layers.Add(Child($"layers.{i}", new Linear(widths[i], widths[i + 1], rng)));
        }

        public Tensor Forward(Graph g, Tensor x, Func<Tensor, Tensor>? final)
        {
            for (int i = 0; i < _layers.Count; i++)
            {
                x = _layers[i].Forward(g, x);
                x = i + 1 < _layers.Count ? g.LeakyReLU(x, 0.01f) : final is null ? x : final(x);
            }
            return x;
        }
    }
}
