(**
---
title: Your data
category: Overview
categoryindex: 1
index: 7
---
*)
(*** condition: prepare ***)
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
(*** condition: ipynb ***)
#if IPYNB
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
#endif // IPYNB
(*** hide ***)
#load "../tests/Dtc.CSharp.Tests/Examples/Snippets.fsx"
open Snippets
(**
# Your data

Dtc trains on any labelled data, not only MNIST. You give it features and labels for a train and a
test split. It checks them, then runs the same compress-train cycles as the paper.

This page is an F# script: it ran when the site was built, and the outputs are what it printed.

## What a data set is

A `Dataset` holds two splits. Each split has features and one label per sample.

- Features are bytes (`Bytes`, such as pixels 0–255) or float32 values (`Floats`).
  They lie row-major: sample after sample.
- `SampleShape` is one sample's shape: `[| 20 |]` for 20 features, `[| 1; 28; 28 |]` for an MNIST image.
- Labels are integers `0 … ClassCount − 1`. The model gets one output per class.

The named data sets (`mnist-sample`, `fashion-mnist`, `mnist`, a folder of IDX files) are data sets of
this kind: bytes of shape 1 × 28 × 28, 10 classes.

## A data set from arrays

We make a small problem: 3 classes, 20 features. Each class has a centre; a sample is its
class's centre plus noise. The seed makes it the same every time.
*)
open System
open System.Threading
open TorchSharp
open Dtc.Data
open Dtc.Training

Dtc.Runtime.Torch.init ()
torch.set_num_threads 2

let random = Random 42
let centres = Array2D.init 3 20 (fun _ _ -> 2.0 * random.NextDouble() - 1.0)

/// n samples: the features (n × 20, row-major) and the labels 0, 1, 2, 0, 1, 2, …
let make (n: int) =
    let labels = Array.init n (fun i -> i % 3)
    let features = Array.init (n * 20) (fun k -> float32 (centres.[labels.[k / 20], k % 20] + 3.0 * (random.NextDouble() - 0.5)))
    Floats features, labels

let dataset = Datasets.ofArrays "blobs" [| 20 |] None (make 1200) (make 300)
(**
`None` asks Dtc to infer the class count: the largest label + 1. Pass `Some 5` to fix it yourself
(say, when a class is missing from this sample). The arrays are copied.
*)
printfn "%s" (Datasets.describe (Datasets.summarise dataset))
(*** include-output ***)
(**
From tensors, `Datasets.ofTensors` does the same. Features are a tensor of shape n × sample shape
(float32, float64 or uint8); labels are int64 or int32 of shape n.
*)
let images = torch.arange(6400.0f).reshape(100L, 1L, 8L, 8L)     // 100 images of 1 × 8 × 8
let classes = torch.tensor(Array.init 100 (fun i -> int64 (i % 4)))  // labels 0, 1, 2, 3, 0, …
let fromTensors = Datasets.ofTensors "random-images" (Some 4) (images, classes) (images, classes)
fromTensors.SampleShape, fromTensors.ClassCount
(*** include-it ***)
(**
## Checks

Every builder checks the data. A problem raises an `ArgumentException` with one line that names the
bad value. Here a NaN hides in sample 1:
*)
let broken = Array.create (3 * 20) 0.5f
broken.[25] <- nanf

let message =
    try
        Datasets.ofArrays "broken" [| 20 |] None (Floats broken, [| 0; 1; 2 |]) (make 3) |> ignore
        "no error"
    with :? ArgumentException as e -> e.Message

printfn "%s" message
(*** include-output ***)
(**
The checks cover: NaN or infinite features, negative labels, labels outside the class count,
feature and label counts that differ, features that do not fill whole samples, a sample shape
that differs between splits, an empty split, and fewer than 2 classes.

## Normalisation

Staging turns features into float32 inputs. Bytes are scaled to [0, 1] first (x / 255). Then
each input becomes (x − mean) / std. `Normalisation` says where mean and std come from:

- `Given(mean, std)`: your numbers. The paper's are `Given(0.1307, 0.3081)` (`Normalisation.paper`).
- `Computed`: the mean and std of all training features. Dtc reports them.
- `Off`: no normalisation.
*)
let statistics = Datasets.statistics Normalisation.Computed dataset
statistics
(*** include-it ***)
(**
## A short compress-train run

`CompressTrain.run` stages the data itself, normalised as the protocol says: here
`Normalisation.Computed`, the statistics of the training split. The model's output width comes from
the data's class count (3 here). We use 64 hidden units and 20 mini-batches of 100 per cycle, so it
takes seconds.
*)
let protocol =
    { Protocol.Protocol.paper with
        Hidden = [| 64 |]; BatchSize = 100; BatchesPerCycle = 20; Stop = 10
        Normalisation = Normalisation.Computed
        Methods = [ Protocol.Magnitude; Protocol.dtc ] }

let results = CompressTrain.run { CompressTrain.RunOptions.defaults with Protocol = protocol } dataset
(**
The test accuracy after each cycle, for each method:
*)
for m in results.Methods do
    for c in m.Cycles do
        printfn "%-9s cycle %2d: %2d units, accuracy %.3f" m.Method c.Cycle c.Widths.[0] c.TestAccuracy
(*** include-output ***)
(**
The paper's protocol has `Normalisation = Given(0.1307, 0.3081)`, MNIST's statistics. The results'
metadata records the statistics the run applied:
*)
results.Metadata.Protocol.["mean"], results.Metadata.Protocol.["std"]
(*** include-it ***)
(**

## The same in C#

The C# facade has the same builders: `Dataset.FromArrays` (for `float[]`, `byte[]` and `float[,]`
with one row per sample) and `Dataset.FromTensors`. This code is a test of the C# test project, so
it runs on every build:
*)
(*** hide ***)
csharp "YourDataExamples.cs" "arrays"
(*** include-it-raw ***)
(**
A bad value gives the same one-line message:
*)
(*** hide ***)
csharp "YourDataExamples.cs" "validation"
(*** include-it-raw ***)
(**
And from tensors:
*)
(*** hide ***)
csharp "YourDataExamples.cs" "tensors"
(*** include-it-raw ***)
(*** hide ***)
images.Dispose()
classes.Dispose()
