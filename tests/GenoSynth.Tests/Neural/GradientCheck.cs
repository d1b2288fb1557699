using GenoSynth.Neural;

namespace GenoSynth.Tests.Neural;

/// <summary>
/// Compares autograd gradients with central finite differences of loss = sum(output * R) for a fixed random R.
/// Float32 arithmetic, so eps is 1e-2 and the tolerance is 2 % relative plus an absolute floor.
/// </summary>
public static class GradientCheck
{
    public static void Check(Func<Graph, Tensor> forward, IReadOnlyList<Tensor> inputs, double eps = 1e-2, double relTol = 2e-2,
        double absTol = 3e-3, int maxElementsPerInput = 40, ulong seed = 1)
    {
        var pool = new BufferPool();
        foreach (var p in inputs) Array.Clear(p.Grad!);

        var g = new Graph(pool, random: new SeededRandom(seed));
        var output = forward(g);
        var weights = new float[output.Length];
        var rng = new SeededRandom(seed + 100);
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)rng.NextGaussian();
        var loss = g.Sum(g.Mul(output, g.Constant(weights, output.Shape)));
        g.Backward(loss);
        var analytic = inputs.Select(p => p.GradSpan.ToArray()).ToList();
        g.Reset();

        double Evaluate()
        {
            var ng = new Graph(pool, gradEnabled: false, random: new SeededRandom(seed)) { Training = true };
            var y = forward(ng);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)y.Data[i] * weights[i];
            ng.Reset();
            return s;
        }

        var pick = new SeededRandom(seed + 200);
        for (int t = 0; t < inputs.Count; t++)
        {
            var p = inputs[t];
            var elements = p.Length <= maxElementsPerInput
                ? Enumerable.Range(0, p.Length)
                : Enumerable.Range(0, maxElementsPerInput).Select(_ => pick.NextInt(p.Length)).Distinct();
            foreach (int i in elements)
            {
                float original = p.Data[i];
                p.Data[i] = (float)(original + eps);
                double plus = Evaluate();
                p.Data[i] = (float)(original - eps);
                double minus = Evaluate();
                p.Data[i] = original;
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic[t][i];
                Assert.True(Math.Abs(a - numeric) <= absTol + relTol * Math.Max(Math.Abs(a), Math.Abs(numeric)),
                    $"input {t} ({p}) element {i}: analytic {a:G6}, numeric {numeric:G6}");
            }
        }
    }

    /// <summary>A parameter filled with N(0,1) values kept at least <paramref name="awayFromZero"/> from 0 (for kinked functions).</summary>
    public static Tensor Input(ulong seed, float awayFromZero, params int[] shape)
    {
        var t = Tensor.Randn(new SeededRandom(seed), 1f, shape);
        for (int i = 0; i < t.Length; i++)
            if (MathF.Abs(t.Data[i]) < awayFromZero) t.Data[i] = t.Data[i] < 0 ? -awayFromZero - 0.1f : awayFromZero + 0.1f;
        return Tensor.Parameter(t, $"x{seed}");
    }

    public static Tensor Input(ulong seed, params int[] shape) => Input(seed, 0f, shape);
}
