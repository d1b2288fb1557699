using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// A YAML mapping being read into the spec. Every key read is remembered, so <see cref="RejectUnknownKeys"/> can
/// name any key the spec does not define; every error carries file:line:column and the dotted key path.
/// </summary>
internal sealed class SpecNode
{
    private readonly YamlMappingNode _node;
    private readonly string _file;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public string Path { get; }

    public SpecNode(YamlMappingNode node, string file, string path)
    {
        _node = node;
        _file = file;
        Path = path;
    }

    private string KeyPath(string key) => Path.Length == 0 ? key : Path + "." + key;

    public bool Has(string key) => Find(key) is not null;

    /// <summary>Present with a value (a key written as <c>key: ~</c> or <c>key: null</c> counts as left out).</summary>
    public bool IsGiven(string key) => Find(key) is { } node && !IsNull(node);

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s && (s.Value is null or "~" or "null");

    public bool IsMapping(string key) => Find(key) is YamlMappingNode;

    /// <summary>Every key of this mapping, in file order (all count as read).</summary>
    public IReadOnlyList<string> Keys()
    {
        var keys = _node.Children.Keys.Select(k => (k as YamlScalarNode)?.Value ?? "").ToList();
        foreach (var k in keys) _read.Add(k);
        return keys;
    }

    private YamlNode? Find(string key)
    {
        _read.Add(key);
        foreach (var (k, v) in _node.Children)
            if (k is YamlScalarNode s && s.Value == key) return v;
        return null;
    }

    private SpecException Error(string key, YamlNode at, string message) =>
        new(_file, at.Start.Line, at.Start.Column, KeyPath(key), message);

    /// <summary>An error located at a key of this mapping.</summary>
    public SpecException KeyError(string key, string message)
    {
        var (line, column) = LocationOf(key);
        return new SpecException(_file, line, column, KeyPath(key), message);
    }

    public SpecException Error(string message) => new(_file, _node.Start.Line, _node.Start.Column, Path, message);

    private YamlScalarNode? Scalar(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is YamlScalarNode s)
        {
            if (IsNull(s)) return null;
            return s;
        }
        throw Error(key, node, "expected a single value, found " + (node is YamlMappingNode ? "a mapping" : "a list"));
    }

    public string? OptionalString(string key) => Scalar(key)?.Value;

    public string RequiredString(string key)
    {
        var s = Scalar(key) ?? throw MissingKey(key);
        if (string.IsNullOrWhiteSpace(s.Value)) throw Error(key, s, "must not be empty");
        return s.Value!;
    }

    public double? OptionalDouble(string key, double min, double max, bool minExclusive = false,
        bool maxExclusive = false)
    {
        var s = Scalar(key);
        if (s is null) return null;
        if (!double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            || double.IsNaN(v))
            throw Error(key, s, $"expected a number, got '{s.Value}'");
        if (v < min || v > max || (minExclusive && v == min) || (maxExclusive && v == max))
        {
            var range = $"{(minExclusive ? "(" : "[")}{Text(min)}, {Text(max)}{(maxExclusive ? ")" : "]")}";
            throw Error(key, s, $"{Text(v)} is out of range {range}");
        }
        return v;
    }

    private static string Text(double v) => v.ToString(CultureInfo.InvariantCulture);

    public int? OptionalInt(string key, int min, int max)
    {
        var s = Scalar(key);
        if (s is null) return null;
        if (!int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw Error(key, s, $"expected an integer, got '{s.Value}'");
        if (v < min || v > max) throw Error(key, s, $"{v} is out of range [{min}, {max}]");
        return v;
    }

    public ulong? OptionalULong(string key)
    {
        var s = Scalar(key);
        if (s is null) return null;
        if (!ulong.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v))
            throw Error(key, s, $"expected a non-negative integer, got '{s.Value}'");
        return v;
    }

    public bool? OptionalBool(string key)
    {
        var s = Scalar(key);
        if (s is null) return null;
        return s.Value switch
        {
            "true" or "True" or "yes" => true,
            "false" or "False" or "no" => false,
            _ => throw Error(key, s, $"expected true or false, got '{s.Value}'"),
        };
    }

    /// <summary>A member of <paramref name="type"/> (an enum) as specs spell it; underscores read as dashes.</summary>
    public object? OptionalEnum(string key, Type type)
    {
        var s = Scalar(key);
        if (s is null) return null;
        foreach (var value in System.Enum.GetValues(type))
            if (string.Equals(ToSnake(value.ToString()!), s.Value?.Replace('_', '-'), StringComparison.Ordinal))
                return value;
        throw Error(key, s, $"'{s.Value}' is not one of: {Choices(type)}");
    }

    public static string Choices(Type enumType) =>
        string.Join(", ", System.Enum.GetNames(enumType).Select(ToSnake));

    /// <summary>Enum values as specs spell them: PerLabelIndependent is "per-label-independent".</summary>
    internal static string ToSnake(string name) => Words(name, '-');

    /// <summary>The words of a PascalCase name in lower case, joined by <paramref name="separator"/>.</summary>
    internal static string Words(string name, char separator) => string.Concat(name.Select((c, i) =>
        char.IsUpper(c) ? (i > 0 ? separator.ToString() : "") + char.ToLowerInvariant(c) : c.ToString()));

    public SpecException MissingKey(string key) => Error($"missing required key '{KeyPath(key)}'");

    public SpecException MissingSection(string key) => Error($"missing required section '{KeyPath(key)}'");

    public SpecNode? Section(string key)
    {
        var node = Find(key);
        if (node is null || (node is YamlScalarNode s && (s.Value is null || s.Value == "~" || s.Value == "null")))
            return null;
        if (node is YamlMappingNode m) return new SpecNode(m, _file, KeyPath(key));
        throw Error(key, node, "expected a mapping (key: value lines)");
    }

    public IReadOnlyList<SpecNode> SectionList(string key)
    {
        var node = Find(key);
        if (node is null) return [];
        if (node is not YamlSequenceNode seq) throw Error(key, node, "expected a list");
        var result = new List<SpecNode>();
        int i = 0;
        foreach (var item in seq.Children)
        {
            if (item is not YamlMappingNode m) throw Error(key, item, "expected each list item to be a mapping");
            result.Add(new SpecNode(m, _file, $"{KeyPath(key)}[{i++}]"));
        }
        return result;
    }

    public IReadOnlyList<string> StringList(string key)
    {
        var node = Find(key);
        if (node is null) return [];
        if (node is not YamlSequenceNode seq) throw Error(key, node, "expected a list");
        return seq.Children.Select(c => c is YamlScalarNode s && s.Value is not null ? s.Value
            : throw Error(key, c, "expected a list of strings")).ToList();
    }

    /// <summary>Fails on the first key that was never read: a typo must not be silently ignored.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!_read.Contains(name))
            {
                var known = string.Join(", ", _read.Order(StringComparer.Ordinal));
                throw new SpecException(_file, k.Start.Line, k.Start.Column, KeyPath(name),
                    $"unknown key (allowed here: {known})");
            }
        }
    }

    public (long Line, long Column) LocationOf(string key)
    {
        foreach (var (k, _) in _node.Children)
            if (k is YamlScalarNode s && s.Value == key) return (k.Start.Line, k.Start.Column);
        return (_node.Start.Line, _node.Start.Column);
    }
}
