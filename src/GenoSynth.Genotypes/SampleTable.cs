namespace GenoSynth.Genotypes;

/// <summary>
/// A delimited table with a header row (sample panels, population files, phenotype files). Tab-separated when the
/// header contains a tab, else whitespace-separated. Columns are addressed by header name.
/// </summary>
public sealed class SampleTable
{
    private readonly Dictionary<string, int> _columns;
    private readonly List<string[]> _rows;
    private readonly List<long> _lineNumbers;

    public string FilePath { get; }
    public IReadOnlyList<string> ColumnNames { get; }
    public int RowCount => _rows.Count;

    private SampleTable(string path, List<string> columns, List<string[]> rows, List<long> lines)
    {
        FilePath = path;
        ColumnNames = columns;
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++)
            if (columns[i].Length > 0) _columns.TryAdd(columns[i].TrimStart('#'), i);
        _rows = rows;
        _lineNumbers = lines;
    }

    public static SampleTable Read(string path)
    {
        using var reader = LineReader.Open(path);
        if (!reader.TryReadLine(out var headerLine)) throw reader.Error("empty file: a header row is required");
        bool tabs = headerLine.IndexOf((byte)'\t') >= 0;
        var header = Split(headerLine, tabs);
        var rows = new List<string[]>();
        var lines = new List<long>();
        while (reader.TryReadLine(out var line))
        {
            if (line.Trim((byte)' ').IsEmpty) continue;
            var fields = Split(line, tabs);
            rows.Add(fields.ToArray());
            lines.Add(reader.LineNumber);
        }
        if (rows.Count == 0) throw new GenotypeFormatException(path, null, "no data rows after the header");
        return new SampleTable(path, header, rows, lines);
    }

    private static List<string> Split(ReadOnlySpan<byte> line, bool tabs)
    {
        var fields = new List<string>();
        var f = tabs ? FieldSplitter.On(line, (byte)'\t') : FieldSplitter.Whitespace(line);
        while (f.TryNext(out var field)) fields.Add(FieldSplitter.ToText(field).Trim());
        return fields;
    }

    public int ColumnIndex(string name) =>
        _columns.TryGetValue(name, out int i) ? i
        : throw new GenotypeFormatException(FilePath, 1, $"no column '{name}' (columns: {string.Join(", ", _columns.Keys)})");

    /// <summary>Maps the id column to the value column; duplicate ids and missing cells are errors naming the line.</summary>
    public Dictionary<string, string> Map(string idColumn, string valueColumn)
    {
        int idIndex = ColumnIndex(idColumn), valueIndex = ColumnIndex(valueColumn);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int r = 0; r < _rows.Count; r++)
        {
            var row = _rows[r];
            if (row.Length <= Math.Max(idIndex, valueIndex) || row[idIndex].Length == 0 || row[valueIndex].Length == 0)
                throw new GenotypeFormatException(FilePath, _lineNumbers[r], $"missing '{idColumn}' or '{valueColumn}' value");
            if (!map.TryAdd(row[idIndex], row[valueIndex]))
                throw new GenotypeFormatException(FilePath, _lineNumbers[r], $"duplicate id '{row[idIndex]}'");
        }
        return map;
    }
}
