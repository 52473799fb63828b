using System.CommandLine;
using Dtc.Cli;

// dtc: the command-line entry to Dtc. Exit codes: 0 success, 1 failure, 2 bad input.
var root = new RootCommand("Dtc: Dual Tomographic Compression and the Gibbs randomness-compression proposition (arXiv 2505.23869).");
root.Subcommands.Add(ReplicateCommand.Create());
root.Subcommands.Add(AnalyzeCommand.CreateAnalyze());
root.Subcommands.Add(AnalyzeCommand.CreateReport());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
