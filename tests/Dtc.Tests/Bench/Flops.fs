module Dtc.Tests.Bench.Flops

open Expecto

open Dtc.Training
open Dtc.Training.Records

/// A cycle record of a one-hidden-layer run that trained at `before` units and kept `after`.
let private cycle (number: int) (before: int) (after: int) : CycleRecord =
    let layer =
        { Layer = 0; WidthBefore = before; WidthAfter = after; Measurements = 0; Ray = [||]; RayMeanAbsPerLength = nan
          Y1 = [||]; Y2 = [||]; SolverGaps = [||]; SolverIterations = [||]; ReconstructionErrors = [||]; Kept = [||] }
    { Cycle = number; Widths = [| after |]; FractionRemoved = 0.0; TestAccuracy = nan; TestAccuracyBatchMean = nan; TrainLoss = nan
      Layers = [| layer |]; TrainSeconds = 0.0; CompressSeconds = 0.0; EvalSeconds = 0.0 }

let private results (methods: string list) : Results =
    { Schema = "1"
      Metadata = Unchecked.defaultof<RunMetadata>
      Methods = [| for m in methods -> { Method = m; InitialAccuracy = nan; Cycles = [| cycle 1 40 36; cycle 2 36 32 |] } |]
      Footprints = [||] }

[<Tests>]
let tests =
    testList "Bench.Flops" [
        testCase "protocol FLOPs count each cycle's rows at its widths, and the shared first cycle once" <| fun () ->
            // The synthetic split: 20 pixels, 300 training samples in batches of 64 (64, 64, 64, 64, 44), 130 test samples.
            use data = Dtc.Tests.Training.CompressTrain.staged ()
            let p = { Dtc.Tests.Training.CompressTrain.protocol with BatchesPerCycle = 4; DataPosition = Protocol.Continue }
            // FLOPs per row: training 2·20·h·2 + 2·h·10·3 (no input gradient for the first layer), forward 2·20·h + 2·h·10.
            let train h = 80.0 * float h + 60.0 * float h
            let forward h = 40.0 * float h + 20.0 * float h
            let test = 130.0
            // Cycle 1 trains batches 0–3 (256 rows) at 40 units; cycle 2 continues with batches 4, 0, 1, 2 (236 rows) at 36.
            let firstCycle = 256.0 * train 40 + test * forward 40
            let perMethod = test * forward 36 + 236.0 * train 36 + test * forward 32
            let one = global.Dtc.Bench.Flops.protocol p data (results [ "dtc" ])
            Expect.floatClose Accuracy.veryHigh one (firstCycle + perMethod) "one method: its own first cycle"
            let two = global.Dtc.Bench.Flops.protocol p data (results [ "magnitude"; "dtc" ])
            Expect.floatClose Accuracy.veryHigh two (firstCycle + 2.0 * perMethod) "two methods: the first cycle once"
            // Restarting each cycle, cycle 2 trains batches 0–3 again (256 rows).
            let restart = global.Dtc.Bench.Flops.protocol { p with DataPosition = Protocol.RestartEachCycle } data (results [ "dtc" ])
            Expect.floatClose Accuracy.veryHigh restart (firstCycle + perMethod + 20.0 * train 36) "restart: 256 rows in cycle 2"

        testCase "protocol FLOPs refuse a cycle without layer records" <| fun () ->
            use data = Dtc.Tests.Training.CompressTrain.staged ()
            let r = results [ "dtc" ]
            let broken = { r with Methods = [| { r.Methods.[0] with Cycles = [| { (cycle 1 40 36) with Layers = [||] } |] } |] }
            Expect.throwsT<System.ArgumentException> (fun () -> global.Dtc.Bench.Flops.protocol Dtc.Tests.Training.CompressTrain.protocol data broken |> ignore) "no layers"
    ]
