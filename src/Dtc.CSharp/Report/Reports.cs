using Dtc.CSharp.Analysis;
using Dtc.CSharp.Training;

namespace Dtc.CSharp.Report;

/// <summary>The formats of a file of results.</summary>
/// <namespacedoc><summary>A run's files: results in JSON and CSV, the analysis, and the offline HTML report.</summary></namespacedoc>
public enum ResultsFormat
{
    /// <summary>Recognised by its content.</summary>
    Auto,
    /// <summary>Dtc's results.json.</summary>
    Dtc,
    /// <summary>The paper supplement's data converted to JSON (methods magnitude, random, cs).</summary>
    Supplement,
}

/// <summary>Results files and the HTML report (mirrors <c>Dtc.Training.Records</c> and <c>Dtc.Report.Html</c>).
/// Every file is written atomically: a temporary file, then a rename.</summary>
public static class Reports
{
    /// <summary>Reads a results file (Dtc's schema 1, also when written by other tools).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The results.</returns>
    /// <exception cref="InvalidDataException">The file is not a results file (the message names it).</exception>
    public static RunResults ReadResults(string path) =>
        RunResults.Of(Dtc.Training.Records.read(path ?? throw new ArgumentNullException(nameof(path))));

    /// <summary>Reads a file of results in Dtc's schema or in the paper supplement's format (mirrors
    /// <c>Dtc.Entropy.PaperData.readResults</c>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">The format; <see cref="ResultsFormat.Auto"/> (default) recognises it by its content.</param>
    /// <returns>The results and the format they were read in (never <see cref="ResultsFormat.Auto"/>).</returns>
    /// <exception cref="InvalidDataException">The file is not results of that format (the message names it).</exception>
    public static (RunResults Results, ResultsFormat Format) ReadResults(string path, ResultsFormat format)
    {
        ArgumentNullException.ThrowIfNull(path);
        var requested = format switch
        {
            ResultsFormat.Auto => Microsoft.FSharp.Core.FSharpOption<Dtc.Entropy.PaperData.ResultsFormat>.None,
            ResultsFormat.Dtc => Microsoft.FSharp.Core.FSharpOption<Dtc.Entropy.PaperData.ResultsFormat>.Some(Dtc.Entropy.PaperData.ResultsFormat.DtcResults),
            ResultsFormat.Supplement => Microsoft.FSharp.Core.FSharpOption<Dtc.Entropy.PaperData.ResultsFormat>.Some(Dtc.Entropy.PaperData.ResultsFormat.Supplement),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Expecting Auto, Dtc or Supplement"),
        };
        var (results, read) = Dtc.Entropy.PaperData.readResults(requested, path);
        return (RunResults.Of(results), read.IsSupplement ? ResultsFormat.Supplement : ResultsFormat.Dtc);
    }

    /// <summary>Reads an analysis file written by <see cref="WriteAnalysisJson"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="InvalidDataException">The file is not an analysis (the message names it).</exception>
    public static RunAnalysis ReadAnalysis(string path) =>
        new(Dtc.Entropy.Analysis.read(path ?? throw new ArgumentNullException(nameof(path))));

    /// <summary>Writes results.json.</summary>
    /// <param name="results">The results.</param>
    /// <param name="path">The destination (folders are created).</param>
    public static void WriteResultsJson(RunResults results, string path) =>
        Dtc.Runtime.AtomicFile.writeText(path, (results ?? throw new ArgumentNullException(nameof(results))).ToJson());

    /// <summary>Writes results.csv (one row per method, cycle and hidden layer).</summary>
    /// <param name="results">The results.</param>
    /// <param name="path">The destination (folders are created).</param>
    public static void WriteResultsCsv(RunResults results, string path) =>
        Dtc.Runtime.AtomicFile.writeText(path, (results ?? throw new ArgumentNullException(nameof(results))).ToCsv());

    /// <summary>Writes the analysis as JSON.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="path">The destination (folders are created).</param>
    public static void WriteAnalysisJson(RunAnalysis analysis, string path) =>
        Dtc.Runtime.AtomicFile.writeText(path, (analysis ?? throw new ArgumentNullException(nameof(analysis))).ToJson());

    /// <summary>Writes the self-contained offline HTML report (plotly.js embedded; no network requests).</summary>
    /// <param name="results">The results.</param>
    /// <param name="analysis">Their analysis.</param>
    /// <param name="path">The destination (folders are created).</param>
    public static void WriteHtml(RunResults results, RunAnalysis analysis, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(analysis);
        Dtc.Report.Html.write(Dtc.Report.Html.defaults, path, analysis.Core, results.ToCore());
    }

    /// <summary>Writes results.json, results.csv, analysis.json and report.html into a folder (mirrors
    /// <c>Dtc.Report.Files.writeAll</c>).</summary>
    /// <param name="results">The results.</param>
    /// <param name="outputDirectory">The folder (created when missing).</param>
    /// <param name="analysis">Their analysis; null to compute it with the default settings.</param>
    /// <returns>The analysis written.</returns>
    public static RunAnalysis WriteAll(RunResults results, string outputDirectory, RunAnalysis? analysis = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        var given = analysis is null
            ? Microsoft.FSharp.Core.FSharpOption<Dtc.Entropy.Analysis.Analysis>.None
            : Microsoft.FSharp.Core.FSharpOption<Dtc.Entropy.Analysis.Analysis>.Some(analysis.Core);
        var written = Dtc.Report.Files.writeAll(outputDirectory, given, results.ToCore());
        return analysis ?? new RunAnalysis(written);
    }
}
