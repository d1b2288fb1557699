namespace GenoSynth.Genotypes;

/// <summary>One biallelic variant. <see cref="Allele1"/> is the counted allele (.bim column 5; ALT for plink2).</summary>
public sealed record Variant(string Chromosome, string Id, double PositionCm, long Position, string Allele1, string Allele2)
{
    public bool IsSnp => Allele1.Length == 1 && Allele2.Length == 1 && IsBase(Allele1[0]) && IsBase(Allele2[0]);

    private static bool IsBase(char c) => c is 'A' or 'C' or 'G' or 'T' or 'a' or 'c' or 'g' or 't';
}

/// <summary>One individual, as in a .fam line. Sex: 1 male, 2 female, 0 unknown.</summary>
public sealed record Sample(string FamilyId, string IndividualId, string FatherId = "0", string MotherId = "0", int Sex = 0, string Phenotype = "-9")
{
    public static Sample Of(string individualId) => new("0", individualId);
}
