namespace GenoSynth.Genotypes;

/// <summary>Malformed or inconsistent genotype input. The message always names the file (and line when known).</summary>
public sealed class GenotypeFormatException : Exception
{
    public string FilePath { get; }
    public long? Line { get; }

    public GenotypeFormatException(string filePath, long? line, string message)
        : base(line is null ? $"{filePath}: {message}" : $"{filePath}:{line}: {message}")
    {
        FilePath = filePath;
        Line = line;
    }
}
