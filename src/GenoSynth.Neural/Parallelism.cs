namespace GenoSynth.Neural;

/// <summary>
/// Engine-wide settings: thread count (GENOSYNTH_THREADS, default all cores) and the GEMM backend
/// (GENOSYNTH_GEMM=managed|openblas, default managed). Work is split into a fixed partition whose results never
/// depend on which thread ran which piece, so results are bitwise identical for any thread count.
/// </summary>
public static class Engine
{
    private static int _threads = ReadThreads();
    private static readonly Lazy<WorkerPool> Pool = new(() => new WorkerPool(Environment.ProcessorCount - 1));

    public static int Threads
    {
        get => _threads;
        set => _threads = Math.Max(1, value);
    }

    private static int ReadThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("GENOSYNTH_THREADS"), out int t) && t > 0 ? t : Environment.ProcessorCount;

    /// <summary>Runs body(i) for i in [0, count) on up to <see cref="Threads"/> threads (serially when nested).</summary>
    public static void For(int count, Action<int> body)
    {
        int participants = Math.Min(Math.Min(Threads, count), Environment.ProcessorCount);
        if (participants <= 1 || WorkerPool.InsideParallelRegion)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Pool.Value.Run(count, participants - 1, body);
    }
}

/// <summary>
/// Persistent worker threads for the engine's many short parallel regions (a training step has about a hundred):
/// no allocation per region and a short wake-up (each worker's semaphore spins briefly before it blocks).
/// Indices are claimed with an interlocked counter; which thread runs an index never changes the result.
/// </summary>
internal sealed class WorkerPool
{
    [ThreadStatic] private static bool _inside;

    private readonly SemaphoreSlim[] _wake;
    private readonly ManualResetEventSlim _done = new(false);
    private readonly object _gate = new();
    private Action<int>? _body;
    private int _count;
    private int _next;
    private int _running;
    private Exception? _error;

    public static bool InsideParallelRegion => _inside;

    public WorkerPool(int workers)
    {
        _wake = new SemaphoreSlim[Math.Max(0, workers)];
        for (int w = 0; w < _wake.Length; w++)
        {
            _wake[w] = new SemaphoreSlim(0);
            int index = w;
            new Thread(() => Work(index)) { IsBackground = true, Name = $"genosynth-worker-{w}" }.Start();
        }
    }

    public void Run(int count, int helpers, Action<int> body)
    {
        helpers = Math.Min(helpers, _wake.Length);
        lock (_gate) // one parallel region at a time; callers from several threads take turns
        {
            _body = body;
            _count = count;
            _next = 0;
            _error = null;
            _done.Reset();
            Volatile.Write(ref _running, helpers + 1);
            for (int w = 0; w < helpers; w++) _wake[w].Release();
            Execute();
            if (Interlocked.Decrement(ref _running) != 0) _done.Wait();
            _body = null;
            if (_error is not null) throw new AggregateException(_error);
        }
    }

    private void Work(int index)
    {
        _inside = true;
        while (true)
        {
            _wake[index].Wait();
            Execute();
            if (Interlocked.Decrement(ref _running) == 0) _done.Set();
        }
    }

    private void Execute()
    {
        bool wasInside = _inside;
        _inside = true;
        try
        {
            var body = _body!;
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < _count) body(i);
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _error, ex, null);
            Volatile.Write(ref _next, int.MaxValue / 2); // stop handing out work
        }
        finally
        {
            _inside = wasInside;
        }
    }
}
