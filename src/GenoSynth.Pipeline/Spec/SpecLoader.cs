using System.Security.Cryptography;
using System.Text.RegularExpressions;
using GenoSynth.Genotypes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GenoSynth.Pipeline.Spec;

/// <summary>Loads and validates an experiment spec. Defaults live here and are documented in docs/spec.md.</summary>
public static partial class SpecLoader
{

    public static ExperimentSpec Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException(path, "spec file not found");
        var text = File.ReadAllText(path);
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new SpecException(path, ex.Start.Line, ex.Start.Column, "", "invalid YAML: " + (ex.InnerException?.Message ?? ex.Message));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet reports some malformed input this way (e.g. its scanner on broken flow mappings).
            throw new SpecException(path, "invalid YAML: " + ex.Message);
        }
        if (yaml.Documents.Count != 1 || yaml.Documents[0].RootNode is not YamlMappingNode rootNode)
            throw new SpecException(path, "a spec is one YAML document whose top level is a mapping");
        var root = new SpecNode(rootNode, path, "");

        string experiment = root.RequiredString("experiment");
        if (!ExperimentNameRegex().IsMatch(experiment))
        {
            var (line, column) = root.LocationOf("experiment");
            throw new SpecException(path, line, column, "experiment", $"'{experiment}' must be letters, digits, '-', '_' or '.' (it names results/<experiment>)");
        }
        string description = root.String("description", "");
        ulong seed = root.ULong("seed", 42);
        var ploidy = root.Enum("ploidy", Ploidy.Diploid);
        var data = ReadData(root.RequiredSection("data"));
        var labels = root.Section("labels") is { } l ? ReadLabels(l) : null;
        var phenotype = root.Section("phenotype") is { } p ? ReadPhenotype(p, seed) : null;
        var qc = ReadQc(root.Section("qc"));
        var split = ReadSplit(root.Section("split"), seed);
        var rank = ReadRank(root.Section("rank"));
        var tools = ReadTools(root.Section("tools"));
        var encode = ReadEncode(root.Section("encode"), seed);
        var model = ReadModel(root.Section("model"));
        var train = ReadTrain(root.Section("train"), seed, model.Type);
        var sample = ReadSample(root.Section("sample"), seed);
        RequireDrawingDecoder(root.Section("sample"), sample, encode);
        sample = ApplicableSampleOptions(root.Section("sample"), sample, encode, model);
        var evaluate = ReadEvaluate(root.Section("evaluate"), seed);
        var baselines = root.SectionList("baselines").Select(b => ReadBaseline(b, seed, sample, encode)).ToList();
        root.RejectUnknownKeys();
        var duplicate = baselines.GroupBy(b => b.Name).FirstOrDefault(g => g.Count() > 1 || g.Key == "real" || g.Key == "holdout");
        if (duplicate is not null) throw new SpecException(path, $"baselines: the name '{duplicate.Key}' is used twice or reserved");

        if (data.Format == InputFormat.Hapt && ploidy == Ploidy.Diploid && data.Files.All(f => !f.Name.Contains(".hapt")))
            throw new SpecException(path, "data.files: format hapt needs a .hapt or .hapt.gz file");
        if (rank.Method == RankMethod.Gwas && phenotype is null)
        {
            var (line, column) = root.LocationOf("rank");
            throw new SpecException(path, line, column, "rank.method", "gwas ranking needs a 'phenotype' section (simulated or from a file)");
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        return new ExperimentSpec(path, sha, experiment, description, seed, ploidy, data, labels, phenotype, qc, split, rank, tools,
            encode, model, train, sample, evaluate, baselines);
    }

    private static BaselineSpec ReadBaseline(SpecNode node, ulong seed, SampleSpec main, EncodeSpec mainEncode)
    {
        var name = node.RequiredString("name");
        if (!ExperimentNameRegex().IsMatch(name)) throw node.KeyError("name", $"'{name}' must be letters, digits, '-', '_' or '.'");
        var model = ReadModel(node.RequiredSection("model"));
        var train = ReadTrain(node.Section("train"), seed, model.Type);
        var sample = ReadSample(node.Section("sample"), seed, main);
        var encode = node.Section("encode") is { } e ? ReadEncode(e, seed) : mainEncode;
        RequireDrawingDecoder(node.Section("sample"), sample, encode);
        sample = ApplicableSampleOptions(node.Section("sample"), sample, encode, model);
        node.RejectUnknownKeys();
        return new BaselineSpec(name, model, train, sample, encode);
    }

    private static DataSpec ReadData(SpecNode node)
    {
        var format = node.Enum("format", InputFormat.Plink);
        if (!node.Has("format")) throw node.Error("missing required key 'data.format' (plink, vcf or hapt)");
        var files = node.SectionList("files").Select(ReadRemoteFile).ToList();
        if (files.Count == 0) throw node.Error("data.files must list at least one file");
        var mirrors = node.StringList("mirrors");
        node.RejectUnknownKeys();
        bool Has(string suffix) => files.Any(f => f.Name.EndsWith(suffix, StringComparison.Ordinal));
        switch (format)
        {
            case InputFormat.Plink when !(Has(".bed") && Has(".bim") && Has(".fam")):
                throw node.Error("format plink needs a .bed, a .bim and a .fam file");
            case InputFormat.Vcf when !files.All(f => f.Name.EndsWith(".vcf", StringComparison.Ordinal) || f.Name.EndsWith(".vcf.gz", StringComparison.Ordinal) || f.Name.EndsWith(".vcf.bgz", StringComparison.Ordinal)):
                throw node.Error("format vcf: every file must end in .vcf, .vcf.gz or .vcf.bgz");
            case InputFormat.Hapt when !(files.Any(f => f.Name.Contains(".hapt", StringComparison.Ordinal)) && Has(".legend")):
                throw node.Error("format hapt needs a .hapt(.gz) file and a .legend file");
        }
        return new DataSpec(format, files, mirrors);
    }

    private static RemoteFile ReadRemoteFile(SpecNode node)
    {
        var url = node.RequiredString("url");
        var sha = node.RequiredString("sha256").ToLowerInvariant();
        if (!Sha256Regex().IsMatch(sha)) throw node.Error("sha256 must be 64 hexadecimal characters");
        var name = node.OptionalString("name") ?? Uri.UnescapeDataString(url.Split('?')[0].TrimEnd('/').Split('/')[^1]);
        var prefix = node.OptionalString("id_prefix");
        node.RejectUnknownKeys();
        return new RemoteFile(name, url, sha, prefix);
    }

    private static LabelsSpec ReadLabels(SpecNode node)
    {
        var file = ReadRemoteFile(node.RequiredSection("file"));
        var spec = new LabelsSpec(file, node.String("id_column", "sample"), node.String("label_column", "label"));
        node.RejectUnknownKeys();
        return spec;
    }

    private static PhenotypeSpec ReadPhenotype(SpecNode node, ulong seed)
    {
        PhenotypeSimulation? simulation = null;
        if (node.Section("simulate") is { } s)
        {
            simulation = new PhenotypeSimulation(
                s.Double("h2", 0.5, 0, 1, minExclusive: true),
                s.Double("prevalence", 0.5, 0, 1, minExclusive: true),
                s.Int("causal_variants", 20, 1, 1_000_000),
                s.Double("min_causal_maf", 0.05, 0, 0.5),
                s.ULong("seed", seed));
            if (simulation.Prevalence >= 1) throw s.Error("prevalence must be below 1");
            s.RejectUnknownKeys();
        }
        RemoteFile? file = node.Section("file") is { } f ? ReadRemoteFile(f) : null;
        if ((simulation is null) == (file is null)) throw node.Error("phenotype needs exactly one of 'simulate' or 'file'");
        var spec = new PhenotypeSpec(simulation, file, node.String("id_column", "IID"), node.String("value_column", "PHENO"));
        node.RejectUnknownKeys();
        return spec;
    }

    private static QcSpec ReadQc(SpecNode? node)
    {
        if (node is null) return new QcSpec(null, null, null, null, true, 2, null);
        LdPruneSpec? prune = null;
        if (node.Section("ld_prune") is { } p)
        {
            prune = new LdPruneSpec(p.Int("window_kb", 250, 1, 100_000), p.Double("r2", 0.5, 0, 1, minExclusive: true));
            p.RejectUnknownKeys();
        }
        var qc = new QcSpec(
            node.OptionalDouble("maf", 0, 0.5),
            node.OptionalDouble("geno", 0, 1),
            node.OptionalDouble("mind", 0, 1),
            node.OptionalDouble("hwe", 0, 1),
            node.Bool("snps_only", true),
            node.Int("max_alleles", 2, 2, 2),
            prune);
        node.RejectUnknownKeys();
        return qc;
    }

    private static SplitSpec ReadSplit(SpecNode? node, ulong seed)
    {
        if (node is null) return new SplitSpec(0.8, 0.1, 0.1, true, seed);
        var split = new SplitSpec(
            node.Double("train", 0.8, 0, 1, minExclusive: true),
            node.Double("validation", 0.1, 0, 1),
            node.Double("holdout", 0.1, 0, 1, minExclusive: true),
            node.Bool("stratify", true),
            node.ULong("seed", seed));
        if (Math.Abs(split.Train + split.Validation + split.Holdout - 1) > 1e-9)
            throw node.Error($"fractions must sum to 1 (train {split.Train} + validation {split.Validation} + holdout {split.Holdout} = {split.Train + split.Validation + split.Holdout})");
        node.RejectUnknownKeys();
        return split;
    }

    private static RankSpec ReadRank(SpecNode? node)
    {
        if (node is null) return new RankSpec(RankMethod.All, 0, 0, null);
        var method = node.Enum("method", RankMethod.All);
        ClumpSpec? clump = null;
        if (node.Section("clump") is { } c)
        {
            clump = new ClumpSpec(c.Double("p1", 1, 0, 1, minExclusive: true), c.Double("p2", 1, 0, 1, minExclusive: true),
                c.Double("r2", 0.5, 0, 1, minExclusive: true), c.Int("kb", 250, 1, 100_000));
            c.RejectUnknownKeys();
        }
        var rank = new RankSpec(method, node.Int("top_k", method == RankMethod.Gwas ? 1024 : 0, 0, 10_000_000), node.Int("pcs", 0, 0, 50), clump);
        if (method == RankMethod.Gwas && rank.TopK == 0) throw node.Error("rank.top_k must be at least 1 for gwas ranking");
        node.RejectUnknownKeys();
        return rank;
    }

    private static ToolsSpec ReadTools(SpecNode? node)
    {
        if (node is null) return new ToolsSpec(null, null);
        var tools = new ToolsSpec(node.OptionalString("plink1"), node.OptionalString("plink2"));
        node.RejectUnknownKeys();
        return tools;
    }

    private static EncodeSpec ReadEncode(SpecNode? node, ulong seed)
    {
        if (node is null) return new EncodeSpec(EncodeMethod.Identity, seed);
        var method = node.Enum("method", EncodeMethod.Identity);
        var spec = new EncodeSpec(method, node.ULong("seed", seed), node.Int("block_size", 32, 1, 100_000), node.Double("explained_variance", 0, 0, 1),
            node.Int("compression", 4, 1, 1024), node.Int("latent_channels", 4, 1, 4096), node.Int("channels", 64, 1, 4096), node.Double("beta", 0.01, 0, 1000),
            node.Int("steps", 2000, 1, 10_000_000), node.Int("batch", 64, 1, 65_536), node.Double("learning_rate", 1e-3, 0, 1, minExclusive: true),
            node.Enum("blocks", BlockGrouping.Fixed), node.Section("genes") is { } genes ? ReadRemoteFile(genes) : null,
            node.Has("ld_max_kb") ? node.Int("ld_max_kb", EncodeSpec.DefaultLdMaxKb, 1, 100_000) : 0);
        if (!System.Numerics.BitOperations.IsPow2(spec.Compression)) throw node.KeyError("compression", $"{spec.Compression} is not a power of two");
        string[] pcaOnly = ["block_size", "explained_variance", "blocks", "genes", "ld_max_kb"];
        var unused = method switch
        {
            EncodeMethod.Identity => pcaOnly.Concat(["compression", "latent_channels", "channels", "beta", "steps", "batch", "learning_rate"]).ToArray(),
            EncodeMethod.PcaBlocks => ["compression", "latent_channels", "channels", "beta", "steps", "batch", "learning_rate"],
            _ => pcaOnly,
        };
        foreach (var key in unused)
            if (node.Has(key)) throw node.KeyError(key, $"does not apply to encode method {SpecNode.ToSnake(method.ToString())}");
        if (spec.Blocks == BlockGrouping.Genes && spec.Genes is null) throw node.KeyError("genes", "blocks: genes needs a gene annotation (genes: {url, sha256})");
        if (spec.Blocks != BlockGrouping.Genes && node.Has("genes")) throw node.KeyError("genes", "applies only with blocks: genes");
        if (spec.Blocks != BlockGrouping.Ld && node.Has("ld_max_kb")) throw node.KeyError("ld_max_kb", "applies only with blocks: ld");
        node.RejectUnknownKeys();
        return spec;
    }

    private static ModelSpec ReadModel(SpecNode? node)
    {
        if (node is null) return new ModelSpec(ModelType.Diffusion, 1024, 2, 1000, NoiseScheduleKind.Cosine, 0.1);
        var spec = new ModelSpec(node.Enum("type", ModelType.Diffusion), node.Int("width", 1024, 8, 16384), node.Int("blocks", 2, 0, 64),
            node.Int("timesteps", 1000, 2, 100_000), node.Enum("schedule", NoiseScheduleKind.Cosine), node.Double("label_dropout", 0.1, 0, 1),
            node.Int("hidden", 500, 1, 65_536), node.Int("gibbs_steps", 10, 1, 10_000), node.Int("latent", 600, 1, 65_536), node.Bool("conditional", true),
            node.Enum("prediction", Models.Diffusion.PredictionKind.V), node.Enum("denoiser", Models.Diffusion.DenoiserKind.Mlp),
            node.Double("dropout", 0, 0, 0.9));
        spec = spec.Denoiser switch
        {
            Models.Diffusion.DenoiserKind.Transformer => spec with { Patch = node.Int("patch", 16, 1, 100_000), Heads = node.Int("heads", 4, 1, 256) },
            Models.Diffusion.DenoiserKind.ConvUnet or Models.Diffusion.DenoiserKind.Hybrid => spec with
            {
                Heads = node.Int("heads", 4, 1, 256), Channels = node.Int("channels", 32, 1, 4096), Levels = node.Int("levels", 2, 0, 8),
                Patch = node.Int("patch", 1, 1, 100_000),
            },
            _ => spec,
        };
        if (spec.Denoiser == Models.Diffusion.DenoiserKind.Transformer && spec.Width % spec.Heads != 0)
            throw node.KeyError("heads", $"width {spec.Width} is not a multiple of {spec.Heads} heads");
        if (spec.Channels > 0 && spec.Channels % spec.Heads != 0)
            throw node.KeyError("heads", $"{spec.Channels} channels are not a multiple of {spec.Heads} heads");
        var denoiserName = SpecNode.ToSnake(spec.Denoiser.ToString());
        foreach (var (key, applies) in new[] { ("patch", spec.Patch > 0), ("heads", spec.Heads > 0), ("channels", spec.Channels > 0), ("levels", spec.Channels > 0) })
            if (!applies && node.Has(key)) throw node.KeyError(key, $"does not apply to denoiser: {denoiserName}");
        node.RejectUnknownKeys();
        return spec;
    }

    /// <summary>Defaults per generator: Yelmen et al.'s settings for the RBM (lr 0.01, batch 500) and the GAN (lr 1e-4 / 8e-4, batch 32).</summary>
    private static TrainSpec TrainDefaults(ModelType type, ulong seed) => type switch
    {
        ModelType.Rbm => new TrainSpec(2000, 500, 0.01, 0, 1e-4, 0, 250, 250, seed),
        ModelType.Gan => new TrainSpec(4000, 32, 1e-4, 0, 1e-4, 0, 250, 250, seed, 8e-4),
        _ => new TrainSpec(3000, 256, 5e-4, 100, 0, 0.999, 250, 250, seed),
    };

    private static TrainSpec ReadTrain(SpecNode? node, ulong seed, ModelType type)
    {
        var d = TrainDefaults(type, seed);
        if (node is null) return d;
        var spec = new TrainSpec(node.Int("steps", d.Steps, 1, 10_000_000), node.Int("batch", d.Batch, 1, 65_536),
            node.Double("learning_rate", d.LearningRate, 0, 1, minExclusive: true), node.Int("warmup_steps", d.WarmupSteps, 0, 10_000_000),
            node.Double("weight_decay", d.WeightDecay, 0, 1), node.Double("ema", d.Ema, 0, 1), node.Int("evaluate_every", d.EvaluateEvery, 1, 10_000_000),
            node.Int("checkpoint_every", d.CheckpointEvery, 1, 10_000_000), node.ULong("seed", seed),
            node.Double("discriminator_learning_rate", d.DiscriminatorLearningRate, 0, 1, minExclusive: true), node.Int("patience", 0, 0, 1_000_000));
        if (spec.Patience > 0 && type != ModelType.Diffusion)
            throw node.KeyError("patience", $"early stopping needs a validation loss: model type diffusion only (not {SpecNode.ToSnake(type.ToString())})");
        node.RejectUnknownKeys();
        return spec;
    }

    /// <param name="inherited">A baseline's defaults: the main sample section (same count and label policy).</param>
    private static SampleSpec ReadSample(SpecNode? node, ulong seed, SampleSpec? inherited = null)
    {
        var d = inherited ?? new SampleSpec(0, false, 100, 0, seed);
        if (node is null) return d;
        var counts = d.LabelCounts;
        string labels;
        if (node.IsMapping("labels"))
        {
            var given = node.Section("labels")!;
            counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var label in given.Keys()) counts[label] = given.Int(label, 0, 0, 10_000_000);
            if (counts.Values.Sum() == 0) throw node.KeyError("labels", "the label counts add up to no individuals");
            labels = "as-data";
        }
        else
        {
            labels = node.String("labels", d.Balanced ? "balanced" : "as-data");
            if (labels is not ("as-data" or "balanced")) throw node.KeyError("labels", $"'{labels}' is not one of: as-data, balanced, or a mapping label: individuals");
            if (node.Has("labels")) counts = null;
        }
        if (counts is not null && node.Has("count")) throw node.KeyError("count", "sample.labels gives the individuals per label; leave out count");
        var spec = new SampleSpec(node.Int("count", d.Count, 0, 10_000_000), labels == "balanced", node.Int("steps", d.Steps, 1, 100_000),
            node.Double("guidance", d.Guidance, 0, 100), node.ULong("seed", d.Seed), node.Double("max_mia_auc", d.MaxMiaAuc, 0, 1),
            node.Bool("allow_privacy_risk", d.AllowPrivacyRisk), node.Enum("sampler", d.Sampler), node.Double("eta", d.Eta, 0, 1),
            node.Enum("decode", d.Decode), counts, node.Enum("clean_estimate", d.CleanEstimate),
            node.OptionalDouble("temperature", 0.05, 20) is { } temperature ? (temperature == 1 ? null : temperature) : d.Temperature);
        node.RejectUnknownKeys();
        return spec;
    }

    /// <summary>
    /// Temperature and the clean estimate act on predicted calls: a diffusion on the genotypes themselves (identity
    /// encoding). Given for another generator they are an error; inherited by one (a baseline) they are dropped.
    /// </summary>
    private static SampleSpec ApplicableSampleOptions(SpecNode? sampleNode, SampleSpec sample, EncodeSpec encode, ModelSpec model)
    {
        if (model.Type == ModelType.Diffusion && encode.Method == EncodeMethod.Identity) return sample;
        string? key = sampleNode is null ? null : sampleNode.Has("temperature") ? "temperature" : sampleNode.Has("clean_estimate") ? "clean_estimate" : null;
        if (key is not null)
            throw sampleNode!.KeyError(key, $"applies to a diffusion on genotypes (model.type diffusion with encode.method identity), not to {SpecNode.ToSnake(model.Type.ToString())} on {SpecNode.ToSnake(encode.Method.ToString())}");
        return sample with { CleanEstimate = GenoSynth.Models.Diffusion.CleanEstimate.Draw, Temperature = null };
    }

    /// <summary>Only a VAE's decoder gives a distribution over each call; PCA blocks decode to the nearest valid genotype.</summary>
    private static void RequireDrawingDecoder(SpecNode? sampleNode, SampleSpec sample, EncodeSpec encode)
    {
        if (sampleNode is not null && sample.Decode == GenoSynth.Models.Encoders.LatentDecoding.Sample && encode.Method != EncodeMethod.Vae)
            throw sampleNode.KeyError("decode", $"'sample' needs encode.method vae (the {SpecNode.ToSnake(encode.Method.ToString())} encoder decodes deterministically)");
    }

    private static EvaluateSpec ReadEvaluate(SpecNode? node, ulong seed)
    {
        if (node is null) return new EvaluateSpec(2000, 5, true, seed);
        var compare = node.SectionList("compare").Select(c =>
        {
            var name = c.RequiredString("name");
            if (!ExperimentNameRegex().IsMatch(name)) throw c.KeyError("name", $"'{name}' must be letters, digits, '-', '_' or '.'");
            var set = new ComparisonSet(name, ReadRemoteFile(c.RequiredSection("file")), c.String("note", ""));
            c.RejectUnknownKeys();
            return set;
        }).ToList();
        var spec = new EvaluateSpec(node.Int("aats_draw", 2000, 2, 1_000_000), node.Int("aats_repeats", 5, 1, 1000), node.Bool("utility", true),
            node.ULong("seed", seed), compare);
        node.RejectUnknownKeys();
        return spec;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")] private static partial Regex ExperimentNameRegex();
    [GeneratedRegex("^[0-9a-f]{64}$")] private static partial Regex Sha256Regex();
}
