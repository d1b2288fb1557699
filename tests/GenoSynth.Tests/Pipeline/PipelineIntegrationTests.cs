using System.Text.Json;
using GenoSynth.Genotypes;
using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Stages;
using GenoSynth.Pipeline.Store;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

public class PipelineIntegrationTests
{
    [Fact]
    public void Agbl4_fetch_qc_rank_runs_through_real_plink_and_a_second_run_skips_every_stage()
    {
        using var h = new PipelineHarness();
        var spec = h.Spec("1kg-agbl4-casecontrol");
        var first = h.Run(spec, "rank");
        Assert.Equal(["fetch", "labels", "split", "qc", "rank"], first.Select(o => o.Stage));
        Assert.All(first, o => Assert.False(o.Cached));

        var fetch = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-agbl4-casecontrol", "fetch/fetch.json"))).RootElement;
        Assert.Equal(2504, fetch.GetProperty("samples").GetInt32());
        Assert.Equal(4053, fetch.GetProperty("variants").GetInt32());

        var train = File.ReadAllLines(h.ResultFile("1kg-agbl4-casecontrol", "split/train.txt"));
        var rank = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-agbl4-casecontrol", "rank/rank.json"))).RootElement;
        Assert.Equal(train.Length, rank.GetProperty("training_samples").GetInt32());
        Assert.Equal(512, rank.GetProperty("selected").GetInt32());
        var selected = File.ReadAllLines(h.ResultFile("1kg-agbl4-casecontrol", "rank/selected.txt"));
        Assert.Equal(512, selected.Length);

        // The simulated causal variants must dominate the GWAS: the strongest association is a causal variant or in LD with one.
        var ranked = File.ReadAllLines(h.ResultFile("1kg-agbl4-casecontrol", "rank/ranked.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        var pValues = ranked.Where(r => r[6] != "NA").Select(r => double.Parse(r[6], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(pValues.Min() < 1e-8, $"best p {pValues.Min()}");
        var causal = File.ReadAllLines(h.ResultFile("1kg-agbl4-casecontrol", "phenotype/causal.tsv")).Skip(1).Select(l => l.Split('\t')[0]).ToHashSet();
        Assert.Equal(20, causal.Count);
        Assert.True(causal.Count(selected.Contains) >= 3, "selected variants should include several causal variants");

        var second = h.Run(spec, "rank");
        Assert.All(second, o => Assert.True(o.Cached));
        Assert.Equal(first.Select(o => o.Key), second.Select(o => o.Key));
        Assert.True(second.Sum(o => o.Seconds) < 5, "cached stages are skipped quickly");
    }

    [Fact]
    public void Lct_qc_fits_variant_filters_on_the_train_split_only()
    {
        using var h = new PipelineHarness();
        h.Run(h.Spec("1kg-lct-eur"), "qc");
        var qc = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-lct-eur", "qc/qc.json"))).RootElement;
        Assert.Equal("train", qc.GetProperty("fitted_on").GetString());
        int kept = qc.GetProperty("variants_out").GetInt32();
        Assert.Equal(kept, File.ReadAllLines(h.ResultFile("1kg-lct-eur", "qc/qc.bim")).Length);

        // Independent check: plink2 --maf on the training individuals alone keeps exactly these variants.
        var train = File.ReadAllLines(h.ResultFile("1kg-lct-eur", "split/train.txt")).ToHashSet();
        using var tmp = new TempDir();
        var samples = Plink1Files.ReadFam(TestData.LctPrefix + ".fam");
        GenoSynth.Plink.PlinkOperations.WriteKeepFile(tmp.File("train.keep"), samples, train);
        var (passing, _) = TestData.Plink.FilterVariants(TestData.LctPrefix, tmp.File("train.keep"), 0.01, 0.05, 1e-6, tmp.File("v"));
        Assert.Equal(passing, File.ReadAllLines(h.ResultFile("1kg-lct-eur", "qc/qc.bim")).Select(l => l.Split('\t')[1]));
    }

    [Fact]
    public void Changing_a_qc_setting_recomputes_qc_and_rank_but_reuses_fetch_labels_and_split()
    {
        using var h = new PipelineHarness();
        var a = h.Run(h.Spec("1kg-lct-eur"), "rank");
        var b = h.Run(h.Spec("1kg-lct-eur", t => t.Replace("maf: 0.01", "maf: 0.05"), "spec2.yaml"), "rank");
        Assert.Equal([true, true, true, false, false], b.Select(o => o.Cached));
        Assert.NotEqual(a[3].Key, b[3].Key);
        var qc = JsonDocument.Parse(File.ReadAllText(h.ResultFile("1kg-lct-eur", "qc/qc.json"))).RootElement;
        Assert.True(qc.GetProperty("variants_removed_maf").GetInt32() > 8);
    }

    [Fact]
    public void Changing_an_input_file_recomputes_the_stages_whose_inputs_changed()
    {
        using var h = new PipelineHarness();
        var a = h.Run(h.Spec("1kg-lct-eur"), "split");
        // A modified copy of the .fam (one individual's sex changed) in a private mirror: new digest, new keys.
        var mirror = Path.Combine(h.Dir, "mirror");
        Directory.CreateDirectory(mirror);
        foreach (var ext in new[] { ".bed", ".bim" }) File.Copy(TestData.LctPrefix + ext, Path.Combine(mirror, "LCT" + ext));
        var fam = File.ReadAllLines(TestData.LctPrefix + ".fam");
        fam[0] = fam[0].Replace(" 0 0 0 ", " 0 0 1 ");
        File.WriteAllLines(Path.Combine(mirror, "LCT.fam"), fam);
        var newSha = Digest.OfFile(Path.Combine(mirror, "LCT.fam"));
        var spec = h.Spec("1kg-lct-eur", t => t.Replace($"mirrors: [{TestData.Root}]", $"mirrors: [{mirror}, {TestData.Root}]")
            .Replace("c3625ecd086d8dd2c4c8a81012b54baaf5ed871fb8f7fa9cf968bf0f0f1da5e8", newSha), "spec3.yaml");
        var b = h.Run(spec, "split");
        // fetch and labels read the changed file; labels.tsv itself is byte-identical (sex is not a label),
        // so split, keyed by content, is rightly reused.
        Assert.Equal([false, false, true], b.Select(o => o.Cached));
        Assert.NotEqual(a[0].Key, b[0].Key);
        Assert.NotEqual(a[1].Key, b[1].Key);
        Assert.Equal(a[2].Key, b[2].Key);
    }

    [Fact]
    public void A_corrupted_cached_artifact_is_detected_and_recomputed()
    {
        using var h = new PipelineHarness();
        var spec = h.Spec("1kg-lct-eur");
        var a = h.Run(spec, "split");
        var cachedTrain = Path.Combine(h.Cache, "split", a[2].Key, StageFiles.Train);
        var bytes = File.ReadAllBytes(cachedTrain);
        bytes[3] ^= 0x20;
        File.WriteAllBytes(cachedTrain, bytes);
        var b = h.Run(spec, "split");
        Assert.Equal([true, true, false], b.Select(o => o.Cached));
        Assert.Contains(h.Log, l => l.Contains("does not match its recorded sha256"));
        Assert.Equal(Digest.OfFile(cachedTrain), JsonDocument.Parse(File.ReadAllText(Path.Combine(h.Cache, "split", a[2].Key, "stage.json")))
            .RootElement.GetProperty("outputs").GetProperty("train.txt").GetProperty("sha256").GetString());
    }

    [Fact]
    public void A_failing_stage_leaves_no_partial_artifact_in_the_cache_or_results()
    {
        using var h = new PipelineHarness();
        var spec = h.Spec("1kg-lct-eur", t => t.Replace("maf: 0.01", "maf: 0.5"));
        var ex = Assert.Throws<InputException>(() => h.Run(spec, "rank"));
        Assert.Contains("zero variants", ex.Message);
        Assert.False(Directory.Exists(h.Results), "results/ must not be created by a failed run");
        Assert.Empty(Directory.GetDirectories(Path.Combine(h.Cache, "qc")));
    }

    [Fact]
    public void Same_spec_and_data_give_the_same_bytes_in_independent_caches()
    {
        using var h = new PipelineHarness();
        var spec = h.Spec("1kg-805-haplotypes");
        var a = h.Run(spec, "rank", cache: Path.Combine(h.Dir, "c1"), results: Path.Combine(h.Dir, "r1"));
        var b = h.Run(spec, "rank", cache: Path.Combine(h.Dir, "c2"), results: Path.Combine(h.Dir, "r2"));
        Assert.Equal(a.Select(o => o.Key), b.Select(o => o.Key));
        var m1 = ResultsPublisher.TryRead(Path.Combine(h.Dir, "r1", "1kg-805-haplotypes", "manifest.json"))!;
        var m2 = ResultsPublisher.TryRead(Path.Combine(h.Dir, "r2", "1kg-805-haplotypes", "manifest.json"))!;
        Assert.Equal(m1.Results, m2.Results);
        Assert.Equal(m1.Stages.SelectMany(s => s.Outputs.Select(o => o.Key + o.Value.Sha256)), m2.Stages.SelectMany(s => s.Outputs.Select(o => o.Key + o.Value.Sha256)));
    }

    [Fact]
    public void The_manifest_lists_every_stage_with_key_config_inputs_outputs_and_tool_versions()
    {
        using var h = new PipelineHarness();
        h.Run(h.Spec("1kg-805-haplotypes"), "rank");
        var manifest = ResultsPublisher.TryRead(h.ResultFile("1kg-805-haplotypes", "manifest.json"))!;
        Assert.Equal(["fetch", "labels", "split", "qc", "rank"], manifest.Stages.Select(s => s.Stage));
        var qc = manifest.Stages.Single(s => s.Stage == "qc");
        Assert.StartsWith("PLINK v2", qc.ExternalTools["plink2"]);
        Assert.Contains(qc.Inputs, i => i.Stage == "split" && i.File == "train.txt");
        Assert.Contains("qc.bed", qc.Outputs.Keys);
        Assert.True(qc.PeakMemoryBytes > 0);
        Assert.Equal(Digest.OfFile(h.ResultFile("1kg-805-haplotypes", "split/train.txt")), manifest.Results["split/train.txt"]);
        var hapt = Path.Combine(qc.CacheDirectory, StageFiles.QcHaplotypes);
        var (haplotypes, _) = HaptFiles.ReadHaplotypes(hapt, null);
        Assert.Equal(5008, haplotypes.Rows);
    }

    [Fact]
    public void A_second_run_on_a_locked_experiment_stops_with_a_clear_message()
    {
        using var h = new PipelineHarness();
        using var held = ExperimentLock.Acquire(Path.Combine(h.Cache, "locks"), "1kg-lct-eur", TimeSpan.Zero);
        var ex = Assert.Throws<LockedException>(() => h.Run(h.Spec("1kg-lct-eur"), "fetch"));
        Assert.Contains("in use by another GenoSynth run", ex.Message);
    }
}
