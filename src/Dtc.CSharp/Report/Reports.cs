using Dtc.CSharp.Analysis;

namespace Dtc.CSharp.Report;

/// <summary>Results files and the HTML report (mirrors <c>Dtc.Training.Records</c> and <c>Dtc.Report.Html</c>).
/// Every file is written atomically: a temporary file, then a rename.</summary>
public static class Reports
{
    /// <summary>Reads a results file (Dtc's schema 1, also when written by other tools).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The results.</returns>
    /// <exception cref="InvalidDataException">The file is not a results file.</exception>
    public static Dtc.Training.Records.Results ReadResults(string path) =>
        Dtc.Training.Records.ofJson(File.ReadAllText(path ?? throw new ArgumentNullException(nameof(path))));

    /// <summary>Writes results.json.</summary>
    /// <param name="results">The results.</param>
    /// <param name="path">The destination.</param>
    public static void WriteResultsJson(Dtc.Training.Records.Results results, string path) =>
        Dtc.Training.Records.writeAllTextAtomically(path, Dtc.Training.Records.toJson(results));

    /// <summary>Writes results.csv (one row per method, cycle and hidden layer).</summary>
    /// <param name="results">The results.</param>
    /// <param name="path">The destination.</param>
    public static void WriteResultsCsv(Dtc.Training.Records.Results results, string path) =>
        Dtc.Training.Records.writeAllTextAtomically(path, Dtc.Training.Records.toCsv(results));

    /// <summary>Writes the analysis as JSON.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="path">The destination.</param>
    public static void WriteAnalysisJson(RunAnalysis analysis, string path) =>
        Dtc.Training.Records.writeAllTextAtomically(path, (analysis ?? throw new ArgumentNullException(nameof(analysis))).ToJson());

    /// <summary>Writes the self-contained offline HTML report (plotly.js embedded; no network requests).</summary>
    /// <param name="results">The results.</param>
    /// <param name="analysis">Their analysis.</param>
    /// <param name="path">The destination.</param>
    public static void WriteHtml(Dtc.Training.Records.Results results, RunAnalysis analysis, string path) =>
        Dtc.Report.Html.write(Dtc.Report.Html.defaults, path, (analysis ?? throw new ArgumentNullException(nameof(analysis))).Core, results);
}
