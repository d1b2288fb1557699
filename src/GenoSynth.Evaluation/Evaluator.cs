using GenoSynth.Genotypes;
using GenoSynth.Neural;

namespace GenoSynth.Evaluation;

public sealed record EvaluationOptions(int AatsDraw = 2000, int AatsRepeats = 5, ulong Seed = 1, double ClassifierC = 0.1,
    int PairwiseSample = 500, bool Utility = true, int LdPlotVariants = 120, LdPairSettings? Ld = null)
{
    public LdPairSettings LdPairs => Ld ?? new LdPairSettings();
}

/// <summary>
/// Scores synthetic sets against a real train split and a real holdout the generator never saw. Every metric is a
/// pure function of (train, holdout, synthetic, labels); the holdout-vs-train value is computed the same way and
/// reported beside it as the reference.
/// </summary>
public sealed class Evaluator(EvaluationOptions options)
{
    public const string Schema = "genosynth.metrics/1";

    /// <param name="segments">The generator's variant segments (segments.tsv), for LD across their boundaries.</param>
    /// <param name="findBlocks">Haplotype block finder (plink1.9 --blocks); without it, no block metrics.</param>
    public EvaluationResult Evaluate(GenotypeRows train, GenotypeRows holdout, IReadOnlyList<GenotypeRows> synthetic,
        IReadOnlyList<(string Chromosome, long Position)> variantPositions,
        IReadOnlyList<Genotypes.VariantSegment>? segments = null, HaplotypeBlockFinder? findBlocks = null)
    {
        foreach (var s in synthetic)
            if (s.Variants != train.Variants || s.Ploidy != train.Ploidy)
                throw new ArgumentException($"synthetic set '{s.Name}' has {s.Variants} variants (ploidy {s.Ploidy}); the real data have {train.Variants} (ploidy {train.Ploidy})");

        var pairs = new VariantPairs(variantPositions, options.LdPairs, segments);
        var ld = LinkageComparison.Run([train, holdout, .. synthetic], baselines: 2, pairs);
        // Blocks need positions; every set is reduced to the holdout's number of individuals.
        bool placed = variantPositions.Any(p => p.Chromosome != "0");
        var blocks = findBlocks is not null && placed
            ? new BlockContext(findBlocks, IndividualRows.Count(holdout), variantPositions, options.Seed) : null;
        var trainBits = new BitPackedRows(train);
        var holdoutBits = new BitPackedRows(holdout);
        var pca = Pca.Fit(train, 10, seed: options.Seed);
        var trainProfile = Describe(train, 0, trainBits, pca, ld, blocks, options.Seed);
        var holdoutProfile = Describe(holdout, 1, holdoutBits, pca, ld, blocks, options.Seed + 1);
        var holdoutDcr = Privacy.DistanceToClosest(holdoutBits, trainBits);
        var holdoutRuns = LongestRuns(train, holdout, pairs);

        // The holdout scored as if it were a synthetic set: the level a perfect generator would reach.
        var reference = ScoreFidelity(trainProfile, holdoutProfile, pca.Components, ld);
        var referenceChromosomes = ChromosomeScores(trainProfile, holdoutProfile, ld);
        int draw = Math.Min(options.AatsDraw, Math.Min(train.Rows, holdout.Rows));
        var referenceAats = RepeatedAats(trainBits, holdoutBits, draw, options.Seed);
        double referenceCopyRate = (double)holdoutDcr.Count(d => d == 0) / holdout.Rows;

        var classes = train.Labels?.Distinct().Order(StringComparer.Ordinal).ToList();
        // The real-trained classifiers are the reference of utility metrics: fitted only when a labelled set needs them.
        UtilityReference? utilityReference = options.Utility && classes is { Count: >= 2 } && holdout.Labels is not null && synthetic.Any(s => s.Labels is not null)
            ? FitReference(train, holdout, classes) : null;

        var sets = new List<SetMetrics>();
        var windowDecays = new Dictionary<string, double[]>();
        var longestRuns = new Dictionary<string, double[]> { ["holdout"] = AsDoubles(holdoutRuns) };
        var blockSummaries = new Dictionary<string, BlockSummary>();
        var plots = new PlotData(null, trainProfile.Frequencies, holdoutProfile.Frequencies, new(), 0, [], new(),
            Linkage.DecayBinEdges, trainProfile.Decay ?? [], holdoutProfile.Decay ?? [], new(),
            Points(trainProfile.Scores, pca.Components, train.Labels),
            Points(holdoutProfile.Scores, pca.Components, holdout.Labels), new(), trainProfile.Pairwise, new(),
            new() { ["holdout"] = holdoutDcr },
            pairs.WindowDecayEdges, ld.WindowDecay(0), ld.WindowDecay(1), windowDecays, longestRuns, blockSummaries);
        if (blocks is not null)
        {
            blockSummaries["real train"] = blocks.Summary(trainProfile.Blocks!);
            blockSummaries["holdout"] = blocks.Summary(holdoutProfile.Blocks!);
        }
        for (int index = 0; index < synthetic.Count; index++)
        {
            var s = synthetic[index];
            var notes = new List<string>();
            var bits = new BitPackedRows(s);
            var profile = Describe(s, 2 + index, bits, pca, ld, blocks, options.Seed + 1);
            var vsTrain = ScoreFidelity(trainProfile, profile, pca.Components, ld);
            var vsHoldout = ScoreFidelity(holdoutProfile, profile, pca.Components, ld);
            var fidelityMetrics = new SortedDictionary<string, Metric>(StringComparer.Ordinal);
            foreach (var (key, (value, description, ideal)) in vsTrain)
                fidelityMetrics[key] = new Metric(value, reference.TryGetValue(key, out var r) ? r.Value : null, ideal, description,
                    VsHoldout: OwnStatistics.Contains(key) ? null : vsHoldout[key].Value);
            var chromosomes = LinkageMetrics.PerChromosome(ld, ChromosomeScores(trainProfile, profile, ld),
                referenceChromosomes, ChromosomeScores(holdoutProfile, profile, ld));
            if (!pairs.AllPairs)
                notes.Add("LD over all pairs and the coarse LD decay are not computed above " +
                    $"{pairs.Settings.AllPairsMaxVariants} variants");

            var runs = LongestRuns(train, s, pairs);
            var privacy = ScorePrivacy(trainBits, holdoutBits, bits, draw, referenceAats, referenceCopyRate, holdoutDcr, s.Rows, out var dcr);
            AddLongestRuns(privacy, runs, holdoutRuns);
            var utility = new SortedDictionary<string, Metric>(StringComparer.Ordinal);
            if (s.Labels is null) notes.Add("utility: this synthetic set has no labels, so no classifier can be trained on it");
            else if (utilityReference is null) notes.Add("utility: the real data have no labels, or utility was switched off");
            else ScoreUtility(utility, train, holdout, s, classes!, utilityReference);

            sets.Add(new SetMetrics(s.Name, s.Rows, s.Labels is not null, fidelityMetrics, privacy, utility, notes,
                chromosomes));
            plots.SyntheticFrequencies[s.Name] = profile.Frequencies;
            plots.SyntheticLd[s.Name] = LdCorner(s);
            plots.SyntheticDecay[s.Name] = profile.Decay ?? [];
            windowDecays[s.Name] = ld.WindowDecay(2 + index);
            plots.SyntheticPca[s.Name] = Points(profile.Scores, pca.Components, s.Labels);
            plots.SyntheticPairwise[s.Name] = profile.Pairwise;
            plots.DistanceToClosestTrain[s.Name] = dcr;
            longestRuns[s.Name] = AsDoubles(runs);
            if (blocks is not null) blockSummaries[s.Name] = blocks.Summary(profile.Blocks!);
        }
        var finalPlots = plots with
        {
            LdVariants = Math.Min(options.LdPlotVariants, train.Variants), TrainLd = LdCorner(train),
        };
        var settings = new EvaluationSettings(draw, options.AatsRepeats, options.Seed, options.ClassifierC,
            options.PairwiseSample, pairs.Settings.WindowKb, pairs.Settings.Nearest, segments?.Count,
            blocks?.Individuals);
        return new EvaluationResult(new MetricsDocument(Schema,
            new RealSummary(train.Rows, holdout.Rows, train.Variants, train.Ploidy == Ploidy.Haplotype ? "haplotype" : "individual", classes ?? []),
            settings, sets), finalPlots);
    }

    /// <summary>Fidelity metrics that describe the set itself rather than compare it with a baseline (no "vs holdout").</summary>
    private static readonly HashSet<string> OwnStatistics =
        ["heterozygosity", "hwe_violation_rate", .. LinkageMetrics.OwnStatistics];

    /// <summary>
    /// What the fidelity metrics compare, computed once per set (pairwise distances on a seeded sample); LD lives in
    /// the shared <see cref="LinkageComparison"/>, where the set is number <paramref name="Index"/>.
    /// </summary>
    private sealed record Profile(GenotypeRows Set, int Index, double[] Frequencies, double[]? Decay, float[] Scores,
        double[] ThreePoint, double[] Pairwise, Dictionary<string, double> Fst,
        IReadOnlyList<(int First, int Last)>? Blocks);

    private Profile Describe(GenotypeRows set, int index, BitPackedRows bits, Pca pca, LinkageComparison ld,
        BlockContext? blocks, ulong pairwiseSeed) =>
        new(set, index, set.AlleleFrequencies(), ld.Decay(index), pca.Project(set),
            PopulationGenetics.ThreePointCorrelations(set), WithinDistances(bits, pairwiseSeed),
            PopulationGenetics.PairwiseFst(set), blocks?.Find(set));

    /// <summary>Every fidelity metric of <paramref name="other"/> against a real <paramref name="baseline"/> (train, or the holdout).</summary>
    private static Dictionary<string, (double? Value, string Description, double? Ideal)> ScoreFidelity(
        Profile baseline, Profile other, int components, LinkageComparison ld)
    {
        var trainAf = baseline.Frequencies;
        var af = other.Frequencies;
        var result = new Dictionary<string, (double?, string, double?)>(StringComparer.Ordinal)
        {
            ["af_pearson"] = (Statistics.Pearson(trainAf, af), "Pearson r of per-variant allele frequencies vs real train", null),
            ["af_mae"] = (Statistics.MeanAbsoluteDifference(trainAf, af), "mean absolute allele-frequency difference vs real train", null),
            ["spurious_fixed_sites"] = (Enumerable.Range(0, af.Length).Count(j => (af[j] == 0 || af[j] == 1) && trainAf[j] > 0 && trainAf[j] < 1),
                "variants monomorphic here but polymorphic in real train", 0),
        };
        var allPairs = ld.Compare(VariantPairs.All, baseline.Index, other.Index);
        result["ld_r2_pearson"] = (allPairs?.Pearson, "Pearson r of all-pairs LD r^2 vs real train", null);
        result["ld_r2_mse"] = (allPairs?.Mse, "mean squared difference of all-pairs LD r^2", null);
        var (decay, trainDecay) = (other.Decay, baseline.Decay);
        var decayBins = decay is null || trainDecay is null ? []
            : Enumerable.Range(0, decay.Length).Where(b => !double.IsNaN(decay[b]) && !double.IsNaN(trainDecay[b]))
                .ToList();
        result["ld_decay_mae"] = (decayBins.Count == 0 ? null
                : decayBins.Average(b => Math.Abs(decay![b] - trainDecay![b])),
            "mean absolute difference of the LD decay curve (mean r^2 by distance bin)", null);
        LinkageMetrics.Score(result, ld, baseline.Index, other.Index);
        LinkageMetrics.ScoreWorstChromosome(result, ChromosomeScores(baseline, other, ld));
        if (baseline.Blocks is not null && other.Blocks is not null)
            LinkageMetrics.ScoreBlocks(result, baseline.Blocks, other.Blocks, ld.Pairs.Positions);
        for (int c = 0; c < 2; c++)
            result[$"pca_w1_pc{c + 1}"] = (Statistics.Wasserstein1(Pca.Column(baseline.Scores, components, c), Pca.Column(other.Scores, components, c)),
                $"Wasserstein-1 distance on PC{c + 1} (PCA fitted on real train) vs real train", null);
        result["pairwise_distance_w1"] = (Statistics.Wasserstein1(baseline.Pairwise, other.Pairwise),
            "Wasserstein-1 between within-set pairwise distances and those within real train", null);
        result["three_point_pearson"] = (Statistics.Pearson(baseline.ThreePoint, other.ThreePoint),
            "Pearson r of connected 3-point correlations (gaps 1-16) vs real train", null);
        var (fst, trainFst) = (other.Fst, baseline.Fst);
        if (trainFst.Count >= 2 && fst.Count == trainFst.Count)
        {
            var keys = trainFst.Keys.Order(StringComparer.Ordinal).ToList();
            result["fst_pearson"] = (Statistics.Pearson(keys.Select(k => trainFst[k]).ToList(), keys.Select(k => fst[k]).ToList()),
                "Pearson r of pairwise Fst between labels vs real train", null);
            result["fst_mae"] = (keys.Average(k => Math.Abs(trainFst[k] - fst[k])), "mean absolute difference of pairwise Fst", null);
        }
        if (other.Set.Ploidy == Ploidy.Diploid)
        {
            result["genotype_frequency_mae"] = (Statistics.MeanAbsoluteDifference(PopulationGenetics.GenotypeClassFrequencies(baseline.Set),
                PopulationGenetics.GenotypeClassFrequencies(other.Set)), "mean absolute difference of genotype-class (0/1/2) frequencies", null);
            result["heterozygosity"] = (PopulationGenetics.Heterozygosity(other.Set), "observed heterozygosity", null);
            result["hwe_violation_rate"] = (PopulationGenetics.HweViolationRate(other.Set), "fraction of variants with HWE exact p < 0.05", null);
        }
        else
            result["heterozygosity"] = (IndividualRows.Heterozygosity(other.Set),
                "observed heterozygosity of individuals made of consecutive haplotype rows (2i, 2i + 1)", null);
        return result;
    }

    private (double Truth, double TruthSd, double Syn, double SynSd) RepeatedAats(BitPackedRows t, BitPackedRows s, int n, ulong seed)
    {
        var truth = new List<double>();
        var syn = new List<double>();
        for (int r = 0; r < options.AatsRepeats; r++)
        {
            var a = Privacy.Aats(t, s, n, new SeededRandom(seed + (ulong)r * 7919));
            truth.Add(a.AaTruth);
            syn.Add(a.AaSyn);
        }
        var (tm, ts) = Statistics.MeanSd(truth);
        var (sm, ss) = Statistics.MeanSd(syn);
        return (tm, ts, sm, ss);
    }

    private SortedDictionary<string, Metric> ScorePrivacy(BitPackedRows train, BitPackedRows holdout, BitPackedRows synthetic, int draw,
        (double Truth, double TruthSd, double Syn, double SynSd) reference, double referenceCopyRate, double[] holdoutDcr, int rows, out double[] dcr)
    {
        int n = Math.Min(draw, synthetic.Rows);
        var vsTrain = RepeatedAats(train, synthetic, n, options.Seed);
        var vsHoldout = RepeatedAats(holdout, synthetic, Math.Min(n, holdout.Rows), options.Seed);
        double loss = (vsHoldout.Truth + vsHoldout.Syn) / 2 - (vsTrain.Truth + vsTrain.Syn) / 2;
        dcr = Privacy.DistanceToClosest(synthetic, train);
        int copies = dcr.Count(d => d == 0);
        var (ks, ksP) = Statistics.KolmogorovSmirnov(dcr, holdoutDcr);
        var mia = Privacy.MembershipInference(train, holdout, synthetic, new SeededRandom(options.Seed));
        return new SortedDictionary<string, Metric>(StringComparer.Ordinal)
        {
            ["aa_truth"] = new(vsTrain.Truth, reference.Truth, 0.5, "AATS: fraction of real-train rows whose nearest synthetic row is farther than their nearest real one", vsTrain.TruthSd),
            ["aa_syn"] = new(vsTrain.Syn, reference.Syn, 0.5, "AATS: fraction of synthetic rows whose nearest real-train row is farther than their nearest synthetic one", vsTrain.SynSd),
            ["aa_truth_holdout"] = new(vsHoldout.Truth, null, 0.5, "AA_truth computed against the holdout instead of train", vsHoldout.TruthSd),
            ["aa_syn_holdout"] = new(vsHoldout.Syn, null, 0.5, "AA_syn computed against the holdout instead of train", vsHoldout.SynSd),
            ["privacy_loss"] = new(loss, null, 0, "AATS vs holdout minus AATS vs train (AATS = mean of AA_truth and AA_syn)"),
            ["exact_copies"] = new(copies, null, 0, "synthetic rows identical to a real training row"),
            ["exact_copy_rate"] = new((double)copies / rows, referenceCopyRate, 0, "share of rows identical to a real training row (reference: holdout rows)"),
            ["dcr_median"] = new(Median(dcr), Median(holdoutDcr), null, "median distance to the closest real training row"),
            ["dcr_ks_statistic"] = new(ks, null, 0, "Kolmogorov-Smirnov statistic between the synthetic and holdout distance-to-closest-record distributions"),
            ["dcr_ks_p"] = new(ksP, null, null, "p-value of that KS test (small: synthetic rows sit at different distances from train than fresh real rows do)"),
            ["mia_auc"] = new(mia.Auc, null, 0.5,
                "membership inference AUC: train members vs holdout by distance to the nearest synthetic row (± DeLong standard error)", mia.StandardError),
        };
    }

    private sealed record UtilityReference(double LrAccuracy, double LrAuc, double MlpAccuracy, double MlpAuc, double? PrsAuc,
        (double[] Beta, double[] P)? Gwas, Dictionary<int, double> RealOnlyAccuracy, Dictionary<int, GenotypeRows> RealFractions);

    private static readonly int[] AugmentationPercents = [5, 10, 20, 50];

    private UtilityReference FitReference(GenotypeRows train, GenotypeRows holdout, List<string> classes)
    {
        var lr = Classifiers.Fit(ClassifierKind.LogisticRegression, train, train.Labels!, classes, options.ClassifierC, seed: options.Seed);
        var mlp = Classifiers.Fit(ClassifierKind.Mlp, train, train.Labels!, classes, options.ClassifierC, seed: options.Seed);
        double? prs = null;
        (double[], double[])? gwas = null;
        if (classes.Contains("case"))
        {
            gwas = Association.PerVariantLogistic(train, train.Labels!, "case");
            prs = Association.ScoreAuc(gwas.Value.Item1, holdout, holdout.Labels!, "case");
        }
        var fractions = new Dictionary<int, GenotypeRows>();
        var realOnly = new Dictionary<int, double>();
        foreach (int percent in AugmentationPercents)
        {
            var rows = StratifiedFraction(train, percent / 100.0, options.Seed + (ulong)percent);
            var part = train.SelectRows(rows);
            fractions[percent] = part;
            var model = Classifiers.Fit(ClassifierKind.LogisticRegression, part, part.Labels!, classes, options.ClassifierC, seed: options.Seed);
            realOnly[percent] = Classifiers.Accuracy(model, holdout, holdout.Labels!);
        }
        return new UtilityReference(Classifiers.Accuracy(lr, holdout, holdout.Labels!), Classifiers.MacroAuc(lr, holdout, holdout.Labels!),
            Classifiers.Accuracy(mlp, holdout, holdout.Labels!), Classifiers.MacroAuc(mlp, holdout, holdout.Labels!), prs, gwas, realOnly, fractions);
    }

    private void ScoreUtility(SortedDictionary<string, Metric> utility, GenotypeRows train, GenotypeRows holdout, GenotypeRows synthetic,
        List<string> classes, UtilityReference reference)
    {
        var unknown = synthetic.Labels!.FirstOrDefault(l => !classes.Contains(l));
        if (unknown is not null)
            throw new ArgumentException($"synthetic set '{synthetic.Name}' has label '{unknown}', which the real training data do not have ({string.Join(", ", classes)})");
        var lr = Classifiers.Fit(ClassifierKind.LogisticRegression, synthetic, synthetic.Labels!, classes, options.ClassifierC, seed: options.Seed);
        var mlp = Classifiers.Fit(ClassifierKind.Mlp, synthetic, synthetic.Labels!, classes, options.ClassifierC, seed: options.Seed);
        double lrAccuracy = Classifiers.Accuracy(lr, holdout, holdout.Labels!);
        double mlpAccuracy = Classifiers.Accuracy(mlp, holdout, holdout.Labels!);
        utility["tstr_accuracy"] = new(lrAccuracy, reference.LrAccuracy, null, "logistic regression trained on synthetic, accuracy on the real holdout (reference: trained on real train)");
        utility["trtr_accuracy"] = new(reference.LrAccuracy, null, null, "logistic regression trained on real train, accuracy on the real holdout");
        utility["recovery"] = new(lrAccuracy / reference.LrAccuracy, 1, 1, "TSTR accuracy / TRTR accuracy (logistic regression)");
        utility["tstr_macro_auc"] = new(Classifiers.MacroAuc(lr, holdout, holdout.Labels!), reference.LrAuc, null, "macro one-vs-rest ROC AUC of the synthetic-trained logistic regression");
        utility["tstr_mlp_accuracy"] = new(mlpAccuracy, reference.MlpAccuracy, null, "MLP (128 hidden) trained on synthetic, accuracy on the real holdout");
        utility["mlp_recovery"] = new(mlpAccuracy / reference.MlpAccuracy, 1, 1, "TSTR / TRTR accuracy for the MLP");
        if (reference.Gwas is { } realGwas)
        {
            var (beta, p) = Association.PerVariantLogistic(synthetic, synthetic.Labels!, "case");
            utility["prs_auc"] = new(Association.ScoreAuc(beta, holdout, holdout.Labels!, "case"), reference.PrsAuc, null,
                "holdout ROC AUC of a polygenic score from per-variant logistic effects estimated on synthetic (reference: on real train)");
            utility["prs_recovery"] = new(Association.ScoreAuc(beta, holdout, holdout.Labels!, "case") / reference.PrsAuc, 1, 1, "PRS AUC synthetic / real");
            int top = Math.Max(5, Math.Min(50, train.Variants / 20));
            var realTop = Enumerable.Range(0, p.Length).OrderBy(j => realGwas.P[j]).ThenBy(j => j).Take(top).ToHashSet();
            var synTop = Enumerable.Range(0, p.Length).OrderBy(j => p[j]).ThenBy(j => j).Take(top);
            utility["gwas_top_overlap"] = new((double)synTop.Count(realTop.Contains) / top, null, 1, $"share of the real top-{top} GWAS hits among the synthetic top-{top}");
            utility["gwas_beta_pearson"] = new(Statistics.Pearson(realGwas.Beta, beta), null, 1, "Pearson r of per-variant log odds ratios, synthetic vs real train");
        }
        foreach (int percent in AugmentationPercents)
        {
            var part = reference.RealFractions[percent];
            var combined = Concat(part, synthetic);
            var model = Classifiers.Fit(ClassifierKind.LogisticRegression, combined, combined.Labels!, classes, options.ClassifierC, seed: options.Seed);
            utility[$"augmented_accuracy_{percent:D2}pct"] = new(Classifiers.Accuracy(model, holdout, holdout.Labels!), reference.RealOnlyAccuracy[percent], null,
                $"holdout accuracy of logistic regression on {percent} % of real train plus all synthetic rows (reference: the {percent} % alone)");
        }
    }

    private static GenotypeRows Concat(GenotypeRows a, GenotypeRows b)
    {
        var values = new byte[a.Values.LongLength + b.Values.LongLength];
        a.Values.CopyTo(values, 0);
        b.Values.CopyTo(values, a.Values.LongLength);
        var ids = a.RowIds is null || b.RowIds is null ? null : a.RowIds.Concat(b.RowIds).ToList();
        return new GenotypeRows(a.Ploidy, a.Rows + b.Rows, a.Variants, values, ids,
            RowLabels.FromNames([.. a.Labels!, .. b.Labels!]), a.Name + "+" + b.Name);
    }

    private static List<int> StratifiedFraction(GenotypeRows set, double fraction, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var rows = new List<int>();
        foreach (var group in Enumerable.Range(0, set.Rows).GroupBy(r => set.Labels![r]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.ToList();
            rng.Shuffle(members);
            rows.AddRange(members.Take(Math.Max(1, (int)Math.Round(members.Count * fraction))));
        }
        rows.Sort();
        return rows;
    }

    private double[] WithinDistances(BitPackedRows bits, ulong seed)
    {
        int n = Math.Min(options.PairwiseSample, bits.Rows);
        var rows = Privacy.Draw(bits.Rows, n, new SeededRandom(seed));
        var distances = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) distances[k++] = BitPackedRows.Distance(bits.Row(rows[i]), bits.Row(rows[j]));
        return distances;
    }

    private static PcaPoints Points(float[] scores, int k, IReadOnlyList<string>? labels)
    {
        int rows = scores.Length / k;
        return new PcaPoints(Enumerable.Range(0, rows).Select(r => scores[r * k]).ToArray(),
            Enumerable.Range(0, rows).Select(r => scores[r * k + 1]).ToArray(), labels?.ToArray());
    }

    /// <summary>r^2 of the first variants, for the heat map: the corner of the full matrix, bit for bit.</summary>
    private float[] LdCorner(GenotypeRows set)
    {
        int size = Math.Min(options.LdPlotVariants, set.Variants);
        var values = new byte[(long)set.Rows * size];
        for (int r = 0; r < set.Rows; r++) set.Row(r)[..size].CopyTo(values.AsSpan(r * size, size));
        return Linkage.R2Matrix(new GenotypeRows(set.Ploidy, set.Rows, size, values, set.RowIds, name: set.Name));
    }

    private static double?[][] ChromosomeScores(Profile baseline, Profile other, LinkageComparison ld) =>
        LinkageMetrics.ChromosomeScores(ld, baseline.Frequencies, other.Frequencies, baseline.Index, other.Index);

    private static double[] AsDoubles(int[] values) => values.Select(v => (double)v).ToArray();

    private static int[] LongestRuns(GenotypeRows train, GenotypeRows queries, VariantPairs pairs) =>
        IdenticalRuns.LongestAgainst(train, queries, pairs.ChromosomeStarts);

    /// <summary>The copying check: longest runs identical to a training row, against the holdout's own.</summary>
    private static void AddLongestRuns(SortedDictionary<string, Metric> privacy, int[] runs, int[] holdoutRuns)
    {
        var (own, reference) = (AsDoubles(runs), AsDoubles(holdoutRuns));
        const string what =
            "longest run of consecutive variants identical to a training row (maximum over training rows)";
        privacy["longest_run_median"] = new(Statistics.Quantile(own, 0.5), Statistics.Quantile(reference, 0.5), null,
            $"median over rows of the {what}; reference: the holdout's rows");
        privacy["longest_run_p99"] = new(Statistics.Quantile(own, 0.99), Statistics.Quantile(reference, 0.99), null,
            $"99th percentile over rows of the {what}; reference: the holdout's rows");
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
