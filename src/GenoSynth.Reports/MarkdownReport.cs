using System.Text;
using GenoSynth.Evaluation;

namespace GenoSynth.Reports;

/// <summary>report.md: what was compared, then one table per metric family, every set side by side.</summary>
public static class MarkdownReport
{
    /// <param name="plots">The evaluation's plot data, for the block and LD-decay tables (optional).</param>
    public static string Render(MetricsDocument doc, string title, IReadOnlyList<string>? preface = null,
        PlotData? plots = null)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(title).Append("\n\n");
        foreach (var line in preface ?? []) sb.Append("**").Append(line).Append("**\n\n");
        sb.Append($"Real data: {doc.Real.Variants} variants; unit: {doc.Real.Unit}; train {doc.Real.TrainRows} rows, holdout {doc.Real.HoldoutRows} rows");
        sb.Append(doc.Real.Labels.Count > 0 ? $"; labels: {string.Join(", ", doc.Real.Labels)}.\n\n" : "; no labels.\n\n");
        sb.Append($"Synthetic sets: {string.Join(", ", doc.Sets.Select(s => $"{s.Name} ({s.Rows} rows{(s.Labelled ? ", labelled" : "")})"))}.\n\n");
        sb.Append("Each metric compares a set with the real train split. The **holdout** column is the same metric for real ")
          .Append("individuals the generator never saw: the level a perfect generator reaches. Fidelity cells also give the ")
          .Append("set's comparison with the holdout itself (\"vs holdout\"). AATS uses ")
          .Append($"{doc.Settings.AatsRepeats} draws of {doc.Settings.AatsDraw} rows (mean ± sd).\n\n");
        foreach (var section in new[] { "fidelity", "privacy", "utility" })
        {
            var rows = Format.Rows(doc).Where(r => r.Section == section).ToList();
            if (rows.Count == 0) continue;
            sb.Append("## ").Append(char.ToUpperInvariant(section[0])).Append(section[1..]).Append("\n\n");
            sb.Append("| metric | holdout | ").Append(string.Join(" | ", doc.Sets.Select(s => s.Name))).Append(" | ideal |\n");
            sb.Append("|---|---|").Append(string.Concat(doc.Sets.Select(_ => "---|"))).Append("---|\n");
            foreach (var (_, key, _) in rows)
            {
                sb.Append("| `").Append(key).Append("` | ").Append(Format.Number(Format.Reference(doc, section, key))).Append(" | ");
                sb.Append(string.Join(" | ", doc.Sets.Select(s => Format.Get(s, section, key) is { } m ? Format.WithSd(m) : "-")));
                var ideal = Format.Ideal(doc, section, key);
                sb.Append(" | ").Append(ideal is null ? "holdout" : Format.Number(ideal)).Append(" |\n");
            }
            sb.Append('\n');
        }
        foreach (var table in DenseSections.All(doc, plots))
        {
            sb.Append("## ").Append(table.Title).Append("\n\n").Append(table.Lead).Append("\n\n");
            sb.Append("| ").Append(string.Join(" | ", table.Header)).Append(" |\n|");
            sb.Append(string.Concat(table.Header.Select(_ => "---|"))).Append('\n');
            foreach (var row in table.Rows) sb.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
            sb.Append('\n');
        }
        sb.Append("## Definitions\n\n");
        foreach (var (section, key, description) in Format.Rows(doc)) sb.Append($"- `{section}.{key}`: {description}\n");
        var notes = doc.Sets.SelectMany(s => s.Notes.Select(n => $"- {s.Name}: {n}")).ToList();
        if (notes.Count > 0) sb.Append("\n## Notes\n\n").Append(string.Join("\n", notes)).Append('\n');
        return sb.ToString();
    }
}
