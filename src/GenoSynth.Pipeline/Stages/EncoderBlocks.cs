using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Models.Encoders;
using GenoSynth.Pipeline.Spec;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// The variant blocks a pca-blocks encoder compresses: fixed windows of block_size; LD blocks found by plink1.9 --blocks
/// on the train rows only (the grouping is fitted like the rest of the encoder, never on validation or holdout); or the
/// genes of a BED annotation (GeneDiffusion). With LD blocks or genes, variants in none are cut into windows of
/// block_size, so every variant is encoded.
/// </summary>
public static class EncoderBlocks
{
    /// <param name="Details">How the grouping went (null for fixed windows, which the encoder summary describes already).</param>
    public sealed record Plan(IReadOnlyList<VariantBlock> Blocks, object? Details);

    /// <param name="variants">The encoded variants, in the train rows' column order.</param>
    /// <param name="scratchName">Prefix of the scratch files (one per encoder fitted in a stage).</param>
    public static Plan For(StageContext context, EncodeSpec spec, GenotypeRows train, IReadOnlyList<Variant> variants,
        string scratchName)
    {
        if (variants.Count != train.Variants) throw new ArgumentException($"{variants.Count} variants for {train.Variants} columns");
        if (spec.Blocks == BlockGrouping.Fixed)
            return new Plan(VariantBlocking.FixedWindows(train.Variants, spec.BlockSize), null);

        int[] groups;
        object source;
        if (spec.Blocks == BlockGrouping.Ld)
        {
            groups = LdBlockGroups(context, train, variants, spec.EffectiveLdMaxKb, context.Scratch(scratchName + ".ld"));
            source = new { method = "plink1.9 --blocks (Gabriel et al. confidence intervals) on the train split", max_kb = spec.EffectiveLdMaxKb };
        }
        else
        {
            var annotation = GeneAnnotation.ReadBed(context.Resolver.Resolve(spec.Genes!));
            groups = annotation.Assign(variants);
            source = new { method = "gene annotation", file = spec.Genes!.Name, sha256 = spec.Genes.Sha256, genes_listed = annotation.Genes.Count };
        }
        var blocks = VariantBlocking.FromGroups(groups, variants.Select(v => v.Chromosome).ToList(), spec.BlockSize);
        int grouped = groups.Count(g => g >= 0);
        var details = new
        {
            grouping = SpecNode.ToSnake(spec.Blocks.ToString()),
            source,
            groups_with_variants = groups.Where(g => g >= 0).Distinct().Count(),
            variants_in_groups = grouped,
            variants_in_windows = groups.Length - grouped,
            window_size = spec.BlockSize,
            longest_block = blocks.Max(b => b.Length),
        };
        context.Log(string.Create(CultureInfo.InvariantCulture,
            $"{scratchName}: {details.groups_with_variants} {(spec.Blocks == BlockGrouping.Ld ? "LD blocks" : "genes")} hold {grouped} of {groups.Length} variants; {blocks.Count} blocks in all, longest {details.longest_block}"));
        return new Plan(blocks, details);
    }

    /// <summary>Index of each variant's LD block among the train rows, or -1 when it lies in none.</summary>
    private static int[] LdBlockGroups(StageContext context, GenotypeRows train, IReadOnlyList<Variant> variants,
        int maxKb, string prefix)
    {
        // PLINK needs individuals: haplotype rows come in pairs of one individual (the encode stage's row order), dosage rows
        // are individuals. Variant ids are replaced by their column so that duplicated or missing ids cannot mix blocks up.
        if (train.Ploidy == Ploidy.Haplotype && train.Rows % 2 != 0)
            throw new InvalidOperationException($"{train.Rows} haplotype rows do not pair into individuals");
        var genotypes = train.ToPackedDosages();
        var samples = Enumerable.Range(0, genotypes.SampleCount).Select(i => new Sample($"T{i}", $"T{i}")).ToList();
        var columns = variants.Select((v, j) => v with { Id = ColumnId(j) }).ToList();
        Plink1Files.Write(prefix, new PlinkDataset(columns, samples, genotypes));

        // A block is the region from its first to its last listed variant: plink lists only variants above --blocks-min-maf,
        // and the rarer ones between them belong to the same haplotype block.
        var groups = Enumerable.Repeat(-1, variants.Count).ToArray();
        var blocks = context.Plink.HaplotypeBlocks(prefix, maxKb, prefix);
        for (int b = 0; b < blocks.Count; b++)
        {
            int first = ColumnOf(blocks[b][0]), last = ColumnOf(blocks[b][^1]);
            for (int j = first; j <= last; j++) groups[j] = b;
        }
        return groups;
    }

    private static string ColumnId(int column) => "c" + column.ToString(CultureInfo.InvariantCulture);

    private static int ColumnOf(string id) => int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture);
}
