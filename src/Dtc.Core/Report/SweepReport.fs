/// <summary>
/// The HTML report of a sweep, verdict first: the verdict paragraph of each grid point, then the accuracy of
/// each method across seeds (mean and confidence band), the per-seed correlations with their intervals, the
/// controls, and the detail tables. Self-contained and offline, like the run report.
/// </summary>
module Dtc.Report.SweepReport

open System
open System.Globalization
open System.Text
open Plotly.NET
open Plotly.NET.LayoutObjects
open Dtc.Sweeps.Analysis

let private num (format: string) (x: float) =
    if Double.IsFinite x then x.ToString(format, CultureInfo.InvariantCulture) else "–"

let private interval (s: Summary) = sprintf "%s [%s, %s]" (num "0.00" s.Mean) (num "0.00" s.Lower) (num "0.00" s.Upper)

let private pText (p: float) = if not (Double.IsFinite p) then "–" elif p < 0.001 then "&lt; 0.001" else num "0.000" p

let private percent (level: float) = sprintf "%g %%" (100.0 * level)

let private translucent (hex: string) =
    let c (i: int) = Convert.ToInt32(hex.Substring(i, 2), 16)
    sprintf "rgba(%d,%d,%d,0.18)" (c 1) (c 3) (c 5)

/// <summary>Test accuracy of each method across seeds: the mean per cycle and its bootstrap confidence band.</summary>
/// <param name="settings">Figure settings.</param>
/// <param name="point">A grid point's analysis.</param>
/// <returns>The chart.</returns>
let accuracyBands (settings: Figures.Settings) (point: PointAnalysis) : GenericChart =
    let x = point.Cycles |> Array.map (fun c -> c.FractionRemoved)
    let methods = if point.Cycles.Length = 0 then [||] else point.Cycles.[0].Methods |> Array.map (fun m -> m.Method)
    let traces =
        [ for i, m in Array.indexed methods do
            let color = Figures.methodColor m
            let s = point.Cycles |> Array.map (fun c -> c.Methods.[i].Accuracy)
            let band = Array.append (s |> Array.map (fun v -> v.Upper)) (s |> Array.rev |> Array.map (fun v -> v.Lower))
            yield Chart.Scatter(Array.append x (Array.rev x), band, StyleParam.Mode.Lines, Name = m + " " + percent point.Level + " CI", ShowLegend = false,
                                Fill = StyleParam.Fill.ToSelf, FillColor = Color.fromString (translucent color),
                                LineColor = Color.fromString "rgba(0,0,0,0)", UseDefaults = false)
            yield Chart.Line(x, s |> Array.map (fun v -> v.Mean), Name = m + " (mean over seeds)", LineColor = Color.fromString color,
                             LineWidth = 2.5, ShowMarkers = true, UseDefaults = false) ]
    (if traces.IsEmpty then Figures.emptyNote settings "No accuracy to plot" else Chart.combine traces)
    |> Figures.style settings settings.Height (sprintf "Test accuracy across seeds (mean and %s bootstrap band)" (percent point.Level))
        "Fraction of hidden neurons removed (0–1)" "Test accuracy (fraction correct)" [ for m in methods -> m + " (mean over seeds)" ]

let private strips (settings: Figures.Settings) (point: PointAnalysis) (title: string) (axis: string) (pick: CorrelationSummary -> Summary) =
    let rows =
        point.Correlations
        |> Array.filter (fun r -> r.Curve = r.Source && not (r.Quantity.Contains "y1") && Double.IsFinite (pick r).Mean)
    let label (r: CorrelationSummary) = if r.Estimator = "Miller–Madow" then r.Quantity + ", Miller–Madow" else r.Quantity
    let traces =
        [ for r in rows do
            let name = label r
            let s = pick r
            let values = s.Values |> Array.filter Double.IsFinite
            yield Chart.Point(values, Array.create values.Length name, Name = name, ShowLegend = false,
                              Marker = TraceObjects.Marker.init (Color = Color.fromString "#1f77b4", Size = 8), Opacity = 0.6, UseDefaults = false)
            yield Chart.Point([ s.Mean ], [ name ], Name = name + " mean", ShowLegend = false,
                              Marker = TraceObjects.Marker.init (Color = Color.fromString "#d62728", Size = 12, Symbol = StyleParam.MarkerSymbol.Diamond), UseDefaults = false)
            yield Chart.Line([ s.Lower; s.Upper ], [ name; name ], Name = name + " CI", ShowLegend = false,
                             LineColor = Color.fromString "#d62728", LineWidth = 3.0, UseDefaults = false) ]
    let chart = if traces.IsEmpty then Figures.emptyNote settings "No quantity has a finite value here" else Chart.combine traces
    chart
    |> Figures.style settings (max 360 (80 + 48 * rows.Length)) title axis "" []
    |> Chart.withMarginSize (Left = 260)

/// <summary>Each seed's Pearson r of a quantity with the measured method's smoothed accuracy, per quantity
/// (entropy of y2, its Miller–Madow correction, the controls and log n), with the mean and its interval.</summary>
/// <param name="settings">Figure settings.</param>
/// <param name="point">A grid point's analysis.</param>
/// <returns>The chart.</returns>
let correlationStrips (settings: Figures.Settings) (point: PointAnalysis) : GenericChart =
    strips settings point (sprintf "Pearson r with the smoothed accuracy, per seed (red: mean and %s CI)" (percent point.Level)) "Pearson r" (fun r -> r.Pearson)

/// <summary>Each seed's partial correlation of a quantity with the measured method's smoothed accuracy given
/// log n, per quantity, with the mean and its interval: what each says beyond the number of measurements.</summary>
/// <param name="settings">Figure settings.</param>
/// <param name="point">A grid point's analysis.</param>
/// <returns>The chart.</returns>
let partialStrips (settings: Figures.Settings) (point: PointAnalysis) : GenericChart =
    strips settings point (sprintf "Partial r given log(n), per seed (red: mean and %s CI)" (percent point.Level)) "partial r given log(n)" (fun r -> r.PartialGivenLogN)

let private correlationTable (point: PointAnalysis) =
    let sb = StringBuilder()
    sb.Append("<table class=\"correlations\"><tr><th>quantity</th><th>source → curve</th><th>estimator</th><th>r</th><th>Spearman ρ</th>")
      .Append("<th>partial r given log(n)</th><th>ΔR²</th><th>permutation p</th></tr>") |> ignore
    for r in point.Correlations do
        let control = r.Quantity.Contains "control" || r.Quantity = "log(n)"
        sb.AppendFormat("<tr{0}><td>{1}</td><td>{2} → {3}</td><td>{4}</td><td class=\"num\">{5}</td><td class=\"num\">{6}</td><td class=\"num\">{7}</td><td class=\"num\">{8}</td><td class=\"num\">{9}</td></tr>",
                        (if control then " class=\"control\"" else ""), Html.enc r.Quantity, Html.enc r.Source, Html.enc r.Curve,
                        Html.enc (if r.Estimator = "" then "–" else r.Estimator), interval r.Pearson, interval r.Spearman,
                        (if r.Quantity = "log(n)" then "–" else interval r.PartialGivenLogN),
                        (if r.Quantity = "log(n)" then "–" else interval r.DeltaR2), pText r.PermutationP) |> ignore
    sb.Append("</table>").ToString()

let private accuracyTable (point: PointAnalysis) =
    let sb = StringBuilder()
    let methods = if point.Cycles.Length = 0 then [||] else point.Cycles.[0].Methods |> Array.map (fun m -> m.Method)
    sb.Append("<table class=\"accuracy\"><tr><th>cycle</th><th>removed</th><th>n</th>") |> ignore
    for m in methods do sb.Append("<th>").Append(Html.enc m).Append(" accuracy, mean [" + percent point.Level + " CI]</th>") |> ignore
    sb.Append("</tr>") |> ignore
    for c in point.Cycles do
        sb.AppendFormat("<tr><td class=\"num\">{0}</td><td class=\"num\">{1}</td><td class=\"num\">{2}</td>", c.Cycle, num "0.0%" c.FractionRemoved, c.Measurements) |> ignore
        for m in c.Methods do
            sb.AppendFormat("<td class=\"num\">{0} [{1}, {2}]</td>", num "0.0000" m.Accuracy.Mean, num "0.0000" m.Accuracy.Lower, num "0.0000" m.Accuracy.Upper) |> ignore
        sb.Append("</tr>") |> ignore
    sb.Append("</table>").ToString()

let private comparisonTable (point: PointAnalysis) =
    let significant = point.Comparisons |> Array.filter (fun c -> Double.IsFinite c.PHolm && c.PHolm < 0.05)
    let sb = StringBuilder()
    sb.AppendFormat("<p>{0} of {1} paired comparisons differ at Holm-adjusted p &lt; 0.05.</p>", significant.Length, point.Comparisons.Length) |> ignore
    if significant.Length > 0 then
        sb.Append("<table class=\"accuracy\"><tr><th>cycle</th><th>removed</th><th>A − B</th><th>mean difference</th><th>t</th><th>p</th><th>Holm p</th></tr>") |> ignore
        for c in significant do
            sb.AppendFormat("<tr><td class=\"num\">{0}</td><td class=\"num\">{1}</td><td>{2} − {3}</td><td class=\"num\">{4}</td><td class=\"num\">{5}</td><td class=\"num\">{6}</td><td class=\"num\">{7}</td></tr>",
                            c.Cycle, num "0.0%" c.FractionRemoved, Html.enc c.A, Html.enc c.B, num "+0.0000;-0.0000" c.MeanDifference, num "0.00" c.T, pText c.PValue, pText c.PHolm) |> ignore
        sb.Append("</table>") |> ignore
    sb.ToString()

/// <summary>Renders the sweep report as one HTML page (plotly.js embedded once).</summary>
/// <param name="settings">Figure settings; <c>Figures.defaults</c>.</param>
/// <param name="analysis">The sweep's analysis.</param>
/// <returns>The HTML text.</returns>
let render (settings: Figures.Settings) (analysis: SweepAnalysis) : string =
    let version, js = Html.plotlyJs ()
    let sb = StringBuilder()
    let add (s: string) = sb.Append(s).Append('\n') |> ignore
    let title = sprintf "Dtc sweep: %s" analysis.Dataset
    add "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    add "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    add ("<title>" + Html.enc title + "</title>")
    add ("<style>" + Html.css + "</style>")
    add (sprintf "<script type=\"text/javascript\" charset=\"utf-8\" data-library=\"plotly.js %s\">" (Html.enc version))
    add js
    add "</script>\n</head>\n<body>"
    add ("<h1>" + Html.enc title + "</h1>")
    add ("<p class=\"sub\">Does the Gibbs entropy of the measurements track learning (M. Süzen, arXiv 2505.23869)? Methods: "
         + Html.enc (String.Join(", ", analysis.Methods)) + ".</p>")
    for p in analysis.Points do
        let heading = if p.Point = "" then "" else " — " + p.Point
        add (sprintf "<h2>Verdict%s</h2>" (Html.enc heading))
        add ("<p class=\"note\">" + Html.enc p.Verdict + "</p>")
        add (sprintf "<p class=\"sub\">%d seeds (%s). %s</p>" p.Seeds.Length (Html.enc (String.Join(", ", p.Seeds))) (Html.enc analysis.Method))
    for p in analysis.Points do
        let suffix = if p.Point = "" then "" else " — " + p.Point
        add (sprintf "<h2>Accuracy across seeds%s</h2>" (Html.enc suffix))
        add "<figure class=\"figure\">"
        add (GenericChart.toChartHTML (accuracyBands settings p))
        add (sprintf "<figcaption>Mean test accuracy over seeds per cycle, with its %s bootstrap band, for each method.</figcaption></figure>" (percent p.Level))
        add "<h3>Methods compared</h3>"
        add (comparisonTable p)
        add (sprintf "<h2>Entropy, controls and accuracy%s</h2>" (Html.enc suffix))
        if p.Correlations.Length = 0 then
            add "<p>No method has measurements in every run: there is no entropy to correlate with accuracy.</p>"
        else
            add "<figure class=\"figure\">"
            add (GenericChart.toChartHTML (correlationStrips settings p))
            add "<figcaption>Each dot is one seed's Pearson r between a per-cycle quantity of the measured method and its LOWESS-smoothed accuracy. The controls are measured with the same n, widths and Φ: random Gaussian profiles, and the untrained network's profiles of the kept units. log(n) is the number of measurements alone.</figcaption></figure>"
            add "<figure class=\"figure\">"
            add (GenericChart.toChartHTML (partialStrips settings p))
            add "<figcaption>The same, given log(n): what each quantity says about accuracy beyond the number of measurements. A real effect of learning would put the entropy clearly above the controls.</figcaption></figure>"
            add "<h3>Every correlation</h3>"
            add ("<p>Means over seeds with " + percent p.Level + " bootstrap intervals. Grey rows are controls. The permutation p tests whether the quantity's seed-to-seed variation tracks accuracy beyond n: it permutes the quantity across seeds within each cycle.</p>")
            add (correlationTable p)
        add "<h3>Accuracy per cycle</h3>"
        add (accuracyTable p)
        if p.Notes.Length > 0 then
            add "<ul class=\"notes\">"
            for n in p.Notes do add ("<li>" + Html.enc n + "</li>")
            add "</ul>"
    add (sprintf "<p class=\"sub\">Per-run analysis: %s. Generated by Dtc; charts by Plotly.NET with plotly.js %s embedded (works offline).</p>"
             (Html.enc analysis.SettingsDescription) (Html.enc version))
    add "</body>\n</html>"
    sb.ToString()

/// <summary>Renders the sweep report and writes it atomically.</summary>
/// <param name="settings">Figure settings; <c>Figures.defaults</c>.</param>
/// <param name="path">The destination, e.g. <c>sweep-report.html</c>.</param>
/// <param name="analysis">The sweep's analysis.</param>
let write (settings: Figures.Settings) (path: string) (analysis: SweepAnalysis) : unit =
    if String.IsNullOrWhiteSpace path then invalidArg (nameof path) "Expecting a file path but received an empty one"
    Dtc.Runtime.AtomicFile.writeText path (render settings analysis)
