namespace GenoSynth.Evaluation;

/// <summary>The small statistics the metrics are built from, each written out plainly.</summary>
public static class Statistics
{
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    public static double MeanAbsoluteDifference(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Count; i++) s += Math.Abs(x[i] - y[i]);
        return s / x.Count;
    }

    public static (double Mean, double Sd) MeanSd(IReadOnlyList<double> x)
    {
        double mean = x.Average();
        double sd = x.Count > 1 ? Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Count - 1)) : 0;
        return (mean, sd);
    }

    /// <summary>Wasserstein-1 distance between two empirical distributions: the area between their CDFs.</summary>
    public static double Wasserstein1(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var x = a.Order().ToArray();
        var y = b.Order().ToArray();
        var all = x.Concat(y).Order().ToArray();
        double distance = 0;
        int i = 0, j = 0;
        for (int k = 0; k < all.Length - 1; k++)
        {
            while (i < x.Length && x[i] <= all[k]) i++;
            while (j < y.Length && y[j] <= all[k]) j++;
            distance += Math.Abs((double)i / x.Length - (double)j / y.Length) * (all[k + 1] - all[k]);
        }
        return distance;
    }

    /// <summary>The q-quantile (0..1), interpolated linearly between order statistics as numpy's default
    /// does.</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        double h = (sorted.Length - 1) * q;
        int low = (int)Math.Floor(h);
        return low + 1 >= sorted.Length ? sorted[^1] : sorted[low] + (h - low) * (sorted[low + 1] - sorted[low]);
    }

    /// <summary>Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value.</summary>
    public static (double Statistic, double P) KolmogorovSmirnov(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var x = a.Order().ToArray();
        var y = b.Order().ToArray();
        int i = 0, j = 0;
        double d = 0;
        while (i < x.Length && j < y.Length)
        {
            double v = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= v) i++;
            while (j < y.Length && y[j] <= v) j++;
            d = Math.Max(d, Math.Abs((double)i / x.Length - (double)j / y.Length));
        }
        double ne = (double)x.Length * y.Length / (x.Length + y.Length);
        double lambda = (Math.Sqrt(ne) + 0.12 + 0.11 / Math.Sqrt(ne)) * d;
        return (d, KolmogorovQ(lambda));
    }

    private static double KolmogorovQ(double lambda)
    {
        if (lambda < 1e-3) return 1;
        double sum = 0;
        for (int k = 1; k <= 100; k++)
        {
            double term = 2 * (k % 2 == 1 ? 1 : -1) * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12) break;
        }
        return Math.Clamp(sum, 0, 1);
    }

    /// <summary>Area under the ROC curve of scores for positives vs negatives (Mann-Whitney U, ties count one half).</summary>
    public static double Auc(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        var all = positives.Select(s => (s, 1)).Concat(negatives.Select(s => (s, 0))).OrderBy(t => t.s).ToArray();
        double rankSumPositives = 0;
        int k = 0;
        while (k < all.Length)
        {
            int end = k;
            while (end + 1 < all.Length && all[end + 1].s == all[k].s) end++;
            double averageRank = (k + end) / 2.0 + 1;
            for (int t = k; t <= end; t++) if (all[t].Item2 == 1) rankSumPositives += averageRank;
            k = end + 1;
        }
        double np = positives.Count, nn = negatives.Count;
        return (rankSumPositives - np * (np + 1) / 2) / (np * nn);
    }

    /// <summary>
    /// DeLong's standard error of <see cref="Auc"/>: from each score's placement value (the share of the other group it
    /// beats, ties one half), var = var(positive placements) / m + var(negative placements) / n.
    /// </summary>
    public static double AucStandardError(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        int m = positives.Count, n = negatives.Count;
        if (m < 2 || n < 2) return double.NaN;
        var sortedPositives = positives.Order().ToArray();
        var sortedNegatives = negatives.Order().ToArray();
        // Placement of x among sorted scores: (count below + half the count equal) / count.
        static double Placement(double[] sorted, double x, bool aboveWins)
        {
            int below = LowerBound(sorted, x), notAbove = UpperBound(sorted, x);
            double wins = aboveWins ? below + 0.5 * (notAbove - below) : sorted.Length - notAbove + 0.5 * (notAbove - below);
            return wins / sorted.Length;
        }
        var positivePlacements = positives.Select(x => Placement(sortedNegatives, x, aboveWins: true)).ToArray();
        var negativePlacements = negatives.Select(y => Placement(sortedPositives, y, aboveWins: false)).ToArray();
        return Math.Sqrt(SampleVariance(positivePlacements) / m + SampleVariance(negativePlacements) / n);
    }

    private static double SampleVariance(double[] values)
    {
        double mean = values.Average(), sum = 0;
        foreach (var v in values) sum += (v - mean) * (v - mean);
        return sum / (values.Length - 1);
    }

    /// <summary>First index whose value is not below x (sorted ascending).</summary>
    private static int LowerBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] < x) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>First index whose value is above x (sorted ascending).</summary>
    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] <= x) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
