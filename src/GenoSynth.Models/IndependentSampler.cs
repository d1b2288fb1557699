using GenoSynth.Neural;

namespace GenoSynth.Models;

/// <summary>
/// Draws each variant independently from its training frequency (per label when <c>perLabel</c>): keeps allele
/// frequencies, destroys linkage disequilibrium. The floor any real generator must beat.
/// </summary>
public sealed class IndependentSampler
{
    private readonly double[][] _frequencies; // [class or 0][variant] allele frequency
    private readonly int _ploidy;
    public bool PerLabel { get; }

    private IndependentSampler(double[][] frequencies, int ploidy, bool perLabel)
    {
        _frequencies = frequencies;
        _ploidy = ploidy;
        PerLabel = perLabel;
    }

    public static IndependentSampler Fit(TrainingSet data, bool perLabel)
    {
        int groups = perLabel ? data.Classes.Count : 1;
        var sums = new double[groups][];
        var rows = new int[groups];
        for (int g = 0; g < groups; g++) sums[g] = new double[data.Variants];
        for (int r = 0; r < data.Rows; r++)
        {
            int g = perLabel ? data.Labels[r] : 0;
            rows[g]++;
            var row = data.Row(r);
            for (int j = 0; j < data.Variants; j++) sums[g][j] += row[j];
        }
        return new IndependentSampler(sums.Select((s, g) => s.Select(v => rows[g] == 0 ? 0 : v / (rows[g] * data.Ploidy)).ToArray()).ToArray(), data.Ploidy, perLabel);
    }

    public GeneratedSet Sample(int[] labels, SeededRandom rng, int variants)
    {
        var values = new byte[(long)labels.Length * variants];
        for (int r = 0; r < labels.Length; r++)
        {
            var p = _frequencies[PerLabel ? labels[r] : 0];
            for (int j = 0; j < variants; j++)
            {
                int v = 0;
                for (int copy = 0; copy < _ploidy; copy++) if (rng.NextDouble() < p[j]) v++;
                values[(long)r * variants + j] = (byte)v;
            }
        }
        return new GeneratedSet(values, labels.Length, variants, labels);
    }

    /// <summary>The fitted frequencies as named tensors (for the model checkpoint).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> Tensors() =>
        _frequencies.Select((f, g) => ($"frequencies.{g}", Tensor.FromArray(f.Select(x => (float)x).ToArray(), f.Length)));

    public static IndependentSampler FromTensors(IReadOnlyDictionary<string, Tensor> tensors, int ploidy, bool perLabel)
    {
        var groups = tensors.Keys.Where(k => k.StartsWith("frequencies.", StringComparison.Ordinal)).Count();
        var frequencies = Enumerable.Range(0, groups).Select(g => tensors[$"frequencies.{g}"].Span.ToArray().Select(x => (double)x).ToArray()).ToArray();
        return new IndependentSampler(frequencies, ploidy, perLabel);
    }
}
