using GenoSynth.Genotypes;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Quality control with plink2. Per-sample call rate (--mind) is a property of each individual and is applied to
/// everyone; variant statistics (--maf, --geno, --hwe, LD pruning) are computed on the train split only and the
/// resulting variant list is applied to all samples, so nothing about validation or holdout leaks into the data.
/// </summary>
public sealed class QcStage : IStage
{
    public string Name => "qc";
    public IReadOnlyList<string> Upstream => ["fetch", "split"];
    public int Version => 2; // 2: the PLINK log is no longer an output

    public object Config(ExperimentSpec spec) => new { spec.Qc.Maf, spec.Qc.Geno, spec.Qc.Mind, spec.Qc.Hwe, spec.Qc.LdPrune, spec.Ploidy };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [PlinkTool.Plink2];
    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => [new("qc.json", "qc/qc.json"), new("qc.bim", "qc/qc.bim")];

    public void Run(StageContext context)
    {
        var qc = context.Spec.Qc;
        var input = context.Input("fetch", StageFiles.Genotypes);
        var samples = Plink1Files.ReadFam(input + ".fam");
        var train = StageFiles.ReadLines(context.Input("split", StageFiles.Train)).ToHashSet(StringComparer.Ordinal);

        IReadOnlyList<string> keptSamples = samples.Select(s => s.IndividualId).ToList();
        int removedMind = 0;
        if (qc.Mind is double mind)
        {
            try
            {
                (keptSamples, removedMind) = context.Plink.FilterSampleMissingness(input, mind, context.Scratch("mind"));
            }
            catch (PlinkException ex) when (ex.Message.Contains("No samples remaining", StringComparison.Ordinal))
            {
                throw new InputException($"qc: qc.mind {mind} removes every sample; relax it in the spec's qc section");
            }
        }
        var kept = keptSamples.ToHashSet(StringComparer.Ordinal);
        var trainKept = train.Where(kept.Contains).ToHashSet(StringComparer.Ordinal);
        if (trainKept.Count == 0) throw new InputException("qc: no training samples left after --mind");
        var trainKeep = context.Scratch("train.keep");
        PlinkOperations.WriteKeepFile(trainKeep, samples, trainKept);

        IReadOnlyList<string> passing;
        VariantQcCounts counts;
        try
        {
            (passing, counts) = context.Plink.FilterVariants(input, trainKeep, qc.Maf, qc.Geno, qc.Hwe, context.Scratch("variants"));
        }
        catch (PlinkException ex) when (ex.Message.Contains("No variants remaining", StringComparison.Ordinal))
        {
            throw ZeroVariants(qc);
        }
        int removedPrune = 0;
        IReadOnlyList<string> final = passing;
        if (qc.LdPrune is { } prune && passing.Count > 0)
        {
            var afterFilters = context.Scratch("filtered");
            StageFiles.WriteLines(afterFilters + ".snplist", passing);
            context.Plink.Subset(input, afterFilters + ".snplist", trainKeep, afterFilters);
            final = context.Plink.LdPrune(afterFilters, trainKeep, prune.WindowKb, prune.R2, context.Scratch("prune"));
            removedPrune = passing.Count - final.Count;
        }
        if (final.Count == 0) throw ZeroVariants(qc);

        var extract = context.Scratch("final.snplist");
        StageFiles.WriteLines(extract, final);
        var allKeep = context.Scratch("all.keep");
        PlinkOperations.WriteKeepFile(allKeep, samples, kept);
        // PLINK writes a timestamped log beside its output: write to scratch and keep only the fileset.
        context.Plink.Subset(input, extract, allKeep, context.Scratch(StageFiles.QcPrefix));
        foreach (var ext in new[] { ".bed", ".bim", ".fam" })
            File.Move(context.Scratch(StageFiles.QcPrefix + ext), context.Output(StageFiles.QcPrefix + ext));

        if (context.Spec.Ploidy == Ploidy.Haplotype)
            WriteQcHaplotypes(context, samples, kept);

        StageFiles.WriteJson(context.Output("qc.json"), new
        {
            fitted_on = "train",
            samples_in = samples.Count,
            samples_removed_mind = removedMind,
            samples_out = kept.Count,
            variants_in = counts.VariantsIn,
            variants_removed_geno = counts.RemovedMissingness,
            variants_removed_hwe = counts.RemovedHwe,
            variants_removed_maf = counts.RemovedFrequency,
            variants_removed_ld_prune = removedPrune,
            variants_out = final.Count,
        });
        context.Log($"qc (statistics on {trainKept.Count} training samples): {counts.VariantsIn} -> {final.Count} variants " +
            $"(geno -{counts.RemovedMissingness}, hwe -{counts.RemovedHwe}, maf -{counts.RemovedFrequency}, ld -{removedPrune}); " +
            $"{samples.Count} -> {kept.Count} samples");
    }

    private static InputException ZeroVariants(QcSpec qc) =>
        new($"qc: the filters leave zero variants (qc.maf {qc.Maf?.ToString() ?? "off"}, qc.geno {qc.Geno?.ToString() ?? "off"}, " +
            $"qc.hwe {qc.Hwe?.ToString() ?? "off"}, computed on the train split); relax them in the spec's qc section");

    private static void WriteQcHaplotypes(StageContext context, List<Sample> samples, HashSet<string> kept)
    {
        var (haplotypes, _) = HaptFiles.ReadHaplotypes(context.Input("fetch", StageFiles.Haplotypes), null);
        var variants = Plink1Files.ReadBim(context.Input("fetch", StageFiles.Genotypes) + ".bim");
        var qcIds = Plink1Files.ReadBim(context.Output(StageFiles.QcPrefix) + ".bim").Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        var columns = Enumerable.Range(0, variants.Count).Where(j => qcIds.Contains(variants[j].Id)).ToList();
        var individuals = Enumerable.Range(0, samples.Count).Where(i => kept.Contains(samples[i].IndividualId)).ToList();
        HaptFiles.WriteHaplotypes(context.Output(StageFiles.QcHaplotypes), haplotypes.SelectIndividuals(individuals, columns), "Real");
    }
}
