using System.Diagnostics;
using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Evaluate;

public sealed record EvaluationBenchmarkReport(
    string EvaluationData, double EvaluationSeconds, string LdData, int LdSamples, int LdVariants, double OurLdSeconds, double PlinkLdSeconds,
    double SpeedupOverPlink, double MaxAbsDifference, string DenseData, double LongestRunSeconds,
    double DenseLdSeconds);

/// <summary>
/// Evaluation speed measured in one run: (1) every fidelity and privacy metric for the 5,008 x 805 real haplotypes
/// vs Yelmen's 5,000 RBM haplotypes, (2) all-pairs LD r^2 on the AGBL4 VCF (thousands of variants) by our GEMM path
/// against plink1.9 --r2 square on the same fileset, with the largest difference between the two, (3) the dense-region
/// kernels on both AGBL4 halves as haplotypes (4,008 train + 1,000 holdout real rows, 5,000 rows copied from train
/// in pieces of 400 variants): longest identical runs, and LD over all pairs and the window for the three sets.
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
        var (denseData, runSeconds, denseLdSeconds) = Dense(D, log);
        return new EvaluationBenchmarkReport($"805 SNPs: {train.Rows} train + {holdout.Rows} holdout real vs {rbm.Rows} RBM haplotypes", Math.Round(evaluation, 3),
            "AGBL4_split1 (plink2 --snps-only --max-alleles 2)", set.Rows, m, Math.Round(ourSeconds, 3), Math.Round(plinkSeconds, 3),
            Math.Round(plinkSeconds / ourSeconds, 2), worst, denseData, Math.Round(runSeconds, 3),
            Math.Round(denseLdSeconds, 3));
    }

    private static (string Data, double RunSeconds, double LdSeconds) Dense(Func<string, string> path,
        Action<string> log)
    {
        var halves = new[] { "1000g_agbl4_vcf/AGBL4_split1.vcf.gz", "1000g_agbl4_vcf/AGBL4_split2.vcf.gz" }
            .Select(f => VcfReader.Read(path(f), keepHaplotypes: true)).ToList();
        int m = halves[0].Variants.Count;
        var all = halves.Select(h => h.Haplotypes!)
            .SelectMany(h => Enumerable.Range(0, h.Rows).Select(r => h.Row(r).ToArray())).ToList();
        GenotypeRows Rows(string name, IReadOnlyList<byte[]> rows)
        {
            var ids = Enumerable.Range(0, rows.Count).Select(r => $"{name}{r / 2}_{(r % 2 == 0 ? 'A' : 'B')}").ToList();
            return new GenotypeRows(Ploidy.Haplotype, rows.Count, m, rows.SelectMany(r => r).ToArray(), ids,
                name: name);
        }
        var train = Rows("train", all.Take(4008).ToList());
        var holdout = Rows("holdout", all.Skip(4008).Take(1000).ToList());
        var rng = new GenoSynth.Neural.SeededRandom(18);
        var copies = Enumerable.Range(0, 5000).Select(_ =>
        {
            var row = new byte[m];
            for (int j = 0; j < m; j += 400) Array.Copy(all[rng.NextInt(4008)], j, row, j, Math.Min(400, m - j));
            return row;
        }).ToList();
        var synthetic = Rows("copies", copies);
        var positions = halves[0].Variants.Select(v => (v.Chromosome, v.Position)).ToList();
        IdenticalRuns.LongestAgainst(train, holdout.SelectRows(Enumerable.Range(0, 50).ToList()), []); // warm-up
        var clock = Stopwatch.StartNew();
        var runs = IdenticalRuns.LongestAgainst(train, synthetic, []);
        double runSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var pairs = new VariantPairs(positions, new LdPairSettings());
        var ld = LinkageComparison.Run([train, holdout, synthetic], 2, pairs);
        double ldSeconds = clock.Elapsed.TotalSeconds;
        string data = $"AGBL4 haplotypes: {train.Rows} train, {holdout.Rows} holdout, {synthetic.Rows} copied rows " +
            $"x {m} variants";
        double median = Statistics.Quantile(runs.Select(r => (double)r).ToList(), 0.5);
        log($"{data}: longest identical runs {runSeconds:F2} s (median {median}); LD over " +
            $"{ld.Count(VariantPairs.All):N0} pairs and {ld.Count(VariantPairs.Window):N0} window pairs, three sets: " +
            $"{ldSeconds:F2} s");
        return (data, runSeconds, ldSeconds);
    }

    private sealed class ScratchDirectory : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "genosynth-bench-" + Guid.NewGuid().ToString("N"));
        public ScratchDirectory() => Directory.CreateDirectory(_path);
        public string File(string name) => Path.Combine(_path, name);
        public void Dispose() { try { Directory.Delete(_path, true); } catch (IOException) { } }
    }
}
