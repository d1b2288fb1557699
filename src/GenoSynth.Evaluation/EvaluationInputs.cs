using GenoSynth.Genotypes;

namespace GenoSynth.Evaluation;

/// <summary>A genotype file read as <see cref="GenotypeRows"/>, with the positions of its variants.</summary>
public sealed record LoadedSet(GenotypeRows Set, IReadOnlyList<(string Chromosome, long Position)> Positions,
    bool HasVariantTable);

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
            var set = haplotypes.Named(name);
            if (legend is null) return new LoadedSet(set, Unplaced(haplotypes.Variants), false);
            var variants = HaptFiles.ReadLegend(legend);
            if (variants.Count != haplotypes.Variants)
                throw new GenotypeFormatException(legend, null,
                    $"{variants.Count} variants, but {path} has {haplotypes.Variants} allele columns");
            return new LoadedSet(set, variants.Select(v => (v.Chromosome, v.Position)).ToList(), true);
        }
        if (lower.EndsWith(".vcf") || lower.EndsWith(".vcf.gz") || lower.EndsWith(".vcf.bgz"))
        {
            var vcf = VcfReader.Read(path);
            var set = FromPacked(name, vcf.Genotypes, vcf.Samples.Select(s => s.IndividualId).ToList());
            return new LoadedSet(set, vcf.Variants.Select(v => (v.Chromosome, v.Position)).ToList(), true);
        }
        var prefix = lower.EndsWith(".bed") || lower.EndsWith(".bim") || lower.EndsWith(".fam") ? path[..^4] : path;
        var data = Plink1Files.Read(prefix);
        return new LoadedSet(FromPacked(name, data.Genotypes, data.Samples.Select(s => s.IndividualId).ToList()),
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

    /// <summary>Each row's label, looked up by its individual's id or else its own id (the rows need ids).</summary>
    public static GenotypeRows AttachLabels(GenotypeRows set, IReadOnlyDictionary<string, string> labels, string source)
    {
        var (individuals, ids) = (set.Individuals, set.RowIds!);
        var rowLabels = new List<string>(set.Rows);
        for (int r = 0; r < set.Rows; r++)
        {
            if (!labels.TryGetValue(individuals[r], out var label) && !labels.TryGetValue(ids[r], out label))
                throw new GenotypeFormatException(source, null, $"no label for '{individuals[r]}' of set '{set.Name}'");
            rowLabels.Add(label);
        }
        return set.WithLabels(RowLabels.FromNames(rowLabels));
    }

    /// <summary>
    /// Diploid dosages as evaluation rows (one per individual). Missing calls are filled with the variant's most common
    /// value, as the report documents.
    /// </summary>
    public static GenotypeRows FromPacked(string name, PackedGenotypes genotypes, IReadOnlyList<string> individualIds)
    {
        int n = genotypes.SampleCount, m = genotypes.VariantCount;
        var values = new byte[(long)n * m];
        var column = new sbyte[n];
        Span<int> counts = stackalloc int[3];
        for (int j = 0; j < m; j++)
        {
            genotypes.DecodeVariant(j, column);
            counts.Clear();
            foreach (var d in column) if (d >= 0) counts[d]++;
            byte fill = (byte)(counts[1] > counts[0] ? (counts[2] > counts[1] ? 2 : 1)
                : (counts[2] > counts[0] ? 2 : 0));
            for (int i = 0; i < n; i++) values[(long)i * m + j] = column[i] < 0 ? fill : (byte)column[i];
        }
        return new GenotypeRows(Ploidy.Diploid, n, m, values, individualIds, name: name);
    }

    public static HashSet<string> ReadIds(string path)
    {
        if (!File.Exists(path)) throw new GenotypeFormatException(path, null, "file not found");
        return File.ReadAllLines(path).Select(l => l.Trim().Split(' ', '\t')[^1]).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
    }
}
