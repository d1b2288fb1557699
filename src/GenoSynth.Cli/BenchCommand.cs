using System.CommandLine;

namespace GenoSynth.Cli;

/// <summary>`genosynth bench`: performance figures measured in one run (see the Neural engine README).</summary>
public static class BenchCommand
{
    public static Command Create(TextWriter output)
    {
        var which = new Argument<string>("benchmark") { Description = "gemm or train-step" };
        which.AcceptOnlyFromAmong("gemm", "train-step");
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var command = new Command("bench", "Run a performance benchmark and print its figures.") { which, json };
        command.SetAction(parse => NotYet(parse.GetValue(which)!));
        return command;
    }

    private static int NotYet(string benchmark) => throw new GenoSynth.Pipeline.NotImplementedStageException("bench " + benchmark);
}
