module Dtc.Tests.Training.Steps

open System
open Expecto
open TorchSharp
open Dtc.Data
open Dtc.Training
open Dtc.Tests.Support

let private dataset (train: int) (test: int) =
    let split n = Bytes(Array.init (n * 6) byte), Array.init n (fun i -> i % 10)
    Datasets.ofArrays "tiny" [| 1; 2; 3 |] (Some 10) (split train) (split test)

[<Tests>]
let tests =
    testList "Training.Steps" [
        testCase "a batch larger than the training set is refused before staging, naming both sizes" <| fun () ->
            let data = dataset 30 7
            let message = Thrown.messageOf<ArgumentException> (fun () -> (Steps.stage Datasets.Normalisation.paper 31 torch.CPU data :> IDisposable).Dispose())
            Expect.stringContains message "31" "the batch size"
            Expect.stringContains message "30 training samples" "the training set's size"
            let huge = Thrown.messageOf<ArgumentException> (fun () -> (Steps.stage Datasets.Normalisation.paper Int32.MaxValue torch.CPU data :> IDisposable).Dispose())
            Expect.stringContains huge "2147483647" "int max"
            // The whole training set in one batch is fine, and a test set smaller than a batch too.
            use staged = Steps.stage Datasets.Normalisation.paper 30 torch.CPU data
            Expect.equal staged.Train.Batches.Length 1 "one batch"
    ]
