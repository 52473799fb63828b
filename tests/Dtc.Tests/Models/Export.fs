/// Export: every format for every kind of network compress-train handles, custom modules by their state dict,
/// and the paper's MLP from a checkpoint.
module Dtc.Tests.Models.Export

open System
open System.IO
open Expecto
open TorchSharp
open TorchSharp.Modules
open Dtc.Models
open Dtc.Training
open Dtc.Networks
open Dtc.Tests.Networks
open Dtc.Tests.Models.Architecture

/// A custom module with a feed-forward pair inside a residual, its pair compressed once.
let private block () =
    let b = new Nets.Block(8L, 32L)
    let network = Network.withPairs [| 8 |] [| "ffn.up", "ffn.down" |] b
    Network.compressOnce { Protocol.Protocol.paper with Stop = 2 } (Protocol.Random 3L) network |> ignore
    b

[<Tests>]
let tests =
    testList "Models.Export" [
        test "every format writes the network and its architecture, for a compressed CNN" {
            let dir = tempDir ()
            try
                use cnn = Nets.cnn torch.float32 8L 4L
                Nets.randomiseNorms 5 cnn
                Network.compressOnce { Protocol.Protocol.paper with Stop = 2 } (Protocol.Random 9L) (Network.ofSequential [| 1; 8; 8 |] cnn) |> ignore
                for format in Export.formats do
                    let path = Path.Combine(dir, "cnn" + Export.extension format)
                    let files = Export.write format path [| 1; 8; 8 |] cnn
                    Expect.equal (files |> List.map (fun (f: string) -> Path.GetFileName f)) [ "cnn" + Export.extension format; "cnn.architecture.json" ] (Export.name format)
                    Expect.isGreaterThan (FileInfo(path).Length) 1000L (Export.name format + ": the weights are there")
                    let a = Architecture.ofJson (File.ReadAllText(List.last files))
                    Expect.equal a (Architecture.ofSequential [| 1; 8; 8 |] cnn) "the architecture of the compressed network"
                Expect.isEmpty (Directory.GetFiles(dir, "*.tmp")) "no temporary left"
            finally
                Directory.Delete(dir, true)
        }

        test "format names parse back, and an unknown one names the known ones" {
            for f in Export.formats do Expect.equal (Export.parse ((Export.name f).ToUpperInvariant())) f (Export.name f)
            let message = Dtc.Tests.Support.Thrown.messageOf<ArgumentException> (fun () -> Export.parse "tflite" |> ignore)
            Expect.stringContains message "torchsharp, safetensors, pytorch, onnx" message
            Expect.stringContains message "\"tflite\"" message
        }

        test "a custom module is saved by its state dict and reloads into a dense one of its class" {
            let dir = tempDir ()
            try
                use compressed = block ()
                let path = Path.Combine(dir, "block.dat")
                let files = Export.writeModule Export.TorchSharp path [| 8 |] compressed
                Expect.equal (files |> List.map (fun (f: string) -> Path.GetFileName f)) [ "block.dat"; "block.shapes.json" ] "weights and shapes"
                use fresh = new Nets.Block(8L, 32L)
                Export.loadInto path fresh
                use x = input 1 [| 8 |] torch.float32
                use expected = output compressed x
                use actual = output fresh x
                Expect.isTrue (expected.allclose(actual, 0.0, 0.0)) "identical outputs after loading into a dense module"
                for format in [ Export.Safetensors; Export.PyTorch ] do
                    let p = Path.Combine(dir, "block" + Export.extension format)
                    Expect.equal (Export.writeModule format p [| 8 |] compressed |> List.map (fun (f: string) -> Path.GetFileName f))
                                 [ "block" + Export.extension format; "block.shapes.json" ] (Export.name format)
            finally
                Directory.Delete(dir, true)
        }

        test "ONNX of a custom module is refused, saying which formats keep it" {
            use compressed = block ()
            let message =
                Dtc.Tests.Support.Thrown.messageOf<ArgumentException> (fun () ->
                    Export.writeModule Export.Onnx (Path.Combine(Path.GetTempPath(), "never.onnx")) [| 8 |] compressed |> ignore)
            Expect.stringContains message "Block" message
            Expect.stringContains message "torchsharp, safetensors or pytorch" message
        }

        test "a checkpoint's network is the paper's MLP at its widths, computing what the model computes" {
            let dir = tempDir ()
            try
                use model = Model.create 7L false true torch.float32 torch.CPU [| 20; 16; 10 |]
                let header : Checkpoint.Header =
                    { Method = "dtc"; Fingerprint = "0123456789ABCDEF"; Position = 12L; Bias = false; LogSoftmaxOverBatch = true
                      InitialAccuracy = 0.5; Cycles = [||]; Finished = false; Protocol = [||]; Data = "synthetic"; WallSeconds = 1.0 }
                let path = Path.Combine(dir, "dtc.ckpt")
                Checkpoint.write path header model
                let network, shape, read = Export.ofCheckpoint torch.CPU path
                use network = network
                Expect.equal shape [| 20 |] "flat rows"
                Expect.equal read.Method "dtc" "header"
                use x = input 2 [| 20 |] torch.float32
                use expected = Model.forward model x
                use actual = output network x
                Expect.isTrue (expected.allclose(actual, 0.0, 0.0)) "identical outputs"
            finally
                Directory.Delete(dir, true)
        }
    ]
