using System.Text;

namespace GenoSynth.Genotypes;

/// <summary>Records a VCF reader did not load, by reason.</summary>
public sealed record VcfSkipCounts(int Multiallelic, int Indel, int Symbolic)
{
    public int Total => Multiallelic + Indel + Symbolic;
}

/// <summary>
/// A VCF loaded as biallelic SNPs. Allele 1 is ALT and allele 2 is REF, as plink2 writes a .bim, so the dosage is
/// the ALT count. <see cref="Haplotypes"/> is set when every call is phased diploid or haploid and it was asked for;
/// <see cref="Ploidy"/> is the calls' (haploid calls: one allele copy, as a haplotype row).
/// </summary>
public sealed record VcfDataset(
    IReadOnlyList<Variant> Variants, IReadOnlyList<Sample> Samples, PackedGenotypes Genotypes,
    GenotypeRows? Haplotypes, Ploidy Ploidy, bool AllPhased, VcfSkipCounts Skipped);

public static class VcfReader
{
    /// <summary>Reads a VCF or VCF.gz (plain gzip or BGZF). Multiallelic, indel and symbolic records are skipped and counted.</summary>
    public static VcfDataset Read(string path, bool keepHaplotypes = false)
    {
        using var reader = LineReader.Open(path);
        bool sawFileFormat = false;
        List<string>? sampleIds = null;
        while (reader.TryReadLine(out var line))
        {
            if (line.StartsWith("##"u8))
            {
                if (line.StartsWith("##fileformat=VCF"u8)) sawFileFormat = true;
                continue;
            }
            if (!line.StartsWith("#CHROM"u8)) throw reader.Error("expected the '#CHROM' header line before the first record");
            if (!sawFileFormat) throw reader.Error("missing '##fileformat=VCF...' meta line: not a VCF file");
            sampleIds = ParseHeader(line, reader);
            break;
        }
        if (sampleIds is null) throw reader.Error(sawFileFormat ? "no '#CHROM' header line" : "not a VCF file (no '##fileformat' line)");

        int n = sampleIds.Count;
        var variants = new List<Variant>();
        var packedColumns = new MemoryStream();
        var haplotypeColumns = keepHaplotypes ? new MemoryStream() : null;
        var packed = new PackedGenotypes(n, 1);
        var dosages = new sbyte[n];
        var alleles = new byte[2 * n];
        int multiallelic = 0, indel = 0, symbolic = 0;
        int ploidy = 0;
        bool allPhased = true;

        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty) continue;
            var f = FieldSplitter.On(line, (byte)'\t');
            if (!f.TryNext(out var chrom) || !f.TryNext(out var pos) || !f.TryNext(out var id) || !f.TryNext(out var refAllele)
                || !f.TryNext(out var altAllele) || !f.TryNext(out _) || !f.TryNext(out _) || !f.TryNext(out _) || !f.TryNext(out var format))
                throw reader.Error("fewer than 9 tab-separated columns");
            if (!FieldSplitter.TryParseLong(pos, out long position) || position < 0)
                throw reader.Error($"POS '{FieldSplitter.ToText(pos)}' is not a non-negative integer");
            if (altAllele.IndexOf((byte)',') >= 0) { multiallelic++; continue; }
            if (altAllele.IndexOf((byte)'<') >= 0 || altAllele.IndexOf((byte)'[') >= 0 || altAllele.IndexOf((byte)']') >= 0
                || altAllele.SequenceEqual("*"u8) || altAllele.SequenceEqual("."u8)) { symbolic++; continue; }
            if (refAllele.Length != 1 || altAllele.Length != 1) { indel++; continue; }
            if (!format.StartsWith("GT"u8) || (format.Length > 2 && format[2] != (byte)':'))
                throw reader.Error("FORMAT does not start with GT");

            var rest = f.Rest;
            var samples = FieldSplitter.On(rest, (byte)'\t');
            for (int i = 0; i < n; i++)
            {
                if (!samples.TryNext(out var field))
                    throw reader.Error($"{i} sample columns, the header names {n}");
                int colon = field.IndexOf((byte)':');
                var gt = colon >= 0 ? field[..colon] : field;
                int callPloidy = ParseGenotype(gt, out sbyte dosage, out byte a, out byte b, out bool phased, reader, sampleIds[i]);
                if (ploidy == 0) ploidy = callPloidy;
                else if (callPloidy != ploidy)
                    throw reader.Error($"mixed ploidy: sample '{sampleIds[i]}' has a {(callPloidy == 1 ? "haploid" : "diploid")} call where earlier calls are {(ploidy == 1 ? "haploid" : "diploid")}");
                if (!phased && callPloidy == 2) allPhased = false;
                dosages[i] = dosage;
                alleles[2 * i] = a;
                alleles[2 * i + 1] = b;
            }
            if (samples.TryNext(out _)) throw reader.Error($"more sample columns than the {n} the header names");

            variants.Add(new Variant(FieldSplitter.ToText(chrom), FieldSplitter.ToText(id), 0, position,
                FieldSplitter.ToText(altAllele), FieldSplitter.ToText(refAllele)));
            packed.EncodeVariant(0, dosages);
            packedColumns.Write(packed.VariantBytes(0));
            haplotypeColumns?.Write(alleles, 0, ploidy == 1 ? n : 2 * n);
            if (ploidy == 1) for (int i = 0; i < n; i++) alleles[i] = alleles[2 * i]; // compact for haploid
        }

        var genotypes = new PackedGenotypes(n, variants.Count, packedColumns.ToArray());
        GenotypeRows? haplotypes = null;
        if (haplotypeColumns is not null && allPhased && variants.Count > 0)
            haplotypes = Transpose(haplotypeColumns.ToArray(), variants.Count, sampleIds, ploidy);
        return new VcfDataset(variants, sampleIds.Select(Sample.Of).ToList(), genotypes, haplotypes,
            Ploidy.FromCopies(ploidy == 0 ? 2 : ploidy),
            allPhased, new VcfSkipCounts(multiallelic, indel, symbolic));
    }

    private static List<string> ParseHeader(ReadOnlySpan<byte> line, LineReader reader)
    {
        var f = FieldSplitter.On(line, (byte)'\t');
        string[] expected = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"];
        foreach (var name in expected)
            if (!f.TryNext(out var field) || FieldSplitter.ToText(field) != name)
                throw reader.Error($"header line must be tab-separated and start with {string.Join(' ', expected)}");
        var ids = new List<string>();
        if (!f.TryNext(out var formatField)) return ids;
        if (FieldSplitter.ToText(formatField) != "FORMAT") throw reader.Error("ninth header column must be FORMAT");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (f.TryNext(out var sample))
        {
            string id = FieldSplitter.ToText(sample);
            if (id.Length == 0) throw reader.Error("empty sample id in header");
            if (!seen.Add(id)) throw reader.Error($"duplicate sample id '{id}'");
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>Parses '0/1', '1|0', '0', './.', '.'; returns the ploidy. Alleles are ALT counts (255 = missing).</summary>
    private static int ParseGenotype(ReadOnlySpan<byte> gt, out sbyte dosage, out byte a, out byte b, out bool phased,
        LineReader reader, string sample)
    {
        phased = false;
        if (gt.Length == 1)
        {
            a = ParseAllele(gt[0], gt, reader, sample);
            b = a;
            dosage = a == 255 ? PackedGenotypes.Missing : (sbyte)(2 * a); // haploid call counts as homozygous, as plink2 reads it
            phased = true;
            return 1;
        }
        if (gt.Length == 3 && (gt[1] == (byte)'/' || gt[1] == (byte)'|'))
        {
            phased = gt[1] == (byte)'|';
            a = ParseAllele(gt[0], gt, reader, sample);
            b = ParseAllele(gt[2], gt, reader, sample);
            if ((a == 255) != (b == 255))
                throw reader.Error($"half-missing genotype '{Encoding.ASCII.GetString(gt)}' for sample '{sample}'");
            dosage = a == 255 ? PackedGenotypes.Missing : (sbyte)(a + b);
            return 2;
        }
        throw reader.Error($"invalid GT '{Encoding.ASCII.GetString(gt)}' for sample '{sample}'");
    }

    private static byte ParseAllele(byte c, ReadOnlySpan<byte> gt, LineReader reader, string sample) => c switch
    {
        (byte)'0' => 0,
        (byte)'1' => 1,
        (byte)'.' => 255,
        _ => throw reader.Error($"invalid GT '{Encoding.ASCII.GetString(gt)}' for sample '{sample}' (biallelic record: alleles 0, 1 or .)"),
    };

    private static GenotypeRows Transpose(byte[] variantMajor, int variants, List<string> samples, int ploidy)
    {
        int rows = ploidy == 1 ? samples.Count : 2 * samples.Count;
        var alleles = new byte[(long)rows * variants];
        for (int j = 0; j < variants; j++)
            for (int h = 0; h < rows; h++)
            {
                byte v = variantMajor[(long)j * rows + h];
                alleles[(long)h * variants + j] = v == 255 ? (byte)0 : v;
            }
        var ids = ploidy == 1 ? samples : HaplotypeIds.Pairs(samples);
        return new GenotypeRows(Ploidy.Haplotype, rows, variants, alleles, ids);
    }
}

/// <summary>Writes VCF 4.2 (GT only): unphased from dosages or phased from haplotypes; BGZF when the path ends in .gz.</summary>
public static class VcfWriter
{
    public static void WriteUnphased(string path, IReadOnlyList<Variant> variants, IReadOnlyList<string> sampleIds, PackedGenotypes genotypes)
    {
        var column = new sbyte[genotypes.SampleCount];
        WriteRecords(path, variants, sampleIds, (j, sb) =>
        {
            genotypes.DecodeVariant(j, column);
            foreach (var d in column)
                sb.Append('\t').Append(d switch { 0 => "0/0", 1 => "0/1", 2 => "1/1", _ => "./." });
        });
    }

    public static void WritePhased(string path, IReadOnlyList<Variant> variants, IReadOnlyList<string> individualIds,
        GenotypeRows haplotypes)
    {
        if (haplotypes.Ploidy != Ploidy.Haplotype || haplotypes.Rows != 2 * individualIds.Count)
            throw new ArgumentException("two haplotype rows per individual expected");
        int m = haplotypes.Variants;
        WriteRecords(path, variants, individualIds, (j, sb) =>
        {
            for (int i = 0; i < individualIds.Count; i++)
                sb.Append('\t').Append((char)('0' + haplotypes.Values[(2 * i) * m + j])).Append('|')
                  .Append((char)('0' + haplotypes.Values[(2 * i + 1) * m + j]));
        });
    }

    private static void WriteRecords(string path, IReadOnlyList<Variant> variants, IReadOnlyList<string> sampleIds, Action<int, StringBuilder> appendCalls)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using Stream output = path.EndsWith(".gz", StringComparison.Ordinal) ? new BgzfWriteStream(file) : file;
        using var w = new StreamWriter(output, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        w.Write("##fileformat=VCFv4.2\n##source=GenoSynth\n");
        foreach (var chrom in variants.Select(v => v.Chromosome).Distinct()) w.Write($"##contig=<ID={chrom}>\n");
        w.Write("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n");
        w.Write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT");
        foreach (var id in sampleIds) w.Write("\t" + id);
        w.Write('\n');
        var sb = new StringBuilder();
        for (int j = 0; j < variants.Count; j++)
        {
            var v = variants[j];
            sb.Clear();
            sb.Append(v.Chromosome).Append('\t').Append(v.Position).Append('\t').Append(v.Id).Append('\t')
              .Append(v.Allele2).Append('\t').Append(v.Allele1).Append("\t.\tPASS\t.\tGT");
            appendCalls(j, sb);
            sb.Append('\n');
            w.Write(sb);
        }
    }
}
