/// <summary>
/// The files of a run's folder: <c>results.json</c>, <c>results.csv</c>, <c>analysis.json</c> and
/// <c>report.html</c>, each written atomically.
/// </summary>
/// <namespacedoc><summary>Report: the figures, the HTML reports and the files of a run's folder.</summary></namespacedoc>
module Dtc.Report.Files

open System
open System.IO
open Dtc.Entropy
open Dtc.Training

/// <summary>The names of the files <see cref="M:Dtc.Report.Files.writeAll(System.String,Microsoft.FSharp.Core.FSharpOption{Dtc.Entropy.Analysis.Analysis},Dtc.Training.Records.Results)"/>
/// writes, in the order it writes them (<c>results.json</c> last).</summary>
let names : string list = [ "results.csv"; "analysis.json"; "report.html"; "results.json" ]

/// <summary>Writes a run's results, their analysis and the HTML report into a folder: <c>results.json</c>,
/// <c>results.csv</c>, <c>analysis.json</c> and <c>report.html</c>, each atomically (a temporary file, then
/// a rename); <c>results.json</c> last, so that its presence marks a complete set.</summary>
/// <param name="folder">The folder (created when missing).</param>
/// <param name="analysis">The results' analysis; <c>None</c> computes it with
/// <see cref="P:Dtc.Entropy.Analysis.defaults"/>.</param>
/// <param name="results">The results.</param>
/// <returns>The analysis written (the one given, or the one computed).</returns>
/// <exception cref="T:System.ArgumentException">An empty folder path.</exception>
/// <example><code>
/// let analysis = Files.writeAll "runs/paper" None (Records.read "results.json")
/// </code></example>
let writeAll (folder: string) (analysis: Analysis.Analysis option) (results: Records.Results) : Analysis.Analysis =
    if String.IsNullOrWhiteSpace folder then
        invalidArg (nameof folder) (sprintf "Expecting an output folder but received \"%s\"" (string folder))
    let analysis = analysis |> Option.defaultWith (fun () -> Analysis.analyze Analysis.defaults results)
    Directory.CreateDirectory folder |> ignore
    Dtc.Runtime.AtomicFile.writeText (Path.Combine(folder, "results.csv")) (Records.toCsv results)
    Dtc.Runtime.AtomicFile.writeText (Path.Combine(folder, "analysis.json")) (Analysis.toJson analysis)
    Html.write Html.defaults (Path.Combine(folder, "report.html")) analysis results
    Dtc.Runtime.AtomicFile.writeText (Path.Combine(folder, "results.json")) (Records.toJson results)
    analysis
