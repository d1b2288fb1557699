namespace GenoSynth.Models;

/// <summary>Encoded genotypes for a generator: rows x variants values in [0, Ploidy], one class index per row.</summary>
public sealed record TrainingSet(byte[] Values, int Rows, int Variants, int Ploidy, int[] Labels, IReadOnlyList<string> Classes)
{
    public int Categories => Ploidy + 1;

    public ReadOnlySpan<byte> Row(int r) => new(Values, r * Variants, Variants);

    /// <summary>Share of rows per class (the "as in the data" label policy).</summary>
    public double[] ClassFrequencies()
    {
        var counts = new double[Classes.Count];
        foreach (var l in Labels) counts[l]++;
        return counts.Select(c => c / Rows).ToArray();
    }
}

/// <summary>Generated rows with their class indexes.</summary>
public sealed record GeneratedSet(byte[] Values, int Rows, int Variants, int[] Labels);

/// <summary>How many samples of each class to generate.</summary>
public static class LabelPolicy
{
    /// <summary>Counts proportional to <paramref name="frequencies"/> (largest remainder), or equal counts when balanced.</summary>
    public static int[] Labels(int count, double[] frequencies, bool balanced)
    {
        int k = frequencies.Length;
        var weights = balanced ? Enumerable.Repeat(1.0 / k, k).ToArray() : frequencies;
        var exact = weights.Select(w => w * count).ToArray();
        var counts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        foreach (int c in Enumerable.Range(0, k).OrderByDescending(c => exact[c] - counts[c]).ThenBy(c => c).Take(count - counts.Sum())) counts[c]++;
        return Enumerable.Range(0, k).SelectMany(c => Enumerable.Repeat(c, counts[c])).ToArray();
    }
}

/// <summary>Progress of a generator's training, reported every evaluation interval.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double? ValidationLoss);

/// <summary>One point of a loss curve (the second column is the validation loss, or the GAN discriminator's loss).</summary>
public sealed record TrainingLoss(int Step, double TrainLoss, double? ValidationLoss);
