using System.Globalization;
using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Neural.Numerics;
using GenoSynth.Plink;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Evaluation;

public class MetricKernelTests
{
    private static GenotypeRows Haplotypes(string name, params string[] rows) =>
        new(Ploidy.Haplotype, rows.Length, rows[0].Length, [.. rows.SelectMany(r => r.Select(c => (byte)(c - '0')))],
            rows.Select((_, i) => $"{name}{i}").ToList(), name: name);

    [Fact]
    public void Aats_on_a_hand_computed_four_by_four_case()
    {
        // T rows pairwise: d(t0,t1)=1, d(t2,t3)=1, others >= 2, so d_TT = [1,1,1,1].
        var t = Haplotypes("t", "0000", "0001", "1110", "1111");
        // S: s0 = t0 (distance 0), s1 far from all T (d_TS large), s2 and s3 close to each other.
        var s = Haplotypes("s", "0000", "0110", "1100", "1101");
        // d_TS: t0->s0 0; t1->s0 1; t2->s2 1; t3->s3 1  => d_TS > d_TT for none  => AA_truth = 0
        // d_SS: s0->s1 2 (0000 vs 0110), s1->s2 2 (0110 vs 1100), s2->s3 1, s3->s2 1
        // d_ST: s0->t0 0; s1->t0/t2 2; s2->t2 1; s3->t3 1  => d_ST > d_SS for none => AA_syn = 0
        var result = Privacy.Aats(new BitPackedRows(t), new BitPackedRows(s), 4, new SeededRandom(1));
        Assert.Equal(0, result.AaTruth);
        Assert.Equal(0, result.AaSyn);
        // Far-away synthetic rows: every real row's nearest neighbour is real, every synthetic row's is synthetic.
        var far = Haplotypes("f", "1010", "1011", "0101", "0100");
        var t2 = Haplotypes("t", "0000", "0001", "0011", "0111");
        var r2 = Privacy.Aats(new BitPackedRows(t2), new BitPackedRows(far), 4, new SeededRandom(2));
        // d_TT = [1,1,1,1]; d_TS: t0->0100 1 (not > 1) ; t1->0101 1; t2->1011 1; t3->0101 1 => AA_truth 0
        Assert.Equal(0, r2.AaTruth);
        // d_SS = [1,1,1,1]; d_ST: 1010->? min(2,3,3,4)=2 >1; 1011->0011 1; 0101->0001/0111 1; 0100->0000 1 => 1/4
        Assert.Equal(0.25, r2.AaSyn);
    }

    [Fact]
    public void Popcount_distances_equal_naive_sums_for_haplotypes_and_dosages()
    {
        var rng = new SeededRandom(3);
        foreach (var ploidy in new[] { Ploidy.Haplotype, Ploidy.Diploid })
        {
            int rows = 20, variants = 197;
            var set = RandomGenotypes.Rows(ploidy, rows, variants, rng);
            var (values, bits) = (set.Values, new BitPackedRows(set));
            for (int a = 0; a < rows; a++)
                for (int b = 0; b < rows; b++)
                {
                    int naive = 0;
                    for (int j = 0; j < variants; j++) naive += Math.Abs(values[a * variants + j] - values[b * variants + j]);
                    Assert.Equal(naive, BitPackedRows.Distance(bits.Row(a), bits.Row(b)));
                }
        }
    }

    private static (GenotypeRows Set, List<int> Complete) LctWithoutMissing()
    {
        var data = Plink1Files.Read(TestData.LctPrefix);
        var column = new sbyte[data.Samples.Count];
        var complete = Enumerable.Range(0, data.Variants.Count).Where(j =>
        {
            data.Genotypes.DecodeVariant(j, column);
            return column.All(d => d >= 0);
        }).ToList();
        var subset = data.Genotypes.Subset(Enumerable.Range(0, data.Samples.Count).ToList(), complete);
        return (EvaluationInputs.FromPacked("lct", subset, [.. data.Samples.Select(s => s.IndividualId)]), complete);
    }

    [Fact]
    public void Ld_r2_matches_plink_1_9_r2_square_on_the_LCT_data()
    {
        using var tmp = new TempDir();
        var (set, complete) = LctWithoutMissing();
        var data = Plink1Files.Read(TestData.LctPrefix);
        File.WriteAllLines(tmp.File("complete.snplist"), complete.Select(j => data.Variants[j].Id));
        TestData.Plink.Subset(TestData.LctPrefix, tmp.File("complete.snplist"), null, tmp.File("c"));
        var plink = TestData.Plink.R2Square(tmp.File("c"), tmp.File("r2"));
        var ours = Linkage.R2Matrix(set);
        int m = set.Variants;
        Assert.True(m > 400, $"{m} complete variants");
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                if (!double.IsNaN(plink[i, j])) worst = Math.Max(worst, Math.Abs(plink[i, j] - ours[i * m + j]));
        Assert.True(worst < 1e-4, $"largest |r2 ours - plink| = {worst}");
    }

    [Fact]
    public void Allele_frequencies_and_hwe_p_values_match_plink_1_9()
    {
        // plink2 a3.5 leaves one of the 503 LCT samples out of --freq and --hardy (OBS_CT 1004 at 569 variants, while
        // its own --export A shows all 503 calls); plink1.9 counts all of them, so it is the reference here. Our
        // .bed writer is checked against plink2 --freq on simulated data in PlinkBedTests.
        using var tmp = new TempDir();
        var (set, complete) = LctWithoutMissing();
        TestData.Plink.Runner.Run(PlinkTool.Plink1, ["--bfile", TestData.LctPrefix, "--freq", "--hardy", "--out", tmp.File("p")], tmp.File("p"));
        var frq = File.ReadAllLines(tmp.File("p.frq")).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var data = Plink1Files.Read(TestData.LctPrefix);
        var ours = set.AlleleFrequencies();
        for (int k = 0; k < complete.Count; k++)
        {
            var row = frq[complete[k]];
            double maf = double.Parse(row[4], CultureInfo.InvariantCulture);
            double allele1 = row[2] == data.Variants[complete[k]].Allele1 ? maf : 1 - maf; // plink1.9 reports its A1 (the minor allele)
            Assert.True(Math.Abs(ours[k] - allele1) < 1e-4, $"{row[1]}: ours {ours[k]}, plink1.9 {allele1}");
        }
        var hwe = File.ReadAllLines(tmp.File("p.hwe")).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        foreach (var row in hwe)
        {
            var counts = row[5].Split('/').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            double expected = double.Parse(row[8], CultureInfo.InvariantCulture);
            double p = PopulationGenetics.HweExactP(counts[0], counts[1], counts[2]);
            Assert.True(Math.Abs(p - expected) <= 1e-6 + 1e-3 * expected, $"{row[1]}: ours {p}, plink1.9 {expected}");
        }
    }

    [Fact]
    public void Pca_eigenvalues_match_a_full_eigendecomposition()
    {
        var (full, _) = LctWithoutMissing();
        var set = full.SelectRows(Enumerable.Range(0, full.Rows).ToList()); // 503 x ~600
        int m = 60;
        var small = set.SelectIndividuals(Enumerable.Range(0, set.Rows).ToList(), Enumerable.Range(0, m).ToList());
        var pca = Pca.Fit(small, components: 3);
        var z = Linkage.Standardize(small);
        var cov = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int r = 0; r < small.Rows; r++) s += (double)z[r * m + i] * z[r * m + j];
                cov[i, j] = s / small.Rows;
            }
        var (values, _) = SymmetricEigen.Decompose(cov, JacobiStop.RelativeOffDiagonal);
        var top = values.Take(3).ToArray();
        int polymorphic = Linkage.ColumnSds(small, Linkage.ColumnMeans(small)).Count(s => s > 0);
        for (int c = 0; c < 3; c++) Assert.Equal(top[c] / polymorphic, pca.ExplainedVariance[c], 3);
        // Scores of PC1 have variance equal to the first eigenvalue.
        var pc1 = Pca.Column(pca.Project(small), 3, 0);
        double mean = pc1.Average();
        Assert.Equal(top[0], pc1.Sum(v => (v - mean) * (v - mean)) / pc1.Length, 2);
    }

    [Fact]
    public void Auc_standard_error_is_delong_and_agrees_with_the_bootstrap()
    {
        // Integer scores make ties common, as with Hamming distances.
        var rng = new SeededRandom(11);
        var positives = Enumerable.Range(0, 300).Select(_ => (double)(rng.NextInt(40) + 3)).ToArray();
        var negatives = Enumerable.Range(0, 250).Select(_ => (double)rng.NextInt(40)).ToArray();
        static double Psi(double x, double y) => x > y ? 1 : x == y ? 0.5 : 0;
        var v10 = positives.Select(x => negatives.Average(y => Psi(x, y))).ToArray();
        var v01 = negatives.Select(y => positives.Average(x => Psi(x, y))).ToArray();
        static double Var(double[] v) { double m = v.Average(); return v.Sum(x => (x - m) * (x - m)) / (v.Length - 1); }
        double delong = Math.Sqrt(Var(v10) / positives.Length + Var(v01) / negatives.Length);
        Assert.Equal(delong, Statistics.AucStandardError(positives, negatives), 12);

        var aucs = new double[2000];
        for (int b = 0; b < aucs.Length; b++)
        {
            var p = positives.Select(_ => positives[rng.NextInt(positives.Length)]).ToArray();
            var n = negatives.Select(_ => negatives[rng.NextInt(negatives.Length)]).ToArray();
            aucs[b] = Statistics.Auc(p, n);
        }
        double mean = aucs.Average(), bootstrap = Math.Sqrt(aucs.Sum(a => (a - mean) * (a - mean)) / (aucs.Length - 1));
        Assert.InRange(Statistics.AucStandardError(positives, negatives) / bootstrap, 0.9, 1.1);
        Assert.True(double.IsNaN(Statistics.AucStandardError([1.0], [0.0, 2.0])));
    }

    [Fact]
    public void Statistics_match_brute_force_definitions()
    {
        double[] a = [0.1, 0.4, 0.4, 0.9], b = [0.2, 0.5, 0.7];
        int better = 0, ties = 0;
        foreach (var x in a) foreach (var y in b) { if (x > y) better++; else if (x == y) ties++; }
        Assert.Equal((better + 0.5 * ties) / 12.0, Statistics.Auc(a, b), 12);
        Assert.Equal(1.0, Statistics.Wasserstein1([0.0, 1.0], [1.0, 2.0]), 12);
        Assert.Equal(0.5, Statistics.Wasserstein1([0.0], [0.0, 1.0]), 12);
        var (d, p) = Statistics.KolmogorovSmirnov([1.0, 2, 3, 4], [1.0, 2, 3, 4]);
        Assert.Equal(0, d);
        Assert.Equal(1, p, 6);
        var (d2, p2) = Statistics.KolmogorovSmirnov(Enumerable.Range(0, 200).Select(i => (double)i).ToList(), Enumerable.Range(100, 200).Select(i => (double)i).ToList());
        Assert.Equal(0.5, d2, 12);
        Assert.True(p2 < 1e-10);
        Assert.Equal(1.0, Statistics.Pearson([1.0, 2, 3], [2.0, 4, 6]), 12);
    }

    [Fact]
    public void Hudson_fst_follows_its_formula_and_is_zero_for_identical_groups()
    {
        double[] p1 = [0.1, 0.5, 0.9], p2 = [0.3, 0.5, 0.2];
        long n1 = 100, n2 = 80;
        double num = 0, den = 0;
        for (int j = 0; j < 3; j++)
        {
            num += Math.Pow(p1[j] - p2[j], 2) - p1[j] * (1 - p1[j]) / (n1 - 1) - p2[j] * (1 - p2[j]) / (n2 - 1);
            den += p1[j] * (1 - p2[j]) + p2[j] * (1 - p1[j]);
        }
        Assert.Equal(num / den, PopulationGenetics.HudsonFst(p1, n1, p2, n2), 12);
        Assert.True(PopulationGenetics.HudsonFst(p1, 1000, p1, 1000) < 0.001);
    }

    [Fact]
    public void Membership_inference_detects_a_copied_training_set_and_not_a_fresh_one()
    {
        var data = HaptFiles.Read(TestData.Hapt805, TestData.Legend805);
        var all = data.Haplotypes.Named("all");
        var train = all.SelectRows(Enumerable.Range(0, 1000).ToList());
        var holdout = all.SelectRows(Enumerable.Range(1000, 1000).ToList());
        var fresh = all.SelectRows(Enumerable.Range(2000, 1000).ToList());
        var tb = new BitPackedRows(train);
        var hb = new BitPackedRows(holdout);
        Assert.Equal(1.0, Privacy.MembershipInferenceAuc(tb, hb, tb, new SeededRandom(1)), 6);
        Assert.InRange(Privacy.MembershipInferenceAuc(tb, hb, new BitPackedRows(fresh), new SeededRandom(1)), 0.4, 0.6);
        Assert.Equal(1000, Privacy.ExactCopies(tb, tb) - 0); // every row is its own copy
    }
}
