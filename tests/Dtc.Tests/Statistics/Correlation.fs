module Dtc.Tests.Statistics.Correlation

open System
open System.IO
open System.Text.Json
open Expecto
open FsCheck
open Dtc.Entropy
open Dtc.Statistics
open Dtc.Tests.Support

let private fixture = lazy (Fixtures.load "correlation.json")

let private rAccuracy = { absolute = 1e-10; relative = 1e-10 }
let private pAccuracy = { absolute = 1e-8; relative = 1e-8 }

let private expectNumber (accuracy: Accuracy) (expected: float) (actual: float) (what: string) =
    if Double.IsNaN expected then Expect.isTrue (Double.IsNaN actual) (sprintf "%s: expecting NaN but received %g" what actual)
    else Expect.floatClose accuracy actual expected what


let private floatsOf (e: JsonElement) = [| for v in e.EnumerateArray() -> v.GetDouble() |]

[<Tests>]
let tests =
    testList "Statistics.Correlation" [
        test "Pearson and Spearman match SciPy" {
            for c in Fixtures.items "cases" fixture.Value do
                let name = Fixtures.string "name" c
                let x, y = Fixtures.floats "x" c, Fixtures.floats "y" c
                let p = Correlation.pearson x y
                let s = Correlation.spearman x y
                expectNumber rAccuracy (Fixtures.float "pearson_r" c) p.Coefficient (sprintf "%s: Pearson r" name)
                expectNumber pAccuracy (Fixtures.float "pearson_p" c) p.PValue (sprintf "%s: Pearson p" name)
                expectNumber rAccuracy (Fixtures.float "spearman_r" c) s.Coefficient (sprintf "%s: Spearman r" name)
                expectNumber pAccuracy (Fixtures.float "spearman_p" c) s.PValue (sprintf "%s: Spearman p" name)
                Expect.equal p.N (Fixtures.int "n" c) (sprintf "%s: n" name)
        }

        test "partial correlation matches the NumPy/SciPy residual computation" {
            for c in Fixtures.items "partial" fixture.Value do
                let name = Fixtures.string "name" c
                let e = Correlation.partial (Fixtures.floats "x" c) (Fixtures.floats "y" c) (Fixtures.matrix "z" c)
                expectNumber rAccuracy (Fixtures.float "r" c) e.Coefficient (sprintf "%s: r" name)
                expectNumber pAccuracy (Fixtures.float "p" c) e.PValue (sprintf "%s: p" name)
                Expect.equal e.N (Fixtures.int "n" c) (sprintf "%s: n" name)
        }

        test "partial correlation without covariates is Pearson's" {
            let c = (Fixtures.items "cases" fixture.Value).[3]
            let x, y = Fixtures.floats "x" c, Fixtures.floats "y" c
            let p = Correlation.pearson x y
            let q = Correlation.partial x y (Array2D.zeroCreate x.Length 0)
            Expect.floatClose rAccuracy q.Coefficient p.Coefficient "same coefficient"
            Expect.floatClose pAccuracy q.PValue p.PValue "same p-value"
        }

        test "NaN: the plain functions give NaN, the complete ones drop the pairs" {
            let c = (fixture.Value).GetProperty "nan"
            let x, y = Fixtures.floats "x" c, Fixtures.floats "y" c
            Expect.isTrue (Double.IsNaN (Correlation.pearson x y).Coefficient) "Pearson r is NaN"
            Expect.isTrue (Double.IsNaN (Correlation.pearson x y).PValue) "Pearson p is NaN"
            Expect.isTrue (Double.IsNaN (Correlation.spearman x y).Coefficient) "Spearman r is NaN"
            Expect.stringContains (JsonSerializer.Serialize(Correlation.pearson x y)) "\"PValue\":\"NaN\"" "NaN is written to JSON as \"NaN\""
            let p = Correlation.pearsonComplete x y
            let s = Correlation.spearmanComplete x y
            Expect.equal p.N (Fixtures.int "n_complete" c) "complete pairs"
            expectNumber rAccuracy (Fixtures.float "pearson_r" c) p.Coefficient "complete Pearson r"
            expectNumber pAccuracy (Fixtures.float "pearson_p" c) p.PValue "complete Pearson p"
            expectNumber rAccuracy (Fixtures.float "spearman_r" c) s.Coefficient "complete Spearman r"
            expectNumber pAccuracy (Fixtures.float "spearman_p" c) s.PValue "complete Spearman p"
            let z = Array2D.init x.Length 1 (fun i _ -> float (i % 3))
            Expect.isTrue (Double.IsNaN (Correlation.partial x y z).Coefficient) "partial r is NaN"
            Expect.equal (Correlation.partialComplete x y z).N p.N "partial on complete rows"
        }

        test "validation messages" {
            Expect.throwsC (fun () -> Correlation.pearson [| 1.0; 2.0; 3.0 |] [| 1.0; 2.0 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting y of the same length as x (3) but received 2" "length message")
            Expect.throwsC (fun () -> Correlation.spearman [| 1.0 |] [| 1.0 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting at least 2 observations but received 1" "size message")
            Expect.throwsC (fun () -> Correlation.partial [| 1.0; 2.0; 3.0 |] [| 1.0; 2.0; 4.0 |] (Array2D.zeroCreate 2 1) |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting covariates with 3 rows" "rows message")
            let z = Array2D.init 6 2 (fun i j -> float (i * (j + 1)))
            Expect.throwsC (fun () -> Correlation.partial (Array.init 6 float) (Array.init 6 (fun i -> float (i * i))) z |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting covariates of full column rank" "collinear message")
        }

        testProperty "Pearson is invariant under increasing affine maps and flips sign under decreasing ones" <| fun (seed: int) (a: NormalFloat) (b: NormalFloat) ->
            let rng = Random(seed)
            let n = 3 + rng.Next 50
            let x = Array.init n (fun _ -> rng.NextDouble())
            let y = x |> Array.map (fun v -> v + rng.NextDouble())
            let scale = 0.5 + abs (a.Get % 10.0)
            let shift = b.Get % 1000.0
            let r = (Correlation.pearson x y).Coefficient
            let up = (Correlation.pearson (x |> Array.map (fun v -> scale * v + shift)) y).Coefficient
            let down = (Correlation.pearson (x |> Array.map (fun v -> -scale * v + shift)) y).Coefficient
            abs (up - r) <= 1e-9 && abs (down + r) <= 1e-9

        testProperty "Spearman is invariant under increasing maps" <| fun (seed: int) ->
            let rng = Random(seed)
            let n = 3 + rng.Next 50
            let x = Array.init n (fun _ -> float (rng.Next 20))
            let y = Array.init n (fun _ -> float (rng.Next 20))
            let e1 = Correlation.spearman x y
            let e2 = Correlation.spearman (x |> Array.map (fun v -> exp (v / 5.0))) y
            (Double.IsNaN e1.Coefficient && Double.IsNaN e2.Coefficient) || abs (e1.Coefficient - e2.Coefficient) <= 1e-12

        test "paper: entropy of y2 correlates with the LOWESS-smoothed accuracy (0.917 cs, 0.941 random, 0.938 magnitude)" {
            match Fixtures.paperFile () with
            | None -> skiptest "shared/paper-data/supplement-mnist.json was not found above the working directory or the test assembly"
            | Some path ->
                use doc = JsonDocument.Parse(File.ReadAllText path)
                let root = doc.RootElement
                let cs = root.GetProperty "cs"
                let cycles (name: string) = [| for v in cs.GetProperty(name).EnumerateArray() -> floatsOf v |]
                let y2 = Gibbs.series Gibbs.paper (cycles "y2")
                let y1 = Gibbs.series { Gibbs.paper with Base = Gibbs.Bits } (cycles "y1")
                Expect.equal y2.Length 34 "34 cycles"
                Expect.equal (y1 |> Array.filter Double.IsNaN |> Array.length) 1 "the y1 entropy is NaN for exactly one cycle"
                Expect.isFalse (y2 |> Array.exists Double.IsNaN) "no y2 entropy is NaN"
                // Per-cycle entropies agree with NumPy/SciPy (gibbs.json, when generated with the paper data).
                match (Fixtures.load "gibbs.json").TryGetProperty "paper" with
                | true, p ->
                    let e1, e2 = Fixtures.floats "y1_bits" p, Fixtures.floats "y2_nats" p
                    for i in 0 .. 33 do
                        expectNumber { absolute = 1e-12; relative = 1e-12 } e2.[i] y2.[i] (sprintf "y2 entropy, cycle %d" i)
                        expectNumber { absolute = 1e-12; relative = 1e-12 } e1.[i] y1.[i] (sprintf "y1 entropy, cycle %d" i)
                | _ -> ()
                // Exact values from NumPy 1.24 / SciPy 1.10 / statsmodels 0.13.5 on the same file.
                let expected = [ "cs", 0.9174294200129309, 0.917; "random", 0.9411821761459479, 0.941; "magnitude", 0.9376584820249408, 0.938 ]
                for name, exact, reported in expected do
                    let m = root.GetProperty name
                    let smoothed = Lowess.fit Lowess.defaults (floatsOf (m.GetProperty "fraction_removed")) (floatsOf (m.GetProperty "accuracy"))
                    let e = Correlation.pearson y2 smoothed
                    Expect.floatClose { absolute = 1e-9; relative = 1e-9 } e.Coefficient exact (sprintf "%s: Pearson r equals SciPy's" name)
                    Expect.floatClose { absolute = 5e-4; relative = 0.0 } e.Coefficient reported (sprintf "%s: Pearson r is the paper's %.3f to 3 decimals" name reported)
                    Expect.isLessThan e.PValue 1e-12 (sprintf "%s: the correlation is significant" name)
        }
    ]
