using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

public class SpecLoaderTests
{
    internal const string Valid = """
        experiment: demo
        ploidy: diploid
        data:
          format: plink
          mirrors: [../shared/data]
          files:
            - url: https://example.org/LCT.bed
              sha256: 4db999b6ee42e0a184310026bc18db939547705242ac3a388a62df49b6e503a0
            - url: https://example.org/LCT.bim
              sha256: dc9a9b55a088f02e0b3a0da4822c04f6dee42467d268d473736460d0df5ab0a1
            - url: https://example.org/LCT.fam
              sha256: c3625ecd086d8dd2c4c8a81012b54baaf5ed871fb8f7fa9cf968bf0f0f1da5e8
        qc:
          maf: 0.01
        """;

    private static ExperimentSpec LoadText(TempDir tmp, string text)
    {
        var path = tmp.File("spec.yaml");
        File.WriteAllText(path, text);
        return SpecLoader.Load(path);
    }

    /// <summary><see cref="Valid"/> with <paramref name="yaml"/> appended fails with this message.</summary>
    private static void Rejects(string message, string yaml) => Assert.Contains(message, Fails(Valid + yaml).Message);

    private static SpecException Fails(string text)
    {
        using var tmp = new TempDir();
        return Assert.Throws<SpecException>(() => LoadText(tmp, text));
    }

    [Fact]
    public void A_valid_spec_gets_every_default()
    {
        using var tmp = new TempDir();
        var spec = LoadText(tmp, Valid);
        Assert.Equal("demo", spec.Experiment);
        Assert.Equal(42UL, spec.Seed);
        Assert.Equal(0.01, spec.Qc.Maf);
        Assert.Null(spec.Qc.Hwe);
        Assert.Equal((0.8, 0.1, 0.1), (spec.Split.Train, spec.Split.Validation, spec.Split.Holdout));
        Assert.Equal(42UL, spec.Split.Seed);
        Assert.Equal(RankMethod.All, spec.Rank.Method);
        Assert.Equal("LCT.bed", spec.Data.Files[0].Name);
    }

    [Fact]
    public void Baselines_take_their_generator_defaults_and_inherit_the_sample_policy()
    {
        using var tmp = new TempDir();
        var spec = LoadText(tmp, Valid + "\n" + """
            sample: {labels: balanced, count: 300}
            baselines:
              - {name: rbm, model: {type: rbm, hidden: 64}}
              - name: gan
                model: {type: gan}
                train: {steps: 10}
            evaluate:
              compare:
                - name: published
                  note: a published set
                  file:
                    url: https://example.org/x.hapt.gz
                    sha256: d47c9e9a7bcbc1d48884b502d6b3fd97c98c9d2b9914f07e31bf404605ee04aa
            """);
        Assert.Equal(["rbm", "gan"], spec.Baselines.Select(b => b.Name));
        var rbm = spec.Baselines[0];
        Assert.Equal((ModelType.Rbm, 64, 10), (rbm.Model.Type, rbm.Model.Hidden, rbm.Model.GibbsSteps));
        Assert.Equal((2000, 500, 0.01), (rbm.Train.Steps, rbm.Train.Batch, rbm.Train.LearningRate));
        Assert.Equal((true, 300), (rbm.Sample.Balanced, rbm.Sample.Count));
        Assert.Null(rbm.Sample.LabelCounts);
        Assert.Equal(0, spec.Train.Patience);
        Assert.Equal(4, LoadText(tmp, Valid + "\ntrain: {patience: 4}\n").Train.Patience);
        Rejects("baselines[0].train.patience: does not apply to model.type rbm (only to model.type diffusion)",
            "\nbaselines:\n  - {name: r, model: {type: rbm}, train: {patience: 2}}\n");

        var given = LoadText(tmp, Valid + "\nsample: {labels: {EUR: 20, AFR: 10}}\nbaselines:\n" +
            "  - {name: same, model: {type: rbm}}\n  - {name: own, model: {type: rbm}, sample: {labels: balanced}}\n");
        Assert.Equal([("AFR", 10), ("EUR", 20)], given.Sample.LabelCounts!.Select(kv => (kv.Key, kv.Value)));
        Assert.Same(given.Sample.LabelCounts, given.Baselines[0].Sample.LabelCounts);
        Assert.Null(given.Baselines[1].Sample.LabelCounts);
        Rejects("sample.count: sample.labels gives the individuals per label; leave out count",
            "\nsample: {labels: {EUR: 2}, count: 10}\n");
        Assert.Contains("baselines[0].sample.count: sample.labels gives the individuals per label; leave out count",
            Fails(Valid + "\nsample: {labels: {EUR: 2}}\nbaselines:\n" +
                  "  - {name: b, model: {type: rbm}, sample: {count: 10}}\n").Message);
        Rejects("sample.labels: the label counts add up to no individuals", "\nsample: {labels: {EUR: 0}}\n");
        Rejects("sample.labels.EUR: expected an integer", "\nsample: {labels: {EUR: many}}\n");
        var gan = spec.Baselines[1];
        Assert.Equal((10, 32, 1e-4, 8e-4),
            (gan.Train.Steps, gan.Train.Batch, gan.Train.LearningRate, gan.Train.DiscriminatorLearningRate));
        Assert.Equal(("published", "x.hapt.gz"),
            (spec.Evaluate.Comparisons[0].Name, spec.Evaluate.Comparisons[0].File.Name));
    }

    [Fact]
    public void Baseline_errors_name_the_list_item()
    {
        Rejects("baselines[0].model.hiddn: unknown key",
            "\nbaselines:\n  - {name: rbm, model: {type: rbm, hiddn: 3}}\n");
        Rejects("missing required section 'baselines[0].model'", "\nbaselines:\n  - {name: rbm}\n");
        Assert.Contains("'rbm' is used twice",
            Fails(Valid + "\nbaselines:\n  - {name: rbm, model: {type: rbm}}\n" +
                  "  - {name: rbm, model: {type: gan}}\n").Message);
        Rejects("evaluate.compare[0]", "\nevaluate:\n  compare:\n    - {name: x}\n");
    }

    [Fact]
    public void An_unknown_key_is_named_with_file_line_and_column()
    {
        var ex = Fails(Valid + "\n  mafx: 0.1\n");
        Assert.Matches(@"spec\.yaml:15:3: qc\.mafx: unknown key", ex.Message);
    }

    [Fact]
    public void A_wrong_type_is_named()
    {
        var ex = Fails(Valid.Replace("maf: 0.01", "maf: lots"));
        Assert.Matches(@"spec\.yaml:14:8: qc\.maf: expected a number, got 'lots'", ex.Message);
    }

    [Fact]
    public void An_out_of_range_value_is_named()
    {
        var ex = Fails(Valid.Replace("maf: 0.01", "maf: 0.7"));
        Assert.Contains("qc.maf: 0.7 is out of range [0, 0.5]", ex.Message);
    }

    [Fact]
    public void Split_fractions_must_sum_to_one()
    {
        var ex = Fails(Valid + "\nsplit: {train: 0.8, validation: 0.2, holdout: 0.1}\n");
        Assert.Contains("must sum to 1", ex.Message);
        Assert.Contains("spec.yaml:15:8: split:", ex.Message);
    }

    [Fact]
    public void Unknown_sections_and_unsupported_encoders_are_rejected_clearly()
    {
        var ex = Fails(Valid + "\naugment: {factor: 2}\n");
        Assert.Contains("augment: unknown key", ex.Message);
        var encoder = Fails(Valid + "\nencode: {method: autoencoder}\n");
        Assert.Contains("encode.method: 'autoencoder' is not one of: identity, pca-blocks, vae", encoder.Message);
        Rejects("encode.compression: 6 is not a power of two", "\nencode: {method: vae, compression: 6}\n");
        Rejects("encode.block_size: does not apply to encode.method vae (only to encode.method pca-blocks)",
            "\nencode: {method: vae, block_size: 16}\n");
        Rejects("encode.beta: does not apply to encode.method pca-blocks (only to encode.method vae)",
            "\nencode: {method: pca-blocks, beta: 1}\n");
        Rejects("sample.sampler: 'euler' is not one of: ancestral, ddim", "\nsample: {sampler: euler}\n");
    }

    [Fact]
    public void Block_grouping_keys_are_read_and_misplaced_ones_rejected()
    {
        using var tmp = new TempDir();
        var ld = LoadText(tmp, Valid + "\nencode: {method: pca-blocks, blocks: ld, ld_max_kb: 150, block_size: 8}\n")
            .Encode;
        Assert.Equal((BlockGrouping.Ld, 150, 8), (ld.Blocks, ld.EffectiveLdMaxKb, ld.BlockSize));
        var genes = LoadText(tmp, Valid + "\nencode:\n  method: pca-blocks\n  blocks: genes\n" +
            "  genes: {url: https://example.org/genes.bed.gz, sha256: " + new string('a', 64) + "}\n").Encode;
        Assert.Equal(("genes.bed.gz", EncodeSpec.DefaultLdMaxKb), (genes.Genes!.Name, genes.EffectiveLdMaxKb));
        Assert.Equal(BlockGrouping.Fixed, LoadText(tmp, Valid + "\nencode: {method: pca-blocks}\n").Encode.Blocks);

        Rejects("encode.genes: blocks: genes needs a gene annotation",
            "\nencode: {method: pca-blocks, blocks: genes}\n");
        var misplaced = Valid + "\nencode: {method: pca-blocks, blocks: ld, genes: {url: https://e.org/g.bed, " +
            "sha256: " + new string('a', 64) + "}}\n";
        Assert.Contains("encode.genes: does not apply to encode.blocks ld (only to encode.method pca-blocks with " +
            "encode.blocks genes)", Fails(misplaced).Message);
        Rejects("encode.ld_max_kb: does not apply to encode.blocks fixed",
            "\nencode: {method: pca-blocks, ld_max_kb: 100}\n");
        Rejects("encode.blocks: does not apply to encode.method vae", "\nencode: {method: vae, blocks: ld}\n");
        Rejects("encode.blocks: 'genome' is not one of: fixed, ld, genes",
            "\nencode: {method: pca-blocks, blocks: genome}\n");
    }

    [Fact]
    public void Latent_encoders_take_their_settings_and_baselines_inherit_the_main_encoder()
    {
        using var tmp = new TempDir();
        var spec = LoadText(tmp, Valid + """

            encode: {method: pca-blocks, block_size: 16, explained_variance: 0.9}
            model: {type: diffusion, prediction: epsilon}
            sample: {sampler: ddim, eta: 0.5}
            baselines:
              - {name: same, model: {type: diffusion}}
              - {name: own, model: {type: diffusion}, encode: {method: vae, compression: 8}}
            """);
        Assert.Equal(
            new EncodeSpec
            {
                Method = EncodeMethod.PcaBlocks, Seed = spec.Seed, BlockSize = 16, ExplainedVariance = 0.9,
            },
            spec.Encode);
        Assert.Equal(GenoSynth.Models.Diffusion.PredictionKind.Epsilon, spec.Model.Prediction);
        Assert.Equal((GenoSynth.Models.Diffusion.SamplerKind.Ddim, 0.5), (spec.Sample.Sampler, spec.Sample.Eta));
        Assert.Equal(spec.Encode, spec.Baselines[0].Encode);
        Assert.Equal(GenoSynth.Models.Diffusion.PredictionKind.V, spec.Baselines[0].Model.Prediction);
        Assert.Equal((EncodeMethod.Vae, 8), (spec.Baselines[1].Encode.Method, spec.Baselines[1].Encode.Compression));
        Assert.Equal(GenoSynth.Models.Encoders.LatentDecoding.Argmax, spec.Sample.Decode);

        var drawn = LoadText(tmp, Valid + "\nencode: {method: vae}\nsample: {decode: sample}\n");
        Assert.Equal(GenoSynth.Models.Encoders.LatentDecoding.Sample, drawn.Sample.Decode);
        Assert.Contains(
            "sample.decode: does not apply to encode.method pca-blocks " +
            "(only to model.type diffusion with encode.method vae)",
            Fails(Valid + "\nencode: {method: pca-blocks}\nsample: {decode: sample}\n").Message);
        Rejects("baselines[0].sample.decode: does not apply to encode.method identity",
            "\nbaselines:\n  - {name: b, model: {type: diffusion}, sample: {decode: sample}}\n");
        Rejects("sample.decode: 'mode' is not one of: argmax, sample", "\nsample: {decode: mode}\n");
    }

    [Fact]
    public void Temperature_and_clean_estimate_apply_to_genotype_diffusion_only_and_leave_the_default_key_alone()
    {
        using var tmp = new TempDir();
        var plain = LoadText(tmp, Valid + "\nsample: {steps: 20}\n");
        Assert.Equal((GenoSynth.Models.Diffusion.CleanEstimate.Draw, (double?)null),
            (plain.Sample.CleanEstimate, plain.Sample.Temperature));
        // temperature 1 is the default itself: the same sample spec, so the same cache key
        Assert.Equal(plain.Sample, LoadText(tmp, Valid + "\nsample: {steps: 20, temperature: 1}\n").Sample);
        var tuned = LoadText(tmp, Valid + "\nsample: {steps: 20, temperature: 0.95, clean_estimate: mean}\n"
            + "baselines:\n  - {name: b, model: {type: diffusion}}\n  - {name: r, model: {type: rbm}}\n");
        Assert.Equal((GenoSynth.Models.Diffusion.CleanEstimate.Mean, (double?)0.95),
            (tuned.Sample.CleanEstimate, tuned.Sample.Temperature));
        Assert.Equal(tuned.Sample, tuned.Baselines[0].Sample);
        Assert.Equal((GenoSynth.Models.Diffusion.CleanEstimate.Draw, (double?)null),
            (tuned.Baselines[1].Sample.CleanEstimate, tuned.Baselines[1].Sample.Temperature));

        Rejects("sample.temperature: does not apply to encode.method vae " +
            "(only to model.type diffusion with encode.method identity)",
            "\nencode: {method: vae}\nsample: {temperature: 0.9}\n");
        Rejects("baselines[0].sample.clean_estimate: does not apply to model.type rbm",
            "\nbaselines:\n  - {name: b, model: {type: rbm}, sample: {clean_estimate: mean}}\n");
        Rejects("sample.temperature", "\nsample: {temperature: 0}\n");
        Rejects("sample.clean_estimate: 'median' is not one of: draw, mean", "\nsample: {clean_estimate: median}\n");
    }

    [Fact]
    public void Denoiser_keys_take_transformer_defaults_and_reject_what_does_not_apply()
    {
        using var tmp = new TempDir();
        var spec = LoadText(tmp,
            Valid + "\nmodel: {type: diffusion, width: 128, denoiser: transformer, dropout: 0.1}\n");
        Assert.Equal((GenoSynth.Models.Diffusion.DenoiserKind.Transformer, 0.1, 16, 4),
            (spec.Model.Denoiser, spec.Model.Dropout, spec.Model.Patch, spec.Model.Heads));
        var mlp = LoadText(tmp, Valid + "\nmodel: {type: diffusion}\n");
        Assert.Equal((GenoSynth.Models.Diffusion.DenoiserKind.Mlp, 0, 0),
            (mlp.Model.Denoiser, mlp.Model.Patch, mlp.Model.Heads));
        Rejects("model.patch: does not apply to model.denoiser mlp", "\nmodel: {type: diffusion, patch: 8}\n");
        Rejects("model.heads: width 100 is not a multiple of 3 heads",
            "\nmodel: {width: 100, denoiser: transformer, heads: 3}\n");
        Rejects("model.denoiser: 'unet' is not one of: mlp, transformer, conv-unet, hybrid",
            "\nmodel: {denoiser: unet}\n");
    }

    [Fact]
    public void Unet_and_hybrid_denoisers_take_channels_levels_and_heads()
    {
        using var tmp = new TempDir();
        var unet = LoadText(tmp, Valid + "\nmodel: {type: diffusion, width: 64, denoiser: conv-unet}\n");
        Assert.Equal((GenoSynth.Models.Diffusion.DenoiserKind.ConvUnet, 32, 2, 4, 1),
            (unet.Model.Denoiser, unet.Model.Channels, unet.Model.Levels, unet.Model.Heads, unet.Model.Patch));
        var hybrid = LoadText(tmp,
            Valid + "\nmodel: {type: diffusion, denoiser: hybrid, channels: 16, levels: 3, heads: 2}\n");
        Assert.Equal((GenoSynth.Models.Diffusion.DenoiserKind.Hybrid, 16, 3, 2),
            (hybrid.Model.Denoiser, hybrid.Model.Channels, hybrid.Model.Levels, hybrid.Model.Heads));
        Assert.Equal(4, LoadText(tmp, Valid + "\nmodel: {denoiser: conv-unet, patch: 4}\n").Model.Patch);
        Rejects("model.channels: does not apply to model.denoiser transformer",
            "\nmodel: {width: 64, denoiser: transformer, channels: 8}\n");
        Rejects("model.levels: does not apply to model.denoiser mlp", "\nmodel: {levels: 2}\n");
        Rejects("model.heads: 12 channels are not a multiple of 8 heads",
            "\nmodel: {denoiser: hybrid, channels: 12, levels: 2, heads: 8}\n");
    }

    [Fact]
    public void Gwas_ranking_without_a_phenotype_is_rejected()
    {
        var ex = Fails(Valid + "\nrank: {method: gwas, top_k: 10}\n");
        Assert.Contains("needs a 'phenotype' section", ex.Message);
    }

    [Fact]
    public void Invalid_enum_values_list_the_choices()
    {
        var ex = Fails(Valid.Replace("ploidy: diploid", "ploidy: triploid"));
        Assert.Contains("ploidy: 'triploid' is not one of: haplotype, diploid", ex.Message);
    }

    [Fact]
    public void A_bad_sha256_and_a_missing_file_are_reported()
    {
        var ex = Fails(Valid.Replace("4db999b6ee42e0a184310026bc18db939547705242ac3a388a62df49b6e503a0", "xyz"));
        Assert.Contains("data.files[0]", ex.Message);
        Assert.Contains("sha256 must be 64 hexadecimal characters", ex.Message);
        var missing = Assert.Throws<SpecException>(() => SpecLoader.Load("/nonexistent/spec.yaml"));
        Assert.Contains("/nonexistent/spec.yaml: spec file not found", missing.Message);
    }

    [Fact]
    public void Invalid_yaml_is_located()
    {
        var ex = Fails("experiment: demo\ndata: [unclosed\n");
        Assert.Contains("spec.yaml:", ex.Message);
        Assert.Contains("invalid YAML", ex.Message);
    }

    [Fact]
    public void The_committed_workflows_are_valid()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestData.RepoRoot, "workflows"), "*.yaml"))
        {
            var spec = SpecLoader.Load(file);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Experiment);
        }
    }
}
