(**
---
title: Reproducing the paper
category: Overview
categoryindex: 1
index: 5
---
*)
(*** condition: prepare ***)
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "DynamicObj.dll"
#r "Giraffe.ViewEngine.dll"
#r "Plotly.NET.dll"
#r "Dtc.Core.dll"
(*** hide ***)
open System.IO
open Plotly.NET
open Dtc.Training
open Dtc.Entropy
open Dtc.Report

let markdownTable (md: string) =
    let rows =
        md.Split('\n')
        |> Array.map (fun l -> l.Trim())
        |> Array.filter (fun l -> l.StartsWith "|" && not (l.StartsWith "|---"))
        |> Array.map (fun l -> l.Trim('|').Split('|') |> Array.map (fun c -> System.Net.WebUtility.HtmlEncode(c.Trim())))
    let cells tag (r: string[]) = r |> Array.map (fun c -> sprintf "<%s>%s</%s>" tag c tag) |> String.concat ""
    sprintf "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        (cells "th" rows.[0]) (rows.[1..] |> Array.map (fun r -> "<tr>" + cells "td" r + "</tr>") |> String.concat "")

let load name =
    let results = Records.ofJson (File.ReadAllText(Path.Combine(__SOURCE_DIRECTORY__, "data", name + "-results.json")))
    results, Analysis.analyze Analysis.defaults results
let figureSettings = { Figures.defaults with Width = 760; Height = 440; FontSize = 13.0 }
let describe (r: Records.Results) =
    let p = r.Metadata.Provenance
    let how =
        if isNull (box p) then sprintf "Dtc %s" r.Metadata.DtcVersion
        else sprintf "Dtc at %s, libtorch %s, reproducibility <code>%s</code> (MKL %s, ATen %s), %d intra-op thread%s" (p.DtcCommit.Substring(0, min 7 p.DtcCommit.Length)) p.LibTorchVersion p.Reproducibility p.Mkl p.CpuCapability r.Metadata.Threads (if r.Metadata.Threads = 1 then "" else "s")
    sprintf "<p><em>Run:</em> %s, %d train / %d test images; %s; %s; digest of the numbers <code>%s</code>.</p>"
        r.Metadata.Dataset r.Metadata.TrainSize r.Metadata.TestSize
        (sprintf "hidden %s, %s mini-batches per cycle, log-softmax over the batch %s" r.Metadata.Protocol.["hidden"] r.Metadata.Protocol.["batchesPerCycle"] r.Metadata.Protocol.["logSoftmaxOverBatch"])
        how r.Metadata.Digest
(**
# Reproducing the paper

`dotnet fsi build.fsx replicate` runs the paper's experiment with the supplement's protocol on the
embedded `mnist-sample`; `-- --dataset fashion-mnist` or `-- --dataset mnist` runs it on the full
data sets (see the README for where they come from). The command writes `results.json`,
`results.csv`, `analysis.json` and a self-contained `report.html`. This page restates the protocol
and the choices behind it, then shows the numbers — the tables are computed when the site is built,
by `Analysis.analyze`, from results files committed under `docs/data/`.

## The protocol

- **Model**: 784 → 512 → 10 MLP, Linear layers without bias, ReLU, Xavier-normal initialisation from
  seed 42424242. Inputs normalised with mean 0.1307 and standard deviation 0.3081.
- **Training**: mini-batches of 512, no shuffling, Adam with learning rate 10⁻³, a new optimiser
  each cycle, 200 mini-batches per cycle, each cycle starting again at the first batch.
- **Compression**: each cycle keeps ⌈0.9·(m − 1)⌉ of the m hidden units — 512 → 460 → 414 → … → 11 → 9 —
  and stops once at most 10 remain: 34 cycles. Three methods from the same initial model:
  *magnitude* (score a1 + a2), *random* (the same count, chosen at random with a fixed seed) and
  *DTC* (score s1 + s2 from inverse compressed sensing with λ = 0.3, the DCT-I basis and NumPy's Φ).
- **Analysis**: test accuracy after each compression, LOWESS-smoothed (frac 0.3); Gibbs entropy of
  the measurements y1 (incoming side, bits) and y2 (outgoing side, nats) per cycle over bins from
  −50 to 50 of width 0.2; Pearson correlation of entropy with the smoothed accuracy.

## The choices, made deliberately

- **Φ** is drawn from NumPy's legacy stream seeded 42424242 (`Measurements.NumPyLegacy`, bit for bit
  the supplement's), so y = Φx is the supplement's measurement of the same profile.
- **The measurement count** is the supplement's n = int(m·(1.0 − keep)) in double precision: with
  keep = 0.9 that is m·0.09999999999999998, so the 34 cycles take 51, 45, 41, 37, …, 1 measurements
  (`Measurements.ExactDecimal` gives 51, 46, …).
- **The kept count**: the supplement keeps the units strictly below NumPy's 0.9-quantile of |score|,
  ⌈0.9·(m − 1)⌉ on distinct scores. An exact LASSO gives tied zeros, on which that literal rule keeps
  nothing, so Dtc fixes the count first and breaks ties by index (`Selection.strictQuantile` is the
  literal rule).
- **λ** weighs the paper's own objective ‖ΦΨs − y‖² + λ‖s‖₁ (scikit-learn's `alpha` is λ/(2n)).
- **The quirks are kept by default**: the output log-softmax over the batch dimension
  (`Protocol.corrected` or `--class-softmax` uses the class dimension), the selection of the
  *smallest* scores, and the DTC score compared index by index in the coefficient domain. The unused
  BatchNorm layer of the supplement is left out (it never enters the forward pass).
- **Accuracy** is the exact test accuracy, correct/total (`Analysis.defaults`); the supplement's
  mean of per-batch accuracies is `Analysis.paper` (`--paper-accuracy`).

## mnist-sample (the embedded 10,000 digits)

The numbers below are the same to the bit on every x86-64 machine with AVX2: they come from

```bash
dotnet fsi build.fsx replicate -- --reproducible portable --threads 2
```

which prints the digest of its numbers; the committed `docs/data/mnist-sample-results.json` holds it
in `metadata.digest`. Without `--reproducible portable` the numbers are the same from run to run on one
machine, and may differ in the last bits on another kind of processor (see the README).

One run gives one draw of the seed-dependent numbers; the question of the proposition needs many.
[Settling the proposition](sweeps.html) answers it with ten seeds per data set, confidence intervals and
controls.

The tables, computed at this build from the committed results:
*)
(*** hide ***)
let sampleResults, sampleAnalysis = load "mnist-sample"
describe sampleResults + markdownTable (Analysis.accuracyMarkdown sampleAnalysis) + markdownTable (Analysis.correlationMarkdown sampleAnalysis)
(*** include-it-raw ***)
(*** hide ***)
Figures.accuracy figureSettings sampleAnalysis |> GenericChart.toChartHTML
(*** include-it-raw ***)
(**
## Fashion-MNIST (60,000 / 10,000)

The same protocol on Fashion-MNIST (Debian's `dataset-fashion-mnist`), from
`docs/data/fashion-mnist-results.json`, made by
`dotnet fsi build.fsx replicate -- --dataset fashion-mnist --reproducible portable --threads 2`.
*)
(*** hide ***)
let fmResults, fmAnalysis = load "fashion-mnist"
describe fmResults + markdownTable (Analysis.accuracyMarkdown fmAnalysis) + markdownTable (Analysis.correlationMarkdown fmAnalysis)
(*** include-it-raw ***)
(*** hide ***)
Figures.accuracy figureSettings fmAnalysis |> GenericChart.toChartHTML
(*** include-it-raw ***)
(*** hide ***)
Figures.entropyY2 figureSettings fmAnalysis |> GenericChart.toChartHTML
(*** include-it-raw ***)
(**
## The paper's own data

The supplement publishes the data behind its figures. `PaperData.ofSupplementJson` reads it into
the results schema and `dtc analyze supplement-mnist.json` (or `dtc report`) runs the same analysis on
it, without training: it recognises the supplement's format by content (`--format supplement` forces
it) and uses its accuracy, the mean of per-batch accuracies. It reproduces
the paper's correlations exactly — Pearson r of the y2 entropy with the smoothed accuracy **0.917**
against the DTC (CS) curve and **0.941** against the random curve, as the paper reports, and 0.938
against the magnitude curve. It also shows what the paper does not: log n alone correlates about as
strongly, and the partial correlation of the entropy with the accuracy given log n drops to
**0.687**, **0.759** and **0.732** (DTC, random, magnitude). That is one run and one seed; the
[sweeps](sweeps.html) put such values beside their spread over seeds and beside controls without learning.

The paper's data is not in the repository (it is the supplement's, CC-BY-4.0); the report of its
analysis, rendered in headless Chromium:

![report.html of the paper's own data](img/report-paper-data.png)

## Reading the numbers

The entropy of the measurements does correlate strongly with the accuracy over the compression
cycles, as the proposition says. But the number of measurements n shrinks with the layer, and the
Gibbs entropy of n values spread over fine bins is close to log n; the accuracy falls as the layer
shrinks too. The partial correlation given log n is the honest measure of what the entropy adds, and
Dtc reports it next to every correlation.

The report of the `mnist-sample` run (`runs/mnist-sample/report.html`), in headless Chromium:

![report.html of the mnist-sample run](img/report-mnist-sample.png)

## Reproducible numbers, in detail

The same command and seed give the same numbers to the bit, every field of `results.json` but the
timings; `--reproducible machine|portable|fastest` says how far the promise reaches (the performance
page has the costs).

The costs are whole `dtc replicate` runs on mnist-sample, four interleaved rounds on this machine kind
(2 cores: about 35 s in `machine` and `fastest`, 72–81 s in `portable`; `bench/reproducibility/modes.sh`).
In those rounds every `machine` run gave one digest, every `portable` run one digest,
and the four `fastest` runs four different digests.

`machine` fixes MKL's code path for this processor (conditional numerical reproducibility
`AUTO,STRICT`). `portable` runs MKL's SSE2 code path (`COMPATIBLE,STRICT`, the only fixed one MKL
accepts on AMD processors), caps ATen's kernels at AVX2 and computes on one intra-op thread, so
`--threads` does not change its numbers. In `machine` mode the thread count is part of the result.

`results.json` records what the numbers depend on, under `metadata.provenance`: Dtc's commit, the
libtorch version, the mode, what MKL and ATen report in force, the processor and the threads. It also
holds `metadata.digest`, a SHA-256 of all the numbers, which `dtc replicate` prints. Two runs agree to
the bit exactly when their digests do. A test compares a short portable run with a committed digest, so
a change that moves the numbers is a deliberate one.

Scripts and notebooks choose the mode with `DTC_REPRODUCIBLE=portable`, or in code before the first
tensor: `Dtc.Runtime.Reproducibility.configure Reproducibility.Portable` (F#),
`Reproducibility.Configure(ReproducibilityMode.Portable)` (C#).

## The embedded sample

The sample's split and order: within digit d, sample j (file order) goes to the test split when
j % 5 = 0, else to train; each split is written round-robin over the classes; pixel byte =
⌊value·255 + 0.5⌋. SHA-256 of the committed files (`src/Dtc.Core/Data/mnist-sample/`):

```
295e2891074b50375c3f1b5b1f298e8ef34b24f62092eb92ac1ed5b963f7ca49  train-images-idx3-ubyte.gz
c3cb429d60d9c64f9467d5c6ecce1edbfd336c09bf2e5fd32b33a1186039e591  train-labels-idx1-ubyte.gz
390c1927a256791c67bccb3f6ba0d9996ecccbedaf716f696a5d34697b3508ff  t10k-images-idx3-ubyte.gz
ee65adcd62d75c5c4c6ad9edf80a3d8eff83d8c208e91ecad074510d121e2aad  t10k-labels-idx1-ubyte.gz
```
*)
