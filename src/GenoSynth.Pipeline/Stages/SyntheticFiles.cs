using GenoSynth.Genotypes;
using GenoSynth.Models;
using GenoSynth.Pipeline.Spec;

namespace GenoSynth.Pipeline.Stages;

/// <summary>Labels drawn for a synthetic set: one class index per individual, repeated for each of its rows.</summary>
public sealed record SyntheticLabels(int Individuals, int[] IndividualLabels, RowLabels RowLabels);

/// <summary>
/// Synthetic genotypes as files: ids SYN_000001..., labels per individual, haplotypes (hapt) or dosages (PLINK), and
/// VCF (phased for haplotype data). Shared by the sample stage (our release) and the baselines stage (comparisons).
/// </summary>
public static class SyntheticFiles
{
    /// <param name="specPath">Named in the error when sample.labels lists a label the training data do not have.</param>
    public static SyntheticLabels DrawLabels(GenotypeRows train, SampleSpec spec, string specPath)
    {
        int rowsPerIndividual = train.Ploidy.RowsPerIndividual;
        int[] individualLabels;
        if (spec.LabelCounts is { } given)
        {
            var unknown = given.Keys.FirstOrDefault(l => !train.Classes.Contains(l));
            if (unknown is not null)
                throw new SpecException(specPath, $"sample.labels.{unknown}: not a label of the training data (labels: {string.Join(", ", train.Classes)})");
            individualLabels = train.Classes.SelectMany((label, k) => Enumerable.Repeat(k, given.GetValueOrDefault(label))).ToArray();
        }
        else
        {
            int individuals = (spec.Count > 0 ? spec.Count : train.Rows) / rowsPerIndividual;
            var counts = new double[train.Classes.Count];
            for (int r = 0; r < train.Rows; r += rowsPerIndividual) counts[train.ClassIndexes[r]]++;
            var frequencies = counts.Select(c => c / counts.Sum()).ToArray();
            individualLabels = LabelPolicy.Labels(individuals, frequencies, spec.Balanced);
        }
        var rowLabels = individualLabels.SelectMany(l => Enumerable.Repeat(l, rowsPerIndividual)).ToArray();
        return new SyntheticLabels(individualLabels.Length, individualLabels, new RowLabels(rowLabels, train.Classes));
    }

    /// <summary>The label policy as sample.json records it.</summary>
    public static string PolicyName(SampleSpec spec) => spec.LabelCounts is not null ? "given counts" : spec.Balanced ? "balanced" : "as-data";

    public static List<string> Ids(int individuals) => Enumerable.Range(1, individuals).Select(i => $"SYN_{i:D6}").ToList();

    /// <summary>Writes <paramref name="prefix"/>.hapt.gz (haplotype data) or .bed/.bim/.fam, plus .vcf.gz when asked.</summary>
    public static void Write(string prefix, GenotypeRows generated, SyntheticLabels labels,
        IReadOnlyList<Variant> variants, bool withVcf)
    {
        var ids = Ids(labels.Individuals);
        var samples = ids.Select(id => new Sample(id, id)).ToList();
        if (generated.Ploidy == Ploidy.Haplotype)
        {
            var haplotypes = generated.WithRowIds(HaplotypeIds.Pairs(ids));
            HaptFiles.WriteHaplotypes(prefix + ".hapt.gz", haplotypes, "SYN");
            if (!withVcf) return;
            Plink1Files.Write(prefix, new PlinkDataset(variants, samples, haplotypes.ToPackedDosages()));
            VcfWriter.WritePhased(prefix + ".vcf.gz", variants, ids, haplotypes);
        }
        else
        {
            var packed = generated.ToPackedDosages();
            Plink1Files.Write(prefix, new PlinkDataset(variants, samples, packed));
            if (withVcf) VcfWriter.WriteUnphased(prefix + ".vcf.gz", variants, ids, packed);
        }
    }

    public static void WriteLabels(string path, GenotypeRows train, SyntheticLabels labels) =>
        StageFiles.WriteLines(path, new[] { "iid\tlabel" }
            .Concat(Ids(labels.Individuals).Select((id, i) => $"{id}\t{train.Classes[labels.IndividualLabels[i]]}")));
}
