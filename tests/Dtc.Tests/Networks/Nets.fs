/// Small networks of each kind for the Networks tests: an MLP Sequential with biases, a CNN with
/// BatchNorm2d and a flatten, and a custom module with a feed-forward pair inside a residual.
module Dtc.Tests.Networks.Nets

open System
open TorchSharp
open TorchSharp.Modules
open Dtc.Networks

/// The elementwise activations Discovery lets a Linear group pass through, by name.
let activations : (string * (unit -> torch.nn.Module<torch.Tensor, torch.Tensor>)) list =
    [ "ReLU", (fun () -> torch.nn.ReLU())
      "LeakyReLU", (fun () -> torch.nn.LeakyReLU(0.1))
      "GELU", (fun () -> torch.nn.GELU())
      "Tanh", (fun () -> torch.nn.Tanh())
      "Sigmoid", (fun () -> torch.nn.Sigmoid())
      "SiLU", (fun () -> torch.nn.SiLU())
      "Dropout", (fun () -> torch.nn.Dropout(0.2))
      "Identity", (fun () -> torch.nn.Identity()) ]

/// Linear(inputs, 24) → act → Linear(24, 16) → act → Linear(16, classes), with biases.
let mlp (dtype: torch.ScalarType) (inputs: int64) (classes: int64) (act: unit -> torch.nn.Module<torch.Tensor, torch.Tensor>) : Sequential =
    let s =
        torch.nn.Sequential(
            torch.nn.Linear(inputs, 24L, true), act (), torch.nn.Linear(24L, 16L, true), act (), torch.nn.Linear(16L, classes, true))
    s.``to``(dtype) |> ignore
    s

/// Conv(1→12, 3×3, pad 1) → BN → ReLU → MaxPool 2 → Conv(12→8) → BN → ReLU → Flatten → Linear(8·HW, 16) →
/// ReLU → Linear(16, classes), for side × side inputs (side even).
let cnn (dtype: torch.ScalarType) (side: int64) (classes: int64) : Sequential =
    let hw = (side / 2L) * (side / 2L)
    let named (n: string) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) = struct (n, m)
    let s =
        torch.nn.Sequential(
            named "conv1" (torch.nn.Conv2d(1L, 12L, 3L, padding = 1L)),
            named "bn1" (torch.nn.BatchNorm2d(12L)), named "relu1" (torch.nn.ReLU()), named "pool1" (torch.nn.MaxPool2d(2L)),
            named "conv2" (torch.nn.Conv2d(12L, 8L, 3L, padding = 1L)), named "bn2" (torch.nn.BatchNorm2d(8L)), named "relu2" (torch.nn.ReLU()),
            named "flatten" (torch.nn.Flatten()), named "fc1" (torch.nn.Linear(8L * hw, 16L)), named "relu3" (torch.nn.ReLU()),
            named "fc2" (torch.nn.Linear(16L, classes)))
    s.``to``(dtype) |> ignore
    s

/// Gives every BatchNorm2d of a module non-trivial affine parameters and running statistics (seeded).
let randomiseNorms (seed: int) (m: torch.nn.Module) =
    use g = new torch.Generator(uint64 seed, torch.CPU)
    use _ = torch.no_grad ()
    for _, child in m.named_modules() do
        match child with
        | :? BatchNorm2d as bn ->
            let n = bn.num_features
            let r () = torch.rand([| n |], dtype = torch.float64, generator = g).``to``(bn.weight.dtype, bn.weight.device)
            bn.weight.copy_(r ()) |> ignore
            bn.bias.copy_(r ()) |> ignore
            bn.running_mean.copy_(r ()) |> ignore
            bn.running_var.copy_(r ()).add_(torch.ones_like(bn.running_var)) |> ignore
        | _ -> ()

/// The feed-forward part of a transformer-style block: up → GELU → down.
type Ffn(width: int64, hidden: int64) as this =
    inherit torch.nn.Module<torch.Tensor, torch.Tensor>("Ffn")
    let up = torch.nn.Linear(width, hidden)
    let down = torch.nn.Linear(hidden, width)
    do this.RegisterComponents()
    override _.forward(x) =
        use h = up.forward x
        use a = torch.nn.functional.gelu h
        down.forward a

/// A block with a residual around its feed-forward pair and a LayerNorm after it.
type Block(width: int64, hidden: int64) as this =
    inherit torch.nn.Module<torch.Tensor, torch.Tensor>("Block")
    let ffn = new Ffn(width, hidden)
    let norm = torch.nn.LayerNorm([| width |])
    do this.RegisterComponents()
    override _.forward(x) =
        use f = ffn.forward x
        use y = x + f
        norm.forward y

/// embed → block0 (residual FFN, named "block0.ffn.up" / "block0.ffn.down") → head.
type Transformerish(inputs: int64, width: int64, hidden: int64, classes: int64) as this =
    inherit torch.nn.Module<torch.Tensor, torch.Tensor>("Transformerish")
    let embed = torch.nn.Linear(inputs, width)
    let block0 = new Block(width, hidden)
    let head = torch.nn.Linear(width, classes)
    do this.RegisterComponents()
    override _.forward(x) =
        use e = embed.forward x
        use b = block0.forward e
        head.forward b

/// The custom module's feed-forward pair.
let ffnPair = [| "block0.ffn.up", "block0.ffn.down" |]

/// A custom module of the given dtype.
let transformerish (dtype: torch.ScalarType) (inputs: int64) (classes: int64) : Transformerish =
    let m = new Transformerish(inputs, 8L, 24L, classes)
    m.``to``(dtype) |> ignore
    m

/// A synthetic 10-class task of side × side images (a random linear rule), 300 training and 100 test samples.
let dataset (side: int) : Dtc.Data.Datasets.Dataset =
    let rng = Random(5)
    let pixels = side * side
    let w = Array2D.init pixels 10 (fun _ _ -> rng.NextDouble() - 0.5)
    let split n =
        let image = Array.init (n * pixels) (fun _ -> byte (rng.Next 256))
        let labels =
            Array.init n (fun i ->
                let score c = Seq.sum (seq { for j in 0 .. pixels - 1 -> float image.[i * pixels + j] * w.[j, c] })
                Seq.maxBy score [ 0 .. 9 ])
        Dtc.Data.Bytes image, labels
    let train = split 300
    Dtc.Data.Datasets.ofArrays "synthetic" [| side * side |] (Some 10) train (split 100)

/// A fast protocol: batches of 50, 2 per cycle, stop at 10, exact enough LASSO.
let protocol : Dtc.Training.Protocol.Protocol =
    { Dtc.Training.Protocol.Protocol.paper with
        BatchSize = 50
        BatchesPerCycle = 2
        Normalisation = Dtc.Data.Given(0.5, 0.3) }
