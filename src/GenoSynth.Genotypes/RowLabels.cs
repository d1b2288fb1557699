using System.Collections;

namespace GenoSynth.Genotypes;

/// <summary>
/// One label per row of a <see cref="GenotypeRows"/>, held as class indexes into an ordered list of class names.
/// Generators read the indexes (<see cref="Indexes"/>); metrics, files and reports read the names (this list's items).
/// </summary>
public sealed class RowLabels : IReadOnlyList<string>
{
    public IReadOnlyList<string> Classes { get; }
    public int[] Indexes { get; }

    public RowLabels(int[] indexes, IReadOnlyList<string> classes)
    {
        foreach (int index in indexes)
            if ((uint)index >= (uint)classes.Count)
                throw new ArgumentException($"class index {index} outside the {classes.Count} classes");
        Indexes = indexes;
        Classes = classes;
    }

    /// <summary>Labels given by name; the classes are the distinct names in ordinal order.</summary>
    public static RowLabels FromNames(IReadOnlyList<string> names)
    {
        var classes = names.Distinct().Order(StringComparer.Ordinal).ToList();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        return new RowLabels(names.Select(n => index[n]).ToArray(), classes);
    }

    public string this[int row] => Classes[Indexes[row]];
    public int Count => Indexes.Length;

    /// <summary>The labels of the given rows, in that order, over the same classes.</summary>
    public RowLabels Select(IReadOnlyList<int> rows) => new(rows.Select(r => Indexes[r]).ToArray(), Classes);

    public IEnumerator<string> GetEnumerator()
    {
        foreach (int index in Indexes) yield return Classes[index];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
