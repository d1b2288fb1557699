using GenoSynth.Genotypes;

namespace GenoSynth.Models;

/// <summary>Calls as the neural generators see them: 0..copies mapped linearly onto [-1, 1].</summary>
internal static class CallScale
{
    /// <summary>A haplotype bit to 2v - 1, a dosage to v - 1 (exact in float for every call value).</summary>
    public static float Centred(byte call, Ploidy ploidy) => 2f * call / ploidy.Copies - 1f;
}
