/// Footprint's shapes, parameters, MACs and FLOPs against PyTorch's forward hooks (tests/fixtures/gen_footprint.py),
/// and its latency's contract (no timing thresholds).
module Dtc.Tests.Models.Footprint

open System
open System.Text.Json
open Expecto
open TorchSharp
open Dtc.Models
open Dtc.Models.Architecture
open Dtc.Tests.Support
open Dtc.Tests.Networks

let private networks = lazy (Fixtures.load "footprint.json" |> Fixtures.items "networks")
let private fixture (name: string) = networks.Value |> Array.find (fun n -> Fixtures.string "name" n = name)
let private archOf (n: JsonElement) = Architecture.ofJson (n.GetProperty("architecture").GetRawText())
let private shapesOf (n: JsonElement) = [| for s in n.GetProperty("shapes").EnumerateArray() -> [| for x in s.EnumerateArray() -> x.GetInt32() |] |]
let private count (name: string) (n: JsonElement) = n.GetProperty(name).GetInt64()

/// Shapes, MACs, FLOPs and parameters of an architecture against the fixture's network of that name.
let private checkAgainst (name: string) (a: Architecture) =
    let n = fixture name
    Expect.equal (Footprint.shapes a) (shapesOf n) (sprintf "%s: every layer's output shape as PyTorch's hooks saw it" name)
    let c = Footprint.cost a
    Expect.equal c.MultiplyAccumulates (count "multiply_accumulates" n) (sprintf "%s: MACs per sample" name)
    Expect.equal c.Flops (count "total_flops" n) (sprintf "%s: FLOPs per sample" name)
    Expect.equal c.Parameters (count "parameters" n) (sprintf "%s: parameters" name)

let private fast = { Timing.timingDefaults with BudgetSeconds = 0.005 }

let private modes (m: torch.nn.Module) = [ yield m.training; for _, c in m.named_modules() -> c.training ]

let private checkLatency (batch: int) (l: Timing.Latency) =
    Expect.equal l.Batch batch "the batch asked for"
    Expect.isTrue (l.MedianSeconds > 0.0 && Double.IsFinite l.MedianSeconds) (sprintf "a positive, finite median (%g)" l.MedianSeconds)
    Expect.isGreaterThanOrEqual l.Repetitions fast.MinRepetitions "at least the least number of repetitions"
    Expect.equal l.Threads (torch.get_num_threads ()) "torch's threads"

/// Linear(784, 512) and Linear(9, 10) of the paper's MLP, compressed or not, as a Sequential.
let private paperMlp (widths: int[]) =
    use mlp = Dtc.Training.Model.create 42424242L false true torch.float32 torch.CPU widths
    Dtc.Training.Model.toSequential mlp

let private line (message: string) = Expect.isFalse (message.Contains "\n") "one line"

[<Tests>]
let tests =
    testList "Models.Footprint" [
        testList "against PyTorch's hooks" [
            for n in networks.Value do
                let name = Fixtures.string "name" n
                test name {
                    let a = archOf n
                    checkAgainst name a
                    for dtype in [ torch.float32; torch.float64 ] do
                        use m = Architecture.build torch.CPU { a with DType = (if dtype = torch.float32 then "float32" else "float64") }
                        Expect.equal (Footprint.parameters m) (count "parameters" n) (sprintf "parameters() of the built module (%O)" dtype)
                } ]

        test "the CNN of Nets.fs, side 28" {
            use net = Nets.cnn torch.float32 28L 10L
            let a = Architecture.ofSequential [| 1; 28; 28 |] net
            Expect.equal a.Layers (archOf (fixture "cnn28")).Layers "the fixture describes the same network"
            checkAgainst "cnn28" a
            Expect.equal (Footprint.parameters net) (Footprint.cost a).Parameters "parameters() sum"
        }

        test "the CNN of Nets.fs compressed once" {
            use net = Nets.cnn torch.float32 28L 10L
            let network = Dtc.Networks.Network.ofSequential [| 1; 28; 28 |] net
            Dtc.Networks.Network.compressOnce { Nets.protocol with Stop = 2 } Dtc.Training.Protocol.Magnitude network |> ignore
            let a = Architecture.ofSequential [| 1; 28; 28 |] net
            Expect.equal a.Layers (archOf (fixture "cnn28-compressed")).Layers "the fixture's compressed widths (gen_footprint.py's CNN_COMPRESSED)"
            checkAgainst "cnn28-compressed" a
            Expect.equal (Footprint.parameters net) (Footprint.cost a).Parameters "parameters() sum"
        }

        test "the paper's MLP, dense and compressed" {
            for widths, name in [ [| 784; 512; 10 |], "paper-mlp"; [| 784; 9; 10 |], "paper-mlp-compressed" ] do
                use s = paperMlp widths
                let a = Architecture.ofSequential [| 784 |] s
                checkAgainst name a
                Expect.equal (Footprint.parameters s) (Footprint.cost a).Parameters "parameters() sum"
        }

        test "an inconsistent architecture is refused naming the layer" {
            let a = Architecture.ofJson ((fixture "paper-mlp").GetProperty("architecture").GetRawText())
            let wrong = { a with Layers = a.Layers |> Array.map (fun l -> if l.Name = "2" then { l with Layer = Linear(500, 10, false) } else l) }
            let m = Thrown.messageOf<ArgumentException> (fun () -> Footprint.shapes wrong |> ignore)
            Expect.stringContains m "in_features = 500 at layer '2'" "names the layer and its in_features"
            Expect.stringContains m "[512]" "names the incoming shape"
            line m
            let conv = { a with Layers = [| { Name = "c"; Layer = Conv2d { InChannels = 1; OutChannels = 2; Kernel = (3, 3); Stride = (1, 1); Padding = (0, 0); Dilation = (1, 1); Bias = true } } |] }
            Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Footprint.cost conv |> ignore)) "layer 'c'" "a Conv2d on a flat sample"
            let batchFlatten = { a with Layers = [| { Name = "f"; Layer = Flatten(0, -1) } |] }
            Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Footprint.shapes batchFlatten |> ignore)) "layer 'f'" "a Flatten over the batch"
            let image = { a with SampleShape = [| 1; 4; 4 |]; Layers = [| { Name = "p"; Layer = MaxPool2d { Kernel = (5, 5); Stride = (5, 5); Padding = (0, 0); CeilMode = false } } |] }
            Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Footprint.shapes image |> ignore)) "layer 'p'" "a window larger than the input"
        }

        test "a report table" {
            let l b s : Timing.Latency = { Batch = b; MedianSeconds = s; Repetitions = 7; Threads = 2 }
            let side p macs lat : Footprint.Side = { Parameters = p; MultiplyAccumulates = macs; Flops = macs |> Option.map (fun m -> 2L * m); Latency = lat }
            let c : Footprint.Comparison =
                { Method = "dtc"; Dense = side 406528L (Some 406528L) [| l 1 6.5e-5; l 512 0.0125 |]
                  Compressed = side 7146L (Some 7146L) [| l 1 1.3e-5; l 512 0.0005 |] }
            let custom = { c with Method = "magnitude"; Dense = { c.Dense with Flops = None; MultiplyAccumulates = None } }
            let lines = (Footprint.table [| c; custom |]).Split('\n')
            Expect.equal lines.[0] "| Method | Parameters | MACs / sample | FLOPs / sample | Latency, batch 1 | Latency, batch 512 |" "header"
            Expect.equal lines.[2] "| dtc | 406,528 → 7,146 (−98.2%) | 406,528 → 7,146 (−98.2%) | 813,056 → 14,292 (−98.2%) | 65.0 µs → 13.0 µs (5.00×) | 12.50 ms → 500.0 µs (25.00×) |" "a row"
            Expect.stringContains lines.[3] "| magnitude | 406,528 → 7,146 (−98.2%) | — | — |" "no architecture"
        }

        testSequenced <| testList "latency" [
            test "any module, its mode restored" {
                use mlp = Nets.mlp torch.float64 20L 10L (fun () -> torch.nn.ReLU())
                mlp.train ()
                checkLatency 3 (Timing.latencyWith fast torch.CPU [| 20 |] 3 mlp)
                Expect.allEqual (modes mlp) true "training mode restored"
                mlp.eval ()
                checkLatency 1 (Timing.latencyWith fast torch.CPU [| 20 |] 1 mlp)
                Expect.allEqual (modes mlp) false "evaluation mode kept"
                use custom = Nets.transformerish torch.float32 12L 4L
                custom.train ()
                checkLatency 2 (Timing.latencyWith fast torch.CPU [| 12 |] 2 custom)
                Expect.allEqual (modes custom) true "a custom module's mode restored"
            }

            test "a mixed mode is restored module by module" {
                use cnn = Nets.cnn torch.float32 8L 3L
                cnn.train ()
                for name, c in cnn.named_children() do if name = "bn1" then c.eval ()
                let before = modes cnn
                checkLatency 2 (Timing.latencyWith fast torch.CPU [| 1; 8; 8 |] 2 cnn)
                Expect.equal (modes cnn) before "each module's mode"
            }

            test "dense against compressed" {
                use dense = paperMlp [| 784; 512; 10 |]
                use small = paperMlp [| 784; 9; 10 |]
                let da, sa = Architecture.ofSequential [| 784 |] dense, Architecture.ofSequential [| 784 |] small
                let c = Footprint.compareWith fast torch.CPU [| 784 |] [ 1; 8 ] "dtc" (dense, Some da) (small, Some sa)
                Expect.equal c.Method "dtc" "method"
                for side in [ c.Dense; c.Compressed ] do
                    Expect.equal (side.Latency |> Array.map (fun l -> l.Batch)) [| 1; 8 |] "one latency per batch, in order"
                    Array.iter2 checkLatency [| 1; 8 |] side.Latency
                Expect.equal c.Dense.Parameters 406528L "784·512 + 512·10"
                Expect.equal c.Compressed.MultiplyAccumulates (Some 7146L) "784·9 + 9·10"
                Expect.floatClose Accuracy.veryHigh (Footprint.parametersRemoved c) (1.0 - 7146.0 / 406528.0) "parameters removed"
                Expect.equal (Footprint.multiplyAccumulatesRemoved c) (Some(1.0 - 7146.0 / 406528.0)) "MACs removed"
                Expect.isSome (Footprint.flopsRemoved c) "FLOPs removed"
                let s = Footprint.speedup 8 c
                Expect.isTrue (s > 0.0 && Double.IsFinite s) "a positive, finite speed-up"
                Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Footprint.speedup 2 c |> ignore)) "received 2" "a batch not timed"
                let json = JsonSerializer.Serialize(c, Dtc.Training.Records.jsonOptions)
                Expect.equal (JsonSerializer.Deserialize<Footprint.Comparison>(json, Dtc.Training.Records.jsonOptions)) c "round-trips through JSON"
            }

            test "a module without an architecture" {
                use dense = Nets.transformerish torch.float32 12L 4L
                use other = Nets.transformerish torch.float32 12L 4L
                let c = Footprint.compareWith fast torch.CPU [| 12 |] [ 2 ] "magnitude" (dense, None) (other, None)
                Expect.equal c.Compressed.Parameters (Footprint.parameters other) "parameters known"
                Expect.isNone c.Compressed.Flops "no FLOPs without an architecture"
                Expect.isNone (Footprint.flopsRemoved c) "nothing removed to report"
                let json = JsonSerializer.Serialize(c, Dtc.Training.Records.jsonOptions)
                Expect.equal (JsonSerializer.Deserialize<Footprint.Comparison>(json, Dtc.Training.Records.jsonOptions)) c "None round-trips"
            }

            test "an architecture that does not describe its module is refused" {
                use dense = paperMlp [| 784; 512; 10 |]
                use small = paperMlp [| 784; 9; 10 |]
                let da = Architecture.ofSequential [| 784 |] dense
                let m = Thrown.messageOf<ArgumentException> (fun () ->
                    Footprint.compareWith fast torch.CPU [| 784 |] [ 1 ] "dtc" (dense, Some da) (small, Some da) |> ignore)
                Expect.stringContains m "Expecting the compressed architecture" "names the side"
                Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Timing.latencyWith fast torch.CPU [| 784 |] 0 dense |> ignore))
                    "received 0" "a batch of 0"
                let m = Thrown.messageOf<ArgumentException> (fun () ->
                    Timing.latencyWith { fast with MinRepetitions = 0 } torch.CPU [| 784 |] 1 dense |> ignore)
                Expect.stringContains m "received 0.005 s, 0.001 s, 0 and 3" "a timing without repetitions"
                line m
            }
        ]
    ]
