using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Models.Diffusion;
using GenoSynth.Models.Encoders;
using GenoSynth.Neural;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Models;

/// <summary>
/// The latent route: PCA-block and VAE encoders, the DDIM step, and diffusion on encoder latents, on haplotypes whose
/// blocks of 8 variants copy a founder allele (strong LD inside blocks, class-specific founder frequencies).
/// </summary>
public class LatentGeneratorTests
{
    private const int Variants = LinkedHaplotypes.Variants;

    [Fact]
    public void Ddim_with_eta_one_is_the_ancestral_step_and_with_eta_zero_keeps_the_noise_direction()
    {
        var schedule = new NoiseSchedule(ScheduleKind.Cosine, 1000);
        foreach (var (t, previous) in new[] { (999, 899), (500, 450), (120, 60), (10, -1) })
        {
            var ancestral = schedule.Step(SamplerKind.Ancestral, t, previous);
            var ddim1 = schedule.Step(SamplerKind.Ddim, t, previous, eta: 1);
            Assert.Equal(ancestral.OnX0, ddim1.OnX0, 9);
            Assert.Equal(ancestral.OnXt, ddim1.OnXt, 9);
            Assert.Equal(ancestral.Sd, ddim1.Sd, 9);

            // eta = 0: x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps steps to exactly sqrt(ab_prev) x0 + sqrt(1 - ab_prev) eps.
            var ddim0 = schedule.Step(SamplerKind.Ddim, t, previous, eta: 0);
            double x0 = 0.7, eps = -1.3, abT = schedule.AlphaBar[t], abPrev = previous < 0 ? 1 : schedule.AlphaBar[previous];
            double xt = Math.Sqrt(abT) * x0 + Math.Sqrt(1 - abT) * eps;
            Assert.Equal(0, ddim0.Sd);
            Assert.Equal(Math.Sqrt(abPrev) * x0 + Math.Sqrt(1 - abPrev) * eps, ddim0.OnX0 * x0 + ddim0.OnXt * xt, 9);
        }
    }

    [Fact]
    public void Pca_blocks_follow_the_size_rule_reconstruct_linked_blocks_and_survive_save_and_load()
    {
        var train = LinkedHaplotypes.Create(400, 1);
        var validation = LinkedHaplotypes.Create(100, 2);
        var blocks = VariantBlocking.FixedWindows(Variants, 8);
        Assert.Equal(5, blocks.Count);
        Assert.Equal([1, 1, 4, 4, 4, 8], new[] { 1, 4, 5, 20, 20, 21 }.Select(PcaBlockEncoder.ComponentsBySize).ToArray());

        var encoder = PcaBlockEncoder.Fit(train, blocks);
        Assert.Equal(5 * 4, encoder.LatentSize);
        var latents = encoder.Encode(train);
        for (int d = 0; d < encoder.LatentSize; d++) // z-scored on the train rows
        {
            var column = Enumerable.Range(0, train.Rows).Select(r => (double)latents.Values[r * latents.Size + d]).ToList();
            Assert.Equal(0, column.Average(), 4);
            Assert.Equal(1, Math.Sqrt(column.Sum(v => v * v) / (train.Rows - 1)), 3);
        }
        // Four components per block of eight cannot hold the independent 5 % noise flips, but they hold the founders:
        // far better than the per-variant majority call (about 50 %), never worse than dropping the noise (95 %).
        double accuracy = encoder.ReconstructionAccuracy(validation);
        Assert.InRange(accuracy, 0.93, 1.0);
        // All components of each block: exact.
        Assert.Equal(1.0, PcaBlockEncoder.Fit(train, blocks, explainedVariance: 1.0).ReconstructionAccuracy(validation), 9);

        using var tmp = new TempDir();
        var path = tmp.File("encoder.safetensors");
        encoder.Save(path);
        var loaded = GenotypeEncoder.Load(path);
        Assert.IsType<PcaBlockEncoder>(loaded);
        Assert.Equal(latents.Values, loaded.Encode(train).Values);
        Assert.Equal(encoder.Decode(latents), loaded.Decode(latents));
    }

    [Fact]
    public void Vae_learns_to_reconstruct_held_out_rows_and_survives_save_and_load()
    {
        var train = LinkedHaplotypes.Create(400, 1);
        var validation = LinkedHaplotypes.Create(100, 2);
        var settings = new VaeSettings(Compression: 4, LatentChannels: 4, Channels: 16, Beta: 0.001, Steps: 300, Batch: 32, LearningRate: 3e-3f, ReportEvery: 100, Seed: 4);
        var vae = VaeEncoder.Fit(train, settings);
        Assert.Equal(4 * Variants / 4, vae.LatentSize);
        Assert.True(vae.LossCurve[^1].TrainLoss < vae.LossCurve[0].TrainLoss, "loss falls");
        double accuracy = vae.ReconstructionAccuracy(validation);
        Assert.True(accuracy > 0.9, $"validation calls decoded exactly: {accuracy:P1}");

        using var tmp = new TempDir();
        var path = tmp.File("vae.safetensors");
        vae.Save(path);
        var loaded = GenotypeEncoder.Load(path);
        var latents = vae.Encode(validation);
        Assert.Equal(latents.Values, loaded.Encode(validation).Values);
        Assert.Equal(vae.Decode(latents), loaded.Decode(latents));
        Assert.Equal(VaeEncoder.Fit(train, settings).Encode(validation).Values, latents.Values); // same seed, same bytes
    }

    [Fact]
    public void Vae_drawn_decoding_follows_the_decoder_probabilities_and_is_reproducible()
    {
        var train = LinkedHaplotypes.Create(400, 1);
        var settings = new VaeSettings(Compression: 4, LatentChannels: 4, Channels: 16, Beta: 0.001, Steps: 150, Batch: 32, LearningRate: 3e-3f, ReportEvery: 50, Seed: 4);
        var vae = VaeEncoder.Fit(train, settings);
        var four = vae.Encode(LinkedHaplotypes.Create(4, 2));
        var probabilities = vae.CallProbabilities(four);
        var argmax = vae.Decode(four);
        for (int i = 0; i < argmax.Length; i++)
        {
            Assert.Equal(1f, probabilities[2 * i] + probabilities[2 * i + 1], 4);
            Assert.Equal(probabilities[2 * i + 1] > probabilities[2 * i] ? 1 : 0, argmax[i]);
        }

        const int copies = 3000;
        var repeated = new float[4 * copies * vae.LatentSize];
        for (int r = 0; r < 4 * copies; r++) four.Values.AsSpan((r / copies) * vae.LatentSize, vae.LatentSize).CopyTo(repeated.AsSpan(r * vae.LatentSize));
        var latents = new LatentSet(repeated, 4 * copies, vae.LatentSize, new int[4 * copies]);
        var drawn = vae.DecodeByDrawing(latents, seed: 7);
        Assert.Equal(drawn, vae.DecodeByDrawing(latents, seed: 7));
        Assert.NotEqual(drawn, vae.DecodeByDrawing(latents, seed: 8));
        int uncertain = 0;
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < Variants; j++)
            {
                double p = probabilities[(r * Variants + j) * 2 + 1], ones = 0;
                for (int c = 0; c < copies; c++) ones += drawn[((long)r * copies + c) * Variants + j];
                double tolerance = 5 * Math.Sqrt(p * (1 - p) / copies) + 1e-3;
                Assert.True(Math.Abs(ones / copies - p) <= tolerance, $"row {r} variant {j}: drawn {ones / copies:F4}, p(x = 1 | z) {p:F4}");
                if (p is > 0.05 and < 0.95) uncertain++;
            }
        Assert.True(uncertain > 0, "some calls are uncertain, so the draw is tested beyond the mode");
    }

    [Theory]
    [InlineData(PredictionKind.Epsilon, SamplerKind.Ancestral)]
    [InlineData(PredictionKind.V, SamplerKind.Ddim)]
    public void Latent_diffusion_on_pca_blocks_keeps_linkage_and_class_frequencies(PredictionKind prediction, SamplerKind sampler)
    {
        var train = LinkedHaplotypes.Create(600, 1);
        var validation = LinkedHaplotypes.Create(100, 2);
        var encoder = PcaBlockEncoder.Fit(train, VariantBlocking.FixedWindows(Variants, 8));
        var settings = new DiffusionSettings
        {
            Width = 128, Blocks = 2, Timesteps = 200, TrainSteps = 800, Batch = 64,
            LearningRate = 2e-3f, WarmupSteps = 20, EmaDecay = 0.99f, LabelDropout = 0.1f, EvaluateEvery = 100,
            CheckpointEvery = 1000, Seed = 9,
        };
        var diffusion = LatentDiffusion.Train(encoder.Encode(train), encoder.Encode(validation), 2, settings, prediction, null, null);
        var labels = LinkedHaplotypes.Labels(Enumerable.Range(0, 400).Select(i => i % 2).ToArray());
        var latents = diffusion.Sample(labels, 50, guidance: 0, seed: 11, sampler);
        var values = encoder.Decode(latents);

        double real = LinkedHaplotypes.WithinBlockR2(train.Values, train.Rows);
        double learned = LinkedHaplotypes.WithinBlockR2(values, labels.Count);
        var floor = IndependentSampler.Fit(train, perLabel: false).Sample(labels, new SeededRandom(7), Variants);
        double independent = LinkedHaplotypes.WithinBlockR2(floor.Values, labels.Count);
        Assert.True(learned > 0.6 * real && learned > 5 * independent, $"within-block r2: real {real:F3}, latent diffusion {learned:F3}, independent {independent:F3}");
        double a = LinkedHaplotypes.ClassFrequency(values, labels.Indexes, 0);
        double b = LinkedHaplotypes.ClassFrequency(values, labels.Indexes, 1);
        Assert.True(a is > 0.1 and < 0.35 && b is > 0.65 and < 0.9, $"class frequencies {a:F2} (real 0.23) and {b:F2} (real 0.77)");
        Assert.Equal(latents.Values, diffusion.Sample(labels, 50, 0, 11, sampler).Values);
    }

    [Fact]
    public void Latent_diffusion_resumes_from_its_checkpoint_and_survives_save_and_load()
    {
        var train = LinkedHaplotypes.Create(200, 1);
        var encoder = PcaBlockEncoder.Fit(train, VariantBlocking.FixedWindows(Variants, 8));
        var latents = encoder.Encode(train);
        var settings = new DiffusionSettings
        {
            Width = 32, Blocks = 1, Timesteps = 100, TrainSteps = 40, Batch = 16,
            LearningRate = 1e-3f, WarmupSteps = 5, EvaluateEvery = 10, CheckpointEvery = 20, Seed = 3,
        };
        using var tmp = new TempDir();
        var whole = LatentDiffusion.Train(latents, latents, 2, settings, PredictionKind.V, tmp.File("a.ckpt"), null);

        var checkpoint = tmp.File("b.ckpt");
        Assert.ThrowsAny<Exception>(() => LatentDiffusion.Train(latents, latents, 2, settings, PredictionKind.V, checkpoint, p =>
        {
            if (p.Step == 30) throw new OperationCanceledException("simulated kill");
        }));
        Assert.True(File.Exists(checkpoint), "a checkpoint was written before the interruption");
        var resumed = LatentDiffusion.Train(latents, latents, 2, settings, PredictionKind.V, checkpoint, null);
        Assert.Equal(whole.LossCurve, resumed.LossCurve);
        var path = tmp.File("model.safetensors");
        resumed.Save(path, new Dictionary<string, string>());
        var loaded = LatentDiffusion.Load(path);
        var labels = LinkedHaplotypes.Labels(0, 1, 0, 1);
        Assert.Equal(whole.Sample(labels, 10, 1, 5).Values, loaded.Sample(labels, 10, 1, 5).Values);
    }
}
