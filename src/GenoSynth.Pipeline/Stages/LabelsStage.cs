using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// One label (for stratified splitting and conditioning) and one phenotype (for GWAS ranking) per individual.
/// Labels come from a panel file; the phenotype from a file or a liability-threshold simulation whose causal
/// variants and effects are recorded in causal.tsv. Without a labels section a binary phenotype is the label.
/// </summary>
public sealed class LabelsStage : IStage
{
    public string Name => "labels";
    public IReadOnlyList<string> Upstream => ["fetch"];
    public int Version => 1;

    public object Config(ExperimentSpec spec) => new { labels = spec.Labels, phenotype = spec.Phenotype };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => [];

    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) =>
        spec.Phenotype?.Simulate is not null
            ? [new(StageFiles.Labels, StageFiles.Labels), new(StageFiles.Causal, "phenotype/causal.tsv")]
            : [new(StageFiles.Labels, StageFiles.Labels)];

    public void Run(StageContext context)
    {
        var spec = context.Spec;
        var dataset = Plink1Files.Read(context.Input("fetch", StageFiles.Genotypes));
        var iids = dataset.Samples.Select(s => s.IndividualId).ToList();

        string[]? phenotype = null;
        if (spec.Phenotype?.Simulate is { } simulation)
            phenotype = SimulatePhenotype(dataset, simulation, context.Output(StageFiles.Causal), context);
        else if (spec.Phenotype?.File is { } phenoFile)
            phenotype = PhenotypeFromFile(context.Resolver.Resolve(phenoFile), spec.Phenotype, iids);

        string[] labels;
        if (spec.Labels is { } labelSpec)
        {
            var path = context.Resolver.Resolve(labelSpec.File);
            var map = SampleTable.Read(path).Map(labelSpec.IdColumn, labelSpec.LabelColumn);
            labels = iids.Select(id => map.TryGetValue(id, out var l) ? l
                : throw new InputException($"{labelSpec.File.Name}: sample '{id}' of the genotype data has no '{labelSpec.LabelColumn}' label")).ToArray();
        }
        else if (phenotype is not null && phenotype.All(p => p is "1" or "2"))
            labels = phenotype.Select(p => p == "2" ? "case" : "control").ToArray();
        else
            labels = iids.Select(_ => "all").ToArray();

        StageFiles.WriteLabels(context.Output(StageFiles.Labels),
            iids.Select((id, i) => new StageFiles.LabelRow(id, labels[i], phenotype?[i] ?? "NA")));
        var counts = labels.GroupBy(l => l).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        context.Log($"labels: {string.Join(", ", counts)}");
    }

    /// <summary>Liability threshold model: standardized genotypes of random causal variants, N(0,1) effects scaled to h2.</summary>
    public static string[] SimulatePhenotype(PlinkDataset dataset, PhenotypeSimulation sim, string causalPath, StageContext? context)
    {
        int n = dataset.Samples.Count, m = dataset.Variants.Count;
        var column = new sbyte[n];
        var frequency = new double[m];
        var eligible = new List<int>();
        for (int j = 0; j < m; j++)
        {
            dataset.Genotypes.DecodeVariant(j, column);
            double sum = 0; int observed = 0;
            foreach (var d in column) if (d >= 0) { sum += d; observed++; }
            frequency[j] = observed == 0 ? 0 : sum / (2.0 * observed);
            double maf = Math.Min(frequency[j], 1 - frequency[j]);
            if (maf >= sim.MinCausalMaf && maf > 0) eligible.Add(j);
        }
        if (eligible.Count < sim.CausalVariants)
            throw new InputException($"phenotype.simulate: only {eligible.Count} variants have MAF >= {sim.MinCausalMaf}, {sim.CausalVariants} causal variants requested");

        var rng = new SeededRandom(sim.Seed);
        rng.Shuffle(eligible);
        var causal = eligible.Take(sim.CausalVariants).Order().ToList();
        var beta = causal.Select(_ => rng.NextGaussian()).ToArray();

        var genetic = new double[n];
        for (int c = 0; c < causal.Count; c++)
        {
            int j = causal[c];
            dataset.Genotypes.DecodeVariant(j, column);
            double p = frequency[j], sd = Math.Sqrt(2 * p * (1 - p));
            for (int i = 0; i < n; i++)
                if (column[i] >= 0) genetic[i] += beta[c] * (column[i] - 2 * p) / sd;
        }
        double mean = genetic.Average();
        double variance = genetic.Sum(g => (g - mean) * (g - mean)) / n;
        double scale = Math.Sqrt(sim.Heritability / variance);
        var liability = new double[n];
        double noiseSd = Math.Sqrt(1 - sim.Heritability);
        for (int i = 0; i < n; i++) liability[i] = (genetic[i] - mean) * scale + noiseSd * rng.NextGaussian();

        int cases = (int)Math.Round(sim.Prevalence * n);
        var order = Enumerable.Range(0, n).OrderByDescending(i => liability[i]).ThenBy(i => i).ToList();
        var phenotype = Enumerable.Repeat("1", n).ToArray();
        foreach (var i in order.Take(cases)) phenotype[i] = "2";

        var lines = new List<string> { "id\tchrom\tposition\tallele\tallele_frequency\tbeta_standardized\tbeta_per_allele" };
        for (int c = 0; c < causal.Count; c++)
        {
            var v = dataset.Variants[causal[c]];
            double p = frequency[causal[c]];
            double perAllele = beta[c] * scale / Math.Sqrt(2 * p * (1 - p));
            lines.Add(string.Join('\t', v.Id, v.Chromosome, v.Position.ToString(CultureInfo.InvariantCulture), v.Allele1,
                p.ToString("F6", CultureInfo.InvariantCulture), (beta[c] * scale).ToString("F6", CultureInfo.InvariantCulture),
                perAllele.ToString("F6", CultureInfo.InvariantCulture)));
        }
        StageFiles.WriteLines(causalPath, lines);
        context?.Log($"simulated phenotype: {cases} cases / {n - cases} controls, {causal.Count} causal variants, h2 {sim.Heritability}");
        return phenotype;
    }

    private static string[] PhenotypeFromFile(string path, PhenotypeSpec spec, List<string> iids)
    {
        var map = SampleTable.Read(path).Map(spec.IdColumn, spec.ValueColumn);
        var values = iids.Select(id => map.TryGetValue(id, out var v) ? v
            : throw new InputException($"{path}: sample '{id}' has no '{spec.ValueColumn}' value")).ToArray();
        foreach (var v in values)
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                throw new InputException($"{path}: phenotype value '{v}' is not a number");
        if (values.All(v => v is "0" or "1")) return values.Select(v => v == "1" ? "2" : "1").ToArray(); // 0/1 -> PLINK's 1/2
        return values;
    }
}
