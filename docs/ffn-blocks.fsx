(**
---
title: Feed-forward blocks
category: Your network
categoryindex: 2
index: 3
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
# Feed-forward blocks

Name the two Linear layers of a feed-forward block — `up` and `down` of a transformer-style
`Linear → activation → Linear` — and Dtc compresses its hidden units in place, inside any module: residual
connections and normalisation around the block stay as they are, because the block's output keeps its width.

You name the pairs by their `named_modules()` names, such as `"block0.ffn.up", "block0.ffn.down"`. Dtc checks
that both are Linear and that `down` reads as many features as `up` produces, and refuses otherwise, naming the
module. What runs between the two layers is your promise: it must act on each unit alone (an activation,
dropout).

## A custom module with a residual around its FFN
*)
open TorchSharp
open Dtc.Data
open Dtc.Training
open Dtc.Networks

Dtc.Runtime.Torch.init ()
torch.set_num_threads 2

/// up → GELU → down.
type Ffn(width: int64, hidden: int64) as this =
    inherit torch.nn.Module<torch.Tensor, torch.Tensor>("Ffn")
    let up = torch.nn.Linear(width, hidden)
    let down = torch.nn.Linear(hidden, width)
    do this.RegisterComponents()
    override _.forward(x) =
        use h = up.forward x
        use a = torch.nn.functional.gelu h
        down.forward a

/// x + ffn(x), then LayerNorm.
type Block(width: int64, hidden: int64) as this =
    inherit torch.nn.Module<torch.Tensor, torch.Tensor>("Block")
    let ffn = new Ffn(width, hidden)
    let norm = torch.nn.LayerNorm([| width |])
    do this.RegisterComponents()
    override _.forward(x) =
        use f = ffn.forward x
        use y = x + f
        norm.forward y

/// embed → block0 → head.
type Net() as this =
    inherit torch.nn.Module<torch.Tensor, torch.Tensor>("Net")
    let embed = torch.nn.Linear(784L, 32L)
    let block0 = new Block(32L, 128L)
    let head = torch.nn.Linear(32L, 10L)
    do this.RegisterComponents()
    override _.forward(x) =
        use e = embed.forward x
        use b = block0.forward e
        head.forward b

let build () = Network.withPairs [| 784 |] [| "block0.ffn.up", "block0.ffn.down" |] (new Net())
Network.groups (build ())
(*** include-it ***)
(**
Compress-train it on the embedded `mnist-sample`: magnitude against DTC, from the same initial weights, a
few mini-batches per cycle, until the block has at most 10 hidden units.
*)
let protocol =
    { Protocol.Protocol.paper with
        BatchSize = 100; BatchesPerCycle = 10; DataPosition = Protocol.Continue
        Methods = [ Protocol.Magnitude; Protocol.dtc ] }
let results = Training.run { Training.Options.defaults with Protocol = protocol } (Datasets.mnistSample ()) build
[ for m in results.Methods ->
      let last = m.Cycles.[m.Cycles.Length - 1]
      m.Method, m.InitialParameters, last.Widths, last.Parameters, last.TestAccuracy ]
(*** include-it ***)
(**
(method, parameters before, FFN width after, parameters after, test accuracy after.) The embedding, the
residual path, the LayerNorm and the head are untouched; only the block's hidden units go.

A name that is not a module, or a module that is not a Linear, is refused:
*)
let refusal =
    try Network.withPairs [| 784 |] [| "block0.ffn.up", "block0.norm" |] (new Net()) |> ignore; ""
    with :? System.ArgumentException as e -> e.Message
(*** include-value: refusal ***)
(**
## The same from C#

`Network.WithPairs(module, inputShape, ("up", "down"))` takes the pairs as tuples (here a C# module whose
fields are named `up` and `down`):
*)
(*** hide ***)
csharp "NetworkExamples.cs" "ffn"
(*** include-it-raw ***)
