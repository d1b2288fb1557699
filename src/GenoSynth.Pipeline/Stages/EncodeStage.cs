using System.Globalization;
using GenoSynth.Genotypes;
using GenoSynth.Neural;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Plink;

namespace GenoSynth.Pipeline.Stages;

/// <summary>
/// The training and validation matrices a generator sees: QC'd data, selected variants, rows of the train and
/// validation splits only (haplotypes for haplotype data, individuals' dosages otherwise). Missing dosages are
/// filled by Binomial(2, frequency) with frequencies of the train split (SNPgen's rule). The holdout is never read.
/// With encode method pca-blocks or vae the stage also fits that encoder on the train rows (encoder.safetensors)
/// and reports how many calls it decodes back exactly, on train and on validation rows.
/// </summary>
public sealed class EncodeStage : IStage
{
    public string Name => "encode";
    public IReadOnlyList<string> Upstream => ["qc", "rank", "split", "labels"];
    public int Version => 2; // 2: latent encoders (pca-blocks, vae)
    public object Config(ExperimentSpec spec) => new { spec.Encode, spec.Ploidy };
    public IReadOnlyList<PlinkTool> ExternalTools(ExperimentSpec spec) => FindsLdBlocks(spec.Encode) ? [PlinkTool.Plink1] : [];

    /// <summary>Whether fitting this encoder runs plink1.9 --blocks.</summary>
    public static bool FindsLdBlocks(EncodeSpec spec) => spec.Method == EncodeMethod.PcaBlocks && spec.Blocks == BlockGrouping.Ld;
    public IReadOnlyList<Publication> Publications(ExperimentSpec spec) => [new("encode.json", "encode/encode.json")];

    public const string TrainMatrix = "train.u8", ValidationMatrix = "validation.u8", Rows = "rows.tsv", Variants = "variants.bim",
        EncoderFile = "encoder.safetensors", EncoderLoss = "encoder_loss.tsv";

    public void Run(StageContext context)
    {
        var selected = StageFiles.ReadLines(context.Input("rank", StageFiles.Selected)).ToHashSet(StringComparer.Ordinal);
        var qc = Plink1Files.Read(context.Input("qc", StageFiles.QcPrefix));
        var columns = Enumerable.Range(0, qc.Variants.Count).Where(j => selected.Contains(qc.Variants[j].Id)).ToList();
        if (columns.Count == 0) throw new InputException("encode: rank selected no variant");
        var labels = StageFiles.ReadLabels(context.Input("labels", StageFiles.Labels)).ToDictionary(r => r.Iid, r => r.Label);
        var train = StageFiles.ReadLines(context.Input("split", StageFiles.Train)).ToHashSet(StringComparer.Ordinal);
        var validation = StageFiles.ReadLines(context.Input("split", StageFiles.Validation)).ToHashSet(StringComparer.Ordinal);
        var classes = labels.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        var samples = qc.Samples.Select(s => s.IndividualId).ToList();
        var ploidy = context.Spec.Ploidy;

        // Per row: (split, row id, individual, label) and its values over the selected variants.
        var rows = new List<(string Split, string Id, string Individual, string Label, byte[] Values)>();
        if (ploidy == Ploidy.Haplotype)
        {
            var (haplotypes, _) = HaptFiles.ReadHaplotypes(context.Input("qc", StageFiles.QcHaplotypes), null);
            for (int h = 0; h < haplotypes.Rows; h++)
            {
                string individual = haplotypes.Individuals[h];
                string? split = train.Contains(individual) ? "train" : validation.Contains(individual) ? "validation" : null;
                if (split is null) continue;
                var values = new byte[columns.Count];
                var row = haplotypes.Row(h);
                for (int c = 0; c < columns.Count; c++) values[c] = row[columns[c]];
                rows.Add((split, haplotypes.RowIds![h], individual, labels[individual], values));
            }
        }
        else
        {
            var trainRows = Enumerable.Range(0, samples.Count).Where(i => train.Contains(samples[i])).ToList();
            var frequency = TrainFrequencies(qc.Genotypes, trainRows, columns);
            var rng = new SeededRandom(context.Spec.Encode.Seed);
            var column = new sbyte[samples.Count];
            var values = new byte[samples.Count, columns.Count];
            for (int c = 0; c < columns.Count; c++)
            {
                qc.Genotypes.DecodeVariant(columns[c], column);
                for (int i = 0; i < samples.Count; i++)
                    values[i, c] = column[i] >= 0 ? (byte)column[i]
                        : (byte)((rng.NextDouble() < frequency[c] ? 1 : 0) + (rng.NextDouble() < frequency[c] ? 1 : 0));
            }
            for (int i = 0; i < samples.Count; i++)
            {
                string? split = train.Contains(samples[i]) ? "train" : validation.Contains(samples[i]) ? "validation" : null;
                if (split is null) continue;
                rows.Add((split, samples[i], samples[i], labels[samples[i]], Enumerable.Range(0, columns.Count).Select(c => values[i, c]).ToArray()));
            }
        }

        File.WriteAllBytes(context.Output(TrainMatrix), rows.Where(r => r.Split == "train").SelectMany(r => r.Values).ToArray());
        File.WriteAllBytes(context.Output(ValidationMatrix), rows.Where(r => r.Split == "validation").SelectMany(r => r.Values).ToArray());
        StageFiles.WriteLines(context.Output(Rows), new[] { "split\tid\tindividual\tlabel" }
            .Concat(rows.OrderBy(r => r.Split == "train" ? 0 : 1).Select(r => $"{r.Split}\t{r.Id}\t{r.Individual}\t{r.Label}")));
        Plink1Files.WriteBim(context.Output(Variants), columns.Select(j => qc.Variants[j]));
        GenotypeRows Set(string split)
        {
            var part = rows.Where(r => r.Split == split).ToList();
            var classIndexes = new RowLabels(part.Select(r => classes.IndexOf(r.Label)).ToArray(), classes);
            return new GenotypeRows(ploidy, part.Count, columns.Count, part.SelectMany(r => r.Values).ToArray(),
                labels: classIndexes, name: split);
        }
        var encoder = FitEncoder(context, Set("train"), Set("validation"), columns.Select(j => qc.Variants[j]).ToList());
        StageFiles.WriteJson(context.Output("encode.json"), new
        {
            method = SpecNode.ToSnake(context.Spec.Encode.Method.ToString()),
            ploidy = ploidy.Copies,
            variants = columns.Count,
            train_rows = rows.Count(r => r.Split == "train"),
            validation_rows = rows.Count(r => r.Split == "validation"),
            classes,
            latent_size = encoder?.LatentSize ?? columns.Count,
            train_reconstruction_accuracy = encoder?.TrainAccuracy ?? 1.0,
            validation_reconstruction_accuracy = encoder?.ValidationAccuracy ?? 1.0, // identity: every call decodes to itself
            encoder = encoder?.Details,
        });
        context.Log($"encode ({context.Spec.Encode.Method}): {rows.Count(r => r.Split == "train")} train and {rows.Count(r => r.Split == "validation")} validation rows x {columns.Count} variants");
    }

    private sealed record FittedEncoder(int LatentSize, double TrainAccuracy, double? ValidationAccuracy, object Details);

    /// <summary>Fits the spec's latent encoder on the train rows, saves it and reports its reconstruction accuracy; null for identity.</summary>
    private static FittedEncoder? FitEncoder(StageContext context, GenotypeRows train, GenotypeRows validation,
        IReadOnlyList<Variant> variants)
    {
        var progress = new ProgressLine(context, "encoder");
        var fit = Fit(context, context.Spec.Encode, train, variants, "encoder", p => progress.Report(p.Step, p.TotalSteps, $"loss {p.Loss:F4}"));
        if (fit is null) return null;
        var (encoder, details) = fit.Value;
        if (encoder is Models.Encoders.VaeEncoder vae)
            StageFiles.WriteLines(context.Output(EncoderLoss), new[] { "step\tloss\treconstruction_cross_entropy" }
                .Concat(vae.LossCurve.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Step}\t{p.TrainLoss}\t{p.ValidationLoss}"))));
        encoder.Save(context.Output(EncoderFile));
        var fitted = new FittedEncoder(encoder.LatentSize, Math.Round(encoder.ReconstructionAccuracy(train), 6),
            validation.Rows > 0 ? Math.Round(encoder.ReconstructionAccuracy(validation), 6) : null, details);
        context.Log($"encoder {encoder.Kind}: {train.Variants} variants -> {encoder.LatentSize} latent dimensions; calls decoded exactly: " +
                    $"train {fitted.TrainAccuracy:P2}, validation {fitted.ValidationAccuracy:P2}");
        return fitted;
    }

    /// <summary>Fits the latent encoder an encode spec describes on the train rows (null for identity), with a summary of its settings.</summary>
    /// <param name="variants">The train rows' variants (pca-blocks groups them by LD block or gene).</param>
    /// <param name="name">Names this encoder's scratch files and log lines.</param>
    public static (Models.Encoders.GenotypeEncoder Encoder, object Details)? Fit(StageContext context, EncodeSpec spec,
        GenotypeRows train,
        IReadOnlyList<Variant> variants, string name, Action<Models.TrainingProgress>? progress)
    {
        switch (spec.Method)
        {
            case EncodeMethod.PcaBlocks:
            {
                var plan = EncoderBlocks.For(context, spec, train, variants, name);
                var pca = Models.Encoders.PcaBlockEncoder.Fit(train, plan.Blocks, spec.ExplainedVariance);
                string components = spec.ExplainedVariance > 0 ? $"explained variance >= {spec.ExplainedVariance}" : "by block size (8 / 4 / 1)";
                double meanExplained = Math.Round(pca.Blocks.Average(b => b.ExplainedVariance), 6);
                // Fixed windows keep the summary they had before groupings existed, so earlier results stay byte-identical.
                object details = plan.Details is null
                    ? new { blocks = pca.Blocks.Count, block_size = spec.BlockSize, components, mean_explained_variance = meanExplained }
                    : new { blocks = pca.Blocks.Count, block_size = spec.BlockSize, grouping = plan.Details, components, mean_explained_variance = meanExplained };
                return (pca, details);
            }
            case EncodeMethod.Vae:
            {
                var settings = new Models.Encoders.VaeSettings(spec.Compression, spec.LatentChannels, spec.Channels, spec.Beta, spec.Steps, spec.Batch,
                    (float)spec.LearningRate, Math.Max(1, spec.Steps / 10), spec.Seed);
                var vae = Models.Encoders.VaeEncoder.Fit(train, settings, progress);
                return (vae, new { description = vae.Describe(), compression = spec.Compression, latent_channels = spec.LatentChannels, beta = spec.Beta, steps = spec.Steps });
            }
            default:
                return null;
        }
    }

    /// <summary>The fitted latent encoder, or null when the spec encodes by identity.</summary>
    public static Models.Encoders.GenotypeEncoder? LoadEncoder(StageContext context) =>
        context.Spec.Encode.Method == EncodeMethod.Identity ? null : Models.Encoders.GenotypeEncoder.Load(context.Input("encode", EncoderFile));

    private static double[] TrainFrequencies(PackedGenotypes genotypes, List<int> trainRows, List<int> columns)
    {
        var column = new sbyte[genotypes.SampleCount];
        return columns.Select(j =>
        {
            genotypes.DecodeVariant(j, column);
            double sum = 0; int observed = 0;
            foreach (int i in trainRows) if (column[i] >= 0) { sum += column[i]; observed++; }
            return observed == 0 ? 0 : sum / (2.0 * observed);
        }).ToArray();
    }

    /// <summary>Reads the encoded matrices back as training sets.</summary>
    public static (GenotypeRows Train, GenotypeRows Validation) Load(StageContext context)
    {
        var rows = File.ReadAllLines(context.Input("encode", Rows)).Skip(1).Select(l => l.Split('\t')).ToList();
        var variants = Plink1Files.ReadBim(context.Input("encode", Variants)).Count;
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(context.Input("encode", "encode.json"))).RootElement;
        var ploidy = Ploidy.FromCopies(json.GetProperty("ploidy").GetInt32());
        var classes = json.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToList();
        GenotypeRows Set(string split, string file)
        {
            var labels = new RowLabels([.. rows.Where(r => r[0] == split).Select(r => classes.IndexOf(r[3]))], classes);
            var values = File.ReadAllBytes(context.Input("encode", file));
            return new GenotypeRows(ploidy, labels.Count, variants, values, labels: labels, name: split);
        }
        return (Set("train", TrainMatrix), Set("validation", ValidationMatrix));
    }
}
