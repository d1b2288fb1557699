using System.Diagnostics;
using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Evaluate;

public sealed record EvaluationBenchmarkReport(
    string EvaluationData, double EvaluationSeconds, string LdData, int LdSamples, int LdVariants, double OurLdSeconds, double PlinkLdSeconds,
    double SpeedupOverPlink, double MaxAbsDifference);

/// <summary>
/// Evaluation speed measured in one run: (1) every fidelity and privacy metric for the 5,008 x 805 real haplotypes
/// vs Yelmen's 5,000 RBM haplotypes, (2) all-pairs LD r^2 on the AGBL4 VCF (thousands of variants) by our GEMM path
/// against plink1.9 --r2 square on the same fileset, with the largest difference between the two.
/// </summary>
public static class EvaluationBenchmarks
{
    public static EvaluationBenchmarkReport Run(string dataDirectory, Action<string> log)
    {
        string D(string relative) => Path.Combine(dataDirectory, relative);
        var real = EvaluationInputs.Load(D("1000g_805snp_yelmen/805_SNP_1000G_real.hapt.gz"), "real");
        var rbm = EvaluationInputs.Load(D("1000g_805snp_yelmen/805_SNP_RBM_AG_800Epochs.hapt.gz"), "rbm").Set;
        var train = real.Set.SelectRows(Enumerable.Range(0, real.Set.Rows).Where(r => r % 10 != 0).ToList(), "train");
        var holdout = real.Set.SelectRows(Enumerable.Range(0, real.Set.Rows).Where(r => r % 10 == 0).ToList(), "holdout");
        new Evaluator(new EvaluationOptions(AatsRepeats: 1, Utility: false)).Evaluate(train, holdout, [rbm], real.Positions); // warm-up (JIT)
        var clock = Stopwatch.StartNew();
        new Evaluator(new EvaluationOptions(Utility: false)).Evaluate(train, holdout, [rbm], real.Positions);
        double evaluation = clock.Elapsed.TotalSeconds;
        log($"evaluation of {train.Rows}+{holdout.Rows} real vs {rbm.Rows} synthetic haplotypes x {train.Variants} variants: {evaluation:F2} s");

        using var scratch = new ScratchDirectory();
        var vcf = D("1000g_agbl4_vcf/AGBL4_split1.vcf.gz");
        var plink = new PlinkOperations(new PlinkRunner(new PlinkLocator()));
        plink.ImportVcf(vcf, scratch.File("agbl4"));
        var data = Plink1Files.Read(scratch.File("agbl4"));
        var set = EvaluationInputs.FromPacked("agbl4", data.Genotypes, [.. data.Samples.Select(s => s.IndividualId)]);
        Linkage.R2Matrix(set.SelectRows(Enumerable.Range(0, 50).ToList())); // warm-up
        clock.Restart();
        var ours = Linkage.R2Matrix(set);
        double ourSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var theirs = plink.R2Square(scratch.File("agbl4"), scratch.File("r2"));
        double plinkSeconds = clock.Elapsed.TotalSeconds;
        int m = set.Variants;
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                if (!double.IsNaN(theirs[i, j])) worst = Math.Max(worst, Math.Abs(theirs[i, j] - ours[(long)i * m + j]));
        log($"LD r^2, {set.Rows} samples x {m} variants: ours {ourSeconds:F2} s, plink1.9 --r2 square {plinkSeconds:F2} s " +
            $"(x{plinkSeconds / ourSeconds:F1}); max |difference| {worst:G3} (missing calls: ours fills them, plink drops them pairwise)");
        return new EvaluationBenchmarkReport($"805 SNPs: {train.Rows} train + {holdout.Rows} holdout real vs {rbm.Rows} RBM haplotypes", Math.Round(evaluation, 3),
            "AGBL4_split1 (plink2 --snps-only --max-alleles 2)", set.Rows, m, Math.Round(ourSeconds, 3), Math.Round(plinkSeconds, 3),
            Math.Round(plinkSeconds / ourSeconds, 2), worst);
    }

    private sealed class ScratchDirectory : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "genosynth-bench-" + Guid.NewGuid().ToString("N"));
        public ScratchDirectory() => Directory.CreateDirectory(_path);
        public string File(string name) => Path.Combine(_path, name);
        public void Dispose() { try { Directory.Delete(_path, true); } catch (IOException) { } }
    }
}
