using GenoSynth.Genotypes;
using GenoSynth.Neural;

namespace GenoSynth.Models;

/// <summary>
/// Draws each variant independently from its training frequency (per label when <c>perLabel</c>): keeps allele
/// frequencies, destroys linkage disequilibrium. The floor any real generator must beat.
/// </summary>
public sealed class IndependentSampler
{
    private readonly double[][] _frequencies; // [class or 0][variant] allele frequency
    private readonly Ploidy _ploidy;
    public bool PerLabel { get; }

    private IndependentSampler(double[][] frequencies, Ploidy ploidy, bool perLabel)
    {
        _frequencies = frequencies;
        _ploidy = ploidy;
        PerLabel = perLabel;
    }

    public static IndependentSampler Fit(GenotypeRows data, bool perLabel)
    {
        int groups = perLabel ? data.Classes.Count : 1;
        var sums = new double[groups][];
        var rows = new int[groups];
        for (int g = 0; g < groups; g++) sums[g] = new double[data.Variants];
        for (int r = 0; r < data.Rows; r++)
        {
            int g = perLabel ? data.ClassIndexes[r] : 0;
            rows[g]++;
            var row = data.Row(r);
            for (int j = 0; j < data.Variants; j++) sums[g][j] += row[j];
        }
        var frequencies = sums.Select((s, g) => s.Select(v => rows[g] == 0 ? 0 : v / (rows[g] * data.Ploidy.Copies)));
        return new IndependentSampler(frequencies.Select(f => f.ToArray()).ToArray(), data.Ploidy, perLabel);
    }

    public GenotypeRows Sample(RowLabels labels, SeededRandom rng, int variants)
    {
        var values = new byte[(long)labels.Count * variants];
        for (int r = 0; r < labels.Count; r++)
        {
            var p = _frequencies[PerLabel ? labels.Indexes[r] : 0];
            for (int j = 0; j < variants; j++)
            {
                int v = 0;
                for (int copy = 0; copy < _ploidy.Copies; copy++) if (rng.NextDouble() < p[j]) v++;
                values[(long)r * variants + j] = (byte)v;
            }
        }
        return new GenotypeRows(_ploidy, labels.Count, variants, values, labels: labels);
    }

    /// <summary>The fitted frequencies as named tensors (for the model checkpoint).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> Tensors() =>
        _frequencies.Select((f, g) => ($"frequencies.{g}", Tensor.FromArray(f.Select(x => (float)x).ToArray(), f.Length)));

    public static IndependentSampler FromTensors(IReadOnlyDictionary<string, Tensor> tensors, Ploidy ploidy,
        bool perLabel)
    {
        var groups = tensors.Keys.Where(k => k.StartsWith("frequencies.", StringComparison.Ordinal)).Count();
        var frequencies = Enumerable.Range(0, groups).Select(g => tensors[$"frequencies.{g}"].Span.ToArray().Select(x => (double)x).ToArray()).ToArray();
        return new IndependentSampler(frequencies, ploidy, perLabel);
    }
}
