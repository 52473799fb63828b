module Dtc.Tests.Networks.Discovery

open System
open Expecto
open TorchSharp
open Dtc.Networks
open Dtc.Tests.Support
open Dtc.Tests.Networks.Nets

type private M = torch.nn.Module<torch.Tensor, torch.Tensor>

let private sequential (layers: (string * M) list) =
    torch.nn.Sequential([| for n, m in layers -> struct (n, m) |])

let private refusal (action: unit -> 'a) = Thrown.messageOf<ArgumentException> (fun () -> action () |> ignore)

[<Tests>]
let tests =
    testList "Networks.Discovery" [
        test "every hidden Linear forms a group with the next; the output layer none" {
            use s = mlp torch.float32 7L 3L (fun () -> torch.nn.ReLU())
            let groups = Discovery.ofSequential s
            Expect.equal (groups |> Array.map (fun g -> g.Name)) [| "0->2"; "2->4" |] "groups by producer"
        }

        test "a LogSoftmax after the output layer is allowed" {
            use s = sequential [ "fc1", torch.nn.Linear(4L, 6L); "act", torch.nn.ReLU(); "fc2", torch.nn.Linear(6L, 3L); "out", torch.nn.LogSoftmax(1L) ]
            Expect.equal (Discovery.ofSequential s |> Array.map (fun g -> g.Name)) [| "fc1->fc2" |] "one group"
        }

        test "a LayerNorm between two Linear layers is refused, naming it" {
            use s = sequential [ "fc1", torch.nn.Linear(4L, 6L); "norm", torch.nn.LayerNorm([| 6L |]); "fc2", torch.nn.Linear(6L, 3L) ]
            let m = refusal (fun () -> Discovery.ofSequential s)
            Expect.stringContains m "'norm'" "names the layer"
            Expect.stringContains m "LayerNorm" "names its type"
            Expect.stringStarts m "Expecting" "the codebase's wording"
        }

        test "a custom module (a possible residual) between two Linear layers is refused, naming it" {
            use s = sequential [ "fc1", torch.nn.Linear(8L, 8L); "block", new Block(8L, 4L); "fc2", torch.nn.Linear(8L, 3L) ]
            let m = refusal (fun () -> Discovery.ofSequential s)
            Expect.stringContains m "'block'" "names the layer"
            Expect.stringContains m "Block" "names its type"
        }

        test "a grouped convolution is refused, naming it" {
            use s = sequential [ "conv1", torch.nn.Conv2d(2L, 4L, 3L); "conv2", torch.nn.Conv2d(4L, 4L, 3L, groups = 4L); "flat", torch.nn.Flatten()
                                 "fc", torch.nn.Linear(4L, 2L) ]
            let m = refusal (fun () -> Discovery.ofSequential s)
            Expect.stringContains m "'conv2'" "names the layer"
            Expect.stringContains m "groups = 4" "says why"
        }

        test "a Linear straight after a Conv2d (no flatten) is refused, naming it" {
            use s = sequential [ "conv", torch.nn.Conv2d(1L, 4L, 3L); "fc", torch.nn.Linear(4L, 2L); "fc2", torch.nn.Linear(2L, 2L) ]
            Expect.stringContains (refusal (fun () -> Discovery.ofSequential s)) "'fc'" "names the layer"
        }

        test "a Linear whose inputs do not match the flattened channels is refused, naming it" {
            use s = sequential [ "conv", torch.nn.Conv2d(1L, 4L, 3L); "flat", torch.nn.Flatten(); "fc", torch.nn.Linear(10L, 2L) ]
            Expect.stringContains (refusal (fun () -> Discovery.ofSequential s)) "'fc'" "names the layer"
        }

        test "named pairs: a missing name or a non-Linear module is refused, naming it" {
            use m = transformerish torch.float32 9L 3L
            let missing = refusal (fun () -> Discovery.ofPairs [| "block0.ffn.up", "block0.ffn.nope" |] m)
            Expect.stringContains missing "'block0.ffn.nope'" "names the missing module"
            let notLinear = refusal (fun () -> Discovery.ofPairs [| "block0.ffn.up", "block0.norm" |] m)
            Expect.stringContains notLinear "'block0.norm'" "names the module"
            Expect.stringContains notLinear "LayerNorm" "names its type"
            let mismatch = refusal (fun () -> Discovery.ofPairs [| "block0.ffn.up", "head" |] m)
            Expect.stringContains mismatch "'head'" "names the consumer whose width differs"
        }

        test "a network without groups or with a bad sample shape is refused" {
            use s = sequential [ "fc", torch.nn.Linear(4L, 2L) ]
            Expect.stringContains (refusal (fun () -> Network.ofSequential [| 4 |] s)) "at least one group" "no group"
            use t = mlp torch.float32 7L 3L (fun () -> torch.nn.ReLU())
            Expect.stringContains (refusal (fun () -> Network.ofSequential [| 0 |] t)) "[0]" "names the shape"
        }
    ]
