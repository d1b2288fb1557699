using System.CommandLine;
using GenoSynth.Cli;

return CliApp.Run(args);
