module Dtc.Tests.Bench.Harness

open System.Text.Json
open Expecto
open Dtc.Bench

/// A run small enough for a unit test: every stage once, at tiny sizes, no protocol.
let private tiny : Report.Settings =
    { Report.Settings.defaults with
        GemmSize = 64; Repetitions = 1; CompressWidths = [| 32 |]; SolverBatches = [| 2 |]; SolverLengths = [| 40 |]
        Protocol = false; SoakSteps = 4; StepWidths = [| 8 |] }

[<Tests>]
let tests =
    testSequenced <| testList "Bench.Harness" [
        testCase "the harness measures every stage and reports JSON" <| fun () ->
            let lines = ResizeArray<string>()
            let json = Dtc.Bench.Harness.run tiny lines.Add |> Report.toJson
            use doc = JsonDocument.Parse json
            let root = doc.RootElement
            let number (name: string) = root.GetProperty(name).GetDouble()
            Expect.isGreaterThan (number "gemmGflops") 0.0 "a positive GEMM throughput"
            Expect.isGreaterThan (number "trainStepMs") 0.0 "a positive training-step time"
            Expect.isGreaterThan (number "trainStepVsCeilingPaired") 0.0 "a positive paired ratio"
            let steps = root.GetProperty("steps").EnumerateArray() |> Array.ofSeq
            Expect.equal (steps |> Array.map (fun s -> s.GetProperty("width").GetInt32())) [| 8 |] "one step comparison at width 8"
            Expect.isTrue (steps.[0].GetProperty("byHandMs").GetDouble() > 0.0 && steps.[0].GetProperty("autogradMs").GetDouble() > 0.0) "both steps timed"
            Expect.isGreaterThan (steps.[0].GetProperty("ratio").GetDouble()) 0.0 "a positive ratio"
            Expect.exists lines (fun l -> l.StartsWith "training step 784-8-10 on one thread") "the comparison is logged"
            let compress = root.GetProperty("compress")
            Expect.equal (compress.GetArrayLength()) 1 "one compress width"
            Expect.equal (compress.[0].GetProperty("width").GetInt32()) 32 "width 32"
            Expect.equal (compress.[0].GetProperty("measurements").GetInt32()) 3 "int(32 · 0.0999…) = 3"
            let solver = root.GetProperty("solver").EnumerateArray() |> Array.ofSeq
            Expect.equal (solver |> Array.map (fun r -> r.GetProperty("path").GetString())) [| "solve"; "solveOnDevice" |] "both solvers"
            for r in solver do
                Expect.equal (r.GetProperty("measurements").GetInt32()) 3 "int(40 · 0.09999999999999998) = 3"
                Expect.isGreaterThan (r.GetProperty("batchedPerSecond").GetDouble()) 0.0 "batched throughput"
            Expect.exists lines (fun l -> l.StartsWith "GEMM") "the GEMM is logged"
            let soak = root.GetProperty("soak")
            Expect.equal (soak.GetProperty("steps").GetInt32()) 4 "four soak steps"
            let samples = soak.GetProperty("samples").EnumerateArray() |> Array.ofSeq
            Expect.equal (samples.[0].GetProperty("step").GetInt32()) 0 "the first sample before the first step"
            Expect.equal (samples.[samples.Length - 1].GetProperty("step").GetInt32()) 4 "the last sample after the last step"
            Expect.isGreaterThan (samples.[0].GetProperty("residentMiB").GetDouble()) 0.0 "resident memory sampled"
            for name in [ "protocolTotalSeconds"; "protocolCeilingSeconds"; "ceilingAroundProtocolGflops"; "protocolVsCeilingAround" ] do
                Expect.equal (root.GetProperty(name).ValueKind) JsonValueKind.String (sprintf "%s is \"NaN\": the protocol did not run" name)

        testCase "the probes answer on any system" <| fun () ->
            Expect.isGreaterThan (Probe.peakWorkingSetMiB ()) 0.0 "a positive peak working set"
            let resident, managed = Probe.retainedMiB ()
            Expect.isTrue (resident > 0.0 && managed > 0.0) "positive resident and managed memory"
            Expect.isTrue (System.Double.IsNaN(Probe.stolenPercent None (Probe.cpuTimes ()))) "NaN without a first reading"
            Expect.floatClose Accuracy.veryHigh (Probe.stolenPercent (Some(1.0, 100.0)) (Some(3.0, 200.0))) 2.0 "2 of 100 ticks stolen"
    ]
