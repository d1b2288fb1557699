using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.Layers;
using GenoSynth.Neural.Optim;

namespace GenoSynth.Evaluation;

/// <summary>A fitted classifier: class probabilities for rows of a set (features standardized with the training set's statistics).</summary>
public sealed class FittedClassifier(IReadOnlyList<string> classes, double[] means, double[] sds, Func<Graph, Tensor, Tensor> logits)
{
    public IReadOnlyList<string> Classes => classes;

    public float[] Probabilities(GenotypeRows set)
    {
        var g = new Graph(new BufferPool(), gradEnabled: false);
        var x = g.Constant(Linkage.Standardize(set, means, sds), set.Rows, set.Variants);
        return g.Softmax(logits(g, x)).Span.ToArray();
    }
}

public enum ClassifierKind { LogisticRegression, Mlp }

/// <summary>
/// The utility classifiers: multinomial logistic regression with an L2 penalty (as scikit-learn's C) and a small
/// MLP, trained with mini-batch Adam on our engine from a fixed seed (shuffles included), so their numbers repeat exactly.
/// </summary>
public static class Classifiers
{
    public static FittedClassifier Fit(ClassifierKind kind, GenotypeRows train, IReadOnlyList<string> labels,
        IReadOnlyList<string> classes,
        double c = 0.1, int? epochs = null, ulong seed = 1, int batchSize = 256)
    {
        var index = classes.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
        var targets = labels.Select(l => index[l]).ToArray();
        var means = Linkage.ColumnMeans(train);
        var sds = Linkage.ColumnSds(train, means);
        var features = Linkage.Standardize(train, means, sds);
        var rng = new SeededRandom(seed);
        int n = train.Rows, m = train.Variants, k = classes.Count;
        Linear first = kind == ClassifierKind.Mlp ? new Linear(m, 128, rng) : new Linear(m, k, rng, initScale: 0);
        Linear? second = kind == ClassifierKind.Mlp ? new Linear(128, k, rng) : null;
        Tensor Logits(Graph g, Tensor x) => second is null ? first.Forward(g, x) : second.Forward(g, g.ReLU(first.Forward(g, x)));
        var parameters = first.Parameters().Concat(second?.Parameters() ?? []).ToList();
        // L2 penalty ||w||^2 / (2 C n) on the weights, as in scikit-learn's LogisticRegression(C); its gradient is w / (C n).
        float decay = (float)(1.0 / (c * n));
        var weights = parameters.Where(p => p.Rank == 2).ToList();
        var optimizer = new Adam(parameters, kind == ClassifierKind.Mlp ? 1e-3f : 1e-2f);
        var pool = new BufferPool();
        int batch = Math.Min(batchSize, n);
        var order = Enumerable.Range(0, n).ToArray();
        var batchTargets = new int[batch];
        int totalEpochs = epochs ?? (kind == ClassifierKind.Mlp ? 15 : 50);
        for (int epoch = 0; epoch < totalEpochs; epoch++)
        {
            rng.Shuffle(order);
            for (int start = 0; start + batch <= n; start += batch)
            {
                var g = new Graph(pool);
                var x = g.New([batch, m], clear: false);
                for (int b = 0; b < batch; b++)
                {
                    Array.Copy(features, (long)order[start + b] * m, x.Data, (long)b * m, m);
                    batchTargets[b] = targets[order[start + b]];
                }
                var loss = g.CrossEntropy(Logits(g, x), batchTargets);
                optimizer.ZeroGrad();
                g.Backward(loss);
                foreach (var w in weights) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(w.Span, decay, w.GradSpan, w.GradSpan);
                optimizer.Step();
                g.Reset();
            }
        }
        return new FittedClassifier(classes, means, sds, Logits);
    }

    public static double Accuracy(FittedClassifier model, GenotypeRows test, IReadOnlyList<string> labels)
    {
        var p = model.Probabilities(test);
        int k = model.Classes.Count, correct = 0;
        for (int r = 0; r < test.Rows; r++)
        {
            int best = 0;
            for (int c = 1; c < k; c++) if (p[r * k + c] > p[r * k + best]) best = c;
            if (model.Classes[best] == labels[r]) correct++;
        }
        return (double)correct / test.Rows;
    }

    /// <summary>Macro-averaged one-vs-rest ROC AUC over the classes present in the test labels.</summary>
    public static double MacroAuc(FittedClassifier model, GenotypeRows test, IReadOnlyList<string> labels)
    {
        var p = model.Probabilities(test);
        int k = model.Classes.Count;
        var aucs = new List<double>();
        for (int c = 0; c < k; c++)
        {
            var positives = new List<double>();
            var negatives = new List<double>();
            for (int r = 0; r < test.Rows; r++) (labels[r] == model.Classes[c] ? positives : negatives).Add(p[r * k + c]);
            if (positives.Count > 0 && negatives.Count > 0) aucs.Add(Statistics.Auc(positives, negatives));
        }
        return aucs.Count == 0 ? double.NaN : aucs.Average();
    }
}

/// <summary>Per-variant logistic regression (the GWAS test) and the polygenic score built from its effect sizes.</summary>
public static class Association
{
    /// <summary>Per-variant log odds ratio and Wald p-value for case (label == caseLabel) vs the rest.</summary>
    public static (double[] Beta, double[] P) PerVariantLogistic(GenotypeRows set, IReadOnlyList<string> labels,
        string caseLabel)
    {
        int n = set.Rows, m = set.Variants;
        var y = labels.Select(l => l == caseLabel ? 1.0 : 0.0).ToArray();
        var beta = new double[m];
        var p = new double[m];
        GenoSynth.Neural.Engine.For(m, j =>
        {
            double b0 = 0, b1 = 0, se = double.NaN;
            for (int it = 0; it < 25; it++) // Newton-Raphson on (intercept, slope)
            {
                double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
                for (int r = 0; r < n; r++)
                {
                    double x = set.Values[(long)r * m + j];
                    double mu = 1 / (1 + Math.Exp(-(b0 + b1 * x)));
                    double w = mu * (1 - mu);
                    g0 += y[r] - mu; g1 += (y[r] - mu) * x;
                    h00 += w; h01 += w * x; h11 += w * x * x;
                }
                double det = h00 * h11 - h01 * h01;
                if (det <= 1e-12) { b1 = 0; se = double.NaN; break; }
                double d0 = (h11 * g0 - h01 * g1) / det, d1 = (h00 * g1 - h01 * g0) / det;
                b0 += d0; b1 += d1;
                se = Math.Sqrt(h00 / det);
                if (Math.Abs(d0) + Math.Abs(d1) < 1e-8) break;
            }
            beta[j] = double.IsFinite(b1) && Math.Abs(b1) < 20 ? b1 : 0;
            p[j] = double.IsNaN(se) || se == 0 ? 1 : TwoSidedNormalP(beta[j] / se);
        });
        return (beta, p);
    }

    public static double TwoSidedNormalP(double z) => Math.Clamp(Erfc(Math.Abs(z) / Math.Sqrt(2)), 0, 1);

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit, relative error &lt; 1.2e-7).</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>ROC AUC on <paramref name="test"/> of the score sum_j beta_j x_j.</summary>
    public static double ScoreAuc(double[] beta, GenotypeRows test, IReadOnlyList<string> labels, string caseLabel)
    {
        var cases = new List<double>();
        var controls = new List<double>();
        for (int r = 0; r < test.Rows; r++)
        {
            var row = test.Row(r);
            double s = 0;
            for (int j = 0; j < row.Length; j++) s += beta[j] * row[j];
            (labels[r] == caseLabel ? cases : controls).Add(s);
        }
        return Statistics.Auc(cases, controls);
    }
}
