using System.CommandLine;
using Dtc.Cli;

// dtc: the command-line entry to Dtc. Exit codes: 0 success, 1 failure, 2 bad input.
var root = new RootCommand("Dtc: Dual Tomographic Compression and the Gibbs randomness-compression proposition (arXiv 2505.23869).");
root.Subcommands.Add(ReplicateCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(AnalyzeCommand.CreateAnalyze());
root.Subcommands.Add(AnalyzeCommand.CreateReport());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
// Redirected output (a pipe, a file, a test) is not wrapped at Spectre's default 80 columns: an error
// message stays on one line, however long the paths and values it names.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 10_000;
return CliErrors.Run(() =>
{
    var parsed = root.Parse(args);
    var code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    // A command line that does not parse (a missing argument, an unknown option, a value of the wrong type)
    // is bad input: System.CommandLine prints why and returns 1, the code for failures.
    return parsed.Errors.Count > 0 ? CliErrors.BadInput : code;
});
