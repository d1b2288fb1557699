using System.Globalization;
using GenoSynth.Evaluation;

namespace GenoSynth.Reports;

/// <summary>
/// The report tables for dense regions and whole chromosomes, as rows of cells that the Markdown and HTML reports
/// lay out in their own syntax: per-chromosome fidelity, haplotype blocks, and LD decay within the window.
/// </summary>
internal static class DenseSections
{
    public sealed record Table(string Title, string Lead, IReadOnlyList<string> Header,
        IReadOnlyList<IReadOnlyList<string>> Rows);

    public static IEnumerable<Table> All(MetricsDocument doc, PlotData? plots)
    {
        if (Chromosomes(doc) is { } chromosomes) yield return chromosomes;
        if (plots is null) yield break;
        if (Blocks(doc, plots) is { } blocks) yield return blocks;
        if (WindowDecay(doc, plots) is { } decay) yield return decay;
    }

    private static Table? Chromosomes(MetricsDocument doc)
    {
        var sets = doc.Sets.Where(s => s.Chromosomes is { Count: > 0 }).ToList();
        if (sets.Count == 0) return null;
        var keys = sets[0].Chromosomes![0].Fidelity.Keys.ToList();
        var header = new List<string> { "chromosome", "variants" };
        foreach (var key in keys) header.AddRange([$"{key}: holdout", .. sets.Select(s => s.Name)]);
        var rows = new List<IReadOnlyList<string>>();
        for (int c = 0; c < sets[0].Chromosomes!.Count; c++)
        {
            var first = sets[0].Chromosomes![c];
            var row = new List<string> { first.Chromosome, first.Variants.ToString(CultureInfo.InvariantCulture) };
            foreach (var key in keys)
            {
                row.Add(Format.Number(first.Fidelity[key].Reference));
                row.AddRange(sets.Select(s => Format.WithSd(s.Chromosomes![c].Fidelity[key])));
            }
            rows.Add(row);
        }
        return new Table("Per chromosome", "Allele frequencies and LD r² of window pairs, chromosome by chromosome: " +
            "each set vs real train (vs holdout in brackets); the holdout column is the holdout vs train.",
            header, rows);
    }

    private static Table? Blocks(MetricsDocument doc, PlotData plots)
    {
        if (plots.Blocks is not { Count: > 0 } blocks) return null;
        var order = new[] { "real train", "holdout" }.Concat(doc.Sets.Select(s => s.Name)).Where(blocks.ContainsKey);
        var rows = order.Select(name =>
        {
            var b = blocks[name];
            return (IReadOnlyList<string>)[name, b.Blocks.ToString(CultureInfo.InvariantCulture),
                Format.Number(b.MedianKb), Format.Number(b.MeanVariants), Format.Number(b.Coverage)];
        }).ToList();
        int individuals = blocks.Values.First().Individuals;
        return new Table("Haplotype blocks", $"plink1.9 --blocks on {individuals} individuals of each set (block " +
            "finding depends on the sample size, so every set is reduced to the holdout's); a block spans its first " +
            "to its last listed variant.",
            ["set", "blocks", "median length (kb)", "mean variants", "share of variants in blocks"], rows);
    }

    private static Table? WindowDecay(MetricsDocument doc, PlotData plots)
    {
        if (plots.WindowDecayBinEdges is not { Length: > 0 } edges || plots.TrainWindowDecay is null) return null;
        var curves = new List<(string Name, double[] Curve)>
            { ("real train", plots.TrainWindowDecay), ("holdout", plots.HoldoutWindowDecay!) };
        curves.AddRange(doc.Sets.Where(s => plots.SyntheticWindowDecay?.ContainsKey(s.Name) == true)
            .Select(s => (s.Name, plots.SyntheticWindowDecay![s.Name])));
        var rows = Enumerable.Range(0, edges.Length).Where(b => !double.IsNaN(plots.TrainWindowDecay[b]))
            .Select(b => (IReadOnlyList<string>)
                [BinLabel(edges, b, doc.Settings.LdWindowKb), .. curves.Select(c => Format.Number(c.Curve[b]))])
            .ToList();
        if (rows.Count == 0) return null;
        return new Table($"LD decay within {doc.Settings.LdWindowKb} kb",
            "Mean r² of same-chromosome pairs by distance.", ["distance", .. curves.Select(c => c.Name)], rows);
    }

    public static string BinLabel(long[] edges, int bin, int windowKb)
    {
        string end = bin + 1 < edges.Length ? Kb(edges[bin + 1]) : windowKb.ToString(CultureInfo.InvariantCulture);
        return $"{Kb(edges[bin])}-{end} kb";
    }

    private static string Kb(long bp) => (bp / 1000.0).ToString("0.#", CultureInfo.InvariantCulture);
}
