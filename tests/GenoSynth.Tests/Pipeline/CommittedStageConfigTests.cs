using System.Text.Json;
using System.Text.Json.Nodes;
using GenoSynth.Pipeline;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Stages;
using GenoSynth.Pipeline.Store;
using GenoSynth.Tests.Support;

namespace GenoSynth.Tests.Pipeline;

/// <summary>
/// The guard for every refactor of the spec and the stages: each committed workflow, loaded by today's code, must give
/// every stage exactly the config (the cache-key input) that results/&lt;experiment&gt;/manifest.json recorded, byte
/// for byte. A difference that is intended is listed in <see cref="DocumentedChanges"/> with the recorded value, the
/// new one and why; the test checks both, so a change list that no longer matches the manifest fails too.
/// </summary>
public class CommittedStageConfigTests
{
    /// <param name="Path">Where in the stage's config: dotted keys and list items as [i], as the config JSON spells
    /// them.</param>
    /// <param name="Recorded">The value the manifest holds there (JSON).</param>
    /// <param name="Now">The value today's code gives (JSON).</param>
    public sealed record DocumentedChange(
        string Experiment, string Stage, string Path, string Recorded, string Now, string Why);

    /// <summary>Intended differences from the committed manifests (regenerating a manifest removes its entries).
    /// </summary>
    public static readonly IReadOnlyList<DocumentedChange> DocumentedChanges =
    [
        // AGBL4's RBM, GAN and floors inherited the main sample section's guidance (w = 1) and the main VAE encode
        // section, neither of which they use (they sample genotype calls directly). Keys that do not apply to a
        // generator now fall back to their defaults, so these four baselines no longer carry them in the key. Their
        // outputs are unchanged; only the baselines stage key is new.
        .. IgnoredByGenotypeBaseline(1, "independent"),
        .. IgnoredByGenotypeBaseline(2, "per-label-independent"),
        .. IgnoredByGenotypeBaseline(3, "rbm"),
        .. IgnoredByGenotypeBaseline(4, "gan"),
    ];

    private static IEnumerable<DocumentedChange> IgnoredByGenotypeBaseline(int index, string name)
    {
        const string Experiment = "1kg-agbl4-casecontrol", Stage = "baselines";
        string at = $"baselines[{index}]";
        return
        [
            new(Experiment, Stage, at + ".sample.guidance", "1", "0",
                $"{name} ignores sample.guidance (inherited w = 1)"),
            new(Experiment, Stage, at + ".encode.method", "\"vae\"", "\"identity\"",
                $"{name} models genotype calls: the inherited encode section does not apply"),
            new(Experiment, Stage, at + ".encode.steps", "1000", "2000",
                "the VAE's steps went with the encode section"),
        ];
    }

    private static IReadOnlyList<string> Experiments() =>
        Directory.GetFiles(Path.Combine(TestData.RepoRoot, "workflows"), "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileNameWithoutExtension(f)).ToList();

    public static TheoryData<string> Workflows() => new(Experiments());

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_stage_config_is_the_one_the_manifest_recorded(string experiment)
    {
        var specPath = Path.Combine(TestData.RepoRoot, "workflows", experiment + ".yaml");
        var manifestPath = Path.Combine(TestData.RepoRoot, "results", experiment, ResultsPublisher.ManifestFile);
        Assert.True(File.Exists(manifestPath), $"{experiment}: no committed manifest at {manifestPath}");
        var spec = SpecLoader.Load(specPath);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        // The manifest must come from this very workflow text, or the comparison below means nothing.
        Assert.Equal(manifest["spec_sha256"]!.GetValue<string>(), spec.SourceSha256);

        var stages = manifest["stages"]!.AsArray();
        Assert.Equal(StageCatalog.All.Select(s => s.Name), stages.Select(s => s!["stage"]!.GetValue<string>()));
        foreach (var recordedStage in stages)
        {
            var name = recordedStage!["stage"]!.GetValue<string>();
            var expected = recordedStage["config"]!.DeepClone();
            foreach (var change in DocumentedChanges.Where(c => c.Experiment == experiment && c.Stage == name))
                expected = Apply(expected, change);
            var computed = PipelineRunner.ConfigOf(StageCatalog.Get(name), spec);
            Assert.True(Canonical(expected) == Canonical(computed),
                $"{experiment}, stage {name}: the config differs from the manifest's\n" +
                $"manifest (with documented changes):\n{Canonical(expected)}\ncomputed:\n{Canonical(computed)}");
        }
    }

    [Fact]
    public void Every_documented_change_names_a_committed_experiment_and_stage()
    {
        foreach (var change in DocumentedChanges)
        {
            Assert.Contains(change.Experiment, Experiments());
            Assert.Contains(change.Stage, StageCatalog.All.Select(s => s.Name));
            Assert.NotEqual(Canonical(JsonNode.Parse(change.Recorded)), Canonical(JsonNode.Parse(change.Now)));
            Assert.False(string.IsNullOrWhiteSpace(change.Why));
        }
    }

    /// <summary>Replaces the value at the change's path, after checking it is the recorded one.</summary>
    private static JsonNode Apply(JsonNode config, DocumentedChange change)
    {
        var steps = change.Path.Replace("[", ".[").Split('.', StringSplitOptions.RemoveEmptyEntries);
        JsonNode parent = config;
        foreach (var step in steps[..^1]) parent = Child(parent, step, change);
        var last = steps[^1];
        Assert.True(Canonical(Child(parent, last, change)) == Canonical(JsonNode.Parse(change.Recorded)),
            $"{change.Experiment}, stage {change.Stage}, {change.Path}: the manifest holds another value than " +
            change.Recorded);
        var replacement = JsonNode.Parse(change.Now);
        if (last.StartsWith('[')) parent.AsArray()[Index(last)] = replacement;
        else parent.AsObject()[last] = replacement;
        return config;
    }

    private static JsonNode Child(JsonNode parent, string step, DocumentedChange change) =>
        (step.StartsWith('[') ? parent.AsArray()[Index(step)] : parent.AsObject()[step])
        ?? throw new InvalidOperationException(
            $"{change.Experiment}, stage {change.Stage}: no '{step}' in {change.Path}");

    private static int Index(string step) =>
        int.Parse(step.Trim('[', ']'), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The text the cache key hashes: the canonical JSON writer over the element (numbers keep their text).
    /// </summary>
    private static string Canonical(JsonNode? node) =>
        JsonSerializer.Serialize(JsonSerializer.SerializeToElement(node, Digest.CanonicalJson), Digest.CanonicalJson);

    private static string Canonical(JsonElement element) => JsonSerializer.Serialize(element, Digest.CanonicalJson);
}
