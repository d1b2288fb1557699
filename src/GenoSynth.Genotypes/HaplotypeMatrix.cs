namespace GenoSynth.Genotypes;

/// <summary>
/// Phased haplotypes: one row per haplotype, one byte (0 or 1 = copies of allele 1) per variant.
/// Rows of one individual are adjacent: individual X has rows X_A then X_B.
/// </summary>
public sealed class HaplotypeMatrix
{
    public int HaplotypeCount { get; }
    public int VariantCount { get; }
    public byte[] Alleles { get; }
    public IReadOnlyList<string> HaplotypeIds { get; }

    public HaplotypeMatrix(int haplotypeCount, int variantCount, byte[] alleles, IReadOnlyList<string> haplotypeIds)
    {
        if (alleles.LongLength != (long)haplotypeCount * variantCount) throw new ArgumentException("allele array size does not match the shape");
        if (haplotypeIds.Count != haplotypeCount) throw new ArgumentException("one id per haplotype is required");
        HaplotypeCount = haplotypeCount;
        VariantCount = variantCount;
        Alleles = alleles;
        HaplotypeIds = haplotypeIds;
    }

    public ReadOnlySpan<byte> Row(int haplotype) => new(Alleles, haplotype * VariantCount, VariantCount);

    public static string HaplotypeId(string individualId, int copy) => individualId + (copy == 0 ? "_A" : "_B");

    /// <summary>The individual a haplotype id belongs to: the id without its trailing "_A"/"_B" (or "_1"/"_2").</summary>
    public static string IndividualOf(string haplotypeId)
    {
        int cut = haplotypeId.LastIndexOf('_');
        return cut > 0 ? haplotypeId[..cut] : haplotypeId;
    }

    /// <summary>Individuals in row order; every individual must own exactly two adjacent rows.</summary>
    public IReadOnlyList<string> IndividualIds(string sourcePath)
    {
        if (HaplotypeCount % 2 != 0)
            throw new GenotypeFormatException(sourcePath, null, $"{HaplotypeCount} haplotypes cannot be paired into diploid individuals");
        var ids = new List<string>(HaplotypeCount / 2);
        for (int h = 0; h < HaplotypeCount; h += 2)
        {
            string a = IndividualOf(HaplotypeIds[h]), b = IndividualOf(HaplotypeIds[h + 1]);
            if (a != b)
                throw new GenotypeFormatException(sourcePath, h + 1, $"haplotypes '{HaplotypeIds[h]}' and '{HaplotypeIds[h + 1]}' are not a pair of one individual");
            ids.Add(a);
        }
        return ids;
    }

    /// <summary>Sums adjacent haplotype pairs into diploid dosages of allele 1.</summary>
    public PackedGenotypes ToDiploid()
    {
        int individuals = HaplotypeCount / 2;
        var packed = new PackedGenotypes(individuals, VariantCount);
        var column = new sbyte[individuals];
        for (int j = 0; j < VariantCount; j++)
        {
            for (int i = 0; i < individuals; i++)
                column[i] = (sbyte)(Alleles[(2 * i) * VariantCount + j] + Alleles[(2 * i + 1) * VariantCount + j]);
            packed.EncodeVariant(j, column);
        }
        return packed;
    }

    /// <summary>Rows of the given individuals (both haplotypes each), restricted to the given variant columns.</summary>
    public HaplotypeMatrix SelectIndividuals(IReadOnlyList<int> individualIndexes, IReadOnlyList<int>? variantIndexes = null)
    {
        int m = variantIndexes?.Count ?? VariantCount;
        var alleles = new byte[(long)individualIndexes.Count * 2 * m];
        var ids = new List<string>(individualIndexes.Count * 2);
        int row = 0;
        foreach (int individual in individualIndexes)
        {
            for (int copy = 0; copy < 2; copy++, row++)
            {
                int source = 2 * individual + copy;
                ids.Add(HaplotypeIds[source]);
                var src = Row(source);
                var dst = alleles.AsSpan(row * m, m);
                if (variantIndexes is null) src.CopyTo(dst);
                else for (int j = 0; j < m; j++) dst[j] = src[variantIndexes[j]];
            }
        }
        return new HaplotypeMatrix(individualIndexes.Count * 2, m, alleles, ids);
    }
}
