using System.Diagnostics;
using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Models.Encoders;
using GenoSynth.Plink;
using GenoSynth.Pipeline.Spec;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Trains and samples the spec's comparison generators (baselines: RBM, GAN, independent floors, other diffusion
/// settings) on the same encoded train and validation rows as the main generator, so that the evaluation scores
/// every generator the same way. These sets are for the leaderboard, not for release: no privacy gate, no VCF.
/// Train and sample seconds per generator go to the stage record (manifest), never into the outputs.
/// </summary>
public sealed class BaselinesStage : IStage
{
    public string Name => "baselines";
    public IReadOnlyList<string> Upstream => ["encode"];
    public int Version => 1;
    public object Config(ExperimentSpec spec) => new { baselines = spec.Baselines };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) =>
        spec.Baselines.Any(b => b.Encode != spec.Encode && EncodeStage.FindsLdBlocks(b.Encode)) ? [PlinkTool.Plink1] : [];
    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => spec.Baselines.Count == 0 ? [] : [new("baselines.json", "baselines/baselines.json")];

    public const string Summary = "baselines.json";

    /// <summary>The file a baseline's genotypes are written to (the hapt file for haplotype data, else the PLINK prefix).</summary>
    public static string SetFile(string name, Ploidy ploidy) => ploidy == Ploidy.Haplotype ? name + ".hapt.gz" : name;

    public void Run(StageContext context)
    {
        var baselines = context.Spec.Baselines;
        var summaries = new List<object>();
        if (baselines.Count > 0)
        {
            var (train, validation) = EncodeStage.Load(context);
            var variants = Plink1Files.ReadBim(context.Input("encode", EncodeStage.Variants));
            foreach (var baseline in baselines)
            {
                var modelPath = context.Scratch(baseline.Name + ".safetensors");
                var clock = Stopwatch.StartNew();
                var progress = new ProgressLine(context, $"{baseline.Name} train");
                var (encoder, encoderDetails) = BaselineEncoder(context, baseline, train, validation, variants);
                var trained = Generators.Train(baseline.Model, baseline.Train, train, validation, encoder, modelPath, checkpointPath: null,
                    p => progress.Report(p.Step, p.TotalSteps, $"loss {p.Loss:F4}"));
                context.Timings[$"{baseline.Name}.train"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
                clock.Restart();
                var labels = SyntheticFiles.DrawLabels(train, baseline.Sample, context.Spec.SourcePath);
                var generated = Generators.Sample(modelPath, train, encoder, labels.RowLabels, baseline.Sample, null).Set;
                context.Timings[$"{baseline.Name}.sample"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
                SyntheticFiles.Write(context.Output(baseline.Name), generated, labels, variants, withVcf: false);
                SyntheticFiles.WriteLabels(context.Output(baseline.Name + ".labels.tsv"), train, labels);
                StageFiles.WriteLines(context.Output(baseline.Name + ".loss.tsv"), trained.LossLines);
                summaries.Add(new { name = baseline.Name, model = SpecNodeNames.Snake(baseline.Model.Type.ToString()), details = trained.Details, encoder = encoderDetails, rows = generated.Rows });
                context.Log($"{baseline.Name}: trained in {context.Timings[$"{baseline.Name}.train"].ToString(CultureInfo.InvariantCulture)} s, " +
                    $"sampled {generated.Rows} rows in {context.Timings[$"{baseline.Name}.sample"].ToString(CultureInfo.InvariantCulture)} s");
            }
        }
        StageFiles.WriteJson(context.Output(Summary), new { baselines = summaries });
    }

    /// <summary>
    /// The encoder a diffusion baseline learns on: none for the RBM, GAN and independent samplers (they model genotypes),
    /// the main encoder when the baseline keeps the main encode section, else its own, fitted here on the train rows.
    /// </summary>
    private static (GenotypeEncoder? Encoder, object? Details) BaselineEncoder(StageContext context,
        BaselineSpec baseline, GenotypeRows train, GenotypeRows validation,
        IReadOnlyList<Variant> variants)
    {
        if (baseline.Model.Type != ModelType.Diffusion || baseline.Encode.Method == EncodeMethod.Identity) return (null, null);
        if (baseline.Encode == context.Spec.Encode) return (EncodeStage.LoadEncoder(context), "main encoder");
        var progress = new ProgressLine(context, $"{baseline.Name} encoder");
        var (encoder, details) = EncodeStage.Fit(context, baseline.Encode, train, variants, baseline.Name + ".encoder",
            p => progress.Report(p.Step, p.TotalSteps, $"loss {p.Loss:F4}"))!.Value;
        double accuracy = Math.Round(encoder.ReconstructionAccuracy(validation), 6);
        context.Log($"{baseline.Name}: encoder {encoder.Kind}, {encoder.LatentSize} latent dimensions, validation calls decoded exactly {accuracy:P2}");
        return (encoder, new { kind = encoder.Kind, latent_size = encoder.LatentSize, validation_reconstruction_accuracy = accuracy, settings = details });
    }
}
