using System.Text.Json;
using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Stages;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

/// <summary>
/// The key declarations on the spec records: docs/spec.md is generated from them, every declaration is complete and
/// consistent, and a key a generator does not use is rejected when given and dropped when inherited, so that it never
/// reaches that generator's cache key.
/// </summary>
public class SpecDeclarationTests
{
    private const string Valid = SpecLoaderTests.Valid + "\n";

    private static ExperimentSpec Load(string text)
    {
        using var tmp = new TempDir();
        var path = tmp.File("spec.yaml");
        File.WriteAllText(path, text);
        return SpecLoader.Load(path);
    }

    private static string Fails(string text) => Assert.Throws<SpecException>(() => Load(text)).Message;

    [Fact]
    public void Docs_spec_md_is_the_table_the_declarations_generate()
    {
        var path = Path.Combine(TestData.RepoRoot, "docs", "spec.md");
        var text = File.ReadAllText(path);
        Assert.True(SpecDocs.Update(text, path) == text,
            "docs/spec.md is stale: run " +
            "`dotnet src/GenoSynth.Cli/bin/Release/net10.0/genosynth.dll spec-docs --write docs/spec.md`");
        // Every key of a committed workflow has its row.
        foreach (var row in new[] { "| model.denoiser |", "| sample.guidance |", "| baselines[].encode |" })
            Assert.Contains(row, text);
    }

    [Fact]
    public void Spec_docs_command_writes_the_generated_part_and_keeps_the_prose()
    {
        using var tmp = new TempDir();
        var path = tmp.File("spec.md");
        File.WriteAllText(path, $"intro\n\n{SpecDocs.Begin}\nold table\n{SpecDocs.End}\n\noutro\n");
        var output = new StringWriter();
        Assert.Equal(0, GenoSynth.Cli.CliApp.Run(["spec-docs", "--write", path], output, new StringWriter()));
        Assert.Equal($"intro\n\n{SpecDocs.Begin}\n{SpecDocs.Table()}{SpecDocs.End}\n\noutro\n", File.ReadAllText(path));

        File.WriteAllText(path, "no markers\n");
        var errors = new StringWriter();
        Assert.Equal(2, GenoSynth.Cli.CliApp.Run(["spec-docs", "--write", path], new StringWriter(), errors));
        Assert.Contains("no generated part to replace", errors.ToString());
    }

    /// <summary>Every record a spec is read into, with the path of its keys from the generator's top.</summary>
    private static IEnumerable<(Type Section, string Path)> Sections(Type type, string path)
    {
        yield return (type, path);
        foreach (var key in SpecSchema.KeysOf(type))
        {
            var nested = key.Shape switch
            {
                KeyShape.Section => key.ValueType,
                KeyShape.SectionList => key.ElementType,
                _ => null,
            };
            if (nested is null || nested == type) continue;
            // A baseline's sections are the main ones again, with the same paths from the baseline's top.
            var nestedPath = type == typeof(BaselineSpec) ? key.Name : Join(path, key.Name);
            foreach (var section in Sections(nested, nestedPath)) yield return section;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static Dictionary<string, DeclaredKey> KeysByPath() =>
        Sections(typeof(ExperimentSpec), "").Where(s => s.Section != typeof(BaselineSpec))
            .SelectMany(s => SpecSchema.KeysOf(s.Section).Select(k => (Path: Join(s.Path, k.Name), Key: k)))
            .GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.First().Key);

    [Fact]
    public void Every_declaration_is_complete_and_refers_to_keys_that_exist()
    {
        var byPath = KeysByPath();
        var all = Sections(typeof(ExperimentSpec), "").SelectMany(s => SpecSchema.KeysOf(s.Section)).Distinct()
            .ToList();
        Assert.True(all.Count > 100, $"only {all.Count} keys found");
        foreach (var key in all)
        {
            var d = key.Declaration;
            Assert.False(string.IsNullOrWhiteSpace(d.Doc), $"{key}: no doc line");
            if (key.Shape is KeyShape.Integer or KeyShape.Number)
                Assert.True(double.IsFinite(d.Min) && double.IsFinite(d.Max) && d.Min <= d.Max, $"{key}: no range");
            else Assert.True(double.IsNaN(d.Min) && double.IsNaN(d.Max), $"{key}: a range on a {key.Shape}");
            if (key.Shape == KeyShape.Integer)
                Assert.True(d.Min == Math.Floor(d.Min) && d.Max == Math.Floor(d.Max), $"{key}: a fractional range");
            if (!double.IsNaN(d.SameAsUnset))
                Assert.True(key.Shape == KeyShape.Number && key.Optional, $"{key}: SameAsUnset needs a double?");
            if (d.Custom)
                Assert.True(key.AlwaysApplies && key.Defaults.Count == 0, $"{key}: a custom key with conditions");
            foreach (var (on, values) in key.Conditions.Select(c => (c.Key, c.Values))
                         .Concat(key.Defaults.Select(w => (w.Key, (IReadOnlyList<string>)[w.Value]))))
            {
                Assert.True(byPath.TryGetValue(on, out var target), $"{key}: refers to '{on}', which is not a key");
                Assert.True(target!.Shape == KeyShape.Choice, $"{key}: refers to '{on}', which is not a choice");
                var spellings = Enum.GetValues(target.ValueType).Cast<object>().Select(SpecSchema.Spelling).ToList();
                foreach (var value in values)
                    Assert.True(spellings.Contains(value), $"{key}: '{value}' is not a value of {on}");
            }
            foreach (var when in key.Defaults)
            {
                var value = Convert.ToDouble(when.Default, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(value >= d.Min && value <= d.Max || value == 0 && key.Conditions.Count > 0,
                    $"{key}: default {value} for {when.Key} {when.Value} is out of its range");
            }
            if (key.DefaultFrom is { } from)
            {
                Assert.True(byPath.TryGetValue(from, out var source),
                    $"{key}: default from '{from}', which is not a key");
                Assert.Equal(source!.ValueType, key.ValueType);
            }
        }
    }

    [Fact]
    public void A_key_given_where_it_does_not_apply_is_an_error_naming_it()
    {
        string Baseline(string yaml) => Fails(Valid + "baselines:\n  - " + yaml + "\n");
        Assert.Contains("baselines[0].sample.guidance: does not apply to model.type rbm (only to model.type diffusion)",
            Baseline("{name: r, model: {type: rbm}, sample: {guidance: 2}}"));
        Assert.Contains(
            "baselines[0].sample.steps: does not apply to model.type gan (only to model.type diffusion or rbm)",
            Baseline("{name: g, model: {type: gan}, sample: {steps: 20}}"));
        Assert.Contains(
            "baselines[0].train: does not apply to model.type independent (only to model.type diffusion, rbm or gan)",
            Baseline("{name: i, model: {type: independent}, train: {steps: 5}}"));
        Assert.Contains("baselines[0].encode: does not apply to model.type per-label-independent",
            Baseline("{name: p, model: {type: per-label-independent}, encode: {method: identity}}"));
        Assert.Contains("baselines[0].sample.max_mia_auc: does not apply to a baseline (only to the main generator",
            Baseline("{name: d, model: {type: diffusion}, sample: {max_mia_auc: 0.5}}"));
        Assert.Contains("baselines[0].model.hidden: does not apply to model.type diffusion (only to model.type rbm)",
            Baseline("{name: d, model: {type: diffusion, hidden: 10}}"));
        Assert.Contains("baselines[0].model.width: does not apply to model.type gan",
            Baseline("{name: g, model: {type: gan, width: 64}}"));
        Assert.Contains("baselines[0].train.discriminator_learning_rate: does not apply to model.type rbm",
            Baseline("{name: r, model: {type: rbm}, train: {discriminator_learning_rate: 0.001}}"));
        Assert.Contains("sample.guidance: does not apply to model.type independent", Fails(Valid + """
            model: {type: independent}
            sample: {guidance: 1}
            """));
        Assert.Contains("sample.eta: does not apply to sample.sampler ancestral " +
            "(only to model.type diffusion with sample.sampler ddim)",
            Fails(Valid + "sample: {eta: 0.5}\n"));
        Assert.Contains("model.prediction: does not apply to encode.method identity",
            Fails(Valid + "model: {prediction: epsilon}\n"));
        Assert.Contains("model.blocks: does not apply to model.denoiser conv-unet",
            Fails(Valid + "model: {denoiser: conv-unet, blocks: 3}\n"));
        Assert.Contains("rank.pcs: does not apply to rank.method all (only to rank.method gwas)",
            Fails(Valid + "rank: {pcs: 4}\n"));
        Assert.Contains("rank.clump: does not apply to rank.method all", Fails(Valid + "rank: {clump: {r2: 0.2}}\n"));
        // The location is the key's own line and column.
        Assert.Matches(@"spec\.yaml:15:20: sample\.eta:", Fails(Valid + "sample: {steps: 5, eta: 0.5}\n"));
    }

    [Fact]
    public void A_key_a_baseline_merely_inherits_and_does_not_use_falls_back_to_its_default()
    {
        var spec = Load(Valid + """
            encode: {method: vae, steps: 30}
            sample:
              {guidance: 2, steps: 40, count: 300, seed: 9, sampler: ddim, eta: 0.5,
               max_mia_auc: 0.7, allow_privacy_risk: true}
            baselines:
              - {name: d, model: {type: diffusion}}
              - {name: r, model: {type: rbm}}
              - {name: g, model: {type: gan}}
              - {name: i, model: {type: independent}}
            """);
        var (diffusion, rbm, gan, floor) = (spec.Baselines[0], spec.Baselines[1], spec.Baselines[2], spec.Baselines[3]);
        var defaults = new SampleSpec();
        // What every generator uses is inherited...
        foreach (var b in spec.Baselines) Assert.Equal((300, 9UL), (b.Sample.Count, b.Sample.Seed));
        Assert.Equal((2.0, 40, 0.5), (diffusion.Sample.Guidance, diffusion.Sample.Steps, diffusion.Sample.Eta));
        Assert.Equal(spec.Encode, diffusion.Encode);
        Assert.Equal(40, rbm.Sample.Steps);
        // ...what a generator ignores is not, and neither is the release gate, which checks the main set only.
        foreach (var b in new[] { rbm, gan, floor })
        {
            Assert.Equal((defaults.Guidance, defaults.Sampler, defaults.Eta),
                (b.Sample.Guidance, b.Sample.Sampler, b.Sample.Eta));
            Assert.Equal(new EncodeSpec { Seed = spec.Seed }, b.Encode);
        }
        Assert.Equal((defaults.Steps, defaults.Steps), (gan.Sample.Steps, floor.Sample.Steps));
        foreach (var b in spec.Baselines)
            Assert.Equal((defaults.MaxMiaAuc, defaults.AllowPrivacyRisk),
                (b.Sample.MaxMiaAuc, b.Sample.AllowPrivacyRisk));
        Assert.Equal((0.7, true), (spec.Sample.MaxMiaAuc, spec.Sample.AllowPrivacyRisk));
    }

    [Fact]
    public void A_main_sample_key_that_no_baseline_uses_leaves_the_baselines_cache_key_alone()
    {
        const string Baselines = """
            baselines:
              - {name: r, model: {type: rbm}, sample: {steps: 50}}
              - {name: g, model: {type: gan}}
              - {name: i, model: {type: independent}}
            """;
        string Config(string sample, string encode = "identity") => JsonSerializer.Serialize(PipelineRunner.ConfigOf(
            new BaselinesStage(), Load(Valid + $"encode: {{method: {encode}}}\nsample: {sample}\n" + Baselines)));
        var plain = Config("{steps: 100}");
        Assert.Equal(plain,
            Config("{steps: 20, guidance: 3, sampler: ddim, eta: 1, clean_estimate: mean, temperature: 0.9}"));
        Assert.Equal(plain, Config("{max_mia_auc: 0.5, allow_privacy_risk: true}"));
        Assert.Equal(plain, Config("{guidance: 3}", encode: "vae"));
        // What they do use is still in the key.
        Assert.NotEqual(plain, Config("{seed: 7}"));
        Assert.NotEqual(plain, Config("{count: 10}"));
    }

    [Fact]
    public void Defaults_follow_the_key_they_depend_on()
    {
        var spec = Load(Valid + """
            model: {type: gan}
            baselines:
              - {name: r, model: {type: rbm}}
              - {name: t, model: {type: diffusion, denoiser: transformer, width: 64}}
              - {name: u, model: {type: diffusion, denoiser: conv-unet}}
            """);
        Assert.Equal((4000, 32, 1e-4, 1e-4, 0.0, 0), (spec.Train.Steps, spec.Train.Batch, spec.Train.LearningRate,
            spec.Train.WeightDecay, spec.Train.Ema, spec.Train.WarmupSteps));
        Assert.Equal((2000, 500, 0.01),
            (spec.Baselines[0].Train.Steps, spec.Baselines[0].Train.Batch, spec.Baselines[0].Train.LearningRate));
        Assert.Equal((16, 4, 0, 0),
            (spec.Baselines[1].Model.Patch, spec.Baselines[1].Model.Heads, spec.Baselines[1].Model.Channels,
            spec.Baselines[1].Model.Levels));
        Assert.Equal((1, 4, 32, 2),
            (spec.Baselines[2].Model.Patch, spec.Baselines[2].Model.Heads, spec.Baselines[2].Model.Channels,
            spec.Baselines[2].Model.Levels));
        Assert.Equal(1024, Load(Valid + "phenotype: {simulate: {h2: 0.5}}\nrank: {method: gwas}\n").Rank.TopK);
        Assert.Equal(spec.Seed, spec.Evaluate.Seed);
        Assert.Equal(77UL, Load(Valid + "seed: 77\n").Split.Seed);
    }
}
