namespace GenoSynth.Models;

/// <summary>How many samples of each class to generate.</summary>
public static class LabelPolicy
{
    /// <summary>
    /// Counts proportional to <paramref name="frequencies"/> (largest remainder), or equal counts when balanced.
    /// </summary>
    public static int[] Labels(int count, double[] frequencies, bool balanced)
    {
        int k = frequencies.Length;
        var weights = balanced ? Enumerable.Repeat(1.0 / k, k).ToArray() : frequencies;
        var exact = weights.Select(w => w * count).ToArray();
        var counts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        var largestRemainders = Enumerable.Range(0, k).OrderByDescending(c => exact[c] - counts[c]).ThenBy(c => c);
        foreach (int c in largestRemainders.Take(count - counts.Sum())) counts[c]++;
        return Enumerable.Range(0, k).SelectMany(c => Enumerable.Repeat(c, counts[c])).ToArray();
    }
}
