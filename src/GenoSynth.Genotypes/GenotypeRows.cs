namespace GenoSynth.Genotypes;

/// <summary>
/// Genotype calls as a row-major byte matrix: one row per haplotype (calls 0/1; individual X owns the adjacent rows
/// X_A and X_B) or per individual (dosages 0/1/2 of allele 1), one column per variant; optional row ids and labels.
/// The in-memory genotypes that generators train on and draw, that the metrics and the privacy gate read, and that
/// hapt and phased VCF files load into. (A PLINK .bed's packed form is <see cref="PackedGenotypes"/>.)
/// </summary>
public sealed class GenotypeRows
{
    /// <summary>What these rows are called in messages and reports ("train", a generator's name), or "".</summary>
    public string Name { get; }
    public Ploidy Ploidy { get; }
    public int Rows { get; }
    public int Variants { get; }
    public byte[] Values { get; }

    /// <summary>One id per row (haplotypes: X_A, X_B), or null for unnamed rows (a generator's draw).</summary>
    public IReadOnlyList<string>? RowIds { get; }

    public RowLabels? Labels { get; }

    private IReadOnlyList<string>? _individuals;

    public GenotypeRows(Ploidy ploidy, int rows, int variants, byte[] values, IReadOnlyList<string>? rowIds = null,
        RowLabels? labels = null, string name = "")
    {
        if (values.LongLength != (long)rows * variants)
            throw new ArgumentException($"{values.LongLength} values do not fill {rows} rows x {variants} variants");
        if (rowIds is not null && rowIds.Count != rows)
            throw new ArgumentException($"{rowIds.Count} ids for {rows} rows");
        if (labels is not null && labels.Count != rows)
            throw new ArgumentException($"{labels.Count} labels for {rows} rows");
        (Ploidy, Rows, Variants, Values, RowIds, Labels, Name) = (ploidy, rows, variants, values, rowIds, labels, name);
    }

    public ReadOnlySpan<byte> Row(int r) => new(Values, r * Variants, Variants);

    /// <summary>The individual each row belongs to (a haplotype id without its _A/_B); needs row ids.</summary>
    public IReadOnlyList<string> Individuals => _individuals ??= Ploidy == Ploidy.Haplotype
        ? NamedRowIds.Select(HaplotypeIds.IndividualOf).ToList()
        : NamedRowIds;

    /// <summary>The class names of the labels; generators need labelled rows.</summary>
    public IReadOnlyList<string> Classes => LabelsOrThrow.Classes;

    /// <summary>Each row's class index into <see cref="Classes"/>.</summary>
    public int[] ClassIndexes => LabelsOrThrow.Indexes;

    private RowLabels LabelsOrThrow =>
        Labels ?? throw new InvalidOperationException($"genotype rows '{Name}' carry no labels");

    private IReadOnlyList<string> NamedRowIds =>
        RowIds ?? throw new InvalidOperationException($"genotype rows '{Name}' carry no row ids");

    public GenotypeRows WithLabels(RowLabels? labels) => new(Ploidy, Rows, Variants, Values, RowIds, labels, Name);

    public GenotypeRows WithRowIds(IReadOnlyList<string> rowIds) =>
        new(Ploidy, Rows, Variants, Values, rowIds, Labels, Name);

    public GenotypeRows Named(string name) => new(Ploidy, Rows, Variants, Values, RowIds, Labels, name);

    /// <summary>The given rows, in that order, with their ids and labels.</summary>
    public GenotypeRows SelectRows(IReadOnlyList<int> rows, string? name = null)
    {
        var values = new byte[(long)rows.Count * Variants];
        for (int i = 0; i < rows.Count; i++) Row(rows[i]).CopyTo(values.AsSpan(i * Variants, Variants));
        return new GenotypeRows(Ploidy, rows.Count, Variants, values, IdsOf(rows), Labels?.Select(rows), name ?? Name);
    }

    /// <summary>Rows belonging to the given individuals (by id), in row order.</summary>
    public GenotypeRows SelectIndividuals(IReadOnlySet<string> individuals, string name) =>
        SelectRows(Enumerable.Range(0, Rows).Where(r => individuals.Contains(Individuals[r])).ToList(), name);

    /// <summary>
    /// The rows of the individuals at the given positions (both haplotypes each, or the one row of dosages), restricted
    /// to the given variant columns, in the orders given.
    /// </summary>
    public GenotypeRows SelectIndividuals(IReadOnlyList<int> individuals, IReadOnlyList<int>? variants = null)
    {
        int per = Ploidy.RowsPerIndividual, m = variants?.Count ?? Variants;
        var rows = individuals.SelectMany(i => Enumerable.Range(per * i, per)).ToList();
        var values = new byte[(long)rows.Count * m];
        for (int i = 0; i < rows.Count; i++)
        {
            var source = Row(rows[i]);
            var target = values.AsSpan(i * m, m);
            if (variants is null) source.CopyTo(target);
            else for (int j = 0; j < m; j++) target[j] = source[variants[j]];
        }
        return new GenotypeRows(Ploidy, rows.Count, m, values, IdsOf(rows), Labels?.Select(rows), Name);
    }

    private List<string>? IdsOf(IReadOnlyList<int> rows) => RowIds is null ? null : [.. rows.Select(r => RowIds[r])];

    /// <summary>Allele-1 frequency of each variant.</summary>
    public double[] AlleleFrequencies()
    {
        var sums = new long[Variants];
        for (int r = 0; r < Rows; r++)
        {
            var row = Row(r);
            for (int j = 0; j < Variants; j++) sums[j] += row[j];
        }
        return sums.Select(s => Rows == 0 ? 0 : (double)s / ((long)Rows * Ploidy.Copies)).ToArray();
    }

    /// <summary>Individuals of haplotype rows in row order; each must own exactly two adjacent rows.</summary>
    /// <param name="sourcePath">The file the rows came from, named in the error.</param>
    public IReadOnlyList<string> PairedIndividuals(string sourcePath)
    {
        if (Ploidy != Ploidy.Haplotype)
            throw new InvalidOperationException("only haplotype rows pair into individuals");
        if (Rows % 2 != 0)
            throw new GenotypeFormatException(sourcePath, null,
                $"{Rows} haplotypes cannot be paired into diploid individuals");
        var ids = NamedRowIds;
        var individuals = new List<string>(Rows / 2);
        for (int h = 0; h < Rows; h += 2)
        {
            string a = HaplotypeIds.IndividualOf(ids[h]), b = HaplotypeIds.IndividualOf(ids[h + 1]);
            if (a != b)
                throw new GenotypeFormatException(sourcePath, h + 1,
                    $"haplotypes '{ids[h]}' and '{ids[h + 1]}' are not a pair of one individual");
            individuals.Add(a);
        }
        return individuals;
    }

    /// <summary>
    /// Each individual's dosages as PLINK packs them: haplotype rows summed in adjacent pairs, dosage rows as they are.
    /// </summary>
    public PackedGenotypes ToPackedDosages()
    {
        if (Ploidy == Ploidy.Diploid) return PackedGenotypes.FromSampleRows(Values, Rows, Variants);
        int individuals = Rows / 2;
        var packed = new PackedGenotypes(individuals, Variants);
        var column = new sbyte[individuals];
        for (int j = 0; j < Variants; j++)
        {
            for (int i = 0; i < individuals; i++)
                column[i] = (sbyte)(Values[(2 * i) * Variants + j] + Values[(2 * i + 1) * Variants + j]);
            packed.EncodeVariant(j, column);
        }
        return packed;
    }
}

/// <summary>How haplotype rows are named: individual X owns X_A and X_B.</summary>
public static class HaplotypeIds
{
    public static string Of(string individualId, int copy) => individualId + (copy == 0 ? "_A" : "_B");

    /// <summary>Both haplotype ids of each individual, in order.</summary>
    public static List<string> Pairs(IEnumerable<string> individualIds) =>
        individualIds.SelectMany(id => new[] { Of(id, 0), Of(id, 1) }).ToList();

    /// <summary>The individual of a haplotype id: the id without its trailing "_A"/"_B" (or "_1"/"_2").</summary>
    public static string IndividualOf(string haplotypeId)
    {
        int cut = haplotypeId.LastIndexOf('_');
        return cut > 0 ? haplotypeId[..cut] : haplotypeId;
    }
}
