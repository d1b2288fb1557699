namespace GenoSynth.Plink;

/// <summary>A PLINK run failed (non-zero exit, timeout, missing binary). The message carries PLINK's error line and log path.</summary>
public sealed class PlinkException(string message) : Exception(message);
