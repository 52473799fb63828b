// Dtc quickstart: a small compress-train run on the embedded mnist-sample, its analysis and report.
//
//   dotnet build -c Release              (once, in the repository root)
//   dotnet fsi samples/quickstart.fsx    (optional argument: the output folder; default a temp folder)
//
// The script references the build output of the `dtc` CLI, src/Dtc.Cli/bin/Release/net10.0/: that
// folder holds Dtc.Core.dll with every dependency (TorchSharp, Plotly.NET, MathNet.Numerics, FSharp.Core)
// and TorchSharp's native libraries under runtimes/linux-x64/native. (src/Dtc.Core/bin/... holds
// Dtc.Core.dll alone: a library's build output does not copy its packages.) With a published package
// the first lines would instead be `#r "nuget: Dtc.Core"`.

#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"

open System
open System.IO
open System.Threading
open TorchSharp
open Dtc.Data
open Dtc.Training
open Dtc.Entropy
open Dtc.Report

// TorchSharp's native wrapper needs a newer libstdc++ than Debian 12 / Ubuntu 22.04 ship; Dtc patches a
// copy into ~/.cache/dtc/native when (and only when) needed. Call this before touching `torch`.
Dtc.Runtime.Torch.init ()
torch.set_num_threads 2

let outDir =
    match fsi.CommandLineArgs |> Array.tail with
    | [| dir |] -> Path.GetFullPath dir
    | _ -> Path.Combine(Path.GetTempPath(), "dtc-quickstart")
Directory.CreateDirectory outDir |> ignore

// 10,000 real MNIST digits embedded in Dtc.Core (7,996 train / 2,004 test): no download.
let dataset = Datasets.mnistSample ()
printfn "%s" (Datasets.describe (Datasets.summarise dataset))

// The supplement's protocol, scaled down so that it runs in seconds: 128 hidden units instead of 512,
// 20 mini-batches per cycle instead of 200. Everything else (seeds, keep 0.9, λ = 0.3, DCT-I, NumPy's Φ,
// the quirks) is the paper's: 128 → 115 → 103 → … → 9 hidden units in 24 cycles.
let protocol = { Protocol.Protocol.paper with Hidden = [| 128 |]; BatchesPerCycle = 20 }

let device = Dtc.Runtime.Torch.cpu ()
use staged = Steps.stage (Datasets.Normalisation.Given(protocol.Mean, protocol.Std)) protocol.BatchSize device dataset

let options : CompressTrain.RunOptions =
    { Protocol = protocol
      Device = device
      CheckpointDir = None
      Resume = false
      DataFingerprint = sprintf "%s:%d:%d" dataset.Name dataset.Train.Count dataset.Test.Count
      OnProgress = (fun p -> if p.Cycle % 6 = 0 || p.Cycle = p.TotalCycles then
                                printfn "  %-9s cycle %2d/%d  hidden %A  accuracy %.3f" p.Method p.Cycle p.TotalCycles p.Widths p.Accuracy)
      Cancellation = CancellationToken.None }

let results =
    CompressTrain.run options dataset.Name staged [ Protocol.Magnitude; Protocol.Random; Protocol.Dtc ]
printfn "Trained and compressed three models in %.1f s" results.Metadata.WallSeconds

// The analysis is a pure function of the results: Gibbs entropy of the measurements per cycle, LOWESS
// accuracy, correlations, the log(n) control.
let analysis = Analysis.analyze Analysis.defaults results

File.WriteAllText(Path.Combine(outDir, "results.json"), Records.toJson results)
let report = Path.Combine(outDir, "report.html")
Html.write Html.defaults report analysis results

printfn ""
printfn "%s" (Analysis.toMarkdown analysis)
printfn "Wrote %s (self-contained, opens offline) and results.json" report
