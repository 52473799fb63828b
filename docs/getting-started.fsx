(**
---
title: Getting started (F#)
category: Overview
categoryindex: 1
index: 2
---
*)
(*** condition: prepare ***)
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
(*** condition: ipynb ***)
#if IPYNB
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
#endif // IPYNB
(*** hide ***)
// Small HTML helpers for this page: a Markdown table (as Dtc prints them) to an HTML table.
let markdownTable (md: string) =
    let rows =
        md.Split('\n')
        |> Array.map (fun l -> l.Trim())
        |> Array.filter (fun l -> l.StartsWith "|" && not (l.StartsWith "|---"))
        |> Array.map (fun l -> l.Trim('|').Split('|') |> Array.map (fun c -> System.Net.WebUtility.HtmlEncode(c.Trim())))
    let cells tag (r: string[]) = r |> Array.map (fun c -> sprintf "<%s>%s</%s>" tag c tag) |> String.concat ""
    sprintf "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        (cells "th" rows.[0]) (rows.[1..] |> Array.map (fun r -> "<tr>" + cells "td" r + "</tr>") |> String.concat "")
(**
# Getting started (F#)

This page is an F# script: every block below was run when the site was built, and the outputs and
charts are what it printed. Run it yourself from the repository root after `dotnet build -c Release`
(or start from [`samples/quickstart.fsx`](https://github.com/dtc-project/dtc/blob/main/samples/quickstart.fsx)).

## Referencing Dtc

The build output of the `dtc` CLI, `src/Dtc.Cli/bin/Release/net10.0/`, holds `Dtc.Core.dll` with every
dependency (TorchSharp, Plotly.NET, MathNet.Numerics) and TorchSharp's native libraries, so a script
only needs (here from a script in a folder of the repository, like `docs/` or `samples/`):

```text
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
```

TorchSharp 0.107's native wrapper needs a newer C++ runtime than Debian 12 or Ubuntu 22.04 have; Dtc
loads a patched copy by itself when (and only when) it is needed. Every Dtc function that creates
tensors does that; call `Dtc.Runtime.Torch.init ()` yourself before touching `torch` directly.
*)
open System.Threading
open TorchSharp
open Plotly.NET
open Dtc.Data
open Dtc.Training
open Dtc.Entropy
open Dtc.Report

Dtc.Runtime.Torch.init ()
torch.set_num_threads 2
(**
## The data

`mnist-sample` is embedded in Dtc.Core: 10,000 real MNIST digits (7,996 for training, 2,004 for
testing), no download.
*)
let dataset = Datasets.mnistSample ()
Datasets.describe (Datasets.summarise dataset)
(*** include-it ***)
(**
## A small compress-train run

A `Protocol` holds every setting of a run; `Protocol.paper` is the supplement's (784-512-10 MLP,
200 mini-batches of 512 per cycle, keep 90 % per cycle, λ = 0.3, DCT-I, NumPy's Φ, seeds 42424242).
We shrink it so that it runs in seconds: 64 hidden units and 10 mini-batches per cycle. The schedule
of widths follows from `Keep` and `Stop`:
*)
let protocol = { Protocol.Protocol.paper with Hidden = [| 64 |]; BatchesPerCycle = 10 }

Dtc.Pruning.Selection.schedule protocol.Count protocol.Keep protocol.Stop 64
(*** include-it ***)
(**
The protocol's `Methods` are the paper's three: `Magnitude`, `Random 42424242L` and
`Dtc DtcSettings.paper` (λ = 0.3, DCT-I, NumPy's Φ; also named `Protocol.random` and `Protocol.dtc`). The run options say how to run (device,
checkpoints, progress, cancellation); `CompressTrain.run` stages the data on the device itself, and
each method starts from the same initial model.
*)
protocol.Methods |> List.map Protocol.methodName
(*** include-it ***)

let options = { CompressTrain.RunOptions.defaults with Protocol = protocol }

let results = CompressTrain.run options dataset

[ for m in results.Methods ->
    m.Method, m.Cycles.Length, (Array.last m.Cycles).Widths, (Array.last m.Cycles).TestAccuracy ]
(*** include-it ***)
(**
`results` is the same record the `dtc replicate` command writes as `results.json`
(`Records.toJson`/`Records.ofJson`): per method and cycle the widths, the test accuracy, the weight
ray, the measurement vectors y1 and y2, the LASSO's duality gaps and the kept units.

## Analysis

The analysis is a pure function of the results: per cycle the Gibbs entropy of y1 and y2 (bins
−50…50 by 0.2), the LOWESS-smoothed accuracy, then the correlations of entropy with accuracy and the
control by log n (the number of measurements).
*)
let analysis = Analysis.analyze Analysis.defaults results
(*** hide ***)
markdownTable (Analysis.accuracyMarkdown analysis)
(*** include-it-raw ***)
(**
The accuracy table reports the cycle nearest each of the paper's fractions (10 %, 80 %, 98.2 %);
with 64 units the last cycle leaves 9 units, 85.9 % removed. The correlations, with the log(n) control:
*)
(*** hide ***)
markdownTable (Analysis.correlationMarkdown analysis)
(*** include-it-raw ***)
(**
## Charts

`Dtc.Report.Figures` draws the paper's figures as Plotly.NET charts. Accuracy against the fraction
of neurons removed:
*)
let settings = { Figures.defaults with Width = 760; Height = 440; FontSize = 13.0 }
let accuracyChart = Figures.accuracy settings analysis
(*** hide ***)
accuracyChart |> GenericChart.toChartHTML
(*** include-it-raw ***)
(**
The Gibbs entropy of the next-layer measurements y2 of the DTC run, with log n dashed:
*)
let entropyChart = Figures.entropyY2 settings analysis
(*** hide ***)
entropyChart |> GenericChart.toChartHTML
(*** include-it-raw ***)
(**
## A report

`Html.write` renders everything — metadata, tables, the five figures, the measurement histograms —
into one self-contained HTML page that opens offline:

```fsharp
Html.write Html.defaults "report.html" analysis results
```

Next: [the method step by step](method.html), or the [API reference](reference/index.html).
*)
