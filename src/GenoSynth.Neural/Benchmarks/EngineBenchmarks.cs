using System.Diagnostics;
using GenoSynth.Neural.Layers;
using GenoSynth.Neural.Optim;

namespace GenoSynth.Neural.Benchmarks;

public sealed record GemmFigure(string Shape, int M, int N, int K, int Threads, string Backend, double Gflops, double Milliseconds);

public sealed record GemmReport(string Kernel, string? OpenBlasCoreType, IReadOnlyList<GemmFigure> Figures, IReadOnlyList<GemmRatio> Ratios);

public sealed record GemmRatio(string Shape, int Threads, double ManagedOverOpenBlas);

public sealed record TrainStepReport(
    string Model, long Parameters, int Batch, int Threads, double MillisecondsPerStep, double GflopPerStep, double AchievedGflops,
    double GemmPeakGflops, double FractionOfPeak, long AllocatedBytesPerStep, long PoolBytesAfterWarmup,
    double ForwardMilliseconds, double BackwardMilliseconds, double UpdateMilliseconds);

/// <summary>
/// Figures for the engine, measured in one run: each GEMM shape on the managed kernel and on OpenBLAS with 1 and
/// 2 threads, and one AdamW training step of a residual MLP denoiser. GEMM figures are the best of repeated runs
/// (the machine's capability; shared virtual machines add noise that a best-of filters), the train step the median.
/// </summary>
public static class EngineBenchmarks
{
    public static readonly (string Name, int M, int N, int K)[] GemmShapes =
        [("1024x1024x1024", 1024, 1024, 1024), ("256x1024x1024", 256, 1024, 1024), ("64x805x512", 64, 805, 512)];

    public static GemmReport Gemm(double secondsPerFigure = 0.6)
    {
        var figures = new List<GemmFigure>();
        var rng = new SeededRandom(1);
        var savedThreads = Engine.Threads;
        var savedBackend = Neural.Gemm.Backend;
        try
        {
            foreach (var (name, m, n, k) in GemmShapes)
            {
                var a = Tensor.Randn(rng, 1, m, k).Data;
                var b = Tensor.Randn(rng, 1, k, n).Data;
                var c = new float[m * n];
                foreach (int threads in new[] { 1, 2 })
                    foreach (var backend in new[] { GemmBackend.Managed, GemmBackend.OpenBlas })
                    {
                        if (backend == GemmBackend.OpenBlas && !OpenBlas.IsAvailable) continue;
                        Engine.Threads = threads;
                        OpenBlas.SetThreads(threads);
                        Neural.Gemm.Backend = backend;
                        double ms = BestMilliseconds(() => Neural.Gemm.Multiply(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n), secondsPerFigure);
                        figures.Add(new GemmFigure(name, m, n, k, threads, backend == GemmBackend.Managed ? "managed" : "openblas",
                            Math.Round(2.0 * m * n * k / (ms * 1e6), 1), Math.Round(ms, 3)));
                    }
            }
        }
        finally
        {
            Engine.Threads = savedThreads;
            Neural.Gemm.Backend = savedBackend;
        }
        var ratios = figures.Where(f => f.Backend == "managed")
            .Select(f => (f, blas: figures.FirstOrDefault(o => o.Backend == "openblas" && o.Shape == f.Shape && o.Threads == f.Threads)))
            .Where(x => x.blas is not null)
            .Select(x => new GemmRatio(x.f.Shape, x.f.Threads, Math.Round(x.f.Gflops / x.blas!.Gflops, 3))).ToList();
        return new GemmReport(Neural.Gemm.Kernel.ToString(), Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"), figures, ratios);
    }

    /// <summary>GFLOP/s of the current GEMM backend on 1024^3 with the engine's threads (best of repeated runs).</summary>
    public static double GemmPeak()
    {
        const int n = 1024;
        var rng = new SeededRandom(3);
        var a = Tensor.Randn(rng, 1, n, n).Data;
        var b = Tensor.Randn(rng, 1, n, n).Data;
        var c = new float[n * n];
        double ms = BestMilliseconds(() => Neural.Gemm.Multiply(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n), 0.6);
        return 2.0 * n * n * n / (ms * 1e6);
    }

    /// <summary>The denoiser of the benchmark: 805 -> 1024 -> 1024 -> 805 with a residual hidden block and a time embedding.</summary>
    private sealed class ResidualMlpDenoiser : Module
    {
        private readonly Linear _input, _time, _hidden, _output;
        private readonly LayerNorm _norm;

        public ResidualMlpDenoiser(int features, int width, SeededRandom rng)
        {
            _input = Child("input", new Linear(features, width, rng));
            _time = Child("time", new Linear(128, width, rng));
            _norm = Child("norm", new LayerNorm(width));
            _hidden = Child("hidden", new Linear(width, width, rng));
            _output = Child("output", new Linear(width, features, rng));
        }

        public Tensor Forward(Graph g, Tensor x, ReadOnlySpan<float> t)
        {
            var h = g.Add(_input.Forward(g, x), _time.Forward(g, g.TimeEmbedding(t, 128)));
            h = g.Add(h, _hidden.Forward(g, g.SiLU(_norm.Forward(g, h))));
            return _output.Forward(g, g.SiLU(h));
        }

        public static double FlopsPerStep(int batch, int features, int width) =>
            3 * 2.0 * batch * (features * width + 128 * width + width * width + width * features); // forward + 2x backward
    }

    public static TrainStepReport TrainStep(double gemmPeakGflops, int batch = 256, int steps = 30)
    {
        const int features = 805, width = 1024;
        var rng = new SeededRandom(7);
        var model = new ResidualMlpDenoiser(features, width, rng);
        var optimizer = Adam.AdamW(model.Parameters(), 2e-4f);
        var pool = new BufferPool();
        var x = Tensor.Randn(rng, 1, batch, features);
        var noise = Tensor.Randn(rng, 1, batch, features);
        var times = Enumerable.Range(0, batch).Select(i => (float)(i * 7 % 1000)).ToArray();
        var graph = new Graph(pool);

        var phase = new double[3];
        void Step(bool timePhases)
        {
            var sw = Stopwatch.StartNew();
            var loss = graph.MseLoss(model.Forward(graph, graph.Add(x, noise), times), noise);
            double forward = sw.Elapsed.TotalMilliseconds;
            optimizer.ZeroGrad();
            graph.Backward(loss);
            double backward = sw.Elapsed.TotalMilliseconds;
            optimizer.Step();
            graph.Reset();
            if (timePhases)
            {
                phase[0] += forward;
                phase[1] += backward - forward;
                phase[2] += sw.Elapsed.TotalMilliseconds - backward;
            }
        }

        for (int i = 0; i < 3; i++) Step(false); // warm-up: JIT, pool, packing buffers
        long poolBytes = pool.BytesAllocated;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var samples = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            var sw = Stopwatch.StartNew();
            Step(true);
            samples[i] = sw.Elapsed.TotalMilliseconds;
        }
        long allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / steps;
        Array.Sort(samples);
        double ms = samples[steps / 2];
        double gflop = ResidualMlpDenoiser.FlopsPerStep(batch, features, width) / 1e9;
        double achieved = gflop / (ms / 1000);
        return new TrainStepReport($"residual MLP {features}->{width}->{width}->{features} + time embedding, AdamW", model.ParameterCount, batch,
            Engine.Threads, Math.Round(ms, 2), Math.Round(gflop, 3), Math.Round(achieved, 1), Math.Round(gemmPeakGflops, 1),
            Math.Round(achieved / gemmPeakGflops, 3), allocated, poolBytes,
            Math.Round(phase[0] / steps, 2), Math.Round(phase[1] / steps, 2), Math.Round(phase[2] / steps, 2));
    }

    private static double BestMilliseconds(Action action, double seconds)
    {
        action();
        action();
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (samples.Count < 3 || (total.Elapsed.TotalSeconds < seconds && samples.Count < 200))
        {
            var sw = Stopwatch.StartNew();
            action();
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        return samples.Min();
    }
}
