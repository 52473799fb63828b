module Dtc.Tests.Networks.Training

open System
open Expecto
open TorchSharp
open Dtc.Pruning
open Dtc.Training
open Dtc.Networks
open Dtc.Tests.Networks.Nets

/// The widths each group goes through, padded with its last width once it is at most the stop size.
let private expectedWidths (p: Protocol.Protocol) (initial: int[]) (cycles: int) =
    let schedules = initial |> Array.map (fun w -> Selection.schedule p.Count p.Keep p.Stop w |> Array.ofList)
    Array.init cycles (fun c ->
        Array.map2 (fun (s: int[]) w -> if s.Length = 0 then w elif c < s.Length then s.[c] else s.[s.Length - 1]) schedules initial)

let private kinds : (string * int * (unit -> Network.Network)) list =
    [ "MLP", 6, (fun () -> Network.ofSequential [| 36 |] (mlp torch.float32 36L 10L (fun () -> torch.nn.ReLU())))
      // float64: oneDNN's float32 convolution backward returned NaN gradients now and then on an AVX-512 EPYC.
      "CNN", 6, (fun () -> Network.ofSequential [| 1; 6; 6 |] (cnn torch.float64 6L 10L))
      "FFN pair", 6, (fun () -> Network.withPairs [| 36 |] ffnPair (transformerish torch.float32 36L 10L)) ]

let private methods = [ Protocol.Magnitude; Protocol.random; Protocol.dtc ]

[<Tests>]
let tests =
    testSequenced <| testList "Networks.Training" [
        for name, _, build in kinds do
          yield test (sprintf "%s: every method's cycles follow the schedule to the stop size" name) {
                let results = Training.run { Training.Options.defaults with Protocol = { protocol with Methods = methods }; LatencyBatches = [ 1 ] } (dataset 6) build
                Expect.equal (results.Methods |> Array.map (fun m -> m.Method)) [| "magnitude"; "random"; "dtc" |] "the methods in order"
                for m, f in Array.zip results.Methods results.Footprints do
                    Expect.equal f.Method m.Method "a footprint per method, in order"
                    Expect.equal f.Dense.Parameters m.InitialParameters (m.Method + ": the dense network's parameters")
                    Expect.equal f.Compressed.Parameters m.Cycles.[m.Cycles.Length - 1].Parameters (m.Method + ": the compressed network's parameters")
                    Expect.equal (f.Compressed.Flops.IsSome) (name <> "FFN pair") "FLOPs for a Sequential, none for a custom module"
                    Expect.equal [ for l in f.Compressed.Latency -> l.Batch ] [ 1 ] "timed at batch 1"
                let initial = results.Groups |> Array.map (fun g -> g.Width)
                let expected = expectedWidths protocol initial (Selection.schedule protocol.Count protocol.Keep protocol.Stop (Array.max initial)).Length
                for m in results.Methods do
                    Expect.equal (m.Cycles |> Array.map (fun c -> c.Widths)) expected (m.Method + ": widths follow the schedule")
                    Expect.equal m.InitialWidths initial (m.Method + ": initial widths")
                    let last = m.Cycles.[m.Cycles.Length - 1]
                    Expect.isTrue (last.Widths |> Array.forall (fun w -> w <= protocol.Stop)) "every group at most the stop size"
                    Expect.isLessThan last.Parameters m.InitialParameters "parameters removed"
                    Expect.floatClose Accuracy.veryHigh last.FractionRemoved (1.0 - float last.Parameters / float m.InitialParameters) "fraction of parameters removed"
                    for c in m.Cycles do
                        Expect.isTrue (c.TestAccuracy >= 0.0 && c.TestAccuracy <= 1.0) "an accuracy"
                        Expect.isTrue (Double.IsFinite c.TrainLoss) "a finite loss"
                        Expect.equal c.Groups.Length initial.Length "one record per group"
                    if m.Method = "dtc" then
                        Expect.isGreaterThan m.Cycles.[0].Groups.[0].Measurements 0 "DTC measured the profiles"
                let back = Training.ofJson (Training.toJson results)
                Expect.equal (back.Methods |> Array.map (fun m -> m.Cycles.Length)) (results.Methods |> Array.map (fun m -> m.Cycles.Length)) "JSON round trip"
            }

        yield test "runModels keeps each method's compressed module, which computes the recorded accuracy" {
            let build () = Network.ofSequential [| 36 |] (mlp torch.float32 36L 10L (fun () -> torch.nn.ReLU()))
            let options = { Training.Options.defaults with Protocol = { protocol with Methods = [ Protocol.Magnitude; Protocol.dtc ] }; LatencyBatches = [] }
            let data = dataset 6
            use run = Training.runModels options data build
            Expect.equal [ for n, _ in run.Networks -> n ] [ "magnitude"; "dtc" ] "one network per method"
            use staged = Training.stage options.Protocol torch.CPU data
            for (name, network), m in Array.zip run.Networks run.Results.Methods do
                let last = m.Cycles.[m.Cycles.Length - 1]
                Expect.equal (Network.widths network) last.Widths (name + ": the final widths")
                Expect.equal (fst (Training.evaluate staged network)) last.TestAccuracy (name + ": the recorded accuracy")
            Expect.isTrue (run.Results.Footprints |> Array.forall (fun f -> f.Dense.Latency.Length = 0)) "no timing asked"
        }

        yield test "the methods start from the same weights, whatever the builder's random draws" {
            let mutable seed = 0
            let build () =
                seed <- seed + 1
                torch.manual_seed (int64 seed) |> ignore
                Network.ofSequential [| 36 |] (mlp torch.float32 36L 10L (fun () -> torch.nn.ReLU()))
            let options = { Training.Options.defaults with Protocol = { protocol with BatchesPerCycle = 1; Methods = [ Protocol.Magnitude; Protocol.random ] } }
            let results = Training.run options (dataset 6) build
            Expect.equal results.Methods.[0].InitialAccuracy results.Methods.[1].InitialAccuracy "the same first cycle"
            Expect.equal results.Methods.[0].Cycles.[0].TrainLoss results.Methods.[1].Cycles.[0].TrainLoss "the same first loss"
        }

        yield test "the user's optimiser and loss are used" {
            let mutable optimisers, losses = 0, 0
            let options =
                { Training.Options.defaults with
                    Protocol = { protocol with Stop = 20; Methods = [ Protocol.Magnitude ] }
                    Optimizer = Some(fun ps -> optimisers <- optimisers + 1; torch.optim.SGD(ps, 0.05))
                    Loss = Some(fun output target -> losses <- losses + 1; torch.nn.functional.nll_loss(torch.nn.functional.log_softmax(output, 1L), target)) }
            let results = Training.run options (dataset 6) (fun () -> Network.ofSequential [| 36 |] (mlp torch.float32 36L 10L (fun () -> torch.nn.ReLU())))
            let cycles = results.Methods.[0].Cycles.Length
            Expect.equal optimisers cycles "a new optimiser each cycle"
            Expect.equal losses (cycles * protocol.BatchesPerCycle) "the loss of every batch"
        }

        yield test "a sample shape that does not match the data is refused" {
            let m =
                Dtc.Tests.Support.Thrown.messageOf<ArgumentException> (fun () ->
                    Training.run { Training.Options.defaults with Protocol = { protocol with Methods = [ Protocol.Magnitude ] } } (dataset 6)
                        (fun () -> Network.ofSequential [| 35 |] (mlp torch.float32 35L 10L (fun () -> torch.nn.ReLU()))) |> ignore)
            Expect.stringContains m "[35]" "names the shape"
        }

        yield test "a compress cycle leaves no tensor alive" {
            use s = cnn torch.float64 6L 10L
            let network = Network.ofSequential [| 1; 6; 6 |] s
            use data = Training.stage protocol torch.CPU (dataset 6)
            Training.train { Training.Options.defaults with Protocol = protocol } data 0L 1 network |> ignore
            Network.compressOnce protocol Protocol.dtc network |> ignore
            let before = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            Training.train { Training.Options.defaults with Protocol = protocol } data 0L 2 network |> ignore
            Network.compressOnce protocol Protocol.dtc network |> ignore
            Training.evaluate data network |> ignore
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount before "live tensor count unchanged"
        }
    ]
