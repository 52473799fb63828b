(**
---
title: Compress-train your own network
category: Your network
categoryindex: 2
index: 1
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
# Compress-train your own network

Dtc compress-trains the TorchSharp `Sequential` you already have, biases and all, with your optimiser and
your loss: each cycle trains a few mini-batches, then removes 10% of the units of every hidden layer (the
layers really get smaller, in place), until every hidden layer has at most `Stop` units. The scoring is the
paper's: magnitude, random or dual tomographic compression (DTC), the same code as the built-in MLP trainer.

What Dtc handles:

- **Linear units**: `Linear → [ReLU, LeakyReLU, GELU, Tanh, Sigmoid, SiLU, ReLU6, ELU, Mish, Dropout, Identity] → Linear`,
  with or without biases, any number of classes. Every hidden layer is compressed with its two neighbours.
- **Conv2d channels**: `Conv2d → [BatchNorm2d, activations, pooling] → Conv2d` or `… → Flatten → Linear`
  (see [Conv2d channels](conv-channels.html)).
- **Feed-forward pairs inside any module**, named by you (see [Feed-forward blocks](ffn-blocks.html)).

Anything Dtc cannot prove safe to slice through — a `LayerNorm`, a custom module that might hold a residual,
a grouped convolution — is refused with a message naming the layer. Nothing is sliced halfway.

## A Sequential MLP with biases

The data: the embedded `mnist-sample` (7,996 training and 2,004 test digits).
*)
open TorchSharp
open Dtc.Data
open Dtc.Training
open Dtc.Networks

Dtc.Runtime.Torch.init ()
torch.set_num_threads 2
let dataset = Datasets.mnistSample ()
(**
Describe the network: the module, and the shape of one input sample (here a flat row of 784 pixels; a CNN
takes `[| 1; 28; 28 |]`). `Network.ofSequential` finds the groups of units.
*)
let build () =
    let mlp =
        torch.nn.Sequential(
            torch.nn.Linear(784L, 64L), torch.nn.ReLU(),
            torch.nn.Linear(64L, 32L), torch.nn.ReLU(),
            torch.nn.Linear(32L, 10L))
    Network.ofSequential [| 784 |] mlp

let probe = build ()
Network.groups probe
(*** include-it ***)
(**
## Your optimiser and your loss

`Optimizer` makes each cycle's optimiser from the module's parameters (a new one every cycle, as in the
paper: the sliced layers hold new parameters); `Loss` takes the module's output and the targets. Left as
`None`, they are Adam with the protocol's learning rate and the cross-entropy of the outputs.

The methods compared start from the same weights: `build` is called once per method and the first
network's `state_dict` is copied into the others.
*)
let options =
    { Training.Options.defaults with
        Protocol =
            { Protocol.Protocol.paper with
                BatchSize = 100; BatchesPerCycle = 10; DataPosition = Protocol.Continue
                Methods = [ Protocol.Magnitude; Protocol.dtc ] }
        Optimizer = Some(fun parameters -> torch.optim.SGD(parameters, 0.05, momentum = 0.9))
        Loss = Some(fun output target -> torch.nn.functional.cross_entropy(output, target)) }

let results = Training.run options dataset build
(**
Every cycle is a record: the groups' widths, the parameter count, the fraction of parameters removed, test
accuracy, training loss, each group's scores and kept units, and timings. A few cycles of each method:
*)
(*** hide ***)
let table =
    let rows =
        [ for m in results.Methods do
              for c in m.Cycles do
                  if c.Cycle % 4 = 1 || c.Cycle = m.Cycles.Length then
                      sprintf "<tr><td>%s</td><td>%d</td><td>%s</td><td>%d</td><td>%.3f</td><td>%.3f</td></tr>"
                          m.Method c.Cycle (System.String.Join(", ", c.Widths)) c.Parameters c.FractionRemoved c.TestAccuracy ]
    "<table><thead><tr><th>method</th><th>cycle</th><th>widths</th><th>parameters</th><th>removed</th><th>accuracy</th></tr></thead><tbody>"
    + String.concat "" rows + "</tbody></table>"
table
(*** include-it-raw ***)
(**
The records serialise to JSON with `Training.toJson` (or `Training.write path`, atomically).

## One compression by hand

`Network.compressOnce` scores every group on the weights as given and slices them in place — the module
object you hold is the one that shrinks:
*)
let once = build ()
let before = Network.parameterCount once
let records = Network.compressOnce Protocol.Protocol.paper Protocol.dtc once
before, Network.parameterCount once, Network.widths once
(*** include-it ***)
(**
## The same from C#

The facade (`Dtc.CSharp.Networks`) takes a `Func<Network>`, `Func<>` optimiser and loss, and returns C# records:
*)
(*** hide ***)
csharp "NetworkExamples.cs" "sequential"
(*** include-it-raw ***)
(**
## What to know

- The input batches are views of the staged data (`n × 784`, float32) reshaped to `batch × sample shape`
  (no copy), converted to the module's dtype when it is not float32. The module's device is used.
- The module is put in training mode to train and in evaluation mode to evaluate (BatchNorm, Dropout).
- Slicing replaces the layers' parameters by smaller copies: create optimisers after a compression, not
  before (Dtc does so each cycle).
- Slicing keeps the outputs exact: the sliced network computes what the original computes with the removed
  units' outgoing weights set to zero (the tests check it for every activation above).
*)
