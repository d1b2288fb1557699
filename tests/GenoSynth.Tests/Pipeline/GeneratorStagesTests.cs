using System.Text.Json;
using GenoSynth.Genotypes;
using GenoSynth.Models.Encoders;
using GenoSynth.Plink;
using GenoSynth.Pipeline.Store;
using GenoSynth.Tests.Genotypes;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

public class GeneratorStagesTests
{
    internal const string SmallDiffusion = """

        model: {type: diffusion, width: 128, blocks: 1}
        train: {steps: 150, batch: 128, warmup_steps: 10, learning_rate: 0.002, evaluate_every: 50, checkpoint_every: 50}
        sample: {steps: 20}
        evaluate: {aats_draw: 100, aats_repeats: 2}
        """;

    /// <summary>The workflow without its generator sections (encode onwards), so a test can give its own small ones.</summary>
    internal static string WithoutGenerator(string workflow)
    {
        int cut = workflow.IndexOf("\nencode:", StringComparison.Ordinal);
        return cut < 0 ? workflow : workflow[..cut] + "\n";
    }

    [Fact]
    public void Lct_runs_from_fetch_to_report_and_plink2_and_bcftools_read_the_synthetic_files()
    {
        using var h = new PipelineHarness();
        var outcomes = h.Run(h.Spec("1kg-lct-eur", t => WithoutGenerator(t) + SmallDiffusion), "report");
        Assert.Equal(["fetch", "labels", "split", "qc", "rank", "encode", "train", "sample", "baselines", "evaluate", "report"], outcomes.Select(o => o.Stage));
        string R(string f) => h.ResultFile("1kg-lct-eur", f);
        foreach (var f in new[] { "metrics.json", "report.md", "report.html", "synthetic/synthetic.bed", "synthetic/synthetic.vcf.gz", "synthetic/labels.tsv", "train/loss.tsv" })
            Assert.True(File.Exists(R(f)), f);

        var synthetic = Plink1Files.Read(R("synthetic/synthetic"));
        var train = File.ReadAllLines(R("split/train.txt"));
        Assert.Equal(train.Length, synthetic.Samples.Count); // default count: as many as the training individuals
        Assert.All(synthetic.Samples, s => Assert.StartsWith("SYN_", s.IndividualId));
        var realIds = Plink1Files.ReadFam(TestData.LctPrefix + ".fam").Select(s => s.IndividualId).ToList();
        foreach (var file in new[] { "synthetic/synthetic.fam", "synthetic/labels.tsv" })
        {
            var text = File.ReadAllText(R(file));
            Assert.DoesNotContain(realIds, id => text.Contains(id));
        }
        using var tmp = new TempDir();
        var freq = TestData.Plink.Freq(R("synthetic/synthetic"), tmp.File("f"));
        Assert.Equal(synthetic.Variants.Count, freq.Count);
        var records = VcfTests.Run("bcftools", "view", "-H", R("synthetic/synthetic.vcf.gz")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(synthetic.Variants.Count, records.Length);

        var metrics = JsonDocument.Parse(File.ReadAllText(R("metrics.json"))).RootElement;
        var set = metrics.GetProperty("sets")[0];
        Assert.Equal("diffusion", set.GetProperty("name").GetString());
        Assert.True(set.GetProperty("fidelity").GetProperty("af_pearson").GetProperty("value").GetDouble() > 0.5, "even a short training learns allele frequencies");
        Assert.Contains("training loss", File.ReadAllText(R("report.html")));
        Assert.Contains("Privacy release gate passed", File.ReadAllText(R("report.md")));
        var gate = JsonDocument.Parse(File.ReadAllText(R("synthetic/sample.json"))).RootElement.GetProperty("privacy_gate");
        Assert.Equal(0, gate.GetProperty("exact_copies").GetInt32());
        Assert.True(gate.GetProperty("passed").GetBoolean());

        var again = h.Run(h.Spec("1kg-lct-eur", t => WithoutGenerator(t) + SmallDiffusion), "report");
        Assert.All(again, o => Assert.True(o.Cached));
    }

    [Fact]
    public void The_independent_floor_keeps_frequencies_and_loses_linkage_on_805_haplotypes()
    {
        using var h = new PipelineHarness();
        h.Run(h.Spec("1kg-805-haplotypes", t => WithoutGenerator(t) + """

            model: {type: independent}
            evaluate: {aats_draw: 200, aats_repeats: 2, utility: false}
            """), "evaluate");
        var set = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-805-haplotypes", "metrics.json"))).RootElement.GetProperty("sets")[0];
        double af = set.GetProperty("fidelity").GetProperty("af_pearson").GetProperty("value").GetDouble();
        double ld = set.GetProperty("fidelity").GetProperty("ld_r2_pearson").GetProperty("value").GetDouble();
        Assert.True(af > 0.99, $"AF r {af}");
        Assert.True(ld < 0.2, $"LD r {ld}"); // (a per-label floor keeps most of it: these SNPs were chosen to differ between populations)
        var hapt = HaptFiles.ReadHaplotypes(h.ResultFile("1kg-805-haplotypes", "synthetic/synthetic.hapt.gz"), 805).Haplotypes;
        Assert.Equal(hapt.Rows / 2, hapt.PairedIndividuals("synthetic").Count);
        var vcf = VcfReader.Read(h.ResultFile("1kg-805-haplotypes", "synthetic/synthetic.vcf.gz"), keepHaplotypes: true);
        Assert.True(vcf.AllPhased);
        Assert.Equal(hapt.Values, vcf.Haplotypes!.Values);
    }

    [Fact]
    public void Given_label_counts_set_the_synthetic_individuals_per_label_and_unknown_labels_are_named()
    {
        using var h = new PipelineHarness();
        h.Run(h.Spec("1kg-805-haplotypes", t => WithoutGenerator(t) + """

            model: {type: per-label-independent}
            sample: {labels: {EUR: 2, AFR: 3, EAS: 0}}
            """), "sample");
        var rows = File.ReadAllLines(h.ResultFile("1kg-805-haplotypes", "synthetic/labels.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(["SYN_000001", "SYN_000002", "SYN_000003", "SYN_000004", "SYN_000005"], rows.Select(r => r[0]));
        Assert.Equal(["AFR", "AFR", "AFR", "EUR", "EUR"], rows.Select(r => r[1]));
        var synthetic = h.ResultFile("1kg-805-haplotypes", "synthetic/synthetic.hapt.gz");
        Assert.Equal(10, HaptFiles.ReadHaplotypes(synthetic, 805).Haplotypes.Rows);
        var sample = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-805-haplotypes", "synthetic/sample.json"))).RootElement;
        Assert.Equal("given counts", sample.GetProperty("label_policy").GetString());

        var ex = Assert.Throws<GenoSynth.Pipeline.SpecException>(() => h.Run(h.Spec("1kg-805-haplotypes", t => WithoutGenerator(t) + """

            model: {type: per-label-independent}
            sample: {labels: {EUR: 2, OCE: 1}}
            """, "unknown.yaml"), "sample"));
        Assert.Contains("unknown.yaml: sample.labels.OCE: not a label of the training data (labels: AFR, AMR, EAS, EUR, SAS)", ex.Message);
    }

    [Fact]
    public void The_privacy_release_gate_refuses_to_publish_unless_the_spec_allows_it()
    {
        using var h = new PipelineHarness();
        string Spec(string sample, string name) => h.Spec("1kg-lct-eur", t => WithoutGenerator(t) + SmallDiffusion.Replace("sample: {steps: 20}", sample), name);
        // A limit no set can meet (AUC <= 0) makes the gate refuse: the stage fails and nothing is published.
        var refused = Assert.Throws<GenoSynth.Pipeline.InputException>(() => h.Run(Spec("sample: {steps: 20, max_mia_auc: 0.0}", "refuse.yaml"), "report"));
        Assert.Contains("privacy release gate failed", refused.Message);
        Assert.Contains("not published", refused.Message);
        Assert.False(Directory.Exists(Path.Combine(h.Results, "1kg-lct-eur")));

        h.Run(Spec("sample: {steps: 20, max_mia_auc: 0.0, allow_privacy_risk: true}", "allow.yaml"), "report");
        var report = File.ReadAllText(h.ResultFile("1kg-lct-eur", "report.md"));
        Assert.Contains("Privacy release gate failed, publication allowed by sample.allow_privacy_risk", report);
        var gate = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-lct-eur", "synthetic/sample.json"))).RootElement.GetProperty("privacy_gate");
        Assert.False(gate.GetProperty("passed").GetBoolean());
        Assert.True(gate.GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public void Baselines_are_trained_on_the_same_rows_scored_beside_ours_and_listed_in_the_leaderboard()
    {
        using var h = new PipelineHarness();
        const string baselines = """

            baselines:
              - {name: floor, model: {type: per-label-independent}}
              - name: rbm
                model: {type: rbm, hidden: 32, gibbs_steps: 2}
                train: {steps: 30, batch: 100, evaluate_every: 10}
                sample: {steps: 20}
              - name: gan
                model: {type: gan, latent: 16}
                train: {steps: 60, evaluate_every: 20}
            """;
        h.Run(h.Spec("1kg-lct-eur", t => WithoutGenerator(t) + SmallDiffusion + baselines), "report");
        var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-lct-eur", "metrics.json"))).RootElement;
        var names = metrics.GetProperty("sets").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["diffusion", "floor", "rbm", "gan"], names);
        var rows = metrics.GetProperty("sets").EnumerateArray().Select(s => s.GetProperty("rows").GetInt32()).Distinct().ToList();
        Assert.Single(rows); // every generator drew as many individuals as the training split holds

        var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-lct-eur", "manifest.json"))).RootElement;
        var stage = manifest.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "baselines");
        var timings = stage.GetProperty("timings").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("rbm.train", timings);
        Assert.Contains("gan.sample", timings);

        var resultsRoot = Path.GetDirectoryName(Path.GetDirectoryName(h.ResultFile("1kg-lct-eur", "metrics.json")))!;
        var output = new StringWriter();
        Assert.Equal(0, GenoSynth.Cli.CliApp.Run(["leaderboard", "--results", resultsRoot], output, new StringWriter()));
        var board = File.ReadAllText(Path.Combine(resultsRoot, "README.md"));
        foreach (var row in new[] { "| real holdout (vs train) |", "| diffusion |", "| floor |", "| rbm |", "| gan |" }) Assert.Contains(row, board);
    }

    [Fact]
    public void Spec_sections_of_the_generator_stages_are_validated()
    {
        using var h = new PipelineHarness();
        var ex = Assert.Throws<GenoSynth.Pipeline.SpecException>(() => h.Run(h.Spec("1kg-lct-eur", t => WithoutGenerator(t) + "\nmodel: {type: transformer}\n"), "fetch"));
        Assert.Contains("model.type: 'transformer' is not one of: diffusion, rbm, gan, independent, per-label-independent", ex.Message);
        var ex2 = Assert.Throws<GenoSynth.Pipeline.SpecException>(() => h.Run(h.Spec("1kg-lct-eur", t => WithoutGenerator(t) + "\nsample: {labels: weird}\n"), "fetch"));
        Assert.Contains("sample.labels: 'weird' is not one of: as-data, balanced", ex2.Message);
    }

    [Fact]
    public void Latent_diffusion_on_pca_blocks_and_a_vae_baseline_run_end_to_end_and_the_report_states_the_reconstruction()
    {
        using var h = new PipelineHarness();
        const string latent = """

            encode: {method: pca-blocks, block_size: 32, explained_variance: 0.9}
            model: {type: diffusion, width: 128, blocks: 1}
            train: {steps: 150, batch: 128, warmup_steps: 10, learning_rate: 0.002, evaluate_every: 50, checkpoint_every: 50}
            sample: {steps: 20, sampler: ddim}
            evaluate: {aats_draw: 100, aats_repeats: 2}
            baselines:
              - name: vae-diffusion
                encode: {method: vae, compression: 4, latent_channels: 2, channels: 8, steps: 60, batch: 32, learning_rate: 0.003}
                model: {type: diffusion, width: 64, blocks: 1}
                train: {steps: 60, batch: 64, warmup_steps: 5, evaluate_every: 30}
                sample: {steps: 10}
            """;
        h.Run(h.Spec("1kg-lct-eur", t => WithoutGenerator(t) + latent), "report");
        string R(string f) => h.ResultFile("1kg-lct-eur", f);

        var encode = JsonDocument.Parse(File.ReadAllText(R("encode/encode.json"))).RootElement;
        Assert.Equal("pca-blocks", encode.GetProperty("method").GetString());
        int variants = encode.GetProperty("variants").GetInt32(), latentSize = encode.GetProperty("latent_size").GetInt32();
        Assert.InRange(latentSize, 1, variants - 1);
        double accuracy = encode.GetProperty("validation_reconstruction_accuracy").GetDouble();
        Assert.InRange(accuracy, 0.9, 1.0); // 90 % of each block's variance keeps most calls of these linked SNPs

        var sample = JsonDocument.Parse(File.ReadAllText(R("synthetic/sample.json"))).RootElement;
        Assert.Equal("latent-diffusion", sample.GetProperty("model").GetString());
        var synthetic = Plink1Files.Read(R("synthetic/synthetic"));
        Assert.Equal(variants, synthetic.Variants.Count);

        var metrics = JsonDocument.Parse(File.ReadAllText(R("metrics.json"))).RootElement;
        var sets = metrics.GetProperty("sets").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.True(sets["diffusion"].GetProperty("fidelity").GetProperty("af_pearson").GetProperty("value").GetDouble() > 0.5,
            "latent diffusion on PCA blocks learns allele frequencies");
        Assert.True(sets.ContainsKey("vae-diffusion"));
        var baseline = JsonDocument.Parse(File.ReadAllText(R("baselines/baselines.json"))).RootElement.GetProperty("baselines")[0];
        Assert.Equal("vae", baseline.GetProperty("encoder").GetProperty("kind").GetString());
        Assert.Contains("genotype calls decoded back exactly", File.ReadAllText(R("report.md")));
    }

    /// <summary>Runs the LCT workflow to the encode stage with the given encode section; returns the fitted encoder's blocks.</summary>
    private static (IReadOnlyList<VariantBlock> Blocks, JsonElement Encode) EncodeLct(PipelineHarness h, string encode, Func<string, string>? edit = null)
    {
        var outcomes = h.Run(h.Spec("1kg-lct-eur", t => (edit ?? (x => x))(WithoutGenerator(t)) + "\nencode: " + encode + "\n"), "encode");
        var key = outcomes.Single(o => o.Stage == "encode").Key;
        var encoder = (PcaBlockEncoder)GenotypeEncoder.Load(Path.Combine(h.Cache, "encode", key, "encoder.safetensors"));
        var json = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-lct-eur", "encode/encode.json"))).RootElement;
        return (encoder.Blocks.Select(b => b.Block).ToList(), json);
    }

    [Fact]
    public void Ld_blocks_are_plink_haplotype_blocks_of_the_train_individuals_only()
    {
        using var h = new PipelineHarness();
        var (blocks, encode) = EncodeLct(h, "{method: pca-blocks, blocks: ld, block_size: 16, explained_variance: 0.9}");
        var grouping = encode.GetProperty("encoder").GetProperty("grouping");
        Assert.Equal("ld", grouping.GetProperty("grouping").GetString());

        // Reference: plink1.9 --blocks straight on the source files, restricted to the train individuals and selected variants.
        using var tmp = new TempDir();
        var train = File.ReadAllLines(h.ResultFile("1kg-lct-eur", "split/train.txt")).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
        var selected = File.ReadAllLines(h.ResultFile("1kg-lct-eur", "rank/selected.txt")).Where(l => l.Length > 0).ToList();
        PlinkOperations.WriteKeepFile(tmp.File("train.keep"), Plink1Files.ReadFam(TestData.LctPrefix + ".fam"), train);
        File.WriteAllLines(tmp.File("selected.txt"), selected);
        TestData.Plink.Subset(TestData.LctPrefix, tmp.File("selected.txt"), tmp.File("train.keep"), tmp.File("train"));
        var reference = TestData.Plink.HaplotypeBlocks(tmp.File("train"), 200, tmp.File("blocks"));
        var column = selected.Select((id, j) => (id, j)).ToDictionary(x => x.id, x => x.j, StringComparer.Ordinal);
        var spans = reference.Select(b => new VariantBlock(column[b[0]], column[b[^1]] - column[b[0]] + 1)).ToList();

        Assert.True(spans.Count >= 5, $"the LCT region has haplotype blocks among the train individuals ({spans.Count})");
        Assert.Equal(spans.Count, grouping.GetProperty("groups_with_variants").GetInt32());
        Assert.All(spans, span => Assert.Contains(span, blocks));
        Assert.Contains(blocks, b => b.Length > 16); // LD blocks are not capped at the window size
        Assert.All(blocks.Except(spans), window => Assert.InRange(window.Length, 1, 16));
        Assert.Equal(selected.Count, blocks.Sum(b => b.Length));
        Assert.InRange(encode.GetProperty("validation_reconstruction_accuracy").GetDouble(), 0.95, 1.0);
    }

    [Fact]
    public void Gene_blocks_follow_a_bed_annotation_fetched_through_the_mirror()
    {
        using var h = new PipelineHarness();
        using var mirror = new TempDir();
        // Three annotated regions over the LCT window (positions from the data's own .bim): one long, one nested in it, one at the end.
        var bim = Plink1Files.ReadBim(TestData.LctPrefix + ".bim");
        long P(int i) => bim[i].Position;
        var bed = $"chr2\t{P(40) - 1}\t{P(160)}\tLONG\nchr2\t{P(90)}\t{P(100)}\tNESTED\nchr2\t{P(500)}\t{P(590)}\tLAST\n";
        File.WriteAllText(mirror.File("genes.bed"), bed);
        string sha = Digest.OfFile(mirror.File("genes.bed"));
        var encode = $"{{method: pca-blocks, blocks: genes, block_size: 16, genes: {{name: genes.bed, url: https://example.invalid/genes.bed, sha256: {sha}}}}}";
        var (blocks, json) = EncodeLct(h, encode, t => t.Replace($"mirrors: [{TestData.Root}]", $"mirrors: [{TestData.Root}, {mirror.Path}]"));

        var variants = Plink1Files.ReadBim(h.ResultFile("1kg-lct-eur", "qc/qc.bim"));
        var selected = File.ReadAllLines(h.ResultFile("1kg-lct-eur", "rank/selected.txt")).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
        var encoded = variants.Where(v => selected.Contains(v.Id)).ToList();
        var inLong = Enumerable.Range(0, encoded.Count).Where(j => encoded[j].Position >= P(40) && encoded[j].Position <= P(160)).ToList();
        var inLast = Enumerable.Range(0, encoded.Count).Where(j => encoded[j].Position > P(500) && encoded[j].Position <= P(590)).ToList();
        Assert.Contains(new VariantBlock(inLong[0], inLong.Count), blocks); // the nested gene stays inside the long one
        Assert.Contains(new VariantBlock(inLast[0], inLast.Count), blocks);
        Assert.All(blocks.Where(b => b.Start != inLong[0] && b.Start != inLast[0]), window => Assert.InRange(window.Length, 1, 16));
        var grouping = json.GetProperty("encoder").GetProperty("grouping");
        Assert.Equal(2, grouping.GetProperty("groups_with_variants").GetInt32());
        Assert.Equal(inLong.Count + inLast.Count, grouping.GetProperty("variants_in_groups").GetInt32());

        // A malformed annotation stops the stage with the file and line, and leaves no encode artifact.
        using var h2 = new PipelineHarness();
        File.WriteAllText(mirror.File("bad.bed"), "chr2\t100\t200\tA\nchr2\t300\n");
        var badSha = Digest.OfFile(mirror.File("bad.bed"));
        var ex = Assert.Throws<GenotypeFormatException>(() => EncodeLct(h2, encode.Replace("genes.bed", "bad.bed").Replace(sha, badSha),
            t => t.Replace($"mirrors: [{TestData.Root}]", $"mirrors: [{TestData.Root}, {mirror.Path}]")));
        Assert.Contains("bad.bed:2: expected chromosome, start and end", ex.Message);
        Assert.Empty(Directory.GetDirectories(Path.Combine(h2.Cache, "encode")));
    }
}
