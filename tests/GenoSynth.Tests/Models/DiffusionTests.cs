using GenoSynth.Models;
using GenoSynth.Models.Diffusion;
using GenoSynth.Neural;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Models;

public class DiffusionTests
{
    private static TrainingSet Toy(int rows, ulong seed)
    {
        // Two classes with opposite haplotype patterns plus noise: learnable in a few dozen steps.
        var rng = new SeededRandom(seed);
        const int m = 24;
        var values = new byte[rows * m];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            labels[r] = r % 2;
            for (int j = 0; j < m; j++) values[r * m + j] = (byte)(((j % 2 == labels[r] ? 1 : 0) ^ (rng.NextDouble() < 0.1 ? 1 : 0)));
        }
        return new TrainingSet(values, rows, m, 1, labels, ["a", "b"]);
    }

    private static DiffusionSettings Settings => new(Width: 64, Blocks: 1, Timesteps: 200, TrainSteps: 60, Batch: 32, LearningRate: 3e-3f,
        WarmupSteps: 5, EvaluateEvery: 20, CheckpointEvery: 20, Seed: 3);

    [Fact]
    public void Cosine_schedule_decreases_and_the_posterior_reaches_the_clean_data()
    {
        var s = new NoiseSchedule(ScheduleKind.Cosine, 1000);
        for (int t = 1; t < 1000; t++) Assert.True(s.AlphaBar[t] < s.AlphaBar[t - 1]);
        Assert.InRange(s.AlphaBar[0], 0.999, 1);
        Assert.True(s.AlphaBar[999] < 1e-4);
        var (onX0, onXt, variance) = s.Posterior(10, -1);
        Assert.Equal(1.0, onX0, 6); // stepping to t = -1 returns the clean prediction itself
        Assert.Equal(0.0, onXt, 6);
        Assert.Equal(0.0, variance, 6);
        Assert.Equal([999, 666, 333, 0], s.SamplingTimesteps(4));
    }

    [Fact]
    public void A_trained_model_samples_its_class_patterns()
    {
        var data = Toy(256, 1);
        var model = GenotypeDiffusion.Train(data, Toy(64, 2), Settings, null, null);
        var sample = model.Sample(Enumerable.Repeat(0, 50).Concat(Enumerable.Repeat(1, 50)).ToArray(), 20, 0, 9);
        double Match(int r, int label) => Enumerable.Range(0, 24).Count(j => sample.Values[r * 24 + j] == (j % 2 == label ? 1 : 0)) / 24.0;
        double own = Enumerable.Range(0, 100).Average(r => Match(r, r < 50 ? 0 : 1));
        Assert.True(own > 0.75, $"samples follow their label's pattern in {own:P0} of positions");
        Assert.Equal(3, model.LossCurve.Count);
        Assert.All(model.LossCurve, p => Assert.True(p.ValidationLoss < 0.6, $"validation loss {p.ValidationLoss} at step {p.Step}"));
    }

    [Fact]
    public void Training_interrupted_and_resumed_from_its_checkpoint_ends_with_the_same_weights()
    {
        using var tmp = new TempDir();
        var data = Toy(128, 4);
        var validation = Toy(32, 5);
        var whole = GenotypeDiffusion.Train(data, validation, Settings, tmp.File("a.ckpt"), null);

        var checkpoint = tmp.File("b.ckpt");
        Assert.ThrowsAny<Exception>(() => GenotypeDiffusion.Train(data, validation, Settings, checkpoint, p =>
        {
            if (p.Step == 40) throw new OperationCanceledException("simulated kill");
        }));
        Assert.True(File.Exists(checkpoint), "a checkpoint was written before the interruption");
        var resumed = GenotypeDiffusion.Train(data, validation, Settings, checkpoint, null);

        var a = whole.Model.Parameters().SelectMany(p => p.Span.ToArray()).ToArray();
        var b = resumed.Model.Parameters().SelectMany(p => p.Span.ToArray()).ToArray();
        Assert.Equal(a, b);
        Assert.Equal(whole.LossCurve, resumed.LossCurve);
        var s1 = whole.Sample([0, 1, 0, 1], 10, 0, 11);
        var s2 = resumed.Sample([0, 1, 0, 1], 10, 0, 11);
        Assert.Equal(s1.Values, s2.Values);
    }

    [Fact]
    public void Label_policy_counts_follow_frequencies_or_balance()
    {
        Assert.Equal([0, 0, 0, 1, 2, 2], LabelPolicy.Labels(6, [0.5, 0.17, 0.33], false));
        Assert.Equal([0, 0, 1, 1, 2, 2], LabelPolicy.Labels(6, [0.5, 0.17, 0.33], true));
    }
}
