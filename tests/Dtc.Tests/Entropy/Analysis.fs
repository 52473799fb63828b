module Dtc.Tests.Entropy.Analysis

open System
open System.IO
open Expecto
open Dtc.Entropy
open Dtc.Training.Records
open Dtc.Tests.Support


/// The paper's results as a Results value (cs mapped to "dtc"), or a skipped test.
let paperResults () =
    match Fixtures.paperFile () with
    | None -> skiptest "shared/paper-data/supplement-mnist.json was not found above the working directory or the test assembly"
    | Some path -> PaperData.ofSupplementJson (File.ReadAllText path)

let private fixture = lazy (Fixtures.load "analysis.json")

let private close = { absolute = 1e-9; relative = 1e-9 }

let private expectNumber (accuracy: Accuracy) (expected: float) (actual: float) (what: string) =
    if Double.IsNaN expected then Expect.isTrue (Double.IsNaN actual) (sprintf "%s: expecting NaN but received %g" what actual)
    else Expect.floatClose accuracy actual expected what

let private row (a: Analysis.Analysis) source curve quantity =
    a.Correlations
    |> Array.tryFind (fun r -> r.Source = source && r.Curve = curve && r.Quantity = quantity)
    |> Option.defaultWith (fun () -> failtestf "no correlation row %s / %s / %s" source curve quantity)

/// A small run without any measurements (as magnitude and random runs record them).
let private noMeasurements () : Results =
    let cycle i f acc : CycleRecord =
        { Cycle = i; Widths = [| 10 - i |]; FractionRemoved = f; TestAccuracy = acc; TestAccuracyBatchMean = acc
          TrainLoss = 0.1; TrainSeconds = 1.0; CompressSeconds = 0.1; EvalSeconds = 0.2
          Layers =
            [| { Layer = 0; WidthBefore = 11 - i; WidthAfter = 10 - i; Measurements = 0; Ray = [||]; RayMeanAbsPerLength = nan
                 Y1 = [||]; Y2 = [||]; SolverGaps = [||]; SolverIterations = [||]; ReconstructionErrors = [||]; Kept = [||] } |] }
    let run name = { Method = name; InitialAccuracy = 0.9; Cycles = Array.init 6 (fun i -> cycle (i + 1) (0.1 * float (i + 1)) (0.95 - 0.02 * float i)) }
    { Schema = "1"
      Metadata =
        { DtcVersion = "test"; TorchSharpVersion = "0"; Runtime = "net"; OS = "os"; Device = "cpu"; Threads = 1
          Dataset = "none"; TrainSize = 0; TestSize = 0; Protocol = Collections.Generic.Dictionary<string, string>()
          StartedUtc = "2025-01-01T00:00:00Z"; WallSeconds = 1.0; Provenance = Unchecked.defaultof<_>; Digest = "" }
      Methods = [| run "magnitude"; run "random" |]
      Footprints = [||] }

[<Tests>]
let tests =
    testList "Entropy.Analysis" [
        test "paper data: y2 entropy correlates with the smoothed accuracy as reported (0.917 dtc, 0.941 random, 0.938 magnitude)" {
            let a = Analysis.analyze Analysis.paper (paperResults ())
            for curve, reported in [ "dtc", 0.917; "random", 0.941; "magnitude", 0.938 ] do
                let r = row a "dtc" curve "entropy(y2)"
                Expect.floatClose { absolute = 5e-4; relative = 0.0 } r.Pearson.Coefficient reported (sprintf "%s: Pearson r is the paper's %.3f" curve reported)
                Expect.equal r.Pearson.N 34 (sprintf "%s: all 34 cycles" curve)
            let dtc = a.Methods |> Array.find (fun m -> m.Method = "dtc")
            Expect.isTrue dtc.HasMeasurements "dtc has measurements"
            Expect.equal (dtc.Cycles |> Array.filter (fun c -> Double.IsNaN c.EntropyY1) |> Array.length) 1 "y1 entropy is NaN for exactly one cycle"
            Expect.isFalse (dtc.Cycles |> Array.exists (fun c -> Double.IsNaN c.EntropyY2)) "no y2 entropy is NaN"
            Expect.equal (row a "dtc" "dtc" "entropy(y1)").Pearson.N 33 "y1 correlations are pairwise complete (33 pairs)"
            for m in a.Methods do
                Expect.equal (m.HasMeasurements) (m.Method = "dtc") (sprintf "%s: only dtc has measurements" m.Method)
            Expect.equal (a.Correlations |> Array.map (fun r -> r.Source) |> Array.distinct) [| "dtc" |] "the only entropy source is dtc"
            Expect.equal a.Correlations.Length 9 "three curves times three quantities"
        }

        test "paper data: every per-cycle value, correlation and partial correlation matches NumPy/SciPy/statsmodels" {
            let a = Analysis.analyze Analysis.paper (paperResults ())
            let f = fixture.Value
            let dtc = a.Methods |> Array.find (fun m -> m.Method = "dtc")
            let e1, e2 = Fixtures.floats "entropy_y1_bits" f, Fixtures.floats "entropy_y2_nats" f
            let n, logn = Fixtures.ints "measurements" f, Fixtures.floats "log_measurements" f
            for i in 0 .. 33 do
                let c = dtc.Cycles.[i]
                expectNumber close e1.[i] c.EntropyY1 (sprintf "entropy(y1), cycle %d" (i + 1))
                expectNumber close e2.[i] c.EntropyY2 (sprintf "entropy(y2), cycle %d" (i + 1))
                Expect.equal c.Measurements n.[i] (sprintf "measurements, cycle %d" (i + 1))
                expectNumber close logn.[i] c.LogMeasurements (sprintf "log(n), cycle %d" (i + 1))
            let curves = f.GetProperty "curves"
            for name in [ "magnitude"; "random"; "dtc" ] do
                let c = curves.GetProperty name
                let m = a.Methods |> Array.find (fun m -> m.Method = name)
                let smooth = Fixtures.floats "smoothed" c
                m.Cycles |> Array.iteri (fun i x -> expectNumber close smooth.[i] x.SmoothedAccuracy (sprintf "%s: smoothed accuracy, cycle %d" name (i + 1)))
                for key, quantity in [ "y1", "entropy(y1)"; "y2", "entropy(y2)"; "logn", "log(n)" ] do
                    let r = row a "dtc" name quantity
                    let q = c.GetProperty key
                    let p, s = q.GetProperty "pearson", q.GetProperty "spearman"
                    expectNumber close (Fixtures.float "r" p) r.Pearson.Coefficient (sprintf "%s %s: Pearson r" name quantity)
                    expectNumber { absolute = 1e-12; relative = 1e-6 } (Fixtures.float "p" p) r.Pearson.PValue (sprintf "%s %s: Pearson p" name quantity)
                    Expect.equal r.Pearson.N (Fixtures.int "n" p) (sprintf "%s %s: Pearson N" name quantity)
                    expectNumber close (Fixtures.float "r" s) r.Spearman.Coefficient (sprintf "%s %s: Spearman r" name quantity)
                    expectNumber { absolute = 1e-12; relative = 1e-6 } (Fixtures.float "p" s) r.Spearman.PValue (sprintf "%s %s: Spearman p" name quantity)
                for key, quantity in [ "y1_given_logn", "entropy(y1)"; "y2_given_logn", "entropy(y2)" ] do
                    let r = row a "dtc" name quantity
                    let q = c.GetProperty key
                    expectNumber close (Fixtures.float "r" q) r.PartialGivenLogN.Coefficient (sprintf "%s %s: partial r given log(n)" name quantity)
                    expectNumber { absolute = 1e-12; relative = 1e-6 } (Fixtures.float "p" q) r.PartialGivenLogN.PValue (sprintf "%s %s: partial p" name quantity)
                    Expect.equal r.PartialGivenLogN.N (Fixtures.int "n" q) (sprintf "%s %s: partial N" name quantity)
        }

        test "paper data: accuracy table picks the cycles nearest 10 %, 80 % and 98.2 % removed" {
            let a = Analysis.analyze Analysis.paper (paperResults ())
            let at name target = a.AccuracyTable |> Array.find (fun p -> p.Method = name && p.Target = target)
            // The paper: magnitude 0.959 / 0.968 / 0.806, random 0.960 / 0.970 / 0.810, CS 0.962 / 0.971 / 0.588.
            for name, values in [ "magnitude", [ 0.959; 0.968; 0.806 ]; "random", [ 0.960; 0.970; 0.810 ]; "dtc", [ 0.962; 0.971; 0.588 ] ] do
                List.zip [ 0.10; 0.80; 0.982 ] values
                |> List.iter (fun (t, v) ->
                    let p = at name t
                    // The paper prints 0.588 for the supplement's 0.58746 (CS, last cycle): hence 1e-3.
                    Expect.floatClose { absolute = 1e-3; relative = 0.0 } p.Accuracy v (sprintf "%s at %g: the paper's %.3f" name t v)
                    Expect.isLessThan (abs (p.FractionRemoved - t)) 0.02 (sprintf "%s at %g: nearest cycle" name t))
            let md = Analysis.toMarkdown a
            Expect.stringContains md "| dtc | dtc | entropy(y2) | 0.917" "Markdown shows the paper's r"
            Expect.stringContains md "partial r given log(n)" "Markdown shows the partial correlations"
        }

        test "the analysis round-trips through JSON (NaN included)" {
            let a = Analysis.analyze Analysis.paper (paperResults ())
            let json = Analysis.toJson a
            Expect.stringContains json "\"NaN\"" "NaN is written as a string"
            let b = Analysis.ofJson json
            Expect.equal (Analysis.toJson b) json "the JSON of the parsed analysis is the same"
            Expect.equal b.Methods.Length a.Methods.Length "methods"
            let r, s = row a "dtc" "random" "entropy(y2)", row b "dtc" "random" "entropy(y2)"
            Expect.equal s.Pearson.Coefficient r.Pearson.Coefficient "a coefficient survives exactly"
            Expect.isTrue (b.Methods |> Array.exists (fun m -> m.Cycles |> Array.exists (fun c -> Double.IsNaN c.EntropyY1))) "NaN survives"
            // From a file: read back the same; a file that is not an analysis is named in the error.
            let folder = IO.Directory.CreateTempSubdirectory("dtc-analysis-").FullName
            try
                let good, bad = IO.Path.Combine(folder, "analysis.json"), IO.Path.Combine(folder, "results.json")
                global.Dtc.Runtime.AtomicFile.writeText good json
                Expect.equal (Analysis.toJson (Analysis.read good)) json "read from a file"
                IO.File.WriteAllText(bad, "[1, 2")
                let message = Thrown.messageOf<IO.InvalidDataException> (fun () -> Analysis.read bad |> ignore)
                Expect.stringContains message bad "the message names the file"
            finally
                IO.Directory.Delete(folder, true)
        }

        test "results saved as results.json analyse the same as in memory" {
            let results = paperResults ()
            let a = Analysis.analyze Analysis.paper results
            let b = Analysis.analyze Analysis.paper (ofJson (toJson results))
            Expect.equal (Analysis.toJson b) (Analysis.toJson a) "same analysis after a results.json round trip"
        }

        test "results without measurements analyse without error: entropy NaN, no correlations, a note" {
            let a = Analysis.analyze Analysis.defaults (noMeasurements ())
            for m in a.Methods do
                Expect.isFalse m.HasMeasurements (sprintf "%s has no measurements" m.Method)
                for c in m.Cycles do
                    Expect.isTrue (Double.IsNaN c.EntropyY1 && Double.IsNaN c.EntropyY2) "entropy NaN"
                    Expect.isTrue (Double.IsNaN c.LogMeasurements) "log(n) NaN"
                    Expect.isFalse (Double.IsNaN c.SmoothedAccuracy) "the accuracy is still smoothed"
            Expect.isEmpty a.Correlations "no correlations without an entropy source"
            Expect.isNonEmpty a.Notes "a note says why"
            Expect.stringContains (Analysis.toMarkdown a) "No correlations" "the table says so"
            Analysis.ofJson (Analysis.toJson a) |> ignore
        }

        test "correlations with too few pairs are NaN with N and a note" {
            let p, s, note = Analysis.correlate [| 1.0; nan; 2.0; nan |] [| 0.5; 0.6; nan; 0.7 |]
            Expect.isTrue (Double.IsNaN p.Coefficient && Double.IsNaN s.Coefficient) "NaN"
            Expect.equal p.N 1 "one complete pair"
            Expect.stringContains note "complete pairs" "a note"
            let e, note = Analysis.partialGiven [| 1.0; 2.0; 3.0; 4.0; 5.0 |] [| 2.0; 1.0; 4.0; 3.0; 6.0 |] [| 1.0; 1.0; 1.0; 1.0; 1.0 |]
            Expect.isTrue (Double.IsNaN e.Coefficient) "NaN with a constant covariate"
            Expect.stringContains note "constant" "a note"
        }

        test "the exact accuracy is the default; NaN accuracies give a note" {
            let a = Analysis.analyze Analysis.defaults (paperResults ())
            Expect.equal a.AccuracyDefinition "TestAccuracy" "the default is the exact accuracy"
            Expect.exists a.Notes (fun n -> n.Contains "TestAccuracy is not finite") "a note on the missing accuracy"
            let r = row a "dtc" "dtc" "entropy(y2)"
            Expect.isTrue (Double.IsNaN r.Pearson.Coefficient) "no accuracy, no correlation"
        }

        test "a negative layer index is rejected with a clear message" {
            Expect.throwsT<ArgumentException> (fun () -> Analysis.analyze { Analysis.defaults with Layer = -1 } (noMeasurements ()) |> ignore) "negative layer"
            try Analysis.analyze { Analysis.defaults with Layer = -1 } (noMeasurements ()) |> ignore
            with :? ArgumentException as e -> Expect.stringContains e.Message "Expecting a hidden layer index >= 0 but received -1" "the message"
        }
    ]
