using System.Globalization;

namespace GenoSynth.Genotypes;

/// <summary>One annotated interval of a BED file: 0-based start, exclusive end (BED's convention).</summary>
public sealed record GeneInterval(string Chromosome, long Start, long End, string Name);

/// <summary>
/// Gene (or any region) annotation in BED form: chromosome, start, end and an optional name per line; further columns
/// are ignored, as are '#', 'track' and 'browser' lines. Chromosome names compare without a leading "chr", so a
/// UCSC-style annotation ("chr2") matches 1000 Genomes variants ("2").
/// </summary>
public sealed class GeneAnnotation
{
    public IReadOnlyList<GeneInterval> Genes { get; }

    private GeneAnnotation(IReadOnlyList<GeneInterval> genes) => Genes = genes;

    public static GeneAnnotation FromIntervals(IEnumerable<GeneInterval> genes) => new(genes.ToList());

    /// <summary>Reads a BED file (plain or gzip); a malformed line is an error naming the file and line.</summary>
    public static GeneAnnotation ReadBed(string path)
    {
        using var reader = new StreamReader(LineReader.OpenMaybeGzip(path));
        var genes = new List<GeneInterval>();
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("track", StringComparison.Ordinal) || line.StartsWith("browser", StringComparison.Ordinal))
                continue;
            var fields = line.Split('\t');
            if (fields.Length < 3) fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3) throw new GenotypeFormatException(path, lineNumber, $"expected chromosome, start and end, found {fields.Length} field(s)");
            if (!long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long start))
                throw new GenotypeFormatException(path, lineNumber, $"start '{fields[1]}' is not a non-negative integer");
            if (!long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out long end))
                throw new GenotypeFormatException(path, lineNumber, $"end '{fields[2]}' is not a non-negative integer");
            if (end <= start) throw new GenotypeFormatException(path, lineNumber, $"end {end} is not after start {start}");
            string name = fields.Length > 3 && fields[3].Length > 0 ? fields[3] : $"{fields[0]}:{start}-{end}";
            genes.Add(new GeneInterval(fields[0], start, end, name));
        }
        if (genes.Count == 0) throw new GenotypeFormatException(path, null, "no intervals");
        return new GeneAnnotation(genes);
    }

    /// <summary>
    /// The gene each variant lies in (index into <see cref="Genes"/>), or -1 outside every gene. A variant in
    /// overlapping genes goes to the one starting first (then the one listed first), so nested genes do not split a
    /// run of variants into alternating pieces.
    /// </summary>
    public int[] Assign(IReadOnlyList<Variant> variants)
    {
        var byChromosome = Genes.Select((g, i) => (Gene: g, Index: i))
            .GroupBy(x => ChromosomeKey(x.Gene.Chromosome), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new SortedGenes(g.OrderBy(x => x.Gene.Start).ThenBy(x => x.Index).ToList()), StringComparer.Ordinal);
        var assigned = new int[variants.Count];
        for (int v = 0; v < variants.Count; v++)
            assigned[v] = byChromosome.TryGetValue(ChromosomeKey(variants[v].Chromosome), out var genes) ? genes.First(variants[v].Position) : -1;
        return assigned;
    }

    /// <summary>One chromosome's genes by start, with the running maximum of their ends for binary search.</summary>
    private sealed class SortedGenes
    {
        private readonly long[] _starts, _runningMaxEnd;
        private readonly int[] _indexes;

        public SortedGenes(List<(GeneInterval Gene, int Index)> genes)
        {
            _starts = genes.Select(g => g.Gene.Start).ToArray();
            _indexes = genes.Select(g => g.Index).ToArray();
            _runningMaxEnd = new long[genes.Count];
            for (int i = 0; i < genes.Count; i++) _runningMaxEnd[i] = Math.Max(genes[i].Gene.End, i > 0 ? _runningMaxEnd[i - 1] : long.MinValue);
        }

        /// <summary>The earliest-starting gene containing 1-based <paramref name="position"/> (BED [start, end) covers start+1 .. end), or -1.</summary>
        public int First(long position)
        {
            // The running maximum first reaches the position at the first gene (by start) whose own end reaches it.
            int first = LowerBound(_runningMaxEnd, position);
            return first < _starts.Length && _starts[first] < position ? _indexes[first] : -1;
        }

        private static int LowerBound(long[] sorted, long value)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid] < value) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
    }

    private static string ChromosomeKey(string chromosome) =>
        chromosome.StartsWith("chr", StringComparison.OrdinalIgnoreCase) ? chromosome[3..] : chromosome;
}
