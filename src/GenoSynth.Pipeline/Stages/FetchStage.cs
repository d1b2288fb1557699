using GenoSynth.Genotypes;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Resolves the inputs by sha256 (mirror first, then url) and converts them to the working format: a PLINK fileset
/// (FID = IID) of biallelic variants, plus phased haplotypes when the spec's unit is the haplotype.
/// VCFs go through plink2 (--max-alleles 2 --snps-only); several VCFs over the same sites are joined by sample.
/// </summary>
public sealed class FetchStage : IStage
{
    public string Name => "fetch";
    public IReadOnlyList<string> Upstream => [];
    public int Version => 1;

    public object Config(ExperimentSpec spec) => new
    {
        format = spec.Data.Format,
        ploidy = spec.Ploidy,
        files = spec.Data.Files.Select(f => new { f.Name, f.Sha256, f.IdPrefix }),
        snps_only = spec.Qc.SnpsOnly,
        max_alleles = spec.Qc.MaxAlleles,
    };

    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => spec.Data.Format == InputFormat.Vcf ? [PlinkTool.Plink2] : [];

    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => [new("fetch.json", "fetch/fetch.json")];

    public void Run(StageContext context)
    {
        var spec = context.Spec;
        var resolved = spec.Data.Files.Select(f => (File: f, Path: context.Resolver.Resolve(f))).ToList();
        string Find(string suffix) => resolved.Single(r => r.File.Name.EndsWith(suffix, StringComparison.Ordinal)).Path;

        PlinkDataset dataset;
        GenotypeRows? haplotypes = null;
        object details;
        switch (spec.Data.Format)
        {
            case InputFormat.Plink:
            {
                var prefix = Find(".bed")[..^4];
                // The three files may sit in different places (content-addressed downloads): read each by its own path.
                var variants = Plink1Files.ReadBim(Find(".bim"));
                var samples = Plink1Files.ReadFam(Find(".fam"));
                using var bed = new BedBlockReader(Find(".bed"), samples.Count, variants.Count);
                var data = new byte[(long)bed.BytesPerVariant * variants.Count];
                bed.ReadBlock(0, variants.Count, data);
                var genotypes = new PackedGenotypes(samples.Count, variants.Count, data);
                genotypes.ClearPadding();
                var keep = Enumerable.Range(0, variants.Count).Where(j => !spec.Qc.SnpsOnly || variants[j].IsSnp).ToList();
                int dropped = variants.Count - keep.Count;
                var prefixId = resolved.First(r => r.File.Name.EndsWith(".fam", StringComparison.Ordinal)).File.IdPrefix ?? "";
                dataset = new PlinkDataset(keep.Select(j => variants[j]).ToList(),
                    samples.Select(s => new Sample(prefixId + s.IndividualId, prefixId + s.IndividualId, "0", "0", s.Sex, "-9")).ToList(),
                    dropped == 0 ? genotypes : genotypes.Subset(Enumerable.Range(0, samples.Count).ToList(), keep));
                details = new { source = prefix, non_snp_removed = dropped };
                break;
            }
            case InputFormat.Vcf:
            {
                var parts = new List<PlinkDataset>();
                var imports = new List<object>();
                var haplotypeParts = new List<GenotypeRows>();
                int index = 0;
                foreach (var (file, path) in resolved)
                {
                    var prefix = context.Scratch($"vcf{index++}");
                    var (scanned, kept) = context.Plink.ImportVcf(path, prefix, spec.Qc.SnpsOnly, spec.Qc.MaxAlleles);
                    var part = Plink1Files.Read(prefix);
                    var ids = file.IdPrefix ?? "";
                    part = part with { Samples = part.Samples.Select(s => new Sample(ids + s.IndividualId, ids + s.IndividualId, "0", "0", s.Sex, "-9")).ToList() };
                    parts.Add(part);
                    imports.Add(new { file = file.Name, variants_scanned = scanned, variants_kept = kept, samples = part.Samples.Count });
                    if (spec.Ploidy == Ploidy.Haplotype)
                        haplotypeParts.Add(ReadPhasedMatching(path, part, ids));
                }
                dataset = JoinBySample(parts, resolved.Select(r => r.File.Name).ToList());
                if (spec.Ploidy == Ploidy.Haplotype) haplotypes = ConcatHaplotypes(haplotypeParts);
                details = new { imports };
                break;
            }
            case InputFormat.Hapt:
            {
                var haptFile = resolved.First(r => r.File.Name.Contains(".hapt", StringComparison.Ordinal));
                var hapt = HaptFiles.Read(Find(haptFile.File.Name), Find(".legend"));
                var individuals = hapt.Haplotypes.PairedIndividuals(haptFile.Path);
                var samples = individuals.Select(id => new Sample(id, id)).ToList();
                dataset = new PlinkDataset(hapt.Variants, samples, hapt.Haplotypes.ToPackedDosages());
                if (spec.Ploidy == Ploidy.Haplotype) haplotypes = hapt.Haplotypes;
                details = new { haplotypes = hapt.Haplotypes.Rows };
                break;
            }
            default:
                throw new InvalidOperationException();
        }

        if (dataset.Variants.Count == 0) throw new InputException("fetch: no biallelic variants left in the inputs");
        StageFiles.WritePlink(context.Output(StageFiles.Genotypes), dataset);
        if (haplotypes is not null) HaptFiles.WriteHaplotypes(context.Output(StageFiles.Haplotypes), haplotypes, "Real");
        StageFiles.WriteJson(context.Output("fetch.json"), new
        {
            samples = dataset.Samples.Count,
            variants = dataset.Variants.Count,
            haplotypes = haplotypes?.Rows,
            missing_calls = dataset.Genotypes.CountMissing(),
            inputs = resolved.Select(r => new { name = r.File.Name, sha256 = r.File.Sha256 }),
            details,
        });
        context.Log($"fetched {dataset.Samples.Count} samples x {dataset.Variants.Count} variants" +
            (haplotypes is null ? "" : $" ({haplotypes.Rows} haplotypes)"));
    }

    /// <summary>Several files over the same variants (e.g. a cohort split in halves) become one fileset, samples concatenated.</summary>
    private static PlinkDataset JoinBySample(List<PlinkDataset> parts, List<string> names)
    {
        if (parts.Count == 1) return parts[0];
        var first = parts[0];
        for (int p = 1; p < parts.Count; p++)
        {
            var other = parts[p].Variants;
            if (other.Count != first.Variants.Count || !other.SequenceEqual(first.Variants))
                throw new InputException($"{names[p]} does not hold the same variants as {names[0]} (same ids, positions and alleles, in order); " +
                    "only files that split one cohort by samples can be joined");
        }
        int total = parts.Sum(p => p.Samples.Count);
        var joined = new PackedGenotypes(total, first.Variants.Count);
        var column = new sbyte[total];
        var partColumn = new sbyte[parts.Max(p => p.Samples.Count)];
        for (int j = 0; j < first.Variants.Count; j++)
        {
            int offset = 0;
            foreach (var part in parts)
            {
                part.Genotypes.DecodeVariant(j, partColumn);
                partColumn.AsSpan(0, part.Samples.Count).CopyTo(column.AsSpan(offset));
                offset += part.Samples.Count;
            }
            joined.EncodeVariant(j, column);
        }
        return new PlinkDataset(first.Variants, parts.SelectMany(p => p.Samples).ToList(), joined);
    }

    private static GenotypeRows ReadPhasedMatching(string vcfPath, PlinkDataset imported, string idPrefix)
    {
        var vcf = VcfReader.Read(vcfPath, keepHaplotypes: true);
        if (vcf.Haplotypes is null || vcf.Ploidy != Ploidy.Diploid)
            throw new InputException($"{vcfPath}: ploidy 'haplotype' needs phased diploid genotypes (found unphased calls)");
        if (vcf.Variants.Count != imported.Variants.Count || vcf.Variants.Select(v => v.Position).SequenceEqual(imported.Variants.Select(v => v.Position)) is false)
            throw new InputException($"{vcfPath}: our VCF reader and plink2 kept different variants");
        return vcf.Haplotypes.WithRowIds(vcf.Haplotypes.RowIds!.Select(h => idPrefix + h).ToList());
    }

    private static GenotypeRows ConcatHaplotypes(List<GenotypeRows> parts)
    {
        if (parts.Count == 1) return parts[0];
        var values = parts.SelectMany(p => p.Values).ToArray();
        return new GenotypeRows(Ploidy.Haplotype, parts.Sum(p => p.Rows), parts[0].Variants, values,
            parts.SelectMany(p => p.RowIds!).ToList());
    }
}
