using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenoSynth.Pipeline.Store;

/// <summary>sha256 helpers and the one JSON form used for keys and manifests (stable property order, invariant numbers).</summary>
public static class Digest
{
    public static readonly JsonSerializerOptions CanonicalJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, CanonicalJson);

    /// <summary>Writes text to a temporary sibling and renames it over the target: readers never see half a file.</summary>
    public static void WriteAllTextAtomic(string path, string text)
    {
        var temp = path + $".tmp-{Environment.ProcessId}";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
