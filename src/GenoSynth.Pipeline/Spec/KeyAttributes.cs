namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// Declares a property of a spec record as a YAML key. With the property's type and initial value (the default) and the
/// attributes below, it is the key's only declaration: <see cref="SectionReader"/> loads and validates from it and
/// <see cref="SpecDocs"/> writes docs/spec.md from it.
/// </summary>
/// <param name="doc">The key's line in docs/spec.md (Markdown).</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KeyAttribute(string doc) : Attribute
{
    public string Doc { get; } = doc;

    /// <summary>The YAML name when it is not the property's name in snake_case.</summary>
    public string? Name { get; init; }

    /// <summary>Range of a number (both bounds are required for numbers).</summary>
    public double Min { get; init; } = double.NaN;
    public double Max { get; init; } = double.NaN;
    public bool MinExclusive { get; init; }
    public bool MaxExclusive { get; init; }

    /// <summary>The spec is invalid without this key (or section).</summary>
    public bool Required { get; init; }

    /// <summary>A value meaning the same as leaving the key out: stored as null (the same cache key).</summary>
    public double SameAsUnset { get; init; } = double.NaN;

    /// <summary>How docs/spec.md shows the default when the initial value does not say it (e.g. "off").</summary>
    public string? Default { get; init; }

    /// <summary>How docs/spec.md shows the type when the property's type does not say it.</summary>
    public string? Type { get; init; }

    /// <summary>
    /// Read by <see cref="SectionRules"/> rather than by the generic reader: a key whose YAML shape is not one value
    /// of the property's type (sample.labels: a word or a mapping) or that needs a scope of its own (baselines).
    /// </summary>
    public bool Custom { get; init; }
}

/// <summary>
/// The key means something only when another key of the same generator (model.type, encode.method, model.denoiser,
/// ...; a baseline's own sections for a baseline) has one of these values. Given anywhere else it is an error;
/// inherited anywhere else (a baseline takes the main sample and encode sections) it falls back to its default, so a
/// value the generator ignores never reaches a cache key. Several attributes must all hold.
/// </summary>
/// <param name="key">Dotted path from the spec's top (or the baseline's): "model.type".</param>
/// <param name="values">The values as specs spell them: "diffusion", "pca-blocks".</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public sealed class AppliesWhenAttribute(string key, params string[] values) : Attribute
{
    public string Key { get; } = key;
    public IReadOnlyList<string> Values { get; } = values;
}

/// <summary>The key concerns the published (main) set only: a baseline may not give it and does not inherit it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MainGeneratorOnlyAttribute : Attribute;

/// <summary>The default when another key has this value (train.steps per model.type); else the initial value.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public sealed class DefaultWhenAttribute(string key, string value, object @default) : Attribute
{
    public string Key { get; } = key;
    public string Value { get; } = value;
    public object Default { get; } = @default;
}

/// <summary>
/// The default is the value of another key: the experiment's seed for every other seed; for a baseline's sample and
/// encode sections, the main ones (each key the baseline leaves out keeps the main value).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultFromAttribute(string key) : Attribute
{
    public string Key { get; } = key;
}
