using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Models.Diffusion;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Draws synthetic genomes from the trained generator and writes them as PLINK, VCF (phased for haplotype data),
/// hapt and a labels table. Ids are SYN_000001...; nothing from a real sample (id, family, phenotype) is carried over.
/// </summary>
public sealed class SampleStage : IStage
{
    public string Name => "sample";
    public IReadOnlyList<string> Upstream => ["encode", "train"];
    public int Version => 4; // 2: sample.json carries no timings; 3: privacy release gate; 4: copies judged against the real validation rows' rate
    public object Config(ExperimentSpec spec) => spec.Sample;
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [];

    public IReadOnlyList<Publication> Publications(ExperimentSpec spec)
    {
        var list = new List<Publication>
        {
            new("synthetic.bed", "synthetic/synthetic.bed"), new("synthetic.bim", "synthetic/synthetic.bim"), new("synthetic.fam", "synthetic/synthetic.fam"),
            new("synthetic.vcf.gz", "synthetic/synthetic.vcf.gz"), new("labels.tsv", "synthetic/labels.tsv"), new("sample.json", "synthetic/sample.json"),
        };
        if (spec.Ploidy == Ploidy.Haplotype) list.Add(new("synthetic.hapt.gz", "synthetic/synthetic.hapt.gz"));
        return list;
    }

    public void Run(StageContext context)
    {
        var (train, validation) = EncodeStage.Load(context);
        var spec = context.Spec.Sample;
        var variants = Plink1Files.ReadBim(context.Input("encode", EncodeStage.Variants));
        var labels = SyntheticFiles.DrawLabels(train, spec, context.Spec.SourcePath);
        var (individuals, individualLabels, rowLabels) = (labels.Individuals, labels.IndividualLabels, labels.RowLabels);

        var modelPath = context.Input("train", TrainStage.ModelFile);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var progress = new ProgressLine(context, "sample");
        var (generated, kind) = Generators.Sample(modelPath, train, EncodeStage.LoadEncoder(context), rowLabels, spec, (done, total) =>
        {
            if (done % Math.Max(1, total / 10) == 0 || done == total) progress.Report(done, total, "sampling steps");
        });

        var gate = PrivacyGate(context, train, validation, generated);
        SyntheticFiles.Write(context.Output("synthetic"), generated, labels, variants, withVcf: true);
        SyntheticFiles.WriteLabels(context.Output("labels.tsv"), train, labels);
        StageFiles.WriteJson(context.Output("sample.json"), new
        {
            model = kind,
            individuals,
            rows = generated.Rows,
            label_policy = SyntheticFiles.PolicyName(spec),
            per_label = train.Classes.Select((c, k) => new { label = c, individuals = individualLabels.Count(l => l == k) }),
            sampling_steps = Generators.UsesSamplingSteps(kind) ? spec.Steps : (int?)null,
            guidance = spec.Guidance,
            privacy_gate = gate,
        }); // no timings here: outputs must be the same bytes on every run (the manifest records wall time)
        context.Log($"sampled {individuals} synthetic individuals ({generated.Rows} rows) in {clock.Elapsed.TotalSeconds:F0} s");
    }

    public sealed record GateOutcome(int ExactCopies, double CopyRate, double ValidationCopyRate, double? MiaAucValidation, double MaxMiaAuc, bool Passed, bool Allowed, string Summary);

    /// <summary>
    /// The release gate: synthetic rows may not copy training rows more often than real validation rows do (in
    /// low-diversity regions distinct people share whole genotype vectors: in 1kg-lct-eur 20 of 51 validation
    /// individuals equal a training individual; where no validation row does, no copy is allowed), and membership inference (training rows vs the
    /// validation rows, which the generator did not train on; the holdout stays untouched) must not exceed the
    /// spec's threshold, unless the spec sets sample.allow_privacy_risk. A refused set is never published.
    /// </summary>
    private static GateOutcome PrivacyGate(StageContext context, GenotypeRows train, GenotypeRows validation,
        GenotypeRows generated)
    {
        var trainBits = new GenoSynth.Evaluation.BitPackedRows(train);
        var syntheticBits = new GenoSynth.Evaluation.BitPackedRows(generated);
        var validationBits = new GenoSynth.Evaluation.BitPackedRows(validation);
        int copies = GenoSynth.Evaluation.Privacy.ExactCopies(syntheticBits, trainBits);
        double copyRate = (double)copies / generated.Rows;
        double validationCopyRate = validation.Rows == 0 ? 0
            : (double)GenoSynth.Evaluation.Privacy.ExactCopies(validationBits, trainBits) / validation.Rows;
        double? mia = validation.Rows >= 20
            ? GenoSynth.Evaluation.Privacy.MembershipInferenceAuc(trainBits, validationBits, syntheticBits, new SeededRandom(context.Spec.Sample.Seed))
            : null;
        var spec = context.Spec.Sample;
        bool passed = (copies == 0 || copyRate <= validationCopyRate) && (mia is null || mia <= spec.MaxMiaAuc);
        string summary = $"privacy release gate {(passed ? "passed" : spec.AllowPrivacyRisk ? "failed, publication allowed by sample.allow_privacy_risk" : "failed")}: " +
            $"{copies} exact copies of training rows ({copyRate:P1}; real validation rows: {validationCopyRate:P1}), membership-inference AUC {(mia is double m ? m.ToString("0.000", CultureInfo.InvariantCulture) : "n/a (fewer than 20 validation rows)")} " +
            $"(training vs validation rows; limit {spec.MaxMiaAuc.ToString(CultureInfo.InvariantCulture)})";
        context.Log(summary);
        if (!passed && !spec.AllowPrivacyRisk)
            throw new InputException(summary + "; the synthetic set is not published. Train less (train.steps) or set sample.allow_privacy_risk: true to publish anyway");
        return new GateOutcome(copies, Math.Round(copyRate, 4), Math.Round(validationCopyRate, 4), mia is double v ? Math.Round(v, 4) : null, spec.MaxMiaAuc, passed, spec.AllowPrivacyRisk, summary);
    }
}
