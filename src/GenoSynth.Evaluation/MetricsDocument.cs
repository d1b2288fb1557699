using System.Text.Json.Serialization;

namespace GenoSynth.Evaluation;

/// <summary>
/// One metric: its value for a synthetic set, the same quantity for the real holdout against the real train split
/// (the level a perfect generator reaches), and the ideal when one exists beyond that reference.
/// </summary>
/// <remarks>For fidelity metrics, <c>VsHoldout</c> is the same comparison made against the real holdout instead of train.</remarks>
public sealed record Metric(double? Value, double? Reference, double? Ideal, string Description, double? Sd = null, double? VsHoldout = null);

/// <param name="Chromosomes">Per-chromosome fidelity (allele frequencies, windowed LD), in variant order; null with a
/// single chromosome.</param>
public sealed record SetMetrics(
    string Name, int Rows, bool Labelled,
    SortedDictionary<string, Metric> Fidelity,
    SortedDictionary<string, Metric> Privacy,
    SortedDictionary<string, Metric> Utility,
    IReadOnlyList<string> Notes,
    IReadOnlyList<ChromosomeMetrics>? Chromosomes = null);

/// <summary>Fidelity metrics of one chromosome's variants, each with its holdout reference, as in the set's
/// own.</summary>
public sealed record ChromosomeMetrics(string Chromosome, int Variants, SortedDictionary<string, Metric> Fidelity);

public sealed record RealSummary(int TrainRows, int HoldoutRows, int Variants, string Unit, IReadOnlyList<string> Labels);

/// <param name="LdWindowKb">Window of the windowed LD metrics (kb).</param>
/// <param name="LdNearest">Following variants each variant is paired with in the nearest-variants LD metric.</param>
/// <param name="Segments">The generator's segments the boundary LD metrics used (null: none given).</param>
/// <param name="BlockIndividuals">Individuals per set among which haplotype blocks were found (null: no
/// blocks).</param>
public sealed record EvaluationSettings(int AatsDraw, int AatsRepeats, ulong Seed, double ClassifierC,
    int PairwiseSample, int LdWindowKb = 0, int LdNearest = 0, int? Segments = null, int? BlockIndividuals = null);

/// <summary>The metrics.json document (schema "genosynth.metrics/1", documented in docs/metrics.md).</summary>
public sealed record MetricsDocument(string Schema, RealSummary Real, EvaluationSettings Settings, IReadOnlyList<SetMetrics> Sets);

/// <summary>What an evaluation produces: the metrics and the data the report plots (plot-data.json).</summary>
public sealed record EvaluationResult(MetricsDocument Metrics, PlotData Plots);

/// <summary>What the report draws; kept out of metrics.json (it is large) and written beside it as plot-data.json.</summary>
public sealed record PlotData(
    IReadOnlyList<LossPoint>? LossCurve,
    double[] TrainFrequencies, double[] HoldoutFrequencies, Dictionary<string, double[]> SyntheticFrequencies,
    int LdVariants, float[] TrainLd, Dictionary<string, float[]> SyntheticLd,
    long[] DecayBinEdges, double[] TrainDecay, double[] HoldoutDecay, Dictionary<string, double[]> SyntheticDecay,
    PcaPoints TrainPca, PcaPoints HoldoutPca, Dictionary<string, PcaPoints> SyntheticPca,
    double[] TrainPairwise, Dictionary<string, double[]> SyntheticPairwise,
    Dictionary<string, double[]> DistanceToClosestTrain,
    long[]? WindowDecayBinEdges = null, double[]? TrainWindowDecay = null, double[]? HoldoutWindowDecay = null,
    Dictionary<string, double[]>? SyntheticWindowDecay = null,
    Dictionary<string, double[]>? LongestRuns = null, Dictionary<string, BlockSummary>? Blocks = null);

public sealed record PcaPoints(float[] Pc1, float[] Pc2, string[]? Labels);

/// <summary>One point of a generator's training curve (train loss smoothed; validation loss when measured).</summary>
public sealed record LossPoint(int Step, double TrainLoss, double? ValidationLoss);
