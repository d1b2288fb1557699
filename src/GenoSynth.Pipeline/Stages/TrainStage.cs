using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Fits the spec's generator on the encoded train rows; validation rows choose the checkpoint. Diffusion training
/// checkpoints into the stage's resume directory, so a killed run continues where it stopped and ends with the
/// same bytes as an uninterrupted one.
/// </summary>
public sealed class TrainStage : IStage
{
    public string Name => "train";
    public IReadOnlyList<string> Upstream => ["encode"];
    public int Version => 1;
    public object Config(ExperimentSpec spec) => new { spec.Model, spec.Train };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [];
    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => [new("train.json", "train/train.json"), new("loss.tsv", "train/loss.tsv")];

    public const string ModelFile = "model.safetensors";

    public void Run(StageContext context)
    {
        var (train, validation) = EncodeStage.Load(context);
        var model = context.Spec.Model;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(context.ResumeDirectory);
        var checkpoint = Path.Combine(context.ResumeDirectory, "checkpoint.safetensors");
        if (File.Exists(checkpoint)) context.Log("resuming from the last checkpoint of an interrupted run");
        var progress = new ProgressLine(context, "train");
        var trained = Generators.Train(model, context.Spec.Train, train, validation, EncodeStage.LoadEncoder(context), context.Output(ModelFile), checkpoint,
            p => progress.Report(p.Step, p.TotalSteps, $"loss {p.Loss:F4}" + (p.ValidationLoss is double v ? $", validation {v:F4}" : "")));
        var lines = trained.LossLines;
        var details = trained.Details;
        StageFiles.WriteLines(context.Output("loss.tsv"), lines);
        StageFiles.WriteJson(context.Output("train.json"), new { model = model.Type, train_rows = train.Rows, validation_rows = validation.Rows, details });
        context.Log($"trained {model.Type} on {train.Rows} rows x {train.Variants} variants in {clock.Elapsed.TotalSeconds:F0} s");
    }
}

/// <summary>Progress of long work: a redrawn bar on a terminal, plain lines (every report) in CI and logs.</summary>
internal sealed class ProgressLine(StageContext context, string what)
{
    private readonly bool _terminal = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public void Report(int done, int total, string detail)
    {
        double rate = done / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
        var eta = TimeSpan.FromSeconds((total - done) / Math.Max(1e-9, rate));
        string text = $"{what} {done}/{total} ({100.0 * done / total:F0} %), {detail}, {rate:F1}/s, ETA {eta:mm\\:ss}";
        if (_terminal)
        {
            int filled = (int)(30.0 * done / total);
            Console.Write($"\r[{new string('#', filled)}{new string('-', 30 - filled)}] {text}   ");
            if (done == total) Console.WriteLine();
        }
        else context.Log(text);
    }
}
