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
        var which = new Argument<string>("benchmark") { Description = "gemm, train-step or eval" };
        which.AcceptOnlyFromAmong("gemm", "train-step", "eval");
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var data = new Option<string>("--data") { Description = "The shared data directory (eval).", DefaultValueFactory = _ => "../shared/data" };
        var command = new Command("bench", "Run a performance benchmark and print its figures.") { which, json, data };
        command.SetAction(parse =>
        {
            bool asJson = parse.GetValue(json);
            if (parse.GetValue(which) == "eval")
            {
                var report = GenoSynth.Pipeline.Evaluate.EvaluationBenchmarks.Run(parse.GetValue(data)!, line => { if (!asJson) output.WriteLine(line); });
                if (asJson) output.WriteLine(JsonSerializer.Serialize(report, Json));
            }
            else if (parse.GetValue(which) == "gemm")
            {
                var report = EngineBenchmarks.Gemm();
                if (asJson) output.WriteLine(JsonSerializer.Serialize(report, Json));
                else PrintGemm(output, report);
            }
            else
            {
                // The step is measured against the managed GEMM peak of the same run (1024^3, all threads).
                var report = EngineBenchmarks.TrainStep(EngineBenchmarks.GemmPeak());
                if (asJson) output.WriteLine(JsonSerializer.Serialize(report, Json));
                else PrintTrainStep(output, report);
            }
            return 0;
        });
        return command;
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
