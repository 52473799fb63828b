module Dtc.Tests.Sweeps.Analysis

open System
open System.IO
open Expecto
open Dtc.Sweeps
open Dtc.Sweeps.Analysis
open Dtc.Entropy
open Dtc.Tests.Support

/// A merged three-seed sweep of width 32 stopping at 17 (5 cycles, 2 or 3 measurements each), its folder deleted.
let private merged : Lazy<Sweep.Merged> =
    lazy
        (let spec = Dtc.Tests.Sweeps.Plan.spec [ "hidden", "32"; "batches-per-cycle", "2"; "stop", "17" ] [||] [| 1; 2; 3 |]
         Dtc.Tests.Sweeps.Sweep.withTemp (fun folder ->
             Sweep.runLocal (Dtc.Tests.Sweeps.Sweep.options folder 2) (Sweep.plan spec) |> ignore
             Sweep.merge folder))

/// A merged two-point grid (λ = 0.1, 0.3) of two tiny seeds each.
let private grid : Lazy<Sweep.Merged> =
    lazy
        (let spec = Dtc.Tests.Sweeps.Plan.spec [ "hidden", "16"; "batches-per-cycle", "2"; "stop", "12" ] (Plan.parseGrid [ "lambda=0.1,0.3" ]) [| 1; 2 |]
         Dtc.Tests.Sweeps.Sweep.withTemp (fun folder ->
             let plan = Sweep.plan spec
             Sweep.runLocal (Dtc.Tests.Sweeps.Sweep.options folder 2) plan |> ignore
             for r in plan.Runs do
                 Expect.isTrue (File.Exists(Path.Combine(folder, r.Point, sprintf "seed-%03d" r.Seed, "results.json")))
                     (sprintf "%s lives in point/seed folders" r.Id)
             Sweep.merge folder))

let private analysis = lazy (analyze defaults merged.Value)

/// The analysis' private closed-form partial r (the permutation test's statistic), by reflection.
let private partialR (x: float[]) (y: float[]) (z: float[]) : float =
    let m = typeof<Settings>.DeclaringType.GetMethod("partialR", Reflection.BindingFlags.NonPublic ||| Reflection.BindingFlags.Static)
    if isNull m then failtest "Dtc.Sweeps.Analysis.partialR is not found"
    m.Invoke(null, [| box x; box y; box z |]) :?> float

let private close = { absolute = 1e-12; relative = 1e-12 }

let private expectSame (expected: float) (actual: float) (what: string) =
    if Double.IsNaN expected then Expect.isTrue (Double.IsNaN actual) (sprintf "%s: expecting NaN but received %g" what actual)
    else Expect.floatClose close actual expected what

let private row (p: PointAnalysis) source curve quantity estimator =
    p.Correlations
    |> Array.tryFind (fun r -> r.Source = source && r.Curve = curve && r.Quantity = quantity && r.Estimator = estimator)
    |> Option.defaultWith (fun () -> failtestf "no correlation row %s / %s / %s / %s" source curve quantity estimator)

/// A summary with the given mean and interval (values irrelevant to the verdict).
let private s mean lower upper : Summary = { Values = [| mean |]; Mean = mean; Lower = lower; Upper = upper }

let private correlation quantity estimator pearson partial delta p : CorrelationSummary =
    { Source = "dtc"; Curve = "dtc"; Quantity = quantity; Estimator = estimator
      Pearson = pearson; Spearman = pearson; PartialGivenLogN = partial; DeltaR2 = delta; PermutationP = p }

/// The headline row and its controls, as the verdict reads them.
let private rows headline gaussian untrained =
    [| headline
       correlation "log(n)" "" (s 0.9 0.85 0.95) (s nan nan nan) (s nan nan nan) nan
       correlation "Gaussian control (y2)" "plug-in" gaussian (s 0.0 -0.1 0.1) (s 0.0 0.0 0.1) 0.5
       correlation "untrained control (y2)" "plug-in" untrained (s 0.0 -0.1 0.1) (s 0.0 0.0 0.1) 0.5 |]

[<Tests>]
let tests =
    testSequenced <| testList "Sweeps.Analysis" [
        testCase "per-seed correlations equal the single-run analysis' on each seed's series" <| fun () ->
            let a = analysis.Value
            let point = Array.exactlyOne a.Points
            Expect.equal point.Point "" "one point without a grid"
            Expect.equal point.Seeds [| 1; 2; 3 |] "the seeds"
            for s, run in Array.indexed merged.Value.Runs do
                let single = Dtc.Entropy.Analysis.analyze Dtc.Entropy.Analysis.defaults run.Results
                let cyclesOf m = (single.Methods |> Array.find (fun x -> x.Method = m)).Cycles
                let dtc = cyclesOf "dtc"
                let controls = run.Controls |> Array.exactlyOne
                let gaussian = controls.Cycles |> Array.map (fun c -> if c.GaussianY2.Length = 0 then nan else Gibbs.entropy Gibbs.paper c.GaussianY2)
                for curve in [ "dtc"; "magnitude"; "random" ] do
                    let y = cyclesOf curve |> Array.map (fun c -> c.SmoothedAccuracy)
                    for quantity, estimator, x in
                        [ "entropy(y2)", "plug-in", dtc |> Array.map (fun c -> c.EntropyY2)
                          "entropy(y1)", "plug-in", dtc |> Array.map (fun c -> c.EntropyY1)
                          "log(n)", "", dtc |> Array.map (fun c -> c.LogMeasurements)
                          "Gaussian control (y2)", "plug-in", gaussian ] do
                        let what = sprintf "seed %d, %s against %s's accuracy" (s + 1) quantity curve
                        let pearson, spearman, _ = Dtc.Entropy.Analysis.correlate x y
                        let r = row point "dtc" curve quantity estimator
                        expectSame pearson.Coefficient r.Pearson.Values.[s] (what + ": Pearson")
                        expectSame spearman.Coefficient r.Spearman.Values.[s] (what + ": Spearman")
                    let paperRow = single.Correlations |> Array.find (fun x -> x.Source = "dtc" && x.Curve = curve && x.Quantity = "entropy(y2)")
                    expectSame paperRow.Pearson.Coefficient (row point "dtc" curve "entropy(y2)" "plug-in").Pearson.Values.[s]
                        (sprintf "seed %d: the same r as the single-run analysis' row" (s + 1))
            Expect.isFalse (point.Correlations |> Array.exists (fun r -> r.Source <> "dtc")) "only dtc has measurements"
            Expect.equal point.Cycles.Length 5 "five cycles"
            Expect.equal (point.Cycles |> Array.map (fun c -> c.Cycle)) [| 1 .. 5 |] "numbered from 1"

        testCase "summaries: the mean of the finite values, inside its bootstrap interval" <| fun () ->
            let point = analysis.Value.Points.[0]
            let summaries =
                [ for c in point.Cycles do
                    for m in c.Methods -> sprintf "cycle %d %s accuracy" c.Cycle m.Method, m.Accuracy
                  for r in point.Correlations do
                    let what = sprintf "%s %s → %s" r.Quantity r.Estimator r.Curve
                    yield what + " Pearson", r.Pearson
                    yield what + " Spearman", r.Spearman
                    yield what + " partial", r.PartialGivenLogN
                    yield what + " ΔR²", r.DeltaR2 ]
            let mutable finite = 0
            for what, x in summaries do
                Expect.equal x.Values.Length 3 (sprintf "%s: a value per seed" what)
                let values = x.Values |> Array.filter Double.IsFinite
                if values.Length = 0 then
                    Expect.isTrue (Double.IsNaN x.Mean && Double.IsNaN x.Lower && Double.IsNaN x.Upper) (sprintf "%s: no finite value, NaN summary" what)
                elif values.Length = 1 then
                    Expect.equal x.Mean values.[0] (sprintf "%s: one finite value is the mean" what)
                    Expect.isTrue (Double.IsNaN x.Lower && Double.IsNaN x.Upper) (sprintf "%s: one finite value has no interval" what)
                else
                    finite <- finite + 1
                    Expect.floatClose close x.Mean (Array.average values) (sprintf "%s: the mean of the finite values" what)
                    Expect.isTrue (x.Lower <= x.Mean + 1e-12 && x.Mean <= x.Upper + 1e-12) (sprintf "%s: %g ≤ %g ≤ %g" what x.Lower x.Mean x.Upper)
                    let ci = Dtc.Statistics.Resampling.bootstrapMean 2000 defaults.Seed 0.95 x.Values
                    Expect.floatClose close x.Lower ci.Lower (sprintf "%s: the percentile bootstrap's lower bound" what)
                    Expect.floatClose close x.Upper ci.Upper (sprintf "%s: upper bound" what)
            Expect.isGreaterThan finite 10 "most summaries are finite"
            for c in point.Cycles do
                for m in c.Methods do
                    let run = merged.Value.Runs |> Array.map (fun r -> (r.Results.Methods |> Array.find (fun x -> x.Method = m.Method)).Cycles.[c.Cycle - 1].TestAccuracy)
                    Expect.equal m.Accuracy.Values run (sprintf "cycle %d %s: the seeds' test accuracy" c.Cycle m.Method)

        testCase "paired comparisons: every pair at every cycle, Holm p ≥ raw p, differences as the paired t test's" <| fun () ->
            let point = analysis.Value.Points.[0]
            Expect.equal point.Comparisons.Length (5 * 3) "3 pairs × 5 cycles"
            for c in point.Comparisons do
                let what = sprintf "cycle %d %s − %s" c.Cycle c.A c.B
                if Double.IsFinite c.PValue then
                    Expect.isGreaterThanOrEqual c.PHolm c.PValue (sprintf "%s: Holm p ≥ raw p" what)
                    Expect.isLessThanOrEqual c.PHolm 1.0 (sprintf "%s: Holm p ≤ 1" what)
                let accuracy m = ((point.Cycles |> Array.find (fun x -> x.Cycle = c.Cycle)).Methods |> Array.find (fun x -> x.Method = m)).Accuracy.Values
                let t = Dtc.Statistics.Resampling.pairedT (accuracy c.A) (accuracy c.B)
                expectSame t.MeanDifference c.MeanDifference (what + ": mean difference")
                expectSame t.PValue c.PValue (what + ": p")
            let raw = point.Comparisons |> Array.map (fun c -> c.PValue)
            Expect.equal (point.Comparisons |> Array.map (fun c -> c.PHolm)) (Dtc.Statistics.Resampling.holm raw) "Holm over every comparison of the point"

        testCase "the verdict counts the seeds; JSON is deterministic and round-trips; Markdown carries the verdict" <| fun () ->
            let a = analysis.Value
            let point = a.Points.[0]
            Expect.stringContains point.Verdict "Over 3 seeds" "the verdict counts the seeds"
            Expect.stringContains point.Verdict "Conclusion:" "the verdict concludes"
            Expect.equal point.Verdict (verdict point.Level 3 point.Correlations) "the verdict is verdict of the rows"
            let again = toJson (analyze defaults merged.Value)
            Expect.equal again (toJson a) "analysing twice gives the same JSON, byte for byte"
            Expect.equal (toJson (ofJson again)) again "the JSON round-trips"
            Expect.equal a.Dataset "mnist-sample" "dataset"
            Expect.equal a.Methods [| "magnitude"; "random"; "dtc" |] "methods"
            let md = toMarkdown a
            Expect.stringContains md point.Verdict "Markdown holds the verdict"
            Expect.stringContains md "| quantity (source → curve) |" "and the headline table"
            Expect.stringContains md a.Method "and how the numbers were computed"
            let html = Path.Combine(Path.GetTempPath(), "dtc-tests-sweep-report-" + Guid.NewGuid().ToString("N") + ".html")
            try
                Dtc.Report.SweepReport.write Dtc.Report.Figures.defaults html a
                let text = File.ReadAllText html
                Expect.stringStarts text "<!DOCTYPE html>" "the report is HTML"
                Expect.stringContains text "Verdict" "the report shows the verdict"
            finally
                File.Delete html

        testCase "analyze refuses fewer than 2000 resamples and analyses each grid point apart" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> analyze { defaults with Resamples = 100 } merged.Value |> ignore) "100 resamples"
            let a = analyze defaults grid.Value
            Expect.equal (a.Points |> Array.map (fun p -> p.Point)) [| "lambda=0.1"; "lambda=0.3" |] "one analysis per point, in order"
            for p in a.Points do
                Expect.equal p.Seeds [| 1; 2 |] (sprintf "%s: its seeds" p.Point)
                Expect.stringContains p.Verdict "Over 2 seeds" (sprintf "%s: verdict" p.Point)
            Expect.stringContains (toMarkdown a) "### lambda=0.3" "Markdown heads each point"

        testCase "the permutation p permutes the quantity across seeds within each cycle, on the mean partial r given ln n" <| fun () ->
            let point = analysis.Value.Points.[0]
            let runs = merged.Value.Runs
            let perSeed = runs |> Array.map (fun r -> Dtc.Entropy.Analysis.analyze Dtc.Entropy.Analysis.defaults r.Results)
            let cycles (a: Dtc.Entropy.Analysis.Analysis) m = (a.Methods |> Array.find (fun x -> x.Method = m)).Cycles
            let z = cycles perSeed.[0] "dtc" |> Array.map (fun c -> c.LogMeasurements)
            let n = z.Length
            let control pick =
                runs |> Array.map (fun r ->
                    r.Controls.[0].Cycles |> Array.map (fun c -> let v = pick c in if Array.isEmpty v then nan else Gibbs.entropy Gibbs.paper v))
            let quantities =
                [ "entropy(y2)", perSeed |> Array.map (fun a -> cycles a "dtc" |> Array.map (fun c -> c.EntropyY2))
                  "Gaussian control (y2)", control (fun c -> c.GaussianY2)
                  "untrained control (y2)", control (fun c -> c.UntrainedY2) ]
            let mutable finite = 0
            for curve in [ "dtc"; "random" ] do
                let ys = perSeed |> Array.map (fun a -> cycles a curve |> Array.map (fun c -> c.SmoothedAccuracy))
                for quantity, xs in quantities do
                    let what = sprintf "%s against %s's accuracy" quantity curve
                    let r = row point "dtc" curve quantity "plug-in"
                    for s in 0 .. runs.Length - 1 do
                        expectSame (partialR xs.[s] ys.[s] z) r.PartialGivenLogN.Values.[s] (sprintf "%s, seed %d: the partial r given ln n" what (s + 1))
                    let flat = Array.concat xs
                    let statistic (map: int[]) =
                        let rs = [| for s in 0 .. xs.Length - 1 -> partialR (Array.init n (fun c -> flat.[map.[s * n + c]])) ys.[s] z |] |> Array.filter Double.IsFinite
                        if rs.Length = 0 then nan else Array.average rs
                    let expected = Dtc.Statistics.Resampling.withinGroupPermutation defaults.Permutations defaults.Seed (Array.init (xs.Length * n) (fun i -> i % n)) statistic
                    expectSame expected.PValue r.PermutationP (what + ": the permutation p")
                    expectSame expected.Observed r.PartialGivenLogN.Mean (what + ": the observed statistic is the mean partial r")
                    if Double.IsFinite r.PermutationP then
                        finite <- finite + 1
                        Expect.isTrue (r.PermutationP > 0.0 && r.PermutationP <= 1.0) (sprintf "%s: p in (0, 1]" what)
            Expect.isGreaterThan finite 0 "some quantity has a permutation p"
            Expect.isTrue (Double.IsNaN (row point "dtc" "dtc" "log(n)" "").PermutationP) "no permutation test for log(n) itself"

        testCase "an entropy that is ln n (each measurement in its own bin) has no partial r beyond it, and the verdict says so" <| fun () ->
            let point = analysis.Value.Points.[0]
            let perSeed = merged.Value.Runs |> Array.map (fun r -> Dtc.Entropy.Analysis.analyze Dtc.Entropy.Analysis.defaults r.Results)
            let dtc (a: Dtc.Entropy.Analysis.Analysis) = (a.Methods |> Array.find (fun x -> x.Method = "dtc")).Cycles
            // In this tiny sweep (2 or 3 measurements per cycle) y2's entropy is ln n up to rounding, for every seed.
            let isLogN = perSeed |> Array.forall (fun a -> dtc a |> Array.forall (fun c -> abs (c.EntropyY2 - c.LogMeasurements) <= 1e-12))
            Expect.isTrue isLogN "the tiny sweep's y2 entropy is ln n in every cycle"
            let headline = row point "dtc" "dtc" "entropy(y2)" "plug-in"
            Expect.isTrue (headline.PartialGivenLogN.Values |> Array.forall Double.IsNaN)
                (sprintf "no partial r given ln n, not rounding noise: %A" headline.PartialGivenLogN.Values)
            Expect.isTrue (Double.IsNaN headline.PermutationP) "no permutation p either"
            Expect.stringContains point.Verdict "adds nothing beyond n by construction" "the verdict says the entropy is a function of log(n)"
            // y1 in bits is ln n / ln 2: a linear function of ln n up to rounding.
            let y1 = row point "dtc" "dtc" "entropy(y1)" "plug-in"
            Expect.isTrue (y1.PartialGivenLogN.Values |> Array.forall Double.IsNaN) (sprintf "y1 in bits: no partial r either: %A" y1.PartialGivenLogN.Values)

        testCase "the closed-form partial r of the permutation test equals the regression one" <| fun () ->
            let rng = Random(11)
            for trial in 1 .. 200 do
                let n = 4 + trial % 9
                let z = Array.init n (fun i -> log (float (n - i + 1)))
                let x = Array.init n (fun i -> 0.7 * z.[i] + rng.NextDouble())
                let y = Array.init n (fun i -> -0.3 * z.[i] + 0.5 * x.[i] + rng.NextDouble())
                if trial % 5 = 0 then x.[rng.Next n] <- nan
                let expected = (fst (Dtc.Entropy.Analysis.partialGiven x y z)).Coefficient
                expectSame expected (partialR x y z) (sprintf "trial %d (n = %d)" trial n)
            let z = [| 1.0; 2.0; 3.0; 4.0; 5.0 |]
            Expect.isTrue (Double.IsNaN (partialR [| 1.0; 2.0; 3.0 |] [| 3.0; 1.0; 2.0 |] [| 1.0; 2.0; 4.0 |])) "fewer than four rows: NaN"
            Expect.isTrue (Double.IsNaN (partialR (Array.create 5 2.0) [| 3.0; 1.0; 2.0; 5.0; 4.0 |] z)) "a constant variable: NaN"
            Expect.isTrue (Double.IsNaN (partialR (z |> Array.map (fun v -> 2.0 * v + 1.0)) [| 3.0; 1.0; 2.0; 5.0; 4.0 |] z)) "x a linear function of z: NaN"
            let logs = [| 9.0; 8.0; 7.0; 5.0; 4.0; 3.0 |] |> Array.map log
            let bits = logs |> Array.map (fun v -> v / log 2.0)
            Expect.isTrue (Double.IsNaN (partialR bits [| 3.0; 1.0; 2.0; 5.0; 4.0; 0.5 |] logs)) "x = ln n / ln 2, linear in ln n up to rounding: NaN, not noise"

        testCase "verdict: each branch says what its numbers say" <| fun () ->
            let headline pearson partial delta p = correlation "entropy(y2)" "plug-in" pearson partial delta p
            let strong = s 0.9 0.8 0.95
            let weak = s 0.1 -0.1 0.3
            let beyond = headline strong (s 0.5 0.2 0.7) (s 0.1 0.05 0.2) 0.01
            let notBeyond = headline strong (s 0.1 -0.2 0.4) (s 0.01 0.0 0.05) 0.4
            let cases =
                [ "no rows", 3, [||], [ "No method has measurements" ]
                  "both controls as strong", 5, rows notBeyond strong strong,
                    [ "Over 5 seeds"; "Both controls correlate with accuracy as strongly as the real entropy."; "produces by itself" ]
                  "only the Gaussian control", 5, rows notBeyond strong weak,
                    [ "The Gaussian control correlates with accuracy as strongly as the real entropy." ]
                  "only the untrained control", 5, rows notBeyond weak strong,
                    [ "The untrained network's control correlates with accuracy as strongly as the real entropy." ]
                  "neither control, beyond log(n)", 5, rows beyond weak weak,
                    [ "Neither control reaches"; "the correlation is stronger than the controls'"; "tracks accuracy too"; "p = 0.010" ]
                  "controls as strong, beyond log(n)", 5, rows beyond strong weak, [ "produces by itself"; "more than the controls'"; "tracks accuracy too" ]
                  "neither control, not beyond", 5, rows notBeyond weak weak, [ "give no evidence that the entropy tracks accuracy" ]
                  "no correlation", 4, rows (headline (s 0.05 -0.3 0.4) (s 0.0 -0.2 0.2) (s 0.0 0.0 0.1) 0.6) weak weak,
                    [ "Over 4 seeds"; "show no correlation" ]
                  "entropy a function of log(n)", 5, rows (headline strong (s nan nan nan) (s nan nan nan) nan) weak weak,
                    [ "function of log(n) in every cycle"; "produces by itself" ]
                  "headline alone", 2, [| notBeyond |], [ "Over 2 seeds"; "no controls to compare with" ] ]
            for what, seeds, rs, expected in cases do
                let v = verdict 0.95 seeds rs
                for e in expected do Expect.stringContains v e (sprintf "%s: says \"%s\"" what e)
            let alone = verdict 0.95 2 [| notBeyond |]
            Expect.isFalse (alone.Contains "log(n), gives") "without its control rows, no control sentence"
            let negative = verdict 0.95 5 (rows (headline (s -0.9 -0.95 -0.8) (s -0.5 -0.7 -0.2) (s 0.1 0.05 0.2) 0.01) weak weak)
            Expect.isFalse (negative.Contains "show no correlation") "a negative correlation is a correlation"
            Expect.stringContains negative "Neither control reaches" "controls near 0 are not as strong as r = −0.9"
            let negativeControls = verdict 0.95 5 (rows (headline (s -0.9 -0.95 -0.8) (s -0.5 -0.7 -0.2) (s 0.1 0.05 0.2) 0.01) (s -0.9 -0.95 -0.85) weak)
            Expect.stringContains negativeControls "The Gaussian control correlates with accuracy as strongly" "a control as negative is as strong"
            let notHeadline = { notBeyond with Curve = "random" }
            Expect.stringContains (verdict 0.95 3 [| notHeadline |]) "No method has measurements" "only a method's own curve is the headline"
    ]
