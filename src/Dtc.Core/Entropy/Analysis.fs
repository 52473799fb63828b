/// <summary>
/// The analysis of a compress-train run, as a pure function of its <c>results.json</c>: per method
/// and cycle the fraction of neurons removed, the test accuracy and its LOWESS smoothing, the Gibbs
/// entropies of the measurement vectors y1 and y2 and the number of measurements; then the paper's
/// correlations of entropy with the smoothed accuracy, together with the control the paper lacks —
/// the same correlations for \( \log n \) (the number of measurements shrinks every cycle, and the
/// entropy of \( n \) values in distinct bins is exactly \( \log n \)) and the partial correlation
/// of entropy with accuracy given \( \log n \).
/// </summary>
module Dtc.Entropy.Analysis

open System
open System.Globalization
open System.IO
open System.Text
open System.Text.Json
open Dtc.Statistics
open Dtc.Training.Records

/// <summary>Which test accuracy of a cycle record the analysis uses.</summary>
type AccuracySource =
    /// <summary><c>TestAccuracy</c>: correct / total over the whole test set (the default).</summary>
    | Exact
    /// <summary><c>TestAccuracyBatchMean</c>: the mean of per-batch accuracies, the supplement's definition.</summary>
    | BatchMean

/// <summary>Settings of the analysis.</summary>
type Settings =
    { /// <summary>Gibbs entropy of the previous-layer measurements y1; default the paper's bins in bits,
      /// <c>{ Gibbs.paper with Base = Gibbs.Bits }</c>.</summary>
      Y1: Gibbs.Settings
      /// <summary>Gibbs entropy of the next-layer measurements y2; default <c>Gibbs.paper</c> (bins −50..50 by 0.2, nats).</summary>
      Y2: Gibbs.Settings
      /// <summary>LOWESS smoothing of the accuracy against the fraction removed; default <c>Lowess.defaults</c> (frac 0.3, 3 iterations).</summary>
      Lowess: Lowess.Settings
      /// <summary>Index of the hidden layer whose measurements are analysed; default 0.</summary>
      Layer: int
      /// <summary>Which accuracy to use; default <c>Exact</c>.</summary>
      Accuracy: AccuracySource }

/// <summary>The default settings: the paper's (y1 in bits, y2 in nats over bins −50..50 by 0.2; LOWESS
/// frac 0.3, 3 iterations; hidden layer 0), with the exact test accuracy.</summary>
let defaults : Settings =
    { Y1 = { Gibbs.paper with Base = Gibbs.Bits }
      Y2 = Gibbs.paper
      Lowess = Lowess.defaults
      Layer = 0
      Accuracy = Exact }

/// <summary>The paper's settings: <see cref="P:Dtc.Entropy.Analysis.defaults"/> with the supplement's
/// batch-mean accuracy.</summary>
let paper : Settings = { defaults with Accuracy = BatchMean }

/// <summary>One cycle of one method, as analysed.</summary>
type CycleAnalysis =
    { /// <summary>Cycle number, from 1.</summary>
      Cycle: int
      /// <summary>Fraction of the initial hidden units removed so far.</summary>
      FractionRemoved: float
      /// <summary>The test accuracy used (see <c>MethodAnalysis.AccuracyDefinition</c>).</summary>
      Accuracy: float
      /// <summary>LOWESS-smoothed accuracy against the fraction removed, at this cycle (NaN where the accuracy is NaN).</summary>
      SmoothedAccuracy: float
      /// <summary>Gibbs entropy of y1 (NaN without measurements or when every value falls outside the bins).</summary>
      EntropyY1: float
      /// <summary>Gibbs entropy of y2 (NaN without measurements or when every value falls outside the bins).</summary>
      EntropyY2: float
      /// <summary>Number of measurements per profile (0 without sensing).</summary>
      Measurements: int
      /// <summary>\( \ln n \) of the number of measurements (NaN when there are none).</summary>
      LogMeasurements: float
      /// <summary>The weight-ray statistic mean(|ray|)/len(ray) of the analysed layer (NaN without a ray).</summary>
      RayMeanAbsPerLength: float }

/// <summary>All cycles of one method, as analysed.</summary>
type MethodAnalysis =
    { /// <summary>The method's name as in the results file.</summary>
      Method: string
      /// <summary>True when at least one cycle has measurements y1 or y2 in the analysed layer.</summary>
      HasMeasurements: bool
      /// <summary>The cycles in order.</summary>
      Cycles: CycleAnalysis[] }

/// <summary>One correlation of a per-cycle quantity of an entropy source with an accuracy curve.</summary>
type CorrelationRow =
    { /// <summary>The method whose measurements give the quantity (e.g. "dtc").</summary>
      Source: string
      /// <summary>The method whose smoothed accuracy is the other variable.</summary>
      Curve: string
      /// <summary>"entropy(y1)", "entropy(y2)" or "log(n)".</summary>
      Quantity: string
      /// <summary>Pearson correlation over the cycles where both are defined (pairwise complete).</summary>
      Pearson: Correlation.Estimate
      /// <summary>Spearman correlation over the same pairs.</summary>
      Spearman: Correlation.Estimate
      /// <summary>Partial (Pearson) correlation given \( \ln n \), over the cycles where all three are
      /// defined; NaN for the log(n) row itself.</summary>
      PartialGivenLogN: Correlation.Estimate
      /// <summary>Why an estimate is NaN, or empty.</summary>
      Note: string }

/// <summary>The accuracy of one method near a given fraction of neurons removed.</summary>
type AccuracyPoint =
    { /// <summary>The method.</summary>
      Method: string
      /// <summary>The fraction asked for (e.g. 0.8).</summary>
      Target: float
      /// <summary>The cycle whose fraction removed is nearest to the target (0 when there are no cycles).</summary>
      Cycle: int
      /// <summary>That cycle's fraction removed (NaN when there are no cycles).</summary>
      FractionRemoved: float
      /// <summary>That cycle's accuracy.</summary>
      Accuracy: float
      /// <summary>That cycle's smoothed accuracy.</summary>
      SmoothedAccuracy: float }

/// <summary>The whole analysis of a results file.</summary>
type Analysis =
    { /// <summary>Schema version of the analysis ("1").</summary>
      Schema: string
      /// <summary>"TestAccuracy" or "TestAccuracyBatchMean".</summary>
      AccuracyDefinition: string
      /// <summary>The analysed hidden layer.</summary>
      Layer: int
      /// <summary>The settings in words (bins, bases, LOWESS).</summary>
      SettingsDescription: string
      /// <summary>One entry per method, in the order of the results file.</summary>
      Methods: MethodAnalysis[]
      /// <summary>For every source with measurements, every curve with as many cycles, and each of
      /// entropy(y1), entropy(y2), log(n).</summary>
      Correlations: CorrelationRow[]
      /// <summary>Accuracy near 10 %, 80 % and 98.2 % of neurons removed, per method.</summary>
      AccuracyTable: AccuracyPoint[]
      /// <summary>Remarks on the data (missing accuracies, missing measurements, …).</summary>
      Notes: string[] }

/// <summary>The fractions of neurons removed at which the accuracy table reports each method: the
/// paper's 10 %, 80 % and 98.2 % (its last cycle, 9 of 512 units left).</summary>
let accuracyTargets : float[] = [| 0.10; 0.80; 0.982 |]

let private nanEstimate n : Correlation.Estimate = { Coefficient = nan; PValue = nan; N = n }

let private describeGibbs (s: Gibbs.Settings) =
    let bins =
        match s.Bins with
        | Gibbs.Range(lo, hi, w) -> sprintf "arange(%g, %g, %g)" lo hi w
        | Gibbs.Explicit e -> sprintf "%d explicit edges" e.Length
        | Gibbs.Adaptive r -> sprintf "adaptive (%A)" r
    let b =
        match s.Base with
        | Gibbs.Bits -> "bits"
        | Gibbs.Nats -> "nats"
        | Gibbs.Base b -> sprintf "log base %g" b
    sprintf "%s, %s" bins b

let private layerOf (layer: int) (c: CycleRecord) =
    if isNull c.Layers then None else c.Layers |> Array.tryFind (fun l -> l.Layer = layer)

let private nonEmpty (v: float[]) = not (isNull v) && v.Length > 0

let private entropyOf (settings: Gibbs.Settings) (v: float[]) =
    if nonEmpty v then Gibbs.entropy settings v else nan

let private analyseMethod (settings: Settings) (m: MethodRun) : MethodAnalysis =
    let cycles = if isNull m.Cycles then [||] else m.Cycles
    let accuracy =
        cycles |> Array.map (fun c -> match settings.Accuracy with Exact -> c.TestAccuracy | BatchMean -> c.TestAccuracyBatchMean)
    let fractions = cycles |> Array.map (fun c -> c.FractionRemoved)
    let finite = Array.map2 (fun x y -> Double.IsFinite x && Double.IsFinite y) fractions accuracy
    let smoothed =
        if finite |> Array.filter id |> Array.length < 2 then Array.create cycles.Length nan
        else Lowess.fit settings.Lowess fractions accuracy
    let rows =
        cycles
        |> Array.mapi (fun i c ->
            let layer = layerOf settings.Layer c
            let y1 = layer |> Option.map (fun l -> l.Y1) |> Option.defaultValue [||]
            let y2 = layer |> Option.map (fun l -> l.Y2) |> Option.defaultValue [||]
            let n =
                match layer with
                | Some l when l.Measurements > 0 -> l.Measurements
                | _ -> max (if isNull y1 then 0 else y1.Length) (if isNull y2 then 0 else y2.Length)
            let ray =
                match layer with
                | Some l when Double.IsFinite l.RayMeanAbsPerLength -> l.RayMeanAbsPerLength
                | Some l when nonEmpty l.Ray -> (l.Ray |> Array.averageBy abs) / float l.Ray.Length
                | _ -> nan
            ({ Cycle = c.Cycle
               FractionRemoved = c.FractionRemoved
               Accuracy = accuracy.[i]
               SmoothedAccuracy = if finite.[i] then smoothed.[i] else nan
               EntropyY1 = entropyOf settings.Y1 y1
               EntropyY2 = entropyOf settings.Y2 y2
               Measurements = n
               LogMeasurements = if n > 0 then log (float n) else nan
               RayMeanAbsPerLength = ray } : CycleAnalysis))
    let has =
        cycles |> Array.exists (fun c ->
            match layerOf settings.Layer c with
            | Some l -> nonEmpty l.Y1 || nonEmpty l.Y2
            | None -> false)
    ({ Method = m.Method; HasMeasurements = has; Cycles = rows } : MethodAnalysis)

let private tieRound (v: float) =
    if v = 0.0 || not (Double.IsFinite v) then v
    else Double.Parse(v.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)

/// <summary>Pearson and Spearman correlations over the pairs where both values are finite; NaN
/// estimates (with the number of complete pairs as N) when fewer than three pairs remain or a
/// variable is constant over them. Spearman ranks the values rounded to 12 significant digits, so
/// that mathematically equal values reached along different floating-point paths (an entropy of
/// \( \log_2 9 \) is 3.169925001442312 or 3.1699250014423126) tie.</summary>
/// <param name="x">The first variable.</param>
/// <param name="y">The second variable, same length.</param>
/// <returns>The Pearson estimate, the Spearman estimate and a note (empty, or why they are NaN).</returns>
let correlate (x: float[]) (y: float[]) : Correlation.Estimate * Correlation.Estimate * string =
    if isNull x then nullArg (nameof x)
    if isNull y then nullArg (nameof y)
    if x.Length <> y.Length then
        invalidArg (nameof y) (sprintf "Expecting y of the same length as x (%d) but received %d" x.Length y.Length)
    let keep = [| for i in 0 .. x.Length - 1 do if Double.IsFinite x.[i] && Double.IsFinite y.[i] then yield i |]
    let xs, ys = keep |> Array.map (fun i -> x.[i]), keep |> Array.map (fun i -> y.[i])
    if keep.Length < 3 then
        nanEstimate keep.Length, nanEstimate keep.Length, sprintf "%d complete pairs (at least 3 needed)" keep.Length
    else
        let p, s = Correlation.pearson xs ys, Correlation.spearman (Array.map tieRound xs) (Array.map tieRound ys)
        let note = if Double.IsNaN p.Coefficient then "a variable is constant over the complete pairs" else ""
        p, s, note

/// <summary>The partial correlation of x and y given z (one covariate, with an intercept), over the
/// cycles where all three are finite; NaN (with the number of complete rows as N) when fewer than
/// four rows remain or z is constant over them.</summary>
/// <param name="x">The first variable.</param>
/// <param name="y">The second variable, same length.</param>
/// <param name="z">The covariate, same length.</param>
/// <returns>The estimate (p-value from a t test with N − 3 degrees of freedom) and a note (empty, or why it is NaN).</returns>
let partialGiven (x: float[]) (y: float[]) (z: float[]) : Correlation.Estimate * string =
    if isNull x then nullArg (nameof x)
    if isNull y then nullArg (nameof y)
    if isNull z then nullArg (nameof z)
    if x.Length <> y.Length || x.Length <> z.Length then
        invalidArg (nameof z) (sprintf "Expecting x, y and z of one length but received %d, %d and %d" x.Length y.Length z.Length)
    let keep =
        [| for i in 0 .. x.Length - 1 do
             if Double.IsFinite x.[i] && Double.IsFinite y.[i] && Double.IsFinite z.[i] then yield i |]
    if keep.Length < 4 then nanEstimate keep.Length, sprintf "%d complete rows (at least 4 needed)" keep.Length
    else
        let zs = keep |> Array.map (fun i -> z.[i])
        if zs |> Array.forall (fun v -> v = zs.[0]) then nanEstimate keep.Length, "the covariate log(n) is constant"
        else
            let e =
                Correlation.partial (keep |> Array.map (fun i -> x.[i])) (keep |> Array.map (fun i -> y.[i]))
                    (Array2D.init keep.Length 1 (fun r _ -> zs.[r]))
            e, (if Double.IsNaN e.Coefficient then "a residual is constant" else "")

let private correlations (methods: MethodAnalysis[]) =
    [| for source in methods do
         if source.HasMeasurements then
             let logn = source.Cycles |> Array.map (fun c -> c.LogMeasurements)
             for curve in methods do
                 if curve.Cycles.Length = source.Cycles.Length then
                     let smooth = curve.Cycles |> Array.map (fun c -> c.SmoothedAccuracy)
                     for quantity, values in
                         [ "entropy(y1)", source.Cycles |> Array.map (fun c -> c.EntropyY1)
                           "entropy(y2)", source.Cycles |> Array.map (fun c -> c.EntropyY2)
                           "log(n)", logn ] do
                         let p, s, note = correlate values smooth
                         let partial, partialNote =
                             if quantity = "log(n)" then nanEstimate 0, ""
                             else partialGiven values smooth logn
                         let notes = [ note; (if partialNote = "" then "" else "partial: " + partialNote) ] |> List.filter ((<>) "")
                         yield
                             { Source = source.Method
                               Curve = curve.Method
                               Quantity = quantity
                               Pearson = p
                               Spearman = s
                               PartialGivenLogN = partial
                               Note = String.Join("; ", notes) } |]

/// <summary>The cycle of a method whose fraction removed is nearest a target (the first on ties).</summary>
/// <param name="target">The fraction of neurons removed, e.g. 0.8.</param>
/// <param name="m">The analysed method.</param>
/// <returns>The cycle, or None when the method has no cycle with a finite fraction removed.</returns>
let nearestCycle (target: float) (m: MethodAnalysis) : CycleAnalysis option =
    m.Cycles
    |> Array.filter (fun c -> Double.IsFinite c.FractionRemoved)
    |> Array.sortBy (fun c -> abs (c.FractionRemoved - target))
    |> Array.tryHead

let private accuracyPoint (target: float) (m: MethodAnalysis) =
    match nearestCycle target m with
    | Some c ->
        { Method = m.Method; Target = target; Cycle = c.Cycle; FractionRemoved = c.FractionRemoved
          Accuracy = c.Accuracy; SmoothedAccuracy = c.SmoothedAccuracy }
    | None ->
        { Method = m.Method; Target = target; Cycle = 0; FractionRemoved = nan; Accuracy = nan; SmoothedAccuracy = nan }

/// <summary>Analyses a run: a pure function of its results, so that a saved <c>results.json</c> (also
/// one written by another tool in the same schema) can be analysed again without training.</summary>
/// <param name="settings">The settings; <see cref="P:Dtc.Entropy.Analysis.defaults"/> uses the paper's
/// bins (y1 bits, y2 nats), LOWESS frac 0.3 with 3 iterations, hidden layer 0 and the exact test
/// accuracy; <see cref="P:Dtc.Entropy.Analysis.paper"/> uses the supplement's batch-mean accuracy.</param>
/// <param name="results">The results of a run.</param>
/// <returns>Per-method cycles, the correlation table (with the log(n) control and partial
/// correlations), the accuracy table and notes.</returns>
/// <example><code>
/// let analysis = Records.ofJson (File.ReadAllText "results.json") |> Analysis.analyze Analysis.defaults
/// printfn "%s" (Analysis.toMarkdown analysis)
/// </code></example>
let analyze (settings: Settings) (results: Results) : Analysis =
    if isNull (box results) || isNull results.Methods then
        invalidArg (nameof results) "Expecting results with a methods array but received none"
    if settings.Layer < 0 then
        invalidArg (nameof settings) (sprintf "Expecting a hidden layer index >= 0 but received %d" settings.Layer)
    let methods = results.Methods |> Array.map (analyseMethod settings)
    let definition = match settings.Accuracy with Exact -> "TestAccuracy" | BatchMean -> "TestAccuracyBatchMean"
    let notes =
        [| for m in methods do
               let missing = m.Cycles |> Array.filter (fun c -> not (Double.IsFinite c.Accuracy)) |> Array.length
               if missing > 0 then
                   yield sprintf "%s: %s is not finite in %d of %d cycles" m.Method definition missing m.Cycles.Length
               for c in m.Cycles do
                   if m.HasMeasurements && c.Measurements > 0 && Double.IsNaN c.EntropyY1 then
                       yield sprintf "%s, cycle %d: entropy(y1) is NaN (every value of y1 lies outside the bins)" m.Method c.Cycle
                   if m.HasMeasurements && c.Measurements > 0 && Double.IsNaN c.EntropyY2 then
                       yield sprintf "%s, cycle %d: entropy(y2) is NaN (every value of y2 lies outside the bins)" m.Method c.Cycle
           if not (methods |> Array.exists (fun m -> m.HasMeasurements)) then
               yield sprintf "no method has measurements in hidden layer %d: there is no entropy to correlate" settings.Layer |]
    { Schema = "1"
      AccuracyDefinition = definition
      Layer = settings.Layer
      SettingsDescription =
        sprintf "y1: %s; y2: %s; LOWESS frac %g, %d iterations, delta %g; hidden layer %d; accuracy %s"
            (describeGibbs settings.Y1) (describeGibbs settings.Y2) settings.Lowess.Frac settings.Lowess.Iterations
            settings.Lowess.Delta settings.Layer definition
      Methods = methods
      Correlations = correlations methods
      AccuracyTable = [| for m in methods do for t in accuracyTargets -> accuracyPoint t m |]
      Notes = notes }

/// <summary>Serialises an analysis to JSON (the options of results files: camelCase, indented, NaN as "NaN").</summary>
/// <param name="analysis">The analysis.</param>
/// <returns>Indented JSON.</returns>
let toJson (analysis: Analysis) : string = JsonSerializer.Serialize(analysis, jsonOptions)

/// <summary>Parses an analysis from JSON written by <see cref="M:Dtc.Entropy.Analysis.toJson(Dtc.Entropy.Analysis.Analysis)"/>.</summary>
/// <param name="json">The JSON text.</param>
/// <returns>The analysis.</returns>
let ofJson (json: string) : Analysis =
    let a =
        try JsonSerializer.Deserialize<Analysis>(json, jsonOptions)
        with :? JsonException as e -> raise (InvalidDataException(sprintf "Expecting a Dtc analysis (schema 1) but the JSON is invalid: %s" e.Message, e))
    if isNull (box a) || isNull a.Methods || isNull a.Correlations then
        raise (InvalidDataException "Expecting a Dtc analysis with \"methods\" and \"correlations\" arrays but received none")
    a

/// <summary>Reads an analysis from a JSON file; a file that is not an analysis is reported with its path.</summary>
/// <param name="path">The file.</param>
/// <returns>The analysis.</returns>
/// <exception cref="T:System.IO.InvalidDataException">The file is not a Dtc analysis (the message names it).</exception>
/// <exception cref="T:System.IO.FileNotFoundException">The file does not exist.</exception>
let read (path: string) : Analysis = readFileWith ofJson path

let private inv (format: string) (x: float) =
    if Double.IsNaN x then "NaN" else x.ToString(format, CultureInfo.InvariantCulture)

let private pText (p: float) =
    if Double.IsNaN p then "NaN"
    elif p < 1e-4 then p.ToString("0.0e0", CultureInfo.InvariantCulture)
    else p.ToString("0.0000", CultureInfo.InvariantCulture)

/// <summary>Formats an estimate as "r (p = …, N = …)" with three decimals.</summary>
/// <param name="e">The estimate.</param>
/// <returns>Text such as <c>0.917 (p = 2.4e-14, N = 34)</c>, or <c>NaN (N = 0)</c>.</returns>
let formatEstimate (e: Correlation.Estimate) : string =
    if Double.IsNaN e.Coefficient then sprintf "NaN (N = %d)" e.N
    else sprintf "%s (p = %s, N = %d)" (inv "0.000" e.Coefficient) (pText e.PValue) e.N

/// <summary>The columns of the accuracy table: one per target of <see cref="P:Dtc.Entropy.Analysis.accuracyTargets"/>
/// that some method reached, without repeats (a run that stops at 86 % removed reaches 80 % and 98.2 % at the
/// same cycles: one column).</summary>
/// <param name="analysis">The analysis.</param>
/// <returns>Per column, the fraction removed that every method's point shares (NaN when they differ) and one
/// point per method, in the order of <c>Methods</c>.</returns>
let accuracyColumns (analysis: Analysis) : (float * AccuracyPoint[])[] =
    let point (m: MethodAnalysis) t =
        analysis.AccuracyTable |> Array.tryFind (fun p -> p.Method = m.Method && p.Target = t)
        |> Option.defaultValue { Method = m.Method; Target = t; Cycle = 0; FractionRemoved = nan; Accuracy = nan; SmoothedAccuracy = nan }
    accuracyTargets
    |> Array.map (fun t -> analysis.Methods |> Array.map (fun m -> point m t))
    |> Array.filter (Array.exists (fun p -> p.Cycle > 0))
    |> Array.distinctBy (Array.map (fun p -> p.Cycle))
    |> Array.map (fun points ->
        let fractions = points |> Array.map (fun p -> p.FractionRemoved) |> Array.distinct
        (if fractions.Length = 1 then fractions.[0] else nan), points)

/// <summary>The header of an accuracy column: "at 85.9 % removed" when every method's point shares that
/// fraction, else "nearest 98.2 % removed" (each cell then says its own fraction).</summary>
/// <param name="shared">The shared fraction removed, or NaN.</param>
/// <param name="target">The column's target fraction.</param>
/// <returns>The header text.</returns>
let accuracyHeader (shared: float) (target: float) : string =
    if Double.IsFinite shared then sprintf "at %s %% removed" (inv "0.0" (100.0 * shared))
    else sprintf "nearest %g %% removed" (100.0 * target)

/// <summary>The accuracy table as Markdown: one row per method, one column per fraction of neurons removed
/// (see <see cref="M:Dtc.Entropy.Analysis.accuracyColumns(Dtc.Entropy.Analysis.Analysis)"/>), each cell the
/// accuracy of the nearest cycle, with its fraction removed when the methods' fractions differ.</summary>
/// <param name="analysis">The analysis.</param>
/// <returns>A Markdown table (plain text that reads well in a terminal).</returns>
let accuracyMarkdown (analysis: Analysis) : string =
    let sb = StringBuilder()
    let columns = accuracyColumns analysis
    let header = columns |> Array.map (fun (shared, points) -> accuracyHeader shared points.[0].Target)
    sb.AppendLine("| method | " + String.Join(" | ", header) + " |") |> ignore
    sb.AppendLine("|---|" + String.Join("", header |> Array.map (fun _ -> "---:|"))) |> ignore
    for i, m in Array.indexed analysis.Methods do
        let cells =
            columns
            |> Array.map (fun (shared, points) ->
                match points.[i] with
                | p when p.Cycle = 0 -> "–"
                | p when Double.IsFinite shared -> inv "0.000" p.Accuracy
                | p -> sprintf "%s (at %s %%)" (inv "0.000" p.Accuracy) (inv "0.0" (100.0 * p.FractionRemoved)))
        sb.AppendLine(sprintf "| %s | %s |" m.Method (String.Join(" | ", cells))) |> ignore
    sb.ToString()

/// <summary>The correlation table as Markdown: per entropy source, accuracy curve and quantity, the
/// Pearson and Spearman correlations with the smoothed accuracy and the partial correlation given log(n);
/// a note column only when some row has a note.</summary>
/// <param name="analysis">The analysis.</param>
/// <returns>A Markdown table, or a sentence when there are no correlations.</returns>
let correlationMarkdown (analysis: Analysis) : string =
    if analysis.Correlations.Length = 0 then
        "No correlations: no method has measurements (y1, y2) to take the entropy of.\n"
    else
        let noted = analysis.Correlations |> Array.exists (fun r -> not (String.IsNullOrEmpty r.Note))
        let sb = StringBuilder()
        sb.AppendLine("| source | accuracy curve | quantity | Pearson r | Spearman ρ | partial r given log(n) |" + (if noted then " note |" else ""))
          .AppendLine("|---|---|---|---|---|---|" + (if noted then "---|" else "")) |> ignore
        for r in analysis.Correlations do
            let partial = if r.Quantity = "log(n)" then "–" else formatEstimate r.PartialGivenLogN
            sb.AppendLine(
                sprintf "| %s | %s | %s | %s | %s | %s |%s" r.Source r.Curve r.Quantity (formatEstimate r.Pearson)
                    (formatEstimate r.Spearman) partial (if noted then " " + r.Note + " |" else ""))
            |> ignore
        sb.ToString()

/// <summary>The whole analysis as Markdown for the CLI and README: settings, the accuracy table, the
/// correlation table and the notes.</summary>
/// <param name="analysis">The analysis.</param>
/// <returns>Markdown text.</returns>
let toMarkdown (analysis: Analysis) : string =
    let sb = StringBuilder()
    sb.AppendLine("Settings: " + analysis.SettingsDescription).AppendLine() |> ignore
    sb.AppendLine("Test accuracy (" + analysis.AccuracyDefinition + ") at the cycle nearest each fraction of neurons removed:").AppendLine() |> ignore
    sb.AppendLine(accuracyMarkdown analysis) |> ignore
    sb.AppendLine("Correlation with the LOWESS-smoothed accuracy (pairwise complete; log(n) is the control; the partial correlation removes what log(n) explains):").AppendLine() |> ignore
    sb.AppendLine(correlationMarkdown analysis) |> ignore
    if analysis.Notes.Length > 0 then
        sb.AppendLine "Notes:" |> ignore
        for n in analysis.Notes do sb.AppendLine("- " + n) |> ignore
    sb.ToString()
