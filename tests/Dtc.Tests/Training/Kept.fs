/// The networks a run keeps: each method's final network and those of chosen cycles, as live modules that
/// compute what the run measured.
module Dtc.Tests.Training.Kept

open System.Threading
open Expecto
open TorchSharp
open Dtc.Training
open Dtc.Tests.Training.CompressTrain

/// Test accuracy of a kept network on staged data (flat rows, as the MLP reads them).
let private accuracy (network: TorchSharp.Modules.Sequential) (data: Steps.Staged) =
    fst (Steps.evaluate (fun x -> network.forward x) data)

[<Tests>]
let tests =
    testSequenced <| testList "Training.Kept" [
        testCase "runModels keeps each method's final network and the chosen cycles, as the records say" <| fun () ->
            use data = staged ()
            let o = { options None false ignore CancellationToken.None with ModelCycles = [ 1; 3; 99 ] }
            use run = CompressTrain.runStagedModels { o with Protocol = { o.Protocol with Methods = [ magnitude; dtc ] } } "synthetic" data
            for m in run.Results.Methods do
                let kept = run.Models |> Array.filter (fun k -> k.Method = m.Method)
                let last = Array.last m.Cycles
                Expect.equal [ for k in kept -> k.Cycle, k.Final ] [ 1, false; 3, false; last.Cycle, true ] (m.Method + ": cycles 1, 3 and the final one")
                for k in kept do
                    let record = m.Cycles.[k.Cycle - 1]
                    Expect.equal k.Widths record.Widths (sprintf "%s cycle %d: widths" m.Method k.Cycle)
                    Expect.equal k.SampleShape [| 20 |] "the MLP reads flat rows"
                    Expect.equal (accuracy k.Network data) record.TestAccuracy (sprintf "%s cycle %d: the network computes the recorded accuracy" m.Method k.Cycle)
            Expect.equal (run.Models |> Array.map (fun k -> k.Method) |> Array.distinct) [| "magnitude"; "dtc" |] "in the protocol's order"

        testCase "run gives the same numbers as runModels" <| fun () ->
            use data = staged ()
            let o = options None false ignore CancellationToken.None
            let plain = runWith o data [ random ]
            use kept = CompressTrain.runStagedModels { o with Protocol = { o.Protocol with Methods = [ random ] } } "synthetic" data
            Expect.equal kept.Results.Metadata.Digest plain.Metadata.Digest "same digest"
    ]
