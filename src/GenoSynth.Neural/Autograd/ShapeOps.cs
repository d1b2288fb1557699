using System.Numerics.Tensors;

namespace GenoSynth.Neural;

/// <summary>Reshape, permute, concatenate, narrow and upsample.</summary>
public sealed partial class Graph
{
    /// <summary>Same data, new shape (one dimension may be -1).</summary>
    public Tensor Reshape(Tensor x, params int[] shape)
    {
        shape = (int[])shape.Clone();
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0)
        {
            int known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != infer) known *= shape[i];
            shape[infer] = x.Length / known;
        }
        if (ShapeUtil.Count(shape) != x.Length) throw new ArgumentException($"cannot reshape {x} to {ShapeUtil.Format(shape)}");
        var y = new Tensor(x.Data, shape) { Pooled = x.Pooled };
        return Tracks(x) ? Record(new ReshapeOp(x), y) : y;
    }

    private sealed class ReshapeOp(Tensor x) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(x).AsSpan(0, x.Length);
            System.Numerics.Tensors.TensorPrimitives.Add(dx, Output.GradSpan, dx);
        }
    }

    /// <summary>Reorders axes (a copy): y.Shape[i] = x.Shape[perm[i]].</summary>
    public Tensor Permute(Tensor x, params int[] perm)
    {
        if (perm.Length != x.Rank) throw new ArgumentException("Permute needs one entry per axis");
        var shape = perm.Select(p => x.Shape[p]).ToArray();
        var y = New(shape, clear: false);
        // Trailing axes that stay in place move as contiguous runs (heads in attention keep their last axis): the map
        // then has one entry per run instead of per element.
        int kept = 0;
        while (kept < perm.Length && perm[^(kept + 1)] == perm.Length - 1 - kept) kept++;
        int outer = perm.Length - kept, run = 1;
        for (int d = outer; d < perm.Length; d++) run *= x.Shape[d];
        var map = outer == 0 ? [0] : PermuteIndex(x.Shape[..outer], perm[..outer]);
        var xd = x.Data; var yd = y.Data;
        if (run == 1) for (int i = 0; i < map.Length; i++) yd[i] = xd[map[i]];
        else for (int i = 0; i < map.Length; i++) xd.AsSpan(map[i] * run, run).CopyTo(yd.AsSpan(i * run, run));
        return Tracks(x) ? Record(new PermuteOp(x, map, run), y) : y;
    }

    /// <summary>For each element of the permuted tensor, its index in the source.</summary>
    private static int[] PermuteIndex(int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var strides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; s *= shape[i], i--) strides[i] = s;
        var outShape = perm.Select(p => shape[p]).ToArray();
        var outStrides = perm.Select(p => strides[p]).ToArray();
        int n = ShapeUtil.Count(shape);
        var map = new int[n];
        var index = new int[rank];
        int offset = 0;
        for (int i = 0; i < n; i++)
        {
            map[i] = offset;
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                offset += outStrides[d];
                if (index[d] < outShape[d]) break;
                offset -= outStrides[d] * outShape[d];
                index[d] = 0;
            }
        }
        return map;
    }

    private sealed class PermuteOp(Tensor x, int[] map, int run) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(x);
            var dy = Output.Grad!;
            if (run == 1) for (int i = 0; i < map.Length; i++) dx[map[i]] += dy[i];
            else
                for (int i = 0; i < map.Length; i++)
                {
                    var target = dx.AsSpan(map[i] * run, run);
                    TensorPrimitives.Add(target, dy.AsSpan(i * run, run), target);
                }
        }
    }

    /// <summary>Concatenates along <paramref name="axis"/>; all other dimensions must agree.</summary>
    public Tensor Concat(int axis, params Tensor[] parts)
    {
        var first = parts[0];
        if (axis < 0) axis += first.Rank;
        var shape = (int[])first.Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        foreach (var p in parts)
            for (int d = 0; d < shape.Length; d++)
                if (d != axis && p.Shape[d] != shape[d]) throw new ArgumentException($"Concat: {p} does not match {first} outside axis {axis}");
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        int inner = first.Length / outer / first.Shape[axis];
        int outRow = shape[axis] * inner;
        var y = New(shape, clear: false);
        int offset = 0;
        foreach (var p in parts)
        {
            int chunk = p.Shape[axis] * inner;
            for (int o = 0; o < outer; o++) Array.Copy(p.Data, o * chunk, y.Data, o * outRow + offset, chunk);
            offset += chunk;
        }
        return parts.Any(Tracks) ? Record(new ConcatOp(parts, axis, outer, inner, outRow), y) : y;
    }

    private sealed class ConcatOp(Tensor[] parts, int axis, int outer, int inner, int outRow) : Op
    {
        internal override void Backward(Graph g)
        {
            int offset = 0;
            foreach (var p in parts)
            {
                int chunk = p.Shape[axis] * inner;
                if (g.Tracks(p))
                {
                    var dp = g.GradOf(p);
                    for (int o = 0; o < outer; o++)
                    {
                        var src = Output.Grad!.AsSpan(o * outRow + offset, chunk);
                        var dst = dp.AsSpan(o * chunk, chunk);
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
                    }
                }
                offset += chunk;
            }
        }
    }

    /// <summary>The slice [start, start + length) of <paramref name="axis"/>.</summary>
    public Tensor Narrow(Tensor x, int axis, int start, int length)
    {
        if (axis < 0) axis += x.Rank;
        if (start < 0 || start + length > x.Shape[axis]) throw new ArgumentException($"Narrow: [{start}, {start + length}) outside {x} axis {axis}");
        var shape = (int[])x.Shape.Clone();
        shape[axis] = length;
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= x.Shape[d];
        int inner = x.Length / outer / x.Shape[axis];
        var y = New(shape, clear: false);
        for (int o = 0; o < outer; o++)
            Array.Copy(x.Data, (o * x.Shape[axis] + start) * inner, y.Data, o * length * inner, length * inner);
        return Tracks(x) ? Record(new NarrowOp(x, axis, start, length, outer, inner), y) : y;
    }

    private sealed class NarrowOp(Tensor x, int axis, int start, int length, int outer, int inner) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(x);
            for (int o = 0; o < outer; o++)
            {
                var dst = dx.AsSpan((o * x.Shape[axis] + start) * inner, length * inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, Output.Grad!.AsSpan(o * length * inner, length * inner), dst);
            }
        }
    }

    /// <summary>Nearest-neighbour upsampling of x [B, C, L] to [B, C, L * factor].</summary>
    public Tensor Upsample1d(Tensor x, int factor)
    {
        if (x.Rank != 3) throw new ArgumentException("Upsample1d takes [B, C, L]");
        int rows = x.Shape[0] * x.Shape[1], l = x.Shape[2];
        var y = New([x.Shape[0], x.Shape[1], l * factor], clear: false);
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < l; i++)
            {
                float v = x.Data[r * l + i];
                int o = (r * l + i) * factor;
                for (int f = 0; f < factor; f++) y.Data[o + f] = v;
            }
        return Tracks(x) ? Record(new UpsampleOp(x, factor), y) : y;
    }

    private sealed class UpsampleOp(Tensor x, int factor) : Op
    {
        internal override void Backward(Graph g)
        {
            var dx = g.GradOf(x);
            var dy = Output.Grad!;
            for (int i = 0; i < x.Length; i++)
            {
                float s = 0;
                for (int f = 0; f < factor; f++) s += dy[i * factor + f];
                dx[i] += s;
            }
        }
    }
}
