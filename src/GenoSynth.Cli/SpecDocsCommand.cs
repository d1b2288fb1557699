using System.CommandLine;
using GenoSynth.Pipeline.Spec;
using GenoSynth.Pipeline.Store;

namespace GenoSynth.Cli;

/// <summary>`genosynth spec-docs`: the spec key reference generated from the key declarations.</summary>
public static class SpecDocsCommand
{
    public static Command Create(TextWriter output)
    {
        var write = new Option<string?>("--write")
        {
            Description = "Replace the generated part of this Markdown file (docs/spec.md) instead of printing it.",
        };
        var command = new Command("spec-docs", "Print the spec key reference (type, default, where it applies, " +
            "meaning) generated from the key declarations, or write it into docs/spec.md.") { write };
        command.SetAction(parse =>
        {
            if (parse.GetValue(write) is not { } file)
            {
                output.Write(SpecDocs.Table());
                return 0;
            }
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: not found");
            Digest.WriteAllTextAtomic(file, SpecDocs.Update(File.ReadAllText(file), file));
            output.WriteLine($"spec key reference written to {file}");
            return 0;
        });
        return command;
    }
}
