using System.Numerics;
using System.Text.RegularExpressions;
using GenoSynth.Models.Diffusion;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// The rules that involve more than one key of a section, and the keys whose YAML shape the generic reader cannot
/// take (sample.labels). Everything about a single key lives in its declaration instead. Each rule runs once its
/// section's keys are read; <paramref name="node"/> is null for a section the spec leaves out (its defaults pass).
/// </summary>
internal static partial class SectionRules
{
    public static object Finish(object section, SpecNode? node) => (section, node) switch
    {
        (SampleSpec s, { } n) => Sample(s, n),
        (_, null) => section,
        (ExperimentSpec s, { } n) => Experiment(s, n),
        (DataSpec s, { } n) => Data(s, n),
        (RemoteFile s, { } n) => File(s, n),
        (PhenotypeSpec s, { } n) => Phenotype(s, n),
        (SplitSpec s, { } n) => Split(s, n),
        (RankSpec s, { } n) => Rank(s, n),
        (EncodeSpec s, { } n) => Encode(s, n),
        (ModelSpec s, { } n) => Model(s, n),
        (ComparisonSet s, { } n) => Named(s, n, s.Name),
        (BaselineSpec s, { } n) => Named(s, n, s.Name),
        _ => section,
    };

    private static ExperimentSpec Experiment(ExperimentSpec spec, SpecNode node)
    {
        Named(spec, node, spec.Experiment, "experiment", " (it names results/<experiment>)");
        if (spec.Rank.Method == RankMethod.Gwas && spec.Phenotype is null)
            throw (node.Section("rank") ?? node).KeyError("method",
                "gwas ranking needs a 'phenotype' section (simulated or from a file)");
        return spec;
    }

    private static T Named<T>(T section, SpecNode node, string name, string key = "name", string why = "")
    {
        if (!NameRegex().IsMatch(name))
            throw node.KeyError(key, $"'{name}' must be letters, digits, '-', '_' or '.'{why}");
        return section;
    }

    private static DataSpec Data(DataSpec data, SpecNode node)
    {
        if (data.Files.Count == 0) throw node.Error("data.files must list at least one file");
        bool Has(string suffix) => data.Files.Any(f => f.Name.EndsWith(suffix, StringComparison.Ordinal));
        bool IsVcf(RemoteFile f) =>
            new[] { ".vcf", ".vcf.gz", ".vcf.bgz" }.Any(s => f.Name.EndsWith(s, StringComparison.Ordinal));
        bool hasHapt = data.Files.Any(f => f.Name.Contains(".hapt", StringComparison.Ordinal));
        return data.Format switch
        {
            InputFormat.Plink when !(Has(".bed") && Has(".bim") && Has(".fam")) =>
                throw node.Error("format plink needs a .bed, a .bim and a .fam file"),
            InputFormat.Vcf when !data.Files.All(IsVcf) =>
                throw node.Error("format vcf: every file must end in .vcf, .vcf.gz or .vcf.bgz"),
            InputFormat.Hapt when !(hasHapt && Has(".legend")) =>
                throw node.Error("format hapt needs a .hapt(.gz) file and a .legend file"),
            _ => data,
        };
    }

    /// <summary>The checksum is compared in lower case; the name defaults to the url's last part.</summary>
    private static RemoteFile File(RemoteFile file, SpecNode node)
    {
        var sha = file.Sha256.ToLowerInvariant();
        if (!Sha256Regex().IsMatch(sha)) throw node.Error("sha256 must be 64 hexadecimal characters");
        var name = file.Name.Length > 0 ? file.Name
            : Uri.UnescapeDataString(file.Url.Split('?')[0].TrimEnd('/').Split('/')[^1]);
        return file with { Sha256 = sha, Name = name };
    }

    private static PhenotypeSpec Phenotype(PhenotypeSpec phenotype, SpecNode node) =>
        (phenotype.Simulate is null) == (phenotype.File is null)
            ? throw node.Error("phenotype needs exactly one of 'simulate' or 'file'") : phenotype;

    private static SplitSpec Split(SplitSpec split, SpecNode node)
    {
        double sum = split.Train + split.Validation + split.Holdout;
        if (Math.Abs(sum - 1) > 1e-9)
            throw node.Error($"fractions must sum to 1 (train {split.Train} + validation {split.Validation} + " +
                $"holdout {split.Holdout} = {sum})");
        return split;
    }

    private static RankSpec Rank(RankSpec rank, SpecNode node) =>
        rank.Method == RankMethod.Gwas && rank.TopK == 0
            ? throw node.Error("rank.top_k must be at least 1 for gwas ranking") : rank;

    private static EncodeSpec Encode(EncodeSpec encode, SpecNode node)
    {
        if (!BitOperations.IsPow2(encode.Compression))
            throw node.KeyError("compression", $"{encode.Compression} is not a power of two");
        if (encode.Method == EncodeMethod.PcaBlocks && encode.Blocks == BlockGrouping.Genes && encode.Genes is null)
            throw node.KeyError("genes", "blocks: genes needs a gene annotation (genes: {url, sha256})");
        return encode;
    }

    private static ModelSpec Model(ModelSpec model, SpecNode node)
    {
        if (model.Denoiser == DenoiserKind.Transformer && model.Width % model.Heads != 0)
            throw node.KeyError("heads", $"width {model.Width} is not a multiple of {model.Heads} heads");
        if (model.Channels > 0 && model.Channels % model.Heads != 0)
            throw node.KeyError("heads", $"{model.Channels} channels are not a multiple of {model.Heads} heads");
        return model;
    }

    /// <summary>
    /// sample.labels is a word (as-data, balanced) or a mapping label: individuals. Left out, a baseline keeps the main
    /// policy (already copied into <paramref name="sample"/>).
    /// </summary>
    private static SampleSpec Sample(SampleSpec sample, SpecNode node)
    {
        if (node.IsMapping("labels"))
        {
            var given = node.Section("labels")!;
            var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var label in given.Keys()) counts[label] = given.OptionalInt(label, 0, 10_000_000) ?? 0;
            if (counts.Values.Sum() == 0) throw node.KeyError("labels", "the label counts add up to no individuals");
            sample = sample with { Balanced = false, LabelCounts = counts };
        }
        else if (node.OptionalString("labels") is { } word)
        {
            if (word is not ("as-data" or "balanced"))
                throw node.KeyError("labels",
                    $"'{word}' is not one of: as-data, balanced, or a mapping label: individuals");
            sample = sample with { Balanced = word == "balanced", LabelCounts = null };
        }
        if (sample.LabelCounts is not null && node.IsGiven("count"))
            throw node.KeyError("count", "sample.labels gives the individuals per label; leave out count");
        return sample;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")] private static partial Regex NameRegex();
    [GeneratedRegex("^[0-9a-f]{64}$")] private static partial Regex Sha256Regex();
}
