using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;

namespace GenoSynth.Models.Baselines;

/// <summary>Training settings of the RBM, built by name (Yelmen et al.'s defaults); saved as JSON in model files.
/// </summary>
public sealed record RbmSettings
{
    public int Hidden { get; init; } = 500;
    public int GibbsSteps { get; init; } = 10;
    public int TrainSteps { get; init; } = 2000;
    public int Batch { get; init; } = 500;
    public float LearningRate { get; init; } = 0.01f;
    public float WeightDecay { get; init; } = 1e-4f;
    public int EvaluateEvery { get; init; } = 250;
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// Yelmen et al.'s restricted Boltzmann machine baseline, trained by persistent contrastive divergence with centred
/// gradients. Visible units are binomial with n = ploidy (haplotype bits or dosages), plus an optional softmax
/// group for the class label: clamping it while sampling makes the model label-conditional. Offsets: visible
/// units are centred on the training means (which also initialise the visible biases), hidden units on 0.5.
/// </summary>
public sealed class GenotypeRbm
{
    private readonly int _variants, _classes, _hidden;
    private readonly Ploidy _ploidy;
    private readonly float[] _weights;      // [hidden, variants + classes]
    private readonly float[] _visibleBias;  // [variants + classes]
    private readonly float[] _hiddenBias;   // [hidden]
    private readonly float[] _visibleOffset; // [variants + classes]: training means of the visible units
    private const float HiddenOffset = 0.5f;

    public RbmSettings Settings { get; }
    public IReadOnlyList<TrainingLoss> LossCurve => _curve;
    private readonly List<TrainingLoss> _curve = [];
    private int VisibleUnits => _variants + _classes;
    public long ParameterCount => _weights.LongLength + _visibleBias.Length + _hiddenBias.Length;

    private GenotypeRbm(int variants, int classes, Ploidy ploidy, RbmSettings settings, float[] visibleOffset)
    {
        (_variants, _classes, _ploidy, _hidden, Settings) = (variants, classes, ploidy, settings.Hidden, settings);
        _weights = new float[_hidden * (variants + classes)];
        _visibleBias = new float[variants + classes];
        _hiddenBias = new float[_hidden];
        _visibleOffset = visibleOffset;
    }

    /// <param name="conditional">Model the class label as a softmax group (needed to sample per label).</param>
    public static GenotypeRbm Train(GenotypeRows train, GenotypeRows? validation, RbmSettings settings,
        bool conditional, Action<TrainingProgress>? progress)
    {
        int classes = conditional ? train.Classes.Count : 0;
        var mean = new float[train.Variants + classes];
        for (int r = 0; r < train.Rows; r++)
        {
            var row = train.Row(r);
            for (int j = 0; j < train.Variants; j++) mean[j] += row[j];
            if (conditional) mean[train.Variants + train.ClassIndexes[r]] += 1;
        }
        for (int j = 0; j < mean.Length; j++) mean[j] /= train.Rows;
        var rbm = new GenotypeRbm(train.Variants, classes, train.Ploidy, settings, mean);
        rbm.Fit(train, validation, conditional, progress);
        return rbm;
    }

    private void Fit(GenotypeRows train, GenotypeRows? validation, bool conditional, Action<TrainingProgress>? progress)
    {
        var rng = new SeededRandom(Settings.Seed);
        for (int i = 0; i < _weights.Length; i++) _weights[i] = 0.01f * (float)rng.NextGaussian();
        // Visible biases from the frequencies: the model starts as the independent sampler.
        for (int j = 0; j < _variants; j++)
        {
            double p = Math.Clamp(_visibleOffset[j] / _ploidy.Copies, 1e-3, 1 - 1e-3);
            _visibleBias[j] = (float)Math.Log(p / (1 - p));
        }
        for (int c = 0; c < _classes; c++) _visibleBias[_variants + c] = MathF.Log(Math.Max(_visibleOffset[_variants + c], 1e-3f));

        int batch = Math.Min(Settings.Batch, train.Rows), v = VisibleUnits, h = _hidden;
        var data = new float[batch * v];
        var dataHidden = new float[batch * h];
        var chain = new float[batch * v];   // persistent negative chains
        var chainHidden = new float[batch * h];
        var centredVisible = new float[batch * v];
        var centredHidden = new float[batch * h];
        var gradient = new float[h * v];
        var weightVelocity = new float[h * v];
        var visibleVelocity = new float[v];
        var hiddenVelocity = new float[h];
        for (int b = 0; b < batch; b++) LoadRow(train, rng.NextInt(train.Rows), conditional, chain.AsSpan(b * v, v));

        for (int step = 0; step < Settings.TrainSteps; step++)
        {
            var stepRng = new SeededRandom(Settings.Seed).Fork((ulong)step + 1);
            for (int b = 0; b < batch; b++) LoadRow(train, stepRng.NextInt(train.Rows), conditional, data.AsSpan(b * v, v));
            // SampleHidden leaves v - mu in its scratch: the positive phase <(v - mu)(h - 0.5)>_data is taken right away.
            SampleHidden(data, batch, dataHidden, centredVisible, null);
            CentreHidden(dataHidden, batch, centredHidden);
            Gemm.Multiply(true, false, h, v, batch, 1f / batch, centredHidden, 0, h, centredVisible, 0, v, 0f, gradient, 0, v);
            for (int k = 0; k < Settings.GibbsSteps; k++)
            {
                SampleHidden(chain, batch, chainHidden, centredVisible, stepRng.NextUInt64());
                SampleVisible(chainHidden, batch, chain, centredHidden, stepRng.NextUInt64(), clampLabels: false);
            }
            SampleHidden(chain, batch, chainHidden, centredVisible, null);

            // Negative phase: minus <(v - mu)(h - 0.5)>_model over the persistent chains.
            CentreHidden(chainHidden, batch, centredHidden);
            Gemm.Multiply(true, false, h, v, batch, -1f / batch, centredHidden, 0, h, centredVisible, 0, v, 1f, gradient, 0, v);
            // Momentum 0.5 while the chains settle, then 0.9 (Hinton's practical guide); learning rate decays linearly to 10 %.
            float lr = Settings.LearningRate * (1f - 0.9f * step / Settings.TrainSteps);
            float momentum = step < Settings.TrainSteps / 20 ? 0.5f : 0.9f;
            for (int i = 0; i < _weights.Length; i++)
                _weights[i] += weightVelocity[i] = momentum * weightVelocity[i] + lr * (gradient[i] - Settings.WeightDecay * _weights[i]);
            for (int j = 0; j < v; j++)
            {
                double d = 0;
                for (int b = 0; b < batch; b++) d += data[b * v + j] - chain[b * v + j];
                _visibleBias[j] += visibleVelocity[j] = momentum * visibleVelocity[j] + lr * (float)(d / batch);
            }
            for (int u = 0; u < h; u++)
            {
                double d = 0;
                for (int b = 0; b < batch; b++) d += dataHidden[b * h + u] - chainHidden[b * h + u];
                _hiddenBias[u] += hiddenVelocity[u] = momentum * hiddenVelocity[u] + lr * (float)(d / batch);
            }

            bool last = step + 1 == Settings.TrainSteps;
            if ((step + 1) % Settings.EvaluateEvery == 0 || last)
            {
                double error = ReconstructionError(train, conditional, Math.Min(train.Rows, 512));
                double? validationError = validation is { Rows: > 0 } ? ReconstructionError(validation, conditional, Math.Min(validation.Rows, 512)) : null;
                _curve.Add(new TrainingLoss(step + 1, Math.Round(error, 6), validationError is double e ? Math.Round(e, 6) : null));
                progress?.Invoke(new TrainingProgress(step + 1, Settings.TrainSteps, error, validationError));
            }
        }
    }

    private void LoadRow(GenotypeRows set, int row, bool conditional, Span<float> target)
    {
        var values = set.Row(row);
        for (int j = 0; j < _variants; j++) target[j] = values[j];
        if (conditional)
            for (int c = 0; c < _classes; c++) target[_variants + c] = set.ClassIndexes[row] == c ? 1 : 0;
    }

    private void CentreHidden(float[] hidden, int batch, float[] centredHidden)
    {
        for (int i = 0; i < batch * _hidden; i++) centredHidden[i] = hidden[i] - HiddenOffset;
    }

    private const int RowBlock = 32; // rows per parallel block; each block draws from its own stream, so results never depend on threads

    /// <summary>
    /// p(h = 1 | v) = sigmoid(c + W (v - mu)) for each row of <paramref name="visible"/>; with a stream seed the
    /// probabilities are replaced by Bernoulli draws. <paramref name="centred"/> is scratch of the visible's size.
    /// </summary>
    private void SampleHidden(float[] visible, int rows, float[] hidden, float[] centred, ulong? stream)
    {
        int v = VisibleUnits, h = _hidden;
        for (int b = 0; b < rows; b++)
            for (int j = 0; j < v; j++) centred[b * v + j] = visible[b * v + j] - _visibleOffset[j];
        Gemm.Multiply(false, true, rows, h, v, 1f, centred, 0, v, _weights, 0, v, 0f, hidden, 0, h);
        Engine.For((rows + RowBlock - 1) / RowBlock, block =>
        {
            var rng = stream is ulong seed ? new SeededRandom(seed).Fork((ulong)block) : null;
            int end = Math.Min(rows, (block + 1) * RowBlock);
            for (int b = block * RowBlock; b < end; b++)
                for (int u = 0; u < h; u++)
                {
                    float p = Sigmoid(hidden[b * h + u] + _hiddenBias[u]);
                    hidden[b * h + u] = rng is null ? p : rng.NextFloat() < p ? 1 : 0;
                }
        });
    }

    /// <summary>
    /// Draws v given binary h: each variant ~ Binomial(ploidy, sigmoid(b + W^T (h - 0.5))); the label group from its
    /// softmax unless clamped (then the visible label units keep their values). <paramref name="field"/> is scratch.
    /// </summary>
    private void SampleVisible(float[] hidden, int rows, float[] visible, float[] centredHidden, ulong stream, bool clampLabels)
    {
        int v = VisibleUnits, h = _hidden;
        var field = _field.Length >= rows * v ? _field : _field = new float[rows * v];
        for (int i = 0; i < rows * h; i++) centredHidden[i] = hidden[i] - HiddenOffset;
        Gemm.Multiply(false, false, rows, v, h, 1f, centredHidden, 0, h, _weights, 0, v, 0f, field, 0, v);
        Engine.For((rows + RowBlock - 1) / RowBlock, block =>
        {
            var rng = new SeededRandom(stream).Fork((ulong)block);
            Span<float> softmax = stackalloc float[Math.Max(1, _classes)];
            for (int b = block * RowBlock; b < Math.Min(rows, (block + 1) * RowBlock); b++)
            {
                for (int j = 0; j < _variants; j++)
                {
                    float p = Sigmoid(field[b * v + j] + _visibleBias[j]);
                    int count = 0;
                    for (int copy = 0; copy < _ploidy.Copies; copy++) if (rng.NextFloat() < p) count++;
                    visible[b * v + j] = count;
                }
                if (_classes == 0 || clampLabels) continue;
                float max = float.NegativeInfinity, sum = 0;
                for (int c = 0; c < _classes; c++) max = Math.Max(max, softmax[c] = field[b * v + _variants + c] + _visibleBias[_variants + c]);
                for (int c = 0; c < _classes; c++) sum += softmax[c] = MathF.Exp(softmax[c] - max);
                int chosen = CategoricalDraw.Index(softmax[.._classes], rng.NextFloat() * sum);
                for (int c = 0; c < _classes; c++) visible[b * v + _variants + c] = c == chosen ? 1 : 0;
            }
        });
    }

    private float[] _field = [];

    /// <summary>Mean absolute difference between the rows and their one-step mean-field reconstruction, per genotype call.</summary>
    private double ReconstructionError(GenotypeRows set, bool conditional, int rows)
    {
        int v = VisibleUnits;
        var visible = new float[rows * v];
        for (int r = 0; r < rows; r++) LoadRow(set, r, conditional, visible.AsSpan(r * v, v));
        var hidden = new float[rows * _hidden];
        SampleHidden(visible, rows, hidden, new float[rows * v], null);
        for (int i = 0; i < hidden.Length; i++) hidden[i] -= HiddenOffset;
        var field = new float[rows * v];
        Gemm.Multiply(false, false, rows, v, _hidden, 1f, hidden, 0, _hidden, _weights, 0, v, 0f, field, 0, v);
        double error = 0;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < _variants; j++)
                error += Math.Abs(_ploidy.Copies * Sigmoid(field[r * v + j] + _visibleBias[j]) - visible[r * v + j]);
        return error / ((double)rows * _variants);
    }

    /// <summary>
    /// Runs one Gibbs chain per requested row for <paramref name="sweeps"/> sweeps from draws of the independent model,
    /// labels clamped when the model is conditional; chains are advanced in chunks with one random stream per chunk.
    /// </summary>
    public GenotypeRows Sample(RowLabels labels, int sweeps, ulong seed, Action<int, int>? progress = null,
        int chunk = 1024)
    {
        int n = labels.Count, v = VisibleUnits;
        var result = new byte[(long)n * _variants];
        int chunks = (n + chunk - 1) / chunk;
        for (int c = 0; c < chunks; c++)
        {
            int first = c * chunk, rows = Math.Min(chunk, n - first);
            var rng = new SeededRandom(seed).Fork((ulong)c + 1);
            var visible = new float[rows * v];
            var hidden = new float[rows * _hidden];
            var centredVisible = new float[rows * v];
            var centredHidden = new float[rows * _hidden];
            for (int b = 0; b < rows; b++)
            {
                for (int j = 0; j < _variants; j++)
                {
                    float p = _visibleOffset[j] / _ploidy.Copies;
                    int count = 0;
                    for (int copy = 0; copy < _ploidy.Copies; copy++) if (rng.NextFloat() < p) count++;
                    visible[b * v + j] = count;
                }
                int label = labels.Indexes[first + b];
                for (int k = 0; k < _classes; k++) visible[b * v + _variants + k] = label == k ? 1 : 0;
            }
            for (int s = 0; s < sweeps; s++)
            {
                SampleHidden(visible, rows, hidden, centredVisible, rng.NextUInt64());
                SampleVisible(hidden, rows, visible, centredHidden, rng.NextUInt64(), clampLabels: true);
                progress?.Invoke(c * sweeps + s + 1, chunks * sweeps);
            }
            for (int b = 0; b < rows; b++)
                for (int j = 0; j < _variants; j++) result[(long)(first + b) * _variants + j] = (byte)visible[b * v + j];
        }
        return new GenotypeRows(_ploidy, n, _variants, result, labels: labels);
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    // ---------------------------------------------------------------- persistence

    public const string Kind = "rbm";

    public void Save(string path, IReadOnlyDictionary<string, string> extra)
    {
        var meta = new Dictionary<string, string>(extra)
        {
            ["genosynth.model"] = Kind,
            ["settings"] = System.Text.Json.JsonSerializer.Serialize(Settings),
            ["shape"] = string.Join(",", _variants, _classes, _ploidy.Copies).ToString(CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, [
            ("weights", Tensor.FromArray(_weights, _hidden, VisibleUnits)), ("visible_bias", Tensor.FromArray(_visibleBias, VisibleUnits)),
            ("hidden_bias", Tensor.FromArray(_hiddenBias, _hidden)), ("visible_offset", Tensor.FromArray(_visibleOffset, VisibleUnits))], meta);
    }

    public static GenotypeRbm Load(string path)
    {
        var loaded = SafeTensors.Load(path);
        var shape = loaded.Metadata["shape"].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var settings = System.Text.Json.JsonSerializer.Deserialize<RbmSettings>(loaded.Metadata["settings"])!;
        var rbm = new GenotypeRbm(shape[0], shape[1], Ploidy.FromCopies(shape[2]), settings,
            loaded.Tensors["visible_offset"].Span.ToArray());
        loaded.Tensors["weights"].Span.CopyTo(rbm._weights);
        loaded.Tensors["visible_bias"].Span.CopyTo(rbm._visibleBias);
        loaded.Tensors["hidden_bias"].Span.CopyTo(rbm._hiddenBias);
        return rbm;
    }
}
