/// <summary>
/// A self-contained, offline <c>report.html</c> of a run, verdict first: what was run, the accuracy
/// table, the correlation of entropy with accuracy beside its log(n) control and a sentence of
/// conclusion; then what the compression bought, the paper's five figures and the measurement
/// histograms, every correlation, the notes, and the run's settings in a collapsed section at the end. plotly.js (the copy bundled inside Plotly.NET) is embedded once, inline; the page loads
/// nothing from the network (no script source, stylesheet, font or image URL).
/// </summary>
module Dtc.Report.Html

open System
open System.Globalization
open System.IO
open System.Net
open System.Text
open Plotly.NET
open Dtc.Entropy
open Dtc.Training.Records

/// <summary>Settings of the HTML report.</summary>
type Settings =
    { /// <summary>The page title; default "Dtc report: Gibbs entropy of measurements and learning performance".</summary>
      Title: string
      /// <summary>Figure sizes and fonts; default <see cref="P:Dtc.Report.Figures.defaults"/>.</summary>
      Figures: Figures.Settings }

/// <summary>The default settings.</summary>
let defaults : Settings =
    { Title = "Dtc report: Gibbs entropy of measurements and learning performance"; Figures = Figures.defaults }

let private plotlyJsCache =
    lazy
        (let assembly = typeof<GenericChart>.Assembly
         let name =
             assembly.GetManifestResourceNames()
             |> Array.tryFind (fun n -> n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
         match name with
         | None -> raise (InvalidOperationException "Expecting Plotly.NET to bundle plotly.js (a resource Plotly.NET.plotly-*.min.js) but received none")
         | Some n ->
             use stream = assembly.GetManifestResourceStream n
             use reader = new StreamReader(stream)
             // A literal "</script" inside the code would end the inline element early.
             n.Substring("Plotly.NET.plotly-".Length).Replace(".min.js", ""), reader.ReadToEnd().Replace("</script", "<\\/script"))

/// <summary>The plotly.js library bundled inside Plotly.NET, as embedded in the report.</summary>
/// <returns>Its version (e.g. "2.28.0") and its minified source.</returns>
let plotlyJs () : string * string = plotlyJsCache.Value

let internal enc (s: string) = WebUtility.HtmlEncode(if isNull s then "" else s)

let private num (format: string) (x: float) =
    if Double.IsNaN x then "NaN" else x.ToString(format, CultureInfo.InvariantCulture)

let private seconds (x: float) = if Double.IsFinite x then num "0.0" x + " s" else "–"

let internal css =
    """
body { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 16px; line-height: 1.45;
       color: #222; max-width: 1080px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 36px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.sub { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.control td { background: #fafafa; color: #444; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
table.accuracy, table.correlations, table.footprint, table.metadata { display: block; max-width: 100%; overflow-x: auto; }
figure { margin: 20px 0 28px; max-width: 100%; overflow-x: auto; }
@media (max-width: 900px) { body { padding: 16px 12px 48px; } }
figcaption { color: #444; font-size: 14px; margin-top: 4px; max-width: 1000px; }
.note { background: #f7f9fc; border-left: 4px solid #1f77b4; padding: 8px 16px; }
p.lead { margin: 12px 0 8px; }
p.verdict { background: #f7f9fc; border-left: 4px solid #2ca02c; padding: 8px 16px; margin: 8px 0 16px; }
details { margin: 36px 0 16px; border-top: 1px solid #ddd; padding-top: 8px; }
details > summary { font-size: 18px; font-weight: bold; cursor: pointer; margin-bottom: 8px; }
ul.notes { font-size: 14px; color: #444; }
code { font-size: 90%; }
"""

let private metadataTable (results: Results) =
    let m = results.Metadata
    let sb = StringBuilder()
    sb.Append("<table class=\"metadata\"><tbody>") |> ignore
    let add (k: string) (v: string) = sb.Append("<tr><th>").Append(enc k).Append("</th><td>").Append(enc v).Append("</td></tr>") |> ignore
    if not (isNull (box m)) then
        add "Dtc version" m.DtcVersion
        add "TorchSharp version" m.TorchSharpVersion
        add "Runtime" m.Runtime
        add "Operating system" m.OS
        add "Device" (if m.Threads > 0 then sprintf "%s (%d intra-op threads)" m.Device m.Threads else m.Device)
        add "Dataset" (sprintf "%s (train %d, test %d samples)" m.Dataset m.TrainSize m.TestSize)
        add "Started (UTC)" m.StartedUtc
        add "Wall-clock time" (seconds m.WallSeconds)
        let p = m.Provenance
        if not (isNull (box p)) then
            add "Dtc commit" p.DtcCommit
            add "libtorch version" p.LibTorchVersion
            add "Reproducibility" (sprintf "%s (MKL %s, ATen kernels %s)%s" p.Reproducibility p.Mkl p.CpuCapability (if String.IsNullOrEmpty p.Note then "" else ": " + p.Note))
            add "Processor" (sprintf "%s (%s)" p.CpuModel p.CpuIsa)
            add "Threads per method" (string p.ThreadsPerMethod)
        if not (String.IsNullOrEmpty m.Digest) then add "Digest of the numbers (SHA-256)" m.Digest
        if not (isNull m.Protocol) then
            for kv in m.Protocol |> Seq.sortBy (fun kv -> kv.Key) do
                add ("Protocol: " + kv.Key) kv.Value
    for run in results.Methods do
        let cycles = if isNull run.Cycles then [||] else run.Cycles
        let total f = cycles |> Array.sumBy f
        add (sprintf "Timings: %s" run.Method)
            (sprintf "%d cycles; train %s, compress %s, evaluate %s" cycles.Length (seconds (total (fun c -> c.TrainSeconds)))
                (seconds (total (fun c -> c.CompressSeconds))) (seconds (total (fun c -> c.EvalSeconds))))
    sb.Append("</tbody></table>").ToString()

let private swatch (methodName: string) =
    sprintf "<span class=\"swatch\" style=\"background:%s\"></span>%s" (Figures.methodColor methodName) (enc methodName)

let private accuracyTable (analysis: Analysis.Analysis) =
    let sb = StringBuilder()
    let columns = Analysis.accuracyColumns analysis
    sb.Append("<table class=\"accuracy\"><thead><tr><th>method</th>") |> ignore
    for shared, points in columns do
        sb.Append("<th>").Append(enc (Analysis.accuracyHeader shared points.[0].Target)).Append("</th>") |> ignore
    sb.Append("</tr></thead><tbody>") |> ignore
    for i, m in Array.indexed analysis.Methods do
        sb.Append("<tr><td>").Append(swatch m.Method).Append("</td>") |> ignore
        for shared, points in columns do
            match points.[i] with
            | p when p.Cycle > 0 ->
                let at = if Double.IsFinite shared then "" else sprintf ", at %s %%" (num "0.0" (100.0 * p.FractionRemoved))
                sb.Append(sprintf "<td class=\"num\">%s <small>(cycle %d%s; LOWESS %s)</small></td>" (num "0.000" p.Accuracy) p.Cycle at
                              (num "0.000" p.SmoothedAccuracy)) |> ignore
            | _ -> sb.Append("<td>–</td>") |> ignore
        sb.Append("</tr>") |> ignore
    sb.Append("</tbody></table>").ToString()

/// A duration in the unit that suits it: µs below a millisecond, ms below a second.
let private duration (s: float) =
    if not (Double.IsFinite s) then "–"
    elif s < 1e-3 then num "0.0" (s * 1e6) + " µs"
    elif s < 1.0 then num "0.00" (s * 1e3) + " ms"
    else num "0.00" s + " s"

let private count (x: int64) = x.ToString("N0", CultureInfo.InvariantCulture)

/// What each method's compression bought, dense against compressed: parameters, FLOPs, latency per batch size.
let private footprintTable (footprints: Dtc.Models.Footprint.Comparison[]) =
    let sb = StringBuilder()
    let batches = footprints |> Array.collect (fun f -> f.Dense.Latency |> Array.map (fun l -> l.Batch)) |> Array.distinct
    sb.Append("<table class=\"footprint\"><thead><tr><th>method</th><th>parameters</th><th>FLOPs per sample</th>") |> ignore
    for b in batches do sb.Append(sprintf "<th>latency, batch %d</th>" b) |> ignore
    sb.Append("</tr></thead><tbody>") |> ignore
    let arrow (dense: string) (compressed: string) (note: string) =
        sprintf "<td class=\"num\">%s → %s <small>(%s)</small></td>" dense compressed note
    for f in footprints do
        sb.Append("<tr><td>").Append(swatch f.Method).Append("</td>") |> ignore
        sb.Append(arrow (count f.Dense.Parameters) (count f.Compressed.Parameters)
                        (sprintf "−%s %%" (num "0.0" (100.0 * Dtc.Models.Footprint.parametersRemoved f)))) |> ignore
        match f.Dense.Flops, f.Compressed.Flops, Dtc.Models.Footprint.flopsRemoved f with
        | Some d, Some c, Some r -> sb.Append(arrow (count d) (count c) (sprintf "−%s %%" (num "0.0" (100.0 * r)))) |> ignore
        | _ -> sb.Append("<td>–</td>") |> ignore
        for b in batches do
            match f.Dense.Latency |> Array.tryFind (fun l -> l.Batch = b), f.Compressed.Latency |> Array.tryFind (fun l -> l.Batch = b) with
            | Some d, Some c ->
                sb.Append(arrow (duration d.MedianSeconds) (duration c.MedianSeconds) (sprintf "%s× faster" (num "0.0" (d.MedianSeconds / c.MedianSeconds)))) |> ignore
            | _ -> sb.Append("<td>–</td>") |> ignore
        sb.Append("</tr>") |> ignore
    sb.Append("</tbody></table>").ToString()

/// The sentence under the footprint table: how the latency was measured.
let private footprintNote (footprints: Dtc.Models.Footprint.Comparison[]) =
    let timed = footprints |> Array.collect (fun f -> f.Dense.Latency)
    let how =
        match timed |> Array.tryHead with
        | Some l ->
            sprintf " Latency is the median time of one forward pass (evaluation mode, no gradients), timed in the run's process with %d intra-op thread%s, dense and compressed interleaved; at batch 1 a forward pass is mostly fixed overhead, so it shrinks far less than the FLOPs."
                l.Threads (if l.Threads = 1 then "" else "s")
        | None -> ""
    "<p>Each method's final network against the dense network it started from. FLOPs count two per multiply–accumulate, plus bias additions, activations and the output's log-softmax." + how + "</p>"

let private correlationTable (analysis: Analysis.Analysis) =
    if analysis.Correlations.Length = 0 then
        "<p class=\"note\">No correlations: no method recorded measurements (y1, y2) in the analysed layer, so there is no entropy to correlate.</p>"
    else
        let noted = analysis.Correlations |> Array.exists (fun r -> not (String.IsNullOrEmpty r.Note))
        let sb = StringBuilder()
        sb.Append("<table class=\"correlations\"><thead><tr><th>entropy source</th><th>accuracy curve</th><th>quantity</th>")
          .Append("<th>Pearson r</th><th>Spearman ρ</th><th>partial r given log n</th>")
          .Append(if noted then "<th>note</th>" else "").Append("</tr></thead><tbody>") |> ignore
        for r in analysis.Correlations do
            let control = r.Quantity = "log(n)"
            let partial = if control then "–" else enc (Analysis.formatEstimate r.PartialGivenLogN)
            sb.Append(if control then "<tr class=\"control\">" else "<tr>")
              .Append(sprintf "<td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                          (swatch r.Source) (swatch r.Curve) (enc (if control then "log(n) (control)" else r.Quantity))
                          (enc (Analysis.formatEstimate r.Pearson)) (enc (Analysis.formatEstimate r.Spearman)) partial)
              .Append(if noted then "<td>" + enc r.Note + "</td>" else "").Append("</tr>") |> ignore
        sb.Append("</tbody></table>").ToString()

/// The verdict's correlation table: per accuracy curve, the entropy of y2, its log(n) control and the partial r.
let private verdictTable (analysis: Analysis.Analysis) =
    let rows = Verdict.rows analysis
    if rows.Length = 0 then ""
    else
        let sb = StringBuilder()
        sb.Append("<table class=\"correlations verdict\"><thead><tr><th>accuracy curve</th>")
          .Append(sprintf "<th>entropy of %s's y2: Pearson r</th><th>log(n) (control): Pearson r</th><th>partial r given log n</th></tr></thead><tbody>"
                      (enc (fst rows.[0]).Source)) |> ignore
        for r, l in rows do
            let control = l |> Option.map (fun l -> Analysis.formatEstimate l.Pearson) |> Option.defaultValue "–"
            sb.Append(sprintf "<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>"
                          (swatch r.Curve) (enc (Analysis.formatEstimate r.Pearson)) (enc control) (enc (Analysis.formatEstimate r.PartialGivenLogN))) |> ignore
        sb.Append("</tbody></table>").ToString()

let private readingNote =
    """<div class="note">
<p><b>What the proposition claims.</b> Süzen's Gibbs randomness-compression proposition (arXiv 2505.23869)
states that over a sequence of lossy compression cycles the Gibbs entropy of the compressed-sensing
measurement vectors tracks the network's learning performance. The paper supports it with the Pearson
correlation between the entropy of the next-layer measurements y2 and the LOWESS-smoothed test accuracy
(0.917 against the CS curve, 0.941 against the random curve).</p>
<p><b>How to read the table.</b> Each row correlates, cycle by cycle, a quantity of the entropy source's
measurements with the smoothed accuracy of one method (pairwise complete: cycles where either value is NaN
are left out; N says how many remain). The grey <i>log(n)</i> rows are the control the paper lacks: the
number of measurements n shrinks with the layer every cycle, and n values that fall in distinct bins have
entropy exactly log n, so a high entropy–accuracy correlation can come from the shrinking count alone.
The <i>partial r given log n</i> is the correlation of entropy with accuracy after removing what log n
explains from both: what the entropy adds beyond the measurement count. Correlation over a monotone
compression schedule is not evidence of a mechanism: both quantities fall as the layer shrinks.</p>
</div>"""

/// <summary>Renders the report as one HTML page, verdict first: a sentence on what was run, the accuracy
/// table, the correlation of the entropy of y2 with accuracy beside its log(n) control, and a sentence of
/// conclusion computed from them; then what the compression bought (when measured), the five figures and
/// the histograms, every correlation with a note on reading them, the analysis' notes, and the run's
/// settings and metadata in a collapsed <c>&lt;details&gt;</c> section at the end. plotly.js is embedded once in the head; each chart is a container (with the
/// figure's identifier) and an inline script.</summary>
/// <param name="settings">Title and figure settings; <see cref="P:Dtc.Report.Html.defaults"/>.</param>
/// <param name="analysis">The analysis of the run (see <see cref="M:Dtc.Entropy.Analysis.analyze(Dtc.Entropy.Analysis.Settings,Dtc.Training.Records.Results)"/>).</param>
/// <param name="results">The results the analysis was made from.</param>
/// <returns>The HTML text.</returns>
let render (settings: Settings) (analysis: Analysis.Analysis) (results: Results) : string =
    if isNull (box analysis) then nullArg (nameof analysis)
    if isNull (box results) || isNull results.Methods then
        invalidArg (nameof results) "Expecting results with a methods array but received none"
    let version, js = plotlyJs ()
    let figures = Figures.all settings.Figures analysis results
    let sb = StringBuilder()
    let add (s: string) = sb.Append(s).Append('\n') |> ignore
    add "<!DOCTYPE html>"
    add "<html lang=\"en\">"
    add "<head>"
    add "<meta charset=\"utf-8\">"
    add "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    add ("<title>" + enc settings.Title + "</title>")
    add ("<style>" + css + "</style>")
    add (sprintf "<script type=\"text/javascript\" charset=\"utf-8\" data-library=\"plotly.js %s\">" (enc version))
    add js
    add "</script>"
    add "</head>"
    add "<body>"
    add ("<h1>" + enc settings.Title + "</h1>")
    add "<section id=\"verdict\">"
    add ("<p class=\"lead\">" + enc (Verdict.whatWasRun results) + " Below: the test accuracy (" + enc analysis.AccuracyDefinition
         + ") at the cycle nearest each fraction removed, and the correlation of the measurements' Gibbs entropy with the"
         + " smoothed accuracy beside its control, the number of measurements alone.</p>")
    add (accuracyTable analysis)
    add (verdictTable analysis)
    add ("<p class=\"verdict\"><b>Conclusion.</b> " + enc (Verdict.conclusion analysis) + "</p>")
    add "</section>"
    if not (isNull results.Footprints) && results.Footprints.Length > 0 then
        add "<h2 id=\"footprint\">What the compression bought</h2>"
        add (footprintNote results.Footprints)
        add (footprintTable results.Footprints)
    add "<h2 id=\"figures\">Figures</h2>"
    for f in figures do
        add (sprintf "<figure id=\"%s\" class=\"figure\">" (enc f.Id))
        add (GenericChart.toChartHTML f.Chart)
        add (sprintf "<figcaption>%s</figcaption>" (enc f.Caption))
        add "</figure>"
    add "<h2 id=\"correlations\">Entropy and accuracy, every correlation</h2>"
    add readingNote
    add (correlationTable analysis)
    if analysis.Notes.Length > 0 then
        add "<h2 id=\"notes\">Notes</h2>"
        add "<ul class=\"notes\">"
        for n in analysis.Notes do add ("<li>" + enc n + "</li>")
        add "</ul>"
    add "<details id=\"settings\">"
    add "<summary>Settings and metadata of the run</summary>"
    add ("<p class=\"sub\">Dual Tomographic Compression and the Gibbs randomness-compression proposition (M. Süzen, arXiv 2505.23869). "
         + "Analysis settings: " + enc analysis.SettingsDescription + ".</p>")
    add (metadataTable results)
    add "</details>"
    add (sprintf "<p class=\"sub\">Generated by Dtc; charts by Plotly.NET with plotly.js %s embedded (works offline).</p>" (enc version))
    add "</body>"
    add "</html>"
    sb.ToString()

/// <summary>Renders the report and writes it atomically (a temporary file, then a rename), so a
/// reader never sees a partial page.</summary>
/// <param name="settings">Title and figure settings; <see cref="P:Dtc.Report.Html.defaults"/>.</param>
/// <param name="path">The destination, e.g. <c>report.html</c>; its folder is created if needed.</param>
/// <param name="analysis">The analysis of the run.</param>
/// <param name="results">The results the analysis was made from.</param>
/// <example><code>
/// let results = Records.ofJson (File.ReadAllText "results.json")
/// let analysis = Analysis.analyze Analysis.defaults results
/// Html.write Html.defaults "report.html" analysis results
/// </code></example>
let write (settings: Settings) (path: string) (analysis: Analysis.Analysis) (results: Results) : unit =
    if String.IsNullOrWhiteSpace path then invalidArg (nameof path) "Expecting a file path but received an empty one"
    Dtc.Runtime.AtomicFile.writeText path (render settings analysis results)
