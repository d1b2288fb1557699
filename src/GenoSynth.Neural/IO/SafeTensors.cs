using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace GenoSynth.Neural.IO;

public sealed class CheckpointException(string message) : Exception(message);

/// <summary>
/// The safetensors format (an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
/// and byte range, then raw little-endian data), so PyTorch users can open our checkpoints. F32 only.
/// Tensors are written in name order with "__metadata__" strings, so the same weights give the same bytes.
/// </summary>
public static class SafeTensors
{
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var duplicate = ordered.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CheckpointException($"duplicate tensor name '{duplicate.Key}'");
        var header = new StringBuilder("{");
        if (metadata is { Count: > 0 })
        {
            header.Append("\"__metadata__\":{");
            header.Append(string.Join(",", metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{JsonSerializer.Serialize(m.Key)}:{JsonSerializer.Serialize(m.Value)}")));
            header.Append('}');
            if (ordered.Count > 0) header.Append(',');
        }
        long offset = 0;
        header.Append(string.Join(",", ordered.Select(t =>
        {
            long end = offset + 4L * t.Tensor.Length;
            var entry = $"{JsonSerializer.Serialize(t.Name)}:{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", t.Tensor.Shape)}],\"data_offsets\":[{offset},{end}]}}";
            offset = end;
            return entry;
        })));
        header.Append('}');
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        int padded = (headerBytes.Length + 7) / 8 * 8; // align the data to 8 bytes, padding with spaces as the format allows
        var temp = path + $".tmp-{Environment.ProcessId}";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            file.Write(length);
            file.Write(headerBytes);
            for (int i = headerBytes.Length; i < padded; i++) file.WriteByte((byte)' ');
            var buffer = new byte[1 << 16];
            foreach (var (_, t) in ordered)
            {
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Span);
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts");
                file.Write(bytes);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    public sealed record Loaded(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

    public static Loaded Load(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: checkpoint not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new CheckpointException($"{path}: too short for a safetensors file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new CheckpointException($"{path}: header length {headerLength} exceeds the file");
        JsonDocument header;
        try { header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)); }
        catch (JsonException ex) { throw new CheckpointException($"{path}: unreadable header: {ex.Message}"); }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        int dataStart = 8 + (int)headerLength;
        foreach (var property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (var m in property.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                continue;
            }
            var dtype = property.Value.GetProperty("dtype").GetString();
            if (dtype != "F32") throw new CheckpointException($"{path}: tensor '{property.Name}' has dtype {dtype}; only F32 is supported");
            var shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long count = ShapeUtil.Count(shape);
            if (offsets[1] - offsets[0] != 4 * count || dataStart + offsets[1] > bytes.Length)
                throw new CheckpointException($"{path}: tensor '{property.Name}' byte range does not match shape {ShapeUtil.Format(shape)}");
            var data = new float[count];
            Buffer.BlockCopy(bytes, dataStart + (int)offsets[0], data, 0, (int)(4 * count));
            tensors[property.Name] = new Tensor(data, shape) { Name = property.Name };
        }
        return new Loaded(tensors, metadata);
    }

    /// <summary>Copies a checkpoint into existing tensors, failing clearly on a missing, unexpected or mis-shaped name.</summary>
    public static void LoadInto(string path, IEnumerable<(string Name, Tensor Tensor)> targets) =>
        CopyInto(path, Load(path).Tensors, targets, rejectUnexpected: true);

    /// <summary>Copies the named tensors out of a loaded checkpoint; with rejectUnexpected, extra names are an error too.</summary>
    public static void CopyInto(string path, IReadOnlyDictionary<string, Tensor> loaded, IEnumerable<(string Name, Tensor Tensor)> targets, bool rejectUnexpected)
    {
        var unused = loaded.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, target) in targets)
        {
            if (!loaded.TryGetValue(name, out var source))
                throw new CheckpointException($"{path}: tensor '{name}' is missing from the checkpoint");
            if (!ShapeUtil.SameShape(source.Shape, target.Shape))
                throw new CheckpointException($"{path}: tensor '{name}' has shape {ShapeUtil.Format(source.Shape)}, the model expects {ShapeUtil.Format(target.Shape)}");
            source.Span.CopyTo(target.Span);
            unused.Remove(name);
        }
        if (rejectUnexpected && unused.Count > 0)
            throw new CheckpointException($"{path}: unexpected tensor(s) {string.Join(", ", unused.Order().Take(5))} not in the model");
    }
}
