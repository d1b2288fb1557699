using System.Globalization;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// The values read so far for one generator, by dotted path from the spec's top ("model.type", "seed", "sample"):
/// what <see cref="AppliesWhenAttribute"/>, <see cref="DefaultWhenAttribute"/> and <see cref="DefaultFromAttribute"/>
/// refer to. A baseline's scope starts from the main one and its own sections replace the main ones.
/// </summary>
internal sealed class Scope
{
    private readonly Dictionary<string, object?> _values;

    public Scope() : this(new Dictionary<string, object?>(StringComparer.Ordinal), isBaseline: false) { }

    private Scope(Dictionary<string, object?> values, bool isBaseline)
    {
        _values = values;
        IsBaseline = isBaseline;
    }

    public bool IsBaseline { get; }

    public Scope ForBaseline() =>
        new(new Dictionary<string, object?>(_values, StringComparer.Ordinal), isBaseline: true);

    public void Set(string path, object? value) => _values[path] = value;

    /// <summary>A declaration may only refer to a key read before it (else the declarations are wrong, not a spec).
    /// </summary>
    public object? Get(string path) => _values.TryGetValue(path, out var value) ? value
        : throw new InvalidOperationException($"a spec key declaration refers to '{path}', which is not read before");
}

/// <summary>
/// Reads spec records from YAML by their declarations (<see cref="KeyAttribute"/>): each key from the YAML when given
/// (type and range checked), else from the inherited section (a baseline's sample and encode), else its default;
/// then <see cref="SectionRules"/> adds the rules that involve several keys, and unknown keys are rejected.
/// <see cref="Enforce"/> then applies each key's conditions once the whole generator is known.
/// </summary>
internal static class SectionReader
{
    public static T Read<T>(SpecNode? node, string path, Scope scope) where T : class =>
        (T)Read(typeof(T), node, path, scope, inherited: null);

    /// <param name="path">The section's path from the generator's top ("" for the spec or a baseline itself).</param>
    /// <param name="inherited">A section whose values stand in for the keys this one leaves out.</param>
    public static object Read(Type type, SpecNode? node, string path, Scope scope, object? inherited)
    {
        var section = Activator.CreateInstance(type)!;
        if (inherited is not null) CopyInto(section, inherited);
        foreach (var key in SpecSchema.KeysOf(type))
        {
            var keyPath = Join(path, key.Name);
            object? value;
            if (key.Declaration.Custom)
            {
                node?.Has(key.Name); // read by SectionRules (or the loader); known here
                value = key.Property.GetValue(section);
            }
            else if (node is not null && node.IsGiven(key.Name)) value = ReadGiven(key, node, keyPath, scope);
            else if (node is not null && key.Declaration.Required)
                throw key.Shape == KeyShape.Section ? node.MissingSection(key.Name) : MissingKey(node, key);
            else if (key.Shape == KeyShape.Section && key.DefaultFrom is not null)
                value = Read(key.ValueType, null, keyPath, scope, scope.Get(key.DefaultFrom));
            else if (inherited is not null) value = key.Property.GetValue(section);
            else value = Default(key, keyPath, scope, sectionGiven: node is not null);
            key.Property.SetValue(section, value);
            scope.Set(keyPath, value);
        }
        section = SectionRules.Finish(section, node);
        node?.RejectUnknownKeys();
        return section;
    }

    private static SpecException MissingKey(SpecNode node, DeclaredKey key) => key.Shape == KeyShape.Choice
        ? node.Error($"missing required key '{Join(node.Path, key.Name)}' (one of: {SpecNode.Choices(key.ValueType)})")
        : node.MissingKey(key.Name);

    private static object? ReadGiven(DeclaredKey key, SpecNode node, string keyPath, Scope scope)
    {
        var d = key.Declaration;
        switch (key.Shape)
        {
            case KeyShape.Integer:
                return node.OptionalInt(key.Name, (int)d.Min, (int)d.Max);
            case KeyShape.Number:
                var number = node.OptionalDouble(key.Name, d.Min, d.Max, d.MinExclusive, d.MaxExclusive);
                return number == d.SameAsUnset ? null : number;
            case KeyShape.Seed:
                return node.OptionalULong(key.Name);
            case KeyShape.Flag:
                return node.OptionalBool(key.Name);
            case KeyShape.Choice:
                return node.OptionalEnum(key.Name, key.ValueType);
            case KeyShape.Text:
                return d.Required ? node.RequiredString(key.Name) : node.OptionalString(key.Name);
            case KeyShape.TextList:
                return node.StringList(key.Name);
            case KeyShape.Section:
                var child = node.Section(key.Name);
                var inherited = key.DefaultFrom is null ? null : scope.Get(key.DefaultFrom);
                return child is null && inherited is null ? Default(key, keyPath, scope, sectionGiven: true)
                    : Read(key.ValueType, child, keyPath, scope, inherited);
            case KeyShape.SectionList:
                var list = EmptyList(key);
                foreach (var item in node.SectionList(key.Name))
                    list.Add(Read(key.ElementType!, item, keyPath, scope, null));
                return list;
            default:
                throw new InvalidOperationException($"{key}: no reader for {key.Shape}");
        }
    }

    /// <summary>
    /// The key's default in this scope: a <see cref="DefaultWhenAttribute"/> that holds, the value of the key named by
    /// <see cref="DefaultFromAttribute"/>, else the property's initial value. A list of a given section reads as empty
    /// when left out.
    /// </summary>
    private static object? Default(DeclaredKey key, string keyPath, Scope scope, bool sectionGiven)
    {
        foreach (var when in key.Defaults)
            if (Spelled(scope, when.Key) == when.Value)
                return Convert.ChangeType(when.Default, key.ValueType, CultureInfo.InvariantCulture);
        if (key.DefaultFrom is not null && key.Shape != KeyShape.Section) return scope.Get(key.DefaultFrom);
        if (key.Shape == KeyShape.Section && !key.Optional) return Read(key.ValueType, null, keyPath, scope, null);
        if (sectionGiven && key.Shape is KeyShape.SectionList or KeyShape.TextList) return EmptyList(key);
        return key.Property.GetValue(Activator.CreateInstance(key.Property.DeclaringType!));
    }

    private static System.Collections.IList EmptyList(DeclaredKey key) =>
        (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(key.ElementType!))!;

    /// <summary>
    /// Applies every key's conditions now that the generator's sections are all read: a key given where it does not
    /// apply is an error naming it; one that does not apply but was not given (inherited, or a default) is set to its
    /// default, so that no value a generator ignores reaches its cache key.
    /// </summary>
    public static void Enforce(object section, SpecNode? node, string path, Scope scope)
    {
        foreach (var key in SpecSchema.KeysOf(section.GetType()))
        {
            if (key.Declaration.Custom || key.Shape == KeyShape.SectionList) continue;
            var keyPath = Join(path, key.Name);
            var value = key.Property.GetValue(section);
            bool given = node is not null && node.IsGiven(key.Name);
            if (NotApplying(key, scope) is { } reason)
            {
                if (given) throw node!.KeyError(key.Name, reason);
                value = Default(key, keyPath, scope, sectionGiven: false);
                key.Property.SetValue(section, value);
                scope.Set(keyPath, value);
                given = false;
            }
            if (key.Shape == KeyShape.Section && value is not null)
                Enforce(value, given ? node!.Section(key.Name) : null, keyPath, scope);
        }
    }

    /// <summary>Null when the key applies in this scope, else why not ("does not apply to model.type rbm (...)").
    /// </summary>
    public static string? NotApplying(DeclaredKey key, Scope scope)
    {
        if (key.MainGeneratorOnly && scope.IsBaseline)
            return "does not apply to a baseline (only to the main generator, whose set is published)";
        foreach (var condition in key.Conditions)
        {
            var actual = Spelled(scope, condition.Key);
            if (!condition.Values.Contains(actual))
                return $"does not apply to {condition.Key} {actual} (only to {Describe(key.Conditions)})";
        }
        return null;
    }

    /// <summary>"model.type diffusion with encode.method pca-blocks or vae".</summary>
    public static string Describe(IEnumerable<AppliesWhenAttribute> conditions) =>
        string.Join(" with ", conditions.Select(c => $"{c.Key} {OneOf(c.Values)}"));

    private static string OneOf(IReadOnlyList<string> values) =>
        values.Count == 1 ? values[0] : string.Join(", ", values.Take(values.Count - 1)) + " or " + values[^1];

    private static string Spelled(Scope scope, string path) => SpecSchema.Spelling(scope.Get(path));

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static void CopyInto(object target, object source)
    {
        foreach (var property in target.GetType().GetProperties())
            if (property.CanWrite) property.SetValue(target, property.GetValue(source));
    }
}
