namespace GenoSynth.Genotypes;

/// <summary>A PLINK 1 binary fileset loaded into memory.</summary>
public sealed record PlinkDataset(IReadOnlyList<Variant> Variants, IReadOnlyList<Sample> Samples, PackedGenotypes Genotypes);

/// <summary>Reading and writing PLINK 1 .bed (SNP-major), .bim and .fam files.</summary>
public static class Plink1Files
{
    private static readonly byte[] Magic = [0x6c, 0x1b, 0x01];

    public static PlinkDataset Read(string prefix)
    {
        var variants = ReadBim(prefix + ".bim");
        var samples = ReadFam(prefix + ".fam");
        using var reader = new BedBlockReader(prefix + ".bed", samples.Count, variants.Count);
        var data = new byte[(long)reader.BytesPerVariant * variants.Count];
        reader.ReadBlock(0, variants.Count, data);
        var genotypes = new PackedGenotypes(samples.Count, variants.Count, data);
        genotypes.ClearPadding();
        return new PlinkDataset(variants, samples, genotypes);
    }

    public static void Write(string prefix, PlinkDataset dataset)
    {
        WriteBim(prefix + ".bim", dataset.Variants);
        WriteFam(prefix + ".fam", dataset.Samples);
        WriteBed(prefix + ".bed", dataset.Genotypes);
    }

    public static List<Variant> ReadBim(string path)
    {
        var variants = new List<Variant>();
        using var reader = LineReader.Open(path);
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty) throw reader.Error("empty line in .bim");
            var f = FieldSplitter.Whitespace(line);
            if (!f.TryNext(out var chrom) || !f.TryNext(out var id) || !f.TryNext(out var cm) || !f.TryNext(out var pos)
                || !f.TryNext(out var a1) || !f.TryNext(out var a2))
                throw reader.Error("expected 6 columns (chrom, id, cM, position, allele 1, allele 2)");
            if (f.TryNext(out _)) throw reader.Error("more than 6 columns in .bim line");
            if (!FieldSplitter.TryParseDouble(cm, out double cmValue)) throw reader.Error($"genetic position '{FieldSplitter.ToText(cm)}' is not a number");
            if (!FieldSplitter.TryParseLong(pos, out long position) || position < 0)
                throw reader.Error($"position '{FieldSplitter.ToText(pos)}' is not a non-negative integer");
            variants.Add(new Variant(FieldSplitter.ToText(chrom), FieldSplitter.ToText(id), cmValue, position,
                FieldSplitter.ToText(a1), FieldSplitter.ToText(a2)));
        }
        return variants;
    }

    public static List<Sample> ReadFam(string path)
    {
        var samples = new List<Sample>();
        var seen = new HashSet<(string, string)>();
        using var reader = LineReader.Open(path);
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty) throw reader.Error("empty line in .fam");
            var f = FieldSplitter.Whitespace(line);
            if (!f.TryNext(out var fid) || !f.TryNext(out var iid) || !f.TryNext(out var father) || !f.TryNext(out var mother)
                || !f.TryNext(out var sex) || !f.TryNext(out var pheno))
                throw reader.Error("expected 6 columns (FID, IID, father, mother, sex, phenotype)");
            if (f.TryNext(out _)) throw reader.Error("more than 6 columns in .fam line");
            if (!FieldSplitter.TryParseLong(sex, out long sexValue) || sexValue is < 0 or > 2)
                throw reader.Error($"sex '{FieldSplitter.ToText(sex)}' must be 0, 1 or 2");
            var sample = new Sample(FieldSplitter.ToText(fid), FieldSplitter.ToText(iid), FieldSplitter.ToText(father),
                FieldSplitter.ToText(mother), (int)sexValue, FieldSplitter.ToText(pheno));
            if (!seen.Add((sample.FamilyId, sample.IndividualId)))
                throw reader.Error($"duplicate sample id '{sample.FamilyId} {sample.IndividualId}'");
            samples.Add(sample);
        }
        return samples;
    }

    public static void WriteBim(string path, IEnumerable<Variant> variants)
    {
        using var w = NewTextWriter(path);
        foreach (var v in variants)
            w.Write($"{v.Chromosome}\t{v.Id}\t{FormatCm(v.PositionCm)}\t{v.Position}\t{v.Allele1}\t{v.Allele2}\n");
    }

    public static void WriteFam(string path, IEnumerable<Sample> samples)
    {
        using var w = NewTextWriter(path);
        foreach (var s in samples)
            w.Write($"{s.FamilyId} {s.IndividualId} {s.FatherId} {s.MotherId} {s.Sex} {s.Phenotype}\n");
    }

    public static void WriteBed(string path, PackedGenotypes genotypes)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        file.Write(Magic);
        file.Write(genotypes.RawData);
    }

    internal static StreamWriter NewTextWriter(string path) =>
        new(path, false, new System.Text.UTF8Encoding(false), 1 << 16) { NewLine = "\n" };

    private static string FormatCm(double cm) => cm == 0 ? "0" : cm.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Streams variant blocks out of a .bed without loading it whole, so a 2,504 x 1,000,000 file is processed
/// in bounded memory. Validates the magic bytes and the exact file size implied by the .bim and .fam.
/// </summary>
public sealed class BedBlockReader : IDisposable
{
    private readonly FileStream _file;
    private readonly string _path;

    public int SampleCount { get; }
    public int VariantCount { get; }
    public int BytesPerVariant { get; }

    public BedBlockReader(string path, int sampleCount, int variantCount)
    {
        _path = path;
        SampleCount = sampleCount;
        VariantCount = variantCount;
        BytesPerVariant = PackedGenotypes.BytesFor(sampleCount);
        if (!File.Exists(path)) throw new GenotypeFormatException(path, null, "file not found");
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[3];
        int read = _file.ReadAtLeast(magic, 3, throwOnEndOfStream: false);
        if (read < 3 || magic[0] != 0x6c || magic[1] != 0x1b)
        {
            _file.Dispose();
            throw new GenotypeFormatException(path, null, "not a PLINK 1 .bed file (bad magic bytes; expected 6c 1b 01)");
        }
        if (magic[2] != 0x01)
        {
            _file.Dispose();
            throw new GenotypeFormatException(path, null, "individual-major .bed (mode byte 00) is not supported; re-export with plink --make-bed");
        }
        long expected = 3 + (long)BytesPerVariant * variantCount;
        if (_file.Length != expected)
        {
            long actual = _file.Length;
            _file.Dispose();
            throw new GenotypeFormatException(path, null,
                $"size is {actual} bytes but {variantCount} variants (.bim) x {sampleCount} samples (.fam) need {expected} bytes" +
                (actual < expected ? " (truncated, or .bim/.fam list more entries than the .bed holds)" : " (.bim/.fam list fewer entries than the .bed holds)"));
        }
    }

    /// <summary>Reads variants [first, first+count) into <paramref name="destination"/> (count * BytesPerVariant bytes).</summary>
    public void ReadBlock(int first, int count, Span<byte> destination)
    {
        if (first < 0 || count < 0 || first + count > VariantCount) throw new ArgumentOutOfRangeException(nameof(first));
        _file.Position = 3 + (long)first * BytesPerVariant;
        int need = checked(count * BytesPerVariant);
        int got = _file.ReadAtLeast(destination[..need], need, throwOnEndOfStream: false);
        if (got != need) throw new GenotypeFormatException(_path, null, "unexpected end of file");
    }

    public void Dispose() => _file.Dispose();
}
