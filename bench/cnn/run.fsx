// Compress-trains a small CNN on Fashion-MNIST over its conv channels and hidden units by magnitude,
// random and DTC, and writes docs/data/cnn-fashion-mnist.json (atomically).
//
//   dotnet build src/Dtc.Cli -c Release
//   dotnet fsi bench/cnn/run.fsx            # a few minutes on 2 quiet cores
//
// Fashion-MNIST comes from Debian's package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
// The network: Conv(1→32, 3×3, pad 1) → ReLU → MaxPool 2 → Conv(32→64, 3×3, pad 1) → ReLU → MaxPool 2 →
// Flatten → Linear(3136→128) → ReLU → Linear(128→10). Three groups: conv1's 32 channels, conv2's 64
// channels (read by the Linear after the flatten) and the 128 hidden units.
// The paper's settings otherwise (keep 0.9, stop 10, Adam 1e-3, a new optimiser each cycle, its selection
// rule and DTC settings), with: batches of 128, 50 per cycle, each cycle continuing in the data where the
// previous one stopped (restarting would show the network the same 6,400 images every cycle), and
// Fashion-MNIST's own normalisation (mean 0.2860, std 0.3530).
// ATen's oneDNN (mkldnn) convolutions are switched off, as torch.backends.mkldnn.enabled = False does in
// PyTorch (TorchSharp 0.107 does not expose it): on an AMD EPYC with AVX-512, oneDNN's float32 convolutions
// returned NaN now and then (a tenth of the backward steps at some shapes; capped at AVX2, more rarely, but
// two runs still stopped on a NaN). ATen's own float32 convolutions showed none, and were fast enough.
#I "../../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Dtc.Core.dll"

open System
open System.IO
open TorchSharp
open Dtc.Training
open Dtc.Networks

Dtc.Runtime.Torch.init ()
torch.set_num_threads 2

/// Switches ATen's oneDNN backend off: at::globalContext().setUserEnabledMkldnn(false), from libtorch_cpu.
type private GlobalContext = delegate of unit -> nativeint
type private SetEnabled = delegate of nativeint * byte -> unit
let private disableMkldnn () =
    let lib = Runtime.InteropServices.NativeLibrary.Load "libtorch_cpu.so"
    let export name = Runtime.InteropServices.NativeLibrary.GetExport(lib, name)
    let context = Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<GlobalContext>(export "_ZN2at13globalContextEv").Invoke()
    Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<SetEnabled>(export "_ZN2at7Context20setUserEnabledMkldnnEb").Invoke(context, 0uy)
disableMkldnn ()

let output = Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "docs", "data", "cnn-fashion-mnist.json")
let dataset = Dtc.Data.Datasets.fashionMnist None

/// A new CNN; the methods' copies get the first one's weights, so only the first draw matters.
let build () : Network.Network =
    let layer (name: string) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) = struct (name, m)
    let cnn =
        torch.nn.Sequential(
            layer "conv1" (torch.nn.Conv2d(1L, 32L, 3L, padding = 1L)), layer "relu1" (torch.nn.ReLU()), layer "pool1" (torch.nn.MaxPool2d(2L)),
            layer "conv2" (torch.nn.Conv2d(32L, 64L, 3L, padding = 1L)), layer "relu2" (torch.nn.ReLU()), layer "pool2" (torch.nn.MaxPool2d(2L)),
            layer "flatten" (torch.nn.Flatten()), layer "fc1" (torch.nn.Linear(64L * 7L * 7L, 128L)), layer "relu3" (torch.nn.ReLU()),
            layer "fc2" (torch.nn.Linear(128L, 10L)))
    Network.ofSequential [| 1; 28; 28 |] cnn

let protocol =
    { Protocol.Protocol.paper with
        BatchSize = 128
        BatchesPerCycle = 50
        DataPosition = Protocol.Continue
        Normalisation = Dtc.Data.Given(0.2860, 0.3530) }

let report (method: string) (c: Training.NetworkCycle) =
    printfn "%-9s cycle %2d  widths %-14s  parameters %7d (%.3f removed)  accuracy %.4f  loss %.4f  train %.1f s, compress %.1f s, eval %.1f s"
        method c.Cycle (String.Join(",", c.Widths)) c.Parameters c.FractionRemoved c.TestAccuracy c.TrainLoss
        c.TrainSeconds c.CompressSeconds c.EvalSeconds

torch.manual_seed 42424242L |> ignore
let results =
    Training.run { Training.Options.defaults with Protocol = protocol; OnCycle = report } dataset build
Training.write output results
printfn "wrote %s (%.0f s)" (Path.GetFullPath output) results.WallSeconds
