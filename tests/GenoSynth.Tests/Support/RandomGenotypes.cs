using GenoSynth.Genotypes;
using GenoSynth.Neural;

namespace GenoSynth.Tests.Support;

/// <summary>Unlinked random calls for kernel checks that need no population structure.</summary>
public static class RandomGenotypes
{
    /// <summary>Each call uniform over 0..copies, drawn row by row from <paramref name="rng"/>.</summary>
    public static GenotypeRows Rows(Ploidy ploidy, int rows, int variants, SeededRandom rng)
    {
        var values = new byte[rows * variants];
        for (int i = 0; i < values.Length; i++) values[i] = (byte)rng.NextInt(ploidy.CallValues);
        return new GenotypeRows(ploidy, rows, variants, values);
    }
}
