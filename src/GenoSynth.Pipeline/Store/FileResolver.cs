using GenoSynth.Pipeline.Spec;

namespace GenoSynth.Pipeline.Store;

/// <summary>
/// Finds an input by content: a file of the same name and sha256 in a mirror directory (searched recursively) wins;
/// otherwise the url is downloaded into the cache and verified. A spec therefore runs the same with or without a network.
/// </summary>
public sealed class FileResolver(IReadOnlyList<string> mirrors, string downloadDirectory, Action<string> log)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    public static IReadOnlyList<string> MirrorsFor(DataSpec data)
    {
        var list = new List<string>(data.Mirrors);
        var env = Environment.GetEnvironmentVariable("GENOSYNTH_MIRRORS");
        if (!string.IsNullOrEmpty(env)) list.AddRange(env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return list;
    }

    public string Resolve(RemoteFile file)
    {
        var cached = Path.Combine(downloadDirectory, file.Sha256, file.Name);
        if (File.Exists(cached) && Digest.OfFile(cached) == file.Sha256) return cached;

        var mismatches = new List<string>();
        foreach (var mirror in mirrors)
        {
            var dir = Path.GetFullPath(mirror);
            if (!Directory.Exists(dir)) continue;
            foreach (var candidate in Directory.EnumerateFiles(dir, file.Name, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (Digest.OfFile(candidate) == file.Sha256)
                {
                    log($"resolved {file.Name} from mirror {candidate}");
                    return candidate;
                }
                mismatches.Add(candidate);
            }
        }
        string mirrorNote = mirrors.Count == 0 ? "no mirror directories configured" : $"not in mirrors [{string.Join(", ", mirrors)}]";
        if (mismatches.Count > 0) mirrorNote += $"; {string.Join(", ", mismatches)} has a different sha256";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            var temp = cached + $".part-{Environment.ProcessId}";
            log($"downloading {file.Url}");
            using (var response = Http.GetAsync(file.Url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
            {
                response.EnsureSuccessStatusCode();
                using var body = response.Content.ReadAsStream();
                using var output = File.Create(temp);
                body.CopyTo(output);
            }
            var sha = Digest.OfFile(temp);
            if (sha != file.Sha256)
            {
                File.Delete(temp);
                throw new InputException($"{file.Url}: downloaded sha256 {sha} does not match the spec's {file.Sha256}");
            }
            File.Move(temp, cached, overwrite: true);
            return cached;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or UriFormatException
                                       or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InputException($"cannot resolve {file.Name} (sha256 {file.Sha256[..12]}…): {mirrorNote}, and the download from {file.Url} failed: {ex.Message}");
        }
    }
}
