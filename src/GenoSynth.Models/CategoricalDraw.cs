namespace GenoSynth.Models;

/// <summary>One categorical draw from unnormalised weights (exponentiated logits), shared by every sampler that needs one.</summary>
internal static class CategoricalDraw
{
    /// <param name="target">A uniform draw times the weights' sum: the category is the first whose running sum passes it.</param>
    public static int Index(ReadOnlySpan<float> weights, float target)
    {
        int chosen = 0;
        while (chosen < weights.Length - 1 && target >= weights[chosen]) target -= weights[chosen++];
        return chosen;
    }
}
