namespace GenoSynth.Neural;

/// <summary>
/// 1-D convolution. Stride 1 on AVX-512 runs <see cref="DirectConv1d"/> on a zero-padded copy of the input; other
/// strides (and CPUs without AVX-512) use im2col + GEMM. There the columns of every sample sit side by side
/// ([Cin*K, B*Lout]), so a layer is one large product per pass instead of one small product per sample: per-sample
/// products of 32 x 800 x 96 spent more time packing and dispatching than multiplying (a 2-level U-Net step on 805
/// variants took 12 s; batched, see bench denoiser-step). The weight gradient's reduction over samples and positions
/// runs inside one GEMM, in its fixed order.
/// </summary>
public sealed partial class Graph
{
    /// <summary>x [B, Cin, L], weight [Cout, Cin, K], bias [Cout] -> [B, Cout, Lout].</summary>
    public Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0, int dilation = 1)
    {
        if (x.Rank != 3 || weight.Rank != 3 || x.Shape[1] != weight.Shape[1])
            throw new ArgumentException($"Conv1d: input {x}, weight {weight}");
        int batch = x.Shape[0], cin = x.Shape[1], length = x.Shape[2];
        int cout = weight.Shape[0], kernel = weight.Shape[2];
        int outLength = (length + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
        if (outLength <= 0) throw new ArgumentException($"Conv1d: input length {length} too short for kernel {kernel}");
        var geometry = new ConvGeometry(cin, length, kernel, stride, padding, dilation, outLength, batch);
        bool tracks = Tracks(x) || Tracks(weight) || (bias is not null && Tracks(bias));
        if (DirectConv1d.Applies(stride))
        {
            int rowLength = DirectConv1d.RoundUp(outLength), paddedLength = rowLength + (kernel - 1) * dilation;
            var padded = Scratch(batch * cin * paddedLength, clear: false);
            DirectConv1d.Pad(x.Data, batch * cin, length, padding, padded, paddedLength);
            var direct = New([batch, cout, outLength], clear: false);
            // Rows of whole vectors go straight into the output; others through a wider buffer, then copied.
            bool wholeVectors = rowLength == outLength;
            var rows = wholeVectors ? direct.Data : Scratch(batch * cout * rowLength, clear: false);
            DirectConv1d.Forward(padded, batch, cin, weight.Data, cout, kernel, dilation, rows, rowLength);
            if (!wholeVectors || bias is not null)
                Engine.For(batch, b =>
                {
                    for (int c = 0; c < cout; c++)
                    {
                        var source = rows.AsSpan((b * cout + c) * rowLength, outLength);
                        var row = direct.Data.AsSpan((b * cout + c) * outLength, outLength);
                        if (bias is null) source.CopyTo(row);
                        else System.Numerics.Tensors.TensorPrimitives.Add(source, bias.Data[c], row);
                    }
                });
            return tracks ? Record(new DirectConv1dOp(x, weight, bias, geometry, padded), direct) : direct;
        }
        int ck = cin * kernel, columns = batch * outLength;
        var cols = Scratch(ck * columns, clear: false);
        Engine.For(batch, b => Im2Col(x.Data, b * cin * length, geometry, cols, b * outLength));
        var product = Scratch(cout * columns, clear: false); // [Cout, B*Lout]
        Gemm.Multiply(false, false, cout, columns, ck, 1, weight.Data, 0, ck, cols, 0, columns, 0, product, 0, columns);
        var y = New([batch, cout, outLength], clear: false);
        Engine.For(batch, b =>
        {
            for (int c = 0; c < cout; c++)
            {
                var source = product.AsSpan(c * columns + b * outLength, outLength);
                var row = y.Data.AsSpan((b * cout + c) * outLength, outLength);
                if (bias is null) source.CopyTo(row);
                else System.Numerics.Tensors.TensorPrimitives.Add(source, bias.Data[c], row);
            }
        });
        return tracks ? Record(new Conv1dOp(x, weight, bias, geometry, cols), y) : y;
    }

    internal readonly record struct ConvGeometry(int Cin, int Length, int Kernel, int Stride, int Padding, int Dilation, int OutLength, int Batch)
    {
        /// <summary>Row stride of the column matrix: every sample's output positions.</summary>
        public int Columns => Batch * OutLength;
    }

    /// <summary>cols[(c * K + k), column + t] = x[c, t * stride - padding + k * dilation] (0 outside), for one sample.</summary>
    private static void Im2Col(float[] x, int xOffset, in ConvGeometry g, float[] cols, int column)
    {
        for (int c = 0; c < g.Cin; c++)
            for (int k = 0; k < g.Kernel; k++)
            {
                var row = cols.AsSpan((c * g.Kernel + k) * g.Columns + column, g.OutLength);
                int shift = k * g.Dilation - g.Padding;
                var (first, last) = ValidRange(g, shift);
                if (g.Stride == 1)
                {
                    row[..first].Clear();
                    if (last > first) x.AsSpan(xOffset + c * g.Length + first + shift, last - first).CopyTo(row[first..last]);
                    row[Math.Max(first, last)..].Clear();
                    continue;
                }
                for (int t = 0; t < g.OutLength; t++)
                {
                    int pos = t * g.Stride + shift;
                    row[t] = pos >= 0 && pos < g.Length ? x[xOffset + c * g.Length + pos] : 0;
                }
            }
    }

    /// <summary>Output positions t in [first, last) whose input position t * stride + shift lies inside the row.</summary>
    private static (int First, int Last) ValidRange(in ConvGeometry g, int shift)
    {
        int first = shift >= 0 ? 0 : (-shift + g.Stride - 1) / g.Stride;
        int last = g.Length - 1 - shift < 0 ? 0 : Math.Min(g.OutLength, (g.Length - 1 - shift) / g.Stride + 1);
        return (Math.Min(first, g.OutLength), last);
    }

    private static void Col2ImAdd(float[] cols, in ConvGeometry g, int column, float[] dx, int xOffset)
    {
        for (int c = 0; c < g.Cin; c++)
            for (int k = 0; k < g.Kernel; k++)
            {
                var row = cols.AsSpan((c * g.Kernel + k) * g.Columns + column, g.OutLength);
                int shift = k * g.Dilation - g.Padding;
                var (first, last) = ValidRange(g, shift);
                if (g.Stride == 1)
                {
                    if (last > first)
                    {
                        var target = dx.AsSpan(xOffset + c * g.Length + first + shift, last - first);
                        System.Numerics.Tensors.TensorPrimitives.Add(target, row[first..last], target);
                    }
                    continue;
                }
                for (int t = first; t < last; t++) dx[xOffset + c * g.Length + t * g.Stride + shift] += row[t];
            }
    }

    private sealed class Conv1dOp(Tensor x, Tensor weight, Tensor? bias, ConvGeometry geometry, float[] cols) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            int batch = geometry.Batch, cout = weight.Shape[0], ck = geometry.Cin * geometry.Kernel, lo = geometry.OutLength;
            int columns = geometry.Columns;
            var gathered = g.Scratch(cout * columns, clear: false); // dy as [Cout, B*Lout]
            Engine.For(batch, b =>
            {
                for (int c = 0; c < cout; c++)
                    dy.AsSpan((b * cout + c) * lo, lo).CopyTo(gathered.AsSpan(c * columns + b * lo, lo));
            });
            if (g.Tracks(weight))
                Gemm.Multiply(false, true, cout, ck, columns, 1, gathered, 0, columns, cols, 0, columns, 1, g.GradOf(weight), 0, ck);
            if (g.Tracks(x))
            {
                var dcols = g.Scratch(ck * columns, clear: false);
                Gemm.Multiply(true, false, ck, columns, cout, 1, weight.Data, 0, ck, gathered, 0, columns, 0, dcols, 0, columns);
                var dx = g.GradOf(x);
                Engine.For(batch, b => Col2ImAdd(dcols, geometry, b * lo, dx, b * geometry.Cin * geometry.Length));
            }
            if (bias is not null && g.Tracks(bias)) BiasGradient(g, bias, dy, batch, cout, lo);
        }
    }

    private static void BiasGradient(Graph g, Tensor bias, float[] dy, int batch, int cout, int outLength)
    {
        var db = g.GradOf(bias);
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < cout; c++) db[c] += System.Numerics.Tensors.TensorPrimitives.Sum(dy.AsSpan((b * cout + c) * outLength, outLength));
    }

    /// <summary>Backward of the stride-1 direct convolution; <paramref name="padded"/> is the forward's padded input.</summary>
    private sealed class DirectConv1dOp(Tensor x, Tensor weight, Tensor? bias, ConvGeometry geometry, float[] padded) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            int batch = geometry.Batch, cin = geometry.Cin, cout = weight.Shape[0], kernel = geometry.Kernel, dilation = geometry.Dilation;
            int length = geometry.Length, outLength = geometry.OutLength;
            int rowLength = DirectConv1d.RoundUp(outLength);
            if (g.Tracks(weight))
            {
                var dyRows = dy;
                if (rowLength != outLength)
                {
                    dyRows = g.Scratch(batch * cout * rowLength, clear: false);
                    DirectConv1d.Pad(dy, batch * cout, outLength, 0, dyRows, rowLength);
                }
                DirectConv1d.WeightGradient(dyRows, padded, batch, cin, cout, kernel, dilation, rowLength, g.GradOf(weight));
            }
            if (g.Tracks(x))
            {
                // dx[s] = sum over co, k of w[co, ci, k] dy[s - k d + p]: the same stride-1 convolution of dy, padded by
                // (K - 1) d - p on the left, with the weights transposed over channels and flipped over taps.
                var flipped = g.Scratch(cin * cout * kernel, clear: false);
                for (int co = 0; co < cout; co++)
                    for (int ci = 0; ci < cin; ci++)
                        for (int k = 0; k < kernel; k++)
                            flipped[(ci * cout + co) * kernel + kernel - 1 - k] = weight.Data[(co * cin + ci) * kernel + k];
                int dxRowLength = DirectConv1d.RoundUp(length), paddedLength = dxRowLength + (kernel - 1) * dilation;
                var paddedDy = g.Scratch(batch * cout * paddedLength, clear: false);
                DirectConv1d.Pad(dy, batch * cout, outLength, (kernel - 1) * dilation - geometry.Padding, paddedDy, paddedLength);
                var dxRows = g.Scratch(batch * cin * dxRowLength, clear: false);
                DirectConv1d.Forward(paddedDy, batch, cout, flipped, cin, kernel, dilation, dxRows, dxRowLength);
                var dx = g.GradOf(x);
                Engine.For(batch * cin, r =>
                {
                    var target = dx.AsSpan(r * length, length);
                    System.Numerics.Tensors.TensorPrimitives.Add(target, dxRows.AsSpan(r * dxRowLength, length), target);
                });
            }
            if (bias is not null && g.Tracks(bias)) BiasGradient(g, bias, dy, batch, cout, outLength);
        }
    }
}
