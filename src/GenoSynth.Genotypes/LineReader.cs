using System.IO.Compression;

namespace GenoSynth.Genotypes;

/// <summary>
/// Reads a text stream line by line as bytes (no string per line), counting lines for error messages.
/// Genotype files are ASCII; parsing bytes avoids allocating millions of strings on large VCFs.
/// </summary>
public sealed class LineReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    public string FilePath { get; }
    public long LineNumber { get; private set; }

    public LineReader(Stream stream, string filePath)
    {
        _stream = stream;
        FilePath = filePath;
    }

    /// <summary>Opens a file, transparently decompressing gzip and BGZF (multi-member gzip).</summary>
    public static LineReader Open(string path) => new(OpenMaybeGzip(path), path);

    public static Stream OpenMaybeGzip(string path)
    {
        if (!File.Exists(path)) throw new GenotypeFormatException(path, null, "file not found");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        int n = file.Read(magic);
        file.Position = 0;
        if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
        return file;
    }

    /// <summary>Next line without its terminator ('\n' or "\r\n"); false at end of stream.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                int lineEnd = newline > _start && _buffer[newline - 1] == '\r' ? newline - 1 : newline;
                line = new ReadOnlySpan<byte>(_buffer, _start, lineEnd - _start);
                _start = newline + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_start < _end)
                {
                    int lineEnd = _buffer[_end - 1] == '\r' ? _end - 1 : _end;
                    line = new ReadOnlySpan<byte>(_buffer, _start, lineEnd - _start);
                    _start = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int read;
        try
        {
            read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (InvalidDataException ex)
        {
            throw new GenotypeFormatException(FilePath, LineNumber + 1, $"corrupt gzip data ({ex.Message})");
        }
        if (read == 0) _eof = true;
        else _end += read;
    }

    /// <summary>An error at the current line (line 1 when nothing could be read, as for an empty file).</summary>
    public GenotypeFormatException Error(string message) => new(FilePath, Math.Max(1, LineNumber), message);

    public void Dispose() => _stream.Dispose();
}

/// <summary>Splits a line into fields on a single separator byte, or on runs of spaces/tabs.</summary>
public ref struct FieldSplitter
{
    private ReadOnlySpan<byte> _rest;
    private readonly bool _whitespace;
    private readonly byte _separator;
    private bool _done;

    private FieldSplitter(ReadOnlySpan<byte> line, bool whitespace, byte separator)
    {
        _rest = line;
        _whitespace = whitespace;
        _separator = separator;
        _done = false;
        if (whitespace) _rest = TrimStart(_rest);
    }

    public static FieldSplitter Whitespace(ReadOnlySpan<byte> line) => new(line, true, 0);
    public static FieldSplitter On(ReadOnlySpan<byte> line, byte separator) => new(line, false, separator);

    public bool TryNext(out ReadOnlySpan<byte> field)
    {
        if (_done || (_whitespace && _rest.IsEmpty)) { field = default; return false; }
        int end = _whitespace ? _rest.IndexOfAny((byte)' ', (byte)'\t') : _rest.IndexOf(_separator);
        if (end < 0)
        {
            field = _rest;
            _rest = default;
            _done = true;
            return true;
        }
        field = _rest[..end];
        _rest = _rest[(end + 1)..];
        if (_whitespace) _rest = TrimStart(_rest);
        return true;
    }

    public ReadOnlySpan<byte> Rest => _rest;

    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
        return s[i..];
    }

    public static string ToText(ReadOnlySpan<byte> field) => System.Text.Encoding.ASCII.GetString(field);

    public static bool TryParseLong(ReadOnlySpan<byte> field, out long value) =>
        System.Buffers.Text.Utf8Parser.TryParse(field, out value, out int consumed) && consumed == field.Length;

    public static bool TryParseDouble(ReadOnlySpan<byte> field, out double value)
    {
        if (System.Buffers.Text.Utf8Parser.TryParse(field, out value, out int consumed) && consumed == field.Length) return true;
        return double.TryParse(ToText(field), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
