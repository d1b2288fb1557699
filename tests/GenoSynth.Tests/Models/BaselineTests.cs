using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Models.Baselines;
using GenoSynth.Neural;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Models;

/// <summary>Yelmen's RBM and GAN baselines on haplotypes with linked blocks and class-specific frequencies.</summary>
public class BaselineTests
{
    private const int Variants = LinkedHaplotypes.Variants;

    private static double ClassFrequency(GenotypeRows set, int label)
    {
        var rows = Enumerable.Range(0, set.Rows).Where(r => set.ClassIndexes[r] == label).ToList();
        return rows.Average(r => Enumerable.Range(0, Variants).Average(j => (double)set.Values[r * Variants + j]));
    }

    private static RowLabels HalfAndHalf(int n) =>
        LinkedHaplotypes.Labels([.. Enumerable.Range(0, n).Select(i => i < n / 2 ? 0 : 1)]);

    [Fact]
    public void Rbm_learns_linkage_the_independent_sampler_cannot_and_follows_clamped_labels()
    {
        var train = LinkedHaplotypes.Create(600, 1);
        var settings = new RbmSettings
        {
            Hidden = 32, GibbsSteps = 5, TrainSteps = 600, Batch = 100, LearningRate = 0.05f,
            EvaluateEvery = 100, Seed = 3,
        };
        var rbm = GenotypeRbm.Train(train, LinkedHaplotypes.Create(100, 2), settings, conditional: true, null);
        var sample = rbm.Sample(HalfAndHalf(400), 200, 7);
        var floor = IndependentSampler.Fit(train, perLabel: false).Sample(HalfAndHalf(400), new SeededRandom(7), Variants);

        double real = LinkedHaplotypes.WithinBlockR2(train.Values, train.Rows), learned = LinkedHaplotypes.WithinBlockR2(sample.Values, sample.Rows), independent = LinkedHaplotypes.WithinBlockR2(floor.Values, floor.Rows);
        Assert.True(learned > 0.5 * real && learned > 5 * independent, $"within-block r2: real {real:F3}, RBM {learned:F3}, independent {independent:F3}");
        Assert.True(ClassFrequency(sample, 1) - ClassFrequency(sample, 0) > 0.2,
            $"clamped labels: allele frequency {ClassFrequency(sample, 0):F2} (class a, real 0.23) vs {ClassFrequency(sample, 1):F2} (class b, real 0.77)");
        Assert.True(rbm.LossCurve[^1].TrainLoss < rbm.LossCurve[0].TrainLoss + 1e-9, "reconstruction error does not grow");
    }

    [Fact]
    public void Rbm_sampling_is_deterministic_and_survives_save_and_load()
    {
        using var tmp = new TempDir();
        var settings = new RbmSettings
        {
            Hidden = 16, GibbsSteps = 2, TrainSteps = 20, Batch = 50, EvaluateEvery = 10, Seed = 5,
        };
        var rbm = GenotypeRbm.Train(LinkedHaplotypes.Create(200, 4), null, settings, conditional: true, null);
        var again = GenotypeRbm.Train(LinkedHaplotypes.Create(200, 4), null, settings, conditional: true, null);
        rbm.Save(tmp.File("rbm.safetensors"), new Dictionary<string, string>());
        var loaded = GenotypeRbm.Load(tmp.File("rbm.safetensors"));
        var labels = HalfAndHalf(100);
        var expected = rbm.Sample(labels, 20, 9).Values;
        Assert.Equal(expected, again.Sample(labels, 20, 9).Values);
        Assert.Equal(expected, loaded.Sample(labels, 20, 9).Values);
        Assert.NotEqual(expected, rbm.Sample(labels, 20, 10).Values);
    }

    [Fact]
    public void Gan_learns_class_frequencies_and_linkage_and_is_deterministic()
    {
        using var tmp = new TempDir();
        var train = LinkedHaplotypes.Create(600, 11);
        var settings = new GanSettings
        {
            Latent = 16, TrainSteps = 1500, Batch = 32, GeneratorLearningRate = 1e-3f,
            DiscriminatorLearningRate = 1e-3f, EvaluateEvery = 500, Seed = 2,
        };
        var gan = GenotypeGan.Train(train, settings, conditional: true, null);
        var sample = gan.Sample(HalfAndHalf(400), 3);
        Assert.All(sample.Values, v => Assert.InRange(v, (byte)0, (byte)1));
        Assert.True(ClassFrequency(sample, 1) - ClassFrequency(sample, 0) > 0.3,
            $"conditional generator: allele frequency {ClassFrequency(sample, 0):F2} (class a) vs {ClassFrequency(sample, 1):F2} (class b)");
        double learned = LinkedHaplotypes.WithinBlockR2(sample.Values, sample.Rows);
        Assert.True(learned > 0.3, $"within-block r2 of GAN output {learned:F3} (real {LinkedHaplotypes.WithinBlockR2(train.Values, train.Rows):F3})");

        gan.Save(tmp.File("gan.safetensors"), new Dictionary<string, string>());
        Assert.Equal(sample.Values, GenotypeGan.Load(tmp.File("gan.safetensors")).Sample(HalfAndHalf(400), 3).Values);
        Assert.Equal(3, gan.LossCurve.Count);
    }
}
