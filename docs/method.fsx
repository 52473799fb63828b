(**
---
title: The method, step by step
category: Overview
categoryindex: 1
index: 3
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
open Plotly.NET
open Plotly.NET.LayoutObjects
// The page's chart style: Plotly.NET's default template is slow to serialise, so charts are built
// without it (UseDefaults = false) and styled here, as Dtc.Report.Figures does.
let styled (title: string) (xTitle: string) (yTitle: string) (chart: GenericChart) =
    let grid = Color.fromString "#e3e3e3"
    chart
    |> Chart.withTitle title
    |> Chart.withXAxisStyle (TitleText = xTitle, ShowGrid = true, GridColor = grid, ZeroLine = false)
    |> Chart.withYAxisStyle (TitleText = yTitle, ShowGrid = true, GridColor = grid, ZeroLine = false)
    |> Chart.withLayoutStyle (PlotBGColor = Color.fromString "white", PaperBGColor = Color.fromString "white",
                              Font = Font.init (Family = StyleParam.FontFamily.Custom "Helvetica Neue, Helvetica, Arial, sans-serif", Size = 13.0))
    // The legend sits below the x axis title, in the margin kept for it; no mode bar over the plot.
    |> Chart.withLegendStyle (Orientation = StyleParam.Orientation.Horizontal, X = 0.0, Y = -0.32, YAnchor = StyleParam.YAnchorPosition.Top)
    |> Chart.withMarginSize (Bottom = 120)
    |> Chart.withConfig (Config.init (Displaylogo = false, DisplayModeBar = false))
    |> Chart.withSize (760, 480)
let html (chart: GenericChart) = GenericChart.toChartHTML chart
(**
# The method, step by step

Dual Tomographic Compression scores the hidden units of a layer from both sides — the weights
into them and the weights out of them — through *inverse compressed sensing*: the weights are
known, so we invent random measurements of a summary of them and recover a sparse code by a LASSO.
This page walks through one compression of a real, briefly trained layer, using the library's own
modules, then the cycles and the entropy. Every number and figure was computed when the site was
built.

| Step | What | Module |
|---:|---|---|
| 1 | unit profiles a1, a2 | `Dtc.Tomography.Profiles` |
| 2 | the basis Ψ (DCT-I) | `Dtc.Sensing.Basis` |
| 3 | measurements y = Φa | `Dtc.Sensing.Measurements` |
| 4 | LASSO for the sparse code s | `Dtc.Sensing.Lasso` |
| 5 | weight rays and reconstructions | `Dtc.Tomography.Rays` |
| 6 | dual scores s1 + s2 | `Dtc.Pruning.Scoring` |
| 7 | selection of the kept units | `Dtc.Pruning.Selection` |
| 8 | structural slicing | `Dtc.Pruning.Slicing` |
| 9 | compress-train cycles | `Dtc.Training.CompressTrain` |
| 10 | Gibbs entropy of the measurements | `Dtc.Entropy.Gibbs`, `Dtc.Entropy.Analysis` |

## A layer to compress

The paper's model is 784 inputs → 512 hidden units → 10 classes, Linear layers without bias,
Xavier-normal initialisation from seed 42424242. So that this page builds in seconds we take half
the width, m = 256 hidden units, and train for 50 mini-batches of 512 digits of the embedded
`mnist-sample` (the first cycle of the paper's protocol trains 200); everything else is the paper's.
*)
open System.Threading
open TorchSharp
open Dtc.Data
open Dtc.Sensing
open Dtc.Tomography
open Dtc.Pruning
open Dtc.Entropy
open Dtc.Training

Dtc.Runtime.Torch.init ()
torch.set_num_threads 2

let protocol = Protocol.Protocol.paper
let device = Dtc.Runtime.Torch.cpu ()
let data = Steps.stage protocol.Normalisation protocol.BatchSize device (Datasets.mnistSample ())
let m = 256
let model = Model.create protocol.InitSeed false true torch.float32 device [| 784; m; 10 |]

let loss =
    // The protocol's Adam (one fused update per step; torch.optim.Adam works here too).
    use adam = Adam.create protocol.LearningRate model.Parameters
    Steps.train adam (Model.forward model) (Steps.trainBatch None data) 0L 50
let accuracyBefore, _ = Steps.evaluate (Model.forward model) data
(loss, accuracyBefore)
(*** include-it ***)
(**
`Model.pair 0 model` views the two weight matrices around the hidden layer: the incoming weight
W₁ (256 × 784, units × inputs) and the outgoing weight W₂ (10 × 256, outputs × units).
*)
let pair = Model.pair 0 model
(pair.IncomingWeight.shape, pair.OutgoingWeight.shape)
(*** include-it ***)
(**
## 1. Unit profiles

A **profile** summarises each unit's weights on one side by one number: a1[k] is the sum of row k
of W₁ (what flows into unit k), a2[k] the sum of column k of W₂ (what flows out of it). Two vectors
of length m, one per side of the layer — the two "projections" of the tomography.
*)
let profiles = Profiles.dual Profiles.Sum pair.IncomingWeight pair.OutgoingWeight   // 2 × m
let a1 = Dtc.Runtime.Torch.toArray profiles.[0L]
let a2 = Dtc.Runtime.Torch.toArray profiles.[1L]
(*** hide ***)
[ Chart.Line(x = [ 0 .. m - 1 ], y = a1, Name = "a1 (incoming, row sums of W₁)", UseDefaults = false)
  Chart.Line(x = [ 0 .. m - 1 ], y = a2, Name = "a2 (outgoing, column sums of W₂)", UseDefaults = false) ]
|> Chart.combine
|> styled (sprintf "The two profiles of the %d hidden units" m) "unit k" "profile value"
|> html
(*** include-it-raw ***)
(**
## 2. The basis Ψ

The sparse code lives in an orthonormal basis Ψ; the paper uses the DCT of type I, whose column j
is a cosine of frequency j over the units. Here the 32 × 32 matrix (the layer uses m × m):
*)
let psi32 = Basis.values Basis.DctI 32
(*** hide ***)
Chart.Heatmap(zData = Array.init 32 (fun i -> Array.init 32 (fun j -> psi32.[i, j])), ColorScale = StyleParam.Colorscale.RdBu,
              ReverseScale = true, UseDefaults = false)
|> styled "Orthonormal DCT-I basis Ψ (m = 32)" "basis function j (frequency)" "unit i"
|> Chart.withSize (620, 520)
|> html
(*** include-it-raw ***)
(**
## 3. Measurements

Inverse compressed sensing invents n random **measurements** of each profile: y = Φa with Φ an
n × m Gaussian matrix. The count follows the kept fraction: n = int(m·(1.0 − keep)), computed in
double precision exactly as the supplement does (1.0 − 0.9 = 0.09999999999999998, so 512 gives
51 and 256 gives 25). Φ is drawn from NumPy's legacy random stream seeded 42424242 — bit for bit the supplement's
matrix — at every call.
*)
let n = Measurements.count Measurements.PaperDouble 0.9 m
let phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 device n m
let y = Measurements.measure phi (profiles.``to``(torch.float64))     // 2 × n: y1 and y2
(n, y.shape)
(*** include-it ***)
(**
## 4. The LASSO

With Θ = ΦΨ, the sparse code s of a profile solves the paper's objective
min_s ‖Θs − y‖² + λ‖s‖₁ with λ = 0.3: n = 25 equations, m = 256 unknowns, so the ℓ₁ penalty picks a
sparse solution. `Lasso.solve` solves a batch of such problems at once on the tensors' device (an
active-set phase, then FISTA) and certifies each solution by its relative duality gap.
`Rays.reconstruct` does steps 3 to 5 in one call, with the paper's settings:
*)
let rays = Rays.reconstruct Rays.Options.paper profiles
[ for d in rays.Diagnostics -> sprintf "objective %.4f, relative gap %.1e, %d iterations, converged %b" d.Objective d.RelativeGap d.Iterations d.Converged ]
(*** include-it ***)
(**
## 5. Weight rays

The codes s1 and s2 are sparse vectors of DCT coefficients; their sum s1 + s2 is the paper's
**weight ray**. A handful of coefficients are non-zero:
*)
let s1 = Dtc.Runtime.Torch.toArray rays.Codes.[0L]
let s2 = Dtc.Runtime.Torch.toArray rays.Codes.[1L]
let nonZero (s: float[]) = s |> Array.filter (fun v -> v <> 0.0) |> Array.length
(nonZero s1, nonZero s2)
(*** include-it ***)
(*** hide ***)
let stems (name: string) (color: string) (s: float[]) =
    let idx = [| for i in 0 .. s.Length - 1 do if s.[i] <> 0.0 then yield i |]
    Chart.Column(values = (idx |> Array.map (fun i -> s.[i])), Keys = idx, Name = name, MarkerColor = Color.fromString color, UseDefaults = false)
    |> Chart.withTraceInfo (Name = name)
[ stems "s1 (incoming)" "#1f77b4" s1; stems "s2 (outgoing)" "#ff7f0e" s2 ]
|> Chart.combine
|> styled "Sparse codes: the non-zero DCT-I coefficients" "coefficient index j" "coefficient"
|> Chart.withXAxisStyle (TitleText = "coefficient index j", MinMax = (0.0, float (m - 1)))
|> html
(*** include-it-raw ***)
(**
Ψs is the profile the code reconstructs. A profile of trained weights is not sparse in the DCT
basis, and 25 random measurements of a 256-vector cannot pin it down: the reconstruction is a poor
copy — its relative ℓ₁ error, `rays.RelativeErrors`, is of order 1. The method does not need a
faithful copy: the code is used as a *score* (step 6), and the measurements y for the entropy (step 10).
*)
rays.RelativeErrors
(*** include-it ***)
(*** hide ***)
let recon1 = Dtc.Runtime.Torch.toArray rays.Reconstructions.[0L]
[ Chart.Line(x = [ 0 .. m - 1 ], y = a1, Name = "a1", LineColor = Color.fromString "#c7c7c7", UseDefaults = false)
  Chart.Line(x = [ 0 .. m - 1 ], y = recon1, Name = "Ψs1 (reconstruction)", LineColor = Color.fromString "#1f77b4", UseDefaults = false) ]
|> Chart.combine
|> styled (sprintf "The incoming profile and its reconstruction from %d measurements" n) "unit k" "value"
|> html
(*** include-it-raw ***)
(**
## 6. Dual scores

The paper's DTC score is s1 + s2 (`Scoring.Coefficients`): note that it lives in the coefficient domain, so its
index j is a DCT frequency, not unit j — the supplement nevertheless ranks units by it, index by
index (`Scoring.Reconstruction` scores Ψs1 + Ψs2, aligned with the units; `Scoring.Magnitude`
is the baseline a1 + a2). From the rays above:
*)
let values = Dtc.Runtime.Torch.toArray (Scoring.ofRays Scoring.Coefficients rays)
(**
`Scoring.dual` does steps 1 to 6 in one call, straight from the two weight matrices:
`Scoring.dual Scoring.Coefficients Profiles.Sum Rays.Options.paper pair.IncomingWeight pair.OutgoingWeight`.
*)
(**
## 7. Selection

Each cycle keeps 90 % of the units: ⌈0.9·(m − 1)⌉ — 230 of 256 here, 460 of 512 in the paper's
first cycle (the supplement's quantile rule on distinct scores). The supplement keeps the units with the **smallest** |score| — it removes the
largest. An exact LASSO leaves most scores at zero; ties are broken by index.
*)
let k = Selection.keptCount Selection.PaperQuantile 0.9 m
let kept = Selection.select Selection.KeepSmallest k values
(k, kept.Length, values |> Array.filter (fun v -> v = 0.0) |> Array.length)
(*** include-it ***)
(*** hide ***)
let keptSet = Set.ofArray kept
let part keep = [| for i in 0 .. m - 1 do if keptSet.Contains i = keep then yield i |]
[ Chart.Point(x = part true, y = (part true |> Array.map (fun i -> values.[i])), Name = sprintf "kept (%d)" k, MarkerColor = Color.fromString "#2ca02c", UseDefaults = false)
  Chart.Point(x = part false, y = (part false |> Array.map (fun i -> values.[i])), Name = sprintf "removed (%d)" (m - k), MarkerColor = Color.fromString "#d62728", UseDefaults = false) ]
|> Chart.combine
|> styled "Dual scores s1 + s2 and the units they keep" "index (unit k = coefficient j)" "score"
|> html
(*** include-it-raw ***)
(**
## 8. Structural slicing

The kept indices slice both matrices: rows of W₁, columns of W₂. The layer really gets smaller —
no mask — and training continues on the smaller model (`Model.compress` does this for a model).
*)
let smaller = Slicing.slice kept pair
(smaller.IncomingWeight.shape, smaller.OutgoingWeight.shape)
(*** include-it ***)
let compressed = Model.compress 0 kept model
let accuracyAfter, _ = Steps.evaluate (Model.forward compressed) data
(accuracyBefore, accuracyAfter)
(*** include-it ***)
(**
## 9. Compress-train cycles

A cycle trains for a fixed number of mini-batches (paper: 200), then compresses as above and
evaluates. The widths and the measurement counts of the paper's 34 cycles follow from keep = 0.9
and stop = 10 alone:
*)
let widths = Selection.schedule Selection.PaperQuantile 0.9 10 512          // after each cycle
let before = 512 :: List.take (List.length widths - 1) widths                 // before each cycle
let counts = before |> List.map (Measurements.count Measurements.PaperDouble 0.9)
(List.length widths, widths, counts)
(*** include-it ***)
(*** hide ***)
let cycles = [ 1 .. List.length counts ]
[ Chart.Line(x = cycles, y = widths, Name = "hidden units after the cycle", ShowMarkers = true, UseDefaults = false)
  Chart.Line(x = cycles, y = counts, Name = "measurements n of the cycle", ShowMarkers = true, UseDefaults = false) ]
|> Chart.combine
|> styled "The paper's schedule: 512 → 9 units in 34 cycles" "cycle" "count (log scale)"
|> Dtc.Report.Figures.withLogYAxis (Seq.append (Seq.map float widths) (Seq.map float counts))
|> html
(*** include-it-raw ***)
(**
`CompressTrain.run` runs the cycles for each method from the same initial model; see
[Getting started](getting-started.html) for a whole (small) run.

## 10. Gibbs entropy of the measurements

The proposition concerns the **Gibbs entropy** of a measurement vector: histogram y over fixed bins
(paper: −50 to 50 by 0.2), pᵢ = countᵢ / total, S = −Σ pᵢ log pᵢ. For y2 of our layer:
*)
let y2 = Dtc.Runtime.Torch.toArray y.[1L]
let h = Gibbs.histogram Gibbs.paper y2
(h.Total, h.Outside, h.Counts |> Array.filter (fun c -> c > 0) |> Array.length, h.Entropy, log (float n))
(*** include-it ***)
(*** hide ***)
let lo, hi = Array.min y2 - 0.5, Array.max y2 + 0.5
let bins = [| for i in 0 .. h.Counts.Length - 1 do if h.Edges.[i + 1] > lo && h.Edges.[i] < hi then yield i |]
[ Chart.Column(values = (bins |> Array.map (fun i -> h.Counts.[i])), Keys = (bins |> Array.map (fun i -> 0.5 * (h.Edges.[i] + h.Edges.[i + 1]))),
               Name = "count per bin (width 0.2)", MarkerColor = Color.fromString "#2ca02c", UseDefaults = false) ]
|> Chart.combine
|> styled (sprintf "y2 (n = %d) in the paper's bins: S = %.3f nats, log n = %.3f" n h.Entropy (log (float n))) "y2 value (bin centre)" "count"
|> html
(*** include-it-raw ***)
(**
With so few values spread over bins of width 0.2, most values fall in a bin of their own, and the
entropy is close to its maximum log n. Over the cycles n shrinks from 51 to 1, so the entropy falls
with it — which is why Dtc reports log n as a control next to every correlation. The entropy of y2
over the 34 cycles of the DTC run on `mnist-sample` (committed results of `dotnet fsi build.fsx replicate -- --reproducible portable --threads 2`),
with log n dashed:
*)
(*** hide ***)
let results = Records.ofJson (System.IO.File.ReadAllText(System.IO.Path.Combine(__SOURCE_DIRECTORY__, "data", "mnist-sample-results.json")))
let analysis = Analysis.analyze Analysis.defaults results
Dtc.Report.Figures.entropyY2 { Dtc.Report.Figures.defaults with Width = 760; Height = 440; FontSize = 13.0 } analysis |> html
(*** include-it-raw ***)
(**
The proposition correlates this curve with the accuracy curves; [Reproducing the paper](reproducing.html)
gives the correlations, with and without the log n control.
*)
(*** hide ***)
for t in [ y; phi; profiles; smaller.IncomingWeight; smaller.OutgoingWeight ] do t.Dispose()
(rays :> System.IDisposable).Dispose()
(compressed :> System.IDisposable).Dispose()
(model :> System.IDisposable).Dispose()
(data :> System.IDisposable).Dispose()
