using System.IO.Compression;
using System.Text;

namespace GenoSynth.Genotypes;

/// <summary>A hapt table: one haplotype per row (group tag, id, then 0/1 per variant) plus its legend.</summary>
public sealed record HaptDataset(IReadOnlyList<Variant> Variants, GenotypeRows Haplotypes,
    IReadOnlyList<string> Groups);

/// <summary>
/// Reads and writes the hapt format of Yelmen et al. (space-separated, optionally gzip-compressed) and its legend
/// (header "id position a0 a1"; allele '1' in the hapt is a1, so a1 is our allele 1).
/// </summary>
public static class HaptFiles
{
    public static HaptDataset Read(string haptPath, string legendPath)
    {
        var variants = ReadLegend(legendPath);
        var (haplotypes, groups) = ReadHaplotypes(haptPath, variants.Count);
        return new HaptDataset(variants, haplotypes, groups);
    }

    public static List<Variant> ReadLegend(string path)
    {
        var variants = new List<Variant>();
        using var reader = LineReader.Open(path);
        if (!reader.TryReadLine(out var header)) throw reader.Error("empty legend file");
        var names = new List<string>();
        var hf = FieldSplitter.Whitespace(header);
        while (hf.TryNext(out var name)) names.Add(FieldSplitter.ToText(name));
        if (names.Count < 4 || names[0] != "id" || names[1] != "position" || names[2] != "a0" || names[3] != "a1")
            throw reader.Error("legend header must start with 'id position a0 a1'");
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty) continue;
            var f = FieldSplitter.Whitespace(line);
            if (!f.TryNext(out var id) || !f.TryNext(out var pos) || !f.TryNext(out var a0) || !f.TryNext(out var a1))
                throw reader.Error("expected at least 4 columns (id position a0 a1)");
            if (!FieldSplitter.TryParseLong(pos, out long position) || position < 0)
                throw reader.Error($"position '{FieldSplitter.ToText(pos)}' is not a non-negative integer");
            string idText = FieldSplitter.ToText(id);
            int colon = idText.IndexOf(':');
            string chromosome = colon > 0 ? idText[..colon] : "0";
            variants.Add(new Variant(chromosome, idText, 0, position, FieldSplitter.ToText(a1), FieldSplitter.ToText(a0)));
        }
        return variants;
    }

    public static (GenotypeRows Haplotypes, List<string> Groups) ReadHaplotypes(string path, int? expectedVariants)
    {
        var ids = new List<string>();
        var groups = new List<string>();
        var rows = new MemoryStream();
        int variants = expectedVariants ?? -1;
        byte[] row = [];
        using var reader = LineReader.Open(path);
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty) continue;
            var f = FieldSplitter.On(line, (byte)' ');
            if (!f.TryNext(out var group) || !f.TryNext(out var id)) throw reader.Error("expected a group tag, an id and alleles");
            var alleles = f.Rest;
            // Alleles are single characters separated by single spaces: row length is 2*variants - 1.
            int count = (alleles.Length + 1) / 2;
            if (variants < 0) variants = count;
            if (alleles.Length != 2 * variants - 1 || count != variants)
                throw reader.Error($"row has {CountTokens(alleles)} allele columns, expected {variants}");
            if (row.Length != variants) row = new byte[variants];
            for (int j = 0; j < variants; j++)
            {
                byte c = alleles[2 * j];
                if (c != (byte)'0' && c != (byte)'1')
                    throw reader.Error($"allele column {j + 1} is '{(char)c}', expected 0 or 1");
                if (j > 0 && alleles[2 * j - 1] != (byte)' ')
                    throw reader.Error($"allele column {j + 1} is not a single 0/1 character");
                row[j] = (byte)(c - '0');
            }
            rows.Write(row, 0, variants);
            groups.Add(FieldSplitter.ToText(group));
            ids.Add(FieldSplitter.ToText(id));
        }
        if (ids.Count == 0) throw new GenotypeFormatException(path, null, "no haplotype rows");
        return (new GenotypeRows(Ploidy.Haplotype, ids.Count, variants, rows.ToArray(), ids), groups);
    }

    private static int CountTokens(ReadOnlySpan<byte> s)
    {
        var f = FieldSplitter.Whitespace(s);
        int n = 0;
        while (f.TryNext(out _)) n++;
        return n;
    }

    /// <summary>Writes haplotype rows (with ids) as a hapt table; BGZF-compressed when the path ends in .gz.</summary>
    public static void WriteHaplotypes(string path, GenotypeRows haplotypes, string group)
    {
        if (haplotypes.Ploidy != Ploidy.Haplotype) throw new ArgumentException("a hapt table holds haplotype rows");
        var ids = haplotypes.RowIds ?? throw new ArgumentException("hapt rows need ids");
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using Stream output = path.EndsWith(".gz", StringComparison.Ordinal) ? new BgzfWriteStream(file) : file;
        var line = new byte[haplotypes.Variants * 2];
        var groupBytes = Encoding.ASCII.GetBytes(group + " ");
        for (int h = 0; h < haplotypes.Rows; h++)
        {
            output.Write(groupBytes);
            output.Write(Encoding.ASCII.GetBytes(ids[h]));
            var r = haplotypes.Row(h);
            for (int j = 0; j < r.Length; j++)
            {
                line[2 * j] = (byte)' ';
                line[2 * j + 1] = (byte)('0' + r[j]);
            }
            output.Write(line);
            output.WriteByte((byte)'\n');
        }
    }

    public static void WriteLegend(string path, IEnumerable<Variant> variants)
    {
        using var w = Plink1Files.NewTextWriter(path);
        w.Write("id position a0 a1\n");
        foreach (var v in variants) w.Write($"{v.Id} {v.Position} {v.Allele2} {v.Allele1}\n");
    }
}
