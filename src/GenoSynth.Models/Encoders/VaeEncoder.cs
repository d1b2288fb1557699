using System.Globalization;
using System.Numerics;
using System.Text.Json;
using GenoSynth.Genotypes;
using GenoSynth.Models.Diffusion;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;
using GenoSynth.Neural.Layers;
using GenoSynth.Neural.Optim;

namespace GenoSynth.Models.Encoders;

/// <param name="Compression">Length reduction of the latent map (a power of two): L variants -> L / Compression positions.</param>
/// <param name="LatentChannels">Channels of the latent map; latent size = LatentChannels x L / Compression.</param>
/// <param name="Beta">Weight of the KL term per variant (loss = cross-entropy per call + Beta x KL / L).</param>
public sealed record VaeSettings(int Compression = 4, int LatentChannels = 4, int Channels = 64, double Beta = 0.01,
    int Steps = 2000, int Batch = 64, float LearningRate = 1e-3f, int ReportEvery = 250, ulong Seed = 1);

/// <summary>
/// SNPgen's encoder: one-hot genotypes [B, ploidy + 1, L] through a 1-D conv encoder (stride-2 convolutions down to
/// L / Compression positions) to a Gaussian latent map, and a mirrored decoder (upsample + conv) back to genotype
/// logits. Trained with cross-entropy reconstruction + beta KL; encoding = the posterior mean; decoding = argmax.
/// </summary>
public sealed class VaeEncoder : GenotypeEncoder
{
    public const string KindName = "vae";
    public override string Kind => KindName;
    public override int Variants => _config.Variants;
    public override int LatentSize => _config.LatentChannels * _config.PaddedLength / _config.Compression;
    public IReadOnlyList<TrainingLoss> LossCurve => _curve;
    public long ParameterCount => _network.ParameterCount;

    private readonly VaeConfig _config;
    private readonly VaeNetwork _network;
    private readonly List<TrainingLoss> _curve = [];

    public sealed record VaeConfig(int Variants, int Categories, int Compression, int LatentChannels, int Channels)
    {
        public int PaddedLength => (Variants + Compression - 1) / Compression * Compression;
        public int LatentLength => PaddedLength / Compression;
    }

    private VaeEncoder(VaeConfig config, VaeNetwork network)
    {
        _config = config;
        _network = network;
    }

    public static VaeEncoder Fit(GenotypeRows train, VaeSettings settings, Action<TrainingProgress>? progress = null)
    {
        if (settings.Compression < 1 || !BitOperations.IsPow2(settings.Compression)) throw new ArgumentException("compression must be a power of two");
        var config = new VaeConfig(train.Variants, train.Ploidy.CallValues, settings.Compression,
            settings.LatentChannels, settings.Channels);
        var vae = new VaeEncoder(config, new VaeNetwork(config, new SeededRandom(settings.Seed)));
        vae.Train(train, settings, progress);
        return vae;
    }

    private void Train(GenotypeRows train, VaeSettings settings, Action<TrainingProgress>? progress)
    {
        var parameters = _network.Parameters();
        var optimizer = new Adam(parameters, settings.LearningRate);
        var schedule = new WarmupCosineSchedule(settings.LearningRate, Math.Min(100, settings.Steps / 10), settings.Steps, settings.LearningRate * 0.05f);
        int batch = Math.Min(settings.Batch, train.Rows), l = _config.Variants;
        var rows = new int[batch];
        var targets = new int[batch * l];
        var noise = new float[batch * LatentSize];
        var pool = new BufferPool();
        double running = double.NaN;
        for (int step = 0; step < settings.Steps; step++)
        {
            var rng = new SeededRandom(settings.Seed).Fork((ulong)step + 1);
            for (int b = 0; b < batch; b++) rows[b] = rng.NextInt(train.Rows);
            for (int i = 0; i < noise.Length; i++) noise[i] = (float)rng.NextGaussian();
            for (int b = 0; b < batch; b++)
            {
                var row = train.Row(rows[b]);
                for (int j = 0; j < l; j++) targets[b * l + j] = row[j];
            }
            optimizer.LearningRate = schedule.At(step);
            var g = new Graph(pool);
            var (mu, logVariance) = _network.Encode(g, OneHot(g, train, rows));
            var z = g.Add(mu, g.Mul(g.Exp(g.Scale(logVariance, 0.5f)), g.Constant(noise, mu.Shape)));
            var reconstruction = g.CrossEntropy(_network.Decode(g, z), targets);
            var loss = g.Add(reconstruction, g.Scale(g.GaussianKl(mu, logVariance), (float)(settings.Beta / l)));
            optimizer.ZeroGrad();
            g.Backward(loss);
            GradientClipping.ClipByGlobalNorm(parameters, 1.0);
            optimizer.Step();
            double value = loss.Item(), ce = reconstruction.Item();
            g.Reset();
            running = double.IsNaN(running) ? value : 0.98 * running + 0.02 * value;
            if ((step + 1) % settings.ReportEvery == 0 || step + 1 == settings.Steps)
            {
                _curve.Add(new TrainingLoss(step + 1, Math.Round(running, 6), Math.Round(ce, 6)));
                progress?.Invoke(new TrainingProgress(step + 1, settings.Steps, running, null));
            }
        }
    }

    /// <summary>[rows, categories, padded length] one-hot calls; padding positions are all zero.</summary>
    private Tensor OneHot(Graph g, GenotypeRows set, ReadOnlySpan<int> rows)
    {
        int k = _config.Categories, lp = _config.PaddedLength;
        var x = g.New([rows.Length, k, lp]);
        for (int b = 0; b < rows.Length; b++)
        {
            var row = set.Row(rows[b]);
            for (int j = 0; j < row.Length; j++) x.Data[(b * k + row[j]) * lp + j] = 1;
        }
        return x;
    }

    public override LatentSet Encode(GenotypeRows rows)
    {
        var latents = new float[(long)rows.Rows * LatentSize];
        var pool = new BufferPool();
        for (int first = 0; first < rows.Rows; first += 256)
        {
            int count = Math.Min(256, rows.Rows - first);
            var g = new Graph(pool, gradEnabled: false);
            var (mu, _) = _network.Encode(g, OneHot(g, rows, Enumerable.Range(first, count).ToArray()));
            mu.Data.AsSpan(0, count * LatentSize).CopyTo(latents.AsSpan(first * LatentSize));
            g.Reset();
        }
        return new LatentSet(latents, rows.Rows, LatentSize, rows.ClassIndexes);
    }

    public override byte[] Decode(LatentSet latents) => DecodeCalls(latents, null);

    public override byte[] DecodeByDrawing(LatentSet latents, ulong seed) => DecodeCalls(latents, new SeededRandom(seed));

    /// <param name="draw">Null: argmax of each call's logits; otherwise a draw from their softmax (one generator fork per chunk of rows).</param>
    private byte[] DecodeCalls(LatentSet latents, SeededRandom? draw)
    {
        int l = _config.Variants, k = _config.Categories;
        var result = new byte[(long)latents.Rows * l];
        var probabilities = new float[k];
        ForEachChunkOfLogits(latents, (first, count, logits) =>
        {
            var rng = draw?.Fork((ulong)(first / DecodeChunk) + 1);
            for (int b = 0; b < count; b++)
                for (int j = 0; j < l; j++)
                {
                    int best = 0;
                    for (int c = 1; c < k; c++) if (logits[(b * k + c) * l + j] > logits[(b * k + best) * l + j]) best = c;
                    if (rng is not null)
                    {
                        float sum = 0, max = logits[(b * k + best) * l + j];
                        for (int c = 0; c < k; c++) sum += probabilities[c] = MathF.Exp(logits[(b * k + c) * l + j] - max);
                        best = CategoricalDraw.Index(probabilities, rng.NextFloat() * sum);
                    }
                    result[(long)(first + b) * l + j] = (byte)best;
                }
        });
        return result;
    }

    /// <summary>The decoder's p(x | z) for each call: rows x variants x categories, each triple (or pair) summing to 1.</summary>
    public float[] CallProbabilities(LatentSet latents)
    {
        int l = _config.Variants, k = _config.Categories;
        var result = new float[(long)latents.Rows * l * k];
        ForEachChunkOfLogits(latents, (first, count, logits) =>
        {
            for (int b = 0; b < count; b++)
                for (int j = 0; j < l; j++)
                {
                    var call = result.AsSpan((int)(((long)(first + b) * l + j) * k), k);
                    for (int c = 0; c < k; c++) call[c] = logits[(b * k + c) * l + j];
                    System.Numerics.Tensors.TensorPrimitives.SoftMax(call, call);
                }
        });
        return result;
    }

    private const int DecodeChunk = 256;

    /// <summary>Runs the decoder on chunks of latent rows; <paramref name="use"/> gets (first row, rows, logits [rows, categories, variants]).</summary>
    private void ForEachChunkOfLogits(LatentSet latents, Action<int, int, float[]> use)
    {
        var pool = new BufferPool();
        for (int first = 0; first < latents.Rows; first += DecodeChunk)
        {
            int count = Math.Min(DecodeChunk, latents.Rows - first);
            var g = new Graph(pool, gradEnabled: false);
            var z = g.Constant(latents.Values.AsSpan(first * LatentSize, count * LatentSize), count, _config.LatentChannels, _config.LatentLength);
            use(first, count, _network.Decode(g, z).Data);
            g.Reset();
        }
    }

    public override void Save(string path) =>
        SafeTensors.Save(path, _network.NamedParameters(), new Dictionary<string, string>
        {
            ["genosynth.encoder"] = KindName,
            ["config"] = JsonSerializer.Serialize(_config),
            ["curve"] = JsonSerializer.Serialize(_curve),
        });

    internal static VaeEncoder FromLoaded(string path, SafeTensors.Loaded loaded)
    {
        var config = JsonSerializer.Deserialize<VaeConfig>(loaded.Metadata["config"])!;
        var vae = new VaeEncoder(config, new VaeNetwork(config, new SeededRandom(0)));
        SafeTensors.CopyInto(path, loaded.Tensors, vae._network.NamedParameters(), rejectUnexpected: true);
        vae._curve.AddRange(JsonSerializer.Deserialize<List<TrainingLoss>>(loaded.Metadata["curve"])!);
        return vae;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"conv VAE, {_config.Variants} variants -> {_config.LatentChannels} x {_config.LatentLength} latent ({ParameterCount:N0} parameters)");

    /// <summary>The convolutional encoder and decoder.</summary>
    private sealed class VaeNetwork : Module
    {
        private readonly VaeConfig _config;
        private readonly Conv1d _inputConv, _latentConv, _decoderInput, _outputConv;
        private readonly List<Conv1d> _down = [], _up = [];

        public VaeNetwork(VaeConfig config, SeededRandom rng)
        {
            _config = config;
            int c = config.Channels, levels = BitOperations.Log2((uint)config.Compression);
            _inputConv = Child("encoder.input", new Conv1d(config.Categories, c, 5, rng, padding: 2));
            for (int i = 0; i < levels; i++) _down.Add(Child($"encoder.down.{i}", new Conv1d(c, c, 4, rng, stride: 2, padding: 1)));
            _latentConv = Child("encoder.latent", new Conv1d(c, 2 * config.LatentChannels, 3, rng, padding: 1));
            _decoderInput = Child("decoder.input", new Conv1d(config.LatentChannels, c, 3, rng, padding: 1));
            for (int i = 0; i < levels; i++) _up.Add(Child($"decoder.up.{i}", new Conv1d(c, c, 3, rng, padding: 1)));
            _outputConv = Child("decoder.output", new Conv1d(c, config.Categories, 5, rng, padding: 2));
        }

        /// <summary>Posterior mean and log-variance, each [B, latent channels, latent length].</summary>
        public (Tensor Mu, Tensor LogVariance) Encode(Graph g, Tensor oneHot)
        {
            var h = g.SiLU(_inputConv.Forward(g, oneHot));
            foreach (var down in _down) h = g.SiLU(down.Forward(g, h));
            var stats = _latentConv.Forward(g, h);
            int z = _config.LatentChannels;
            return (g.Narrow(stats, 1, 0, z), g.Narrow(stats, 1, z, z));
        }

        /// <summary>Logits [B, categories, variants] (padding cut off).</summary>
        public Tensor Decode(Graph g, Tensor z)
        {
            var h = g.SiLU(_decoderInput.Forward(g, z));
            foreach (var up in _up) h = g.SiLU(up.Forward(g, g.Upsample1d(h, 2)));
            var logits = _outputConv.Forward(g, h);
            return _config.PaddedLength == _config.Variants ? logits : g.Narrow(logits, 2, 0, _config.Variants);
        }
    }
}
