module Dtc.Tests.Data.Dataset

open System
open Expecto
open TorchSharp
open Dtc.Data
open Dtc.Tests.Data.Idx

/// n samples of `size` float features and labels cycling over `classes`.
let private floatSplit (n: int) (size: int) (classes: int) =
    Floats(Array.init (n * size) (fun i -> float32 i * 0.5f)), Array.init n (fun i -> i % classes)

let private byteSplit (n: int) (size: int) (classes: int) =
    Bytes(Array.init (n * size) byte), Array.init n (fun i -> i % classes)

let private build (train: Features * int[]) (test: Features * int[]) =
    Datasets.ofArrays "x" [| 5 |] None train test

let private builders =
    testList "builders" [
        testCase "ofArrays: flat float vectors, 3 classes inferred" <| fun () ->
            let d = Datasets.ofArrays "blobs" [| 20 |] None (floatSplit 12 20 3) (floatSplit 6 20 3)
            Expect.equal (d.Name, d.Source, d.ClassCount) ("blobs", "arrays", 3) "name, source, classes"
            Expect.sequenceEqual d.SampleShape [| 20 |] "shape"
            Expect.equal (d.Train.Count, d.Test.Count) (12, 6) "counts"
            Expect.sequenceEqual (Datasets.classCounts d d.Train) [| 4; 4; 4 |] "per class"

        testCase "ofArrays: bytes of shape C × H × W, a class count given above the largest label" <| fun () ->
            let d = Datasets.ofArrays "images" [| 3; 4; 4 |] (Some 7) (byteSplit 5 48 2) (byteSplit 2 48 2)
            Expect.equal d.ClassCount 7 "given"
            Expect.sequenceEqual (Datasets.classCounts d d.Train) [| 3; 2; 0; 0; 0; 0; 0 |] "seven counts"
            let text = Datasets.describe (Datasets.summarise d)
            Expect.stringContains text "images (arrays), 7 classes" "header"
            Expect.stringContains text "5 samples of 3 × 4 × 4" "train line"
            Expect.stringContains text "6:0" "empty classes listed"

        testCase "ofArrays copies the arrays" <| fun () ->
            let x, y = floatSplit 4 5 2
            let d = build (x, y) (floatSplit 2 5 2)
            (match x with Floats a -> a.[0] <- 99.0f | Bytes _ -> ())
            y.[0] <- 1
            Expect.equal d.Train.Features (fst (floatSplit 4 5 2)) "features unchanged"
            Expect.equal d.Train.Labels.[0] 0 "labels unchanged"

        testCase "ofTensors: float32 images n × 1 × 2 × 3 and int64 labels" <| fun () ->
            Dtc.Runtime.Torch.init ()
            use x = torch.arange(0.0f, 60.0f, 1.0f).reshape(10L, 1L, 2L, 3L)
            use y = torch.tensor([| 0L; 1L; 2L; 3L; 0L; 1L; 2L; 3L; 0L; 1L |])
            use xt = torch.ones([| 2L; 1L; 2L; 3L |])
            use yt = torch.tensor([| 3L; 0L |])
            let d = Datasets.ofTensors "t" None (x, y) (xt, yt)
            Expect.equal (d.Source, d.ClassCount) ("tensors", 4) "source, 4 classes inferred"
            Expect.sequenceEqual d.SampleShape [| 1; 2; 3 |] "shape"
            Expect.equal d.Train.Features (Floats(Array.init 60 float32)) "row-major copy"
            Expect.sequenceEqual d.Test.Labels [| 3; 0 |] "labels"
            x.[0L, 0L, 0L, 0L] <- torch.tensor 5.0f
            Expect.equal d.Train.Features (Floats(Array.init 60 float32)) "copied, not retained"

        testCase "ofTensors: float64 becomes float32, uint8 stays bytes, int32 labels, a class count given" <| fun () ->
            Dtc.Runtime.Torch.init ()
            use x = torch.tensor([| 0.25; 1.5; -2.0; 3.0 |], ReadOnlySpan<int64>([| 2L; 2L |]), dtype = torch.float64)
            use y = torch.tensor([| 0; 1 |], dtype = torch.int32)
            let d = Datasets.ofTensors "f64" (Some 5) (x, y) (x, y)
            Expect.equal d.Train.Features (Floats [| 0.25f; 1.5f; -2.0f; 3.0f |]) "float32 values"
            Expect.equal d.ClassCount 5 "given"
            use b = torch.tensor([| 1uy; 2uy; 3uy; 4uy; 5uy; 6uy |], ReadOnlySpan<int64>([| 3L; 2L |]))
            use yb = torch.tensor([| 0L; 1L; 1L |])
            let bytes = Datasets.ofTensors "u8" None (b, yb) (b, yb)
            Expect.equal bytes.Train.Features (Bytes [| 1uy .. 6uy |]) "bytes"
    ]

let private messages =
    testList "validation names the bad value" [
        testCase "NaN and infinity: split, sample, feature and value" <| fun () ->
            let x = Array.create 20 1.0f
            x.[13] <- nanf
            expectDataError [ "Expecting finite features in the test split but received NaN at sample 2, feature 3 (of 5)" ] "NaN"
                (fun () -> build (floatSplit 4 5 2) (Floats x, [| 0; 1; 0; 1 |])) |> ignore
            x.[13] <- Single.NegativeInfinity
            expectDataError [ "received -Infinity at sample 2, feature 3" ] "−∞" (fun () -> build (Floats x, [| 0; 1; 0; 1 |]) (floatSplit 2 5 2)) |> ignore

        testCase "a label out of range with a given class count: index, value and range" <| fun () ->
            let x, y = floatSplit 4 5 2
            expectDataError [ "Expecting a class count of at least 8 (the largest label, 7, + 1) but received 3" ] "given too small"
                (fun () -> Datasets.ofArrays "x" [| 5 |] (Some 3) (x, [| 0; 1; 7; 1 |]) (floatSplit 2 5 2)) |> ignore
            let bad = { Datasets.ofArrays "x" [| 5 |] None (x, y) (floatSplit 2 5 2) with ClassCount = 2 }
            let bad = { bad with Test = { bad.Test with Labels = [| 0; 2 |] } }
            expectDataError [ "Expecting labels in 0–1 (2 classes) in the test split but received 2 at index 1" ] "validate" (fun () -> Datasets.validate bad) |> ignore

        testCase "a negative label" <| fun () ->
            let x, _ = floatSplit 4 5 2
            expectDataError [ "Expecting labels of at least 0 in the train split but received -1 at index 2" ] "negative"
                (fun () -> build (x, [| 0; 1; -1; 1 |]) (floatSplit 2 5 2)) |> ignore

        testCase "counts of features and labels differ" <| fun () ->
            let x, _ = floatSplit 4 5 2
            expectDataError [ "Expecting as many labels as samples in the train split but received 4 samples (of shape 5) and 3 labels" ] "counts"
                (fun () -> build (x, [| 0; 1; 0 |]) (floatSplit 2 5 2)) |> ignore

        testCase "features whose length is not n × shape" <| fun () ->
            expectDataError [ "Expecting n × 5 feature values in the test split"; "received 11, not a multiple of 5" ] "length"
                (fun () -> build (floatSplit 4 5 2) (Floats(Array.zeroCreate 11), [| 0; 1 |])) |> ignore

        testCase "a sample shape that differs between splits" <| fun () ->
            Dtc.Runtime.Torch.init ()
            use x = torch.zeros([| 4L; 2L; 3L |])
            use xt = torch.zeros([| 2L; 3L; 2L |])
            use y = torch.tensor([| 0L; 1L; 0L; 1L |])
            use yt = torch.tensor([| 0L; 1L |])
            expectDataError [ "Expecting test samples of the training samples' shape 2 × 3 but received 3 × 2" ] "shapes"
                (fun () -> Datasets.ofTensors "t" None (x, y) (xt, yt)) |> ignore

        testCase "an empty split" <| fun () ->
            expectDataError [ "Expecting at least one sample in the test split but received none" ] "empty"
                (fun () -> build (floatSplit 4 5 2) (Floats [||], [||])) |> ignore

        testCase "fewer than 2 classes" <| fun () ->
            expectDataError [ "Expecting at least 2 classes but received a class count of 1" ] "one class"
                (fun () -> build (floatSplit 4 5 1) (floatSplit 2 5 1)) |> ignore
            expectDataError [ "class count of 1" ] "given 1" (fun () -> Datasets.ofArrays "x" [| 5 |] (Some 1) (floatSplit 4 5 1) (floatSplit 2 5 1)) |> ignore

        testCase "a bad sample shape, null arrays, tensors of other dtypes or ranks" <| fun () ->
            expectDataError [ "Expecting a sample shape of one or more sizes of at least 1 but received 0 × 3" ] "shape"
                (fun () -> Datasets.ofArrays "x" [| 0; 3 |] None (floatSplit 4 5 2) (floatSplit 2 5 2)) |> ignore
            expectDataError [ "features array in the train split but received null" ] "null"
                (fun () -> build (Floats null, [| 0 |]) (floatSplit 2 5 2)) |> ignore
            Dtc.Runtime.Torch.init ()
            use x = torch.zeros([| 4L; 5L |], dtype = torch.int16)
            use flat = torch.zeros([| 4L |])
            use y = torch.tensor([| 0L; 1L; 0L; 1L |])
            use yf = torch.zeros([| 4L |])
            expectDataError [ "Expecting train features of dtype float32, float64 or uint8 but received Int16" ] "dtype"
                (fun () -> Datasets.ofTensors "t" None (x, y) (x, y)) |> ignore
            expectDataError [ "Expecting train features of shape n × sample shape (2 or more dimensions) but received shape 4" ] "rank"
                (fun () -> Datasets.ofTensors "t" None (flat, y) (flat, y)) |> ignore
            expectDataError [ "Expecting train labels of dtype int64 or int32 but received Float32" ] "label dtype"
                (fun () -> Datasets.ofTensors "t" None (x.``to``(torch.float32), yf) (x.``to``(torch.float32), yf)) |> ignore
    ]

[<Tests>]
let tests =
    testList "Data.Dataset" [ builders; messages ]
