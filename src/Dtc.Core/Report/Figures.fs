/// <summary>
/// The paper's five figures and the measurement histograms as Plotly.NET charts, drawn from an
/// <see cref="T:Dtc.Entropy.Analysis.Analysis"/> (and, for the histograms, the raw measurement
/// vectors of the results): (1) accuracy against the fraction of neurons removed with LOWESS lines,
/// (2) the same at high sparsity (80–100 % removed, or the last third of a shorter run), (3) the
/// weight-ray statistic as a step plot, (4) and (5) the Gibbs entropies of y1 and y2, each with
/// \( \log n \) as a dashed reference, and (6) histograms of y1 and y2 at four sparsity levels.
/// Every method keeps one colour in every figure.
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

/// Pixels above the plot area (the title) and on its sides (the y axis title, the frame).
let private marginTop, marginLeft, marginRight = 70, 80, 30

/// Pixels the x axis needs below the plot area: tick labels, then its title.
let private axisBlock (settings: Settings) = int (3.2 * settings.FontSize + 14.0)

/// The rows plotly.js needs for a horizontal legend of these entries across the plot's width (its items are the
/// symbol, the text and a gap; the text's width estimated generously from the font size).
let private legendRows (settings: Settings) (entries: string list) =
    let width = float (settings.Width - marginLeft - marginRight)
    let item (name: string) = 0.6 * settings.FontSize * float name.Length + 46.0
    entries
    |> List.fold (fun (rows, used) name ->
        let w = item name
        if used > 0.0 && used + w > width then rows + 1, w else rows, used + w) (1, 0.0)
    |> fst

let private styleLayout (settings: Settings) (height: int) (title: string) (chart: GenericChart) =
    chart
    |> Chart.withTitle (title, TitleFont = Font.init (Size = settings.FontSize * 1.25))
    |> Chart.withSize (settings.Width, height)
    |> Chart.withLayoutStyle (
        Font = Font.init (Family = StyleParam.FontFamily.Custom settings.FontFamily, Size = settings.FontSize, Color = Color.fromString "#222"),
        PaperBGColor = Color.fromString "#ffffff",
        PlotBGColor = Color.fromString "#ffffff",
        Margin = Margin.init (Left = marginLeft, Right = marginRight, Top = marginTop, Bottom = axisBlock settings + 10))
    // No mode bar: it would sit over the plot's top right corner. Zoom (drag), pan and reset (double click) remain.
    |> Chart.withConfig (Config.init (Responsive = false, Displaylogo = false, DisplayModeBar = false))
    |> Chart.withDisplayOptions (DisplayOptions.init (PlotlyJSReference = PlotlyJSReference.NoReference))

/// A horizontal legend below the x axis title (never over it), the bottom margin sized to hold its rows so that
/// plotly.js need not shrink the plot to fit it.
let private legendBelow (settings: Settings) (height: int) (entries: string list) (chart: GenericChart) =
    if entries.IsEmpty then chart |> Chart.withLayoutStyle (ShowLegend = false)
    else
        let row = settings.FontSize * 1.5 + 4.0
        let axis = axisBlock settings
        let bottom = axis + int (ceil (float (legendRows settings entries) * row)) + 14
        let plotHeight = float (max 1 (height - marginTop - bottom))
        chart
        |> Chart.withLayoutStyle (Margin = Margin.init (Left = marginLeft, Right = marginRight, Top = marginTop, Bottom = bottom))
        |> Chart.withLegendStyle (Orientation = StyleParam.Orientation.Horizontal, X = 0.0, XAnchor = StyleParam.XAnchorPosition.Left,
                                  Y = -(float axis + 4.0) / plotHeight, YAnchor = StyleParam.YAnchorPosition.Top)

/// <summary>Styles a chart as the report's figures are: a title, framed axes with a light grid, a white
/// background, the settings' size and font, no mode bar, and the legend in rows below the x axis title.</summary>
/// <param name="settings">Width and fonts; <see cref="P:Dtc.Report.Figures.defaults"/>.</param>
/// <param name="height">Height in pixels (the legend's rows are taken from it, not added).</param>
/// <param name="title">The figure's title.</param>
/// <param name="xTitle">The x axis title.</param>
/// <param name="yTitle">The y axis title.</param>
/// <param name="legend">The names of the traces shown in the legend, in order (empty: no legend).</param>
/// <param name="chart">The chart, built with <c>UseDefaults = false</c>.</param>
/// <returns>The styled chart.</returns>
let style (settings: Settings) (height: int) (title: string) (xTitle: string) (yTitle: string) (legend: string list) (chart: GenericChart) : GenericChart =
    chart |> axes xTitle yTitle |> styleLayout settings height title |> legendBelow settings height legend

let private superscript (n: int) =
    let digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
    (if n < 0 then "⁻" else "") + String(string (abs n) |> Seq.map (fun c -> digits.[int c - int '0']) |> Seq.toArray)

/// <summary>Tick values and labels for a logarithmic axis over [lo, hi]: the powers of ten in the range, with
/// 2 and 5 times them as well when fewer than three powers fall in it (and every integer multiple when still
/// fewer than three ticks would). Labels are plain numbers from 0.001 to 10 000 (1, 10, 100, 0.02), else
/// powers of ten (10⁻⁴, 2×10⁻⁴): never plotly.js's bare minor digits.</summary>
/// <param name="lo">The lower end of the axis, &gt; 0.</param>
/// <param name="hi">The upper end of the axis, &gt;= lo.</param>
/// <returns>The tick values, increasing, and their labels.</returns>
/// <exception cref="T:System.ArgumentException">A range that is not positive and finite.</exception>
let logTicks (lo: float) (hi: float) : float[] * string[] =
    if not (Double.IsFinite lo && Double.IsFinite hi && lo > 0.0 && hi >= lo) then
        invalidArg (nameof lo) (sprintf "Expecting a positive finite range lo <= hi but received [%g, %g]" lo hi)
    let e0, e1 = int (floor (log10 lo)), int (ceil (log10 hi))
    let within (multipliers: float list) =
        [| for e in e0 .. e1 do
             for m in multipliers do
                 let v = m * Math.Pow(10.0, float e)
                 if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) then yield m, e, v |]
    let ticks =
        [ [ 1.0 ]; [ 1.0; 2.0; 5.0 ]; [ 1.0 .. 9.0 ] ]
        |> List.map within
        |> List.tryFind (fun t -> t.Length >= 3)
        |> Option.defaultWith (fun () -> within [ 1.0 .. 9.0 ])
    let label (m: float, e: int, v: float) =
        if e >= -3 && e <= 4 then v.ToString("0.####", Globalization.CultureInfo.InvariantCulture)
        elif m = 1.0 then "10" + superscript e
        else sprintf "%g×10%s" m (superscript e)
    ticks |> Array.map (fun (_, _, v) -> v), ticks |> Array.map label

/// <summary>Makes the y axis logarithmic, fitted to the positive finite values with a small margin, with the
/// ticks of <see cref="M:Dtc.Report.Figures.logTicks(System.Double,System.Double)"/>.</summary>
/// <param name="values">The values plotted on the y axis (others are ignored).</param>
/// <param name="chart">The chart.</param>
/// <returns>The chart with a log y axis (unchanged when no value is positive).</returns>
let withLogYAxis (values: float seq) (chart: GenericChart) : GenericChart =
    let positive = values |> Seq.filter (fun v -> Double.IsFinite v && v > 0.0) |> Seq.toArray
    if positive.Length = 0 then chart |> Chart.withYAxisStyle (AxisType = StyleParam.AxisType.Log)
    else
        let lo, hi = log10 (Array.min positive), log10 (Array.max positive)
        let pad = max 0.05 (0.05 * (hi - lo))
        let ticks, labels = logTicks (Math.Pow(10.0, lo - pad)) (Math.Pow(10.0, hi + pad))
        chart
        |> Chart.withYAxisStyle (AxisType = StyleParam.AxisType.Log)
        |> Chart.withYAxis (LinearAxis.init (Range = StyleParam.Range.MinMax(lo - pad, hi + pad), TickMode = StyleParam.TickMode.Array,
                                             TickVals = ticks, TickText = labels))

let private fractionTitle = "Fraction of hidden neurons removed (sparsity, 0–1)"

let internal emptyNote (settings: Settings) (text: string) =
    Chart.Point([ 0.5 ], [ 0.5 ], Opacity = 0.0, ShowLegend = false, UseDefaults = false)
    |> Chart.withAnnotations [ Annotation.init (X = 0.5, Y = 0.5, Text = text, ShowArrow = false, Font = Font.init (Size = settings.FontSize)) ]

/// <summary>The window of fractions removed that Fig. 2 shows: from 80 % (the paper's) when the run goes past
/// 90 %, else the last third of the run's span, so that a run that stops early still fills the figure.</summary>
/// <param name="analysis">The analysis of a run.</param>
/// <returns>The lower end and the largest fraction removed of any cycle; (0.8, 1.0) without cycles.</returns>
let zoomWindow (analysis: Analysis.Analysis) : float * float =
    let fractions =
        analysis.Methods |> Array.collect (fun m -> m.Cycles |> Array.map (fun c -> c.FractionRemoved)) |> Array.filter Double.IsFinite
    if fractions.Length = 0 then 0.8, 1.0
    else
        let lo, hi = Array.min fractions, Array.max fractions
        (if hi >= 0.9 then 0.8 else hi - (hi - lo) / 3.0), hi

let private percentText (x: float) = (100.0 * x).ToString("0.#", Globalization.CultureInfo.InvariantCulture)

let private accuracyChart (settings: Settings) (analysis: Analysis.Analysis) (zoom: bool) =
    let lo, hi = zoomWindow analysis
    let named =
        [ for m in analysis.Methods do
            let color = Color.fromString (methodColor m.Method)
            let keep = m.Cycles |> Array.filter (fun c -> not zoom || c.FractionRemoved >= lo - 1e-9)
            let x, y = finite (keep |> Array.map (fun c -> c.FractionRemoved)) (keep |> Array.map (fun c -> c.Accuracy))
            let xs, ys = finite (keep |> Array.map (fun c -> c.FractionRemoved)) (keep |> Array.map (fun c -> c.SmoothedAccuracy))
            if x.Length > 0 then
                let name = m.Method + " (measured)"
                yield name, Chart.Point(x, y, Name = name, Marker = TraceObjects.Marker.init (Color = color, Size = 8), Opacity = 0.75, UseDefaults = false)
            if xs.Length > 0 then
                let name = m.Method + " (LOWESS)"
                yield name, Chart.Line(xs, ys, Name = name, LineColor = color, LineWidth = 2.5, UseDefaults = false) ]
    let chart = if named.IsEmpty then emptyNote settings "No accuracy to plot" else Chart.combine (List.map snd named)
    let title =
        if zoom then sprintf "Fig. 2 — Test accuracy at high sparsity (%s–%s %% removed)" (percentText lo) (percentText hi)
        else "Fig. 1 — Test accuracy vs fraction of neurons removed"
    let yTitle =
        if analysis.AccuracyDefinition = "TestAccuracyBatchMean" then "Test accuracy (batch mean, 0–1)" else "Test accuracy (fraction correct)"
    let chart = style settings settings.Height title fractionTitle yTitle (List.map fst named) chart
    let pad = max 0.005 (0.03 * (hi - lo))
    if zoom && hi > lo then chart |> Chart.withXAxisStyle (MinMax = (lo - pad, hi + pad)) else chart

/// <summary>Fig. 1: test accuracy against the fraction of neurons removed, every method, measured
/// points (markers) and LOWESS-smoothed lines.</summary>
/// <param name="settings">Size and fonts; <see cref="P:Dtc.Report.Figures.defaults"/> is 1000 × 520, 15 pt.</param>
/// <param name="analysis">The analysis of a run.</param>
/// <returns>The chart.</returns>
let accuracy (settings: Settings) (analysis: Analysis.Analysis) : GenericChart = accuracyChart settings analysis false

/// <summary>Fig. 2: Fig. 1 restricted to high sparsity, where the methods part: the window of
/// <see cref="M:Dtc.Report.Figures.zoomWindow(Dtc.Entropy.Analysis.Analysis)"/> (80 % to the end for a run that
/// goes past 90 %), both axes fitted to the points in it.</summary>
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
    let named =
        [ for m in analysis.Methods do
            let x, y = finite (m.Cycles |> Array.map (fun c -> c.FractionRemoved)) (m.Cycles |> Array.map (fun c -> c.RayMeanAbsPerLength))
            if x.Length > 0 then
                let color = Color.fromString (methodColor m.Method)
                yield
                    (m.Method, y),
                    Chart.Line(x, y, Name = m.Method, ShowMarkers = true, MarkerColor = color,
                               Line = Line.init (Shape = StyleParam.Shape.Hv, Color = color, Width = 2.5), UseDefaults = false) ]
    let chart = if named.IsEmpty then emptyNote settings "No method recorded weight rays" else Chart.combine (List.map snd named)
    style settings settings.Height "Fig. 3 — Weight-ray absolute mean per length" fractionTitle "mean(|ray|) / len(ray) (weight units, log scale)"
        (named |> List.map (fst >> fst)) chart
    |> withLogYAxis (named |> Seq.collect (fst >> snd))

let private entropyChart (settings: Settings) (analysis: Analysis.Analysis) (y1: bool) =
    let unitName, logOf = if y1 then "bits", (fun n -> Math.Log2 n) else "nats", (fun n -> Math.Log n)
    let named =
        [ for m in analysis.Methods do
            if m.HasMeasurements then
                let color = Color.fromString (methodColor m.Method)
                let fr = m.Cycles |> Array.map (fun c -> c.FractionRemoved)
                let e = m.Cycles |> Array.map (fun c -> if y1 then c.EntropyY1 else c.EntropyY2)
                let x, y = finite fr e
                let name = sprintf "%s: entropy of %s" m.Method (if y1 then "y1" else "y2")
                yield name, Chart.Line(x, y, Name = name, ShowMarkers = true, LineColor = color, MarkerColor = color, LineWidth = 2.5, UseDefaults = false)
                let ln = m.Cycles |> Array.map (fun c -> if c.Measurements > 0 then logOf (float c.Measurements) else nan)
                let xn, yn = finite fr ln
                if xn.Length > 0 then
                    let name = sprintf "%s: log n (%s), n values in distinct bins" m.Method unitName
                    yield name, Chart.Line(xn, yn, Name = name, LineColor = color, LineDash = StyleParam.DrawingStyle.Dash, LineWidth = 1.5,
                                           Opacity = 0.7, UseDefaults = false) ]
    let which = if y1 then "y1 (previous layer, incoming)" else "y2 (next layer, outgoing)"
    let title = sprintf "Fig. %d — Gibbs entropy of the measurements %s" (if y1 then 4 else 5) which
    let chart = if named.IsEmpty then emptyNote settings "No method recorded measurements: no entropy" else Chart.combine (List.map snd named)
    style settings settings.Height title fractionTitle (sprintf "Gibbs entropy (%s)" unitName) (List.map fst named) chart

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
        |> style settings settings.Height title "" "" []
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
           (let lo, hi = zoomWindow analysis
            sprintf "The same, from %s %% to %s %% of the hidden neurons removed, where the methods differ." (percentText lo) (percentText hi))
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
