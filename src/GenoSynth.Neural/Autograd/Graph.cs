namespace GenoSynth.Neural;

/// <summary>An operation on the tape: it knows its inputs and adds its output's gradient into theirs.</summary>
public abstract class Op
{
    internal Tensor Output = null!;
    internal abstract void Backward(Graph g);
}

/// <summary>
/// The reverse-mode autograd tape for one pass (a training step's forward and backward, or one sampling step).
/// Intermediate tensors borrow buffers from a <see cref="BufferPool"/>; <see cref="Reset"/> hands them all back, so
/// steady-state training allocates no new buffers. With <c>gradEnabled: false</c> nothing is recorded (no-grad mode).
/// Tensors made by a graph are invalid after its <see cref="Reset"/>.
/// </summary>
public sealed partial class Graph
{
    private readonly BufferPool _pool;
    private readonly List<Op> _tape = new(256);
    private readonly List<float[]> _rented = new(512);

    public bool GradEnabled { get; }

    /// <summary>Training mode (dropout active).</summary>
    public bool Training { get; set; }

    /// <summary>Source of randomness for dropout; seeded by the caller so runs repeat exactly.</summary>
    public SeededRandom Random { get; set; }

    public Graph(BufferPool pool, bool gradEnabled = true, SeededRandom? random = null)
    {
        _pool = pool;
        GradEnabled = gradEnabled;
        Training = gradEnabled;
        Random = random ?? new SeededRandom(0);
    }

    public BufferPool Pool => _pool;

    /// <summary>A new pooled tensor (zero-filled unless <paramref name="clear"/> is false).</summary>
    public Tensor New(int[] shape, bool clear = true)
    {
        var data = _pool.Rent(ShapeUtil.Count(shape), clear);
        _rented.Add(data);
        return new Tensor(data, shape) { Pooled = true };
    }

    /// <summary>A pooled scratch buffer that lives until <see cref="Reset"/>.</summary>
    internal float[] Scratch(int length, bool clear = true)
    {
        var data = _pool.Rent(length, clear);
        _rented.Add(data);
        return data;
    }

    /// <summary>A constant tensor copied from <paramref name="values"/>.</summary>
    public Tensor Constant(ReadOnlySpan<float> values, params int[] shape)
    {
        var t = New(shape, clear: false);
        values.CopyTo(t.Data);
        return t;
    }

    internal bool Tracks(Tensor t) => GradEnabled && t.RequiresGrad;

    internal float[] GradOf(Tensor t)
    {
        if (t.Grad is null)
        {
            var g = _pool.Rent(t.Length);
            _rented.Add(g);
            t.Grad = g;
        }
        return t.Grad;
    }

    internal Tensor Record(Op op, Tensor output)
    {
        output.RequiresGrad = true;
        op.Output = output;
        output.Creator = op;
        _tape.Add(op);
        return output;
    }

    /// <summary>Back-propagates from a scalar loss through every recorded op, newest first.</summary>
    public void Backward(Tensor loss)
    {
        if (loss.Length != 1) throw new InvalidOperationException($"Backward needs a scalar loss, got {loss}");
        if (!loss.RequiresGrad) throw new InvalidOperationException("the loss does not depend on any parameter");
        GradOf(loss)[0] = 1;
        for (int i = _tape.Count - 1; i >= 0; i--)
        {
            var op = _tape[i];
            if (op.Output.Grad is not null) op.Backward(this);
        }
    }

    /// <summary>Returns every borrowed buffer to the pool and clears the tape.</summary>
    public void Reset()
    {
        foreach (var buffer in _rented) _pool.Return(buffer);
        _rented.Clear();
        _tape.Clear();
    }

    public int TapeLength => _tape.Count;
}
