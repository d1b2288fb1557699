using System.Diagnostics;
using System.Text;

namespace GenoSynth.Plink;

public sealed record PlinkRunResult(int ExitCode, string StandardOutput, string StandardError, string? LogPath, TimeSpan Elapsed);

/// <summary>Runs one PLINK command with an argument list (no shell), concurrently draining stdout and stderr.</summary>
public sealed class PlinkRunner(PlinkLocator locator, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(30);
    private readonly Dictionary<PlinkTool, string> _versions = new();

    public PlinkLocator Locator => locator;

    /// <summary>Runs PLINK; <paramref name="outPrefix"/> (the --out value) locates the log for error messages.</summary>
    public PlinkRunResult Run(PlinkTool tool, IReadOnlyList<string> arguments, string? outPrefix = null)
    {
        string binary = locator.Locate(tool);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new PlinkException($"could not start {binary}: {ex.Message}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(_timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
            throw new PlinkException($"{Path.GetFileName(binary)} {string.Join(' ', arguments)} timed out after {_timeout.TotalSeconds:F0} s and was killed");
        }
        process.WaitForExit(); // flushes the asynchronous readers
        string? log = outPrefix is null ? null : outPrefix + ".log";
        var result = new PlinkRunResult(process.ExitCode, stdout.ToString(), stderr.ToString(), log is not null && File.Exists(log) ? log : null, clock.Elapsed);
        if (result.ExitCode != 0)
            throw new PlinkException($"{Path.GetFileName(binary)} exited with code {result.ExitCode}: {ErrorLine(result)}" +
                (result.LogPath is null ? "" : $" (log: {result.LogPath})"));
        return result;
    }

    /// <summary>The first line of PLINK's version banner, e.g. "PLINK v2.00a3.5 AVX2 (9 Aug 2022)".</summary>
    public string Version(PlinkTool tool)
    {
        lock (_versions)
        {
            if (_versions.TryGetValue(tool, out var v)) return v;
            var r = Run(tool, ["--version"]);
            v = r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "unknown";
            _versions[tool] = v;
            return v;
        }
    }

    private static string ErrorLine(PlinkRunResult r)
    {
        var text = r.StandardOutput + "\n" + r.StandardError;
        if (r.LogPath is not null) text = File.ReadAllText(r.LogPath) + "\n" + text;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].StartsWith("Error:", StringComparison.Ordinal))
            {
                var sb = new StringBuilder(lines[i].Trim());
                for (int k = i + 1; k < lines.Length && lines[k].Trim().Length > 0 && !lines[k].StartsWith("End time", StringComparison.Ordinal); k++)
                    sb.Append(' ').Append(lines[k].Trim());
                return sb.ToString();
            }
        var last = lines.Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        return last ?? "no output";
    }
}
