using System.Text.Json;
using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Pipeline.Store;
using GenoSynth.Reports;

namespace GenoSynth.Pipeline.Evaluate;

/// <summary>Files and settings of one evaluation: a real set (with its split and labels) and synthetic sets to score.</summary>
public sealed record EvaluationRequest(
    string Real, string? Legend, IReadOnlyList<string> Synthetic, IReadOnlyList<string> Names, string? Train, string? Holdout,
    string? Labels, string LabelColumn, IReadOnlyList<string> SyntheticLabels, string OutputDirectory, string Title,
    EvaluationOptions Options, string? Segments = null, bool Blocks = false);

/// <summary>
/// Evaluates any synthetic sets (ours or external, e.g. Yelmen's published genomes) against real data and writes
/// metrics.json, report.md and report.html into the output directory, each written whole or not at all.
/// </summary>
public static class EvaluationRun
{
    public const string MetricsFile = "metrics.json";

    public static EvaluationResult Run(EvaluationRequest request, Action<string> log)
    {
        var real = EvaluationInputs.Load(request.Real, "real", request.Legend);
        var set = real.Set;
        if (request.Labels is not null)
            set = EvaluationInputs.AttachLabels(set, EvaluationInputs.ReadLabels(request.Labels, request.LabelColumn), request.Labels);

        HashSet<string> trainIds, holdoutIds;
        if (request.Train is not null && request.Holdout is not null)
        {
            trainIds = EvaluationInputs.ReadIds(request.Train);
            holdoutIds = EvaluationInputs.ReadIds(request.Holdout);
            if (trainIds.Overlaps(holdoutIds)) throw new InputException($"{request.Train} and {request.Holdout} share individuals");
        }
        else if (request.Train is null && request.Holdout is null)
        {
            // No split given: half of the individuals, drawn with the seed, serve as the holdout.
            var individuals = set.Individuals.Distinct().ToList();
            new SeededRandom(request.Options.Seed).Shuffle(individuals);
            holdoutIds = individuals.Take(individuals.Count / 2).ToHashSet(StringComparer.Ordinal);
            trainIds = individuals.Skip(individuals.Count / 2).ToHashSet(StringComparer.Ordinal);
            log($"no --train/--holdout given: {holdoutIds.Count} of {individuals.Count} individuals drawn as the holdout (seed {request.Options.Seed})");
        }
        else throw new InputException("--train and --holdout go together");

        var train = set.SelectIndividuals(trainIds, "train");
        var holdout = set.SelectIndividuals(holdoutIds, "holdout");
        if (train.Rows == 0 || holdout.Rows == 0)
            throw new InputException($"the split leaves {train.Rows} train and {holdout.Rows} holdout rows of {request.Real}: do the id files name its individuals?");

        var synthetic = new List<GenotypeRows>();
        for (int i = 0; i < request.Synthetic.Count; i++)
        {
            string name = i < request.Names.Count ? request.Names[i] : Path.GetFileName(request.Synthetic[i]).Split('.')[0];
            var loaded = EvaluationInputs.Load(request.Synthetic[i], name, real.HasVariantTable ? null : request.Legend).Set;
            if (loaded.Variants != train.Variants)
                throw new InputException($"{request.Synthetic[i]}: {loaded.Variants} variants, the real data have {train.Variants}");
            if (i < request.SyntheticLabels.Count && request.SyntheticLabels[i].Length > 0)
                loaded = EvaluationInputs.AttachLabels(loaded, EvaluationInputs.ReadLabels(request.SyntheticLabels[i], "label"), request.SyntheticLabels[i]);
            synthetic.Add(loaded);
        }
        log($"evaluating {string.Join(", ", synthetic.Select(s => $"{s.Name} ({s.Rows})"))} against train {train.Rows} / holdout {holdout.Rows} rows x {train.Variants} variants");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var segments = request.Segments is null ? null : Genotypes.SegmentTable.Read(request.Segments, train.Variants);
        using var scratch = request.Blocks ? new ScratchDirectory() : null;
        var blocks = scratch is null ? null
            : PlinkBlocks.Finder(new Plink.PlinkOperations(new Plink.PlinkRunner(new Plink.PlinkLocator())),
                real.Positions, scratch.Path);
        EvaluationResult result;
        try
        {
            result = new Evaluator(request.Options)
                .Evaluate(train, holdout, synthetic, real.Positions, segments, blocks);
        }
        catch (ArgumentException ex) // mismatched sets or labels: a problem of the inputs, reported as one line
        {
            throw new InputException(ex.Message);
        }
        log($"metrics computed in {clock.Elapsed.TotalSeconds:F1} s");
        Write(result, request.OutputDirectory, request.Title);
        return result;
    }

    public static readonly JsonSerializerOptions Json = new(Digest.CanonicalJson) { WriteIndented = true };

    /// <summary>Writes the three files into a temporary sibling directory, then moves each into place.</summary>
    public static void Write(EvaluationResult result, string outputDirectory, string title)
    {
        var target = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + $".tmp-{Environment.ProcessId}";
        Directory.CreateDirectory(temp);
        try
        {
            File.WriteAllText(Path.Combine(temp, MetricsFile), JsonSerializer.Serialize(result.Metrics, Json) + "\n");
            File.WriteAllText(Path.Combine(temp, "report.md"),
                MarkdownReport.Render(result.Metrics, title, plots: result.Plots));
            File.WriteAllText(Path.Combine(temp, "report.html"), HtmlReport.Render(result.Metrics, result.Plots, title));
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(temp)) File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>A temporary directory for PLINK filesets, removed on dispose.</summary>
    private sealed class ScratchDirectory : IDisposable
    {
        public string Path { get; } =
            System.IO.Path.Combine(System.IO.Path.GetTempPath(), "genosynth-evaluate-" + Guid.NewGuid().ToString("N"));

        public ScratchDirectory() => Directory.CreateDirectory(Path);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
