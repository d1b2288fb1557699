using GenoSynth.Genotypes;

namespace GenoSynth.Evaluation;

/// <summary>Which variant pairs the LD metrics compare.</summary>
/// <param name="WindowKb">Pairs at most this far apart form the window group.</param>
/// <param name="Nearest">Each variant paired with this many following variants forms the nearest group.</param>
/// <param name="AllPairsMaxVariants">Above this many variants, the all-pairs figures and the LD decay by the
/// coarse bins are not computed (their cost grows with the square of the variants).</param>
public sealed record LdPairSettings(int WindowKb = 500, int Nearest = 50, int AllPairsMaxVariants = 32_768);

/// <summary>
/// The groups of variant pairs (i &lt; j) that the LD metrics are computed over:
/// <list type="bullet">
/// <item><see cref="All"/>: every pair, when there are at most <see cref="LdPairSettings.AllPairsMaxVariants"/>;</item>
/// <item><see cref="Window"/>: on the same chromosome (in one run of it in the variant order), placed (chromosome
/// not "0"), at most <see cref="LdPairSettings.WindowKb"/> apart;</item>
/// <item><see cref="Nearest"/>: on the same chromosome run, j - i at most <see cref="LdPairSettings.Nearest"/>;</item>
/// <item><see cref="Inside"/> / <see cref="Straddling"/>: window pairs that one of the generator's segments holds
/// both variants of / that no segment holds (only when segments are given);</item>
/// <item><see cref="FirstChromosome"/> + c: window pairs on chromosome c (only with two chromosomes or more).</item>
/// </list>
/// No group ever pairs variants of different chromosomes except <see cref="All"/>.
/// </summary>
public sealed class VariantPairs
{
    public const int All = 0, Window = 1, Nearest = 2, Inside = 3, Straddling = 4, FirstChromosome = 5;

    /// <summary>Distance bins (bp) of the LD decay curve inside the window: 1-2-5 steps from 1 kb.</summary>
    public long[] WindowDecayEdges { get; }

    public int Variants { get; }
    public bool AllPairs { get; }
    public bool HasSegments { get; }
    public LdPairSettings Settings { get; }

    /// <summary>Chromosome names in order of first appearance.</summary>
    public IReadOnlyList<string> Chromosomes { get; }

    /// <summary>Index of the first variant of each chromosome run after the first (where identical runs
    /// restart).</summary>
    public IReadOnlyList<int> ChromosomeStarts { get; }

    public int GroupCount => FirstChromosome + (Chromosomes.Count >= 2 ? Chromosomes.Count : 0);

    /// <summary>Chromosome and position of each variant, as given.</summary>
    public IReadOnlyList<(string Chromosome, long Position)> Positions { get; }

    private readonly long[] _position;
    private readonly int[] _chromosome;
    private readonly int[] _runEnd;
    private readonly int[] _rowEnd;
    private readonly int[] _reach;
    private readonly bool[] _placed;

    public VariantPairs(IReadOnlyList<(string Chromosome, long Position)> variants, LdPairSettings settings,
        IReadOnlyList<VariantSegment>? segments = null)
    {
        int m = variants.Count;
        Variants = m;
        Positions = variants;
        Settings = settings;
        AllPairs = m <= settings.AllPairsMaxVariants;
        HasSegments = segments is { Count: > 0 };
        long window = settings.WindowKb * 1000L;
        WindowDecayEdges = DecayEdgesUpTo(window);

        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        _chromosome = new int[m];
        _position = new long[m];
        _placed = new bool[m];
        for (int j = 0; j < m; j++)
        {
            var (chromosome, position) = variants[j];
            if (!index.TryGetValue(chromosome, out int c))
            {
                c = names.Count;
                index[chromosome] = c;
                names.Add(chromosome);
            }
            _chromosome[j] = c;
            _position[j] = position;
            _placed[j] = chromosome != "0";
        }
        Chromosomes = names;

        _runEnd = new int[m];
        _rowEnd = new int[m];
        var starts = new List<int>();
        for (int start = 0; start < m;)
        {
            int end = start + 1;
            while (end < m && _chromosome[end] == _chromosome[start]) end++;
            if (start > 0) starts.Add(start);
            bool sorted = true;
            for (int j = start + 1; j < end; j++) sorted &= _position[j] >= _position[j - 1];
            int reach = start;
            for (int i = start; i < end; i++)
            {
                _runEnd[i] = end;
                // Sorted positions: the window ends at the first variant too far away; otherwise every pair of the
                // run is checked.
                int windowEnd = i + 1;
                if (_placed[i] && !sorted) windowEnd = end;
                else if (_placed[i])
                {
                    reach = Math.Max(reach, i + 1);
                    while (reach < end && _position[reach] - _position[i] <= window) reach++;
                    windowEnd = reach;
                }
                int nearestEnd = (int)Math.Min(end, (long)i + settings.Nearest + 1);
                _rowEnd[i] = AllPairs ? m : Math.Max(windowEnd, nearestEnd);
            }
            start = end;
        }
        ChromosomeStarts = starts;

        _reach = Enumerable.Repeat(-1, m).ToArray();
        foreach (var segment in segments ?? [])
            for (int j = segment.First; j <= segment.Last; j++) _reach[j] = Math.Max(_reach[j], segment.Last);
    }

    /// <summary>The variants of chromosome c (an index into <see cref="Chromosomes"/>), in order.</summary>
    public IReadOnlyList<int> VariantsOf(int chromosome) =>
        Enumerable.Range(0, Variants).Where(j => _chromosome[j] == chromosome).ToList();

    /// <summary>Variant i is paired with the variants after it up to (not including) this one.</summary>
    public int RowEnd(int i) => _rowEnd[i];

    /// <summary>The groups of pair (i, j), j &gt; i: bits 1 &lt;&lt; group for the first five groups.</summary>
    /// <param name="chromosomeGroup">The pair's chromosome group, or -1.</param>
    /// <param name="decayBin">Its bin of <see cref="Linkage.DecayBinEdges"/> when all pairs are computed and both
    /// variants share a chromosome (as <see cref="Linkage.Decay"/> bins them), or -1.</param>
    /// <param name="windowBin">Its bin of <see cref="WindowDecayEdges"/> for window pairs, or -1.</param>
    public int Classify(int i, int j, out int chromosomeGroup, out int decayBin, out int windowBin)
    {
        int mask = AllPairs ? 1 << All : 0;
        chromosomeGroup = decayBin = windowBin = -1;
        long distance = Math.Abs(_position[j] - _position[i]);
        bool sameRun = j < _runEnd[i];
        if (sameRun && j - i <= Settings.Nearest) mask |= 1 << Nearest;
        if (sameRun && _placed[i] && distance <= Settings.WindowKb * 1000L)
        {
            mask |= 1 << Window;
            if (HasSegments) mask |= 1 << (j <= _reach[i] ? Inside : Straddling);
            if (Chromosomes.Count >= 2) chromosomeGroup = FirstChromosome + _chromosome[i];
            windowBin = BinOf(WindowDecayEdges, distance);
        }
        if (AllPairs && _chromosome[i] == _chromosome[j]) decayBin = BinOf(Linkage.DecayBinEdges, distance);
        return mask;
    }

    /// <summary>The name of a group, as the metric keys and notes use it.</summary>
    public string GroupName(int group) => group switch
    {
        All => "all",
        Window => "window",
        Nearest => "nearest",
        Inside => "inside",
        Straddling => "straddling",
        _ => "chromosome " + Chromosomes[group - FirstChromosome],
    };

    private static int BinOf(long[] edges, long distance)
    {
        int bin = edges.Length - 1;
        while (bin > 0 && distance < edges[bin]) bin--;
        return bin;
    }

    private static long[] DecayEdgesUpTo(long window)
    {
        var edges = new List<long> { 0 };
        for (long decade = 1_000; decade < window; decade *= 10)
            foreach (long step in new[] { 1, 2, 5 })
                if (step * decade < window) edges.Add(step * decade);
        return edges.ToArray();
    }
}
