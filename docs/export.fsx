(**
---
title: Take the network out
category: Your network
categoryindex: 2
index: 4
---
*)
(*** condition: prepare ***)
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "TorchSharp.PyBridge.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
(*** condition: ipynb ***)
#if IPYNB
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "TorchSharp.PyBridge.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
#endif // IPYNB
(*** hide ***)
#load "../tests/Dtc.CSharp.Tests/Examples/Snippets.fsx"
open Snippets
(**
# Take the network out

Every compress-train run gives you its networks as live TorchSharp modules. One call writes a network in
any of four formats. Each file comes with an architecture JSON beside it, so it loads again without
anyone guessing a shape.

| format | file | read it with |
|---|---|---|
| `torchsharp` | `dtc.dat` | `TorchSharpFile.read` (F#), `ModelExport.Load` (C#) |
| `safetensors` | `dtc.safetensors` | PyTorch, with the snippet below; any safetensors reader |
| `pytorch` | `dtc.pt` | `torch.load` (a state dict), with the snippet below |
| `onnx` | `dtc.onnx` | ONNX Runtime and other ONNX runtimes (opset 17) |

The architecture (`dtc.architecture.json`) names each layer by its PyTorch class and constructor
arguments, such as `{"module": "Linear", "args": {"in_features": 784, "out_features": 9, "bias": false}}`.

## From the command line

`dtc replicate --save-model` saves each method's final network in the run folder's `models/`;
`--save-cycles 5,10` saves the networks after those cycles too. `dtc export` converts them:

```bash
dtc replicate --save-model --out runs/paper
dtc export runs/paper --format all           # runs/paper/export/{dtc,magnitude,random}.{dat,safetensors,pt,onnx}
dtc export runs/paper/checkpoints/dtc.ckpt --format onnx --out exported
```

A run folder without `models/` is exported from its checkpoints, which hold each method's last network.

## From F#

`CompressTrain.runModels` runs the protocol like `CompressTrain.run` and keeps each method's final network
(and those of `ModelCycles`). Dispose the result to release them.
*)
open System.IO
open TorchSharp
open Dtc.Data
open Dtc.Models
open Dtc.Training

Dtc.Runtime.Torch.init ()
torch.set_num_threads 2
let protocol =
    { Protocol.Protocol.paper with
        Hidden = [| 64 |]; BatchesPerCycle = 20
        Methods = [ Protocol.Magnitude; Protocol.dtc ] }
let run = CompressTrain.runModels { CompressTrain.RunOptions.defaults with Protocol = protocol } (Datasets.mnistSample ())

let dtc = run.Models |> Array.find (fun m -> m.Final && m.Method = "dtc")
[ for l in (Architecture.ofSequential dtc.SampleShape dtc.Network).Layers -> l.Name, l.Layer ]
(*** include-it ***)
(**
`Export.write` writes one format. Here every format, into a folder:
*)
let folder = Directory.CreateTempSubdirectory("dtc-export-").FullName
let written =
    [ for format in Export.formats do
          let path = Path.Combine(folder, "dtc" + Export.extension format)
          yield! Export.write format path dtc.SampleShape dtc.Network ]
[ for f in List.distinct written -> Path.GetFileName f, FileInfo(f).Length ]
(*** include-it ***)
(**
The TorchSharp file loads back from the architecture beside it. The reloaded network computes the same
outputs, bit for bit:
*)
let reloaded, architecture = TorchSharpFile.read torch.CPU (Path.Combine(folder, "dtc.dat"))
let sameOutputs =
    use x = torch.randn(8L, 784L)
    use _ = torch.no_grad ()
    use a = dtc.Network.forward x
    use b = reloaded.forward x
    a.allclose(b, 0.0, 0.0)
architecture.SampleShape, sameOutputs
(*** include-it ***)
(**
## In PyTorch

`docs/snippets/load_in_pytorch.py` rebuilds the network from its architecture JSON and loads the weights
from the `.safetensors` or the `.pt` file. It needs only `torch` and `numpy`:

```bash
python3 load_in_pytorch.py runs/paper/export dtc input.npy safetensors
```
*)
(*** hide ***)
let pythonSnippet =
    let text = File.ReadAllText(Path.Combine(__SOURCE_DIRECTORY__, "snippets", "load_in_pytorch.py"))
    "<pre><code class=\"language-python\">" + System.Net.WebUtility.HtmlEncode text + "</code></pre>"
pythonSnippet
(*** include-it-raw ***)
(**
We checked it once with Debian's PyTorch 1.13. We used the networks that `dtc replicate --save-model` saved
for the paper preset, and a batch of 8 inputs. The largest difference between PyTorch's log-probabilities
and TorchSharp's was 5.7 × 10⁻⁶, for values up to 15.9. Both formats gave the same difference. Float64
networks agree to 4 × 10⁻¹⁶. The check is `tests/fixtures/check_pytorch_export.fsx` with its Python half;
rerun it with a run folder as its second argument.

## In ONNX Runtime, from C#

The same run from C#: `CompressTrain.RunWithModels`, then `ModelExport.Write` for each format.
*)
(*** hide ***)
csharp "ExportExamples.cs" "export-run"
(*** include-it-raw ***)
(**
Reload the TorchSharp file with no shape to give:
*)
(*** hide ***)
csharp "ExportExamples.cs" "export-reload"
(*** include-it-raw ***)
(**
Run the ONNX file in ONNX Runtime (`Microsoft.ML.OnnxRuntime`). The test behind this example checks that
its outputs are within 10⁻⁵ of TorchSharp's:
*)
(*** hide ***)
csharp "ExportExamples.cs" "onnx-runtime"
(*** include-it-raw ***)
(**
## What the compression bought

The results hold a footprint for each method: its final network against the dense network it started
from. The footprint gives the parameters, the FLOPs per sample, and the median latency of one forward
pass at batch 1 and batch 512. Both networks are timed in the same process, interleaved.

*)
(*** hide ***)
let footprintTable =
    let duration (s: float) = if s < 1e-3 then sprintf "%.1f µs" (s * 1e6) else sprintf "%.2f ms" (s * 1e3)
    let rows =
        [ for f in run.Results.Footprints ->
              let latency b =
                  let d = f.Dense.Latency |> Array.find (fun l -> l.Batch = b)
                  let c = f.Compressed.Latency |> Array.find (fun l -> l.Batch = b)
                  sprintf "%s → %s (%.1f×)" (duration d.MedianSeconds) (duration c.MedianSeconds) (d.MedianSeconds / c.MedianSeconds)
              sprintf "<tr><td>%s</td><td>%s → %s</td><td>%s → %s</td><td>%s</td><td>%s</td></tr>"
                  f.Method (f.Dense.Parameters.ToString("N0")) (f.Compressed.Parameters.ToString("N0"))
                  (f.Dense.Flops.Value.ToString("N0")) (f.Compressed.Flops.Value.ToString("N0")) (latency 1) (latency 512) ]
    "<table><thead><tr><th>method</th><th>parameters</th><th>FLOPs per sample</th><th>latency, batch 1</th><th>latency, batch 512</th></tr></thead><tbody>"
    + String.concat "" rows + "</tbody></table>"
footprintTable
(*** include-it-raw ***)
(**
These figures were measured while this page was built, on the docs machine. `dtc replicate` prints the same
table and puts it in the report; `results.json` holds it under `footprints`.

Read the latency with care. FLOPs shrink with the widths, but a forward pass at batch 1 is mostly fixed
overhead: its latency falls far less than its FLOPs. At batch 512 the matrix products weigh more, so the
speed-up is larger, but it stays well below the FLOPs ratio. The [performance page](performance.html) has the
paper preset's figures.

How it is counted:

- **Parameters**: every element of every parameter. BatchNorm's running statistics are buffers, not parameters.
- **Multiply–accumulates (MACs)**: those of the Linear and Conv2d layers, which thop and fvcore report as "FLOPs".
- **FLOPs**: two per MAC, plus one per output element for each bias and each activation, and the kernel area
  per output element for pooling. BatchNorm costs two per element; LogSoftmax and Softmax three.
- **Latency**: evaluation mode, no gradients, on a fixed-seed input. The median of at least 7 timed samples,
  each at least 1 ms long, with TorchSharp's current intra-op threads. `RunOptions.LatencyBatches` chooses
  the batch sizes; set it to `[]` to skip the timing.

## Your own network

`Networks.Training.runModels` keeps each method's compressed module: the module your builder made, sliced in
place. Its results have the same footprints.

- **A `Sequential`** (MLP or CNN) exports in every format, with its architecture.
- **A custom module** has feed-forward pairs that Dtc compressed inside it. `Export.writeModule` saves its
  state dict in the `torchsharp`, `safetensors` or `pytorch` format. The file `<name>.shapes.json` beside it
  lists every tensor's shape:
  - build your class again at those widths to load it in PyTorch;
  - in TorchSharp, `Export.loadInto path module` resizes the Linear layers of a dense instance of your class,
    then loads the weights.
- **ONNX needs the layers**, so Dtc refuses ONNX for a custom module, and says which formats keep it.

From C#, with the custom module of [Feed-forward blocks](ffn-blocks.html):
*)
(*** hide ***)
csharp "ExportExamples.cs" "export-custom"
(*** include-it-raw ***)
(**

## What to know

- **ONNX**: opset 17 and IR version 8. Linear becomes Gemm, Conv2d becomes Conv, and BatchNorm2d becomes
  BatchNormalization with its running statistics. GELU and Mish are written as their formulas.
- **The paper's output quirk**: the paper's MLP takes log-softmax over the batch, so its ONNX graph ends in
  `LogSoftmax(axis=0)`. Its outputs depend on the whole batch, exactly as in training. Use
  `--class-softmax` (`LogSoftmaxOverBatch = false`) for a network whose outputs are per sample.
- **Float64 networks**: every format supports them. ONNX Runtime's CPU provider has no float64 Conv, so a
  float64 CNN's ONNX file is valid but does not run there.
- **Atomic writes**: each file is written to a temporary name and renamed. An interrupted export leaves no
  partial file.
*)
(*** hide ***)
reloaded.Dispose()
(run :> System.IDisposable).Dispose()
Directory.Delete(folder, true)
