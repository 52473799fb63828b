using System.CommandLine;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary><c>dtc analyze</c> and <c>dtc report</c>: recompute the analysis (and the report) from a results file, without training.</summary>
internal static class AnalyzeCommand
{
    public static Command CreateAnalyze()
    {
        var results = new Argument<string>("results") { Description = "A results.json file (Dtc's schema, possibly written by another tool), the paper supplement's data (supplement-mnist.json), or a sweep folder (with sweep.json)." };
        var paper = new Option<bool>("--paper-accuracy") { Description = "Use the supplement's accuracy (mean of per-batch accuracies); implied for the supplement's data, which hold no other." };
        var output = new Option<string?>("--out") { Description = "Also write analysis.json into this folder." };
        var format = FormatOption();
        var command = new Command("analyze", "Recompute the Gibbs-entropy analysis from a results file, or merge and analyse a sweep folder, and print its tables.") { results, paper, output, format };
        command.SetAction(parse =>
        {
            if (Directory.Exists(parse.GetValue(results)))
                return AnalyzeSweep(parse.GetValue(results)!, parse.GetValue(output));
            var folder = parse.GetValue(output) is { } o ? Outputs.RequireFolder(o) : null;
            var (r, paperAccuracy) = Read(Existing(parse.GetValue(results)!), parse.GetValue(format)!, parse.GetValue(paper));
            var analysis = Dtc.CSharp.Analysis.Gibbs.Analyze(r, paperAccuracy);
            if (folder is not null)
                Dtc.CSharp.Report.Reports.WriteAnalysisJson(analysis, Path.Combine(folder, "analysis.json"));
            Console.WriteLine(analysis.ToMarkdown());
            return 0;
        });
        return command;
    }

    /// <summary>Merges a sweep folder and writes sweep-analysis.json and sweep-report.html (into the sweep folder, or --out).</summary>
    static int AnalyzeSweep(string folder, string? output)
    {
        if (!Dtc.CSharp.Sweeps.Sweep.IsSweep(folder))
            throw new FileNotFoundException($"Expecting a results file or a sweep folder with sweep.json but {folder} is a folder without sweep.json", Path.Combine(folder, "sweep.json"));
        var target = Outputs.RequireFolder(output ?? folder);
        var merged = Dtc.CSharp.Sweeps.Sweep.Merge(folder);
        var analysis = Dtc.CSharp.Sweeps.SweepAnalysis.Analyze(merged);
        Directory.CreateDirectory(target);
        analysis.WriteJson(Path.Combine(target, "sweep-analysis.json"));
        analysis.WriteReport(Path.Combine(target, "sweep-report.html"));
        Console.WriteLine(analysis.ToMarkdown());
        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{Path.Combine(target, "sweep-analysis.json")}[/] and [bold]{Path.Combine(target, "sweep-report.html")}[/].");
        return 0;
    }

    public static Command CreateReport()
    {
        var results = new Argument<string>("results") { Description = "A results.json file." };
        var output = new Option<string?>("--out") { Description = "Output HTML file (default: report.html beside the results)." };
        var paper = new Option<bool>("--paper-accuracy") { Description = "Use the supplement's accuracy (mean of per-batch accuracies); implied for the supplement's data." };
        var format = FormatOption();
        var command = new Command("report", "Write the self-contained HTML report of a results file.") { results, output, paper, format };
        command.SetAction(parse =>
        {
            var path = Existing(parse.GetValue(results)!);
            var html = Outputs.RequireFile(parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "report.html"), "an HTML file");
            var (r, paperAccuracy) = Read(path, parse.GetValue(format)!, parse.GetValue(paper));
            var analysis = Dtc.CSharp.Analysis.Gibbs.Analyze(r, paperAccuracy);
            Dtc.CSharp.Report.Reports.WriteHtml(r, analysis, html);
            AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{html}[/]");
            return 0;
        });
        return command;
    }

    static Option<string> FormatOption() => new("--format")
    {
        Description = "The file's format: auto (recognised by its content, default), dtc (results.json) or supplement (the paper's published data).",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>Reads results in the requested format; the supplement's data hold only the per-batch-mean accuracy, so they are analysed with it.</summary>
    static (Dtc.CSharp.Training.RunResults Results, bool PaperAccuracy) Read(string path, string format, bool paperAccuracy)
    {
        var requested = format.Trim().ToLowerInvariant() switch
        {
            "auto" => Dtc.CSharp.Report.ResultsFormat.Auto,
            "dtc" => Dtc.CSharp.Report.ResultsFormat.Dtc,
            "supplement" => Dtc.CSharp.Report.ResultsFormat.Supplement,
            _ => throw new ArgumentException($"Expecting --format auto, dtc or supplement but received \"{format}\""),
        };
        var (results, read) = Dtc.CSharp.Report.Reports.ReadResults(path, requested);
        if (read == Dtc.CSharp.Report.ResultsFormat.Supplement && !paperAccuracy)
            AnsiConsole.MarkupLineInterpolated($"[grey]{path}: the paper supplement's data; analysed with its accuracy (the mean of per-batch accuracies), as with --paper-accuracy.[/]");
        return (results, paperAccuracy || read == Dtc.CSharp.Report.ResultsFormat.Supplement);
    }

    static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Expecting a results file but {path} does not exist", path);
}
