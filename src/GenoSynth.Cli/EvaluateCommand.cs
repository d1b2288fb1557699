using System.CommandLine;
using GenoSynth.Evaluation;
using GenoSynth.Pipeline.Evaluate;

namespace GenoSynth.Cli;

/// <summary>`genosynth evaluate`: score any synthetic sets against real data (metrics.json, report.md, report.html).</summary>
public static class EvaluateCommand
{
    public static Command Create(TextWriter output)
    {
        var real = new Option<string>("--real") { Description = "Real genotypes: .hapt(.gz) (+ .legend beside it or --legend), .bed or .vcf(.gz).", Required = true };
        var legend = new Option<string?>("--legend") { Description = "Legend of hapt files (default: the one .legend beside --real)." };
        var synthetic = new Option<string[]>("--synthetic") { Description = "A synthetic set (repeat for several), same variants as --real.", Required = true, AllowMultipleArgumentsPerToken = false };
        var names = new Option<string[]>("--name") { Description = "Display name of each synthetic set, in order (default: file name)." };
        var train = new Option<string?>("--train") { Description = "Individual ids of the real train split (one per line)." };
        var holdout = new Option<string?>("--holdout") { Description = "Individual ids of the real holdout (never seen by the generator)." };
        var labels = new Option<string?>("--labels") { Description = "Table of labels for real individuals (id column iid/sample/IID/id)." };
        var labelColumn = new Option<string>("--label-column") { Description = "Column of --labels to use.", DefaultValueFactory = _ => "label" };
        var syntheticLabels = new Option<string[]>("--synthetic-labels") { Description = "labels.tsv (id, label) of each synthetic set, in order." };
        var outDir = new Option<string>("--out") { Description = "Output directory.", Required = true };
        var title = new Option<string>("--title") { Description = "Report title.", DefaultValueFactory = _ => "GenoSynth evaluation" };
        var draw = new Option<int>("--aats-draw") { Description = "Rows per AATS draw.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random draw.", DefaultValueFactory = _ => 1UL };
        var noUtility = new Option<bool>("--no-utility") { Description = "Skip the classifier-based utility metrics." };
        var segments = new Option<string?>("--segments")
        {
            Description = "segments.tsv of a segmenting generator (segment, first_variant, last_variant): " +
                "LD across its boundaries.",
        };
        var blocks = new Option<bool>("--blocks")
        {
            Description = "Compare haplotype blocks (runs plink1.9 --blocks on every set).",
        };
        var command = new Command("evaluate", "Score synthetic genotypes (ours or external) for fidelity, privacy and utility against real data.")
        {
            real, legend, synthetic, names, train, holdout, labels, labelColumn, syntheticLabels, outDir, title, draw, seed, noUtility,
            segments, blocks,
        };
        command.SetAction(parse =>
        {
            var request = new EvaluationRequest(parse.GetValue(real)!, parse.GetValue(legend), parse.GetValue(synthetic) ?? [], parse.GetValue(names) ?? [],
                parse.GetValue(train), parse.GetValue(holdout), parse.GetValue(labels), parse.GetValue(labelColumn)!, parse.GetValue(syntheticLabels) ?? [],
                parse.GetValue(outDir)!, parse.GetValue(title)!,
                new EvaluationOptions(AatsDraw: parse.GetValue(draw), Seed: parse.GetValue(seed),
                    Utility: !parse.GetValue(noUtility)),
                parse.GetValue(segments), parse.GetValue(blocks));
            var doc = EvaluationRun.Run(request, line => output.WriteLine(line)).Metrics;
            foreach (var s in doc.Sets)
                output.WriteLine($"{s.Name}: AF r {Show(s.Fidelity["af_pearson"])}, LD r {Show(s.Fidelity["ld_r2_pearson"])}, " +
                    $"AA_truth {Show(s.Privacy["aa_truth"])}, AA_syn {Show(s.Privacy["aa_syn"])}, exact copies {Show(s.Privacy["exact_copies"])}");
            output.WriteLine($"wrote {Path.Combine(parse.GetValue(outDir)!, "metrics.json")}, report.md, report.html");
            return 0;
        });
        return command;
    }

    private static string Show(Metric m) => m.Value is double v ? v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
