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
    public IReadOnlyList<string> Upstream => ["evaluate", "train", "sample"];
    public int Version => 3; // 2: states the privacy release gate; 3: fidelity cells show vs holdout
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
        var preface = sample.TryGetProperty("privacy_gate", out var gate) ? new[] { char.ToUpperInvariant(gate.GetProperty("summary").GetString()![0]) + gate.GetProperty("summary").GetString()![1..] + "." } : [];
        File.WriteAllText(context.Output("report.md"), MarkdownReport.Render(metrics, title, preface));
        File.WriteAllText(context.Output("report.html"), HtmlReport.Render(metrics, plots, title, preface));
        context.Log("report.md and report.html written");
    }
}
