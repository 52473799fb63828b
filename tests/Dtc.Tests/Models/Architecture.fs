/// Architecture: a Sequential read as layers, written as JSON and rebuilt; the TorchSharp save/load that uses
/// it reloads compressed networks without being told their shapes.
module Dtc.Tests.Models.Architecture

open System
open System.IO
open Expecto
open TorchSharp
open TorchSharp.Modules
open Dtc.Models
open Dtc.Training
open Dtc.Networks
open Dtc.Tests.Networks

/// A fixed-seed batch of 16 samples of a shape, in a dtype.
let input (seed: int) (shape: int[]) (dtype: torch.ScalarType) =
    use g = new torch.Generator(uint64 seed, torch.CPU)
    torch.randn([| yield 16L; for s in shape -> int64 s |], dtype = torch.float64, generator = g).``to``(dtype)

/// A module's output in evaluation mode, without gradients.
let output (m: torch.nn.Module<torch.Tensor, torch.Tensor>) (x: torch.Tensor) =
    use _ = torch.no_grad ()
    m.eval()
    m.forward(x)

/// Compresses every group of a Sequential once (DTC off: the random method keeps 90 %).
let private compressOnce (shape: int[]) (s: Sequential) =
    let network = Network.ofSequential shape s
    let protocol = { Protocol.Protocol.paper with Stop = 2 }
    Network.compressOnce protocol (Protocol.Random 7L) network |> ignore

/// A new empty temporary folder.
let tempDir () =
    let d = Path.Combine(Path.GetTempPath(), "dtc-arch-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// The kinds of network compress-train handles as Sequentials, compressed once: name, sample shape, module.
let private networks () : (string * int[] * Sequential) list =
    let paper =
        use mlp = Model.create 42424242L false true torch.float32 torch.CPU [| 784; 64; 32; 10 |]
        use small = Model.compress 0 [| 0 .. 2 .. 63 |] mlp
        Model.toSequential small
    let mlps =
        [ for name, act in Nets.activations ->
              let s = Nets.mlp torch.float32 12L 5L act
              compressOnce [| 12 |] s
              "MLP with " + name, [| 12 |], s ]
    let cnn =
        let s = Nets.cnn torch.float32 8L 4L
        Nets.randomiseNorms 3 s
        compressOnce [| 1; 8; 8 |] s
        s
    let cnn64 = Nets.cnn torch.float64 8L 4L
    Nets.randomiseNorms 4 cnn64
    [ yield "paper MLP compressed", [| 784 |], paper
      yield! mlps
      yield "CNN compressed", [| 1; 8; 8 |], cnn
      yield "CNN float64", [| 1; 8; 8 |], cnn64 ]

[<Tests>]
let tests =
    testList "Models.Architecture" [
        test "Model.toSequential gives exactly Model.forward's output" {
            for overBatch in [ true; false ] do
                use mlp = Model.create 5L true overBatch torch.float32 torch.CPU [| 20; 12; 7; 3 |]
                use s = Model.toSequential mlp
                use x = input 1 [| 20 |] torch.float32
                use expected = Model.forward mlp x
                use actual = output s x
                Expect.isTrue (expected.allclose(actual, 0.0, 0.0)) (sprintf "bit-identical outputs (over batch: %b)" overBatch)
        }

        test "the architecture reads the current, compressed sizes" {
            use s = Nets.cnn torch.float32 8L 4L
            compressOnce [| 1; 8; 8 |] s
            let a = Architecture.ofSequential [| 1; 8; 8 |] s
            let conv1 = a.Layers |> Array.pick (fun l -> match l.Layer with Architecture.Conv2d c when l.Name = "conv1" -> Some c | _ -> None)
            let conv2 = a.Layers |> Array.pick (fun l -> match l.Layer with Architecture.Conv2d c when l.Name = "conv2" -> Some c | _ -> None)
            let live = s.named_children() |> Seq.pick (fun struct (n, m) -> if n = "conv1" then Some((m :?> Conv2d).weight.shape.[0]) else None)
            Expect.equal conv1.OutChannels (int live) "conv1 outputs"
            Expect.equal conv2.InChannels conv1.OutChannels "conv2 reads conv1's channels"
            Expect.isLessThan conv1.OutChannels 12 "conv1 was compressed"
            Expect.equal a.DType "float32" "dtype"
        }

        test "JSON round trip gives the same architecture, for every kind" {
            for name, shape, s in networks () do
                use _ = s
                let a = Architecture.ofSequential shape s
                let back = Architecture.ofJson (Architecture.toJson a)
                Expect.equal back a name
        }

        test "the JSON uses PyTorch's class and argument names" {
            use s = Nets.cnn torch.float32 8L 4L
            let json = Architecture.toJson (Architecture.ofSequential [| 1; 8; 8 |] s)
            for fragment in [ "\"format\": \"dtc-architecture-1\""; "\"module\": \"Conv2d\""; "\"in_channels\": 1"; "\"kernel_size\": ["
                              "\"module\": \"BatchNorm2d\""; "\"num_features\": 12"; "\"module\": \"Flatten\""; "\"start_dim\": 1" ] do
                Expect.stringContains json fragment fragment
        }

        test "a TorchSharp save reloads without shapes and gives the same outputs, for every kind" {
            let dir = tempDir ()
            try
                for name, shape, s in networks () do
                    use _ = s
                    let path = Path.Combine(dir, "model.dat")
                    let files = TorchSharpFile.write path shape s
                    Expect.equal (files |> List.map (fun (f: string) -> Path.GetFileName f)) [ "model.dat"; "model.architecture.json" ] "files"
                    let loaded, a = TorchSharpFile.read torch.CPU path
                    use loaded = loaded
                    Expect.equal a.SampleShape shape "sample shape"
                    use x = input 2 shape (Architecture.scalarType a.DType)
                    use expected = output s x
                    use actual = output loaded x
                    Expect.isTrue (expected.allclose(actual, 0.0, 0.0)) (name + ": identical outputs after reload")
            finally
                Directory.Delete(dir, true)
        }

        test "a layer Dtc cannot export is refused, naming it" {
            use s = torch.nn.Sequential(struct ("fc", torch.nn.Linear(4L, 3L) :> torch.nn.Module<_, _>), struct ("norm", torch.nn.LayerNorm([| 3L |]) :> torch.nn.Module<_, _>))
            let message = Dtc.Tests.Support.Thrown.messageOf<ArgumentException> (fun () -> Architecture.ofSequential [| 4 |] s |> ignore)
            Expect.stringContains message "LayerNorm 'norm'" message
        }

        test "bad architecture JSON is refused with one line" {
            for json, expected in [ "{", "does not parse"; "{\"format\": \"x\"}", "format \"dtc-architecture-1\""
                                    "{\"format\": \"dtc-architecture-1\", \"sample_shape\": [4], \"layers\": [{\"name\": \"0\", \"module\": \"LSTM\", \"args\": {}}]}", "\"LSTM\" ('0')" ] do
                let message = Dtc.Tests.Support.Thrown.messageOf<FormatException> (fun () -> Architecture.ofJson json |> ignore)
                Expect.stringContains message expected message
                Expect.isFalse (message.Contains '\n') "one line"
        }

        test "weights that do not match the architecture file are refused, naming the file" {
            let dir = tempDir ()
            try
                use s = Nets.mlp torch.float32 12L 5L (fun () -> torch.nn.ReLU())
                let path = Path.Combine(dir, "m.dat")
                TorchSharpFile.write path [| 12 |] s |> ignore
                use other = Nets.mlp torch.float32 12L 6L (fun () -> torch.nn.ReLU())
                TorchSharpFile.writeArchitecture path (Architecture.ofSequential [| 12 |] other)
                let message = Dtc.Tests.Support.Thrown.messageOf<ArgumentException> (fun () -> TorchSharpFile.read torch.CPU path |> fst |> (fun m -> m.Dispose()))
                Expect.stringContains message path message
            finally
                Directory.Delete(dir, true)
        }
    ]
