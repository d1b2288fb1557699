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
    /// <param name="Path">Where in the stage's config: dotted keys, list items as [i] (as the config JSON spells them).</param>
    /// <param name="Recorded">The value the manifest holds there (JSON).</param>
    /// <param name="Now">The value today's code gives (JSON).</param>
    public sealed record DocumentedChange(string Experiment, string Stage, string Path, string Recorded, string Now, string Why);

    /// <summary>Intended differences from the committed manifests (regenerating a manifest removes its entries).</summary>
    public static readonly IReadOnlyList<DocumentedChange> DocumentedChanges = [];

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
            $"{change.Experiment}, stage {change.Stage}, {change.Path}: the manifest no longer holds {change.Recorded}");
        var replacement = JsonNode.Parse(change.Now);
        if (last.StartsWith('[')) parent.AsArray()[Index(last)] = replacement;
        else parent.AsObject()[last] = replacement;
        return config;
    }

    private static JsonNode Child(JsonNode parent, string step, DocumentedChange change) =>
        (step.StartsWith('[') ? parent.AsArray()[Index(step)] : parent.AsObject()[step])
        ?? throw new InvalidOperationException($"{change.Experiment}, stage {change.Stage}: no '{step}' in {change.Path}");

    private static int Index(string step) => int.Parse(step.Trim('[', ']'), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The text the cache key hashes: the canonical JSON writer over the element (numbers keep their text).</summary>
    private static string Canonical(JsonNode? node) =>
        JsonSerializer.Serialize(JsonSerializer.SerializeToElement(node, Digest.CanonicalJson), Digest.CanonicalJson);

    private static string Canonical(JsonElement element) => JsonSerializer.Serialize(element, Digest.CanonicalJson);
}
