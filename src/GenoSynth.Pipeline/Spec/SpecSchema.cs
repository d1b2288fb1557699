using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace GenoSynth.Pipeline.Spec;

/// <summary>The YAML shape of a declared key, from its property's type.</summary>
public enum KeyShape { Integer, Number, Seed, Flag, Choice, Text, Section, SectionList, TextList }

/// <summary>One declared key: a spec record's property with its <see cref="KeyAttribute"/> and the attributes beside
/// it.</summary>
public sealed class DeclaredKey
{
    public DeclaredKey(PropertyInfo property, KeyAttribute declaration)
    {
        Property = property;
        Declaration = declaration;
        Name = declaration.Name ?? SnakeCase(property.Name);
        var type = property.PropertyType;
        Optional = Nullable.GetUnderlyingType(type) is not null
            || new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable;
        ValueType = Nullable.GetUnderlyingType(type) ?? type;
        Shape = ShapeOf(ValueType, out var element);
        ElementType = element;
        Conditions = property.GetCustomAttributes<AppliesWhenAttribute>().ToList();
        MainGeneratorOnly = property.GetCustomAttribute<MainGeneratorOnlyAttribute>() is not null;
        Defaults = property.GetCustomAttributes<DefaultWhenAttribute>().ToList();
        DefaultFrom = property.GetCustomAttribute<DefaultFromAttribute>()?.Key;
    }

    public PropertyInfo Property { get; }
    public KeyAttribute Declaration { get; }

    /// <summary>The YAML name.</summary>
    public string Name { get; }
    public KeyShape Shape { get; }

    /// <summary>The value's type without Nullable.</summary>
    public Type ValueType { get; }

    /// <summary>A list's item type.</summary>
    public Type? ElementType { get; }

    /// <summary>Null when left out (double?, string?, an optional section).</summary>
    public bool Optional { get; }
    public IReadOnlyList<AppliesWhenAttribute> Conditions { get; }
    public bool MainGeneratorOnly { get; }
    public IReadOnlyList<DefaultWhenAttribute> Defaults { get; }
    public string? DefaultFrom { get; }

    /// <summary>Whether the key is read for every generator (no condition, not main-only).</summary>
    public bool AlwaysApplies => Conditions.Count == 0 && !MainGeneratorOnly;

    private static KeyShape ShapeOf(Type type, out Type? element)
    {
        element = null;
        if (type == typeof(int)) return KeyShape.Integer;
        if (type == typeof(double)) return KeyShape.Number;
        if (type == typeof(ulong)) return KeyShape.Seed;
        if (type == typeof(bool)) return KeyShape.Flag;
        if (type.IsEnum) return KeyShape.Choice;
        if (type == typeof(string)) return KeyShape.Text;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            element = type.GetGenericArguments()[0];
            if (element == typeof(string)) return KeyShape.TextList;
            if (SpecSchema.IsSection(element)) return KeyShape.SectionList;
        }
        if (SpecSchema.IsSection(type)) return KeyShape.Section;
        throw new InvalidOperationException($"{type.Name}: no YAML shape for a spec key of this type");
    }

    /// <summary>LabelDropout is "label_dropout".</summary>
    public static string SnakeCase(string name) => SpecNode.Words(name, '_');

    public override string ToString() => $"{Property.DeclaringType?.Name}.{Property.Name} ({Name})";
}

/// <summary>The declared keys of each spec record type in declaration order, which is also their JSON order.</summary>
public static class SpecSchema
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<DeclaredKey>> Cache = new();

    public static IReadOnlyList<DeclaredKey> KeysOf(Type section) => Cache.GetOrAdd(section, type =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Declaration: p.GetCustomAttribute<KeyAttribute>()))
            .Where(p => p.Declaration is not null)
            .Select(p => new DeclaredKey(p.Property, p.Declaration!))
            .ToList());

    /// <summary>A spec record with declared keys (a YAML mapping).</summary>
    public static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && type.GetProperties().Any(p => p.IsDefined(typeof(KeyAttribute)));

    /// <summary>A value as specs spell it: enum members in kebab case (PerLabelIndependent: "per-label-independent").
    /// </summary>
    public static string Spelling(object? value) => value switch
    {
        null => "",
        Enum e => SpecNode.ToSnake(e.ToString()),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
