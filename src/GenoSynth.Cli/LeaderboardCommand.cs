using System.CommandLine;
using System.Text.Json;
using GenoSynth.Evaluation;
using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Evaluate;
using GenoSynth.Reports;

namespace GenoSynth.Cli;

/// <summary>`genosynth leaderboard`: results/README.md from every results/&lt;experiment&gt;/{metrics,manifest}.json.</summary>
public static class LeaderboardCommand
{
    public static Command Create(TextWriter output)
    {
        var results = new Option<string>("--results") { Description = "Results directory holding one folder per experiment.", DefaultValueFactory = _ => "results" };
        var command = new Command("leaderboard", "Write results/README.md: every generator of every experiment side by side, with the holdout row and timings.") { results };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(results)!;
            var entries = Directory.GetDirectories(root).Order(StringComparer.Ordinal)
                .Where(d => File.Exists(Path.Combine(d, EvaluationRun.MetricsFile)) && File.Exists(Path.Combine(d, "manifest.json")))
                .Select(Read).ToList();
            if (entries.Count == 0) throw new InputException($"{root}: no experiment folder holds metrics.json and manifest.json; run ./build.sh Benchmarks first");
            var text = Leaderboard.Render(entries,
            [
                "Every experiment in `workflows/` run end to end by `./build.sh Benchmarks` (each spec: fetch, QC, ranking, encode, " +
                "train, sample, baselines, evaluate, report). The four files per experiment are committed; the synthetic genotypes are not. " +
                "`./build.sh Audit --manifest results/<experiment>/manifest.json` re-runs an experiment from scratch and compares every artifact digest.",
            ]);
            var path = Path.Combine(root, "README.md");
            var temp = path + ".tmp";
            File.WriteAllText(temp, text);
            File.Move(temp, path, overwrite: true);
            output.WriteLine($"leaderboard of {entries.Count} experiment(s) written to {path}");
            return 0;
        });
        return command;
    }

    private static LeaderboardEntry Read(string directory)
    {
        var metricsPath = Path.Combine(directory, EvaluationRun.MetricsFile);
        var metrics = JsonSerializer.Deserialize<MetricsDocument>(File.ReadAllText(metricsPath), EvaluationRun.Json)
            ?? throw new InputException($"{metricsPath}: empty document");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")));
        var rootElement = manifest.RootElement;
        var stages = rootElement.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!, s => s);
        double? Wall(string stage) => stages.TryGetValue(stage, out var s) ? s.GetProperty("wall_seconds").GetDouble() : null;

        var timings = new Dictionary<string, GeneratorTiming>(StringComparer.Ordinal);
        if (metrics.Sets.Count > 0) timings[metrics.Sets[0].Name] = new GeneratorTiming(Wall("train"), Wall("sample"));
        if (stages.TryGetValue("baselines", out var baselines) && baselines.TryGetProperty("timings", out var recorded) && recorded.ValueKind == JsonValueKind.Object)
        {
            var seconds = recorded.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            foreach (var name in seconds.Keys.Select(k => k[..k.LastIndexOf('.')]).Distinct())
                timings[name] = new GeneratorTiming(seconds.GetValueOrDefault(name + ".train"), seconds.GetValueOrDefault(name + ".sample"));
        }
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (stages.TryGetValue("evaluate", out var evaluate) && evaluate.GetProperty("config").TryGetProperty("evaluate", out var settings)
            && settings.TryGetProperty("compare", out var compare) && compare.ValueKind == JsonValueKind.Array)
            foreach (var set in compare.EnumerateArray())
                notes[set.GetProperty("name").GetString()!] = set.TryGetProperty("note", out var note) ? note.GetString() ?? "" : "";
        string description = rootElement.TryGetProperty("spec", out var spec) && spec.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
        return new LeaderboardEntry(rootElement.GetProperty("experiment").GetString()!, description, metrics, timings, notes);
    }
}
