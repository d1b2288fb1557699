namespace GenoSynth.Genotypes;

/// <summary>
/// What one row of genotype data is: a phased haplotype (each call 0/1) or a diploid individual (each call a dosage
/// 0/1/2 of allele 1). The value is the number of allele copies a call counts, which is how model files and
/// encode.json store it. The spec's <c>ploidy:</c> key reads the names (haplotype, diploid).
/// </summary>
public enum Ploidy
{
    Haplotype = 1,
    Diploid = 2,
}

public static class PloidyExtensions
{
    extension(Ploidy ploidy)
    {
        /// <summary>Allele copies one call counts: its largest value.</summary>
        public int Copies => (int)ploidy;

        /// <summary>How many values a call takes (0..copies): a categorical model's classes per call.</summary>
        public int CallValues => (int)ploidy + 1;

        /// <summary>Rows one individual owns: its two haplotypes, or its one row of dosages.</summary>
        public int RowsPerIndividual => ploidy == Ploidy.Haplotype ? 2 : 1;
    }

    extension(Ploidy)
    {
        /// <summary>The ploidy whose calls count <paramref name="copies"/> allele copies (the stored form).</summary>
        public static Ploidy FromCopies(int copies) => copies switch
        {
            1 => Ploidy.Haplotype,
            2 => Ploidy.Diploid,
            _ => throw new FormatException($"ploidy {copies}: calls count 1 (haplotype) or 2 (diploid) allele copies"),
        };
    }
}
