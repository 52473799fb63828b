/// <summary>
/// The verdict of a run in words, computed from its results and their analysis: what was run, and a sentence
/// of conclusion on whether the Gibbs entropy of the measurements tracks accuracy beyond the number of
/// measurements (the log(n) control). The HTML report opens with them.
/// </summary>
module Dtc.Report.Verdict

open System
open System.Globalization
open Dtc.Entropy
open Dtc.Training.Records

let private num (format: string) (x: float) =
    if Double.IsNaN x then "NaN" else x.ToString(format, CultureInfo.InvariantCulture)

let private seconds (x: float) = if Double.IsFinite x then num "0.0" x + " s" else "–"

let private protocolValue (results: Results) (key: string) =
    let m = results.Metadata
    if isNull (box m) || isNull m.Protocol then None
    else
        match m.Protocol.TryGetValue key with
        | true, v when not (String.IsNullOrWhiteSpace v) -> Some v
        | _ -> None

/// <summary>What was run, in one sentence: the methods, the data, the cycles and how far they compressed, the
/// training per cycle, the seed and the time, each part only when the results record it.</summary>
/// <param name="results">The results of a run.</param>
/// <returns>One sentence, e.g. "The methods magnitude, random and dtc each ran 34 compress-train cycles on
/// mnist-sample (…), from 512 to 9 hidden units (98.2 % removed), …".</returns>
let whatWasRun (results: Results) : string =
    if isNull (box results) || isNull results.Methods then
        invalidArg (nameof results) "Expecting results with a methods array but received none"
    let runs = results.Methods |> Array.filter (fun r -> not (isNull r.Cycles) && r.Cycles.Length > 0)
    let names = results.Methods |> Array.map (fun r -> r.Method)
    let methods =
        if names.Length = 0 then "No method"
        elif names.Length = 1 then "The method " + names.[0]
        else sprintf "The methods %s and %s each" (String.Join(", ", names.[.. names.Length - 2])) names.[names.Length - 1]
    let m = results.Metadata
    let data =
        if isNull (box m) || String.IsNullOrEmpty m.Dataset then ""
        else sprintf " on %s (%s training, %s test samples)" m.Dataset (m.TrainSize.ToString("N0", CultureInfo.InvariantCulture))
                 (m.TestSize.ToString("N0", CultureInfo.InvariantCulture))
    if runs.Length = 0 then methods + data + " recorded no compress-train cycle."
    else
        let cycles = runs |> Array.map (fun r -> r.Cycles.Length) |> Array.max
        let last = runs |> Array.map (fun r -> r.Cycles.[r.Cycles.Length - 1]) |> Array.maxBy (fun c -> c.FractionRemoved)
        let first = runs.[0].Cycles.[0]
        let widths (w: int seq) = String.Join("-", w)
        let from =
            match protocolValue results "hidden" with
            | Some h -> h.Replace(",", "-")
            | None when not (isNull first.Layers) && first.Layers.Length > 0 -> widths (first.Layers |> Array.map (fun l -> l.WidthBefore))
            | None -> ""
        let span =
            (if from = "" then "" else sprintf " from %s" from)
            + (if isNull last.Widths then "" else sprintf " to %s hidden units" (widths last.Widths))
            + sprintf " (%s %% removed)" (num "0.0" (100.0 * last.FractionRemoved))
        let training =
            match protocolValue results "batchesPerCycle", protocolValue results "batchSize" with
            | Some b, Some n -> sprintf ", training %s mini-batches of %s per cycle" b n
            | _ -> ""
        let keep =
            match protocolValue results "keep" |> Option.orElse (protocolValue results "keep per cycle") with
            | Some k ->
                match Double.TryParse(k, NumberStyles.Float, CultureInfo.InvariantCulture) with
                | true, v -> sprintf " and keeping %s %% of the hidden units each cycle" (num "0.#" (100.0 * v))
                | _ -> ""
            | None -> ""
        let seed = protocolValue results "initSeed" |> Option.map (fun s -> "; seed " + s) |> Option.defaultValue ""
        let time =
            if isNull (box m) || not (Double.IsFinite m.WallSeconds) then ""
            else sprintf "; %s of wall-clock time on %s" (seconds m.WallSeconds) m.Device
        sprintf "%s ran %d compress-train cycles%s,%s%s%s%s%s." methods cycles data span training keep seed time

let private fixedPoint (x: float) = if Double.IsFinite x then num "0.000" x else "NaN"

let private range (values: float[]) =
    let v = values |> Array.filter Double.IsFinite
    if v.Length = 0 then "NaN"
    elif Array.min v = Array.max v || v.Length = 1 then "r = " + fixedPoint v.[0]
    else sprintf "r = %s to %s" (fixedPoint (Array.min v)) (fixedPoint (Array.max v))

/// <summary>The correlations the verdict reads: those of the entropy of y2 (the paper's quantity) of the first
/// source with measurements, one per accuracy curve, each with its log(n) row.</summary>
/// <param name="analysis">The analysis of a run.</param>
/// <returns>The entropy(y2) rows and their log(n) rows; empty when no method has measurements.</returns>
let rows (analysis: Analysis.Analysis) : (Analysis.CorrelationRow * Analysis.CorrelationRow option)[] =
    match analysis.Correlations |> Array.tryFind (fun r -> r.Quantity = "entropy(y2)") with
    | None -> [||]
    | Some first ->
        analysis.Correlations
        |> Array.filter (fun r -> r.Source = first.Source && r.Quantity = "entropy(y2)")
        |> Array.map (fun r ->
            r, analysis.Correlations |> Array.tryFind (fun c -> c.Source = r.Source && c.Curve = r.Curve && c.Quantity = "log(n)"))

/// <summary>The verdict in one sentence, computed from the correlations of the entropy of y2 (the paper's
/// quantity) with each accuracy curve, their log(n) control and the partial correlations given log(n): the
/// entropy tracks accuracy beyond the number of measurements when the partial correlations are significant
/// (p &lt; 0.05), says nothing beyond it when none is, and the evidence is mixed otherwise.</summary>
/// <param name="analysis">The analysis of a run.</param>
/// <returns>One sentence.</returns>
let conclusion (analysis: Analysis.Analysis) : string =
    let rows = rows analysis
    if rows.Length = 0 then
        "No method recorded measurements, so this run cannot say whether their entropy tracks accuracy."
    else
        let source = (fst rows.[0]).Source
        let defined = rows |> Array.filter (fun (r, _) -> Double.IsFinite r.Pearson.Coefficient)
        if defined.Length = 0 then
            sprintf "The entropy of %s's measurements y2 does not correlate with accuracy on this run: every correlation is undefined (%s)."
                source (let (r, _) = rows.[0] in if r.Note = "" then "too few cycles" else r.Note)
        else
            let entropy = defined |> Array.map (fun (r, _) -> r.Pearson.Coefficient)
            let control = defined |> Array.choose (fun (_, l) -> l |> Option.map (fun l -> l.Pearson.Coefficient))
            let partials = defined |> Array.map (fun (r, _) -> r.PartialGivenLogN)
            let finitePartials = partials |> Array.filter (fun p -> Double.IsFinite p.Coefficient)
            let significant = finitePartials |> Array.filter (fun p -> p.PValue < 0.05)
            let curves = if defined.Length = 1 then "the accuracy curve" else sprintf "the %d accuracy curves" defined.Length
            let head =
                sprintf "The entropy of %s's measurements y2 correlates with %s at %s, and log(n), the number of measurements alone, at %s"
                    source curves (range entropy) (range control)
            let tail =
                if finitePartials.Length = 0 then
                    "; the entropy is a function of log(n) in every cycle, so on this run it says nothing about accuracy beyond the number of measurements."
                elif significant.Length = 0 then
                    sprintf "; given log(n), %s significant (p < 0.05), so on this run the entropy says nothing about accuracy beyond the shrinking number of measurements."
                        (if finitePartials.Length = 1 then "the partial correlation is not" else sprintf "none of the %d partial correlations is" finitePartials.Length)
                elif significant.Length = finitePartials.Length then
                    sprintf "; given log(n), %s significant (p < 0.05), so on this run the entropy tracks accuracy beyond the number of measurements."
                        (if finitePartials.Length = 1 then "the partial correlation remains" else sprintf "all %d partial correlations remain" finitePartials.Length)
                else
                    sprintf "; given log(n), %d of %d partial correlations remain significant (p < 0.05), so on this run the evidence that the entropy tracks accuracy beyond the number of measurements is mixed."
                        significant.Length finitePartials.Length
            head + tail
