(**
---
title: Dtc — Dual Tomographic Compression
category: Overview
categoryindex: 1
index: 1
---
*)
(*** hide ***)
// Prepare block: the build output of the `dtc` CLI holds Dtc.Core with every dependency and
// TorchSharp's native libraries (build it first: `dotnet build -c Release`).
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
Dtc.Runtime.Torch.init ()
(**
# Dtc — Dual Tomographic Compression for .NET

Dtc implements **Dual Tomographic Compression (DTC)** and the **Gibbs randomness-compression
proposition** of M. Süzen, *"Gibbs randomness-compression proposition: An efficient deep learning"*
([arXiv 2505.23869](https://arxiv.org/abs/2505.23869)), as an F# library over
[TorchSharp](https://github.com/dotnet/TorchSharp), with a thin C# facade (`Dtc.CSharp`) and a
command-line tool (`dtc`).

**What it does.** DTC compresses a hidden layer *while it trains*. Each cycle:

1. summarises each hidden unit's incoming and outgoing weights as two **unit profiles**;
2. takes random **measurements** of each profile and recovers a sparse code, a **weight ray**, by a LASSO
   in a DCT basis (inverse compressed sensing);
3. scores the units from both sides with the two rays — **dual tomography**;
4. **slices** the layer to the kept units, so the weight matrices really get smaller;
5. trains on.

Repeating this compress-train cycle takes a 512-unit layer down to 9 units in 34 cycles.

**Why.** The paper proposes that the **Gibbs entropy** of the measurements tracks the accuracy over the
cycles. Dtc reproduces the experiment exactly: the supplement's random streams, counts and quirks
included. Every numeric routine is checked against NumPy, SciPy, scikit-learn or statsmodels.

**The control the paper lacks.** The number of measurements n shrinks every cycle. The entropy of n values
in distinct bins is exactly log n. So Dtc also reports how much of the correlation log n alone explains.

## The key figure

Test accuracy against the fraction of hidden neurons removed, for the paper's three methods: magnitude
pruning, random pruning and DTC. The data are the embedded `mnist-sample` (10,000 real MNIST digits). The
protocol is the supplement's: a 784-512-10 MLP, 200 Adam mini-batches per cycle, 90 % of the hidden units
kept per cycle.

Markers are the cycles; lines are their LOWESS smoothing. The figure is drawn when the site is built, from
the committed results of `dotnet fsi build.fsx replicate -- --reproducible portable --threads 2`
([docs/data/mnist-sample-results.json](data/mnist-sample-results.json)). That command gives the same
numbers to the bit on any x86-64 machine with AVX2.
*)
(*** hide ***)
open System.IO
open Plotly.NET
open Dtc.Training
open Dtc.Entropy
open Dtc.Report

let results = Records.ofJson (File.ReadAllText(Path.Combine(__SOURCE_DIRECTORY__, "data", "mnist-sample-results.json")))
let analysis = Analysis.analyze Analysis.defaults results
let figureSettings = { Figures.defaults with Width = 760; Height = 460; FontSize = 13.0 }
(*** hide ***)
Figures.accuracy figureSettings analysis |> GenericChart.toChartHTML
(*** include-it-raw ***)
(**
All three methods keep about 94–95 % test accuracy until 80 % of the hidden units are gone. At the last
cycle (9 of 512 units left, 98.2 % removed) they part.

On the paper's full MNIST run the same protocol gives:

| Method | 10 % removed | 80 % removed | 98.2 % removed |
|---|---:|---:|---:|
| magnitude | 0.959 | 0.968 | 0.806 |
| random | 0.960 | 0.970 | 0.810 |
| DTC | 0.962 | 0.971 | 0.588 |

[Reproducing the paper](reproducing.html) has the details.

## Where to go next

| page | what it shows |
|---|---|
| [Getting started (F#)](getting-started.html) | load the embedded sample, run a small compress-train protocol, analyse it, chart it — in a few seconds |
| [The method, step by step](method.html) | profiles → measurements → LASSO → rays → dual scores → selection → slicing → cycles → entropy, each with a figure computed from the real modules |
| [Using Dtc from C#](csharp.html) | the `Dtc.CSharp` facade with a complete program |
| [Your data](your-data.html) | a data set from your arrays or tensors, validation, normalisation, a short run |
| [Your network](your-network.html), [Conv2d channels](conv-channels.html), [Feed-forward blocks](ffn-blocks.html) | compress-train your own TorchSharp network; the CNN on Fashion-MNIST |
| [Take the network out](export.html) | TorchSharp, safetensors, PyTorch and ONNX export; parameters, FLOPs and latency |
| [Reproducing the paper](reproducing.html) | the protocol and its choices, the numbers on mnist-sample and Fashion-MNIST, the analysis of the paper's own data, the report |
| [Performance](performance.html) | how speed is measured (`dtc bench`, BenchmarkDotNet) and the recorded numbers |
| [C# API reference](csharp-api.html) | every type and member of the `Dtc.CSharp` facade, with C# signatures |
| [F# API reference](reference/index.html) | every public module, type and function of Dtc.Core and Dtc.Data, from their XML docs |

Two commands do the main jobs from a clone (with the .NET 10 SDK only):

```bash
dotnet fsi build.fsx replicate   # the paper's experiment on mnist-sample: results.json, analysis, report.html
dotnet fsi build.fsx docs        # this site, every example evaluated, into output/
```

The scripts in `samples/` are the same material to run yourself: `samples/quickstart.fsx` (a small
run with its report) and `samples/notebooks/dtc-walkthrough.ipynb` (the method on the embedded sample,
for .NET Interactive / Polyglot Notebooks).

## What is in the box

| Area | Modules | What they do |
|---|---|---|
| Runtime | `Dtc.Runtime.Reproducibility`, `Native`, `Torch`, `NumPyRandom`, `AtomicFile`, `Threads` | the reproducibility mode; native loading on older Linux (see the README); devices and conversions; NumPy's legacy random stream, bit for bit; every file written atomically |
| Sensing | `Dtc.Sensing.Basis`, `Measurements`, `Lasso` (one file per algorithm: certificate, device solver, host active set, Newton start) | DCT-I (the paper's Ψ), DCT-II, identity; seeded Gaussian Φ and y = Φx; a batched LASSO, also over one shared Θ, with a duality-gap certificate that holds in exact arithmetic |
| Tomography | `Dtc.Tomography.Profiles`, `Rays` | unit profiles a1, a2; inverse compressed sensing of profiles |
| Pruning | `Dtc.Pruning.Scoring`, `Selection`, `Slicing` | dual, unit-aligned and magnitude scores; the paper's kept count and rules; real smaller Linear layers |
| Entropy | `Dtc.Entropy.Gibbs`, `Analysis` | Gibbs entropy (plug-in and Miller–Madow) with NumPy's histogram; a run's correlations with the log(n) control |
| Statistics | `Dtc.Statistics.Correlation`, `Lowess`, `Resampling`, `Quantile` | Pearson/Spearman/partial correlation; LOWESS as statsmodels; bootstrap CIs, paired t, Holm, ΔR², permutation tests |
| Data | `Dtc.Data.Idx`, `Dataset`, `Staging`, `Datasets` | a validating IDX reader/writer; one data set type for your arrays or tensors (any shape, any class count) and the named sets; normalisation given or computed; staged on the device once |
| Training | `Dtc.Training.Protocol`, `Model`, `Steps`, `Compression`, `Checkpoint`, `RunFolder`, `CompressTrain`, `Records` | the `paper` preset and the methods (`Magnitude`, `Random seed`, `Dtc settings`); compress-train cycles with checksummed checkpoints and resume; the results schema with provenance and digest |
| Networks | `Dtc.Networks.Groups`, `Discovery`, `Network`, `Training` | your TorchSharp network's unit groups (Linear units, Conv2d channels, named feed-forward pairs), sliced in place; compress-train with your optimiser and loss |
| Sweeps | `Dtc.Sweeps.Plan`, `Controls`, `Sweep`, `Analysis` | seeds × grid plans; negative controls; the local executor, shards and merge; the analysis across seeds |
| Report | `Dtc.Report.Figures`, `Html`, `SweepReport` | the paper's figures (Plotly.NET); offline HTML reports of a run and of a sweep |

Layout: `src/Dtc.Core` (F#, the method), `src/Dtc.Data` (F#: data sets by name, the cached MNIST download),
`src/Dtc.CSharp` (C# facade, translation only), `src/Dtc.Cli` (`dtc`, C# over the facade), `src/Dtc.Bench`
(F#: the harness of `dtc bench`, shipped inside the tool), `tests/Dtc.Tests` (Expecto + FsCheck; mirrors the sources),
`tests/Dtc.CSharp.Tests` (xunit: the facade from C#, and the `dtc` command run in a process of its own:
exit codes, messages, outputs), `tests/fixtures` (reference data and the scripts that generated it), `docs/`, `build.fsx`.
Package versions are pinned once in `Directory.Packages.props`.
*)
