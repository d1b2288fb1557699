using System.Globalization;
using System.Text.RegularExpressions;
using GenoSynth.Genotypes;

namespace GenoSynth.Plink;

public sealed record VariantQcCounts(int VariantsIn, int RemovedMissingness, int RemovedHwe, int RemovedFrequency, int VariantsOut);

public sealed record GlmResult(string Id, string Chromosome, long Position, string TestedAllele, double Effect, double StandardError, double P);

public sealed record ClumpResult(string IndexId, double P, int ClumpSize);

public sealed record AlleleFrequency(string Id, string RefAllele, string AltAllele, double AltFrequency, int ObservedAlleles);

/// <summary>
/// The PLINK operations GenoSynth uses, each writing under a caller-chosen output prefix and returning parsed results.
/// Every plink2 call gets a fixed --seed so repeated runs give identical files.
/// </summary>
public sealed partial class PlinkOperations(PlinkRunner runner)
{
    public PlinkRunner Runner => runner;

    /// <summary>plink2 --vcf ... --snps-only --max-alleles 2 --make-bed. Returns (variants scanned, variants kept).</summary>
    public (int Scanned, int Kept) ImportVcf(string vcfPath, string outPrefix, bool snpsOnly = true, int maxAlleles = 2)
    {
        var args = new List<string> { "--vcf", vcfPath, "--max-alleles", maxAlleles.ToString(CultureInfo.InvariantCulture) };
        if (snpsOnly) args.Add("--snps-only");
        args.AddRange(["--allow-extra-chr", "--make-bed", "--seed", "1", "--out", outPrefix]);
        var r = runner.Run(PlinkTool.Plink2, args, outPrefix);
        var log = ReadLog(r, outPrefix);
        int scanned = MatchInt(ScannedRegex(), log) ?? -1;
        int kept = File.ReadLines(outPrefix + ".bim").Count();
        return (scanned, kept);
    }

    /// <summary>Individual ids kept by plink2 --mind (per-sample call rate; a property of each sample, not a fitted statistic).</summary>
    public (IReadOnlyList<string> Kept, int Removed) FilterSampleMissingness(string bfile, double mind, string outPrefix)
    {
        var r = runner.Run(PlinkTool.Plink2, ["--bfile", bfile, "--mind", Num(mind), "--write-samples", "--seed", "1", "--out", outPrefix], outPrefix);
        var kept = ReadIdFile(outPrefix + ".id");
        int removed = MatchInt(MindRegex(), ReadLog(r, outPrefix)) ?? 0;
        return (kept, removed);
    }

    /// <summary>Variant filters computed on the samples in <paramref name="keepFile"/> only; returns the passing ids.</summary>
    public (IReadOnlyList<string> Passing, VariantQcCounts Counts) FilterVariants(string bfile, string keepFile,
        double? maf, double? geno, double? hwe, string outPrefix)
    {
        var args = new List<string> { "--bfile", bfile, "--keep", keepFile };
        if (maf is > 0) args.AddRange(["--maf", Num(maf.Value)]);
        if (geno is not null) args.AddRange(["--geno", Num(geno.Value)]);
        if (hwe is not null) args.AddRange(["--hwe", Num(hwe.Value)]);
        args.AddRange(["--write-snplist", "--seed", "1", "--out", outPrefix]);
        var r = runner.Run(PlinkTool.Plink2, args, outPrefix);
        var log = ReadLog(r, outPrefix);
        var passing = File.ReadAllLines(outPrefix + ".snplist").Where(l => l.Length > 0).ToList();
        int variantsIn = MatchInt(VariantsLoadedRegex(), log) ?? -1;
        var counts = new VariantQcCounts(variantsIn, MatchInt(GenoRegex(), log) ?? 0, MatchInt(HweRegex(), log) ?? 0,
            MatchInt(FrequencyRegex(), log) ?? 0, passing.Count);
        return (passing, counts);
    }

    /// <summary>plink2 --extract/--keep --make-bed (order of samples and variants preserved).</summary>
    public void Subset(string bfile, string? extractFile, string? keepFile, string outPrefix)
    {
        var args = new List<string> { "--bfile", bfile };
        if (extractFile is not null) args.AddRange(["--extract", extractFile]);
        if (keepFile is not null) args.AddRange(["--keep", keepFile]);
        args.AddRange(["--make-bed", "--seed", "1", "--out", outPrefix]);
        runner.Run(PlinkTool.Plink2, args, outPrefix);
    }

    /// <summary>plink2 --indep-pairwise on the kept samples; returns the ids to keep.</summary>
    public IReadOnlyList<string> LdPrune(string bfile, string keepFile, int windowKb, double r2, string outPrefix)
    {
        runner.Run(PlinkTool.Plink2, ["--bfile", bfile, "--keep", keepFile, "--indep-pairwise", $"{windowKb}kb", "1", Num(r2),
            "--seed", "1", "--out", outPrefix], outPrefix);
        return File.ReadAllLines(outPrefix + ".prune.in").Where(l => l.Length > 0).ToList();
    }

    /// <summary>
    /// plink1.9 --blocks (Gabriel et al.'s confidence-interval haplotype blocks) on every sample of <paramref name="bfile"/>;
    /// returns each block's variant ids in genome order. Variants in no block are not listed; with too few variants
    /// above the MAF threshold plink skips block finding, and there are no blocks.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> HaplotypeBlocks(string bfile, int maxKb, string outPrefix)
    {
        var r = runner.Run(PlinkTool.Plink1, ["--bfile", bfile, "--blocks", "no-pheno-req", "--blocks-max-kb",
            maxKb.ToString(CultureInfo.InvariantCulture), "--out", outPrefix], outPrefix);
        var path = outPrefix + ".blocks.det";
        bool skipped = ReadLog(r, outPrefix).Contains("Skipping --blocks since there are too few variants");
        if (!File.Exists(path) && skipped) return [];
        if (!File.Exists(path)) throw new PlinkException($"plink1.9 --blocks wrote no {path}");
        var blocks = new List<IReadOnlyList<string>>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6) continue;
            blocks.Add(fields[5].Split('|'));
        }
        return blocks;
    }

    /// <summary>plink2 --pca on the kept samples; returns the .eigenvec path (usable as --covar).</summary>
    public string Pca(string bfile, string keepFile, int components, string outPrefix)
    {
        runner.Run(PlinkTool.Plink2, ["--bfile", bfile, "--keep", keepFile, "--pca", components.ToString(CultureInfo.InvariantCulture),
            "--seed", "1", "--out", outPrefix], outPrefix);
        return outPrefix + ".eigenvec";
    }

    /// <summary>plink2 --glm on the kept samples (logistic for a 1/2-coded phenotype, linear otherwise).</summary>
    public IReadOnlyList<GlmResult> Glm(string bfile, string phenotypeFile, string keepFile, string? covariateFile, string outPrefix)
    {
        var args = new List<string> { "--bfile", bfile, "--keep", keepFile, "--pheno", phenotypeFile };
        if (covariateFile is null) args.AddRange(["--glm", "allow-no-covars"]);
        else args.AddRange(["--covar", covariateFile, "--glm", "hide-covar"]);
        args.AddRange(["--seed", "1", "--out", outPrefix]);
        runner.Run(PlinkTool.Plink2, args, outPrefix);
        var dir = Path.GetDirectoryName(Path.GetFullPath(outPrefix))!;
        var file = Directory.GetFiles(dir, Path.GetFileName(outPrefix) + ".*.glm.*").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new PlinkException($"plink2 --glm wrote no result file for {outPrefix}");
        return ParseGlm(file);
    }

    public static IReadOnlyList<GlmResult> ParseGlm(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].TrimStart('#').Split('\t');
        int Col(params string[] names)
        {
            foreach (var n in names) { int i = Array.IndexOf(header, n); if (i >= 0) return i; }
            throw new PlinkException($"{path}: no column {string.Join("/", names)}");
        }
        int chrom = Col("CHROM"), pos = Col("POS"), id = Col("ID"), a1 = Col("A1"), p = Col("P");
        int effect = Col("BETA", "OR"), se = Col("SE", "LOG(OR)_SE");
        bool isOddsRatio = header[effect] == "OR";
        int test = Array.IndexOf(header, "TEST");
        var results = new List<GlmResult>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split('\t');
            if (test >= 0 && f[test] != "ADD") continue;
            double e = ParseOrNaN(f[effect]);
            if (isOddsRatio) e = Math.Log(e);
            results.Add(new GlmResult(f[id], f[chrom], long.Parse(f[pos], CultureInfo.InvariantCulture), f[a1], e,
                ParseOrNaN(f[se]), ParseOrNaN(f[p])));
        }
        return results;
    }

    /// <summary>plink1.9 --clump of an association file (columns ID and P) using LD among the kept samples.</summary>
    public IReadOnlyList<ClumpResult> Clump(string bfile, string associationFile, string keepFile, double p1, double p2, double r2, int kb, string outPrefix)
    {
        var r = runner.Run(PlinkTool.Plink1, ["--bfile", bfile, "--keep", keepFile, "--clump", associationFile,
            "--clump-snp-field", "ID", "--clump-field", "P", "--clump-p1", Num(p1), "--clump-p2", Num(p2),
            "--clump-r2", Num(r2), "--clump-kb", kb.ToString(CultureInfo.InvariantCulture), "--out", outPrefix], outPrefix);
        var path = outPrefix + ".clumped";
        if (!File.Exists(path)) return []; // plink1.9 writes no file when no variant passes p1
        var results = new List<ClumpResult>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6) continue;
            results.Add(new ClumpResult(f[2], ParseOrNaN(f[4]), int.Parse(f[5], CultureInfo.InvariantCulture) + 1));
        }
        return results;
    }

    /// <summary>plink2 --freq: ALT allele frequency per variant (ALT = .bim allele 1).</summary>
    public IReadOnlyList<AlleleFrequency> Freq(string bfile, string outPrefix, string? keepFile = null)
    {
        var args = new List<string> { "--bfile", bfile };
        if (keepFile is not null) args.AddRange(["--keep", keepFile]);
        args.AddRange(["--freq", "--seed", "1", "--out", outPrefix]);
        runner.Run(PlinkTool.Plink2, args, outPrefix);
        var lines = File.ReadAllLines(outPrefix + ".afreq");
        var header = lines[0].TrimStart('#').Split('\t');
        int id = Array.IndexOf(header, "ID"), re = Array.IndexOf(header, "REF"), alt = Array.IndexOf(header, "ALT"),
            freq = Array.IndexOf(header, "ALT_FREQS"), obs = Array.IndexOf(header, "OBS_CT");
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .Select(f => new AlleleFrequency(f[id], f[re], f[alt], ParseOrNaN(f[freq]), int.Parse(f[obs], CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>plink1.9 --r2 square: the full r^2 matrix (variants x variants) over all samples.</summary>
    public double[,] R2Square(string bfile, string outPrefix)
    {
        runner.Run(PlinkTool.Plink1, ["--bfile", bfile, "--r2", "square", "--out", outPrefix], outPrefix);
        var lines = File.ReadAllLines(outPrefix + ".ld").Where(l => l.Length > 0).ToArray();
        var matrix = new double[lines.Length, lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var f = lines[i].Split('\t', ' ');
            for (int j = 0; j < lines.Length; j++) matrix[i, j] = ParseOrNaN(f[j]);
        }
        return matrix;
    }

    /// <summary>Writes a PLINK keep file ("FID IID" per line) for the given individual ids.</summary>
    public static void WriteKeepFile(string path, IEnumerable<Sample> samples, IReadOnlySet<string> individualIds)
    {
        using var w = new StreamWriter(path) { NewLine = "\n" };
        foreach (var s in samples)
            if (individualIds.Contains(s.IndividualId)) w.WriteLine($"{s.FamilyId} {s.IndividualId}");
    }

    private static IReadOnlyList<string> ReadIdFile(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].TrimStart('#').Split('\t');
        int iid = Array.IndexOf(header, "IID");
        if (iid < 0) return lines.Select(l => l.Split('\t')[0]).ToList();
        return lines.Skip(1).Select(l => l.Split('\t')[iid]).ToList();
    }

    private static string ReadLog(PlinkRunResult r, string outPrefix) =>
        File.Exists(outPrefix + ".log") ? File.ReadAllText(outPrefix + ".log") : r.StandardOutput;

    private static int? MatchInt(Regex regex, string text)
    {
        var m = regex.Match(text);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static double ParseOrNaN(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"--vcf: (\d+) variants? scanned")] private static partial Regex ScannedRegex();
    [GeneratedRegex(@"(\d+) samples? removed due to missing genotype data \(--mind\)")] private static partial Regex MindRegex();
    [GeneratedRegex(@"(\d+) variants? loaded from")] private static partial Regex VariantsLoadedRegex();
    [GeneratedRegex(@"--geno: (\d+) variants? removed")] private static partial Regex GenoRegex();
    [GeneratedRegex(@"--hwe: (\d+) variants? removed")] private static partial Regex HweRegex();
    [GeneratedRegex(@"(\d+) variants? removed due to allele frequency threshold")] private static partial Regex FrequencyRegex();
}
