using System.Numerics;

namespace GenoSynth.Neural.Optim;

/// <summary>Updates parameters from their gradients. Element-wise, so any split over threads gives the same bytes.</summary>
public abstract class Optimizer(IReadOnlyList<Tensor> parameters, float learningRate)
{
    public IReadOnlyList<Tensor> Parameters { get; } = parameters;
    public float LearningRate { get; set; } = learningRate;
    public long StepCount { get; protected set; }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) Array.Clear(p.Grad!);
    }

    public abstract void Step();

    /// <summary>State tensors for checkpoints: a kind ("adam.m") and the index of the parameter each belongs to.</summary>
    public abstract IEnumerable<(string Kind, int Parameter, Tensor State)> State();

    public void RestoreStep(long step) => StepCount = step;

    /// <summary>Runs body over [0, n) in fixed chunks on the engine's threads.</summary>
    protected static void ForChunks(int n, Action<int, int> body)
    {
        const int chunk = 1 << 16;
        int chunks = (n + chunk - 1) / chunk;
        Engine.For(chunks, c => body(c * chunk, Math.Min(n, (c + 1) * chunk)));
    }
}

/// <summary>
/// Adam (Kingma and Ba). With <c>decoupledWeightDecay</c> it is AdamW (Loshchilov and Hutter): the decay shrinks the
/// weights directly instead of being added to the gradient.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] _m, _v;
    private readonly float _beta1, _beta2, _eps, _weightDecay;
    private readonly bool _decoupled;

    public Adam(IReadOnlyList<Tensor> parameters, float learningRate, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 0, bool decoupledWeightDecay = false) : base(parameters, learningRate)
    {
        _m = parameters.Select(p => new float[p.Length]).ToArray();
        _v = parameters.Select(p => new float[p.Length]).ToArray();
        (_beta1, _beta2, _eps, _weightDecay, _decoupled) = (beta1, beta2, eps, weightDecay, decoupledWeightDecay);
    }

    public static Adam AdamW(IReadOnlyList<Tensor> parameters, float learningRate, float weightDecay = 0.01f) =>
        new(parameters, learningRate, weightDecay: weightDecay, decoupledWeightDecay: true);

    public override void Step()
    {
        StepCount++;
        float c1 = 1f / (1f - MathF.Pow(_beta1, StepCount));
        float c2 = 1f / (1f - MathF.Pow(_beta2, StepCount));
        float lr = LearningRate;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Data;
            var grad = Parameters[i].Grad!;
            var m = _m[i];
            var v = _v[i];
            ForChunks(Parameters[i].Length, (start, end) => Update(p, grad, m, v, start, end, lr, c1, c2));
        }
    }

    private void Update(float[] p, float[] grad, float[] m, float[] v, int start, int end, float lr, float c1, float c2)
    {
        float b1 = _beta1, b2 = _beta2, eps = _eps, wd = _weightDecay;
        int j = start;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var vb1 = new Vector<float>(b1); var vb2 = new Vector<float>(b2);
            var v1b1 = new Vector<float>(1 - b1); var v1b2 = new Vector<float>(1 - b2);
            var vc1 = new Vector<float>(c1); var vc2 = new Vector<float>(c2);
            var vlr = new Vector<float>(lr); var veps = new Vector<float>(eps); var vwd = new Vector<float>(wd);
            for (; j + width <= end; j += width)
            {
                var pj = new Vector<float>(p, j);
                var gj = new Vector<float>(grad, j);
                if (!_decoupled && wd != 0) gj += vwd * pj;
                var mj = vb1 * new Vector<float>(m, j) + v1b1 * gj;
                var vj = vb2 * new Vector<float>(v, j) + v1b2 * gj * gj;
                mj.CopyTo(m, j);
                vj.CopyTo(v, j);
                if (_decoupled && wd != 0) pj -= vlr * vwd * pj;
                pj -= vlr * (mj * vc1) / (Vector.SquareRoot(vj * vc2) + veps);
                pj.CopyTo(p, j);
            }
        }
        for (; j < end; j++)
        {
            float g = grad[j];
            if (!_decoupled && wd != 0) g += wd * p[j];
            m[j] = b1 * m[j] + (1 - b1) * g;
            v[j] = b2 * v[j] + (1 - b2) * g * g;
            if (_decoupled && wd != 0) p[j] -= lr * wd * p[j];
            p[j] -= lr * (m[j] * c1) / (MathF.Sqrt(v[j] * c2) + eps);
        }
    }

    public override IEnumerable<(string, int, Tensor)> State() =>
        Parameters.SelectMany((p, i) => new[] { ("adam.m", i, new Tensor(_m[i], p.Shape)), ("adam.v", i, new Tensor(_v[i], p.Shape)) });
}

/// <summary>Linear warm-up to the base rate, then cosine decay to <c>minLearningRate</c> at <c>totalSteps</c>.</summary>
public sealed record WarmupCosineSchedule(float BaseLearningRate, int WarmupSteps, int TotalSteps, float MinLearningRate = 0)
{
    public float At(long step)
    {
        if (step < WarmupSteps) return BaseLearningRate * (step + 1) / WarmupSteps;
        double progress = Math.Min(1, (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps));
        return (float)(MinLearningRate + 0.5 * (BaseLearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * progress)));
    }
}

public static class GradientClipping
{
    /// <summary>Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before.</summary>
    public static double ClipByGlobalNorm(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        double sum = 0;
        foreach (var p in parameters) // fixed order, double accumulation
            sum += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(p.GradSpan);
        double norm = Math.Sqrt(sum);
        if (norm > maxNorm && norm > 0)
        {
            float scale = (float)(maxNorm / norm);
            foreach (var p in parameters) System.Numerics.Tensors.TensorPrimitives.Multiply(p.GradSpan, scale, p.GradSpan);
        }
        return norm;
    }
}

/// <summary>Exponential moving average of weights, the copy diffusion models sample with.</summary>
public sealed class ExponentialMovingAverage
{
    private readonly IReadOnlyList<Tensor> _parameters;
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Averaged copies, one per parameter, in the same order.</summary>
    public IReadOnlyList<Tensor> Shadow { get; }
    public float Decay { get; }

    public ExponentialMovingAverage(IReadOnlyList<Tensor> parameters, float decay)
    {
        _parameters = parameters;
        Decay = decay;
        Shadow = parameters.Select(p => { var s = p.CloneDetached(); s.Name = p.Name; return s; }).ToList();
    }

    /// <summary>
    /// s = d * s + (1 - d) * p. With a step number, d = min(Decay, (1 + step) / (10 + step)): early on the average
    /// follows the weights closely instead of staying near their random initial values.
    /// </summary>
    public void Update(long? step = null)
    {
        float decay = step is long t ? Math.Min(Decay, (1f + t) / (10f + t)) : Decay;
        for (int i = 0; i < _parameters.Count; i++)
        {
            var s = Shadow[i].Span;
            var p = _parameters[i].Span;
            System.Numerics.Tensors.TensorPrimitives.Multiply(s, decay, s);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p, 1 - decay, s, s);
        }
    }

    /// <summary>Swaps the averaged weights into the live parameters (call again to swap back).</summary>
    public void Swap()
    {
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i].Span;
            var s = Shadow[i].Span;
            for (int j = 0; j < p.Length; j++) (p[j], s[j]) = (s[j], p[j]);
        }
    }
}
