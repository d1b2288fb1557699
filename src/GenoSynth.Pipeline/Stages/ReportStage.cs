using System.Globalization;
using System.Text.Json;
using GenoSynth.Evaluation;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Store;
using GenoSynth.Plink;
using GenoSynth.Reports;

namespace GenoSynth.Pipeline.Stages;

/// <summary>Renders report.md and report.html from the evaluation and the training curve; computes nothing new.</summary>
public sealed class ReportStage : IStage
{
    public string Name => "report";
    public IReadOnlyList<string> Upstream => ["evaluate", "encode", "train", "sample"];
    // 2: states the privacy release gate; 3: fidelity cells show vs holdout; 4: states the encoder's reconstruction
    // accuracy; 5: per-chromosome, haplotype-block and window LD-decay tables, window decay and longest-run plots
    public int Version => 5;
    public object Config(ExperimentSpec spec) => new { spec.Experiment, spec.Description };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [];
    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => [new("report.md", "report.md"), new("report.html", "report.html")];

    public void Run(StageContext context)
    {
        var metrics = JsonSerializer.Deserialize<MetricsDocument>(File.ReadAllText(context.Input("evaluate", Evaluate.EvaluationRun.MetricsFile)), Evaluate.EvaluationRun.Json)!;
        var plots = JsonSerializer.Deserialize<PlotData>(File.ReadAllText(context.Input("evaluate", EvaluateStage.PlotDataFile)), Digest.CanonicalJson)!;
        var curve = File.ReadAllLines(context.Input("train", "loss.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .Select(f => new LossPoint(int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                f[2] == "NA" ? null : double.Parse(f[2], CultureInfo.InvariantCulture))).ToList();
        plots = plots with { LossCurve = curve };
        string title = context.Spec.Description.Length > 0 ? $"{context.Spec.Experiment}: {context.Spec.Description}" : context.Spec.Experiment;
        var sample = JsonDocument.Parse(File.ReadAllText(context.Input("sample", "sample.json"))).RootElement;
        var preface = new List<string>();
        if (sample.TryGetProperty("privacy_gate", out var gate))
            preface.Add(char.ToUpperInvariant(gate.GetProperty("summary").GetString()![0]) + gate.GetProperty("summary").GetString()![1..] + ".");
        preface.Add(EncoderLine(JsonDocument.Parse(File.ReadAllText(context.Input("encode", "encode.json"))).RootElement));
        File.WriteAllText(context.Output("report.md"), MarkdownReport.Render(metrics, title, preface, plots));
        File.WriteAllText(context.Output("report.html"), HtmlReport.Render(metrics, plots, title, preface));
        context.Log("report.md and report.html written");
    }

    /// <summary>What the generator saw: identity calls, or an encoder's latents and how many calls it decodes back exactly.</summary>
    private static string EncoderLine(JsonElement encode)
    {
        string method = encode.GetProperty("method").GetString()!;
        int variants = encode.GetProperty("variants").GetInt32();
        if (method == "identity") return $"Encoding: identity ({variants} variants, every call decodes to itself).";
        string Percent(string key) => encode.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number
            ? (100 * v.GetDouble()).ToString("F2", CultureInfo.InvariantCulture) + " %" : "n/a";
        return $"Encoding: {method}, {variants} variants to {encode.GetProperty("latent_size").GetInt32()} latent dimensions; genotype calls decoded back " +
               $"exactly: {Percent("validation_reconstruction_accuracy")} of validation calls ({Percent("train_reconstruction_accuracy")} of train calls).";
    }
}
