using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Models.Diffusion;
using GenoSynth.Neural;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Models;

public class DiffusionTests
{
    private static GenotypeRows Toy(int rows, ulong seed)
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
        return new GenotypeRows(Ploidy.Haplotype, rows, m, values, labels: LinkedHaplotypes.Labels(labels));
    }

    private static DiffusionSettings Settings => new()
    {
        Width = 64, Blocks = 1, Timesteps = 200, TrainSteps = 60, Batch = 32, LearningRate = 3e-3f,
        WarmupSteps = 5, EvaluateEvery = 20, CheckpointEvery = 20, Seed = 3,
    };

    [Fact]
    public void Settings_keep_the_json_that_model_files_already_hold()
    {
        // The settings of a model file written while DiffusionSettings was still built by position (1kg-lct-eur).
        const string Saved = "{\"Width\":512,\"Blocks\":2,\"Timesteps\":1000,\"Schedule\":0,\"TrainSteps\":1500," +
            "\"Batch\":128,\"LearningRate\":0.0005,\"WarmupSteps\":100,\"WeightDecay\":0,\"EmaDecay\":0.999," +
            "\"LabelDropout\":0.1,\"EvaluateEvery\":150,\"CheckpointEvery\":150,\"Seed\":607}";
        var settings = new DiffusionSettings
        {
            Width = 512, TrainSteps = 1500, Batch = 128, EvaluateEvery = 150, CheckpointEvery = 150, Seed = 607,
        };
        Assert.Equal(Saved, System.Text.Json.JsonSerializer.Serialize(settings));
        Assert.Equal(settings, System.Text.Json.JsonSerializer.Deserialize<DiffusionSettings>(Saved));
        var transformer = settings with { Denoiser = DenoiserKind.Transformer, Patch = 32, Heads = 4, Patience = 3 };
        var json = System.Text.Json.JsonSerializer.Serialize(transformer);
        Assert.EndsWith("\"Seed\":607,\"Denoiser\":1,\"Patch\":32,\"Heads\":4,\"Patience\":3}", json);
        Assert.Equal(transformer, System.Text.Json.JsonSerializer.Deserialize<DiffusionSettings>(json));
    }

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
        var labels = LinkedHaplotypes.Labels([.. Enumerable.Repeat(0, 50), .. Enumerable.Repeat(1, 50)]);
        var sample = model.Sample(labels, 20, 0, 9);
        double Match(int r, int label) => Enumerable.Range(0, 24).Count(j => sample.Values[r * 24 + j] == (j % 2 == label ? 1 : 0)) / 24.0;
        double own = Enumerable.Range(0, 100).Average(r => Match(r, r < 50 ? 0 : 1));
        Assert.True(own > 0.75, $"samples follow their label's pattern in {own:P0} of positions");
        Assert.Equal(3, model.LossCurve.Count);
        Assert.All(model.LossCurve, p => Assert.True(p.ValidationLoss < 0.6, $"validation loss {p.ValidationLoss} at step {p.Step}"));
    }

    [Fact]
    public void Cooling_the_call_logits_removes_the_datas_noise_and_the_expected_clean_value_keeps_the_patterns()
    {
        // The toy rows carry 10 % flipped calls: drawn at temperature 1 the samples keep about that noise, cooled they
        // converge on each class's pattern. The expected-value estimate changes the path, not what is learned.
        var model = GenotypeDiffusion.Train(Toy(256, 1), Toy(64, 2), Settings, null, null);
        var labels = LinkedHaplotypes.Labels(Enumerable.Range(0, 200).Select(i => i % 2).ToArray());
        bool Matches(GenotypeRows sample, int r, int j) =>
            sample.Values[r * 24 + j] == (j % 2 == labels.Indexes[r] ? 1 : 0);
        double Own(GenotypeRows sample) => Enumerable.Range(0, labels.Count)
            .Average(r => Enumerable.Range(0, 24).Count(j => Matches(sample, r, j)) / 24.0);
        double warm = Own(model.Sample(labels, 20, 0, 9));
        double cool = Own(model.Sample(labels, 20, 0, 9, temperature: 0.3f));
        var mean = model.Sample(labels, 20, 0, 9, estimate: CleanEstimate.Mean);
        Assert.True(cool > warm + 0.03 && cool > 0.95, $"pattern match: temperature 1 {warm:P1}, 0.3 {cool:P1}");
        Assert.True(Own(mean) > 0.75, $"pattern match with the expected clean value {Own(mean):P1}");
        Assert.NotEqual(model.Sample(labels, 20, 0, 9).Values, mean.Values);
        Assert.Equal(mean.Values, model.Sample(labels, 20, 0, 9, estimate: CleanEstimate.Mean).Values);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Sample(labels, 20, 0, 9, temperature: 0));
    }

    public static TheoryData<DenoiserKind, float> Denoisers => new() { { DenoiserKind.Mlp, 0f }, { DenoiserKind.Transformer, 0.2f }, { DenoiserKind.Hybrid, 0.2f } };

    private static DiffusionSettings SettingsFor(DenoiserKind denoiser, float dropout) => denoiser switch
    {
        DenoiserKind.Transformer => Settings with { Denoiser = denoiser, Width = 16, Blocks = 1, Patch = 5, Heads = 2, Dropout = dropout },
        DenoiserKind.Hybrid => Settings with { Denoiser = denoiser, Width = 16, Blocks = 1, Channels = 4, Levels = 2, Heads = 2, Patch = 2, Dropout = dropout },
        _ => Settings with { Dropout = dropout },
    };

    [Theory]
    [MemberData(nameof(Denoisers))]
    public void Training_interrupted_and_resumed_from_its_checkpoint_ends_with_the_same_weights(DenoiserKind denoiser, float dropout)
    {
        using var tmp = new TempDir();
        var data = Toy(128, 4);
        var validation = Toy(32, 5);
        var settings = SettingsFor(denoiser, dropout);
        var whole = GenotypeDiffusion.Train(data, validation, settings, tmp.File("a.ckpt"), null);

        var checkpoint = tmp.File("b.ckpt");
        Assert.ThrowsAny<Exception>(() => GenotypeDiffusion.Train(data, validation, settings, checkpoint, p =>
        {
            if (p.Step == 40) throw new OperationCanceledException("simulated kill");
        }));
        Assert.True(File.Exists(checkpoint), "a checkpoint was written before the interruption");
        var resumed = GenotypeDiffusion.Train(data, validation, settings, checkpoint, null);

        var a = whole.Model.Parameters().SelectMany(p => p.Span.ToArray()).ToArray();
        var b = resumed.Model.Parameters().SelectMany(p => p.Span.ToArray()).ToArray();
        Assert.Equal(a, b);
        Assert.Equal(whole.LossCurve, resumed.LossCurve);
        var s1 = whole.Sample(LinkedHaplotypes.Labels(0, 1, 0, 1), 10, 0, 11);
        var s2 = resumed.Sample(LinkedHaplotypes.Labels(0, 1, 0, 1), 10, 0, 11);
        Assert.Equal(s1.Values, s2.Values);
    }

    [Fact]
    public void Early_stopping_ends_at_the_first_run_of_evaluations_without_a_new_best_and_resumes_the_same()
    {
        using var tmp = new TempDir();
        var data = Toy(128, 4);
        var validation = Toy(32, 5);
        var full = GenotypeDiffusion.Train(data, validation, Settings with { TrainSteps = 400, EvaluateEvery = 5 }, null, null).LossCurve;
        Assert.Equal(80, full.Count);
        // The reference: the first evaluation that is the third in a row without a lower validation loss.
        int expected = -1;
        double best = double.PositiveInfinity;
        for (int i = 0, since = 0; i < full.Count && expected < 0; i++)
        {
            if (full[i].ValidationLoss!.Value < best) (best, since) = (full[i].ValidationLoss!.Value, 0);
            else if (++since == 3) expected = i;
        }
        Assert.True(expected > 0 && expected < full.Count - 1, $"the validation loss stalls before step 400 (stop at evaluation {expected})");

        var settings = Settings with { TrainSteps = 400, EvaluateEvery = 5, CheckpointEvery = 5, Patience = 3 };
        var early = GenotypeDiffusion.Train(data, validation, settings, tmp.File("a.ckpt"), null);
        Assert.Equal(full.Take(expected + 1), early.LossCurve);

        var checkpoint = tmp.File("b.ckpt");
        Assert.ThrowsAny<Exception>(() => GenotypeDiffusion.Train(data, validation, settings, checkpoint, p =>
        {
            if (p.Step == full[expected].Step - 5) throw new OperationCanceledException("simulated kill");
        }));
        var resumed = GenotypeDiffusion.Train(data, validation, settings, checkpoint, null);
        Assert.Equal(early.LossCurve, resumed.LossCurve);
        Assert.Equal(early.Model.Parameters().SelectMany(p => p.Span.ToArray()), resumed.Model.Parameters().SelectMany(p => p.Span.ToArray()));
    }

    [Fact]
    public void Dropout_masks_come_from_the_step_so_they_change_training_but_not_its_reproducibility()
    {
        var data = Toy(128, 4);
        var plain = GenotypeDiffusion.Train(data, null, Settings, null, null);
        var dropped = GenotypeDiffusion.Train(data, null, Settings with { Dropout = 0.3f }, null, null);
        var again = GenotypeDiffusion.Train(data, null, Settings with { Dropout = 0.3f }, null, null);
        float[] Weights(GenotypeDiffusion d) => d.Model.Parameters().SelectMany(p => p.Span.ToArray()).ToArray();
        Assert.NotEqual(Weights(plain), Weights(dropped));
        Assert.Equal(Weights(dropped), Weights(again));
    }

    [Fact]
    public void Transformer_denoiser_gradients_match_finite_differences()
    {
        // 10 variants in patches of 4: three tokens, the last padded with two zeros; dropout active (same masks in every pass).
        var config = new DenoiserConfig(10, 2, 3, 8, 1, TimeDim: 8, Kind: DenoiserKind.Transformer, Dropout: 0.2f, Patch: 4, Heads: 2);
        var model = Denoiser.Create(config, new SeededRandom(5));
        var x = Tensor.Parameter(Tensor.Randn(new SeededRandom(6), 1f, 2, 10), "x");
        GenoSynth.Tests.Neural.GradientCheck.Check(g => model.Forward(g, x, [3f, 150f], [0, 3]), [x, .. model.Parameters()], relTol: 4e-2);
    }

    [Theory]
    [InlineData(DenoiserKind.ConvUnet, 1)]
    [InlineData(DenoiserKind.ConvUnet, 3)]
    [InlineData(DenoiserKind.Hybrid, 1)]
    public void Unet_and_hybrid_denoiser_gradients_match_finite_differences(DenoiserKind kind, int patch)
    {
        // 10 variants, two halvings: padded to 12 (patch 3: stem stride 3, four positions, two at the deepest level);
        // dropout active (same masks in every pass).
        // A smaller step than the default: GroupNorm over groups of two channels and three positions curves sharply.
        var config = new DenoiserConfig(10, 2, 3, 8, 1, TimeDim: 8, Kind: kind, Dropout: 0.2f, Patch: patch, Heads: 2, Channels: 4, Levels: 2);
        var model = Denoiser.Create(config, new SeededRandom(5));
        var x = Tensor.Parameter(Tensor.Randn(new SeededRandom(6), 1f, 2, 10), "x");
        GenoSynth.Tests.Neural.GradientCheck.Check(g => model.Forward(g, x, [3f, 150f], [0, 3]), [x, .. model.Parameters()], eps: 1e-3, relTol: 4e-2);
    }

    [Fact]
    public void Hybrid_gate_is_a_share_between_zero_and_one_that_depends_on_time()
    {
        var config = new DenoiserConfig(10, 2, 3, 8, 1, TimeDim: 8, Kind: DenoiserKind.Hybrid, Heads: 2, Channels: 2, Levels: 1);
        var model = (HybridDenoiser)Denoiser.Create(config, new SeededRandom(5));
        var gate = model.Gate(new Graph(new BufferPool(), gradEnabled: false), [0f, 500f, 999f]).Span.ToArray();
        Assert.All(gate, l => Assert.InRange(l, 0f, 1f));
        Assert.NotEqual(gate[0], gate[2]);
    }

    [Fact]
    public void Transformer_diffusion_learns_linkage_that_crosses_its_patches_and_class_frequencies()
    {
        // LD blocks of 8 variants, tokens of 6: every block but the first spans two tokens, so linkage must pass through attention.
        AssertLearnsLinkageAndClassFrequencies(new DiffusionSettings
        {
            Width = 32, Blocks = 2, Timesteps = 200, TrainSteps = 500, Batch = 64,
            LearningRate = 2e-3f, WarmupSteps = 20, EmaDecay = 0.99f, EvaluateEvery = 100, CheckpointEvery = 1000,
            Seed = 9,
            Denoiser = DenoiserKind.Transformer, Patch = 6, Heads = 4,
        });
    }

    [Fact]
    public void Conv_unet_diffusion_learns_linkage_and_class_frequencies() =>
        AssertLearnsLinkageAndClassFrequencies(new DiffusionSettings
        {
            Width = 32, Blocks = 1, Timesteps = 200, TrainSteps = 400, Batch = 64,
            LearningRate = 2e-3f, WarmupSteps = 20, EmaDecay = 0.99f, EvaluateEvery = 100, CheckpointEvery = 1000,
            Seed = 9,
            Denoiser = DenoiserKind.ConvUnet, Channels = 16, Levels = 2, Heads = 4,
        });

    private static void AssertLearnsLinkageAndClassFrequencies(DiffusionSettings settings)
    {
        var train = LinkedHaplotypes.Create(600, 1);
        var diffusion = GenotypeDiffusion.Train(train, LinkedHaplotypes.Create(100, 2), settings, null, null);
        var labels = LinkedHaplotypes.Labels(Enumerable.Range(0, 400).Select(i => i % 2).ToArray());
        var sample = diffusion.Sample(labels, 50, 0, 11);

        double real = LinkedHaplotypes.WithinBlockR2(train.Values, train.Rows);
        double learned = LinkedHaplotypes.WithinBlockR2(sample.Values, labels.Count);
        var floor = IndependentSampler.Fit(train, perLabel: false)
            .Sample(labels, new SeededRandom(7), LinkedHaplotypes.Variants);
        double independent = LinkedHaplotypes.WithinBlockR2(floor.Values, labels.Count);
        Assert.True(learned > 0.6 * real && learned > 5 * independent, $"within-block r2: real {real:F3}, {settings.Denoiser} diffusion {learned:F3}, independent {independent:F3}");
        double a = LinkedHaplotypes.ClassFrequency(sample.Values, labels.Indexes, 0);
        double b = LinkedHaplotypes.ClassFrequency(sample.Values, labels.Indexes, 1);
        Assert.True(a is > 0.1 and < 0.35 && b is > 0.65 and < 0.9, $"class frequencies {a:F2} (real 0.23) and {b:F2} (real 0.77)");
    }

    [Fact]
    public void Label_policy_counts_follow_frequencies_or_balance()
    {
        Assert.Equal([0, 0, 0, 1, 2, 2], LabelPolicy.Labels(6, [0.5, 0.17, 0.33], false));
        Assert.Equal([0, 0, 1, 1, 2, 2], LabelPolicy.Labels(6, [0.5, 0.17, 0.33], true));
    }
}
