using System.Security.Cryptography;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GenoSynth.Pipeline.Spec;

/// <summary>
/// Loads and validates an experiment spec: the keys, their types, ranges, defaults and where they apply come from
/// their declarations on the spec records (<see cref="KeyAttribute"/>), read by <see cref="SectionReader"/>.
/// </summary>
public static class SpecLoader
{
    public static ExperimentSpec Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException(path, "spec file not found");
        var text = File.ReadAllText(path);
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new SpecException(path, ex.Start.Line, ex.Start.Column, "",
                "invalid YAML: " + (ex.InnerException?.Message ?? ex.Message));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet reports some malformed input this way (e.g. its scanner on broken flow mappings).
            throw new SpecException(path, "invalid YAML: " + ex.Message);
        }
        if (yaml.Documents.Count != 1 || yaml.Documents[0].RootNode is not YamlMappingNode rootNode)
            throw new SpecException(path, "a spec is one YAML document whose top level is a mapping");
        var root = new SpecNode(rootNode, path, "");

        var scope = new Scope();
        var spec = SectionReader.Read<ExperimentSpec>(root, "", scope);
        SectionReader.Enforce(spec, root, "", scope);
        var baselines = root.SectionList("baselines").Select(node => ReadBaseline(node, scope)).ToList();
        RejectDuplicateNames(baselines, root.SectionList("baselines"));
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        return spec with { SourcePath = path, SourceSha256 = sha, BaselineList = baselines };
    }

    /// <summary>A baseline is a generator of its own: its sections replace the main ones in its scope.</summary>
    private static BaselineSpec ReadBaseline(SpecNode node, Scope main)
    {
        var scope = main.ForBaseline();
        var baseline = SectionReader.Read<BaselineSpec>(node, "", scope);
        SectionReader.Enforce(baseline, node, "", scope);
        return baseline;
    }

    private static void RejectDuplicateNames(IReadOnlyList<BaselineSpec> baselines, IReadOnlyList<SpecNode> nodes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { "real", "holdout" };
        for (int i = 0; i < baselines.Count; i++)
            if (!seen.Add(baselines[i].Name))
                throw nodes[i].KeyError("name", $"the name '{baselines[i].Name}' is used twice or reserved");
    }
}
