(**
---
title: Conv2d channels
category: Your network
categoryindex: 2
index: 2
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
# Conv2d channels

Dtc compresses a CNN's convolution channels and hidden units together, while it trains, with the paper's
scoring. The experiment: on Fashion-MNIST, a small CNN (two conv layers of 32 and 64 channels, one hidden
Linear of 128) compressed to at most 10 channels and units per layer by magnitude, random and DTC:
*)
(*** hide ***)
open System.IO
open System.Text.Json
let resultFile = Path.Combine(__SOURCE_DIRECTORY__, "data", "cnn-fashion-mnist.json")
let resultTable =
    if File.Exists resultFile then
        use doc = JsonDocument.Parse(File.ReadAllText resultFile)
        let root = doc.RootElement
        let methods = [ for m in root.GetProperty("methods").EnumerateArray() -> m ]
        let cycles (m: JsonElement) = [ for c in m.GetProperty("cycles").EnumerateArray() -> c ]
        let count = methods |> List.map (fun m -> (cycles m).Length) |> List.max
        let pick = [ 1; 3; 6; 9; 12; 15; 18; count ] |> List.filter (fun c -> c <= count) |> List.distinct
        let number (e: JsonElement) = if e.ValueKind = JsonValueKind.Number then e.GetDouble() else nan
        let header =
            "<tr><th>cycle</th><th>widths (conv1, conv2, fc1)</th><th>parameters removed</th>"
            + String.concat "" [ for m in methods -> sprintf "<th>%s accuracy</th>" (m.GetProperty("method").GetString()) ] + "</tr>"
        let first = cycles methods.Head
        let initial = methods |> List.map (fun m -> sprintf "<td>%.4f</td>" (number (m.GetProperty "initialAccuracy"))) |> String.concat ""
        let rows =
            [ yield sprintf "<tr><td>0 (trained, not compressed)</td><td>%s</td><td>0</td>%s</tr>"
                        (String.concat ", " [ for w in methods.Head.GetProperty("initialWidths").EnumerateArray() -> string (w.GetInt32()) ]) initial
              for c in pick do
                  let row = first.[min (c - 1) (first.Length - 1)]
                  let widths = String.concat ", " [ for w in row.GetProperty("widths").EnumerateArray() -> string (w.GetInt32()) ]
                  let accuracies =
                      methods |> List.map (fun m ->
                          let cs = cycles m
                          if c <= cs.Length then sprintf "<td>%.4f</td>" (number (cs.[c - 1].GetProperty "testAccuracy")) else "<td></td>")
                  yield sprintf "<tr><td>%d</td><td>%s</td><td>%.3f</td>%s</tr>" c widths (number (row.GetProperty "fractionRemoved")) (String.concat "" accuracies) ]
        let protocol = root.GetProperty("protocol")
        sprintf "<table><thead>%s</thead><tbody>%s</tbody></table><p>From <code>docs/data/cnn-fashion-mnist.json</code>: %d training and %d test images, batches of %s, %s per cycle, keep %s, stop %s, %d threads, %.0f s for the three methods.</p>"
            header (String.concat "" rows) (root.GetProperty("trainSize").GetInt32()) (root.GetProperty("testSize").GetInt32())
            (protocol.GetProperty("batchSize").GetString()) (protocol.GetProperty("batchesPerCycle").GetString())
            (protocol.GetProperty("keep").GetString()) (protocol.GetProperty("stop").GetString())
            (root.GetProperty("threads").GetInt32()) (number (root.GetProperty "wallSeconds"))
    else
        "<p><em>No run has been recorded yet</em>: <code>docs/data/cnn-fashion-mnist.json</code> does not exist (<code>dotnet fsi bench/cnn/run.fsx</code> records one).</p>"
resultTable
(*** include-it-raw ***)
(**
One seed, so read it as what happens, not as a ranking: all three keep about 0.8 accuracy down to 94% of
the weights removed; below that the paper's selection rule (it removes the *largest* scores) drives magnitude
to chance, while random and DTC swing by up to 0.2 from one cycle to the next (0.53 and 0.83 at the end).

"Parameters removed" is the fraction of the network's weights gone (the widths follow the same schedule
for every method, so the column holds for all three). Reproduce it after `dotnet build src/Dtc.Cli -c Release`
with (Debian's `dataset-fashion-mnist` package installed):

```text
dotnet fsi bench/cnn/run.fsx
```

The script states its settings: the paper's (keep 0.9, stop 10, Adam 1e-3, a new optimiser each cycle, the
paper's selection rule and DTC settings), batches of 128, 50 per cycle, each cycle continuing in the data,
and Fashion-MNIST's normalisation (mean 0.2860, std 0.3530). It switches ATen's oneDNN convolutions off (as
`torch.backends.mkldnn.enabled = False` does in PyTorch): on an AMD EPYC with AVX-512, oneDNN's float32
convolutions returned NaN now and then, even capped at AVX2; ATen's own convolutions showed none. Dtc stops
a cycle whose training loss is not finite, and says so.

## How a channel is scored

A conv layer's output channel is a unit. Dual tomography needs each unit's incoming and outgoing profile:

- **incoming**: the sum of the channel's filter — the conv weight, shape `C × C_in × kh × kw`, viewed as a
  `C × (C_in·kh·kw)` matrix, summed over each row;
- **outgoing**: the sum of every weight that reads the channel — the next conv's weight, `C_next × C × kh × kw`,
  permuted to a `(C_next·kh·kw) × C` matrix; or, after a flatten, the first Linear's weight, `out × (C·H·W)`,
  viewed as `out × C × (H·W)` and permuted to `(out·H·W) × C`; summed over each column.

These two 2-D views go to the same `Compression.choose` as the MLP trainer's layers, so magnitude, random
and DTC score channels exactly as they score hidden units.

## How a channel is sliced

In place, on the layers you hold: the conv's output channels and bias, every BatchNorm2d between (weight,
bias, running mean and variance) and the next conv's input channels — or the Linear's block of \(HW\)
columns per channel after a flatten. TorchSharp 0.107 has no public setter for `Conv2d.in_channels`,
`Conv2d.out_channels` and `BatchNorm2d.num_features`; Dtc sets them through their backing fields, since
Conv2d's forward checks `in_channels`. Grouped and depthwise convolutions are refused, naming the layer.

A tiny live example (one compression of an untrained CNN, no data needed):
*)
open TorchSharp
open Dtc.Training
open Dtc.Networks

Dtc.Runtime.Torch.init ()
let layer (name: string) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) = struct (name, m)
let cnn =
    torch.nn.Sequential(
        layer "conv1" (torch.nn.Conv2d(1L, 16L, 3L, padding = 1L)), layer "bn1" (torch.nn.BatchNorm2d(16L)),
        layer "relu1" (torch.nn.ReLU()), layer "pool1" (torch.nn.MaxPool2d(2L)),
        layer "conv2" (torch.nn.Conv2d(16L, 32L, 3L, padding = 1L)), layer "relu2" (torch.nn.ReLU()), layer "pool2" (torch.nn.MaxPool2d(2L)),
        layer "flatten" (torch.nn.Flatten()), layer "fc1" (torch.nn.Linear(32L * 7L * 7L, 64L)), layer "relu3" (torch.nn.ReLU()),
        layer "fc2" (torch.nn.Linear(64L, 10L)))
let network = Network.ofSequential [| 1; 28; 28 |] cnn
Network.groups network
(*** include-it ***)
let records = Network.compressOnce Protocol.Protocol.paper Protocol.dtc network
Network.widths network, Network.parameterCount network
(*** include-it ***)
(**
The module you hold is the smaller one; its forward still takes a `batch × 1 × 28 × 28` input:
*)
let output =
    use x = torch.randn(2L, 1L, 28L, 28L)
    use y = cnn.forward x
    y.shape
(*** include-it ***)
(**
## The same from C#
*)
(*** hide ***)
csharp "NetworkExamples.cs" "conv"
(*** include-it-raw ***)
