/// <summary>
/// The paper's five figures and the measurement histograms as Plotly.NET charts, drawn from an
/// <see cref="T:Dtc.Entropy.Analysis.Analysis"/> (and, for the histograms, the raw measurement
/// vectors of the results): (1) accuracy against the fraction of neurons removed with LOWESS lines,
/// (2) the same for 80–100 % removed, (3) the weight-ray statistic as a step plot, (4) and (5) the
/// Gibbs entropies of y1 and y2, each with \( \log n \) as a dashed reference, and (6) histograms of
/// y1 and y2 at four sparsity levels. Every method keeps one colour in every figure.
/// </summary>
module Dtc.Report.Figures

open System
open Plotly.NET
open Plotly.NET.LayoutObjects
open Dtc.Entropy
open Dtc.Training.Records

/// <summary>Settings of the figures.</summary>
type Settings =
    { /// <summary>Width of a figure in pixels; default 1000.</summary>
      Width: int
      /// <summary>Height of a figure in pixels; default 520 (histogram grids are taller).</summary>
      Height: int
      /// <summary>Base font size in points; default 15.</summary>
      FontSize: float
      /// <summary>CSS font family, a system font so that nothing is downloaded; default
      /// "Helvetica Neue, Helvetica, Arial, sans-serif".</summary>
      FontFamily: string }

/// <summary>The default settings: 1000 × 520 pixels, 15-point system sans-serif.</summary>
let defaults : Settings =
    { Width = 1000; Height = 520; FontSize = 15.0; FontFamily = "Helvetica Neue, Helvetica, Arial, sans-serif" }

/// <summary>The sparsity levels (fractions of neurons removed) whose cycles the histograms show.</summary>
let histogramLevels : float[] = [| 0.10; 0.50; 0.80; 0.95 |]

let private palette = [| "#8c564b"; "#9467bd"; "#e377c2"; "#7f7f7f"; "#bcbd22"; "#17becf" |]

/// <summary>The colour of a method, the same in every figure: magnitude blue, random orange, dtc (or
/// cs) green, other names a colour chosen from a fixed palette by the name.</summary>
/// <param name="methodName">The method's name.</param>
/// <returns>A CSS hex colour.</returns>
let methodColor (methodName: string) : string =
    match (if isNull methodName then "" else methodName.ToLowerInvariant()) with
    | "magnitude" -> "#1f77b4"
    | "random" -> "#ff7f0e"
    | "dtc"
    | "cs" -> "#2ca02c"
    | other -> palette.[(other |> Seq.sumBy int) % palette.Length]

let private finite (xs: float[]) (ys: float[]) =
    Array.zip xs ys |> Array.filter (fun (x, y) -> Double.IsFinite x && Double.IsFinite y) |> Array.unzip

// Plotly.NET's default template is slow to serialise (about a second per chart), so charts are
// built without it (UseDefaults = false) and styled here: white background, light grid, framed axes.
let private axes (xTitle: string) (yTitle: string) (chart: GenericChart) =
    let grid, frame = Color.fromString "#e3e3e3", Color.fromString "#555555"
    chart
    |> Chart.withXAxisStyle (TitleText = xTitle, ShowGrid = true, GridColor = grid, ZeroLine = false, ShowLine = true,
                             LineColor = frame, Mirror = StyleParam.Mirror.True)
    |> Chart.withYAxisStyle (TitleText = yTitle, ShowGrid = true, GridColor = grid, ZeroLine = false, ShowLine = true,
                             LineColor = frame, Mirror = StyleParam.Mirror.True)

let private styleLayout (settings: Settings) (height: int) (title: string) (chart: GenericChart) =
    chart
    |> Chart.withTitle (title, TitleFont = Font.init (Size = settings.FontSize * 1.25))
    |> Chart.withSize (settings.Width, height)
    |> Chart.withLayoutStyle (
        Font = Font.init (Family = StyleParam.FontFamily.Custom settings.FontFamily, Size = settings.FontSize, Color = Color.fromString "#222"),
        PaperBGColor = Color.fromString "#ffffff",
        PlotBGColor = Color.fromString "#ffffff",
        Margin = Margin.init (Left = 80, Right = 30, Top = 70, Bottom = 120))
    |> Chart.withLegendStyle (Orientation = StyleParam.Orientation.Horizontal, X = 0.0, Y = -0.2, YAnchor = StyleParam.YAnchorPosition.Top)
    |> Chart.withConfig (Config.init (Responsive = false, Displaylogo = false))
    |> Chart.withDisplayOptions (DisplayOptions.init (PlotlyJSReference = PlotlyJSReference.NoReference))

let internal style (settings: Settings) (height: int) (title: string) (xTitle: string) (yTitle: string) (chart: GenericChart) =
    chart |> axes xTitle yTitle |> styleLayout settings height title

let private fractionTitle = "Fraction of hidden neurons removed (sparsity, 0–1)"

let internal emptyNote (settings: Settings) (text: string) =
    Chart.Point([ 0.5 ], [ 0.5 ], Opacity = 0.0, ShowLegend = false, UseDefaults = false)
    |> Chart.withAnnotations [ Annotation.init (X = 0.5, Y = 0.5, Text = text, ShowArrow = false, Font = Font.init (Size = settings.FontSize)) ]

let private accuracyChart (settings: Settings) (analysis: Analysis.Analysis) (zoom: bool) =
    let traces =
        [ for m in analysis.Methods do
            let color = Color.fromString (methodColor m.Method)
            let keep = m.Cycles |> Array.filter (fun c -> not zoom || c.FractionRemoved >= 0.8)
            let x, y = finite (keep |> Array.map (fun c -> c.FractionRemoved)) (keep |> Array.map (fun c -> c.Accuracy))
            let xs, ys = finite (keep |> Array.map (fun c -> c.FractionRemoved)) (keep |> Array.map (fun c -> c.SmoothedAccuracy))
            if x.Length > 0 then
                yield Chart.Point(x, y, Name = m.Method + " (measured)", Marker = TraceObjects.Marker.init (Color = color, Size = 8), Opacity = 0.75, UseDefaults = false)
            if xs.Length > 0 then
                yield Chart.Line(xs, ys, Name = m.Method + " (LOWESS)", LineColor = color, LineWidth = 2.5, UseDefaults = false) ]
    let chart = if traces.IsEmpty then emptyNote settings "No accuracy to plot" else Chart.combine traces
    let title =
        if zoom then "Fig. 2 — Test accuracy at high sparsity (80–100 % removed)"
        else "Fig. 1 — Test accuracy vs fraction of neurons removed"
    let yTitle =
        if analysis.AccuracyDefinition = "TestAccuracyBatchMean" then "Test accuracy (batch mean, 0–1)" else "Test accuracy (fraction correct)"
    let chart = style settings settings.Height title fractionTitle yTitle chart
    if zoom then chart |> Chart.withXAxisStyle (MinMax = (0.8, 1.0)) else chart

/// <summary>Fig. 1: test accuracy against the fraction of neurons removed, every method, measured
/// points (markers) and LOWESS-smoothed lines.</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt.</param>
/// <param name="analysis">The analysis of a run.</param>
/// <returns>The chart.</returns>
let accuracy (settings: Settings) (analysis: Analysis.Analysis) : GenericChart = accuracyChart settings analysis false

/// <summary>Fig. 2: Fig. 1 restricted to 80–100 % of neurons removed, where the methods part.</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt.</param>
/// <param name="analysis">The analysis of a run.</param>
/// <returns>The chart.</returns>
let accuracyZoom (settings: Settings) (analysis: Analysis.Analysis) : GenericChart = accuracyChart settings analysis true

/// <summary>Fig. 3: the weight-ray statistic mean(|ray|)/len(ray) against the fraction removed as a
/// step plot (line shape hv), for every method with a ray; logarithmic y axis, because the
/// statistic grows as the layer shrinks.</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt.</param>
/// <param name="analysis">The analysis of a run.</param>
/// <returns>The chart.</returns>
let weightRays (settings: Settings) (analysis: Analysis.Analysis) : GenericChart =
    let traces =
        [ for m in analysis.Methods do
            let x, y = finite (m.Cycles |> Array.map (fun c -> c.FractionRemoved)) (m.Cycles |> Array.map (fun c -> c.RayMeanAbsPerLength))
            if x.Length > 0 then
                let color = Color.fromString (methodColor m.Method)
                yield
                    Chart.Line(x, y, Name = m.Method, ShowMarkers = true, MarkerColor = color,
                               Line = Line.init (Shape = StyleParam.Shape.Hv, Color = color, Width = 2.5), UseDefaults = false) ]
    let chart = if traces.IsEmpty then emptyNote settings "No method recorded weight rays" else Chart.combine traces
    style settings settings.Height "Fig. 3 — Weight-ray absolute mean per length" fractionTitle "mean(|ray|) / len(ray) (weight units, log scale)" chart
    |> Chart.withYAxisStyle (AxisType = StyleParam.AxisType.Log)

let private entropyChart (settings: Settings) (analysis: Analysis.Analysis) (y1: bool) =
    let unitName, logOf = if y1 then "bits", (fun n -> Math.Log2 n) else "nats", (fun n -> Math.Log n)
    let traces =
        [ for m in analysis.Methods do
            if m.HasMeasurements then
                let color = Color.fromString (methodColor m.Method)
                let fr = m.Cycles |> Array.map (fun c -> c.FractionRemoved)
                let e = m.Cycles |> Array.map (fun c -> if y1 then c.EntropyY1 else c.EntropyY2)
                let x, y = finite fr e
                yield Chart.Line(x, y, Name = sprintf "%s: entropy of %s" m.Method (if y1 then "y1" else "y2"), ShowMarkers = true,
                                 LineColor = color, MarkerColor = color, LineWidth = 2.5, UseDefaults = false)
                let ln = m.Cycles |> Array.map (fun c -> if c.Measurements > 0 then logOf (float c.Measurements) else nan)
                let xn, yn = finite fr ln
                if xn.Length > 0 then
                    yield Chart.Line(xn, yn, Name = sprintf "%s: log n (%s), n values in distinct bins" m.Method unitName,
                                     LineColor = color, LineDash = StyleParam.DrawingStyle.Dash, LineWidth = 1.5, Opacity = 0.7, UseDefaults = false) ]
    let which = if y1 then "y1 (previous layer, incoming)" else "y2 (next layer, outgoing)"
    let title = sprintf "Fig. %d — Gibbs entropy of the measurements %s" (if y1 then 4 else 5) which
    let chart = if traces.IsEmpty then emptyNote settings "No method recorded measurements: no entropy" else Chart.combine traces
    style settings settings.Height title fractionTitle (sprintf "Gibbs entropy (%s)" unitName) chart

/// <summary>Fig. 4: the Gibbs entropy of y1 against the fraction removed for every method with
/// measurements, with \( \log_2 n \) dashed (the entropy of n values that all fall in distinct bins).</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt.</param>
/// <param name="analysis">The analysis of a run (entropy in the units of its settings; the paper's y1 is in bits).</param>
/// <returns>The chart.</returns>
let entropyY1 (settings: Settings) (analysis: Analysis.Analysis) : GenericChart = entropyChart settings analysis true

/// <summary>Fig. 5: the Gibbs entropy of y2 against the fraction removed for every method with
/// measurements, with \( \ln n \) dashed.</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt.</param>
/// <param name="analysis">The analysis of a run (entropy in the units of its settings; the paper's y2 is in nats).</param>
/// <returns>The chart.</returns>
let entropyY2 (settings: Settings) (analysis: Analysis.Analysis) : GenericChart = entropyChart settings analysis false

let private nearestCycles (run: MethodRun) =
    let cycles = if isNull run.Cycles then [||] else run.Cycles |> Array.filter (fun c -> Double.IsFinite c.FractionRemoved)
    if cycles.Length = 0 then [||]
    else
        histogramLevels
        |> Array.map (fun t -> cycles |> Array.minBy (fun c -> abs (c.FractionRemoved - t)))
        |> Array.distinctBy (fun c -> c.Cycle)

/// <summary>Fig. 6: histograms (probability per bin) of the measurement values y1 (top row) and y2
/// (bottom row) of one method at the cycles nearest 10, 50, 80 and 95 % of neurons removed.</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt (the grid is 1.4 times as tall).</param>
/// <param name="layer">The hidden layer whose measurements are shown (the paper's: 0).</param>
/// <param name="run">The method's cycles, with measurements.</param>
/// <returns>The chart (a note when the method has no measurements in that layer).</returns>
let histograms (settings: Settings) (layer: int) (run: MethodRun) : GenericChart =
    let cycles = nearestCycles run
    let values (c: CycleRecord) (y1: bool) =
        if isNull c.Layers then [||]
        else
            match c.Layers |> Array.tryFind (fun l -> l.Layer = layer) with
            | Some l -> (if y1 then l.Y1 else l.Y2) |> fun v -> if isNull v then [||] else v |> Array.filter Double.IsFinite
            | None -> [||]
    let height = int (float settings.Height * 1.4)
    let title = sprintf "Fig. 6 — Histograms of the measurements of %s (probability per bin)" run.Method
    if cycles.Length = 0 || cycles |> Array.forall (fun c -> (values c true).Length = 0 && (values c false).Length = 0) then
        emptyNote settings (sprintf "%s recorded no measurements in hidden layer %d" run.Method layer)
        |> style settings settings.Height title "" ""
    else
        let color = Color.fromString (methodColor run.Method)
        let cell (c: CycleRecord) (y1: bool) =
            let v = values c y1
            let name = if y1 then "y1" else "y2"
            let chart =
                if v.Length = 0 then Chart.Point([ 0.0 ], [ 0.0 ], Opacity = 0.0, ShowLegend = false, UseDefaults = false)
                else
                    Chart.Histogram(X = v, HistNorm = StyleParam.HistNorm.Probability, Name = name, ShowLegend = false,
                                    MarkerColor = color, Opacity = (if y1 then 0.6 else 0.9), UseDefaults = false)
            chart |> axes (sprintf "%s value (n = %d)" name v.Length) (if c.Cycle = cycles.[0].Cycle then "probability" else "")
        let titles =
            [ for y1 in [ true; false ] do
                for c in cycles -> sprintf "%s, cycle %d, %.1f %% removed" (if y1 then "y1" else "y2") c.Cycle (100.0 * c.FractionRemoved) ]
        [ for y1 in [ true; false ] do for c in cycles -> cell c y1 ]
        |> Chart.Grid(2, cycles.Length, SubPlotTitles = titles, SubPlotTitleFont = Font.init (Size = settings.FontSize * 0.9), XGap = 0.25, YGap = 0.45)
        |> styleLayout settings height title
        |> Chart.withLayoutStyle (Margin = Margin.init (Left = 70, Right = 30, Top = 100, Bottom = 70))

/// <summary>A figure of the report: an identifier for its HTML container, a title and a caption.</summary>
type Figure =
    { /// <summary>Identifier of the figure's container in the HTML page (e.g. "fig-accuracy").</summary>
      Id: string
      /// <summary>Short title.</summary>
      Title: string
      /// <summary>What the figure shows and how to read it.</summary>
      Caption: string
      /// <summary>The chart.</summary>
      Chart: GenericChart }

/// <summary>All figures of a report: the paper's five, then one histogram grid per method with measurements.</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt.</param>
/// <param name="analysis">The analysis of the run.</param>
/// <param name="results">The results the analysis was made from (for the measurement values of the histograms).</param>
/// <returns>The figures in page order.</returns>
let all (settings: Settings) (analysis: Analysis.Analysis) (results: Results) : Figure[] =
    let figure id title caption chart = { Id = id; Title = title; Caption = caption; Chart = chart }
    [| figure "fig-accuracy" "Accuracy"
           "Test accuracy of the compressed model after each compress-train cycle (markers) and its LOWESS smoothing (lines), for every method."
           (accuracy settings analysis)
       figure "fig-accuracy-zoom" "Accuracy at high sparsity"
           "The same, from 80 % to 100 % of the hidden neurons removed, where the methods differ."
           (accuracyZoom settings analysis)
       figure "fig-weight-rays" "Weight rays"
           "mean(|ray|)/len(ray) of each cycle's scored vector (for DTC the weight ray s1 + s2), as a step plot."
           (weightRays settings analysis)
       figure "fig-entropy-y1" "Entropy of y1"
           "Gibbs entropy of the measurements of the incoming profile per cycle. Dashed: log n, the entropy n values would have if each fell in its own bin; a missing point is a NaN entropy (every value outside the bins)."
           (entropyY1 settings analysis)
       figure "fig-entropy-y2" "Entropy of y2"
           "Gibbs entropy of the measurements of the outgoing profile per cycle; dashed: log n. The proposition correlates this curve with the accuracy curves of Fig. 1."
           (entropyY2 settings analysis)
       for run in results.Methods do
           let m = analysis.Methods |> Array.tryFind (fun a -> a.Method = run.Method)
           if m |> Option.exists (fun m -> m.HasMeasurements) then
               figure ("fig-histograms-" + run.Method) ("Measurement histograms (" + run.Method + ")")
                   "Distribution of the measurement values y1 and y2 at four sparsity levels (plotly's automatic bins, for readability; the entropy uses the fixed bins of the settings)."
                   (histograms settings analysis.Layer run) |]
