using System.Globalization;
using GenoSynth.Evaluation;

namespace GenoSynth.Reports;

internal static class Format
{
    public static string Number(double? v)
    {
        if (v is not double x || double.IsNaN(x)) return "n/a";
        if (x == Math.Round(x) && Math.Abs(x) < 1e6) return x.ToString("0", CultureInfo.InvariantCulture);
        if (Math.Abs(x) < 1e-3) return x.ToString("0.00e+0", CultureInfo.InvariantCulture);
        return x.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    /// <summary>The value, its sd over repeated draws, and the same comparison against the holdout where there is one.</summary>
    public static string WithSd(Metric m) =>
        (m.Sd is double sd ? $"{Number(m.Value)} ± {Number(sd)}" : Number(m.Value)) +
        (m.VsHoldout is double h ? $" (vs holdout {Number(h)})" : "");

    public static IEnumerable<(string Section, string Key, string Description)> Rows(MetricsDocument doc)
    {
        foreach (var (section, pick) in new (string, Func<SetMetrics, SortedDictionary<string, Metric>>)[]
                 { ("fidelity", s => s.Fidelity), ("privacy", s => s.Privacy), ("utility", s => s.Utility) })
        {
            var keys = doc.Sets.SelectMany(s => pick(s).Keys).Distinct().Order(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                var description = doc.Sets.Select(s => pick(s).GetValueOrDefault(key)).First(m => m is not null)!.Description;
                yield return (section, key, description);
            }
        }
    }

    public static Metric? Get(SetMetrics set, string section, string key) => section switch
    {
        "fidelity" => set.Fidelity.GetValueOrDefault(key),
        "privacy" => set.Privacy.GetValueOrDefault(key),
        _ => set.Utility.GetValueOrDefault(key),
    };

    /// <summary>The reference of a metric (the same for every set; taken from the first that has one).</summary>
    public static double? Reference(MetricsDocument doc, string section, string key) =>
        doc.Sets.Select(s => Get(s, section, key)?.Reference).FirstOrDefault(r => r is not null);

    public static double? Ideal(MetricsDocument doc, string section, string key) =>
        doc.Sets.Select(s => Get(s, section, key)?.Ideal).FirstOrDefault(r => r is not null);
}
