using GenoSynth.Genotypes;

namespace GenoSynth.Evaluation;

/// <summary>A genotype file read as a <see cref="GenotypeSet"/>, with the positions of its variants.</summary>
public sealed record LoadedSet(GenotypeSet Set, IReadOnlyList<(string Chromosome, long Position)> Positions, bool HasVariantTable);

/// <summary>Reads real and synthetic sets from .bed, .vcf(.gz) or .hapt(.gz) (+ .legend) files for evaluation.</summary>
public static class EvaluationInputs
{
    public static LoadedSet Load(string path, string name, string? legend = null)
    {
        string lower = path.ToLowerInvariant();
        if (lower.EndsWith(".hapt") || lower.EndsWith(".hapt.gz"))
        {
            var (haplotypes, _) = HaptFiles.ReadHaplotypes(path, null);
            legend ??= SiblingLegend(path);
            var set = GenotypeSet.FromHaplotypes(name, haplotypes);
            if (legend is null) return new LoadedSet(set, Unplaced(haplotypes.VariantCount), false);
            var variants = HaptFiles.ReadLegend(legend);
            if (variants.Count != haplotypes.VariantCount)
                throw new GenotypeFormatException(legend, null, $"{variants.Count} variants, but {path} has {haplotypes.VariantCount} allele columns");
            return new LoadedSet(set, variants.Select(v => (v.Chromosome, v.Position)).ToList(), true);
        }
        if (lower.EndsWith(".vcf") || lower.EndsWith(".vcf.gz") || lower.EndsWith(".vcf.bgz"))
        {
            var vcf = VcfReader.Read(path);
            var set = GenotypeSet.FromDiploid(name, vcf.Genotypes, vcf.Samples.Select(s => s.IndividualId).ToList());
            return new LoadedSet(set, vcf.Variants.Select(v => (v.Chromosome, v.Position)).ToList(), true);
        }
        var prefix = lower.EndsWith(".bed") || lower.EndsWith(".bim") || lower.EndsWith(".fam") ? path[..^4] : path;
        var data = Plink1Files.Read(prefix);
        return new LoadedSet(GenotypeSet.FromDiploid(name, data.Genotypes, data.Samples.Select(s => s.IndividualId).ToList()),
            data.Variants.Select(v => (v.Chromosome, v.Position)).ToList(), true);
    }

    private static string? SiblingLegend(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var legends = Directory.GetFiles(dir, "*.legend");
        return legends.Length == 1 ? legends[0] : null;
    }

    private static List<(string, long)> Unplaced(int count) => Enumerable.Range(0, count).Select(i => ("0", (long)i)).ToList();

    /// <summary>Labels by individual id from a table; the id column is the first of iid, sample, IID, id that exists.</summary>
    public static Dictionary<string, string> ReadLabels(string path, string labelColumn)
    {
        var table = SampleTable.Read(path);
        var idColumn = new[] { "iid", "sample", "IID", "id", "ID" }.FirstOrDefault(c => table.ColumnNames.Contains(c) || table.ColumnNames.Contains("#" + c))
            ?? throw new GenotypeFormatException(path, 1, "no id column (iid, sample, IID or id)");
        return table.Map(idColumn, labelColumn);
    }

    public static GenotypeSet AttachLabels(GenotypeSet set, IReadOnlyDictionary<string, string> labels, string source)
    {
        var rowLabels = new List<string>(set.Rows);
        for (int r = 0; r < set.Rows; r++)
        {
            if (labels.TryGetValue(set.Individuals[r], out var label) || labels.TryGetValue(set.RowIds[r], out label)) rowLabels.Add(label);
            else throw new GenotypeFormatException(source, null, $"no label for '{set.Individuals[r]}' of set '{set.Name}'");
        }
        return set.WithLabels(rowLabels);
    }

    public static HashSet<string> ReadIds(string path)
    {
        if (!File.Exists(path)) throw new GenotypeFormatException(path, null, "file not found");
        return File.ReadAllLines(path).Select(l => l.Trim().Split(' ', '\t')[^1]).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
    }
}
