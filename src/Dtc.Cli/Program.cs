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
// Output with no terminal width to fit (a pipe, a file, a test, or a terminal that reports no size, as a CI
// runner's or a captured pseudo-terminal's) is not wrapped at Spectre's default 80 columns: tables keep one
// line per row ("iterations", not "iterat…"; "3.760e-4", not "3.760e" and "-4") and an error message stays on
// one line, however long the paths and values it names.
if (Console.IsOutputRedirected || TerminalWidth() <= 0) Spectre.Console.AnsiConsole.Profile.Width = 10_000;
return CliErrors.Run(() =>
{
    var parsed = root.Parse(args);
    var code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    // A command line that does not parse (a missing argument, an unknown option, a value of the wrong type)
    // is bad input: System.CommandLine prints why and returns 1, the code for failures.
    return parsed.Errors.Count > 0 ? CliErrors.BadInput : code;
});

// The terminal's width in columns, or 0 when it reports none.
static int TerminalWidth()
{
    try { return Console.WindowWidth; }
    catch (IOException) { return 0; }
}
