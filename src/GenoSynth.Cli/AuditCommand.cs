using System.CommandLine;
using GenoSynth.Pipeline;

namespace GenoSynth.Cli;

/// <summary>`genosynth audit`: re-run a manifest's exact config from scratch and compare every artifact digest.</summary>
public static class AuditCommand
{
    public static Command Create(TextWriter output)
    {
        var manifest = new Option<string>("--manifest") { Description = "results/<experiment>/manifest.json to audit.", Required = true };
        var work = new Option<string?>("--work") { Description = "Directory for the re-run (default: a new temporary directory, removed afterwards)." };
        var command = new Command("audit", "Re-run the exact config of a manifest from scratch and compare every artifact digest (exit 1 on any difference).")
        {
            manifest, work,
        };
        command.SetAction(parse =>
        {
            var keep = parse.GetValue(work);
            var directory = keep ?? Path.Combine(Path.GetTempPath(), "genosynth-audit-" + Guid.NewGuid().ToString("N"));
            try
            {
                var differences = Audit.Run(parse.GetValue(manifest)!, directory, line => output.WriteLine(line));
                foreach (var d in differences) output.WriteLine($"DIFFERS {d.Stage} {d.What}: recorded {d.Recorded}, re-run {d.Rerun}");
                output.WriteLine(differences.Count == 0 ? "audit passed: every stage key and artifact digest matches the manifest"
                    : $"audit failed: {differences.Count} difference(s)");
                return differences.Count == 0 ? 0 : 1;
            }
            finally
            {
                if (keep is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            }
        });
        return command;
    }
}
