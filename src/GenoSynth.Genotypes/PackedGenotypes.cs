namespace GenoSynth.Genotypes;

/// <summary>
/// Diploid genotype calls packed 2 bits per call, variant-major, byte-compatible with a PLINK 1 .bed body:
/// for variant j the calls of all samples occupy <see cref="BytesPerVariant"/> bytes, sample i at bits 2*(i%4).
/// Codes: 00 = two copies of allele 1, 01 = missing, 10 = heterozygous, 11 = zero copies of allele 1.
/// </summary>
public sealed class PackedGenotypes
{
    public const sbyte Missing = -1;

    /// <summary>Dosage of allele 1 for each 2-bit code.</summary>
    private static readonly sbyte[] CodeToDosage = [2, Missing, 1, 0];

    private static readonly byte[] DosageToCode = [0b11, 0b10, 0b00];

    private readonly byte[] _data;

    public int SampleCount { get; }
    public int VariantCount { get; }
    public int BytesPerVariant { get; }

    public PackedGenotypes(int sampleCount, int variantCount)
        : this(sampleCount, variantCount, new byte[checked((long)BytesFor(sampleCount) * variantCount)]) { }

    public PackedGenotypes(int sampleCount, int variantCount, byte[] data)
    {
        SampleCount = sampleCount;
        VariantCount = variantCount;
        BytesPerVariant = BytesFor(sampleCount);
        if (data.LongLength != (long)BytesPerVariant * variantCount)
            throw new ArgumentException($"packed data has {data.LongLength} bytes, expected {(long)BytesPerVariant * variantCount}");
        _data = data;
    }

    public static int BytesFor(int sampleCount) => (sampleCount + 3) / 4;

    public byte[] RawData => _data;

    public ReadOnlySpan<byte> VariantBytes(int variant) => new(_data, variant * BytesPerVariant, BytesPerVariant);

    public Span<byte> VariantBytesMutable(int variant) => new(_data, variant * BytesPerVariant, BytesPerVariant);

    public sbyte Get(int sample, int variant)
    {
        int code = (_data[variant * BytesPerVariant + (sample >> 2)] >> ((sample & 3) << 1)) & 3;
        return CodeToDosage[code];
    }

    public void Set(int sample, int variant, sbyte dosage)
    {
        int code = dosage == Missing ? 0b01 : DosageToCode[dosage];
        ref byte b = ref _data[variant * BytesPerVariant + (sample >> 2)];
        int shift = (sample & 3) << 1;
        b = (byte)((b & ~(3 << shift)) | (code << shift));
    }

    /// <summary>Decodes one variant's calls into <paramref name="dosages"/> (length SampleCount; -1 = missing).</summary>
    public void DecodeVariant(int variant, Span<sbyte> dosages)
    {
        var bytes = VariantBytes(variant);
        int samples = SampleCount;
        int full = samples >> 2;
        for (int b = 0; b < full; b++)
        {
            int v = bytes[b];
            int o = b << 2;
            dosages[o] = CodeToDosage[v & 3];
            dosages[o + 1] = CodeToDosage[(v >> 2) & 3];
            dosages[o + 2] = CodeToDosage[(v >> 4) & 3];
            dosages[o + 3] = CodeToDosage[v >> 6];
        }
        for (int i = full << 2; i < samples; i++)
            dosages[i] = CodeToDosage[(bytes[i >> 2] >> ((i & 3) << 1)) & 3];
    }

    /// <summary>Encodes dosages (0,1,2 or -1 missing) for one variant; padding bits of the last byte stay 0.</summary>
    public void EncodeVariant(int variant, ReadOnlySpan<sbyte> dosages)
    {
        var bytes = VariantBytesMutable(variant);
        bytes.Clear();
        for (int i = 0; i < SampleCount; i++)
        {
            sbyte d = dosages[i];
            int code = d == Missing ? 0b01 : DosageToCode[d];
            bytes[i >> 2] |= (byte)(code << ((i & 3) << 1));
        }
    }

    /// <summary>Sample-major dosage matrix [sample, variant] (-1 = missing).</summary>
    public sbyte[,] ToSampleMajor()
    {
        var result = new sbyte[SampleCount, VariantCount];
        var column = new sbyte[SampleCount];
        for (int j = 0; j < VariantCount; j++)
        {
            DecodeVariant(j, column);
            for (int i = 0; i < SampleCount; i++) result[i, j] = column[i];
        }
        return result;
    }

    /// <summary>Packs dosages 0/1/2 stored one sample after another (<paramref name="variants"/> values per sample).</summary>
    public static PackedGenotypes FromSampleRows(ReadOnlySpan<byte> dosages, int samples, int variants)
    {
        if (dosages.Length < (long)samples * variants) throw new ArgumentException($"{dosages.Length} values for {samples} x {variants} dosages");
        var packed = new PackedGenotypes(samples, variants);
        var column = new sbyte[samples];
        for (int j = 0; j < variants; j++)
        {
            for (int i = 0; i < samples; i++) column[i] = (sbyte)dosages[i * variants + j];
            packed.EncodeVariant(j, column);
        }
        return packed;
    }

    /// <summary>New matrix with the given samples (in that order) and variants (in that order).</summary>
    public PackedGenotypes Subset(IReadOnlyList<int> samples, IReadOnlyList<int> variants)
    {
        var result = new PackedGenotypes(samples.Count, variants.Count);
        var full = new sbyte[SampleCount];
        var picked = new sbyte[samples.Count];
        for (int j = 0; j < variants.Count; j++)
        {
            DecodeVariant(variants[j], full);
            for (int i = 0; i < samples.Count; i++) picked[i] = full[samples[i]];
            result.EncodeVariant(j, picked);
        }
        return result;
    }

    /// <summary>
    /// Zeroes the unused 2-bit slots after the last sample of each variant. PLINK ignores them and writers differ
    /// (some fill them with the missing code), so after this byte equality means call equality.
    /// </summary>
    public void ClearPadding()
    {
        int used = SampleCount & 3;
        if (used == 0) return;
        byte mask = (byte)((1 << (2 * used)) - 1);
        for (int j = 0; j < VariantCount; j++) _data[(long)j * BytesPerVariant + BytesPerVariant - 1] &= mask;
    }

    /// <summary>Count of missing calls over the whole matrix.</summary>
    public long CountMissing()
    {
        long missing = 0;
        var column = new sbyte[SampleCount];
        for (int j = 0; j < VariantCount; j++)
        {
            DecodeVariant(j, column);
            foreach (var d in column) if (d == Missing) missing++;
        }
        return missing;
    }
}
