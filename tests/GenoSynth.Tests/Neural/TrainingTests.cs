using GenoSynth.Neural;
using GenoSynth.Neural.IO;
using GenoSynth.Neural.Layers;
using GenoSynth.Neural.Optim;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Neural;

/// <summary>A small residual MLP with a time embedding: the shape of a diffusion denoiser.</summary>
internal sealed class TinyDenoiser : Module
{
    public Linear In { get; }
    public Linear Time { get; }
    public Linear Hidden { get; }
    public Linear Out { get; }
    private readonly int _timeDim;

    public TinyDenoiser(int features, int width, SeededRandom rng, int timeDim = 16)
    {
        _timeDim = timeDim;
        In = Child("in", new Linear(features, width, rng));
        Time = Child("time", new Linear(timeDim, width, rng));
        Hidden = Child("hidden", new Linear(width, width, rng));
        Out = Child("out", new Linear(width, features, rng));
    }

    public Tensor Forward(Graph g, Tensor x, ReadOnlySpan<float> t)
    {
        var h = g.Add(In.Forward(g, x), Time.Forward(g, g.TimeEmbedding(t, _timeDim)));
        h = g.Add(h, Hidden.Forward(g, g.SiLU(h)));
        return Out.Forward(g, g.SiLU(h));
    }
}

[Collection("EngineSettings")]
public class TrainingTests
{
    [Fact]
    public void A_small_mlp_learns_a_nonlinear_function()
    {
        var rng = new SeededRandom(1);
        var l1 = new Linear(2, 32, rng);
        var l2 = new Linear(32, 32, rng);
        var l3 = new Linear(32, 1, rng);
        var parameters = new[] { l1, l2, l3 }.SelectMany(l => l.Parameters()).ToList();
        var optimizer = Adam.AdamW(parameters, 0.01f, 0);
        var pool = new BufferPool();
        var data = new SeededRandom(2);
        float loss = 0;
        for (int step = 0; step < 1500; step++)
        {
            var x = new float[64 * 2];
            var y = new float[64];
            for (int i = 0; i < 64; i++)
            {
                x[2 * i] = data.NextFloat() * 4 - 2;
                x[2 * i + 1] = data.NextFloat() * 4 - 2;
                y[i] = MathF.Sin(x[2 * i]) * MathF.Cos(x[2 * i + 1]);
            }
            var g = new Graph(pool);
            var xt = g.Constant(x, 64, 2);
            var pred = l3.Forward(g, g.Tanh(l2.Forward(g, g.Tanh(l1.Forward(g, xt)))));
            var l = g.MseLoss(pred, g.Constant(y, 64, 1));
            optimizer.ZeroGrad();
            g.Backward(l);
            optimizer.Step();
            loss = l.Item();
            g.Reset();
        }
        Assert.True(loss < 0.01, $"final loss {loss}"); // the target's variance is about 0.2
    }

    [Fact]
    public void An_adam_step_matches_the_hand_computed_update()
    {
        var p = Tensor.Parameter(Tensor.FromArray([1f, -2f, 0.5f, 3f, 0f, -1f, 2f, 4f, -3f, 1.5f, 0.25f, -0.75f, 5f, 6f, -7f, 8f, 0.1f], 17), "p");
        var grads = new[] { 0.5f, -1f, 2f, 0.1f, -0.3f, 0f, 1f, -2f, 0.7f, 0.2f, -0.9f, 3f, 1f, -1f, 0.5f, 0.25f, -4f };
        var adam = new Adam([p], 0.1f, 0.9f, 0.999f, 1e-8f, weightDecay: 0.01f, decoupledWeightDecay: true);
        var expected = new double[17];
        var m = new double[17];
        var v = new double[17];
        var current = p.Data.Select(x => (double)x).ToArray();
        for (int step = 1; step <= 2; step++)
        {
            grads.CopyTo(p.Grad!, 0);
            adam.Step();
            for (int i = 0; i < 17; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * grads[i];
                v[i] = 0.999 * v[i] + 0.001 * grads[i] * grads[i];
                double mHat = m[i] / (1 - Math.Pow(0.9, step)), vHat = v[i] / (1 - Math.Pow(0.999, step));
                current[i] -= 0.1 * 0.01 * current[i];
                current[i] -= 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
        for (int i = 0; i < 17; i++) Assert.Equal(current[i], p.Data[i], 4);
    }

    [Fact]
    public void Warmup_cosine_schedule_and_gradient_clipping()
    {
        var s = new WarmupCosineSchedule(1e-3f, 100, 1100, 1e-5f);
        Assert.Equal(1e-5f, s.At(0), 6);
        Assert.Equal(1e-3f, s.At(99), 6);
        Assert.Equal((1e-3f + 1e-5f) / 2, s.At(600), 6);
        Assert.Equal(1e-5f, s.At(1100), 6);
        var p = Tensor.Parameter(Tensor.Zeros(2), "p");
        p.Grad![0] = 3; p.Grad[1] = 4;
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([p], 1.0), 6);
        Assert.Equal(0.6f, p.Grad[0], 5);
        Assert.Equal(0.8f, p.Grad[1], 5);
    }

    [Fact]
    public void Ema_tracks_the_average_and_swaps()
    {
        var p = Tensor.Parameter(Tensor.FromArray([0f], 1), "p");
        var ema = new ExponentialMovingAverage([p], 0.9f);
        p.Data[0] = 10;
        ema.Update();
        Assert.Equal(1f, ema.Shadow[0].Data[0], 5);
        ema.Swap();
        Assert.Equal(1f, p.Data[0], 5);
        ema.Swap();
        Assert.Equal(10f, p.Data[0]);
    }

    [Fact]
    public void A_checkpoint_round_trips_to_identical_outputs_and_rejects_mismatches()
    {
        using var tmp = new TempDir();
        var a = new TinyDenoiser(12, 16, new SeededRandom(3));
        var b = new TinyDenoiser(12, 16, new SeededRandom(4));
        var x = Tensor.Randn(new SeededRandom(5), 1, 8, 12);
        float[] times = [1, 5, 9, 100, 3, 4, 7, 2];
        var pool = new BufferPool();
        var g = new Graph(pool, gradEnabled: false);
        var before = a.Forward(g, x, times).Span.ToArray();
        Assert.NotEqual(before, b.Forward(g, x, times).Span.ToArray());
        SafeTensors.Save(tmp.File("a.safetensors"), a.NamedParameters(), new Dictionary<string, string> { ["step"] = "7" });
        SafeTensors.LoadInto(tmp.File("a.safetensors"), b.NamedParameters());
        Assert.Equal(before, b.Forward(g, x, times).Span.ToArray());
        Assert.Equal("7", SafeTensors.Load(tmp.File("a.safetensors")).Metadata["step"]);

        var wide = new TinyDenoiser(12, 24, new SeededRandom(6));
        var shape = Assert.Throws<CheckpointException>(() => SafeTensors.LoadInto(tmp.File("a.safetensors"), wide.NamedParameters()));
        Assert.Contains("in.weight", shape.Message);
        Assert.Contains("[16, 12]", shape.Message);
        var missing = Assert.Throws<CheckpointException>(() =>
            SafeTensors.LoadInto(tmp.File("a.safetensors"), a.NamedParameters().Append(("extra.weight", Tensor.Zeros(2)))));
        Assert.Contains("'extra.weight' is missing", missing.Message);

        // The file layout is the documented safetensors one: u64 header length, JSON, data.
        var bytes = File.ReadAllBytes(tmp.File("a.safetensors"));
        long headerLength = BitConverter.ToInt64(bytes, 0);
        var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)).RootElement;
        Assert.Equal("F32", header.GetProperty("out.weight").GetProperty("dtype").GetString());
        Assert.Equal(8 + headerLength + 4 * a.ParameterCount, bytes.Length);
    }

    private static byte[] TrainBytes(int threads, int steps = 15)
    {
        var saved = Engine.Threads;
        Engine.Threads = threads;
        try
        {
            var model = new TinyDenoiser(805, 64, new SeededRandom(11));
            var optimizer = Adam.AdamW(model.Parameters(), 1e-3f);
            var ema = new ExponentialMovingAverage(model.Parameters(), 0.99f);
            var pool = new BufferPool();
            var data = new SeededRandom(12);
            for (int step = 0; step < steps; step++)
            {
                var x = Tensor.Randn(data, 1, 32, 805);
                var noise = Tensor.Randn(data, 1, 32, 805);
                var t = Enumerable.Range(0, 32).Select(_ => (float)data.NextInt(1000)).ToArray();
                var g = new Graph(pool, random: data.Fork((ulong)step));
                var loss = g.MseLoss(g.Dropout(model.Forward(g, g.Add(x, noise), t), 0.1f), noise);
                optimizer.ZeroGrad();
                g.Backward(loss);
                GradientClipping.ClipByGlobalNorm(model.Parameters(), 1.0);
                optimizer.Step();
                ema.Update();
                g.Reset();
            }
            return model.Parameters().Concat(ema.Shadow).SelectMany(p => p.Span.ToArray()).SelectMany(BitConverter.GetBytes).ToArray();
        }
        finally { Engine.Threads = saved; }
    }

    [Fact]
    public void Two_seeded_training_runs_are_bitwise_identical_with_one_and_two_threads()
    {
        var one = TrainBytes(1);
        var oneAgain = TrainBytes(1);
        var two = TrainBytes(2);
        Assert.Equal(one, oneAgain);
        Assert.Equal(one, two);
    }

    private static void TrainSteps(TinyDenoiser model, Optimizer optimizer, ExponentialMovingAverage ema, int from, int to)
    {
        var pool = new BufferPool();
        for (int step = from; step < to; step++)
        {
            var data = new SeededRandom(1000 + (ulong)step); // each step's batch depends only on the step index
            var x = Tensor.Randn(data, 1, 16, 40);
            var noise = Tensor.Randn(data, 1, 16, 40);
            var t = Enumerable.Range(0, 16).Select(_ => (float)data.NextInt(1000)).ToArray();
            var g = new Graph(pool, random: data.Fork(1));
            var loss = g.MseLoss(model.Forward(g, g.Add(x, noise), t), noise);
            optimizer.ZeroGrad();
            g.Backward(loss);
            optimizer.Step();
            ema.Update();
            g.Reset();
        }
    }

    [Fact]
    public void Training_resumed_from_a_checkpoint_ends_with_the_same_bytes_as_an_uninterrupted_run()
    {
        using var tmp = new TempDir();
        var a = new TinyDenoiser(40, 32, new SeededRandom(21));
        var optA = Adam.AdamW(a.Parameters(), 1e-3f);
        var emaA = new ExponentialMovingAverage(a.Parameters(), 0.9f);
        TrainSteps(a, optA, emaA, 0, 12);
        TrainingCheckpoint.Save(tmp.File("ckpt.safetensors"), a, optA, emaA, new Dictionary<string, string> { ["note"] = "resume test" });
        TrainSteps(a, optA, emaA, 12, 20);

        var b = new TinyDenoiser(40, 32, new SeededRandom(99)); // different initial weights, overwritten by the checkpoint
        var optB = Adam.AdamW(b.Parameters(), 1e-3f);
        var emaB = new ExponentialMovingAverage(b.Parameters(), 0.9f);
        var meta = TrainingCheckpoint.Load(tmp.File("ckpt.safetensors"), b, optB, emaB);
        Assert.Equal("12", meta["step"]);
        Assert.Equal(12, optB.StepCount);
        TrainSteps(b, optB, emaB, 12, 20);

        Assert.Equal(a.Parameters().SelectMany(p => p.Span.ToArray()), b.Parameters().SelectMany(p => p.Span.ToArray()));
        Assert.Equal(emaA.Shadow.SelectMany(p => p.Span.ToArray()), emaB.Shadow.SelectMany(p => p.Span.ToArray()));
    }
}
