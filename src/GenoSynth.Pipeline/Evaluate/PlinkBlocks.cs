using System.Globalization;
using GenoSynth.Evaluation;
using GenoSynth.Genotypes;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Evaluate;

/// <summary>
/// The evaluation's haplotype blocks: plink1.9 --blocks (Gabriel et al.'s confidence intervals of D', default
/// settings but no phenotype needed and blocks up to 200 kb) on the individuals the evaluator hands over. A block is
/// reported from its first to its last listed variant.
/// </summary>
public static class PlinkBlocks
{
    public const int MaxKb = 200;

    /// <param name="scratchDirectory">Where the filesets of each call are written (one prefix per call).</param>
    public static HaplotypeBlockFinder Finder(PlinkOperations plink,
        IReadOnlyList<(string Chromosome, long Position)> positions, string scratchDirectory)
    {
        // Variant ids are replaced by their column, so that duplicated or missing ids cannot mix blocks up; the
        // alleles are placeholders (--blocks looks at genotypes only).
        var variants = positions.Select((p, j) => new Variant(p.Chromosome, ColumnId(j), 0, p.Position, "A", "C"))
            .ToList();
        int call = 0;
        return (dosages, individuals) =>
        {
            var prefix = Path.Combine(scratchDirectory, "blocks" + (call++).ToString(CultureInfo.InvariantCulture));
            var samples = Enumerable.Range(0, individuals).Select(i => new Sample("I" + i, "I" + i)).ToList();
            var genotypes = PackedGenotypes.FromSampleRows(dosages, individuals, variants.Count);
            Plink1Files.Write(prefix, new PlinkDataset(variants, samples, genotypes));
            return plink.HaplotypeBlocks(prefix, MaxKb, prefix).Select(b => (ColumnOf(b[0]), ColumnOf(b[^1]))).ToList();
        };
    }

    private static string ColumnId(int column) => "c" + column.ToString(CultureInfo.InvariantCulture);

    private static int ColumnOf(string id) => int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture);
}
