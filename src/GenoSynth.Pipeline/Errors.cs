namespace GenoSynth.Pipeline;

/// <summary>An invalid experiment spec. The message names file:line:column and the key.</summary>
public sealed class SpecException : Exception
{
    public SpecException(string file, long line, long column, string key, string message)
        : base($"{file}:{line}:{column}: {(key.Length > 0 ? key + ": " : "")}{message}") { }

    public SpecException(string file, string message) : base($"{file}: {message}") { }
}

/// <summary>Bad or missing input data (missing file, checksum mismatch, inconsistent inputs).</summary>
public sealed class InputException(string message) : Exception(message);

/// <summary>Another run holds the experiment.</summary>
public sealed class LockedException(string message) : Exception(message);
