using GenoSynth.Genotypes;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Stages;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

public class SplitAndPhenotypeTests
{
    private static List<(string, string)> PanelIndividuals()
    {
        var panel = SampleTable.Read(TestData.Panel).Map("sample", "super_pop");
        return panel.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    [Fact]
    public void Split_is_by_individual_stratified_disjoint_complete_and_deterministic()
    {
        var individuals = PanelIndividuals();
        var spec = new SplitSpec { Train = 0.8, Validation = 0.1, Holdout = 0.1, Stratify = true, Seed = 7 };
        var a = SplitStage.Assign(individuals, spec);
        var b = SplitStage.Assign(individuals, spec);
        Assert.Equal(a, b);
        Assert.Equal(individuals.Count, a.Count);
        foreach (var stratum in individuals.GroupBy(x => x.Item2))
        {
            int n = stratum.Count();
            int holdout = stratum.Count(x => a[x.Item1] == "holdout");
            int validation = stratum.Count(x => a[x.Item1] == "validation");
            Assert.InRange(holdout, Math.Floor(n * 0.1), Math.Ceiling(n * 0.1));
            Assert.InRange(validation, Math.Floor(n * 0.1), Math.Ceiling(n * 0.1));
        }
        var other = SplitStage.Assign(individuals, spec with { Seed = 8 });
        Assert.NotEqual(a.Where(kv => kv.Value == "holdout").Select(kv => kv.Key).Order(), other.Where(kv => kv.Value == "holdout").Select(kv => kv.Key).Order());
    }

    [Fact]
    public void Simulated_phenotype_has_the_prevalence_and_follows_the_causal_variants()
    {
        using var tmp = new TempDir();
        var data = VcfReader.Read(TestData.Agbl4Split1);
        var dataset = new PlinkDataset(data.Variants, data.Samples, data.Genotypes);
        var sim = new PhenotypeSimulation
        {
            Heritability = 0.8, Prevalence = 0.25, CausalVariants = 10, MinCausalMaf = 0.05, Seed = 99,
        };
        var pheno = LabelsStage.SimulatePhenotype(dataset, sim, tmp.File("causal.tsv"), null);
        Assert.Equal((int)Math.Round(0.25 * 1252), pheno.Count(p => p == "2"));
        var causal = File.ReadAllLines(tmp.File("causal.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(10, causal.Count);

        // With h2 = 0.8 the recorded per-allele effects must separate cases from controls: polygenic score AUC well above 0.5.
        var index = data.Variants.Select((v, i) => (v.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var score = new double[1252];
        var column = new sbyte[1252];
        foreach (var c in causal)
        {
            data.Genotypes.DecodeVariant(index[c[0]], column);
            double beta = double.Parse(c[6], System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < 1252; i++) score[i] += beta * Math.Max((sbyte)0, column[i]);
        }
        var cases = Enumerable.Range(0, 1252).Where(i => pheno[i] == "2").Select(i => score[i]).ToList();
        var controls = Enumerable.Range(0, 1252).Where(i => pheno[i] == "1").Select(i => score[i]).ToList();
        double auc = cases.Sum(x => controls.Count(y => y < x) + 0.5 * controls.Count(y => y == x)) / ((double)cases.Count * controls.Count);
        Assert.True(auc > 0.8, $"AUC {auc}");
    }
}
