using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Models.Diffusion;
using GenoSynth.Neural;
using GenoSynth.Neural.IO;
using GenoSynth.Neural.Numerics;

namespace GenoSynth.Models.Encoders;

/// <summary>A run of consecutive variants compressed together.</summary>
public readonly record struct VariantBlock(int Start, int Length);

/// <summary>
/// GeneDiffusion's representation: variants in blocks, each block PCA-compressed on the train rows and its scores
/// z-scored. Components per block follow GeneDiffusion's size rule (8 if the block has more than 20 variants, 4 for
/// 5-20, else 1) or, given a fraction, the fewest that explain it. Blocks are concatenated without padding (the
/// MLP denoiser takes one flat vector, so no mask is needed). Decoding: inverse projection, then the nearest valid
/// genotype (rounded and clamped to [0, ploidy]).
/// </summary>
public sealed class PcaBlockEncoder : GenotypeEncoder
{
    public const string KindName = "pca-blocks";
    public override string Kind => KindName;
    public override int Variants { get; }
    public override int LatentSize { get; }
    public IReadOnlyList<BlockProjection> Blocks { get; }
    private readonly Ploidy _ploidy;

    /// <summary>A block's train means, its components ([k][length], unit rows) and each component's train deviation.</summary>
    public sealed record BlockProjection(VariantBlock Block, float[] Mean, float[][] Components, float[] Deviation, double ExplainedVariance);

    private PcaBlockEncoder(int variants, Ploidy ploidy, IReadOnlyList<BlockProjection> blocks)
    {
        Variants = variants;
        _ploidy = ploidy;
        Blocks = blocks;
        LatentSize = blocks.Sum(b => b.Components.Length);
    }

    /// <summary>GeneDiffusion's rule: 8 components for blocks over 20 variants, 4 for 5-20, 1 below.</summary>
    public static int ComponentsBySize(int length) => length > 20 ? 8 : length >= 5 ? 4 : 1;

    /// <param name="explainedVariance">0: the size rule; otherwise the fewest components explaining this fraction of the block's variance.</param>
    public static PcaBlockEncoder Fit(GenotypeRows train, IReadOnlyList<VariantBlock> blocks,
        double explainedVariance = 0)
    {
        if (blocks.Sum(b => b.Length) != train.Variants || blocks.Select((b, i) => i == 0 ? b.Start == 0 : b.Start == blocks[i - 1].Start + blocks[i - 1].Length).Any(ok => !ok))
            throw new ArgumentException("blocks must cover the variants in order, without gaps or overlaps");
        var projections = new BlockProjection[blocks.Count];
        Parallel.For(0, blocks.Count, i => projections[i] = FitBlock(train, blocks[i], explainedVariance));
        return new PcaBlockEncoder(train.Variants, train.Ploidy, projections);
    }

    private static BlockProjection FitBlock(GenotypeRows train, VariantBlock block, double explainedVariance)
    {
        int b = block.Length, n = train.Rows;
        var mean = new double[b];
        for (int r = 0; r < n; r++)
        {
            var row = train.Row(r).Slice(block.Start, b);
            for (int j = 0; j < b; j++) mean[j] += row[j];
        }
        for (int j = 0; j < b; j++) mean[j] /= n;
        var covariance = new double[b, b];
        var centred = new double[b];
        for (int r = 0; r < n; r++)
        {
            var row = train.Row(r).Slice(block.Start, b);
            for (int j = 0; j < b; j++) centred[j] = row[j] - mean[j];
            for (int j = 0; j < b; j++)
                for (int i = j; i < b; i++) covariance[j, i] += centred[j] * centred[i];
        }
        for (int j = 0; j < b; j++)
            for (int i = j; i < b; i++) covariance[i, j] = covariance[j, i] /= Math.Max(1, n - 1);

        var (values, vectors) = SymmetricEigen.Decompose(covariance, JacobiStop.RelativeOffDiagonal);
        foreach (var vector in vectors) SymmetricEigen.MakeLargestEntryPositive(vector);
        double trace = values.Sum(v => Math.Max(v, 0));
        int informative = values.Count(v => v > 1e-9 * Math.Max(trace, 1e-300));
        int k = explainedVariance > 0 ? ComponentsFor(values, trace, explainedVariance) : ComponentsBySize(b);
        k = Math.Max(1, Math.Min(k, Math.Max(1, informative)));
        double explained = trace > 0 ? values.Take(k).Sum() / trace : 1;
        return new BlockProjection(block, mean.Select(m => (float)m).ToArray(),
            vectors.Take(k).Select(v => v.Select(x => (float)x).ToArray()).ToArray(),
            values.Take(k).Select(v => (float)Math.Sqrt(Math.Max(v, 1e-12))).ToArray(), explained);
    }

    private static int ComponentsFor(double[] values, double trace, double fraction)
    {
        double sum = 0;
        for (int k = 0; k < values.Length; k++)
        {
            sum += Math.Max(values[k], 0);
            if (sum >= fraction * trace - 1e-12) return k + 1;
        }
        return values.Length;
    }

    public override LatentSet Encode(GenotypeRows rows)
    {
        var latents = new float[(long)rows.Rows * LatentSize];
        Parallel.For(0, rows.Rows, r =>
        {
            var row = rows.Row(r);
            int offset = r * LatentSize;
            foreach (var p in Blocks)
            {
                var values = row.Slice(p.Block.Start, p.Block.Length);
                for (int c = 0; c < p.Components.Length; c++)
                {
                    var component = p.Components[c];
                    double score = 0;
                    for (int j = 0; j < values.Length; j++) score += (values[j] - p.Mean[j]) * component[j];
                    latents[offset++] = (float)(score / p.Deviation[c]);
                }
            }
        });
        return new LatentSet(latents, rows.Rows, LatentSize, rows.ClassIndexes);
    }

    public override byte[] Decode(LatentSet latents)
    {
        var result = new byte[(long)latents.Rows * Variants];
        int longest = Blocks.Max(p => p.Block.Length);
        Parallel.For(0, latents.Rows, r =>
        {
            var z = latents.Row(r);
            int offset = 0;
            Span<double> values = stackalloc double[longest];
            foreach (var p in Blocks)
            {
                int b = p.Block.Length;
                for (int j = 0; j < b; j++) values[j] = p.Mean[j];
                for (int c = 0; c < p.Components.Length; c++)
                {
                    double score = z[offset++] * p.Deviation[c];
                    var component = p.Components[c];
                    for (int j = 0; j < b; j++) values[j] += score * component[j];
                }
                for (int j = 0; j < b; j++)
                {
                    int call = (int)Math.Round(values[j], MidpointRounding.AwayFromZero);
                    result[(long)r * Variants + p.Block.Start + j] = (byte)Math.Clamp(call, 0, _ploidy.Copies);
                }
            }
        });
        return result;
    }

    public override void Save(string path)
    {
        var tensors = new List<(string, Tensor)>();
        for (int i = 0; i < Blocks.Count; i++)
        {
            var p = Blocks[i];
            tensors.Add(($"block.{i:D5}.mean", Tensor.FromArray(p.Mean, p.Mean.Length)));
            tensors.Add(($"block.{i:D5}.components", Tensor.FromArray(p.Components.SelectMany(c => c).ToArray(), p.Components.Length, p.Block.Length)));
            tensors.Add(($"block.{i:D5}.deviation", Tensor.FromArray(p.Deviation, p.Deviation.Length)));
        }
        var meta = new Dictionary<string, string>
        {
            ["genosynth.encoder"] = KindName,
            ["variants"] = Variants.ToString(CultureInfo.InvariantCulture),
            ["ploidy"] = _ploidy.Copies.ToString(CultureInfo.InvariantCulture),
            ["blocks"] = string.Join(",", Blocks.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Block.Start}:{p.Block.Length}:{p.ExplainedVariance:R}"))),
        };
        SafeTensors.Save(path, tensors, meta);
    }

    internal static PcaBlockEncoder FromLoaded(SafeTensors.Loaded loaded)
    {
        var blocks = loaded.Metadata["blocks"].Split(',').Select((text, i) =>
        {
            var parts = text.Split(':');
            var block = new VariantBlock(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
            var components = loaded.Tensors[$"block.{i:D5}.components"];
            int k = components.Shape[0];
            return new BlockProjection(block, loaded.Tensors[$"block.{i:D5}.mean"].Span.ToArray(),
                Enumerable.Range(0, k).Select(c => components.Span.Slice(c * block.Length, block.Length).ToArray()).ToArray(),
                loaded.Tensors[$"block.{i:D5}.deviation"].Span.ToArray(), double.Parse(parts[2], CultureInfo.InvariantCulture));
        }).ToList();
        return new PcaBlockEncoder(int.Parse(loaded.Metadata["variants"], CultureInfo.InvariantCulture),
            Ploidy.FromCopies(int.Parse(loaded.Metadata["ploidy"], CultureInfo.InvariantCulture)), blocks);
    }
}
