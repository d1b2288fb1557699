using System.Numerics.Tensors;

namespace GenoSynth.Neural;

/// <summary>Layer and group normalization.</summary>
public sealed partial class Graph
{
    /// <summary>Normalizes over the last axis, then y = gamma * xhat + beta (affine parts optional).</summary>
    public Tensor LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float eps = 1e-5f)
    {
        int d = x.Columns, rows = x.Rows;
        var y = New(x.Shape, clear: false);
        var stats = Scratch(2 * rows, clear: false); // mean, rstd per row
        Engine.For(rows, r =>
        {
            var xr = x.Data.AsSpan(r * d, d);
            var yr = y.Data.AsSpan(r * d, d);
            float mean = TensorPrimitives.Sum(xr) / d;
            TensorPrimitives.Subtract(xr, mean, yr);
            float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yr) / d + eps);
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
            TensorPrimitives.Multiply(yr, rstd, yr); // xhat
            if (gamma is not null) TensorPrimitives.Multiply(yr, gamma.Span, yr);
            if (beta is not null) TensorPrimitives.Add(yr, beta.Span, yr);
        });
        bool tracks = Tracks(x) || (gamma is not null && Tracks(gamma)) || (beta is not null && Tracks(beta));
        return tracks ? Record(new NormOp(x, gamma, beta, stats, rows, d, true, 1, d), y) : y;
    }

    /// <summary>GroupNorm over x [B, C, L]: statistics per (sample, group of C/groups channels); affine per channel.</summary>
    public Tensor GroupNorm(Tensor x, int groups, Tensor? gamma, Tensor? beta, float eps = 1e-5f)
    {
        if (x.Rank != 3 || x.Shape[1] % groups != 0) throw new ArgumentException($"GroupNorm: {x} with {groups} groups");
        int b = x.Shape[0], c = x.Shape[1], l = x.Shape[2];
        int groupSize = c / groups * l;
        int rows = b * groups;
        var y = New(x.Shape, clear: false);
        var stats = Scratch(2 * rows, clear: false);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Data.AsSpan(r * groupSize, groupSize);
            float mean = TensorPrimitives.Sum(xr) / groupSize;
            var centred = y.Data.AsSpan(r * groupSize, groupSize);
            TensorPrimitives.Subtract(xr, mean, centred);
            float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(centred) / groupSize + eps);
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
            int firstChannel = (r % groups) * (c / groups);
            for (int j = 0; j < groupSize; j += l)
            {
                int channel = firstChannel + j / l;
                var ys = centred.Slice(j, l);
                TensorPrimitives.Multiply(ys, rstd, ys);
                if (gamma is not null) TensorPrimitives.Multiply(ys, gamma.Data[channel], ys);
                if (beta is not null) TensorPrimitives.Add(ys, beta.Data[channel], ys);
            }
        }
        bool tracks = Tracks(x) || (gamma is not null && Tracks(gamma)) || (beta is not null && Tracks(beta));
        return tracks ? Record(new NormOp(x, gamma, beta, stats, rows, groupSize, false, groups, l), y) : y;
    }

    /// <summary>
    /// Shared backward of LayerNorm (one affine entry per element of a row) and GroupNorm (rows are
    /// (sample, group); one affine entry per channel, a channel spanning channelSpan = L elements).
    /// </summary>
    private sealed class NormOp(Tensor x, Tensor? gamma, Tensor? beta, float[] stats, int rows, int size, bool layerNorm, int groups, int channelSpan) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            float[]? dgamma = gamma is not null && g.Tracks(gamma) ? g.GradOf(gamma) : null;
            float[]? dbeta = beta is not null && g.Tracks(beta) ? g.GradOf(beta) : null;
            float[]? dx = g.Tracks(x) ? g.GradOf(x) : null;
            if (layerNorm)
            {
                LayerNormBackward(g, dy, dgamma, dbeta, dx);
                return;
            }
            int channelsPerGroup = x.Shape[1] / groups;
            var xhat = g.Scratch(size, clear: false);
            var dxhat = g.Scratch(size, clear: false);
            for (int r = 0; r < rows; r++)
            {
                float mean = stats[2 * r], rstd = stats[2 * r + 1];
                int offset = r * size;
                float sumDxhat = 0, sumDxhatXhat = 0;
                for (int j = 0; j < size; j += channelSpan)
                {
                    int channel = (r % groups) * channelsPerGroup + j / channelSpan;
                    var xh = xhat.AsSpan(j, channelSpan);
                    var gy = dy.AsSpan(offset + j, channelSpan);
                    var dxh = dxhat.AsSpan(j, channelSpan);
                    TensorPrimitives.Subtract(x.Data.AsSpan(offset + j, channelSpan), mean, xh);
                    TensorPrimitives.Multiply(xh, rstd, xh);
                    if (dgamma is not null) dgamma[channel] += TensorPrimitives.Dot(gy, xh);
                    if (dbeta is not null) dbeta[channel] += TensorPrimitives.Sum(gy);
                    if (gamma is null) gy.CopyTo(dxh);
                    else TensorPrimitives.Multiply(gy, gamma.Data[channel], dxh);
                    sumDxhat += TensorPrimitives.Sum(dxh);
                    sumDxhatXhat += TensorPrimitives.Dot(dxh, xh);
                }
                if (dx is null) continue;
                float meanDxhat = sumDxhat / size, meanDxhatXhat = sumDxhatXhat / size;
                // dx += rstd * (dxhat - meanDxhat - xhat * meanDxhatXhat), built in the dxhat row
                var xhRow = xhat.AsSpan(0, size);
                var dxhRow = dxhat.AsSpan(0, size);
                TensorPrimitives.MultiplyAdd(xhRow, -meanDxhatXhat, dxhRow, dxhRow);
                TensorPrimitives.Subtract(dxhRow, meanDxhat, dxhRow);
                var target = dx.AsSpan(offset, size);
                TensorPrimitives.MultiplyAdd(dxhRow, rstd, target, target);
            }
        }

        /// <summary>
        /// LayerNorm backward, vectorized per row: xhat and dxhat are rebuilt in scratch rows; parameter gradients
        /// are summed over rows in row order afterwards (a fixed reduction order for any thread count).
        /// </summary>
        private void LayerNormBackward(Graph g, float[] dy, float[]? dgamma, float[]? dbeta, float[]? dx)
        {
            int d = size;
            var xhatAll = g.Scratch(rows * d, clear: false);
            Engine.For(rows, r =>
            {
                float mean = stats[2 * r], rstd = stats[2 * r + 1];
                var xhat = xhatAll.AsSpan(r * d, d);
                TensorPrimitives.Subtract(x.Data.AsSpan(r * d, d), mean, xhat);
                TensorPrimitives.Multiply(xhat, rstd, xhat);
                if (dx is null) return;
                var gy = dy.AsSpan(r * d, d);
                Span<float> dxhat = d <= 4096 ? stackalloc float[d] : new float[d];
                if (gamma is null) gy.CopyTo(dxhat);
                else TensorPrimitives.Multiply(gy, gamma.Span, dxhat);
                float meanDxhat = TensorPrimitives.Sum(dxhat) / d;
                float meanDxhatXhat = TensorPrimitives.Dot(dxhat, xhat) / d;
                // dx += rstd * (dxhat - meanDxhat - xhat * meanDxhatXhat)
                TensorPrimitives.MultiplyAdd(xhat, -meanDxhatXhat, dxhat, dxhat);
                TensorPrimitives.Subtract(dxhat, meanDxhat, dxhat);
                var dxr = dx.AsSpan(r * d, d);
                TensorPrimitives.MultiplyAdd(dxhat, rstd, dxr, dxr);
            });
            if (dgamma is null && dbeta is null) return;
            Span<float> product = d <= 4096 ? stackalloc float[d] : new float[d];
            for (int r = 0; r < rows; r++)
            {
                var gy = dy.AsSpan(r * d, d);
                if (dgamma is not null)
                {
                    TensorPrimitives.Multiply(gy, xhatAll.AsSpan(r * d, d), product);
                    TensorPrimitives.Add(dgamma.AsSpan(0, d), product, dgamma.AsSpan(0, d));
                }
                if (dbeta is not null) TensorPrimitives.Add(dbeta.AsSpan(0, d), gy, dbeta.AsSpan(0, d));
            }
        }
    }
}
