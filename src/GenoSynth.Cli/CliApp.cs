using System.CommandLine;
using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Stages;
using GenoSynth.Plink;

namespace GenoSynth.Cli;

/// <summary>The `genosynth` command tree. Exit codes: 0 success, 2 user-facing error, 1 usage error.</summary>
public static class CliApp
{
    public const int ErrorExitCode = 2;

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var errors = stderr ?? Console.Error;
        var root = new RootCommand("GenoSynth: synthetic genotypes from real PLINK/VCF data, with a reproducible evaluation.");
        root.Subcommands.Add(StageCommand(output));
        root.Subcommands.Add(InspectCommand(output));
        root.Subcommands.Add(EvaluateCommand.Create(output));
        root.Subcommands.Add(AuditCommand.Create(output));
        root.Subcommands.Add(BenchCommand.Create(output));
        root.Subcommands.Add(LeaderboardCommand.Create(output));
        root.Subcommands.Add(SpecDocsCommand.Create(output));
        try
        {
            var parsed = root.Parse(args);
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            errors.WriteLine($"error: {ex.Message}");
            return ErrorExitCode;
        }
    }

    public static bool IsUserError(Exception ex) =>
        ex is SpecException or InputException or GenotypeFormatException or PlinkException or LockedException
            or GenoSynth.Neural.IO.CheckpointException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException;

    private static Command StageCommand(TextWriter output)
    {
        var name = new Argument<string>("name")
        {
            Description = "Stage to run (its upstream stages run first, or are taken from the cache): " +
                string.Join(", ", StageCatalog.All.Select(s => s.Name)),
        };
        name.AcceptOnlyFromAmong(StageCatalog.All.Select(s => s.Name).ToArray());
        var spec = new Option<string>("--spec") { Description = "Experiment spec (YAML).", DefaultValueFactory = _ => "workflows/1kg-805-haplotypes.yaml" };
        var force = new Option<bool>("--force") { Description = "Recompute the named stage even if it is cached (upstream stages still come from the cache)." };
        var cache = new Option<string>("--cache")
        {
            Description = "Cache directory (default: $GENOSYNTH_CACHE or .genosynth-cache).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GENOSYNTH_CACHE") is { Length: > 0 } c ? c : ".genosynth-cache",
        };
        var results = new Option<string>("--results") { Description = "Results directory.", DefaultValueFactory = _ => "results" };
        var command = new Command("stage", "Run one pipeline stage (and whatever it needs) for an experiment spec.") { name, spec, force, cache, results };
        command.SetAction(parse =>
        {
            var loaded = SpecLoader.Load(parse.GetValue(spec)!);
            var runner = new PipelineRunner(new PipelineOptions(parse.GetValue(cache)!, parse.GetValue(results)!, parse.GetValue(force),
                TimeSpan.FromSeconds(2), line => output.WriteLine(line)));
            runner.Run(loaded, parse.GetValue(name)!);
            return 0;
        });
        return command;
    }

    private static Command InspectCommand(TextWriter output)
    {
        var file = new Argument<string>("file") { Description = "A .bed (or prefix), .vcf, .vcf.gz or .hapt(.gz) file." };
        var command = new Command("inspect", "Print format, samples, variants, ploidy and missingness of a genotype file.") { file };
        command.SetAction(parse =>
        {
            var s = GenotypeInspector.Inspect(parse.GetValue(file)!);
            output.WriteLine($"file:        {s.Path}");
            output.WriteLine($"format:      {s.Format}");
            output.WriteLine($"samples:     {s.Samples}");
            output.WriteLine($"variants:    {s.Variants}");
            output.WriteLine($"ploidy:      {s.Ploidy}{(s.Phased ? " (phased)" : "")}");
            output.WriteLine($"missingness: {s.MissingRate.ToString("P3", CultureInfo.InvariantCulture)}");
            if (s.Note.Length > 0) output.WriteLine($"note:        {s.Note}");
            return 0;
        });
        return command;
    }
}
