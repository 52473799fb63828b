using System.CommandLine;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary><c>dtc analyze</c> and <c>dtc report</c>: recompute the analysis (and the report) from a results file, without training.</summary>
internal static class AnalyzeCommand
{
    public static Command CreateAnalyze()
    {
        var results = new Argument<string>("results") { Description = "A results.json file (Dtc's schema, possibly written by another tool)." };
        var paper = new Option<bool>("--paper-accuracy") { Description = "Use the supplement's accuracy (mean of per-batch accuracies)." };
        var output = new Option<string?>("--out") { Description = "Also write analysis.json into this folder." };
        var command = new Command("analyze", "Recompute the Gibbs-entropy analysis from a results file and print its tables.") { results, paper, output };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(output) is { } o ? Outputs.RequireFolder(o) : null;
            var r = Dtc.CSharp.Report.Reports.ReadResults(Existing(parse.GetValue(results)!));
            var analysis = Dtc.CSharp.Analysis.Gibbs.Analyze(r, parse.GetValue(paper));
            if (folder is not null)
                Dtc.CSharp.Report.Reports.WriteAnalysisJson(analysis, Path.Combine(folder, "analysis.json"));
            Console.WriteLine(analysis.ToMarkdown());
            return 0;
        });
        return command;
    }

    public static Command CreateReport()
    {
        var results = new Argument<string>("results") { Description = "A results.json file." };
        var output = new Option<string?>("--out") { Description = "Output HTML file (default: report.html beside the results)." };
        var paper = new Option<bool>("--paper-accuracy") { Description = "Use the supplement's accuracy (mean of per-batch accuracies)." };
        var command = new Command("report", "Write the self-contained HTML report of a results file.") { results, output, paper };
        command.SetAction(parse =>
        {
            var path = Existing(parse.GetValue(results)!);
            var html = Outputs.RequireFile(parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "report.html"), "an HTML file");
            var r = Dtc.CSharp.Report.Reports.ReadResults(path);
            var analysis = Dtc.CSharp.Analysis.Gibbs.Analyze(r, parse.GetValue(paper));
            Dtc.CSharp.Report.Reports.WriteHtml(r, analysis, html);
            AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{html}[/]");
            return 0;
        });
        return command;
    }

    static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Expecting a results file but {path} does not exist", path);
}
