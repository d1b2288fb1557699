using GenoSynth.Genotypes;
using GenoSynth.Plink;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Genotypes;

public class PlinkBedTests
{
    [Fact]
    public void Decoding_of_the_LCT_bed_equals_plink2_export_A()
    {
        using var tmp = new TempDir();
        var ours = Plink1Files.Read(TestData.LctPrefix);
        var (plink, counted) = PlinkExport.ExportA(TestData.LctPrefix, tmp.File("lct"));
        Assert.Equal(503, ours.Samples.Count);
        Assert.Equal(607, ours.Variants.Count);
        Assert.Equal(plink.GetLength(0), ours.Samples.Count);
        Assert.Equal(plink.GetLength(1), ours.Variants.Count);
        var decoded = ours.Genotypes.ToSampleMajor();
        int mismatches = 0;
        long missing = 0;
        for (int j = 0; j < 607; j++)
        {
            // Our dosage counts allele 1; plink2 names the allele it counts, which may be allele 2.
            bool countsAllele1 = counted[j] == ours.Variants[j].Allele1;
            Assert.True(countsAllele1 || counted[j] == ours.Variants[j].Allele2);
            for (int i = 0; i < 503; i++)
            {
                sbyte expected = plink[i, j] < 0 || countsAllele1 ? plink[i, j] : (sbyte)(2 - plink[i, j]);
                if (decoded[i, j] != expected) mismatches++;
                if (expected < 0) missing++;
            }
        }
        Assert.Equal(0, mismatches);
        Assert.Equal(missing, ours.Genotypes.CountMissing());
    }

    [Fact]
    public void Writing_the_LCT_fileset_reproduces_the_original_bed_bytes_up_to_padding()
    {
        using var tmp = new TempDir();
        var data = Plink1Files.Read(TestData.LctPrefix);
        Plink1Files.Write(tmp.File("copy"), data);
        var original = File.ReadAllBytes(TestData.LctPrefix + ".bed");
        var written = File.ReadAllBytes(tmp.File("copy.bed"));
        Assert.Equal(original.Length, written.Length);
        int bpv = PackedGenotypes.BytesFor(503);
        for (int k = 0; k < original.Length; k++)
        {
            bool lastByteOfVariant = k >= 3 && (k - 3) % bpv == bpv - 1;
            byte mask = lastByteOfVariant ? (byte)0b00111111 : (byte)0xff; // 503 = 4*125 + 3: three used slots
            Assert.Equal(original[k] & mask, written[k] & mask);
        }
        Assert.Equal(data.Variants, Plink1Files.ReadBim(tmp.File("copy.bim")));
    }

    [Fact]
    public void A_bed_we_write_has_the_allele_frequencies_plink2_computes()
    {
        using var tmp = new TempDir();
        var data = Simulated.Diploid(samples: 301, variants: 257, missingRate: 0.02, seed: 11);
        Plink1Files.Write(tmp.File("sim"), data);
        var freq = TestData.Plink.Freq(tmp.File("sim"), tmp.File("freq"));
        Assert.Equal(data.Variants.Count, freq.Count);
        var column = new sbyte[data.Samples.Count];
        for (int j = 0; j < data.Variants.Count; j++)
        {
            data.Genotypes.DecodeVariant(j, column);
            double sum = column.Where(d => d >= 0).Sum(d => (double)d);
            int observed = column.Count(d => d >= 0);
            Assert.Equal(data.Variants[j].Id, freq[j].Id);
            Assert.Equal(data.Variants[j].Allele1, freq[j].AltAllele);
            Assert.Equal(2 * observed, freq[j].ObservedAlleles);
            Assert.InRange(freq[j].AltFrequency - sum / (2.0 * observed), -1e-5, 1e-5); // plink2 prints 6 significant digits
        }
    }

    [Fact]
    public void Streaming_blocks_of_a_large_bed_equal_the_whole_file()
    {
        using var tmp = new TempDir();
        var data = Simulated.Diploid(samples: 2504, variants: 3000, missingRate: 0.001, seed: 5);
        Plink1Files.Write(tmp.File("big"), data);
        using var reader = new BedBlockReader(tmp.File("big.bed"), 2504, 3000);
        var block = new byte[reader.BytesPerVariant * 512];
        for (int first = 0; first < 3000; first += 512)
        {
            int count = Math.Min(512, 3000 - first);
            reader.ReadBlock(first, count, block);
            for (int j = 0; j < count; j++)
                Assert.True(block.AsSpan(j * reader.BytesPerVariant, reader.BytesPerVariant).SequenceEqual(data.Genotypes.VariantBytes(first + j)));
        }
    }

    [Fact]
    public void Set_and_get_agree_with_encode_and_decode()
    {
        var packed = new PackedGenotypes(7, 3);
        sbyte[] values = [0, 1, 2, -1, 2, 1, 0];
        for (int i = 0; i < 7; i++) packed.Set(i, 1, values[i]);
        var decoded = new sbyte[7];
        packed.DecodeVariant(1, decoded);
        Assert.Equal(values, decoded);
        var other = new PackedGenotypes(7, 3);
        other.EncodeVariant(1, values);
        Assert.Equal(packed.RawData, other.RawData);
    }

    [Fact]
    public void A_truncated_bed_names_the_file_and_the_expected_size()
    {
        using var tmp = new TempDir();
        var data = Plink1Files.Read(TestData.LctPrefix);
        Plink1Files.Write(tmp.File("t"), data);
        var bytes = File.ReadAllBytes(tmp.File("t.bed"));
        File.WriteAllBytes(tmp.File("t.bed"), bytes[..(bytes.Length - 100)]);
        var ex = Assert.Throws<GenotypeFormatException>(() => Plink1Files.Read(tmp.File("t")));
        Assert.Contains("t.bed", ex.Message);
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("607 variants", ex.Message);
    }

    [Fact]
    public void Wrong_magic_bytes_are_reported()
    {
        using var tmp = new TempDir();
        Plink1Files.Write(tmp.File("m"), Plink1Files.Read(TestData.LctPrefix));
        var bytes = File.ReadAllBytes(tmp.File("m.bed"));
        bytes[0] = 0x00;
        File.WriteAllBytes(tmp.File("m.bed"), bytes);
        var ex = Assert.Throws<GenotypeFormatException>(() => Plink1Files.Read(tmp.File("m")));
        Assert.Contains("magic", ex.Message);
    }

    [Fact]
    public void A_bim_with_more_lines_than_the_bed_holds_is_a_size_mismatch()
    {
        using var tmp = new TempDir();
        Plink1Files.Write(tmp.File("x"), Plink1Files.Read(TestData.LctPrefix));
        File.AppendAllText(tmp.File("x.bim"), "2\textra\t0\t136800000\tA\tG\n");
        var ex = Assert.Throws<GenotypeFormatException>(() => Plink1Files.Read(tmp.File("x")));
        Assert.Contains("608 variants", ex.Message);
    }

    [Fact]
    public void A_non_numeric_bim_position_names_the_line()
    {
        using var tmp = new TempDir();
        Plink1Files.Write(tmp.File("p"), Plink1Files.Read(TestData.LctPrefix));
        var lines = File.ReadAllLines(tmp.File("p.bim"));
        lines[41] = lines[41].Replace("\t136", "\tX136");
        File.WriteAllLines(tmp.File("p.bim"), lines);
        var ex = Assert.Throws<GenotypeFormatException>(() => Plink1Files.ReadBim(tmp.File("p.bim")));
        Assert.Equal(42, ex.Line);
        Assert.Contains("p.bim:42", ex.Message);
    }
}

/// <summary>Realistically simulated genotypes: allele frequencies from a U-shaped spectrum, Hardy-Weinberg calls.</summary>
public static class Simulated
{
    public static PlinkDataset Diploid(int samples, int variants, double missingRate, ulong seed)
    {
        var rng = new GenoSynth.Neural.SeededRandom(seed);
        var packed = new PackedGenotypes(samples, variants);
        var column = new sbyte[samples];
        var bim = new List<Variant>();
        string[] bases = ["A", "C", "G", "T"];
        for (int j = 0; j < variants; j++)
        {
            double p = Math.Clamp(Math.Pow(rng.NextDouble(), 2) * 0.5, 0.005, 0.5);
            for (int i = 0; i < samples; i++)
                column[i] = rng.NextDouble() < missingRate ? (sbyte)-1 : (sbyte)((rng.NextDouble() < p ? 1 : 0) + (rng.NextDouble() < p ? 1 : 0));
            packed.EncodeVariant(j, column);
            int a = rng.NextInt(4), b = (a + 1 + rng.NextInt(3)) % 4;
            bim.Add(new Variant("1", $"snp{j + 1}", 0, 1000 + 137L * j, bases[a], bases[b]));
        }
        var fam = Enumerable.Range(1, samples).Select(i => new Sample($"S{i}", $"S{i}")).ToList();
        return new PlinkDataset(bim, fam, packed);
    }
}
