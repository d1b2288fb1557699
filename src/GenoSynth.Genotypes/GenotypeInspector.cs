namespace GenoSynth.Genotypes;

public sealed record GenotypeFileSummary(
    string Path, string Format, int Samples, int Variants, string Ploidy, bool Phased, double MissingRate, int SkippedRecords, string Note);

/// <summary>Identifies a genotype file by its name and summarizes it (what `genosynth inspect` prints).</summary>
public static class GenotypeInspector
{
    public static GenotypeFileSummary Inspect(string path)
    {
        string lower = path.ToLowerInvariant();
        if (lower.EndsWith(".bed") || lower.EndsWith(".bim") || lower.EndsWith(".fam") || File.Exists(path + ".bed"))
        {
            var prefix = File.Exists(path + ".bed") ? path : path[..^4];
            var data = Plink1Files.Read(prefix);
            return new GenotypeFileSummary(prefix + ".bed", "plink1-bed", data.Samples.Count, data.Variants.Count, "diploid", false,
                Rate(data.Genotypes.CountMissing(), data.Samples.Count, data.Variants.Count), 0, "");
        }
        if (lower.EndsWith(".vcf") || lower.EndsWith(".vcf.gz") || lower.EndsWith(".vcf.bgz"))
        {
            var vcf = VcfReader.Read(path);
            return new GenotypeFileSummary(path, lower.EndsWith(".vcf") ? "vcf" : "vcf.gz", vcf.Samples.Count, vcf.Variants.Count,
                vcf.Ploidy == Ploidy.Haplotype ? "haploid" : "diploid", vcf.AllPhased,
                Rate(vcf.Genotypes.CountMissing(), vcf.Samples.Count, vcf.Variants.Count),
                vcf.Skipped.Total, $"skipped {vcf.Skipped.Multiallelic} multiallelic, {vcf.Skipped.Indel} indel, {vcf.Skipped.Symbolic} symbolic records");
        }
        if (lower.EndsWith(".hapt") || lower.EndsWith(".hapt.gz"))
        {
            var (haplotypes, _) = HaptFiles.ReadHaplotypes(path, null);
            return new GenotypeFileSummary(path, "hapt", haplotypes.Rows, haplotypes.Variants, "haplotype", true, 0, 0,
                "samples are haplotypes");
        }
        throw new GenotypeFormatException(path, null, "unknown genotype format (expected .bed/.bim/.fam, .vcf, .vcf.gz or .hapt(.gz))");
    }

    private static double Rate(long missing, int samples, int variants) =>
        samples == 0 || variants == 0 ? 0 : (double)missing / ((long)samples * variants);
}
