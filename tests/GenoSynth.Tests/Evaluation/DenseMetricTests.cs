using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Pipeline.Evaluate;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Evaluation;

/// <summary>
/// The metrics for dense regions and whole chromosomes, each against an independent computation: the full r^2
/// matrix and plain loops over its pairs, a naive longest-run search, hand-counted blocks.
/// </summary>
public class DenseMetricTests
{
    private static readonly Lazy<(GenotypeRows Haplotypes, List<(string, long)> Positions)> Agbl4 = new(() =>
    {
        var vcf = VcfReader.Read(TestData.Agbl4Split1, keepHaplotypes: true);
        return (vcf.Haplotypes!, vcf.Variants.Select(v => (v.Chromosome, v.Position)).ToList());
    });

    /// <summary>Real AGBL4 haplotypes: rows [first, first + rows) of the first `variants` SNPs, as a set.</summary>
    internal static GenotypeRows Agbl4Rows(string name, int first, int rows, int variants)
    {
        var h = Agbl4.Value.Haplotypes;
        var values = new byte[(long)rows * variants];
        for (int r = 0; r < rows; r++) h.Row(first + r)[..variants].CopyTo(values.AsSpan(r * variants, variants));
        var ids = Enumerable.Range(first, rows).Select(r => h.RowIds![r]).ToList();
        return new GenotypeRows(Ploidy.Haplotype, rows, variants, values, ids, name: name);
    }

    internal static List<(string Chromosome, long Position)> Agbl4Positions(int variants) =>
        Agbl4.Value.Positions.Take(variants).ToList();

    /// <summary>A set with some calls flipped at random: LD weaker than the source's, so comparisons are not
    /// trivial.</summary>
    private static GenotypeRows Noisy(GenotypeRows set, double rate, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var values = set.Values.Select(v => rng.NextDouble() < rate ? (byte)(set.Ploidy.Copies - v) : v).ToArray();
        return new GenotypeRows(set.Ploidy, set.Rows, set.Variants, values, set.RowIds, name: set.Name + "-noisy");
    }

    private static (GenotypeRows Train, GenotypeRows Holdout, GenotypeRows Synthetic) Agbl4Sets(int variants) =>
        (Agbl4Rows("train", 0, 600, variants), Agbl4Rows("holdout", 600, 200, variants),
            Noisy(Agbl4Rows("synthetic", 800, 300, variants), 0.03, 7));

    private static (GenotypeRows Set, List<(string Chromosome, long Position)> Positions) Real805()
    {
        var loaded = EvaluationInputs.Load(TestData.Hapt805, "real", TestData.Legend805);
        return (loaded.Set, loaded.Positions.ToList());
    }

    [Fact]
    public void Streamed_all_pairs_ld_equals_the_full_matrix_figures_bit_for_bit()
    {
        // Dense (AGBL4, one chromosome, three blocks of rows) and sparse genome-wide (805 SNPs on 22 chromosomes).
        var (train, holdout, synthetic) = Agbl4Sets(700);
        var (real805, positions805) = Real805();
        var cases = new[]
        {
            (Sets: new[] { train, holdout, synthetic }, Positions: Agbl4Positions(700)),
            (Sets: new[] { Rows(real805, 0, 900), Rows(real805, 900, 300), Noisy(Rows(real805, 1200, 400), 0.05, 3) },
                Positions: positions805),
        };
        foreach (var (sets, positions) in cases)
        {
            var ld = LinkageComparison.Run(sets, 2, new VariantPairs(positions, new LdPairSettings()));
            var matrices = sets.Select(Linkage.R2Matrix).ToArray();
            var upper = matrices.Select(r => Linkage.UpperTriangle(r, positions.Count)).ToArray();
            foreach (var (b, o) in new[] { (0, 1), (0, 2), (1, 2) })
            {
                var agreement = ld.Compare(VariantPairs.All, b, o)!;
                Assert.Equal(Statistics.Pearson(upper[b], upper[o]), agreement.Pearson);
                Assert.Equal(upper[b].Select((v, i) => (v - upper[o][i]) * (v - upper[o][i])).Average(), agreement.Mse);
            }
            for (int s = 0; s < sets.Length; s++) Assert.Equal(Linkage.Decay(matrices[s], positions), ld.Decay(s));
            Assert.Equal(upper[0].Length, ld.Count(VariantPairs.All));
        }
    }

    private static GenotypeRows Rows(GenotypeRows set, int first, int count) =>
        set.SelectRows(Enumerable.Range(first, count).ToList());

    /// <summary>Every pair group of <see cref="VariantPairs"/>, defined again here from scratch.</summary>
    private sealed class NaivePairs(IReadOnlyList<(string Chromosome, long Position)> positions,
        LdPairSettings settings, IReadOnlyList<VariantSegment> segments)
    {
        private bool SameChromosome(int i, int j) => positions[i].Chromosome == positions[j].Chromosome;

        public bool Window(int i, int j) => SameChromosome(i, j) && positions[i].Chromosome != "0"
            && Math.Abs(positions[j].Position - positions[i].Position) <= settings.WindowKb * 1000L;

        public bool Nearest(int i, int j) => SameChromosome(i, j) && j - i <= settings.Nearest;

        public bool Inside(int i, int j) => Window(i, j) && segments.Any(s => s.First <= i && j <= s.Last);

        public bool Straddling(int i, int j) => Window(i, j) && !segments.Any(s => s.First <= i && j <= s.Last);

        public List<(int I, int J)> Select(Func<int, int, bool> keep)
        {
            var pairs = new List<(int, int)>();
            for (int i = 0; i < positions.Count; i++)
                for (int j = i + 1; j < positions.Count; j++)
                    if (keep(i, j)) pairs.Add((i, j));
            return pairs;
        }
    }

    private static void AssertGroup(LinkageComparison ld, int group, List<(int I, int J)> pairs, float[][] matrices,
        int m)
    {
        Assert.Equal(pairs.Count, ld.Count(group));
        Assert.True(pairs.Count > 10,
            $"group {ld.Pairs.GroupName(group)} has only {pairs.Count} pairs: the test checks too little");
        var values = matrices.Select(r => pairs.Select(p => (double)r[(long)p.I * m + p.J]).ToList()).ToArray();
        for (int s = 0; s < matrices.Length; s++) Assert.Equal(values[s].Average(), ld.Mean(group, s), 12);
        foreach (var (b, o) in new[] { (0, 1), (0, 2), (1, 2) })
        {
            var agreement = ld.Compare(group, b, o)!;
            Assert.Equal(Statistics.Pearson(values[b], values[o]), agreement.Pearson, 12);
            var squares = values[b].Select((v, k) => (v - values[o][k]) * (v - values[o][k]));
            Assert.Equal(squares.Average(), agreement.Mse, 12);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Window_nearest_and_segment_groups_match_plain_loops_over_the_full_matrix(bool allPairs)
    {
        const int m = 700;
        var (train, holdout, synthetic) = Agbl4Sets(m);
        var positions = Agbl4Positions(m);
        // Overlapping segments, as a stitching generator uses them.
        var segments = new List<VariantSegment> { new(0, 219), new(180, 459), new(420, 699) };
        var settings = new LdPairSettings(WindowKb: 40, Nearest: 20, AllPairsMaxVariants: allPairs ? 10_000 : 100);
        var pairs = new VariantPairs(positions, settings, segments);
        Assert.Equal(allPairs, pairs.AllPairs);
        var ld = LinkageComparison.Run([train, holdout, synthetic], 2, pairs);
        var matrices = new[] { train, holdout, synthetic }.Select(Linkage.R2Matrix).ToArray();
        var naive = new NaivePairs(positions, settings, segments);
        AssertGroup(ld, VariantPairs.Window, naive.Select(naive.Window), matrices, m);
        AssertGroup(ld, VariantPairs.Nearest, naive.Select(naive.Nearest), matrices, m);
        AssertGroup(ld, VariantPairs.Inside, naive.Select(naive.Inside), matrices, m);
        AssertGroup(ld, VariantPairs.Straddling, naive.Select(naive.Straddling), matrices, m);
        if (!allPairs)
        {
            Assert.Equal(0, ld.Count(VariantPairs.All));
            Assert.Null(ld.Decay(0));
            Assert.Null(ld.Compare(VariantPairs.All, 0, 1));
        }

        // LD decay inside the window: bins 0-1, 1-2, 2-5, 5-10, 10-20 and 20-40 kb.
        long[] edges = [0, 1_000, 2_000, 5_000, 10_000, 20_000];
        Assert.Equal(edges, pairs.WindowDecayEdges);
        var window = naive.Select(naive.Window);
        for (int s = 0; s < 3; s++)
        {
            var curve = ld.WindowDecay(s);
            for (int b = 0; b < edges.Length; b++)
            {
                var inBin = window.Where(p =>
                {
                    long d = positions[p.J].Position - positions[p.I].Position;
                    return d >= edges[b] && (b == edges.Length - 1 || d < edges[b + 1]);
                }).Select(p => (double)matrices[s][(long)p.I * m + p.J]).ToList();
                if (inBin.Count == 0) Assert.True(double.IsNaN(curve[b]));
                else Assert.Equal(inBin.Average(), curve[b], 12);
            }
        }
    }

    [Fact]
    public void Per_chromosome_window_groups_never_pair_two_chromosomes()
    {
        var (real, positions) = Real805();
        var sets = new[] { Rows(real, 0, 800), Rows(real, 800, 300), Noisy(Rows(real, 1100, 300), 0.05, 11) };
        var settings = new LdPairSettings(WindowKb: 20_000);
        var pairs = new VariantPairs(positions, settings);
        var ld = LinkageComparison.Run(sets, 2, pairs);
        var matrices = sets.Select(Linkage.R2Matrix).ToArray();
        var naive = new NaivePairs(positions, settings, []);
        Assert.Equal(22, pairs.Chromosomes.Count);
        AssertGroup(ld, VariantPairs.Window, naive.Select(naive.Window), matrices, positions.Count);
        foreach (var chromosome in new[] { "1", "2", "6" })
        {
            int c = pairs.Chromosomes.ToList().IndexOf(chromosome);
            var onChromosome = naive.Select((i, j) => naive.Window(i, j) && positions[i].Chromosome == chromosome);
            AssertGroup(ld, VariantPairs.FirstChromosome + c, onChromosome, matrices, positions.Count);
        }
        long perChromosome = Enumerable.Range(0, pairs.Chromosomes.Count)
            .Sum(c => ld.Count(VariantPairs.FirstChromosome + c));
        Assert.Equal(ld.Count(VariantPairs.Window), perChromosome);
    }

    /// <summary>The longest run of equal values between rows q and r, restarting at every chromosome
    /// start.</summary>
    private static int NaiveLongestRun(ReadOnlySpan<byte> q, ReadOnlySpan<byte> r, IReadOnlySet<int> starts)
    {
        int best = 0, run = 0;
        for (int j = 0; j < q.Length; j++)
        {
            if (starts.Contains(j)) run = 0;
            run = q[j] == r[j] ? run + 1 : 0;
            best = Math.Max(best, run);
        }
        return best;
    }

    private static int[] NaiveLongestRuns(GenotypeRows reference, GenotypeRows queries, IReadOnlySet<int> starts) =>
        Enumerable.Range(0, queries.Rows).Select(q => Enumerable.Range(0, reference.Rows)
            .Max(r => NaiveLongestRun(queries.Row(q), reference.Row(r), starts))).ToArray();

    /// <summary>Rows copied from a few founders in pieces, with mutations: long shared runs, as in real
    /// haplotypes.</summary>
    private static GenotypeRows Mosaic(string name, int ploidy, int rows, int variants, byte[][] founders,
        SeededRandom rng)
    {
        var values = new byte[rows * variants];
        for (int r = 0; r < rows; r++)
        {
            int founder = rng.NextInt(founders.Length);
            for (int j = 0; j < variants; j++)
            {
                if (rng.NextDouble() < 0.02) founder = rng.NextInt(founders.Length);
                bool mutated = rng.NextDouble() < 0.01;
                values[r * variants + j] = mutated ? (byte)rng.NextInt(ploidy + 1) : founders[founder][j];
            }
        }
        var ids = Enumerable.Range(0, rows).Select(i => $"{name}{i}").ToList();
        return new GenotypeRows(Ploidy.FromCopies(ploidy), rows, variants, values, ids, name: name);
    }

    [Fact]
    public void Longest_identical_runs_match_a_naive_search_over_every_pair()
    {
        var rng = new SeededRandom(21);
        foreach (int ploidy in new[] { 1, 2 })
        {
            const int variants = 300;
            var founders = Enumerable.Range(0, 6)
                .Select(_ => Enumerable.Range(0, variants).Select(_ => (byte)rng.NextInt(ploidy + 1)).ToArray())
                .ToArray();
            var reference = Mosaic("t", ploidy, 80, variants, founders, rng);
            var queries = Mosaic("q", ploidy, 60, variants, founders, rng);
            foreach (var starts in new[] { new int[0], new[] { 97, 210 } })
            {
                var expected = NaiveLongestRuns(reference, queries, starts.ToHashSet());
                Assert.Equal(expected, IdenticalRuns.LongestAgainst(reference, queries, starts));
            }
        }
        // Real haplotypes: AGBL4 holdout rows against training rows, and a query identical to a training row.
        var train = Agbl4Rows("train", 0, 300, 500);
        var holdout = Agbl4Rows("holdout", 300, 120, 500);
        var runs = IdenticalRuns.LongestAgainst(train, holdout, []);
        Assert.Equal(NaiveLongestRuns(train, holdout, new HashSet<int>()), runs);
        Assert.True(runs.Average() > 50, "real haplotypes share long runs with their closest training haplotype");
        Assert.Equal([500], IdenticalRuns.LongestAgainst(train, train.SelectRows([17]), []));
    }

    [Fact]
    public void Quantiles_interpolate_as_numpy_does()
    {
        // numpy.quantile([1, 2, 3, 4, 10], [0.5, 0.99]) = [3, 9.76]; numpy.median([3, 1, 2, 4]) = 2.5
        Assert.Equal(3, Statistics.Quantile([1, 2, 3, 4, 10], 0.5));
        Assert.Equal(9.76, Statistics.Quantile([1, 2, 3, 4, 10], 0.99), 12);
        Assert.Equal(2.5, Statistics.Quantile([3, 1, 2, 4], 0.5));
        Assert.Equal(7, Statistics.Quantile([7], 0.99));
    }

    [Fact]
    public void Heterozygosity_pairs_consecutive_haplotypes_into_individuals()
    {
        var haplotypes = Agbl4Rows("h", 0, 400, 300);
        long heterozygous = 0;
        for (int i = 0; i < 200; i++)
            for (int j = 0; j < 300; j++)
                if (haplotypes.Values[2 * i * 300 + j] != haplotypes.Values[(2 * i + 1) * 300 + j]) heterozygous++;
        Assert.Equal(heterozygous / (200.0 * 300), IndividualRows.Heterozygosity(haplotypes), 15);
        // As dosages, the same individuals have the same heterozygosity by the diploid definition.
        var dosages = IndividualRows.Dosages(haplotypes, Enumerable.Range(0, 200).ToList());
        var ids = Enumerable.Range(0, 200).Select(i => $"i{i}").ToList();
        var diploid = new GenotypeRows(Ploidy.Diploid, 200, 300, dosages, ids, name: "d");
        Assert.Equal(PopulationGenetics.Heterozygosity(diploid), IndividualRows.Heterozygosity(haplotypes), 15);
        Assert.Equal(PopulationGenetics.Heterozygosity(diploid), IndividualRows.Heterozygosity(diploid), 15);
    }

    [Fact]
    public void Block_summary_and_agreement_on_a_hand_counted_case()
    {
        // Ten variants on chromosome 1 (1 kb apart) and two on chromosome 2.
        var positions = Enumerable.Range(0, 10).Select(j => ("1", 1000L * (j + 1)))
            .Concat([("2", 5000L), ("2", 9000L)]).ToList();
        (int, int)[] a = [(0, 3), (5, 9), (10, 11)];
        (int, int)[] b = [(0, 2), (5, 9)];
        var summary = HaplotypeBlocks.Summarize(a, 50, positions);
        Assert.Equal(3, summary.Blocks);
        Assert.Equal(4.0, summary.MedianKb);             // 3, 4 and 4 kb
        Assert.Equal((4 + 5 + 2) / 3.0, summary.MeanVariants, 12);
        Assert.Equal(11 / 12.0, summary.Coverage, 12);
        // Neighbouring pairs on one chromosome: 9 on chr1, 1 on chr2 (the chr1-chr2 pair is skipped).
        // Together in a: 0-1 1-2 2-3 5-6 6-7 7-8 8-9 10-11; in b: 0-1 1-2 5-6 6-7 7-8 8-9. They differ on 2-3
        // and 10-11.
        Assert.Equal(8 / 10.0, HaplotypeBlocks.Agreement(a, b, positions), 12);
        Assert.Equal(1.0, HaplotypeBlocks.Agreement(a, a, positions));
    }

    [Fact]
    public void Segment_tables_round_trip_and_name_the_line_of_a_bad_segment()
    {
        using var tmp = new TempDir();
        var path = tmp.File(SegmentTable.FileName);
        var segments = new List<VariantSegment> { new(0, 99), new(80, 199) };
        SegmentTable.Write(path, segments);
        Assert.Equal("segment\tfirst_variant\tlast_variant", File.ReadLines(path).First());
        Assert.Equal(segments, SegmentTable.Read(path, 200));
        var ex = Assert.Throws<GenotypeFormatException>(() => SegmentTable.Read(path, 150));
        Assert.Equal($"{path}:3: segment 1 spans variants 80..199; it must lie within 0..149, first <= last",
            ex.Message);
        File.WriteAllText(path, "segment\tfirst_variant\tlast_variant\n0\t5\n");
        var shortLine = Assert.Throws<GenotypeFormatException>(() => SegmentTable.Read(path, 150));
        Assert.Contains($"{path}:2:", shortLine.Message);
    }

    [Fact]
    public void Plink_blocks_of_paired_haplotypes_equal_plink_run_on_the_vcf_itself()
    {
        using var tmp = new TempDir();
        const int variants = 800, individuals = 300;
        var positions = Agbl4Positions(variants);
        var ours = HaplotypeBlocks.Find(Agbl4Rows("train", 0, 2 * individuals, variants), individuals, 1,
            PlinkBlocks.Finder(TestData.Plink, positions, tmp.Path));

        // Independently: plink2 reads the VCF itself, the first individuals and variants are kept, plink1.9 --blocks.
        TestData.Plink.ImportVcf(TestData.Agbl4Split1, tmp.File("vcf"));
        var ids = Plink1Files.ReadBim(tmp.File("vcf.bim")).Take(variants).Select(v => v.Id);
        File.WriteAllLines(tmp.File("first.snplist"), ids);
        File.WriteAllLines(tmp.File("first.keep"), File.ReadLines(tmp.File("vcf.fam")).Take(individuals)
            .Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[..2])));
        TestData.Plink.Subset(tmp.File("vcf"), tmp.File("first.snplist"), tmp.File("first.keep"), tmp.File("first"));
        var bim = Plink1Files.ReadBim(tmp.File("first.bim"));
        Assert.Equal(positions.Select(p => p.Position), bim.Select(v => v.Position));
        var column = bim.Select((v, j) => (v.Id, j)).GroupBy(p => p.Id).ToDictionary(g => g.Key, g => g.First().j);
        var theirs = TestData.Plink.HaplotypeBlocks(tmp.File("first"), PlinkBlocks.MaxKb, tmp.File("b"))
            .Select(b => (column[b[0]], column[b[^1]])).ToList();
        Assert.True(theirs.Count > 5, $"{theirs.Count} blocks: the region has too little LD for this test");
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void A_set_with_too_few_varying_variants_has_no_blocks_rather_than_an_error()
    {
        // plink1.9 skips --blocks (exit code 0, no .blocks.det) when too few variants reach its MAF threshold,
        // as a collapsed generator's output does.
        using var tmp = new TempDir();
        var positions = Enumerable.Range(0, 30).Select(j => ("2", 136_400_000L + 500 * j)).ToList();
        var finder = PlinkBlocks.Finder(TestData.Plink, positions, tmp.Path);
        Assert.Empty(finder(new byte[20 * 30], 20));
    }

    [Fact]
    public void The_evaluator_reports_each_dense_metric_beside_the_holdout_reference()
    {
        using var tmp = new TempDir();
        const int m = 600;
        var (train, holdout, synthetic) = Agbl4Sets(m);
        var positions = Agbl4Positions(m);
        var segments = new List<VariantSegment> { new(0, 249), new(200, 449), new(400, 599) };
        var options = new EvaluationOptions(AatsDraw: 100, AatsRepeats: 1, Utility: false,
            Ld: new LdPairSettings(WindowKb: 50));
        var result = new Evaluator(options).Evaluate(train, holdout, [synthetic], positions, segments,
            PlinkBlocks.Finder(TestData.Plink, positions, tmp.Path));
        var set = result.Metrics.Sets.Single();

        var pairs = new VariantPairs(positions, options.LdPairs, segments);
        var ld = LinkageComparison.Run([train, holdout, synthetic], 2, pairs);
        var window = set.Fidelity["ld_r2_window_pearson"];
        Assert.Equal(ld.Compare(VariantPairs.Window, 0, 2)!.Pearson, window.Value);
        Assert.Equal(ld.Compare(VariantPairs.Window, 0, 1)!.Pearson, window.Reference);
        Assert.Equal(ld.Compare(VariantPairs.Window, 1, 2)!.Pearson, window.VsHoldout);
        Assert.Equal(ld.Compare(VariantPairs.Straddling, 0, 2)!.Pearson,
            set.Fidelity["ld_r2_straddling_pearson"].Value);
        Assert.Equal(ld.Mean(VariantPairs.Straddling, 1), set.Fidelity["ld_r2_straddling_mean"].Reference);
        Assert.Null(set.Fidelity["ld_r2_straddling_mean"].VsHoldout);
        // Flipped calls weaken LD: the noisy set falls short of the holdout, which is real.
        Assert.True(window.Value < window.Reference, $"window LD r {window.Value} vs holdout {window.Reference}");
        Assert.True(set.Fidelity["ld_r2_straddling_mean"].Value < set.Fidelity["ld_r2_straddling_mean"].Reference);

        var runs = set.Privacy["longest_run_median"];
        double MedianRun(GenotypeRows queries) =>
            Statistics.Quantile(IdenticalRuns.LongestAgainst(train, queries, []).Select(r => (double)r).ToList(), 0.5);
        Assert.Equal(MedianRun(synthetic), runs.Value);
        Assert.Equal(MedianRun(holdout), runs.Reference);
        Assert.Equal(IndividualRows.Heterozygosity(synthetic), set.Fidelity["heterozygosity"].Value);
        Assert.Equal(IndividualRows.Heterozygosity(holdout), set.Fidelity["heterozygosity"].Reference);

        // Blocks among as many individuals as the holdout has, in every set.
        Assert.Equal(100, result.Metrics.Settings.BlockIndividuals);
        Assert.Equal(["holdout", "real train", "synthetic-noisy"], result.Plots.Blocks!.Keys.Order());
        Assert.Equal(result.Plots.Blocks["holdout"].Blocks, set.Fidelity["ld_blocks_count"].Reference);
        Assert.InRange(set.Fidelity["ld_blocks_agreement"].Reference!.Value, 0.5, 1);
        Assert.Equal(3, result.Metrics.Settings.Segments);
        Assert.Null(set.Chromosomes); // one chromosome
    }
}
