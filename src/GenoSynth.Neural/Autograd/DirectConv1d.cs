using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GenoSynth.Neural;

/// <summary>
/// Stride-1 1-D convolution computed straight from a zero-padded copy of the input, 16 positions per AVX-512 register.
/// The U-Net's convolutions are skinny (32 channels x 3 taps against 200,000 positions per batch): as im2col + GEMM they
/// packed an 80 MB column matrix per layer and ran at 14-41 GFLOP/s; here each input vector loaded feeds four output
/// channels and no column matrix exists. Every output element is summed by one task in a fixed order (input channel,
/// then tap), and the weight gradient sums samples in order inside one task per output channel, so results do not
/// depend on the thread count.
/// </summary>
internal static class DirectConv1d
{
    private const int Lanes = 16, ChannelBlock = 4, PositionBlock = 4 * Lanes;

    public static bool Applies(int stride) => stride == 1 && Avx512F.IsSupported;

    /// <summary>dst[r, t] = src[r, t - offset] where that lies inside the source row, else 0; <paramref name="rows"/> rows.</summary>
    public static void Pad(float[] src, int rows, int srcLength, int offset, float[] dst, int dstLength)
    {
        Engine.For(rows, r =>
        {
            var target = dst.AsSpan(r * dstLength, dstLength);
            int first = Math.Clamp(offset, 0, dstLength), last = Math.Clamp(offset + srcLength, 0, dstLength);
            target[..first].Clear();
            if (last > first) src.AsSpan(r * srcLength + first - offset, last - first).CopyTo(target[first..last]);
            target[Math.Max(first, last)..].Clear();
        });
    }

    /// <summary>Row length of the kernels' outputs: whole vectors, so that no position is computed by scalar code.</summary>
    public static int RoundUp(int length) => (length + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// y[b, co, t] = sum over ci, k of w[co, ci, k] * xp[b, ci, t + k * dilation] for t &lt; rowLength (a multiple of 16),
    /// where xp rows (the padded input) have length rowLength + (kernel - 1) * dilation.
    /// </summary>
    public static void Forward(float[] xp, int batch, int cin, float[] w, int cout, int kernel, int dilation, float[] y, int rowLength)
    {
        if (rowLength % Lanes != 0) throw new ArgumentException($"row length {rowLength} is not a multiple of {Lanes}");
        int paddedLength = rowLength + (kernel - 1) * dilation;
        int coBlocks = (cout + ChannelBlock - 1) / ChannelBlock;
        Engine.For(batch * coBlocks, task =>
        {
            int b = task / coBlocks, co = task % coBlocks * ChannelBlock;
            int xBase = b * cin * paddedLength;
            if (cout - co >= ChannelBlock)
                ForwardFourChannels(xp, xBase, paddedLength, cin, w, co, kernel, dilation, y, (b * cout + co) * rowLength, rowLength);
            else
                for (int c = co; c < cout; c++)
                    ForwardOneChannel(xp, xBase, paddedLength, cin, w, c, kernel, dilation, y, (b * cout + c) * rowLength, rowLength);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardFourChannels(float[] xp, int xBase, int paddedLength, int cin, float[] w, int co, int kernel, int dilation,
        float[] y, int yBase, int outLength)
    {
        int wStride = cin * kernel; // w[co + j, ci, k] at (co + j) * wStride + ci * kernel + k
        fixed (float* xPtr = xp, wPtr = w, yPtr = y)
        {
            float* w0 = wPtr + co * wStride, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
            float* y0 = yPtr + yBase, y1 = y0 + outLength, y2 = y1 + outLength, y3 = y2 + outLength;
            int t = 0;
            for (; t + PositionBlock <= outLength; t += PositionBlock)
            {
                Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
                a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = Vector512<float>.Zero;
                for (int ci = 0; ci < cin; ci++)
                {
                    float* row = xPtr + xBase + ci * paddedLength + t;
                    int wo = ci * kernel;
                    for (int k = 0; k < kernel; k++)
                    {
                        float* x = row + k * dilation;
                        var x0 = Avx512F.LoadVector512(x); var x1 = Avx512F.LoadVector512(x + 16);
                        var x2 = Avx512F.LoadVector512(x + 32); var x3 = Avx512F.LoadVector512(x + 48);
                        var c = Vector512.Create(w0[wo + k]);
                        a00 = Avx512F.FusedMultiplyAdd(x0, c, a00); a01 = Avx512F.FusedMultiplyAdd(x1, c, a01);
                        a02 = Avx512F.FusedMultiplyAdd(x2, c, a02); a03 = Avx512F.FusedMultiplyAdd(x3, c, a03);
                        c = Vector512.Create(w1[wo + k]);
                        a10 = Avx512F.FusedMultiplyAdd(x0, c, a10); a11 = Avx512F.FusedMultiplyAdd(x1, c, a11);
                        a12 = Avx512F.FusedMultiplyAdd(x2, c, a12); a13 = Avx512F.FusedMultiplyAdd(x3, c, a13);
                        c = Vector512.Create(w2[wo + k]);
                        a20 = Avx512F.FusedMultiplyAdd(x0, c, a20); a21 = Avx512F.FusedMultiplyAdd(x1, c, a21);
                        a22 = Avx512F.FusedMultiplyAdd(x2, c, a22); a23 = Avx512F.FusedMultiplyAdd(x3, c, a23);
                        c = Vector512.Create(w3[wo + k]);
                        a30 = Avx512F.FusedMultiplyAdd(x0, c, a30); a31 = Avx512F.FusedMultiplyAdd(x1, c, a31);
                        a32 = Avx512F.FusedMultiplyAdd(x2, c, a32); a33 = Avx512F.FusedMultiplyAdd(x3, c, a33);
                    }
                }
                Avx512F.Store(y0 + t, a00); Avx512F.Store(y0 + t + 16, a01); Avx512F.Store(y0 + t + 32, a02); Avx512F.Store(y0 + t + 48, a03);
                Avx512F.Store(y1 + t, a10); Avx512F.Store(y1 + t + 16, a11); Avx512F.Store(y1 + t + 32, a12); Avx512F.Store(y1 + t + 48, a13);
                Avx512F.Store(y2 + t, a20); Avx512F.Store(y2 + t + 16, a21); Avx512F.Store(y2 + t + 32, a22); Avx512F.Store(y2 + t + 48, a23);
                Avx512F.Store(y3 + t, a30); Avx512F.Store(y3 + t + 16, a31); Avx512F.Store(y3 + t + 32, a32); Avx512F.Store(y3 + t + 48, a33);
            }
            for (; t + Lanes <= outLength; t += Lanes)
            {
                Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
                for (int ci = 0; ci < cin; ci++)
                {
                    float* row = xPtr + xBase + ci * paddedLength + t;
                    int wo = ci * kernel;
                    for (int k = 0; k < kernel; k++)
                    {
                        var x = Avx512F.LoadVector512(row + k * dilation);
                        a0 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(w0[wo + k]), a0);
                        a1 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(w1[wo + k]), a1);
                        a2 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(w2[wo + k]), a2);
                        a3 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(w3[wo + k]), a3);
                    }
                }
                Avx512F.Store(y0 + t, a0); Avx512F.Store(y1 + t, a1); Avx512F.Store(y2 + t, a2); Avx512F.Store(y3 + t, a3);
            }
        }
    }

    private static unsafe void ForwardOneChannel(float[] xp, int xBase, int paddedLength, int cin, float[] w, int co, int kernel, int dilation,
        float[] y, int yBase, int outLength)
    {
        fixed (float* xPtr = xp, wPtr = w, yPtr = y)
        {
            float* wc = wPtr + co * cin * kernel, yc = yPtr + yBase;
            int t = 0;
            for (; t + Lanes <= outLength; t += Lanes)
            {
                var a = Vector512<float>.Zero;
                for (int ci = 0; ci < cin; ci++)
                    for (int k = 0; k < kernel; k++)
                        a = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(xPtr + xBase + ci * paddedLength + t + k * dilation), Vector512.Create(wc[ci * kernel + k]), a);
                Avx512F.Store(yc + t, a);
            }
        }
    }

    /// <summary>
    /// dw[co, ci, k] += sum over b, t of dy[b, co, t] * xp[b, ci, t + k * dilation], dy rows of <paramref name="rowLength"/>
    /// (a multiple of 16, zero beyond the output) and xp as in <see cref="Forward"/>. One task per output channel; within
    /// it samples, then positions, are summed in order.
    /// </summary>
    public static void WeightGradient(float[] dy, float[] xp, int batch, int cin, int cout, int kernel, int dilation, int rowLength, float[] dw)
    {
        if (rowLength % Lanes != 0) throw new ArgumentException($"row length {rowLength} is not a multiple of {Lanes}");
        int outLength = rowLength, paddedLength = rowLength + (kernel - 1) * dilation;
        if (kernel == 3)
        {
            // The U-Net's kernel: four output channels x three taps in registers, 7 loads per 12 multiply-adds.
            int coBlocks = (cout + ChannelBlock - 1) / ChannelBlock;
            Engine.For(coBlocks, block =>
            {
                int co = block * ChannelBlock;
                if (cout - co >= ChannelBlock) WeightGradientFourChannelsThreeTaps(dy, xp, batch, cin, cout, dilation, rowLength, paddedLength, co, dw);
                else for (int c = co; c < cout; c++) WeightGradientOfChannel(dy, xp, batch, cin, cout, kernel, dilation, outLength, paddedLength, c, dw);
            });
            return;
        }
        Engine.For(cout, co => WeightGradientOfChannel(dy, xp, batch, cin, cout, kernel, dilation, outLength, paddedLength, co, dw));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WeightGradientFourChannelsThreeTaps(float[] dy, float[] xp, int batch, int cin, int cout, int dilation,
        int rowLength, int paddedLength, int co, float[] dw)
    {
        // running[(j * cin + ci) * 3 + k]: channel co + j, input channel ci, tap k, summed over samples in order.
        var running = new Vector512<float>[ChannelBlock * cin * 3];
        fixed (float* dyPtr = dy, xPtr = xp)
        fixed (Vector512<float>* r = running)
        {
            for (int b = 0; b < batch; b++)
            {
                float* g0 = dyPtr + (b * cout + co) * rowLength, g1 = g0 + rowLength, g2 = g1 + rowLength, g3 = g2 + rowLength;
                for (int ci = 0; ci < cin; ci++)
                {
                    float* x = xPtr + (b * cin + ci) * paddedLength;
                    Vector512<float> a00 = Vector512<float>.Zero, a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00,
                        a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
                    for (int t = 0; t < rowLength; t += Lanes)
                    {
                        var x0 = Avx512F.LoadVector512(x + t);
                        var x1 = Avx512F.LoadVector512(x + t + dilation);
                        var x2 = Avx512F.LoadVector512(x + t + 2 * dilation);
                        var g = Avx512F.LoadVector512(g0 + t);
                        a00 = Avx512F.FusedMultiplyAdd(g, x0, a00); a01 = Avx512F.FusedMultiplyAdd(g, x1, a01); a02 = Avx512F.FusedMultiplyAdd(g, x2, a02);
                        g = Avx512F.LoadVector512(g1 + t);
                        a10 = Avx512F.FusedMultiplyAdd(g, x0, a10); a11 = Avx512F.FusedMultiplyAdd(g, x1, a11); a12 = Avx512F.FusedMultiplyAdd(g, x2, a12);
                        g = Avx512F.LoadVector512(g2 + t);
                        a20 = Avx512F.FusedMultiplyAdd(g, x0, a20); a21 = Avx512F.FusedMultiplyAdd(g, x1, a21); a22 = Avx512F.FusedMultiplyAdd(g, x2, a22);
                        g = Avx512F.LoadVector512(g3 + t);
                        a30 = Avx512F.FusedMultiplyAdd(g, x0, a30); a31 = Avx512F.FusedMultiplyAdd(g, x1, a31); a32 = Avx512F.FusedMultiplyAdd(g, x2, a32);
                    }
                    Vector512<float>* q = r + ci * 3;
                    int channel = cin * 3;
                    q[0] += a00; q[1] += a01; q[2] += a02; q += channel;
                    q[0] += a10; q[1] += a11; q[2] += a12; q += channel;
                    q[0] += a20; q[1] += a21; q[2] += a22; q += channel;
                    q[0] += a30; q[1] += a31; q[2] += a32;
                }
            }
        }
        int taps = cin * 3;
        for (int j = 0; j < ChannelBlock; j++)
            for (int tap = 0; tap < taps; tap++) dw[(co + j) * taps + tap] += Vector512.Sum(running[j * taps + tap]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WeightGradientOfChannel(float[] dy, float[] xp, int batch, int cin, int cout, int kernel, int dilation,
        int outLength, int paddedLength, int co, float[] dw)
    {
        // Samples outermost so that the sample's gradient row stays in L1 while every (ci, k) pair reads it; each pair keeps
        // one running vector across samples.
        int taps = cin * kernel, vectorEnd = outLength - outLength % PositionBlock;
        var running = new Vector512<float>[taps];
        fixed (float* dyPtr = dy, xPtr = xp)
        {
            for (int b = 0; b < batch; b++)
            {
                float* g = dyPtr + (b * cout + co) * outLength;
                for (int ci = 0; ci < cin; ci++)
                    for (int k = 0; k < kernel; k++)
                    {
                        float* x = xPtr + (b * cin + ci) * paddedLength + k * dilation;
                        var s0 = Vector512<float>.Zero; var s1 = Vector512<float>.Zero; var s2 = Vector512<float>.Zero; var s3 = Vector512<float>.Zero;
                        int t = 0;
                        for (; t < vectorEnd; t += PositionBlock)
                        {
                            s0 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(g + t), Avx512F.LoadVector512(x + t), s0);
                            s1 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(g + t + 16), Avx512F.LoadVector512(x + t + 16), s1);
                            s2 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(g + t + 32), Avx512F.LoadVector512(x + t + 32), s2);
                            s3 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(g + t + 48), Avx512F.LoadVector512(x + t + 48), s3);
                        }
                        for (; t < outLength; t += Lanes) s0 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(g + t), Avx512F.LoadVector512(x + t), s0);
                        running[ci * kernel + k] += (s0 + s1) + (s2 + s3);
                    }
            }
        }
        for (int tap = 0; tap < taps; tap++) dw[co * taps + tap] += Vector512.Sum(running[tap]);
    }
}
