using System.Net;
using System.Text;
using GenoSynth.Evaluation;

namespace GenoSynth.Reports;

/// <summary>report.html: one self-contained file (inline CSS and SVG, no scripts) that opens offline.</summary>
public static class HtmlReport
{
    private const string Css = """
        body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
        h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
        p.lead{color:#555}table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
        th{background:#f4f6f8}td:first-child,th:first-child{text-align:left;font-family:ui-monospace,Menlo,Consolas,monospace}
        td.ref{background:#f7f7f7}.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:12px;color:#555;max-width:360px}
        svg .title{font-size:12px;font-weight:600}svg .tick{font-size:9px;fill:#555}svg .axis{font-size:10px;fill:#333}svg .frame{fill:none;stroke:#bbb}
        .note{font-size:13px;color:#555}
        """;

    public static string Render(MetricsDocument metrics, PlotData plots, string title, IReadOnlyList<string>? preface = null)
    {
        var doc = new View(metrics, plots);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
        sb.Append($"<title>{Encode(title)}</title><style>{Css}</style></head><body>");
        sb.Append($"<h1>{Encode(title)}</h1><p class=\"lead\">{doc.Real.Variants} variants, unit {doc.Real.Unit}: real train {doc.Real.TrainRows} rows, holdout {doc.Real.HoldoutRows} rows");
        sb.Append(doc.Real.Labels.Count > 0 ? $", labels {Encode(string.Join(", ", doc.Real.Labels))}" : "").Append(". ");
        sb.Append("The <b>holdout</b> column is each metric for real genomes the generator never saw: what a perfect generator reaches. ");
        sb.Append("Fidelity cells also give the set's comparison with the holdout itself (vs holdout).</p>");

        foreach (var line in preface ?? []) sb.Append($"<p class=\"lead\"><b>{Encode(line)}</b></p>");
        sb.Append("<h2>Side by side</h2>").Append(Table(doc));
        sb.Append("<h2>Allele frequencies</h2><div class=\"grid\">").Append(Figure(FrequencyScatter(doc, "holdout", doc.Plots.HoldoutFrequencies), "holdout vs train: the sampling noise of a fresh real sample"));
        foreach (var (name, af) in doc.Plots.SyntheticFrequencies) sb.Append(Figure(FrequencyScatter(doc, name, af), $"{name} vs real train"));
        sb.Append("</div><h2>Linkage disequilibrium</h2><div class=\"grid\">");
        foreach (var (name, ld) in doc.Plots.SyntheticLd) sb.Append(Figure(LdHeatmap(doc, name, ld), $"r² of the first {doc.Plots.LdVariants} variants: real train above the diagonal, {name} below"));
        sb.Append(Figure(Decay(doc), "mean r² of same-chromosome pairs by distance"));
        if (WindowDecay(doc) is { } windowDecay)
            sb.Append(Figure(windowDecay, $"mean r² of pairs within {metrics.Settings.LdWindowKb} kb by distance: " +
                "each set against real train and the holdout (a generator as good as fresh real data lies on the " +
                "holdout's curve)"));
        sb.Append("</div>");
        sb.Append("<h2>Population structure</h2><div class=\"grid\">").Append(Figure(PcaPlot("real train", doc.Plots.TrainPca, doc), "PCA fitted on real train"));
        foreach (var (name, points) in doc.Plots.SyntheticPca) sb.Append(Figure(PcaPlot(name, points, doc), $"{name} projected on the real-train PCs"));
        sb.Append("</div><h2>Distances and privacy</h2><div class=\"grid\">").Append(Figure(Histogram("pairwise distances within a set", doc.Plots.TrainPairwise, "real train", doc.Plots.SyntheticPairwise), "within-set pairwise distances"));
        sb.Append(Figure(Histogram("distance to the closest training row", doc.Plots.DistanceToClosestTrain["holdout"], "holdout",
            doc.Plots.DistanceToClosestTrain.Where(kv => kv.Key != "holdout").ToDictionary()), "0 = an exact copy of a training genome"));
        sb.Append(Figure(AatsBars(doc), "nearest-neighbour adversarial accuracy; 0.5 is ideal"));
        if (plots.LongestRuns is { Count: > 1 } runs)
            sb.Append(Figure(Histogram("longest run identical to a training row", runs["holdout"], "holdout",
                    runs.Where(kv => kv.Key != "holdout").ToDictionary()),
                "per row, the longest run of variants identical to its closest training row; copying shows as runs " +
                "longer than the holdout's"));
        sb.Append("</div>");
        foreach (var table in DenseSections.All(metrics, plots))
        {
            sb.Append($"<h2>{Encode(table.Title)}</h2><p class=\"note\">{Encode(table.Lead)}</p><table><tr>");
            sb.Append(string.Concat(table.Header.Select(h => $"<th>{Encode(h)}</th>"))).Append("</tr>");
            foreach (var row in table.Rows)
                sb.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{Encode(c)}</td>"))).Append("</tr>");
            sb.Append("</table>");
        }
        if (plots.LossCurve is { Count: > 1 } curve)
            sb.Append("<h2>Training</h2><div class=\"grid\">").Append(Figure(Loss(curve), "smoothed training loss and validation loss (checkpoint chosen on validation)")).Append("</div>");
        var notes = doc.Sets.SelectMany(s => s.Notes.Select(n => $"{s.Name}: {n}")).ToList();
        if (notes.Count > 0) sb.Append("<h2>Notes</h2><ul class=\"note\">").Append(string.Concat(notes.Select(n => $"<li>{Encode(n)}</li>"))).Append("</ul>");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>The metrics and plot data together, as the drawing helpers read them.</summary>
    private sealed record View(MetricsDocument Metrics, PlotData Plots)
    {
        public RealSummary Real => Metrics.Real;
        public IReadOnlyList<SetMetrics> Sets => Metrics.Sets;
    }

    private static string Loss(IReadOnlyList<LossPoint> curve)
    {
        var steps = curve.Select(p => (double)p.Step).ToList();
        var values = curve.Select(p => p.TrainLoss).Concat(curve.Where(p => p.ValidationLoss is not null).Select(p => p.ValidationLoss!.Value)).ToList();
        var svg = new Svg(360, 280, "training loss").Axes(0, steps.Max(), 0, values.Max() * 1.1, "step", "cross-entropy");
        svg.Line(steps, curve.Select(p => p.TrainLoss).ToList(), Svg.Palette[0]).Legend("train", Svg.Palette[0]);
        svg.Line(steps, curve.Select(p => p.ValidationLoss ?? double.NaN).ToList(), Svg.Palette[1]).Legend("validation", Svg.Palette[1]);
        return svg.ToString();
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);

    private static string Figure(string svg, string caption) => $"<figure>{svg}<figcaption>{Encode(caption)}</figcaption></figure>";

    private static string Table(View doc)
    {
        var sb = new StringBuilder("<table><tr><th>metric</th><th>holdout</th>");
        foreach (var s in doc.Sets) sb.Append($"<th>{Encode(s.Name)}</th>");
        sb.Append("<th>ideal</th></tr>");
        foreach (var (section, key, description) in Format.Rows(doc.Metrics))
        {
            sb.Append($"<tr title=\"{Encode(description)}\"><td>{section}.{key}</td><td class=\"ref\">{Format.Number(Format.Reference(doc.Metrics, section, key))}</td>");
            foreach (var s in doc.Sets) sb.Append($"<td>{(Format.Get(s, section, key) is { } m ? Encode(Format.WithSd(m)) : "-")}</td>");
            var ideal = Format.Ideal(doc.Metrics, section, key);
            sb.Append($"<td>{(ideal is null ? "holdout" : Format.Number(ideal))}</td></tr>");
        }
        return sb.Append("</table>").ToString();
    }

    private static string FrequencyScatter(View doc, string name, double[] frequencies) =>
        new Svg(300, 280, $"allele frequency: {name}").Axes(0, 1, 0, 1, "real train", name)
            .Line([0, 1], [0, 1], "#999", dashed: true).Points(doc.Plots.TrainFrequencies, frequencies, Svg.Palette[0]).ToString();

    private static string LdHeatmap(View doc, string name, float[] synthetic)
    {
        int m = doc.Plots.LdVariants;
        var svg = new Svg(300, 300, $"LD r²: real (upper) / {name} (lower)").Axes(0, m, 0, m, "variant", "variant");
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double v = i == j ? 1 : j > i ? doc.Plots.TrainLd[i * m + j] : synthetic[i * m + j];
                svg.Cell(j, m - 1 - i, 1, Svg.Heat(v));
            }
        return svg.ToString();
    }

    private static string Decay(View doc)
    {
        var bins = Enumerable.Range(0, doc.Plots.DecayBinEdges.Length).Select(b => (double)b).ToArray();
        double max = new[] { doc.Plots.TrainDecay, doc.Plots.HoldoutDecay }.Concat(doc.Plots.SyntheticDecay.Values)
            .SelectMany(v => v).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max();
        var svg = new Svg(360, 280, "LD decay").Axes(0, bins.Length - 1, 0, Math.Max(0.05, max * 1.1), "distance bin (0: <1 kb ... 5: >10 Mb)", "mean r²", bins.Length - 1);
        svg.Line(bins, doc.Plots.TrainDecay, "#222").Legend("real train", "#222");
        svg.Line(bins, doc.Plots.HoldoutDecay, "#999", dashed: true).Legend("holdout", "#999");
        int c = 0;
        foreach (var (name, decay) in doc.Plots.SyntheticDecay) { svg.Line(bins, decay, Svg.Palette[c % 10]).Legend(name, Svg.Palette[c % 10]); c++; }
        return svg.ToString();
    }

    private static string? WindowDecay(View doc)
    {
        var plots = doc.Plots;
        if (plots.WindowDecayBinEdges is not { Length: > 1 } edges || plots.TrainWindowDecay is null) return null;
        var curves = new List<(string Name, double[] Curve)>
            { ("real train", plots.TrainWindowDecay), ("holdout", plots.HoldoutWindowDecay!) };
        curves.AddRange((plots.SyntheticWindowDecay ?? []).Select(kv => (kv.Key, kv.Value)));
        double max = curves.SelectMany(c => c.Curve).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max();
        var bins = Enumerable.Range(0, edges.Length).Select(b => (double)b).ToArray();
        int windowKb = doc.Metrics.Settings.LdWindowKb;
        string last = DenseSections.BinLabel(edges, edges.Length - 1, windowKb);
        string axis = $"distance bin (0: <1 kb ... {bins.Length - 1}: {last})";
        var svg = new Svg(360, 280, $"LD decay within {windowKb} kb")
            .Axes(0, bins.Length - 1, 0, Math.Max(0.05, max * 1.1), axis, "mean r²", bins.Length - 1);
        svg.Line(bins, curves[0].Curve, "#222").Legend("real train", "#222");
        svg.Line(bins, curves[1].Curve, "#999", dashed: true).Legend("holdout", "#999");
        for (int c = 2; c < curves.Count; c++)
        {
            string colour = Svg.Palette[(c - 2) % 10];
            svg.Line(bins, curves[c].Curve, colour).Legend(curves[c].Name, colour);
        }
        return svg.ToString();
    }

    private static string PcaPlot(string name, PcaPoints points, View doc)
    {
        var all = new[] { doc.Plots.TrainPca }.Concat(doc.Plots.SyntheticPca.Values).ToList();
        double x0 = all.SelectMany(p => p.Pc1).Min(), x1 = all.SelectMany(p => p.Pc1).Max();
        double y0 = all.SelectMany(p => p.Pc2).Min(), y1 = all.SelectMany(p => p.Pc2).Max();
        var svg = new Svg(300, 280, $"PCA: {name}").Axes(x0, x1, y0, y1, "PC1", "PC2");
        var labels = doc.Real.Labels;
        int step = Math.Max(1, points.Pc1.Length / 1500);
        if (points.Labels is null)
        {
            var idx = Enumerable.Range(0, points.Pc1.Length).Where(i => i % step == 0).ToList();
            svg.Points(idx.Select(i => (double)points.Pc1[i]).ToList(), idx.Select(i => (double)points.Pc2[i]).ToList(), Svg.Palette[8]);
        }
        else
            for (int l = 0; l < labels.Count; l++)
            {
                var idx = Enumerable.Range(0, points.Pc1.Length).Where(i => i % step == 0 && points.Labels[i] == labels[l]).ToList();
                string color = Svg.Palette[l % 10];
                svg.Points(idx.Select(i => (double)points.Pc1[i]).ToList(), idx.Select(i => (double)points.Pc2[i]).ToList(), color);
                if (labels.Count <= 10) svg.Legend(labels[l], color);
            }
        return svg.ToString();
    }

    private static string Histogram(string title, double[] reference, string referenceName, Dictionary<string, double[]> others)
    {
        var everything = reference.Concat(others.Values.SelectMany(v => v)).ToList();
        double lo = everything.Count == 0 ? 0 : everything.Min(), hi = everything.Count == 0 ? 1 : everything.Max();
        const int bins = 30;
        double width = Math.Max(1e-9, (hi - lo) / bins);
        double[] Density(double[] values)
        {
            var counts = new double[bins];
            foreach (var v in values) counts[Math.Min(bins - 1, (int)((v - lo) / width))]++;
            return counts.Select(c => values.Length == 0 ? 0 : c / values.Length).ToArray();
        }
        var series = new List<(string, double[], string)> { (referenceName, Density(reference), "#222") };
        int c = 0;
        foreach (var (name, values) in others) series.Add((name, Density(values), Svg.Palette[c++ % 10]));
        double max = series.SelectMany(s => s.Item2).DefaultIfEmpty(1).Max();
        var svg = new Svg(360, 280, title).Axes(lo, hi, 0, max * 1.1, "distance", "share of rows / pairs");
        var centres = Enumerable.Range(0, bins).Select(b => lo + (b + 0.5) * width).ToArray();
        foreach (var (name, density, color) in series) svg.Line(centres, density, color, dashed: name == referenceName).Legend(name, color);
        return svg.ToString();
    }

    private static string AatsBars(View doc)
    {
        var names = new List<string> { "holdout" };
        names.AddRange(doc.Sets.Select(s => s.Name));
        var svg = new Svg(Math.Max(300, 70 * names.Count + 80), 280, "AATS vs real train").Axes(0, names.Count, 0, 1, "", "accuracy", 4);
        var first = doc.Sets.FirstOrDefault();
        for (int i = 0; i < names.Count; i++)
        {
            double truth = i == 0 ? first?.Privacy["aa_truth"].Reference ?? double.NaN : doc.Sets[i - 1].Privacy["aa_truth"].Value ?? double.NaN;
            double syn = i == 0 ? first?.Privacy["aa_syn"].Reference ?? double.NaN : doc.Sets[i - 1].Privacy["aa_syn"].Value ?? double.NaN;
            svg.Bar(i + 0.15, 0.33, truth, Svg.Palette[0]).Bar(i + 0.5, 0.33, syn, Svg.Palette[3]);
            svg.Text(i + 0.12, 0.02, names[i].Length > 12 ? names[i][..12] : names[i], "tick");
        }
        svg.Line([0, names.Count], [0.5, 0.5], "#999", dashed: true).Legend("AA_truth", Svg.Palette[0]).Legend("AA_syn", Svg.Palette[3]);
        return svg.ToString();
    }
}
