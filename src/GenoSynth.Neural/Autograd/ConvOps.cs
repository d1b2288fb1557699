namespace GenoSynth.Neural;

/// <summary>1-D convolution by im2col + GEMM.</summary>
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
        var geometry = new ConvGeometry(cin, length, kernel, stride, padding, dilation, outLength);
        int colSize = cin * kernel * outLength;
        var cols = Scratch(batch * colSize, clear: false);
        var y = New([batch, cout, outLength], clear: false);
        for (int b = 0; b < batch; b++)
        {
            Im2Col(x.Data, b * cin * length, geometry, cols, b * colSize);
            Gemm.Multiply(false, false, cout, outLength, cin * kernel, 1, weight.Data, 0, cin * kernel, cols, b * colSize, outLength,
                0, y.Data, b * cout * outLength, outLength);
            if (bias is not null)
                for (int c = 0; c < cout; c++)
                {
                    var row = y.Data.AsSpan((b * cout + c) * outLength, outLength);
                    System.Numerics.Tensors.TensorPrimitives.Add(row, bias.Data[c], row);
                }
        }
        bool tracks = Tracks(x) || Tracks(weight) || (bias is not null && Tracks(bias));
        return tracks ? Record(new Conv1dOp(x, weight, bias, geometry, cols), y) : y;
    }

    internal readonly record struct ConvGeometry(int Cin, int Length, int Kernel, int Stride, int Padding, int Dilation, int OutLength);

    /// <summary>cols[(c * K + k), t] = x[c, t * stride - padding + k * dilation] (0 outside).</summary>
    private static void Im2Col(float[] x, int xOffset, in ConvGeometry g, float[] cols, int colOffset)
    {
        for (int c = 0; c < g.Cin; c++)
            for (int k = 0; k < g.Kernel; k++)
            {
                int row = colOffset + (c * g.Kernel + k) * g.OutLength;
                int shift = k * g.Dilation - g.Padding;
                for (int t = 0; t < g.OutLength; t++)
                {
                    int pos = t * g.Stride + shift;
                    cols[row + t] = pos >= 0 && pos < g.Length ? x[xOffset + c * g.Length + pos] : 0;
                }
            }
    }

    private static void Col2ImAdd(float[] cols, int colOffset, in ConvGeometry g, float[] dx, int xOffset)
    {
        for (int c = 0; c < g.Cin; c++)
            for (int k = 0; k < g.Kernel; k++)
            {
                int row = colOffset + (c * g.Kernel + k) * g.OutLength;
                int shift = k * g.Dilation - g.Padding;
                for (int t = 0; t < g.OutLength; t++)
                {
                    int pos = t * g.Stride + shift;
                    if (pos >= 0 && pos < g.Length) dx[xOffset + c * g.Length + pos] += cols[row + t];
                }
            }
    }

    private sealed class Conv1dOp(Tensor x, Tensor weight, Tensor? bias, ConvGeometry geometry, float[] cols) : Op
    {
        internal override void Backward(Graph g)
        {
            var dy = Output.Grad!;
            int batch = x.Shape[0], cout = weight.Shape[0], ck = geometry.Cin * geometry.Kernel, lo = geometry.OutLength;
            int colSize = ck * lo;
            float[]? dcols = g.Tracks(x) ? g.Scratch(colSize, clear: false) : null;
            for (int b = 0; b < batch; b++)
            {
                int yOffset = b * cout * lo;
                if (g.Tracks(weight))
                    Gemm.Multiply(false, true, cout, ck, lo, 1, dy, yOffset, lo, cols, b * colSize, lo, 1, g.GradOf(weight), 0, ck);
                if (dcols is not null)
                {
                    Gemm.Multiply(true, false, ck, lo, cout, 1, weight.Data, 0, ck, dy, yOffset, lo, 0, dcols, 0, lo);
                    Col2ImAdd(dcols, 0, geometry, g.GradOf(x), b * geometry.Cin * geometry.Length);
                }
                if (bias is not null && g.Tracks(bias))
                {
                    var db = g.GradOf(bias);
                    for (int c = 0; c < cout; c++) db[c] += System.Numerics.Tensors.TensorPrimitives.Sum(dy.AsSpan(yOffset + c * lo, lo));
                }
            }
        }
    }
}
