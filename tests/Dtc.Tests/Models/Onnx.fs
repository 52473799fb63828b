/// ONNX export: the exported model, run by ONNX Runtime, gives TorchSharp's forward pass in evaluation mode,
/// for dense and compressed networks of every supported layer.
module Dtc.Tests.Models.Onnx

open System
open System.IO
open Expecto
open Microsoft.ML.OnnxRuntime
open TorchSharp
open TorchSharp.Modules
open Dtc.Models
open Dtc.Networks
open Dtc.Training
open Dtc.Tests.Support
open Dtc.Tests.Networks

let private batch = 16L

/// ONNX Runtime's output for an input tensor (float32 or float64), as doubles.
let private runOnnx (model: byte[]) (x: torch.Tensor) : float[] =
    use options = new SessionOptions(LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR)
    use session = new InferenceSession(model, options)
    use runOptions = new RunOptions()
    use c = x.contiguous()
    let shape = Array.copy x.shape
    let run (value: OrtValue) =
        use value = value
        use outputs = session.Run(runOptions, [| "input" |], [| value |], [| "output" |])
        if x.dtype = torch.float64 then outputs.[0].GetTensorDataAsSpan<float>().ToArray()
        else outputs.[0].GetTensorDataAsSpan<float32>().ToArray() |> Array.map float
    if x.dtype = torch.float64 then run (OrtValue.CreateTensorValueFromMemory<float>(c.data<float>().ToArray(), shape))
    else run (OrtValue.CreateTensorValueFromMemory<float32>(c.data<float32>().ToArray(), shape))

/// TorchSharp's output in evaluation mode under no_grad, as doubles.
let private runTorch (s: Sequential) (x: torch.Tensor) : float[] =
    s.eval()
    use _ = torch.no_grad ()
    use y = s.forward x
    use d = y.``to``(torch.float64).contiguous()
    d.data<float>().ToArray()

/// A seeded batch of standard normal samples.
let private input (dtype: torch.ScalarType) (seed: int) (sampleShape: int[]) =
    use g = new torch.Generator(uint64 seed, torch.CPU)
    torch.randn(Array.append [| batch |] (Array.map int64 sampleShape), dtype = dtype, generator = g)

/// Exports, runs both and checks max |Δ| ≤ 1e-5; returns max |Δ|.
let private agree (what: string) (sampleShape: int[]) (s: Sequential) =
    let arch = Architecture.ofSequential sampleShape s
    let bytes = Onnx.encode arch s
    use x = input (Architecture.scalarType arch.DType) 3 sampleShape
    let expected = runTorch s x
    let actual = runOnnx bytes x
    Expect.equal actual.Length expected.Length (sprintf "%s: output size" what)
    let delta = Array.map2 (fun a b -> abs (a - b)) actual expected |> Array.max
    Expect.isLessThanOrEqual delta 1e-5 (sprintf "%s: max |ONNX Runtime − TorchSharp|" what)
    delta

/// Checks the dense network, compresses it once (magnitude, groups down to their kept fraction) and checks again.
let private agreeDenseAndCompressed (what: string) (sampleShape: int[]) (s: Sequential) =
    agree what sampleShape s |> ignore
    let network = Network.ofSequential sampleShape s
    let before = Network.widths network
    Network.compressOnce { Nets.protocol with Stop = 2 } Protocol.Magnitude network |> ignore
    Expect.isTrue (Array.sum (Network.widths network) < Array.sum before) (sprintf "%s: compressed %A → %A" what before (Network.widths network))
    agree (what + " compressed") sampleShape s |> ignore

/// Gives the BatchNorm2d layers running statistics from a few training-mode passes on seeded data.
let private warmNorms (sampleShape: int[]) (s: Sequential) =
    s.train()
    use _ = torch.no_grad ()
    let dtype = (Seq.head (s.parameters())).dtype
    for seed in 10 .. 13 do
        use x = input dtype seed sampleShape
        use y = x * 2.0 + 0.5
        use o = s.forward y
        ()
    s.eval()

let private named (n: string) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) = struct (n, m)

/// Conv → BN → ReLU → MaxPool (3, stride 2, pad 1, ceil) → Conv → AvgPool (2, pad 1, padding not counted) →
/// Conv → BN (not affine) → AdaptiveAvgPool (1, 1) → Flatten → Linear.
let private pools (dtype: torch.ScalarType) =
    let s =
        torch.nn.Sequential(
            named "conv1" (torch.nn.Conv2d(2L, 8L, 3L, padding = 1L)), named "bn1" (torch.nn.BatchNorm2d(8L)),
            named "relu1" (torch.nn.ReLU()),
            named "max" (torch.nn.MaxPool2d([| 3L; 3L |], [| 2L; 2L |], [| 1L; 1L |], ceil_mode = true)),
            named "conv2" (torch.nn.Conv2d(8L, 6L, 3L, stride = 1L)), named "relu2" (torch.nn.ReLU()),
            named "avg" (torch.nn.AvgPool2d([| 2L; 2L |], [| 2L; 2L |], [| 1L; 1L |], count_include_pad = false)),
            named "conv3" (torch.nn.Conv2d(6L, 5L, 1L)), named "bn3" (torch.nn.BatchNorm2d(5L, affine = false)),
            named "gap" (torch.nn.AdaptiveAvgPool2d([| 1L; 1L |])), named "flatten" (torch.nn.Flatten()),
            named "fc" (torch.nn.Linear(5L, 4L)))
    s.``to``(dtype) |> ignore
    s

/// Conv → ELU → AvgPool (3, stride 2, pad 1, padding counted, ceil: 8 → 5) → Conv 2×2 (→ 4) → AdaptiveAvgPool (2, 2) →
/// Flatten(2, 3) → Flatten → Linear → Softmax.
let private reshapes (dtype: torch.ScalarType) =
    let s =
        torch.nn.Sequential(
            named "conv" (torch.nn.Conv2d(1L, 3L, 3L, padding = 1L, dilation = 1L)), named "elu" (torch.nn.ELU(0.7)),
            named "avg" (torch.nn.AvgPool2d([| 3L; 3L |], [| 2L; 2L |], [| 1L; 1L |], ceil_mode = true, count_include_pad = true)),
            named "conv2" (torch.nn.Conv2d(3L, 3L, 2L)), named "adaptive" (torch.nn.AdaptiveAvgPool2d([| 2L; 2L |])),
            named "inner" (torch.nn.Flatten(2L, 3L)), named "outer" (torch.nn.Flatten()),
            named "fc" (torch.nn.Linear(12L, 3L)), named "softmax" (torch.nn.Softmax(1L)))
    s.``to``(dtype) |> ignore
    s

/// Linear over the last axis of a [4, 6] sample (MatMul), with and without bias → Flatten → Linear (Gemm) → LogSoftmax.
let private lastAxis () =
    torch.nn.Sequential(
        named "rows" (torch.nn.Linear(6L, 3L)), named "tanh" (torch.nn.Tanh()), named "mix" (torch.nn.Linear(3L, 5L, hasBias = false)),
        named "flatten" (torch.nn.Flatten()), named "head" (torch.nn.Linear(20L, 2L)), named "log" (torch.nn.LogSoftmax(1L)))

/// Every activation Architecture knows, beyond those of Nets.activations.
let private moreActivations : (string * (unit -> torch.nn.Module<torch.Tensor, torch.Tensor>)) list =
    [ "GELU tanh", (fun () -> torch.nn.GELU(GELU.Approximate.tanh))
      "ReLU6", (fun () -> torch.nn.ReLU6())
      "ELU", (fun () -> torch.nn.ELU(0.5))
      "Mish", (fun () -> torch.nn.Mish()) ]

let private paperMlp (overBatch: bool) (dtype: torch.ScalarType) =
    let mlp = Model.create 7L false overBatch dtype torch.CPU [| 784; 64; 10 |]
    Model.toSequential mlp

[<Tests>]
let tests =
    testSequenced <| testList "Models.Onnx" [
        testList "Protobuf" [
            test "varints, keys and negative integers as protobuf encodes them" {
                Expect.equal (Protobuf.varint 300UL) [| 0xACuy; 0x02uy |] "300"
                Expect.equal (Protobuf.int64 1 150L) [| 0x08uy; 0x96uy; 0x01uy |] "field 1 = 150"
                Expect.equal (Protobuf.int64 2 -1L).Length 11 "negative int64: key and ten bytes"
                Expect.equal (Protobuf.string 2 "testing") (Array.append [| 0x12uy; 0x07uy |] "testing"B) "a string"
                Expect.equal (Protobuf.packedInt64s 4 [| 3L; 270L; 86942L |])
                    [| 0x22uy; 0x06uy; 0x03uy; 0x8Euy; 0x02uy; 0x9Euy; 0xA7uy; 0x05uy |] "packed ints"
                Expect.equal (Protobuf.float32 2 1.0f) [| 0x15uy; 0uy; 0uy; 0x80uy; 0x3Fuy |] "a float"
                Expect.equal (Protobuf.float64 1 1.0) [| 0x09uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0xF0uy; 0x3Fuy |] "a double"
            }
        ]

        test "the paper's MLP, LogSoftmax over the classes and over the batch, dense and compressed" {
            for overBatch in [ false; true ] do
                use s = paperMlp overBatch torch.float32
                agreeDenseAndCompressed (sprintf "paper MLP (over batch %b)" overBatch) [| 784 |] s
        }

        test "an MLP with biases for every activation, dense and compressed" {
            for name, act in Nets.activations @ moreActivations do
                use s = Nets.mlp torch.float32 12L 5L act
                agreeDenseAndCompressed name [| 12 |] s
        }

        test "the CNN with trained BatchNorm running statistics, dense and compressed" {
            use s = Nets.cnn torch.float32 8L 4L
            Nets.randomiseNorms 2 s
            warmNorms [| 1; 8; 8 |] s
            agreeDenseAndCompressed "CNN" [| 1; 8; 8 |] s
        }

        test "max, average and adaptive pooling, flatten, BatchNorm without affine, dense and compressed" {
            use s = pools torch.float32
            warmNorms [| 2; 11; 11 |] s
            agreeDenseAndCompressed "pools" [| 2; 11; 11 |] s
        }

        test "ceil-mode average pooling, an adaptive pool as AveragePool, a partial Flatten as Reshape, Softmax" {
            use s = reshapes torch.float32
            agree "reshapes" [| 1; 8; 8 |] s |> ignore
        }

        test "Linear over the last axis of a higher-rank sample, with and without bias" {
            use s = lastAxis ()
            agree "last axis" [| 4; 6 |] s |> ignore
        }

        test "float64: the paper's MLP and the MLP with biases, dense and compressed" {
            use s = paperMlp false torch.float64
            agreeDenseAndCompressed "paper MLP float64" [| 784 |] s
            use t = Nets.mlp torch.float64 12L 5L (fun () -> torch.nn.Tanh())
            agreeDenseAndCompressed "MLP float64" [| 12 |] t
        }

        test "the same module encodes to the same bytes, leaving no tensor alive" {
            use s = Nets.cnn torch.float32 8L 4L
            Nets.randomiseNorms 2 s
            let arch = Architecture.ofSequential [| 1; 8; 8 |] s
            let first = Onnx.encode arch s
            let live = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            Expect.equal (Onnx.encode arch s) first "two encodes"
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount live "no tensor left alive by an encode"
        }

        test "write puts the model in a file atomically, ONNX Runtime loads it" {
            use s = paperMlp false torch.float32
            let folder = Path.Combine(Path.GetTempPath(), sprintf "dtc-onnx-%d" Environment.ProcessId)
            let path = Path.Combine(folder, "mlp.onnx")
            try
                Onnx.write path [| 784 |] s
                let bytes = File.ReadAllBytes path
                Expect.equal bytes (Onnx.encode (Architecture.ofSequential [| 784 |] s) s) "the file holds the encoding"
                Expect.isEmpty (Directory.GetFiles(folder, "*.tmp")) "no temporary left"
                use x = input torch.float32 3 [| 784 |]
                Expect.equal (runOnnx bytes x).Length (int batch * 10) "ONNX Runtime runs the file"
            finally
                if Directory.Exists folder then Directory.Delete(folder, true)
        }

        test "layers ONNX cannot take as they are are refused in one line naming them" {
            use s = torch.nn.Sequential(named "conv" (torch.nn.Conv2d(1L, 2L, 3L)),
                                        named "norm" (torch.nn.BatchNorm2d(2L, track_running_stats = false)))
            let m = Thrown.messageOf<ArgumentException> (fun () -> Onnx.write (Path.Combine(Path.GetTempPath(), "never.onnx")) [| 1; 5; 5 |] s)
            Expect.stringStarts m "Expecting" "the wording"
            Expect.stringContains m "'norm'" "names the layer"
            Expect.isFalse (m.Contains "\n") "one line"
            Expect.isFalse (File.Exists(Path.Combine(Path.GetTempPath(), "never.onnx"))) "no file"
            use f = torch.nn.Sequential(named "all" (torch.nn.Flatten(0L, -1L)))
            let m = Thrown.messageOf<ArgumentException> (fun () -> Onnx.encode (Architecture.ofSequential [| 3; 4 |] f) f |> ignore)
            Expect.stringContains m "'all'" "a Flatten over the batch, named"
            use a = torch.nn.Sequential(named "odd" (torch.nn.AdaptiveAvgPool2d([| 3L; 3L |])))
            let m = Thrown.messageOf<ArgumentException> (fun () -> Onnx.encode (Architecture.ofSequential [| 1; 8; 8 |] a) a |> ignore)
            Expect.stringContains m "'odd'" "an adaptive pool that does not divide evenly, named"
            use mlp = Nets.mlp torch.float32 12L 5L (fun () -> torch.nn.ReLU())
            let stale = Architecture.ofSequential [| 12 |] mlp
            Network.compressOnce { Nets.protocol with Stop = 2 } Protocol.Magnitude (Network.ofSequential [| 12 |] mlp) |> ignore
            let m = Thrown.messageOf<ArgumentException> (fun () -> Onnx.encode stale mlp |> ignore)
            Expect.stringContains m "'0.weight'" "an architecture older than the module's compression, naming the tensor"
        }
    ]
