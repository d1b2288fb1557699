using System.Buffers.Binary;
using System.IO.Compression;

namespace GenoSynth.Genotypes;

/// <summary>
/// Writes BGZF (blocked gzip, as used by htslib): a series of gzip members of at most 64 KiB each with the 'BC'
/// extra field, ending with the standard empty EOF block. Plain gzip readers read it too.
/// </summary>
public sealed class BgzfWriteStream : Stream
{
    private const int BlockData = 0xff00; // htslib's uncompressed block size
    private static readonly byte[] EofBlock =
        [0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly Stream _inner;
    private readonly byte[] _pending = new byte[BlockData];
    private int _pendingLength;
    private readonly MemoryStream _compressed = new();

    public BgzfWriteStream(Stream inner) => _inner = inner;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int take = Math.Min(buffer.Length, BlockData - _pendingLength);
            buffer[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            buffer = buffer[take..];
            if (_pendingLength == BlockData) WriteBlock();
        }
    }

    private void WriteBlock()
    {
        if (_pendingLength == 0) return;
        _compressed.SetLength(0);
        using (var deflate = new DeflateStream(_compressed, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(_pending, 0, _pendingLength);
        int cdataLength = (int)_compressed.Length;
        int blockSize = 18 + cdataLength + 8;
        Span<byte> header = stackalloc byte[18];
        header[0] = 0x1f; header[1] = 0x8b; header[2] = 0x08; header[3] = 0x04;
        header[4] = header[5] = header[6] = header[7] = 0; // mtime 0: same bytes on every run
        header[8] = 0; header[9] = 0xff;
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 6);
        header[12] = 0x42; header[13] = 0x43;
        BinaryPrimitives.WriteUInt16LittleEndian(header[14..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[16..], (ushort)(blockSize - 1));
        _inner.Write(header);
        _inner.Write(_compressed.GetBuffer(), 0, cdataLength);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.Compute(_pending.AsSpan(0, _pendingLength)));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)_pendingLength);
        _inner.Write(trailer);
        _pendingLength = 0;
    }

    public override void Flush()
    {
        WriteBlock();
        _inner.Flush();
    }

    private bool _disposed;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            WriteBlock();
            _inner.Write(EofBlock);
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>CRC-32 (IEEE 802.3, reflected), as gzip requires.</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffffffffu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        return crc ^ 0xffffffffu;
    }
}
