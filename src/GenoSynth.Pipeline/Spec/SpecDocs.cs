using System.Globalization;
using System.Text;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// Writes the key reference of docs/spec.md from the declarations (<see cref="KeyAttribute"/> and its companions):
/// one row per key with its type and range, default, where it applies and its doc line. Only the part between
/// <see cref="Begin"/> and <see cref="End"/> is generated; the prose around it is kept.
/// </summary>
public static class SpecDocs
{
    public const string Begin = "<!-- BEGIN spec-keys: generated from the [Key] declarations in " +
        "src/GenoSynth.Pipeline/Spec by `genosynth spec-docs --write docs/spec.md`; edit those, not this table -->";

    public const string End = "<!-- END spec-keys -->";

    /// <summary>The generated Markdown table (ends with a newline).</summary>
    public static string Table()
    {
        var text = new StringBuilder();
        text.Append("| key | type | default | applies to | meaning |\n|---|---|---|---|---|\n");
        var documented = new Dictionary<Type, string>();
        Rows(typeof(ExperimentSpec), "", documented, text);
        return text.ToString();
    }

    /// <summary>The document with its generated part replaced by <see cref="Table"/>.</summary>
    public static string Update(string markdown, string file)
    {
        int begin = markdown.IndexOf(Begin, StringComparison.Ordinal);
        int end = markdown.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            throw new InputException($"{file}: no generated part to replace (the lines '{Begin}' and '{End}')");
        return markdown[..(begin + Begin.Length)] + "\n" + Table() + markdown[end..];
    }

    private static void Rows(Type section, string path, Dictionary<Type, string> documented, StringBuilder text)
    {
        foreach (var key in SpecSchema.KeysOf(section))
        {
            string keyPath = (path.Length == 0 ? "" : path + ".") + key.Name;
            var nested = key.Shape switch
            {
                KeyShape.Section => key.ValueType,
                KeyShape.SectionList => key.ElementType,
                _ => null,
            };
            string? seenAt = nested is not null && documented.TryGetValue(nested, out var at) ? at : null;
            Row(text, keyPath, TypeOf(key, seenAt), DefaultOf(key), AppliesTo(key), key.Declaration.Doc);
            if (nested is null || seenAt is not null) continue;
            string childPath = key.Shape == KeyShape.SectionList ? keyPath + "[]" : keyPath;
            documented[nested] = childPath;
            Rows(nested, childPath, documented, text);
        }
    }

    private static void Row(StringBuilder text, params string[] cells) =>
        text.Append("| ").Append(string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))))
            .Append(" |\n");

    private static string TypeOf(DeclaredKey key, string? seenAt)
    {
        var d = key.Declaration;
        if (d.Type is not null) return d.Type;
        string keysAsBefore = seenAt is null ? "" : $" (keys as `{seenAt}`)";
        return key.Shape switch
        {
            KeyShape.Integer when d.Min == d.Max => Number(d.Min),
            KeyShape.Integer => $"integer in {Range(d)}",
            KeyShape.Number => $"number in {Range(d)}",
            KeyShape.Seed => "integer >= 0",
            KeyShape.Flag => "`true` | `false`",
            KeyShape.Choice => string.Join(" | ", Enum.GetNames(key.ValueType).Select(n => $"`{SpecNode.ToSnake(n)}`")),
            KeyShape.Text => "text",
            KeyShape.TextList => "list of text",
            KeyShape.Section => "mapping" + keysAsBefore,
            _ => "list of mappings" + keysAsBefore,
        };
    }

    private static string Range(KeyAttribute d) =>
        $"{(d.MinExclusive ? "(" : "[")}{Number(d.Min)}, {Number(d.Max)}{(d.MaxExclusive ? ")" : "]")}";

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string DefaultOf(DeclaredKey key)
    {
        var d = key.Declaration;
        if (d.Default is not null) return d.Default;
        if (d.Required) return "required";
        if (key.DefaultFrom is { } from) return key.Shape == KeyShape.Section ? $"the main `{from}`" : $"`{from}`";
        if (key.Shape == KeyShape.Section && !key.Optional) return "";
        var initial = key.Property.GetValue(Activator.CreateInstance(key.Property.DeclaringType!));
        string value = initial switch
        {
            null or System.Collections.ICollection { Count: 0 } => "none",
            string s => $"\"{s}\"",
            Enum or bool => $"`{SpecSchema.Spelling(initial)}`",
            _ => SpecSchema.Spelling(initial),
        };
        if (key.Defaults.Count == 0) return value;
        var others = key.Defaults.Select(w => $"{w.Value}: {SpecSchema.Spelling(w.Default)}");
        return $"{value} ({string.Join(", ", others)})";
    }

    private static string AppliesTo(DeclaredKey key) =>
        key.MainGeneratorOnly ? "the main generator" : SectionReader.Describe(key.Conditions);
}
