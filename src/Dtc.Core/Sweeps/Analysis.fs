/// <summary>
/// The analysis of a sweep: every statistic computed per seed, then summarised across seeds with a
/// bootstrap confidence interval. Accuracy per cycle and method with paired tests between methods
/// (Holm-corrected); the paper's correlation of the measurements' Gibbs entropy with the smoothed accuracy;
/// the log(n) control (partial r, ΔR², and a permutation test that permutes entropy across seeds within
/// each cycle); the negative controls; and the Miller–Madow estimator beside the paper's plug-in one.
/// </summary>
module Dtc.Sweeps.Analysis

open System
open System.Globalization
open System.Text
open System.Text.Json
open Dtc.Statistics
open Dtc.Entropy
open Dtc.Training.Records
open Dtc.Sweeps.Sweep

/// <summary>Settings of a sweep analysis.</summary>
type Settings =
    { /// <summary>The per-run analysis (bins, bases, LOWESS, layer, accuracy); default <c>Analysis.defaults</c>.</summary>
      Run: Dtc.Entropy.Analysis.Settings
      /// <summary>Bootstrap resamples over seeds; default 2000.</summary>
      Resamples: int
      /// <summary>Permutations of the within-cycle permutation test; default 2000.</summary>
      Permutations: int
      /// <summary>Seed of the bootstrap and the permutations (NumPy's legacy stream); default 20250530.</summary>
      Seed: int64
      /// <summary>Confidence level; default 0.95.</summary>
      Level: float }

/// <summary>The default settings: the paper's per-run analysis, 2000 resamples and permutations, seed 20250530, 95 %.</summary>
let defaults : Settings =
    { Run = Dtc.Entropy.Analysis.defaults; Resamples = 2000; Permutations = 2000; Seed = 20250530L; Level = 0.95 }

/// <summary>A per-seed statistic summarised across seeds.</summary>
type Summary =
    { /// <summary>Each seed's value, in the order of the seeds.</summary>
      Values: float[]
      /// <summary>The mean of the finite values.</summary>
      Mean: float
      /// <summary>The bootstrap confidence interval of the mean.</summary>
      Lower: float
      /// <summary>Its upper bound.</summary>
      Upper: float }

/// <summary>One method's accuracy at one cycle, across seeds.</summary>
type MethodAccuracy =
    { /// <summary>The method.</summary>
      Method: string
      /// <summary>The test accuracy per seed, mean and CI.</summary>
      Accuracy: Summary }

/// <summary>One cycle of a grid point, across seeds.</summary>
type CycleSummary =
    { /// <summary>The cycle, from 1.</summary>
      Cycle: int
      /// <summary>The fraction of hidden units removed after it.</summary>
      FractionRemoved: float
      /// <summary>The number of measurements n of the cycle.</summary>
      Measurements: int
      /// <summary>Each method's accuracy.</summary>
      Methods: MethodAccuracy[] }

/// <summary>A paired comparison of two methods' accuracy at one cycle.</summary>
type Comparison =
    { /// <summary>The cycle.</summary>
      Cycle: int
      /// <summary>Its fraction removed.</summary>
      FractionRemoved: float
      /// <summary>The first method.</summary>
      A: string
      /// <summary>The second method.</summary>
      B: string
      /// <summary>Mean of A − B over seeds.</summary>
      MeanDifference: float
      /// <summary>The paired t statistic.</summary>
      T: float
      /// <summary>Its two-sided p-value.</summary>
      PValue: float
      /// <summary>The Holm-adjusted p-value, over every comparison of the grid point.</summary>
      PHolm: float }

/// <summary>One quantity of the measurements correlated with one method's smoothed accuracy, across seeds.</summary>
type CorrelationSummary =
    { /// <summary>The method whose measurements give the quantity (e.g. dtc).</summary>
      Source: string
      /// <summary>The method whose smoothed accuracy is correlated.</summary>
      Curve: string
      /// <summary>entropy(y1), entropy(y2), Gaussian control (y1|y2), untrained control (y1|y2) or log(n).</summary>
      Quantity: string
      /// <summary>plug-in (the paper's) or Miller–Madow.</summary>
      Estimator: string
      /// <summary>Pearson r per seed.</summary>
      Pearson: Summary
      /// <summary>Spearman ρ per seed.</summary>
      Spearman: Summary
      /// <summary>Partial r given ln n per seed (NaN for log(n)).</summary>
      PartialGivenLogN: Summary
      /// <summary>ΔR² of adding the quantity to a linear model of the smoothed accuracy on ln n, per seed.</summary>
      DeltaR2: Summary
      /// <summary>The mean partial r given ln n, and its p-value when the quantity is permuted across seeds within
      /// each cycle (NaN for log(n), or with fewer than two seeds).</summary>
      PermutationP: float }

/// <summary>The analysis of one grid point.</summary>
type PointAnalysis =
    { /// <summary>The grid point's label (empty without a grid).</summary>
      Point: string
      /// <summary>The confidence level of its intervals (e.g. 0.95).</summary>
      Level: float
      /// <summary>The seed indices.</summary>
      Seeds: int[]
      /// <summary>The cycles every seed has, each across seeds.</summary>
      Cycles: CycleSummary[]
      /// <summary>Paired comparisons of every pair of methods at every cycle.</summary>
      Comparisons: Comparison[]
      /// <summary>Every correlation.</summary>
      Correlations: CorrelationSummary[]
      /// <summary>The verdict, in a short paragraph of numbers and words.</summary>
      Verdict: string
      /// <summary>Remarks on the data.</summary>
      Notes: string[] }

/// <summary>The analysis of a sweep (<c>sweep-analysis.json</c>): a pure function of the merged runs, so that
/// every executor that produced the same runs gives the same file, byte for byte.</summary>
type SweepAnalysis =
    { /// <summary>Schema ("1").</summary>
      Schema: string
      /// <summary>The dataset.</summary>
      Dataset: string
      /// <summary>The methods.</summary>
      Methods: string[]
      /// <summary>How every interval and p-value was computed.</summary>
      Method: string
      /// <summary>The per-run analysis settings in words.</summary>
      SettingsDescription: string
      /// <summary>One analysis per grid point.</summary>
      Points: PointAnalysis[] }

let private finiteValues (v: float[]) = v |> Array.filter Double.IsFinite

let private summarise (settings: Settings) (values: float[]) : Summary =
    let finite = finiteValues values
    if finite.Length = 0 then { Values = values; Mean = nan; Lower = nan; Upper = nan }
    else
        let i = Resampling.bootstrapMean settings.Resamples settings.Seed settings.Level values
        { Values = values; Mean = Array.average finite; Lower = i.Lower; Upper = i.Upper }

/// The partial correlation of x and y given z by the closed form (one covariate), over the finite rows.
let private partialR (x: float[]) (y: float[]) (z: float[]) =
    let rows = [| for i in 0 .. x.Length - 1 do if Double.IsFinite x.[i] && Double.IsFinite y.[i] && Double.IsFinite z.[i] then yield i |]
    if rows.Length < 4 then nan
    else
        let r (a: float[]) (b: float[]) =
            let ma = rows |> Array.averageBy (fun i -> a.[i])
            let mb = rows |> Array.averageBy (fun i -> b.[i])
            let mutable sab, saa, sbb = 0.0, 0.0, 0.0
            for i in rows do
                let da, db = a.[i] - ma, b.[i] - mb
                sab <- sab + da * db
                saa <- saa + da * da
                sbb <- sbb + db * db
            if saa = 0.0 || sbb = 0.0 then nan else sab / sqrt (saa * sbb)
        let rxy, rxz, ryz = r x y, r x z, r y z
        // x or y a linear function of z up to rounding (entropy = ln n when every measurement has its own bin):
        // nothing is left beyond z, so NaN rather than a coefficient of rounding noise.
        let tolerance = 1e-12
        if 1.0 - rxz * rxz <= tolerance || 1.0 - ryz * ryz <= tolerance then nan
        else (rxy - rxz * ryz) / sqrt ((1.0 - rxz * rxz) * (1.0 - ryz * ryz))

/// One seed's per-cycle series of one grid point.
type private SeedSeries =
    { Accuracy: Map<string, float[]>
      Smoothed: Map<string, float[]>
      Quantities: Map<string * string, float[]>
      LogN: float[] }

let private quantityOrder =
    [ "entropy(y1)", "plug-in"; "entropy(y2)", "plug-in"; "entropy(y1)", "Miller–Madow"; "entropy(y2)", "Miller–Madow"
      "Gaussian control (y1)", "plug-in"; "Gaussian control (y2)", "plug-in"
      "untrained control (y1)", "plug-in"; "untrained control (y2)", "plug-in"
      "Gaussian control (y1)", "Miller–Madow"; "Gaussian control (y2)", "Miller–Madow"
      "untrained control (y1)", "Miller–Madow"; "untrained control (y2)", "Miller–Madow"; "log(n)", "" ]

let private series (settings: Settings) (cycles: int) (source: string) (run: MergedRun) : SeedSeries =
    let analysis = Dtc.Entropy.Analysis.analyze settings.Run run.Results
    let take (v: float[]) = Array.truncate cycles v
    let byMethod f = analysis.Methods |> Array.map (fun m -> m.Method, take (m.Cycles |> Array.map f)) |> Map.ofArray
    let sourceRun = run.Results.Methods |> Array.find (fun m -> m.Method = source)
    let layer (c: CycleRecord) = c.Layers |> Array.tryFind (fun l -> l.Layer = settings.Run.Layer)
    let ys pick = sourceRun.Cycles |> Array.truncate cycles |> Array.map (fun c -> match layer c with Some l -> pick l | None -> [||])
    let entropy (g: Gibbs.Settings) (v: float[]) = if isNull v || v.Length = 0 then nan else Gibbs.entropy g v
    let mm (g: Gibbs.Settings) (v: float[]) = if isNull v || v.Length = 0 then nan else Gibbs.millerMadow g v
    let controls = run.Controls |> Array.tryFind (fun c -> c.Method = source)
    let control estimate pick g =
        match controls with
        | Some c when settings.Run.Layer = c.Layer -> c.Cycles |> Array.truncate cycles |> Array.map (fun cc -> estimate g (pick cc))
        | _ -> Array.create cycles nan
    let y1s, y2s = ys (fun l -> l.Y1), ys (fun l -> l.Y2)
    let s = analysis.Methods |> Array.find (fun m -> m.Method = source)
    { Accuracy = byMethod (fun c -> c.Accuracy)
      Smoothed = byMethod (fun c -> c.SmoothedAccuracy)
      Quantities =
        Map.ofList
            [ ("entropy(y1)", "plug-in"), y1s |> Array.map (entropy settings.Run.Y1)
              ("entropy(y2)", "plug-in"), y2s |> Array.map (entropy settings.Run.Y2)
              ("entropy(y1)", "Miller–Madow"), y1s |> Array.map (mm settings.Run.Y1)
              ("entropy(y2)", "Miller–Madow"), y2s |> Array.map (mm settings.Run.Y2)
              ("Gaussian control (y1)", "plug-in"), control entropy (fun c -> c.GaussianY1) settings.Run.Y1
              ("Gaussian control (y2)", "plug-in"), control entropy (fun c -> c.GaussianY2) settings.Run.Y2
              ("untrained control (y1)", "plug-in"), control entropy (fun c -> c.UntrainedY1) settings.Run.Y1
              ("untrained control (y2)", "plug-in"), control entropy (fun c -> c.UntrainedY2) settings.Run.Y2
              ("Gaussian control (y1)", "Miller–Madow"), control mm (fun c -> c.GaussianY1) settings.Run.Y1
              ("Gaussian control (y2)", "Miller–Madow"), control mm (fun c -> c.GaussianY2) settings.Run.Y2
              ("untrained control (y1)", "Miller–Madow"), control mm (fun c -> c.UntrainedY1) settings.Run.Y1
              ("untrained control (y2)", "Miller–Madow"), control mm (fun c -> c.UntrainedY2) settings.Run.Y2
              ("log(n)", ""), take (s.Cycles |> Array.map (fun c -> c.LogMeasurements)) ]
      LogN = take (s.Cycles |> Array.map (fun c -> c.LogMeasurements)) }

let private permutationP (settings: Settings) (xs: float[][]) (ys: float[][]) (z: float[]) =
    let seeds, cycles = xs.Length, z.Length
    if seeds < 2 then nan
    else
        let flat = Array.concat xs
        let groups = Array.init (seeds * cycles) (fun i -> i % cycles)
        let statistic (map: int[]) =
            let rs =
                [| for s in 0 .. seeds - 1 ->
                     partialR (Array.init cycles (fun c -> flat.[map.[s * cycles + c]])) ys.[s] z |] |> finiteValues
            if rs.Length = 0 then nan else Array.average rs
        (Resampling.withinGroupPermutation settings.Permutations settings.Seed groups statistic).PValue

let private f3 (x: float) = if Double.IsFinite x then x.ToString("0.00", CultureInfo.InvariantCulture) else "n/a"
let private interval (s: Summary) = sprintf "%s [%s, %s]" (f3 s.Mean) (f3 s.Lower) (f3 s.Upper)
let private pText (p: float) =
    if not (Double.IsFinite p) then "n/a"
    elif p < 0.001 then "< 0.001"
    else p.ToString("0.000", CultureInfo.InvariantCulture)

/// <summary>The verdict of a grid point: the headline correlation (entropy of y2, plug-in, of the measured method
/// against its own smoothed accuracy, the paper's), then what the controls say, in words that follow the numbers.</summary>
/// <param name="level">The confidence level of the intervals (e.g. 0.95).</param>
/// <param name="seeds">The number of seeds.</param>
/// <param name="rows">The grid point's correlations.</param>
/// <returns>One paragraph.</returns>
let verdict (level: float) (seeds: int) (rows: CorrelationSummary[]) : string =
    let find q e = rows |> Array.tryFind (fun r -> r.Quantity = q && r.Estimator = e && r.Curve = r.Source)
    match find "entropy(y2)" "plug-in" with
    | None -> "No method has measurements: there is no entropy to correlate with accuracy."
    | Some h ->
        let sb = StringBuilder()
        let add (s: string) = sb.Append(s).Append(' ') |> ignore
        add (sprintf "Over %d seeds, the Gibbs entropy of the next-layer measurements y2 correlates with %s's smoothed accuracy at r = %s (mean, %g %% bootstrap CI)."
                 seeds h.Source (interval h.Pearson) (100.0 * level))
        let logn = find "log(n)" ""
        let gaussian = find "Gaussian control (y2)" "plug-in"
        let untrained = find "untrained control (y2)" "plug-in"
        // As strong: as far from 0 as the headline's interval, on the headline's side (a negative r is a correlation too).
        let asStrong (c: CorrelationSummary) =
            Double.IsFinite c.Pearson.Mean
            && (if h.Pearson.Mean >= 0.0 then c.Pearson.Mean >= h.Pearson.Lower else c.Pearson.Mean <= h.Pearson.Upper)
        match logn, gaussian, untrained with
        | Some l, Some g, Some u ->
            add (sprintf "The number of measurements alone, log(n), gives r = %s; the entropy of random Gaussian profiles measured the same way gives r = %s, and that of the untrained network's profiles r = %s."
                     (interval l.Pearson) (interval g.Pearson) (interval u.Pearson))
            match asStrong g, asStrong u with
            | true, true -> add "Both controls correlate with accuracy as strongly as the real entropy."
            | true, false -> add "The Gaussian control correlates with accuracy as strongly as the real entropy."
            | false, true -> add "The untrained network's control correlates with accuracy as strongly as the real entropy."
            | false, false -> add "Neither control reaches the real entropy's correlation."
        | _ -> ()
        if Double.IsNaN h.PartialGivenLogN.Mean then
            add "The entropy is a function of log(n) in every cycle (each measurement in its own bin), so it adds nothing beyond n by construction."
        else
            add (sprintf "Given log(n), the partial r is %s and entropy adds ΔR² = %s; permuting entropy across seeds within each cycle gives p = %s."
                     (interval h.PartialGivenLogN) (interval h.DeltaR2) (pText h.PermutationP))
        let controls = [ gaussian; untrained ] |> List.choose id
        let controlsStrong = controls |> List.exists asStrong
        let controlPartial = controls |> List.map (fun c -> c.PartialGivenLogN.Mean) |> List.filter Double.IsFinite
        let partialPositive = h.PartialGivenLogN.Lower > 0.0
        let aboveControls = not controlPartial.IsEmpty && h.PartialGivenLogN.Lower > List.max controlPartial
        let tracksAcrossSeeds = Double.IsFinite h.PermutationP && h.PermutationP < 0.05
        if not (h.Pearson.Lower > 0.0 || h.Pearson.Upper < 0.0) then
            add "Conclusion: these seeds show no correlation between the entropy and accuracy."
        elif Double.IsNaN h.PartialGivenLogN.Mean then
            add "Conclusion: the correlation is what the shrinking number of measurements produces by itself."
        else
            let first =
                if controls.IsEmpty then "Conclusion: these data hold no controls to compare with."
                elif controlsStrong then "Conclusion: most of the correlation is what the shrinking number of measurements produces by itself, since controls without learning correlate as strongly."
                else "Conclusion: the correlation is stronger than the controls'."
            let second =
                if partialPositive && not controlPartial.IsEmpty then
                    sprintf " Beyond n, the entropy keeps a partial r of %s over the cycles of a run, %s the controls' (%s)%s" (f3 h.PartialGivenLogN.Mean)
                        (if aboveControls then "more than" else "not clearly more than")
                        (String.Join(", ", controlPartial |> List.map f3))
                        (if tracksAcrossSeeds then sprintf ", and across seeds at a fixed cycle it tracks accuracy too (permutation p = %s)." (pText h.PermutationP)
                         else sprintf "; but across seeds at a fixed cycle it does not track accuracy (permutation p = %s)." (pText h.PermutationP))
                elif tracksAcrossSeeds then sprintf " Across seeds at a fixed cycle, its variation tracks accuracy (permutation p = %s)." (pText h.PermutationP)
                else " Beyond n, these seeds give no evidence that the entropy tracks accuracy."
            add (first + second)
        sb.ToString().TrimEnd()

let private analysePoint (settings: Settings) (point: string) (runs: MergedRun[]) : PointAnalysis =
    let notes = ResizeArray<string>()
    let methods = runs.[0].Results.Methods |> Array.map (fun m -> m.Method)
    let cycles = runs |> Array.collect (fun r -> r.Results.Methods |> Array.map (fun m -> m.Cycles.Length)) |> Array.min
    let longest = runs |> Array.collect (fun r -> r.Results.Methods |> Array.map (fun m -> m.Cycles.Length)) |> Array.max
    if longest > cycles then notes.Add(sprintf "runs have %d to %d cycles; the first %d, which every run has, are analysed" cycles longest cycles)
    let sources =
        methods |> Array.filter (fun m ->
            runs |> Array.forall (fun r ->
                r.Results.Methods |> Array.exists (fun x -> x.Method = m && x.Cycles |> Array.exists (fun c -> c.Layers |> Array.exists (fun l -> l.Layer = settings.Run.Layer && l.Measurements > 0)))))
    let first = runs.[0].Results.Methods.[0].Cycles
    let cycleSummaries =
        [| for c in 0 .. cycles - 1 ->
             let measured =
                 match sources |> Array.tryHead with
                 | Some s ->
                     let m = runs.[0].Results.Methods |> Array.find (fun x -> x.Method = s)
                     m.Cycles.[c].Layers |> Array.tryFind (fun l -> l.Layer = settings.Run.Layer) |> Option.map (fun l -> l.Measurements) |> Option.defaultValue 0
                 | None -> 0
             { Cycle = first.[c].Cycle
               FractionRemoved = first.[c].FractionRemoved
               Measurements = measured
               Methods =
                 [| for m in methods ->
                      let values =
                          runs |> Array.map (fun r ->
                              let run = r.Results.Methods |> Array.find (fun x -> x.Method = m)
                              match settings.Run.Accuracy with
                              | Dtc.Entropy.Analysis.Exact -> run.Cycles.[c].TestAccuracy
                              | Dtc.Entropy.Analysis.BatchMean -> run.Cycles.[c].TestAccuracyBatchMean)
                      { Method = m; Accuracy = summarise settings values } |] } |]
    let raw =
        [| for c in 0 .. cycles - 1 do
             for i in 0 .. methods.Length - 1 do
                 for j in i + 1 .. methods.Length - 1 do
                     let a = cycleSummaries.[c].Methods.[i].Accuracy.Values
                     let b = cycleSummaries.[c].Methods.[j].Accuracy.Values
                     let t = Resampling.pairedT a b
                     yield c, methods.[i], methods.[j], t |]
    let adjusted = Resampling.holm (raw |> Array.map (fun (_, _, _, t) -> t.PValue))
    let comparisons =
        raw |> Array.mapi (fun k (c, a, b, t) ->
            { Cycle = cycleSummaries.[c].Cycle; FractionRemoved = cycleSummaries.[c].FractionRemoved; A = a; B = b
              MeanDifference = t.MeanDifference; T = t.T; PValue = t.PValue; PHolm = adjusted.[k] })
    let correlations =
        [| for source in sources do
             let perSeed = runs |> Array.map (series settings cycles source)
             let z = perSeed.[0].LogN
             for curve in methods do
                 let ys = perSeed |> Array.map (fun s -> s.Smoothed.[curve])
                 for quantity, estimator in quantityOrder do
                     let xs = perSeed |> Array.map (fun s -> s.Quantities.[(quantity, estimator)])
                     let isLogN = quantity = "log(n)"
                     let perRun =
                         Array.init runs.Length (fun s ->
                             let p, sp, _ = Dtc.Entropy.Analysis.correlate xs.[s] ys.[s]
                             let partial = if isLogN then nan else partialR xs.[s] ys.[s] perSeed.[s].LogN
                             let delta = if isLogN then nan else Resampling.deltaRSquared ys.[s] perSeed.[s].LogN xs.[s]
                             [| p.Coefficient; sp.Coefficient; partial; delta |])
                     let pearson, spearman, partial, delta =
                         perRun |> Array.map (fun v -> v.[0]), perRun |> Array.map (fun v -> v.[1]),
                         perRun |> Array.map (fun v -> v.[2]), perRun |> Array.map (fun v -> v.[3])
                     yield
                         { Source = source; Curve = curve; Quantity = quantity; Estimator = estimator
                           Pearson = summarise settings pearson
                           Spearman = summarise settings spearman
                           PartialGivenLogN = summarise settings partial
                           DeltaR2 = summarise settings delta
                           PermutationP = if isLogN then nan else permutationP settings xs ys z } |]
    if sources.Length = 0 then notes.Add(sprintf "no method has measurements in hidden layer %d in every run" settings.Run.Layer)
    { Point = point
      Level = settings.Level
      Seeds = runs |> Array.map (fun r -> r.Run.Seed)
      Cycles = cycleSummaries
      Comparisons = comparisons
      Correlations = correlations
      Verdict = verdict settings.Level runs.Length correlations
      Notes = notes.ToArray() }

/// <summary>Analyses a merged sweep, grid point by grid point: per-seed statistics summarised across seeds.</summary>
/// <param name="settings">The settings; <see cref="P:Dtc.Sweeps.Analysis.defaults"/>.</param>
/// <param name="merged">The merged sweep (<see cref="M:Dtc.Sweeps.Sweep.merge(System.String)"/>).</param>
/// <returns>The analysis.</returns>
let analyze (settings: Settings) (merged: Merged) : SweepAnalysis =
    if settings.Resamples < 2000 then
        invalidArg (nameof settings) (sprintf "Expecting at least 2000 bootstrap resamples but received %d" settings.Resamples)
    let points =
        merged.Runs
        |> Array.groupBy (fun r -> r.Run.Point)
        |> Array.map (fun (point, runs) -> analysePoint settings point runs)
    { Schema = "1"
      Dataset = merged.Plan.Spec.Dataset
      Methods = merged.Plan.Spec.Methods
      Method =
        sprintf "Each statistic is computed per seed, then averaged over seeds; intervals are %g %% percentile bootstrap intervals of that mean over seeds (%d resamples, NumPy RandomState seed %d). Paired t tests compare methods' accuracy per cycle, Holm-corrected over every comparison of a grid point. The permutation p-value permutes the quantity across seeds within each cycle (same width, same n) %d times (seed %d): the mean partial r given ln n is compared, two-sided."
            (100.0 * settings.Level) settings.Resamples settings.Seed settings.Permutations settings.Seed
      SettingsDescription =
        sprintf "y1: %A; y2: %A; LOWESS frac %g; hidden layer %d; accuracy %A" settings.Run.Y1.Bins settings.Run.Y2.Bins
            settings.Run.Lowess.Frac settings.Run.Layer settings.Run.Accuracy
      Points = points }

/// <summary>Serialises a sweep analysis (camelCase, indented, NaN as "NaN").</summary>
/// <param name="analysis">The analysis.</param>
/// <returns>JSON text.</returns>
let toJson (analysis: SweepAnalysis) : string = JsonSerializer.Serialize(analysis, jsonOptions)

/// <summary>Reads a sweep analysis from JSON text.</summary>
/// <param name="json">The text.</param>
/// <returns>The analysis.</returns>
let ofJson (json: string) : SweepAnalysis = JsonSerializer.Deserialize<SweepAnalysis>(json, jsonOptions)

/// <summary>The headline table of a grid point as Markdown: for the measured method's own curve, every
/// quantity's r, Spearman ρ, partial r given log(n), ΔR² and permutation p (means and their CIs).</summary>
/// <param name="point">The grid point's analysis.</param>
/// <returns>Markdown.</returns>
let correlationMarkdown (point: PointAnalysis) : string =
    let sb = StringBuilder()
    sb.AppendLine("| quantity (source → curve) | estimator | r | Spearman ρ | partial r given log(n) | ΔR² | permutation p |")
      .AppendLine("|---|---|---|---|---|---|---|") |> ignore
    for r in point.Correlations do
        if r.Curve = r.Source || r.Curve = "random" then
            sb.AppendLine(sprintf "| %s (%s → %s) | %s | %s | %s | %s | %s | %s |" r.Quantity r.Source r.Curve
                              (if r.Estimator = "" then "–" else r.Estimator) (interval r.Pearson) (interval r.Spearman)
                              (if r.Quantity = "log(n)" then "–" else interval r.PartialGivenLogN)
                              (if r.Quantity = "log(n)" then "–" else interval r.DeltaR2) (pText r.PermutationP)) |> ignore
    sb.ToString()

/// <summary>The analysis as Markdown: per grid point, the verdict and the headline table.</summary>
/// <param name="analysis">The analysis.</param>
/// <returns>Markdown.</returns>
let toMarkdown (analysis: SweepAnalysis) : string =
    let sb = StringBuilder()
    for p in analysis.Points do
        if p.Point <> "" then sb.AppendLine("### " + p.Point).AppendLine() |> ignore
        sb.AppendLine(p.Verdict).AppendLine().Append(correlationMarkdown p).AppendLine() |> ignore
        for n in p.Notes do sb.AppendLine("- " + n) |> ignore
    sb.AppendLine(analysis.Method) |> ignore
    sb.ToString()
