module Dtc.Tests.Training.Model

open System
open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Training

[<Tests>]
let tests =
    testList "Training.Model" [
        testCase "Xavier-normal initialisation is seeded and has the right scale" <| fun () ->
            use a = Model.create 42424242L false true torch.float32 torch.CPU [| 784; 512; 10 |]
            use b = Model.create 42424242L false true torch.float32 torch.CPU [| 784; 512; 10 |]
            Expect.sequenceEqual a.Widths [| 784; 512; 10 |] "widths"
            Expect.sequenceEqual (Torch.toArray a.Weights.[1]) (Torch.toArray b.Weights.[1]) "same seed, same weights"
            let std = (Torch.toArray a.Weights.[0] |> fun v -> sqrt (Array.averageBy (fun x -> x * x) v))
            Expect.floatClose { absolute = 0.0; relative = 0.01 } std (sqrt (2.0 / (784.0 + 512.0))) "std = sqrt(2 / (fan_in + fan_out))"
            Expect.isEmpty a.Biases "no biases"

        testCase "log-softmax over classes sums to one per row; the quirk sums over the batch" <| fun () ->
            use m = Model.create 1L true false torch.float32 torch.CPU [| 6; 5; 3 |]
            use x = torch.randn(4L, 6L)
            use y = Model.forward m x
            Expect.sequenceEqual y.shape [| 4L; 3L |] "shape"
            use rows = y.exp().sum(1L)
            for v in Torch.toArray rows do Expect.floatClose Accuracy.medium v 1.0 "rows"
            use q = Model.forward { m with LogSoftmaxOverBatch = true } x
            use cols = q.exp().sum(0L)
            for v in Torch.toArray cols do Expect.floatClose Accuracy.medium v 1.0 "columns"

        testCase "compress gives a smaller model with the same output as masking the removed units" <| fun () ->
            use m = Model.create 2L true false torch.float64 torch.CPU [| 6; 8; 7; 3 |]
            use c = Model.compress 1 [| 0; 3; 6 |] m
            Expect.sequenceEqual c.Widths [| 6; 8; 3; 3 |] "second hidden layer sliced"
            Expect.sequenceEqual m.Widths [| 6; 8; 7; 3 |] "input model intact"
            use x = torch.randn(5L, 6L, dtype = torch.float64)
            use masked = Model.copy m
            use _ = torch.no_grad ()
            for u in [ 1L; 2L; 4L; 5L ] do
                masked.Weights.[1].[u].zero_() |> ignore
                masked.Biases.[1].[u].zero_() |> ignore
            use a = Model.forward c x
            use b = Model.forward masked x
            Expect.isLessThan ((a - b).abs().max().ToDouble()) 1e-12 "same output"

        testCase "bad widths and layer indices are rejected" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> Model.create 1L false false torch.float32 torch.CPU [| 5 |] |> ignore) "one width"
            use m = Model.create 1L false false torch.float32 torch.CPU [| 5; 4; 2 |]
            Expect.throwsT<ArgumentException> (fun () -> Model.pair 1 m |> ignore) "no second hidden layer"
    ]
