using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// Chooses the variants the generators model. 'all' keeps every QC'd variant; 'gwas' runs plink2 --glm on the train
/// split only (optionally with principal components of the train split as covariates), clumps with plink1.9 on
/// train-split LD, and keeps the top_k index variants by p-value. selected.txt is in genome order.
/// </summary>
public sealed class RankStage : IStage
{
    public string Name => "rank";
    public IReadOnlyList<string> Upstream => ["qc", "labels", "split"];
    public int Version => 1;

    public object Config(ExperimentSpec spec) => spec.Rank;

    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) =>
        spec.Rank.Method == RankMethod.Gwas ? (spec.Rank.Clump is null ? [PlinkTool.Plink2] : [PlinkTool.Plink2, PlinkTool.Plink1]) : [];

    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) =>
        [new(StageFiles.Ranked, "rank/ranked.tsv"), new(StageFiles.Selected, "rank/selected.txt"), new("rank.json", "rank/rank.json")];

    public void Run(StageContext context)
    {
        var rank = context.Spec.Rank;
        var bfile = context.Input("qc", StageFiles.QcPrefix);
        var variants = Plink1Files.ReadBim(bfile + ".bim");
        if (rank.Method == RankMethod.All)
        {
            var keep = rank.TopK > 0 ? variants.Take(rank.TopK).ToList() : variants;
            WriteRanking(context, variants.Select((v, i) => new RankedVariant(v, double.NaN, double.NaN, double.NaN, i + 1, i < keep.Count)).ToList());
            StageFiles.WriteJson(context.Output("rank.json"), new { method = "all", variants_in = variants.Count, selected = keep.Count });
            context.Log($"rank: all {keep.Count} variants kept");
            return;
        }

        var samples = Plink1Files.ReadFam(bfile + ".fam");
        var train = StageFiles.ReadLines(context.Input("split", StageFiles.Train)).ToHashSet(StringComparer.Ordinal);
        var keepFile = context.Scratch("train.keep");
        PlinkOperations.WriteKeepFile(keepFile, samples, train);
        var labels = StageFiles.ReadLabels(context.Input("labels", StageFiles.Labels)).ToDictionary(r => r.Iid, r => r.Phenotype);
        var phenoFile = context.Scratch("pheno.txt");
        StageFiles.WriteLines(phenoFile, new[] { "#FID\tIID\tPHENO" }.Concat(samples.Where(s => train.Contains(s.IndividualId))
            .Select(s => $"{s.FamilyId}\t{s.IndividualId}\t{labels[s.IndividualId]}")));

        string? covariates = rank.PrincipalComponents > 0 ? context.Plink.Pca(bfile, keepFile, rank.PrincipalComponents, context.Scratch("pca")) : null;
        var glm = context.Plink.Glm(bfile, phenoFile, keepFile, covariates, context.Scratch("glm"));
        var byId = glm.ToDictionary(g => g.Id, StringComparer.Ordinal);
        var position = variants.Select((v, i) => (v.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

        List<string> candidates;
        if (rank.Clump is { } clump)
        {
            var assoc = context.Scratch("assoc.tsv");
            StageFiles.WriteLines(assoc, new[] { "ID\tP" }.Concat(glm.Where(g => !double.IsNaN(g.P))
                .Select(g => $"{g.Id}\t{g.P.ToString("R", CultureInfo.InvariantCulture)}")));
            candidates = context.Plink.Clump(bfile, assoc, keepFile, clump.P1, clump.P2, clump.R2, clump.Kb, context.Scratch("clump"))
                .Select(c => c.IndexId).ToList();
        }
        else candidates = glm.Where(g => !double.IsNaN(g.P)).Select(g => g.Id).ToList();

        var chosen = candidates.OrderBy(id => byId[id].P).ThenBy(id => position[id]).Take(rank.TopK).ToHashSet(StringComparer.Ordinal);
        var ordered = variants.Select(v => byId.TryGetValue(v.Id, out var g) ? g : null).ToList();
        var rankOf = ordered.Where(g => g is not null && !double.IsNaN(g.P)).OrderBy(g => g!.P).ThenBy(g => position[g!.Id])
            .Select((g, r) => (g!.Id, r)).ToDictionary(x => x.Id, x => x.r + 1, StringComparer.Ordinal);
        var rows = variants.Select(v => byId.TryGetValue(v.Id, out var g)
            ? new RankedVariant(v, g.Effect, g.StandardError, g.P, rankOf.GetValueOrDefault(v.Id), chosen.Contains(v.Id))
            : new RankedVariant(v, double.NaN, double.NaN, double.NaN, 0, false)).ToList();
        WriteRanking(context, rows);
        StageFiles.WriteJson(context.Output("rank.json"), new
        {
            method = "gwas",
            fitted_on = "train",
            training_samples = train.Count,
            variants_tested = glm.Count,
            clump_index_variants = rank.Clump is null ? (int?)null : candidates.Count,
            top_k = rank.TopK,
            selected = chosen.Count,
            best_p = glm.Where(g => !double.IsNaN(g.P)).Select(g => g.P).DefaultIfEmpty(double.NaN).Min(),
        });
        context.Log($"rank: glm on {train.Count} training samples, {glm.Count} variants tested, {chosen.Count} selected" +
            (rank.Clump is null ? "" : $" from {candidates.Count} clump index variants"));
    }

    private sealed record RankedVariant(Variant Variant, double Effect, double StandardError, double P, int Rank, bool Selected);

    private static void WriteRanking(StageContext context, List<RankedVariant> rows)
    {
        static string F(double v) => double.IsNaN(v) ? "NA" : v.ToString("G6", CultureInfo.InvariantCulture);
        StageFiles.WriteLines(context.Output(StageFiles.Ranked), new[] { "id\tchrom\tposition\tallele\tlog_effect\tse\tp\trank\tselected" }
            .Concat(rows.Select(r => string.Join('\t', r.Variant.Id, r.Variant.Chromosome, r.Variant.Position.ToString(CultureInfo.InvariantCulture),
                r.Variant.Allele1, F(r.Effect), F(r.StandardError), F(r.P), r.Rank == 0 ? "NA" : r.Rank.ToString(CultureInfo.InvariantCulture), r.Selected ? "1" : "0"))));
        StageFiles.WriteLines(context.Output(StageFiles.Selected), rows.Where(r => r.Selected).Select(r => r.Variant.Id));
    }
}
