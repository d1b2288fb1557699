namespace GenoSynth.Neural;

/// <summary>
/// Recycles float buffers by exact length. A training step asks for the same sizes every time, so after the first
/// step the forward and backward passes allocate no new buffers.
/// </summary>
public sealed class BufferPool
{
    private readonly Dictionary<int, Stack<float[]>> _free = new();

    public long BytesAllocated { get; private set; }

    /// <summary>A zero-filled buffer of exactly <paramref name="length"/> floats.</summary>
    public float[] Rent(int length, bool clear = true)
    {
        if (_free.TryGetValue(length, out var stack) && stack.Count > 0)
        {
            var buffer = stack.Pop();
            if (clear) Array.Clear(buffer);
            return buffer;
        }
        BytesAllocated += 4L * length;
        return new float[length];
    }

    public void Return(float[] buffer)
    {
        if (!_free.TryGetValue(buffer.Length, out var stack)) _free[buffer.Length] = stack = new Stack<float[]>();
        stack.Push(buffer);
    }
}
