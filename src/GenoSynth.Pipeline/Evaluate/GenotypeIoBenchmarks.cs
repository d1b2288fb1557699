using System.Diagnostics;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Evaluate;

public sealed record GenotypeIoFigure(string Operation, double OursSeconds, string Reference, double ReferenceSeconds)
{
    public double Speedup => ReferenceSeconds / OursSeconds;
}

public sealed record GenotypeIoReport(int Samples, int Variants, long BedBytes, IReadOnlyList<GenotypeIoFigure> Figures);

/// <summary>
/// Genotype I/O measured against plink on the same files in one run: a simulated fileset (samples x variants with
/// realistic allele frequencies) is read and rewritten as .bed by us and by plink1.9 --make-bed, and exported as
/// bgzipped VCF by us and by plink2 --export vcf bgz (one thread each). Each figure is the best of three runs.
/// </summary>
public static class GenotypeIoBenchmarks
{
    public static GenotypeIoReport Run(int samples, int variants, Action<string> log)
    {
        var directory = Path.Combine(Path.GetTempPath(), "genosynth-io-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string prefix = Path.Combine(directory, "input");
            Plink1Files.Write(prefix, Simulate(samples, variants));
            long bedBytes = new FileInfo(prefix + ".bed").Length;
            log($"simulated fileset: {samples} samples x {variants} variants ({bedBytes / 1e6:F1} MB .bed)");
            var runner = new PlinkRunner(new PlinkLocator(null, null));
            var figures = new List<GenotypeIoFigure>();

            double ours = Best(() => Plink1Files.Write(Path.Combine(directory, "ours"), Plink1Files.Read(prefix)));
            double plink = Best(() => Check(runner.Run(PlinkTool.Plink1, ["--bfile", prefix, "--make-bed", "--threads", "1", "--out", Path.Combine(directory, "plink")], Path.Combine(directory, "plink"))));
            figures.Add(new("read + write .bed/.bim/.fam", ours, "plink1.9 --make-bed", plink));
            log($"read + write bed: ours {ours:F3} s, plink1.9 {plink:F3} s");

            var dataset = Plink1Files.Read(prefix);
            var ids = dataset.Samples.Select(s => s.IndividualId).ToList();
            ours = Best(() => VcfWriter.WriteUnphased(Path.Combine(directory, "ours.vcf.gz"), dataset.Variants, ids, dataset.Genotypes));
            plink = Best(() => Check(runner.Run(PlinkTool.Plink2, ["--bfile", prefix, "--export", "vcf", "bgz", "--threads", "1", "--out", Path.Combine(directory, "plink2")], Path.Combine(directory, "plink2"))));
            figures.Add(new("write bgzipped VCF", ours, "plink2 --export vcf bgz", plink));
            log($"write VCF (bgzip): ours {ours:F3} s, plink2 {plink:F3} s");
            return new GenotypeIoReport(samples, variants, bedBytes, figures);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static void Check(PlinkRunResult result)
    {
        if (result.ExitCode != 0) throw new InputException($"plink failed in the I/O benchmark: {result.StandardError}");
    }

    private static double Best(Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static PlinkDataset Simulate(int samples, int variants)
    {
        var rng = new SeededRandom(20261122);
        var genotypes = new PackedGenotypes(samples, variants);
        var column = new sbyte[samples];
        var list = new List<Variant>(variants);
        for (int j = 0; j < variants; j++)
        {
            double p = 0.01 + 0.49 * rng.NextDouble();
            for (int i = 0; i < samples; i++)
                column[i] = rng.NextDouble() < 0.002 ? (sbyte)-1 : (sbyte)((rng.NextDouble() < p ? 1 : 0) + (rng.NextDouble() < p ? 1 : 0));
            genotypes.EncodeVariant(j, column);
            list.Add(new Variant("1", $"rs{j + 1}", 0, 10_000 + 100L * j, "A", "G"));
        }
        return new PlinkDataset(list, Enumerable.Range(1, samples).Select(i => new Sample($"F{i}", $"S{i}")).ToList(), genotypes);
    }
}
