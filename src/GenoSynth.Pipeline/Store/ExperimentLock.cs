namespace GenoSynth.Pipeline.Store;

/// <summary>
/// An exclusive lock per experiment (an OS file lock, released when the process ends, even on kill -9), so two runs
/// never write the same experiment at once. It lives in the cache, not in results/, so a failed run leaves results/ untouched.
/// </summary>
public sealed class ExperimentLock : IDisposable
{
    private readonly FileStream _stream;

    private ExperimentLock(FileStream stream) => _stream = stream;

    public static ExperimentLock Acquire(string lockDirectory, string experiment, TimeSpan wait)
    {
        Directory.CreateDirectory(lockDirectory);
        var path = Path.Combine(lockDirectory, experiment + ".lock");
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                stream.SetLength(0);
                var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString());
                stream.Write(pid);
                stream.Flush();
                return new ExperimentLock(stream);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
            catch (IOException)
            {
                string holder = "";
                try { holder = File.ReadAllText(path).Trim(); } catch (IOException) { }
                throw new LockedException($"experiment '{experiment}' is in use by another GenoSynth run{(holder.Length > 0 ? $" (pid {holder})" : "")}; " +
                    "wait for it to finish and run again");
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
