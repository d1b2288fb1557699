using System.CommandLine;
using System.Text.Json;
using GenoSynth.Neural;
using GenoSynth.Neural.Benchmarks;

namespace GenoSynth.Cli;

/// <summary>`genosynth bench`: performance figures measured in one run (see src/GenoSynth.Neural/README.md).</summary>
public static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(TextWriter output)
    {
        var which = new Argument<string>("benchmark") { Description = "gemm, train-step, denoiser-step, eval, io, or all (every one, e.g. with --markdown results/perf.md)" };
        which.AcceptOnlyFromAmong("gemm", "train-step", "denoiser-step", "eval", "io", "all");
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the printed figures as a Markdown page (e.g. results/perf.md)." };
        var data = new Option<string>("--data") { Description = "The shared data directory (eval).", DefaultValueFactory = _ => "../shared/data" };
        var command = new Command("bench", "Run performance benchmarks and print their figures, each beside the reference it is measured against.") { which, json, markdown, data };
        command.SetAction(parse =>
        {
            bool asJson = parse.GetValue(json);
            var chosen = parse.GetValue(which)!;
            var names = chosen == "all" ? new[] { "gemm", "train-step", "denoiser-step", "eval", "io" } : [chosen];
            var page = new System.Text.StringBuilder();
            page.AppendLine("# Performance benchmarks");
            page.AppendLine();
            page.AppendLine($"Written by `./build.sh Bench` (`genosynth bench all --markdown results/perf.md`) on {Environment.ProcessorCount} core(s), " +
                $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. " +
                "Each figure is measured in the same run as its reference (OpenBLAS for the GEMM, plink for LD and genotype I/O).");
            foreach (var name in names)
            {
                var text = new StringWriter();
                object report = Run(name, text, parse.GetValue(data)!);
                if (asJson) output.WriteLine(JsonSerializer.Serialize(report, Json));
                else output.Write(text.ToString());
                page.AppendLine().AppendLine($"## {name}").AppendLine().AppendLine("```").Append(text.ToString()).AppendLine("```");
            }
            if (parse.GetValue(markdown) is { } path)
            {
                var full = Path.GetFullPath(path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full + ".tmp", page.ToString());
                File.Move(full + ".tmp", full, overwrite: true);
                output.WriteLine($"figures written to {path}");
            }
            return 0;
        });
        return command;
    }

    private static object Run(string name, TextWriter text, string data)
    {
        switch (name)
        {
            case "eval":
                return GenoSynth.Pipeline.Evaluate.EvaluationBenchmarks.Run(data, text.WriteLine);
            case "gemm":
            {
                var report = EngineBenchmarks.Gemm();
                PrintGemm(text, report);
                return report;
            }
            case "denoiser-step":
                return GenoSynth.Models.Benchmarks.DenoiserBenchmarks.Run(log: text.WriteLine);
            case "io":
                return GenoSynth.Pipeline.Evaluate.GenotypeIoBenchmarks.Run(2000, 50_000, text.WriteLine);
            default:
            {
                // The step is measured against the managed GEMM peak of the same run (1024^3, all threads).
                var report = EngineBenchmarks.TrainStep(EngineBenchmarks.GemmPeak());
                PrintTrainStep(text, report);
                return report;
            }
        }
    }

    private static void PrintGemm(TextWriter o, GemmReport r)
    {
        o.WriteLine($"managed kernel: {r.Kernel}; OPENBLAS_CORETYPE={r.OpenBlasCoreType ?? "(unset)"}");
        o.WriteLine($"{"shape",-16} {"threads",7} {"backend",-9} {"GFLOP/s",9} {"ms",9}");
        foreach (var f in r.Figures) o.WriteLine($"{f.Shape,-16} {f.Threads,7} {f.Backend,-9} {f.Gflops,9:F1} {f.Milliseconds,9:F3}");
        foreach (var x in r.Ratios) o.WriteLine($"managed / openblas  {x.Shape,-16} {x.Threads} thread(s): {x.ManagedOverOpenBlas:F3}");
    }

    private static void PrintTrainStep(TextWriter o, TrainStepReport r)
    {
        o.WriteLine($"{r.Model}: {r.Parameters:N0} parameters, batch {r.Batch}, {r.Threads} thread(s)");
        o.WriteLine($"  {r.MillisecondsPerStep:F2} ms/step, {r.GflopPerStep:F2} GFLOP/step, {r.AchievedGflops:F1} GFLOP/s = {r.FractionOfPeak:P1} of the GEMM peak {r.GemmPeakGflops:F1} GFLOP/s");
        o.WriteLine($"  forward {r.ForwardMilliseconds:F2} ms, backward {r.BackwardMilliseconds:F2} ms, AdamW update {r.UpdateMilliseconds:F2} ms (means)");
        o.WriteLine($"  managed bytes allocated per step after warm-up: {r.AllocatedBytesPerStep:N0} (pooled buffers: {r.PoolBytesAfterWarmup:N0} bytes, reused)");
    }
}
