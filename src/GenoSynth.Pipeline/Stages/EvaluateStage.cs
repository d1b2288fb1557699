using System.Text.Json;
using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Pipeline.Evaluate;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Store;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Scores the sampled set against the real QC'd data on the selected variants: the real train split is what it is
/// compared with, the real holdout (never seen by any earlier stage's fitting) gives the reference level.
/// </summary>
public sealed class EvaluateStage : IStage
{
    public string Name => "evaluate";
    public IReadOnlyList<string> Upstream => ["qc", "rank", "split", "labels", "train", "sample", "baselines"];
    // 2: fidelity metrics carry vs_holdout; 3: baselines and comparison sets; 4: mia_auc carries its standard error;
    // 5: windowed / nearest / segment-boundary LD, LD decay in the window, haplotype blocks, longest identical runs,
    // haplotype heterozygosity, per-chromosome figures
    public int Version => 5;
    public object Config(ExperimentSpec spec) => new { spec.Evaluate, model = spec.Model.Type };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [PlinkTool.Plink1];
    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => [new(EvaluationRun.MetricsFile, EvaluationRun.MetricsFile)];

    public const string PlotDataFile = "plot-data.json";

    public void Run(StageContext context)
    {
        var spec = context.Spec;
        var selected = StageFiles.ReadLines(context.Input("rank", StageFiles.Selected)).ToHashSet(StringComparer.Ordinal);
        var qcVariants = Plink1Files.ReadBim(context.Input("qc", StageFiles.QcPrefix) + ".bim");
        var columns = Enumerable.Range(0, qcVariants.Count).Where(j => selected.Contains(qcVariants[j].Id)).ToList();
        var labels = StageFiles.ReadLabels(context.Input("labels", StageFiles.Labels)).ToDictionary(r => r.Iid, r => r.Label);

        GenotypeRows real, synthetic;
        if (spec.Ploidy == Ploidy.Haplotype)
        {
            var (haplotypes, _) = HaptFiles.ReadHaplotypes(context.Input("qc", StageFiles.QcHaplotypes), null);
            var individuals = Enumerable.Range(0, haplotypes.Rows / 2).ToList();
            real = haplotypes.SelectIndividuals(individuals, columns).Named("real");
            synthetic = LoadGenerated(context.Input("sample", "synthetic.hapt.gz"), SetName(spec), spec.Ploidy);
        }
        else
        {
            var qc = Plink1Files.Read(context.Input("qc", StageFiles.QcPrefix));
            var subset = qc.Genotypes.Subset(Enumerable.Range(0, qc.Samples.Count).ToList(), columns);
            real = EvaluationInputs.FromPacked("real", subset, qc.Samples.Select(s => s.IndividualId).ToList());
            synthetic = LoadGenerated(context.Input("sample", "synthetic"), SetName(spec), spec.Ploidy);
        }
        real = EvaluationInputs.AttachLabels(real, labels, StageFiles.Labels);
        synthetic = EvaluationInputs.AttachLabels(synthetic, EvaluationInputs.ReadLabels(context.Input("sample", "labels.tsv"), "label"), "labels.tsv");
        var train = real.SelectIndividuals(StageFiles.ReadLines(context.Input("split", StageFiles.Train)).ToHashSet(StringComparer.Ordinal), "train");
        var holdout = real.SelectIndividuals(StageFiles.ReadLines(context.Input("split", StageFiles.Holdout)).ToHashSet(StringComparer.Ordinal), "holdout");
        var positions = columns.Select(j => (qcVariants[j].Chromosome, qcVariants[j].Position)).ToList();

        var options = new EvaluationOptions(AatsDraw: spec.Evaluate.AatsDraw, AatsRepeats: spec.Evaluate.AatsRepeats, Seed: spec.Evaluate.Seed, Utility: spec.Evaluate.Utility);
        var sets = new List<GenotypeRows> { synthetic };
        foreach (var baseline in spec.Baselines)
        {
            var set = LoadGenerated(context.Input("baselines", BaselinesStage.SetFile(baseline.Name, spec.Ploidy)), baseline.Name, spec.Ploidy);
            sets.Add(EvaluationInputs.AttachLabels(set, EvaluationInputs.ReadLabels(context.Input("baselines", baseline.Name + ".labels.tsv"), "label"), baseline.Name + ".labels.tsv"));
        }
        foreach (var comparison in spec.Evaluate.Comparisons)
        {
            var path = context.Resolver.Resolve(comparison.File);
            var set = EvaluationInputs.Load(path, comparison.Name, null).Set;
            if (set.Variants != real.Variants || set.Ploidy != real.Ploidy)
                throw new InputException($"evaluate.compare '{comparison.Name}' ({comparison.File.Name}): " +
                    $"{set.Variants} variants of ploidy {set.Ploidy.Copies}, the experiment's selected data have " +
                    $"{real.Variants} of ploidy {real.Ploidy.Copies}; a comparison set must hold the same variants " +
                    "in the same order");
            sets.Add(set);
        }
        // A segmenting generator's train stage lists its segments; the boundary LD metrics need them.
        var segments = context.HasInput("train", SegmentTable.FileName)
            ? SegmentTable.Read(context.Input("train", SegmentTable.FileName), columns.Count) : null;
        var blocks = PlinkBlocks.Finder(context.Plink, positions, context.ScratchDirectory);
        var result = new Evaluator(options).Evaluate(train, holdout, sets, positions, segments, blocks);
        File.WriteAllText(context.Output(EvaluationRun.MetricsFile), JsonSerializer.Serialize(result.Metrics, EvaluationRun.Json) + "\n");
        File.WriteAllText(context.Output(PlotDataFile), JsonSerializer.Serialize(result.Plots, Digest.CanonicalJson) + "\n");
        foreach (var m in result.Metrics.Sets)
            context.Log($"{m.Name}: AF r {m.Fidelity["af_pearson"].Value:F4} (holdout {m.Fidelity["af_pearson"].Reference:F4}), " +
            $"LD r {m.Fidelity["ld_r2_pearson"].Value:F4} (holdout {m.Fidelity["ld_r2_pearson"].Reference:F4}), " +
            $"AA_truth {m.Privacy["aa_truth"].Value:F3}, AA_syn {m.Privacy["aa_syn"].Value:F3}, exact copies {m.Privacy["exact_copies"].Value}");
    }

    private static GenotypeRows LoadGenerated(string path, string name, Ploidy ploidy)
    {
        if (ploidy == Ploidy.Haplotype) return HaptFiles.ReadHaplotypes(path, null).Haplotypes.Named(name);
        var generated = Plink1Files.Read(path);
        var ids = generated.Samples.Select(s => s.IndividualId).ToList();
        return EvaluationInputs.FromPacked(name, generated.Genotypes, ids);
    }

    public static string SetName(ExperimentSpec spec) => SpecNodeNames.Snake(spec.Model.Type.ToString());
}

/// <summary>Spec enum values as they are written in specs and reports.</summary>
public static class SpecNodeNames
{
    public static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
