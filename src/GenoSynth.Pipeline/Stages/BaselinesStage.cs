using System.Diagnostics;
using System.Globalization;
using GenoSynth.Genotypes;
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
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [];
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
                var trained = Generators.Train(baseline.Model, baseline.Train, train, validation, modelPath, checkpointPath: null,
                    p => progress.Report(p.Step, p.TotalSteps, $"loss {p.Loss:F4}"));
                context.Timings[$"{baseline.Name}.train"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
                clock.Restart();
                var labels = SyntheticFiles.DrawLabels(train, baseline.Sample);
                var generated = Generators.Sample(modelPath, train, labels.RowLabels, baseline.Sample, null).Set;
                context.Timings[$"{baseline.Name}.sample"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
                SyntheticFiles.Write(context.Output(baseline.Name), train, generated, labels, variants, withVcf: false);
                SyntheticFiles.WriteLabels(context.Output(baseline.Name + ".labels.tsv"), train, labels);
                StageFiles.WriteLines(context.Output(baseline.Name + ".loss.tsv"), trained.LossLines);
                summaries.Add(new { name = baseline.Name, model = SpecNodeNames.Snake(baseline.Model.Type.ToString()), details = trained.Details, rows = generated.Rows });
                context.Log($"{baseline.Name}: trained in {context.Timings[$"{baseline.Name}.train"].ToString(CultureInfo.InvariantCulture)} s, " +
                    $"sampled {generated.Rows} rows in {context.Timings[$"{baseline.Name}.sample"].ToString(CultureInfo.InvariantCulture)} s");
            }
        }
        StageFiles.WriteJson(context.Output(Summary), new { baselines = summaries });
    }
}
