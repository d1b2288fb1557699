using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Neural;

namespace GenoSynth.Tests.Support;

/// <summary>
/// Haplotypes whose blocks of 8 variants copy one block founder allele (with independent flips): strong LD inside a
/// block, none across. Class 1 carries the founder allele with probability 0.8, class 0 with 0.2.
/// </summary>
public static class LinkedHaplotypes
{
    public const int Variants = 40;

    public static readonly string[] Classes = ["a", "b"];

    /// <summary>Class indexes into <see cref="Classes"/> as row labels.</summary>
    public static RowLabels Labels(params int[] indexes) => new(indexes, Classes);

    public static GenotypeRows Create(int rows, ulong seed, double noise = 0.05)
    {
        var rng = new SeededRandom(seed);
        var values = new byte[rows * Variants];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            labels[r] = r % 2;
            for (int block = 0; block < Variants / 8; block++)
            {
                int founder = rng.NextDouble() < (labels[r] == 1 ? 0.8 : 0.2) ? 1 : 0;
                for (int j = block * 8; j < block * 8 + 8; j++) values[r * Variants + j] = (byte)(founder ^ (rng.NextDouble() < noise ? 1 : 0));
            }
        }
        return new GenotypeRows(Ploidy.Haplotype, rows, Variants, values, labels: Labels(labels));
    }

    public static double WithinBlockR2(byte[] values, int rows)
    {
        double total = 0; int pairs = 0;
        for (int j = 0; j + 1 < Variants; j++)
        {
            if ((j + 1) % 8 == 0) continue;
            double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
            for (int r = 0; r < rows; r++)
            {
                double a = values[r * Variants + j], b = values[r * Variants + j + 1];
                sa += a; sb += b; sab += a * b; saa += a * a; sbb += b * b;
            }
            double cov = sab / rows - sa / rows * (sb / rows), va = saa / rows - Math.Pow(sa / rows, 2), vb = sbb / rows - Math.Pow(sb / rows, 2);
            total += va > 0 && vb > 0 ? cov * cov / (va * vb) : 0;
            pairs++;
        }
        return total / pairs;
    }

    /// <summary>Mean allele frequency over the rows carrying <paramref name="label"/> (real: 0.23 for class 0, 0.77 for class 1).</summary>
    public static double ClassFrequency(byte[] values, int[] labels, int label)
    {
        var rows = Enumerable.Range(0, labels.Length).Where(r => labels[r] == label).ToList();
        return rows.Average(r => Enumerable.Range(0, Variants).Average(j => (double)values[r * Variants + j]));
    }
}
