using System.Text;
using GenoSynth.Genotypes;

namespace GenoSynth.Pipeline.Stages;

/// <summary>Names of the artifacts stages hand to each other, and small readers/writers for the text ones.</summary>
public static class StageFiles
{
    public const string Genotypes = "genotypes";          // .bed/.bim/.fam prefix written by fetch
    public const string Haplotypes = "haplotypes.hapt.gz"; // fetch, haplotype ploidy only
    public const string Labels = "labels.tsv";             // iid, label, phenotype
    public const string Causal = "causal.tsv";
    public const string Train = "train.txt";
    public const string Validation = "validation.txt";
    public const string Holdout = "holdout.txt";
    public const string QcPrefix = "qc";
    public const string QcHaplotypes = "qc.hapt.gz";
    public const string Ranked = "ranked.tsv";
    public const string Selected = "selected.txt";

    public static void WriteLines(string path, IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var l in lines) sb.Append(l).Append('\n');
        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
    }

    public static List<string> ReadLines(string path) => File.ReadAllLines(path).Where(l => l.Length > 0).ToList();

    public sealed record LabelRow(string Iid, string Label, string Phenotype);

    public static List<LabelRow> ReadLabels(string path) =>
        File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).Select(f => new LabelRow(f[0], f[1], f[2])).ToList();

    public static void WriteLabels(string path, IEnumerable<LabelRow> rows) =>
        WriteLines(path, new[] { "iid\tlabel\tphenotype" }.Concat(rows.Select(r => $"{r.Iid}\t{r.Label}\t{r.Phenotype}")));

    public static void WriteJson<T>(string path, T value) => File.WriteAllText(path, Store.Digest.ToJson(value) + "\n", new UTF8Encoding(false));

    /// <summary>Writes a PLINK fileset and checks that the individual ids are unique (stages key samples by IID).</summary>
    public static void WritePlink(string prefix, PlinkDataset dataset)
    {
        var duplicate = dataset.Samples.GroupBy(s => s.IndividualId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InputException($"individual id '{duplicate.Key}' occurs {duplicate.Count()} times; give each input file an id_prefix");
        Plink1Files.Write(prefix, dataset);
    }
}
