using System.Text.Json;

namespace GenoSynth.Pipeline.Store;

/// <summary>
/// Content-addressed cache: each stage run lives in &lt;root&gt;/&lt;stage&gt;/&lt;key&gt;/ with its outputs and a
/// stage.json record. A run writes into a temporary directory that is renamed into place only when complete, so an
/// interrupted run leaves nothing that looks finished. A cache hit re-checks every output's digest.
/// </summary>
public sealed class ArtifactStore(string root)
{
    public const string RecordFile = "stage.json";

    public string Root { get; } = Path.GetFullPath(root);

    public string DirectoryFor(string stage, string key) => Path.Combine(Root, stage, key);

    /// <summary>The record of a complete, intact cached run, or null (with the reason) when it must be recomputed.</summary>
    public StageRecord? TryLoad(string stage, string key, out string? invalidReason)
    {
        invalidReason = null;
        var dir = DirectoryFor(stage, key);
        var recordPath = Path.Combine(dir, RecordFile);
        if (!File.Exists(recordPath)) return null;
        StageRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<StageRecord>(File.ReadAllText(recordPath), Digest.CanonicalJson);
        }
        catch (JsonException)
        {
            record = null;
        }
        if (record is null || record.Key != key)
        {
            invalidReason = "its record is unreadable";
            return null;
        }
        foreach (var (file, digest) in record.Outputs)
        {
            var path = Path.Combine(dir, file);
            if (!File.Exists(path)) { invalidReason = $"{file} is missing"; return null; }
            if (new FileInfo(path).Length != digest.Bytes || Digest.OfFile(path) != digest.Sha256)
            {
                invalidReason = $"{file} does not match its recorded sha256 (changed or corrupted)";
                return null;
            }
        }
        return record;
    }

    /// <summary>A fresh private directory for a stage run; <see cref="Commit"/> or <see cref="Abandon"/> it.</summary>
    public string BeginWrite(string stage, string key)
    {
        var dir = Path.Combine(Root, stage, $".tmp-{key[..16]}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Digests the outputs, writes the record and renames the directory into place.</summary>
    public StageRecord Commit(string tempDir, StageRecord partialRecord)
    {
        var outputs = new SortedDictionary<string, FileDigest>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(tempDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(tempDir, file).Replace('\\', '/');
            outputs[relative] = new FileDigest(Digest.OfFile(file), new FileInfo(file).Length);
        }
        var record = partialRecord with { Outputs = outputs };
        File.WriteAllText(Path.Combine(tempDir, RecordFile), Digest.ToJson(record));
        var final = DirectoryFor(record.Stage, record.Key);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // a corrupted earlier run of the same key
        Directory.Move(tempDir, final);
        return record;
    }

    public void Abandon(string tempDir)
    {
        try { if (Directory.Exists(tempDir)) Directory.Delete(tempDir, recursive: true); }
        catch (IOException) { }
    }

    public void Invalidate(string stage, string key)
    {
        var dir = DirectoryFor(stage, key);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Removes temporary directories left by runs that were killed.</summary>
    public void RemoveStaleTemporaries(string stage)
    {
        var dir = Path.Combine(Root, stage);
        if (!Directory.Exists(dir)) return;
        foreach (var temp in Directory.GetDirectories(dir, ".tmp-*"))
        {
            var parts = Path.GetFileName(temp).Split('-');
            if (parts.Length >= 3 && int.TryParse(parts[2], out int pid) && pid != Environment.ProcessId && !ProcessAlive(pid))
                try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    private static bool ProcessAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
