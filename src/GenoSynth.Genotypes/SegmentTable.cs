using System.Globalization;

namespace GenoSynth.Genotypes;

/// <summary>One segment of a generator that works window by window: variants First..Last (0-based,
/// inclusive).</summary>
public sealed record VariantSegment(int First, int Last);

/// <summary>
/// segments.tsv: the variant segments a segmenting generator was trained on, one line each after the header
/// <c>segment first_variant last_variant</c> (tab-separated). Indexes are 0-based and inclusive, into the
/// experiment's selected variants in the column order of the synthetic files; neighbouring segments may overlap.
/// </summary>
public static class SegmentTable
{
    public const string FileName = "segments.tsv";
    private static readonly string[] Columns = ["segment", "first_variant", "last_variant"];

    public static void Write(string path, IReadOnlyList<VariantSegment> segments)
    {
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        writer.Write(string.Join('\t', Columns) + "\n");
        for (int s = 0; s < segments.Count; s++)
        {
            var (first, last) = (segments[s].First, segments[s].Last);
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{s}\t{first}\t{last}\n"));
        }
    }

    /// <summary>Reads and checks the table against the number of variants the segments index.</summary>
    public static IReadOnlyList<VariantSegment> Read(string path, int variants)
    {
        if (!File.Exists(path)) throw new GenotypeFormatException(path, null, "file not found");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != string.Join('\t', Columns))
            throw new GenotypeFormatException(path, 1,
                $"expected the header '{string.Join(" ", Columns)}' (tab-separated)");
        var segments = new List<VariantSegment>();
        for (int i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fields.Length != 3 || !TryIndex(fields[1], out int first) || !TryIndex(fields[2], out int last))
                throw new GenotypeFormatException(path, i + 1,
                    "expected three tab-separated fields: segment, first and last variant");
            if (first > last || last >= variants)
                throw new GenotypeFormatException(path, i + 1,
                    $"segment {fields[0]} spans variants {first}..{last}; " +
                    $"it must lie within 0..{variants - 1}, first <= last");
            segments.Add(new VariantSegment(first, last));
        }
        if (segments.Count == 0) throw new GenotypeFormatException(path, null, "no segments listed");
        return segments;
    }

    private static bool TryIndex(string text, out int index) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out index);
}
