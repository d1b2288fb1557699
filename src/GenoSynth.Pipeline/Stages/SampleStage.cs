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
    public int Version => 3; // 2: sample.json carries no timings; 3: privacy release gate
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
        int rowsPerIndividual = train.Ploidy == 1 ? 2 : 1;
        int individuals = (spec.Count > 0 ? spec.Count : train.Rows) / rowsPerIndividual;
        // Labels are drawn per individual; both haplotypes of a synthetic individual carry its label.
        var individualLabels = LabelPolicy.Labels(individuals, ClassFrequenciesByIndividual(train, rowsPerIndividual), spec.Balanced);
        var rowLabels = individualLabels.SelectMany(l => Enumerable.Repeat(l, rowsPerIndividual)).ToArray();

        var modelPath = context.Input("train", TrainStage.ModelFile);
        var loaded = SafeTensors.Load(modelPath);
        var kind = loaded.Metadata["genosynth.model"];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        GeneratedSet generated;
        if (kind == "genotype-diffusion")
        {
            var diffusion = GenotypeDiffusion.Load(modelPath);
            var progress = new ProgressLine(context, "sample");
            generated = diffusion.Sample(rowLabels, spec.Steps, (float)spec.Guidance, spec.Seed, (done, total) =>
            {
                if (done % Math.Max(1, total / 10) == 0 || done == total) progress.Report(done, total, "denoising steps");
            });
        }
        else
            generated = IndependentSampler.FromTensors(loaded.Tensors, train.Ploidy, kind == "per-label-independent")
                .Sample(rowLabels, new SeededRandom(spec.Seed), train.Variants);

        var gate = PrivacyGate(context, train, validation, generated);
        var ids = Enumerable.Range(1, individuals).Select(i => $"SYN_{i:D6}").ToList();
        var samples = ids.Select(id => new Sample(id, id)).ToList();
        if (train.Ploidy == 1)
        {
            var haplotypeIds = ids.SelectMany(id => new[] { HaplotypeMatrix.HaplotypeId(id, 0), HaplotypeMatrix.HaplotypeId(id, 1) }).ToList();
            var haplotypes = new HaplotypeMatrix(generated.Rows, generated.Variants, generated.Values, haplotypeIds);
            HaptFiles.WriteHaplotypes(context.Output("synthetic.hapt.gz"), haplotypes, "SYN");
            Plink1Files.Write(context.Output("synthetic"), new PlinkDataset(variants, samples, haplotypes.ToDiploid()));
            VcfWriter.WritePhased(context.Output("synthetic.vcf.gz"), variants, ids, haplotypes);
        }
        else
        {
            var packed = new PackedGenotypes(individuals, variants.Count);
            var column = new sbyte[individuals];
            for (int j = 0; j < variants.Count; j++)
            {
                for (int i = 0; i < individuals; i++) column[i] = (sbyte)generated.Values[(long)i * variants.Count + j];
                packed.EncodeVariant(j, column);
            }
            Plink1Files.Write(context.Output("synthetic"), new PlinkDataset(variants, samples, packed));
            VcfWriter.WriteUnphased(context.Output("synthetic.vcf.gz"), variants, ids, packed);
        }
        StageFiles.WriteLines(context.Output("labels.tsv"), new[] { "iid\tlabel" }.Concat(ids.Select((id, i) => $"{id}\t{train.Classes[individualLabels[i]]}")));
        StageFiles.WriteJson(context.Output("sample.json"), new
        {
            model = kind,
            individuals,
            rows = generated.Rows,
            label_policy = spec.Balanced ? "balanced" : "as-data",
            per_label = train.Classes.Select((c, k) => new { label = c, individuals = individualLabels.Count(l => l == k) }),
            sampling_steps = kind == "genotype-diffusion" ? spec.Steps : (int?)null,
            guidance = spec.Guidance,
            privacy_gate = gate,
        }); // no timings here: outputs must be the same bytes on every run (the manifest records wall time)
        context.Log($"sampled {individuals} synthetic individuals ({generated.Rows} rows) in {clock.Elapsed.TotalSeconds:F0} s");
    }

    public sealed record GateOutcome(int ExactCopies, double? MiaAucValidation, double MaxMiaAuc, bool Passed, bool Allowed, string Summary);

    /// <summary>
    /// The release gate: no synthetic row may copy a training row, and membership inference (training rows vs the
    /// validation rows, which the generator did not train on; the holdout stays untouched) must not exceed the
    /// spec's threshold, unless the spec sets sample.allow_privacy_risk. A refused set is never published.
    /// </summary>
    private static GateOutcome PrivacyGate(StageContext context, TrainingSet train, TrainingSet validation, GeneratedSet generated)
    {
        GenoSynth.Evaluation.GenotypeSet AsSet(string name, byte[] values, int rows) =>
            new(name, train.Ploidy, rows, train.Variants, values, Enumerable.Range(0, rows).Select(i => $"{name}{i}").ToList(),
                Enumerable.Range(0, rows).Select(i => $"{name}{i}").ToList());
        var trainBits = new GenoSynth.Evaluation.BitPackedRows(AsSet("t", train.Values, train.Rows));
        var syntheticBits = new GenoSynth.Evaluation.BitPackedRows(AsSet("s", generated.Values, generated.Rows));
        int copies = GenoSynth.Evaluation.Privacy.ExactCopies(syntheticBits, trainBits);
        double? mia = validation.Rows >= 20
            ? GenoSynth.Evaluation.Privacy.MembershipInferenceAuc(trainBits, new GenoSynth.Evaluation.BitPackedRows(AsSet("v", validation.Values, validation.Rows)),
                syntheticBits, new SeededRandom(context.Spec.Sample.Seed))
            : null;
        var spec = context.Spec.Sample;
        bool passed = copies == 0 && (mia is null || mia <= spec.MaxMiaAuc);
        string summary = $"privacy release gate {(passed ? "passed" : spec.AllowPrivacyRisk ? "failed, publication allowed by sample.allow_privacy_risk" : "failed")}: " +
            $"{copies} exact copies of training rows, membership-inference AUC {(mia is double m ? m.ToString("0.000", CultureInfo.InvariantCulture) : "n/a (fewer than 20 validation rows)")} " +
            $"(training vs validation rows; limit {spec.MaxMiaAuc.ToString(CultureInfo.InvariantCulture)})";
        context.Log(summary);
        if (!passed && !spec.AllowPrivacyRisk)
            throw new InputException(summary + "; the synthetic set is not published. Train less (train.steps) or set sample.allow_privacy_risk: true to publish anyway");
        return new GateOutcome(copies, mia is double v ? Math.Round(v, 4) : null, spec.MaxMiaAuc, passed, spec.AllowPrivacyRisk, summary);
    }

    private static double[] ClassFrequenciesByIndividual(TrainingSet train, int rowsPerIndividual)
    {
        var counts = new double[train.Classes.Count];
        for (int r = 0; r < train.Rows; r += rowsPerIndividual) counts[train.Labels[r]]++;
        double total = counts.Sum();
        return counts.Select(c => c / total).ToArray();
    }
}
