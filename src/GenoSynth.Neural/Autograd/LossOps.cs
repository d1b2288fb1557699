namespace GenoSynth.Neural;

/// <summary>Losses (scalar outputs). Targets and masks are constants; means are over the (masked) elements.</summary>
public sealed partial class Graph
{
    /// <summary>sum(mask * (pred - target)^2) / sum(mask); without a mask the plain mean.</summary>
    public Tensor MseLoss(Tensor pred, Tensor target, Tensor? mask = null)
    {
        CheckSame(pred, target, "MseLoss");
        double sum = 0, weight = 0;
        for (int i = 0; i < pred.Length; i++)
        {
            float m = mask is null ? 1 : mask.Data[i % mask.Length];
            float d = pred.Data[i] - target.Data[i];
            sum += m * d * d;
            weight += m;
        }
        var y = New([1]);
        y.Data[0] = weight > 0 ? (float)(sum / weight) : 0;
        return Tracks(pred) ? Record(new MseOp(pred, target, mask, (float)weight), y) : y;
    }

    private sealed class MseOp(Tensor pred, Tensor target, Tensor? mask, float weight) : Op
    {
        internal override void Backward(Graph g)
        {
            if (weight <= 0) return;
            var dp = g.GradOf(pred);
            float scale = 2 * Output.Grad![0] / weight;
            for (int i = 0; i < pred.Length; i++)
            {
                float m = mask is null ? 1 : mask.Data[i % mask.Length];
                dp[i] += scale * m * (pred.Data[i] - target.Data[i]);
            }
        }
    }

    /// <summary>Binary cross-entropy on logits, numerically stable: max(x,0) - x*y + log(1 + e^-|x|).</summary>
    public Tensor BceWithLogits(Tensor logits, Tensor target, Tensor? mask = null)
    {
        CheckSame(logits, target, "BceWithLogits");
        double sum = 0, weight = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float m = mask is null ? 1 : mask.Data[i % mask.Length];
            float x = logits.Data[i], t = target.Data[i];
            sum += m * (MathF.Max(x, 0) - x * t + MathF.Log(1 + MathF.Exp(-MathF.Abs(x))));
            weight += m;
        }
        var y = New([1]);
        y.Data[0] = weight > 0 ? (float)(sum / weight) : 0;
        return Tracks(logits) ? Record(new BceOp(logits, target, mask, (float)weight), y) : y;
    }

    private sealed class BceOp(Tensor logits, Tensor target, Tensor? mask, float weight) : Op
    {
        internal override void Backward(Graph g)
        {
            if (weight <= 0) return;
            var dx = g.GradOf(logits);
            float scale = Output.Grad![0] / weight;
            for (int i = 0; i < logits.Length; i++)
            {
                float m = mask is null ? 1 : mask.Data[i % mask.Length];
                float s = 1f / (1f + MathF.Exp(-logits.Data[i]));
                dx[i] += scale * m * (s - target.Data[i]);
            }
        }
    }

    /// <summary>
    /// Cross-entropy over a class axis: logits [N, C] or [N, C, L] (class axis 1, as in PyTorch) and one class index per
    /// position ([N] or [N * L], position-major). Mean over positions.
    /// </summary>
    public Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets)
    {
        int n = logits.Shape[0], classes = logits.Shape[1];
        int length = logits.Rank == 3 ? logits.Shape[2] : 1;
        if (targets.Length != n * length) throw new ArgumentException($"CrossEntropy: {targets.Length} targets for {logits}");
        var probabilities = Scratch(logits.Length, clear: false);
        var copy = targets.ToArray();
        double loss = 0;
        for (int b = 0; b < n; b++)
            for (int l = 0; l < length; l++)
            {
                int baseIndex = b * classes * length + l;
                float max = float.NegativeInfinity;
                for (int c = 0; c < classes; c++) max = MathF.Max(max, logits.Data[baseIndex + c * length]);
                float sum = 0;
                for (int c = 0; c < classes; c++)
                {
                    float e = MathF.Exp(logits.Data[baseIndex + c * length] - max);
                    probabilities[baseIndex + c * length] = e;
                    sum += e;
                }
                for (int c = 0; c < classes; c++) probabilities[baseIndex + c * length] /= sum;
                int target = copy[b * length + l];
                if ((uint)target >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(targets), $"class {target} outside [0, {classes})");
                loss -= Math.Log(Math.Max(probabilities[baseIndex + target * length], 1e-30f));
            }
        var y = New([1]);
        y.Data[0] = (float)(loss / (n * length));
        return Tracks(logits) ? Record(new CrossEntropyOp(logits, copy, probabilities, classes, length), y) : y;
    }

    private sealed class CrossEntropyOp(Tensor logits, int[] targets, float[] probabilities, int classes, int length) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(logits);
            int n = logits.Shape[0];
            float scale = Output.Grad![0] / (n * length);
            for (int b = 0; b < n; b++)
                for (int l = 0; l < length; l++)
                {
                    int baseIndex = b * classes * length + l;
                    int target = targets[b * length + l];
                    for (int c = 0; c < classes; c++)
                    {
                        int i = baseIndex + c * length;
                        dx[i] += scale * (probabilities[i] - (c == target ? 1 : 0));
                    }
                }
        }
    }

    /// <summary>KL(N(mu, exp(logvar)) || N(0, 1)) summed over latent dimensions, averaged over the batch (axis 0).</summary>
    public Tensor GaussianKl(Tensor mu, Tensor logVariance)
    {
        CheckSame(mu, logVariance, "GaussianKl");
        int batch = mu.Shape[0];
        double sum = 0;
        for (int i = 0; i < mu.Length; i++)
        {
            float m = mu.Data[i], lv = logVariance.Data[i];
            sum += -0.5 * (1 + lv - m * m - MathF.Exp(lv));
        }
        var y = New([1]);
        y.Data[0] = (float)(sum / batch);
        return Tracks(mu) || Tracks(logVariance) ? Record(new KlOp(mu, logVariance, batch), y) : y;
    }

    private sealed class KlOp(Tensor mu, Tensor logVariance, int batch) : Op
    {
        internal override void Backward(Graph g)
        {
            float scale = Output.Grad![0] / batch;
            if (g.Tracks(mu))
            {
                var dm = g.GradOf(mu);
                for (int i = 0; i < mu.Length; i++) dm[i] += scale * mu.Data[i];
            }
            if (g.Tracks(logVariance))
            {
                var dl = g.GradOf(logVariance);
                for (int i = 0; i < mu.Length; i++) dl[i] += scale * 0.5f * (MathF.Exp(logVariance.Data[i]) - 1);
            }
        }
    }

    private static void CheckSame(Tensor a, Tensor b, string op)
    {
        if (a.Length != b.Length) throw new ArgumentException($"{op}: {a} and {b} differ in size");
    }
}
