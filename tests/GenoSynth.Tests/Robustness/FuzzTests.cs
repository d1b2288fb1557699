using System.IO.Compression;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Robustness;

/// <summary>
/// Seeded random mutations of valid inputs (byte flips, deletions, duplications, insertions, truncation): every
/// reader must either read the file or raise its documented error type, never crash or hang. A failure keeps the
/// mutated file and names the seed and iteration, so it reproduces.
/// </summary>
public class FuzzTests
{
    private const int Iterations = 300;
    private const string Alphabet = "\t\n 0123456789./|:-AC#";

    private static byte[] Mutate(byte[] original, SeededRandom rng)
    {
        var bytes = new List<byte>(original);
        int edits = 1 + rng.NextInt(4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = rng.NextInt(bytes.Count);
            switch (rng.NextInt(5))
            {
                case 0: bytes[at] = (byte)rng.NextInt(256); break;
                case 1: bytes.RemoveRange(at, Math.Min(1 + rng.NextInt(16), bytes.Count - at)); break;
                case 2:
                    int length = Math.Min(1 + rng.NextInt(32), bytes.Count - at);
                    bytes.InsertRange(rng.NextInt(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 3: bytes.Insert(at, (byte)Alphabet[rng.NextInt(Alphabet.Length)]); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return bytes.ToArray();
    }

    private static void Fuzz(string name, byte[] valid, string fileName, Action<string> read, params Type[] allowed)
    {
        using var tmp = new TempDir();
        var rng = new SeededRandom(20261122);
        for (int i = 0; i < Iterations; i++)
        {
            var path = tmp.File(fileName);
            File.WriteAllBytes(path, Mutate(valid, rng));
            var task = Task.Run(() => read(path));
            bool finished;
            try
            {
                finished = task.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException ex) when (allowed.Any(t => t.IsInstanceOfType(ex.InnerException)))
            {
                continue;
            }
            catch (AggregateException ex)
            {
                var kept = Path.Combine(Path.GetTempPath(), $"genosynth-fuzz-{name}-{i}{Path.GetExtension(fileName)}");
                File.Copy(path, kept, overwrite: true);
                Assert.Fail($"{name} iteration {i}: {ex.InnerException!.GetType().Name}: {ex.InnerException.Message} (input kept at {kept})");
                return;
            }
            Assert.True(finished, $"{name} iteration {i}: the reader did not finish within 10 s");
        }
    }

    private static string Head(string gzipPath, int lines)
    {
        using var stream = new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        return string.Join("\n", Enumerable.Range(0, lines).Select(_ => reader.ReadLine()).TakeWhile(l => l is not null)) + "\n";
    }

    [Fact]
    public void Vcf_reader_survives_mutations()
    {
        // 20 lines of LCT.vcf.gz (meta lines, header, records) cut to their first 20 columns (11 samples).
        var lines = Head(TestData.LctVcf, 20).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join('\t', l.Split('\t').Take(20)));
        var valid = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", lines) + "\n");
        VcfReader.Read(WriteTemp(valid, "ok.vcf")); // the seed input is valid
        Fuzz("vcf", valid, "x.vcf", p => VcfReader.Read(p, keepHaplotypes: true), typeof(GenotypeFormatException));
    }

    [Fact]
    public void Gzip_compressed_vcf_reader_survives_mutations()
    {
        Fuzz("vcf.gz", File.ReadAllBytes(TestData.LctVcf)[..4000], "x.vcf.gz", p => VcfReader.Read(p), typeof(GenotypeFormatException));
    }

    [Fact]
    public void Hapt_reader_survives_mutations()
    {
        var valid = System.Text.Encoding.ASCII.GetBytes(Head(TestData.Hapt805, 12));
        Fuzz("hapt", valid, "x.hapt", p => HaptFiles.ReadHaplotypes(p, null).Haplotypes.PairedIndividuals(p),
            typeof(GenotypeFormatException));
    }

    [Fact]
    public void Plink_readers_survive_mutations_of_the_bed_bim_and_fam()
    {
        using var tmp = new TempDir();
        var data = Plink1Files.Read(TestData.LctPrefix);
        var small = new PlinkDataset(data.Variants.Take(40).ToList(), data.Samples.Take(30).ToList(),
            data.Genotypes.Subset(Enumerable.Range(0, 30).ToList(), Enumerable.Range(0, 40).ToList()));
        Plink1Files.Write(tmp.File("s"), small);
        foreach (var ext in new[] { ".bed", ".bim", ".fam" })
        {
            var valid = File.ReadAllBytes(tmp.File("s" + ext));
            Fuzz("plink" + ext, valid, "x" + ext, path =>
            {
                var prefix = path[..^4];
                foreach (var other in new[] { ".bed", ".bim", ".fam" }.Where(o => o != ext))
                    File.Copy(tmp.File("s" + other), prefix + other, overwrite: true);
                Plink1Files.Read(prefix);
            }, typeof(GenotypeFormatException));
        }
    }

    [Fact]
    public void Spec_loader_survives_mutations()
    {
        var valid = File.ReadAllBytes(Path.Combine(TestData.RepoRoot, "workflows", "1kg-agbl4-casecontrol.yaml"));
        Fuzz("spec", valid, "x.yaml", p => SpecLoader.Load(p), typeof(SpecException));
    }

    private static string WriteTemp(byte[] bytes, string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "genosynth-fuzz-seed-" + Guid.NewGuid().ToString("N") + "-" + name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
