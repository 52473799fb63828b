(**
---
title: Settling the proposition: sweeps
category: Overview
categoryindex: 1
index: 6
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
open Dtc.Report
open Dtc.Sweeps

let load name =
    Analysis.ofJson (File.ReadAllText(Path.Combine(__SOURCE_DIRECTORY__, "data", name + "-sweep-analysis.json")))

let figureSettings = { Figures.defaults with Width = 760; Height = 440; FontSize = 13.0 }

let table (analysis: Analysis.SweepAnalysis) =
    let md = Analysis.correlationMarkdown analysis.Points.[0]
    let rows =
        md.Split('\n')
        |> Array.map (fun l -> l.Trim())
        |> Array.filter (fun l -> l.StartsWith "|" && not (l.StartsWith "|---"))
        |> Array.filter (fun l -> l.StartsWith "| quantity" || l.Contains "→ dtc)")
        |> Array.map (fun l -> l.Trim('|').Split('|') |> Array.map (fun c -> System.Net.WebUtility.HtmlEncode(c.Trim())))
    let cells tag (r: string[]) = r |> Array.map (fun c -> sprintf "<%s>%s</%s>" tag c tag) |> String.concat ""
    sprintf "<p><em>Verdict:</em> %s</p><table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        (System.Net.WebUtility.HtmlEncode analysis.Points.[0].Verdict)
        (cells "th" rows.[0]) (rows.[1..] |> Array.map (fun r -> "<tr>" + cells "td" r + "</tr>") |> String.concat "")
(**
# Settling the proposition: sweeps

One run cannot say whether the Gibbs entropy of the measurements tracks learning. Its numbers move with
the seed, and the number of measurements n shrinks with the layer, which alone drives the entropy down.
`dtc sweep` runs the protocol over many seeds; `dtc analyze` on the sweep's folder answers with
confidence intervals and controls.

```bash
dtc sweep --seeds 10 --out runs/sweep     # 10 seeds × 3 methods
dtc analyze runs/sweep                     # the analysis and report
```

From the repository, `dotnet src/Dtc.Cli/bin/Release/net10.0/dtc.dll` stands for `dtc`.

## What a sweep runs

- **Seeds.** `--seeds 10` runs seeds 1 to 10; `--seeds 1-20` and `--seeds 1,4,7` also work. Each seed
  varies the initialisation, Φ and the random method's draws. `--shuffle-data` also varies the order
  of the training data.
- **A grid.** `--grid lambda=0.1,0.3,1 keep=0.8,0.9` runs every combination for every seed. Every
  replicate option (`--hidden`, `--keep`, `--lambda`, `--batches-per-cycle`, …) sets all runs.
- **Tasks.** Each method of each run is one task on one thread. `--jobs` tasks run at once (default:
  the core count).
- **Folders.** Each run gets a folder with a complete replicate output (`results.json`, the report,
  the checkpoints) and its negative controls (`controls.json`). `sweep.json` holds the plan and each
  run's status.
- **Resuming.** Run the same command again after Ctrl+C or a crash. Finished runs are kept and the
  others resume from their checkpoints. `dtc sweep --out DIR` alone continues the sweep in DIR.

### How the seeds are derived

Seed index s and the base seed b (`--base-seed`, default 42424242) give one seed per stream k:
init 0, Φ 1, random 2, shuffle 3, control 4. The rule is SplitMix64's finaliser:
seed = mix(b + γ·(8s + k + 1)) / 2³³, with γ = 0x9E3779B97F4A7C15 and arithmetic modulo 2⁶⁴.
The rule is part of the file format and never changes. `Plan.derive` computes it.

## On a cluster

The runs of a sweep are independent, so a sweep splits into shards: `--shard i/n` runs every n-th run,
starting at the i-th. All shards write to one shared folder, and `dtc analyze` merges them from that
folder alone.

**Slurm.** `--emit slurm` writes an array job, one task per shard. Each task runs
`dtc sweep --out … --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`:

```bash
dtc sweep --seeds 20 --out /shared/sweep --emit slurm --shards 20
sbatch /shared/sweep/sweep.sbatch
dtc analyze /shared/sweep                  # after the array finishes
```

**Kubernetes.** `--emit k8s` writes an Indexed Job manifest (`sweep-job.yaml`). Each pod runs
its shard with `$JOB_COMPLETION_INDEX` and mounts the sweep folder from a volume claim. `--image`
names the container image.

Every task computes on one thread, so the shards give the same bits as the local executor on the same
machine. With `--reproducible portable` they give the same bits on any x86-64 machine. The repository's
`tests/slurm/run.sh` checks this for real. It starts a single-node Slurm, runs a 4-task array and
compares its merged analysis with the local executor's, byte for byte. CI runs it.

## What the analysis computes

Every statistic is computed for each seed, then summarised across seeds. Each interval is a 95 %
percentile bootstrap of the mean over seeds, with 2,000 resamples and a fixed seed.

| part | what it says |
|---|---|
| accuracy per cycle | each method's mean and CI; paired t tests between methods at every cycle, Holm-corrected |
| r and Spearman ρ | entropy of y1 and y2 against each method's LOWESS-smoothed accuracy |
| partial r given log(n) | what the entropy says about accuracy beyond the number of measurements |
| ΔR² | how much adding the entropy improves a linear model of accuracy on log(n) |
| permutation p | permutes the entropy across seeds within each cycle (same width, same n): does its seed-to-seed variation track accuracy? |
| Gaussian control | the entropy of random Gaussian profiles, measured with the same n, widths and Φ |
| untrained control | the entropy of the untrained network's profiles of the kept units, measured the same way |
| Miller–Madow | the entropy with its small-sample bias correction (K − 1)/(2N), beside the paper's plug-in estimate |

If a control correlates with accuracy as strongly as the real entropy, the verdict says so.

The report (`sweep-report.html`) opens with the verdict. The mnist-sample sweep's, in headless Chromium:

![sweep-report.html of the mnist-sample sweep](img/sweep-report-mnist-sample.png)

## The answer on mnist-sample

Ten seeds, the paper's protocol, `dtc sweep --seeds 10` (analysis committed as
`docs/data/mnist-sample-sweep-analysis.json`). Rows show the measured method (dtc) against its own
curve (the report and the JSON also hold every other curve).
*)
(*** hide ***)
let sample = load "mnist-sample"
table sample
(*** include-it-raw ***)
(*** hide ***)
SweepReport.accuracyBands figureSettings sample.Points.[0] |> GenericChart.toChartHTML
(*** include-it-raw ***)
(*** hide ***)
SweepReport.correlationStrips figureSettings sample.Points.[0] |> GenericChart.toChartHTML
(*** include-it-raw ***)
(*** hide ***)
SweepReport.partialStrips figureSettings sample.Points.[0] |> GenericChart.toChartHTML
(*** include-it-raw ***)
(**
## The answer on Fashion-MNIST

The same sweep on the full Fashion-MNIST, `dtc sweep --seeds 10 --dataset fashion-mnist`
(`docs/data/fashion-mnist-sweep-analysis.json`).
*)
(*** hide ***)
let fashion = load "fashion-mnist"
table fashion
(*** include-it-raw ***)
(*** hide ***)
SweepReport.correlationStrips figureSettings fashion.Points.[0] |> GenericChart.toChartHTML
(*** include-it-raw ***)
(*** hide ***)
SweepReport.partialStrips figureSettings fashion.Points.[0] |> GenericChart.toChartHTML
(*** include-it-raw ***)
(**
## From code

F#:

```fsharp
open Dtc.Sweeps
let plan =
    Sweep.plan { Dataset = "mnist-sample"; DataFolder = ""; Methods = [| "magnitude"; "random"; "dtc" |]
                 Settings = [||]; Grid = [||]; Seeds = [| 1 .. 10 |]; BaseSeed = 42424242L
                 ShuffleData = false; Reproducibility = "machine" }
let summary = Sweep.runLocal (Sweep.Options.defaults "runs/sweep") plan
let analysis = Sweep.merge "runs/sweep" |> Analysis.analyze Analysis.defaults
printfn "%s" analysis.Points.[0].Verdict
```

C#:

```csharp
using Dtc.CSharp.Sweeps;
var plan = Sweep.Plan(new SweepSpec { Seeds = Sweep.ParseSeeds("10") });
Sweep.RunLocal(plan, "runs/sweep", jobs: 2);
var analysis = SweepAnalysis.Analyze(Sweep.Merge("runs/sweep"));
Console.WriteLine(analysis.Points[0].Verdict);
analysis.WriteReport("runs/sweep/sweep-report.html");
```
*)
