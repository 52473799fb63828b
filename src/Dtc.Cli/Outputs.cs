using Spectre.Console;

namespace Dtc.Cli;

/// <summary>Writes a run's outputs (each atomically: temporary file, then rename) and prints its summary.</summary>
internal static class Outputs
{
    /// <summary>Checks, before any work, that an output option names a folder (or nothing yet), not a file.</summary>
    public static string RequireFolder(string path, string option = "--out") =>
        File.Exists(path) ? throw new ArgumentException($"Expecting {option} to name a folder but {path} is a file") : path;

    /// <summary>Checks, before any work, that an output option names a file (or nothing yet), not a folder.</summary>
    public static string RequireFile(string path, string kind, string option = "--out") =>
        Directory.Exists(path) ? throw new ArgumentException($"Expecting {option} to name {kind} but {path} is a folder") : path;

    /// <summary>Writes results.json, results.csv, analysis.json and report.html into <paramref name="outDir"/>.</summary>
    public static Dtc.CSharp.Analysis.RunAnalysis Write(Dtc.CSharp.Training.RunResults results, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var analysis = Dtc.CSharp.Analysis.Gibbs.Analyze(results);
        Dtc.CSharp.Report.Reports.WriteResultsJson(results, Path.Combine(outDir, "results.json"));
        Dtc.CSharp.Report.Reports.WriteResultsCsv(results, Path.Combine(outDir, "results.csv"));
        Dtc.CSharp.Report.Reports.WriteAnalysisJson(analysis, Path.Combine(outDir, "analysis.json"));
        Dtc.CSharp.Report.Reports.WriteHtml(results, analysis, Path.Combine(outDir, "report.html"));
        return analysis;
    }

    /// <summary>Prints the accuracy and correlation tables.</summary>
    public static void PrintSummary(Dtc.CSharp.Analysis.RunAnalysis analysis)
    {
        AnsiConsole.WriteLine();
        Console.WriteLine(analysis.ToMarkdown());
    }
}
