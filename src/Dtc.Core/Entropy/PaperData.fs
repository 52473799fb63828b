/// <summary>
/// The paper's own published data (the supplement's, converted to JSON) as Dtc results, and files of
/// results read in either format, recognised by their content.
/// </summary>
module Dtc.Entropy.PaperData

open System
open System.Globalization
open System.IO
open System.Text.Json
open Dtc.Training.Records

let private zeroLayer () : LayerCycle =
    { Layer = 0; WidthBefore = 0; WidthAfter = 0; Measurements = 0; Ray = [||]; RayMeanAbsPerLength = nan
      Y1 = [||]; Y2 = [||]; SolverGaps = [||]; SolverIterations = [||]; ReconstructionErrors = [||]; Kept = [||] }

/// <summary>Builds results from the paper supplement's data as converted to JSON
/// (<c>shared/paper-data/supplement-mnist.json</c>: methods <c>magnitude</c>, <c>random</c> and <c>cs</c>
/// with <c>fraction_removed</c> and <c>accuracy</c>; <c>cs</c> also with <c>weight_rays</c>, <c>y1</c>,
/// <c>y2</c>). The method <c>cs</c> becomes "dtc"; the supplement's accuracy (a mean of per-batch
/// accuracies) goes to <c>TestAccuracyBatchMean</c> and <c>TestAccuracy</c> is NaN, so analyse it
/// with <see cref="P:Dtc.Entropy.Analysis.paper"/>. Widths are derived from the length of each weight
/// ray and the fraction removed (initial width 512); timings are NaN.</summary>
/// <param name="json">The JSON text of the converted supplement data.</param>
/// <returns>Results with methods "magnitude", "random" and "dtc".</returns>
let ofSupplementJson (json: string) : Results =
    use doc =
        try JsonDocument.Parse json
        with :? JsonException as e -> raise (InvalidDataException(sprintf "Expecting the supplement's data as JSON but it is invalid: %s" e.Message, e))
    let root = doc.RootElement
    let prop (e: JsonElement) (name: string) =
        match e.TryGetProperty name with
        | true, v -> v
        | _ -> raise (InvalidDataException(sprintf "Expecting a property \"%s\" in the supplement's data but received none" name))
    let num (v: JsonElement) =
        if v.ValueKind = JsonValueKind.String then Double.Parse(v.GetString(), CultureInfo.InvariantCulture) else v.GetDouble()
    let floats (v: JsonElement) = [| for x in v.EnumerateArray() -> num x |]
    let vectors (e: JsonElement) (name: string) =
        match e.TryGetProperty name with
        | true, v -> Some [| for row in v.EnumerateArray() -> floats row |]
        | _ -> None
    let initial = 512
    let run (key: string) (name: string) =
        let m = prop root key
        let fractions = floats (prop m "fraction_removed")
        let accuracy = floats (prop m "accuracy")
        if fractions.Length <> accuracy.Length then
            raise (InvalidDataException(sprintf "Expecting as many accuracies as fractions for %s but received %d and %d" key accuracy.Length fractions.Length))
        let rays, y1, y2 = vectors m "weight_rays", vectors m "y1", vectors m "y2"
        let cycles =
            fractions
            |> Array.mapi (fun i f ->
                let after = int (Math.Round(float initial * (1.0 - f)))
                let before = if i = 0 then initial else int (Math.Round(float initial * (1.0 - fractions.[i - 1])))
                let pick (v: float[][] option) = match v with Some a when i < a.Length -> a.[i] | _ -> [||]
                let ray = pick rays
                let m1, m2 = pick y1, pick y2
                let layer =
                    { zeroLayer () with
                        WidthBefore = before
                        WidthAfter = after
                        Measurements = max m1.Length m2.Length
                        Ray = ray
                        RayMeanAbsPerLength = if ray.Length = 0 then nan else (ray |> Array.averageBy abs) / float ray.Length
                        Y1 = m1
                        Y2 = m2 }
                ({ Cycle = i + 1; Widths = [| after |]; FractionRemoved = f; TestAccuracy = nan
                   TestAccuracyBatchMean = accuracy.[i]; TrainLoss = nan; Layers = [| layer |]
                   TrainSeconds = nan; CompressSeconds = nan; EvalSeconds = nan } : CycleRecord))
        ({ Method = name; InitialAccuracy = nan; Cycles = cycles } : MethodRun)
    let protocol = Collections.Generic.Dictionary<string, string>()
    protocol.["source"] <- (match root.TryGetProperty "source" with | true, v -> v.GetString() | _ -> "paper supplement")
    protocol.["accuracy"] <- "mean of per-batch test accuracies (batch 512)"
    protocol.["keep per cycle"] <- "0.9"
    protocol.["lambda"] <- "0.3"
    { Schema = "1"
      Metadata =
        { DtcVersion = "(paper supplement data)"; TorchSharpVersion = "–"; Runtime = "PyTorch (original code)"; OS = "–"
          Device = "–"; Threads = 0; Dataset = "MNIST"; TrainSize = 60000; TestSize = 10000; Protocol = protocol
          StartedUtc = "–"; WallSeconds = nan; Provenance = Unchecked.defaultof<_>; Digest = "" }
      Methods = [| run "magnitude" "magnitude"; run "random" "random"; run "cs" "dtc" |]
      Footprints = [||] }

/// <summary>The formats of a file of results that <see cref="M:Dtc.Entropy.PaperData.readResults(Microsoft.FSharp.Core.FSharpOption{Dtc.Entropy.PaperData.ResultsFormat},System.String)"/> reads.</summary>
type ResultsFormat =
    /// <summary>Dtc's <c>results.json</c> (an object with <c>schema</c>, <c>metadata</c> and <c>methods</c>).</summary>
    | DtcResults
    /// <summary>The paper supplement's data as converted to JSON (objects <c>magnitude</c>, <c>random</c>
    /// and <c>cs</c>; see <see cref="M:Dtc.Entropy.PaperData.ofSupplementJson(System.String)"/>).</summary>
    | Supplement

/// <summary>Recognises the format of a file of results by its content: an object with a <c>methods</c> or
/// <c>schema</c> property is Dtc's, one with a <c>cs</c> object holding <c>fraction_removed</c> is the supplement's.</summary>
/// <param name="json">The JSON text.</param>
/// <returns>The format.</returns>
/// <exception cref="T:System.IO.InvalidDataException">The text is neither (the message says what each has).</exception>
let detectFormat (json: string) : ResultsFormat =
    use doc =
        try JsonDocument.Parse json
        with :? JsonException as e -> raise (InvalidDataException(sprintf "Expecting a Dtc results file or the paper supplement's data as JSON but the JSON is invalid: %s" e.Message, e))
    let root = doc.RootElement
    let has (e: JsonElement) (name: string) = e.ValueKind = JsonValueKind.Object && fst (e.TryGetProperty name)
    if has root "methods" || has root "schema" then DtcResults
    elif has root "cs" && has (root.GetProperty "cs") "fraction_removed" then Supplement
    else
        raise (InvalidDataException "Expecting a Dtc results file (with \"schema\" and \"methods\") or the paper supplement's data (with \"magnitude\", \"random\" and \"cs\") but received neither")

/// <summary>Reads a file of results in either format; errors name the file.</summary>
/// <param name="format">The format, or <c>None</c> to recognise it by its content (<see cref="M:Dtc.Entropy.PaperData.detectFormat(System.String)"/>).</param>
/// <param name="path">The file.</param>
/// <returns>The results and the format they were read in.</returns>
/// <exception cref="T:System.IO.InvalidDataException">The file is not results of that format (the message names it).</exception>
/// <exception cref="T:System.IO.FileNotFoundException">The file does not exist.</exception>
let readResults (format: ResultsFormat option) (path: string) : Results * ResultsFormat =
    path
    |> readFileWith (fun text ->
        let f = format |> Option.defaultWith (fun () -> detectFormat text)
        (match f with
         | DtcResults -> Dtc.Training.Records.ofJson text
         | Supplement -> ofSupplementJson text), f)
