using System.Diagnostics;
using GenoSynth.Pipeline.Store;
using GenoSynth.Tests.Pipeline;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Robustness;

public class KillTests
{
    private const string Training = """

        model: {type: diffusion, width: 256, blocks: 1}
        train: {steps: 400, batch: 128, warmup_steps: 10, learning_rate: 0.002, evaluate_every: 20, checkpoint_every: 20}
        sample: {steps: 20, allow_privacy_risk: true}
        """; // 400 steps on 401 individuals memorises; this test is about resuming, so the gate is told to publish


    private static string Cli => Path.Combine(AppContext.BaseDirectory, "genosynth.dll");

    private static Process Start(string spec, string cache, string results)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Cli, "stage", "sample", "--spec", spec, "--cache", cache, "--results", results }) start.ArgumentList.Add(a);
        start.Environment["CI"] = "true";
        return Process.Start(start)!;
    }

    /// <summary>Runs `stage sample` to the end, requires success, and returns what it printed.</summary>
    private static string RunToCompletion(string spec, string cache, string results)
    {
        using var process = Start(spec, cache, results);
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + process.StandardError.ReadToEnd());
        return output;
    }

    [Fact]
    public void Kill_minus_9_during_training_then_the_same_command_resumes_and_ends_with_identical_bytes()
    {
        using var h = new PipelineHarness();
        var spec = h.Spec("1kg-lct-eur", t => GeneratorStagesTests.WithoutGenerator(t) + Training);

        // Uninterrupted reference run.
        RunToCompletion(spec, Path.Combine(h.Dir, "c1"), Path.Combine(h.Dir, "r1"));

        // Same spec in a fresh cache: kill -9 as soon as a training checkpoint exists, then run the same command again.
        var cache = Path.Combine(h.Dir, "c2");
        using (var victim = Start(spec, cache, Path.Combine(h.Dir, "r2")))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !victim.HasExited &&
                   !(Directory.Exists(Path.Combine(cache, "train")) && Directory.GetFiles(Path.Combine(cache, "train"), "checkpoint.safetensors", SearchOption.AllDirectories).Length > 0))
                Thread.Sleep(50);
            Assert.False(victim.HasExited, "training finished before it could be interrupted");
            victim.Kill(entireProcessTree: true); // SIGKILL: no clean-up code runs
            victim.WaitForExit();
        }
        Assert.False(Directory.Exists(Path.Combine(h.Dir, "r2", "1kg-lct-eur")), "an interrupted run publishes nothing");
        Assert.Contains("resuming from the last checkpoint", RunToCompletion(spec, cache, Path.Combine(h.Dir, "r2")));

        var first = ResultsPublisher.TryRead(Path.Combine(h.Dir, "r1", "1kg-lct-eur", "manifest.json"))!;
        var second = ResultsPublisher.TryRead(Path.Combine(h.Dir, "r2", "1kg-lct-eur", "manifest.json"))!;
        foreach (var stage in new[] { "train", "sample" })
            Assert.Equal(first.Stages.Single(s => s.Stage == stage).Outputs.Select(o => o.Key + o.Value.Sha256),
                second.Stages.Single(s => s.Stage == stage).Outputs.Select(o => o.Key + o.Value.Sha256));
        Assert.Equal(first.Results, second.Results);
        Assert.Empty(Directory.GetDirectories(Path.Combine(cache, "train"), "*.resume")); // resume state removed once committed
    }

    [Fact]
    public void Kill_minus_9_during_sampling_then_the_same_command_restarts_it_and_ends_with_identical_bytes()
    {
        using var h = new PipelineHarness();
        // A long sampling phase (many denoising steps) so the kill lands inside it.
        var spec = h.Spec("1kg-lct-eur", t => GeneratorStagesTests.WithoutGenerator(t) +
            Training.Replace("steps: 400", "steps: 60").Replace("sample: {steps: 20,", "sample: {steps: 1000,"));
        RunToCompletion(spec, Path.Combine(h.Dir, "c1"), Path.Combine(h.Dir, "r1"));
        var cache = Path.Combine(h.Dir, "c2");
        using (var victim = Start(spec, cache, Path.Combine(h.Dir, "r2")))
        {
            string? line;
            while ((line = victim.StandardOutput.ReadLine()) is not null && !line.Contains("[sample] running")) { }
            Assert.NotNull(line);
            Thread.Sleep(300);
            Assert.False(victim.HasExited, "sampling finished before it could be interrupted");
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
        }
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(cache, "sample")), d => !Path.GetFileName(d).StartsWith(".tmp-")); // nothing committed
        Assert.Contains("[train] cached", RunToCompletion(spec, cache, Path.Combine(h.Dir, "r2"))); // training is not redone
        var first = ResultsPublisher.TryRead(Path.Combine(h.Dir, "r1", "1kg-lct-eur", "manifest.json"))!;
        var second = ResultsPublisher.TryRead(Path.Combine(h.Dir, "r2", "1kg-lct-eur", "manifest.json"))!;
        Assert.Equal(first.Results, second.Results);
        Assert.Empty(Directory.GetDirectories(Path.Combine(cache, "sample"), ".tmp-*")); // the killed run's temporary directory is cleaned up
    }
}
