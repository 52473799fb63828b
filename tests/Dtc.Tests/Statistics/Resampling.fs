module Dtc.Tests.Statistics.Resampling

open System
open Expecto
open Dtc.Statistics
open Dtc.Tests.Support

let private fixture = lazy (Fixtures.load "resampling.json")

let private intervalAccuracy = { absolute = 1e-12; relative = 1e-12 }
let private pAccuracy = { absolute = 1e-10; relative = 1e-10 }
let private rAccuracy = { absolute = 1e-12; relative = 1e-12 }

let private expectNumber (accuracy: Accuracy) (expected: float) (actual: float) (what: string) =
    if Double.IsNaN expected then Expect.isTrue (Double.IsNaN actual) (sprintf "%s: expecting NaN but received %g" what actual)
    else Expect.floatClose accuracy actual expected what

let private seedOf name e = (Fixtures.float name e) |> int64

let private rowsOf (name: string) (e: Text.Json.JsonElement) =
    [| for r in e.GetProperty(name).EnumerateArray() -> [| for v in r.EnumerateArray() -> v.GetInt32() |] |]

let private pearson (x: float[]) (y: float[]) = (Correlation.pearson x y).Coefficient

let private argumentMessage (action: unit -> unit) = Thrown.messageOf<ArgumentException> action

[<Tests>]
let tests =
    testList "Statistics.Resampling" [
        test "bootstrap indices equal NumPy's randint(0, n, size=(resamples, n)) exactly" {
            for c in Fixtures.items "indices" fixture.Value do
                let resamples, seed, n = Fixtures.int "resamples" c, seedOf "seed" c, Fixtures.int "n" c
                let what = sprintf "resamples %d, seed %d, n %d" resamples seed n
                let ours = Resampling.bootstrapIndices resamples seed n
                Expect.equal ours.Length resamples (sprintf "%s: rows" what)
                match c.TryGetProperty "indices" with
                | true, _ -> Expect.equal ours (rowsOf "indices" c) (sprintf "%s: indices" what)
                | _ ->
                    Expect.equal (ours |> Array.map (fun r -> r.[.. 7])) (rowsOf "first" c) (sprintf "%s: first values" what)
                    Expect.equal (ours |> Array.map (fun r -> r.[n - 8 ..])) (rowsOf "last" c) (sprintf "%s: last values" what)
                    Expect.equal (ours |> Array.map (Array.sumBy int64)) (Fixtures.floats "row_sums" c |> Array.map int64) (sprintf "%s: row sums" what)
        }

        test "bootstrapMean equals NumPy's percentile interval of resampled means" {
            for c in Fixtures.items "means" fixture.Value do
                let seed, resamples, level = seedOf "seed" c, Fixtures.int "resamples" c, Fixtures.float "level" c
                let what = sprintf "%s, seed %d, %d resamples, level %g" (Fixtures.string "name" c) seed resamples level
                let ci = Resampling.bootstrapMean resamples seed level (Fixtures.floats "values" c)
                expectNumber intervalAccuracy (Fixtures.float "estimate" c) ci.Estimate (sprintf "%s: estimate" what)
                expectNumber intervalAccuracy (Fixtures.float "lower" c) ci.Lower (sprintf "%s: lower" what)
                expectNumber intervalAccuracy (Fixtures.float "upper" c) ci.Upper (sprintf "%s: upper" what)
                Expect.equal (ci.Level, ci.Resamples, ci.Seed) (level, resamples, seed) (sprintf "%s: settings recorded" what)
                Expect.stringContains ci.Method (sprintf "over %d values, %d resamples, seed %d" (Fixtures.int "n" c) resamples seed) (sprintf "%s: method" what)
        }

        test "bootstrap drops NaN statistics and says so" {
            let c = fixture.Value.GetProperty "generic"
            let values, threshold = Fixtures.floats "values" c, Fixtures.float "threshold" c
            let meanAbove (i: int[]) =
                let v = i |> Array.map (fun j -> values.[j]) |> Array.filter (fun v -> v > threshold)
                if v.Length = 0 then nan else Array.average v
            let ci = Resampling.bootstrap (Fixtures.int "resamples" c) (seedOf "seed" c) (Fixtures.float "level" c) meanAbove values.Length
            expectNumber intervalAccuracy (Fixtures.float "estimate" c) ci.Estimate "estimate"
            expectNumber intervalAccuracy (Fixtures.float "lower" c) ci.Lower "lower"
            expectNumber intervalAccuracy (Fixtures.float "upper" c) ci.Upper "upper"
            Expect.stringContains ci.Method (sprintf "%d NaN resampled statistics dropped" (Fixtures.int "dropped" c)) "method names the dropped count"
        }

        test "fewer than two values give NaN bounds" {
            let one = Resampling.bootstrapMean 100 1L 0.95 [| 3.0; nan |]
            Expect.floatClose Accuracy.veryHigh one.Estimate 3.0 "the estimate of one value"
            Expect.isTrue (Double.IsNaN one.Lower && Double.IsNaN one.Upper) "NaN bounds for one value"
            let none = Resampling.bootstrapMean 100 1L 0.95 [||]
            Expect.isTrue (Double.IsNaN none.Estimate && Double.IsNaN none.Lower) "NaN for no values"
        }

        test "the interval contains the estimate for symmetric data" {
            let values = [| for i in -10 .. 10 -> float i * 0.37 |]
            for seed in [ 0L; 1L; 20260523L ] do
                let ci = Resampling.bootstrapMean 2000 seed 0.95 values
                Expect.floatClose Accuracy.veryHigh ci.Estimate 0.0 (sprintf "seed %d: the mean of symmetric data is 0" seed)
                Expect.isTrue (ci.Lower < ci.Estimate && ci.Estimate < ci.Upper) (sprintf "seed %d: %g < %g < %g" seed ci.Lower ci.Estimate ci.Upper)
        }

        test "pairedT equals scipy.stats.ttest_rel" {
            for c in Fixtures.items "paired" fixture.Value do
                let what = Fixtures.string "name" c
                let t = Resampling.pairedT (Fixtures.floats "a" c) (Fixtures.floats "b" c)
                Expect.equal t.N (Fixtures.int "n" c) (sprintf "%s: N" what)
                expectNumber rAccuracy (Fixtures.float "mean_difference" c) t.MeanDifference (sprintf "%s: mean difference" what)
                expectNumber { absolute = 1e-10; relative = 1e-10 } (Fixtures.float "t" c) t.T (sprintf "%s: t" what)
                expectNumber rAccuracy (Fixtures.float "df" c) t.DegreesOfFreedom (sprintf "%s: df" what)
                expectNumber pAccuracy (Fixtures.float "p" c) t.PValue (sprintf "%s: p" what)
        }

        test "pairedT edge cases: too few pairs and constant differences" {
            let one = Resampling.pairedT [| 1.0; nan |] [| 0.5; 2.0 |]
            Expect.equal one.N 1 "one complete pair"
            Expect.isTrue (Double.IsNaN one.T && Double.IsNaN one.PValue) "NaN t and p for one pair"
            let same = Resampling.pairedT [| 1.0; 2.0; 3.0 |] [| 1.0; 2.0; 3.0 |]
            Expect.isTrue (Double.IsNaN same.T && Double.IsNaN same.PValue) "NaN t and p for zero differences"
            let constant = Resampling.pairedT [| 0.3; 0.3; 0.3 |] [| 0.2; 0.2; 0.2 |]
            Expect.equal constant.T infinity "a constant positive difference gives t = +∞ (SciPy)"
            Expect.equal constant.PValue 0.0 "and p = 0 (SciPy)"
        }

        test "holm equals statsmodels multipletests(method='holm')" {
            for c in Fixtures.items "holm" fixture.Value do
                let what = Fixtures.string "name" c
                let ours = Resampling.holm (Fixtures.floats "p" c)
                let expected = Fixtures.floats "adjusted" c
                Expect.equal ours.Length expected.Length (sprintf "%s: length" what)
                Array.iteri2 (fun i e a -> expectNumber pAccuracy e a (sprintf "%s: adjusted p %d" what i)) expected ours
        }

        test "holm is monotone in the raw p-values and never below them" {
            let rng = Random 5
            for trial in 1 .. 50 do
                let p = Array.init (1 + rng.Next 30) (fun _ -> if rng.NextDouble() < 0.1 then nan else rng.NextDouble() * 0.3)
                let a = Resampling.holm p
                for i in 0 .. p.Length - 1 do
                    if Double.IsNaN p.[i] then Expect.isTrue (Double.IsNaN a.[i]) (sprintf "trial %d: NaN stays NaN" trial)
                    else
                        Expect.isGreaterThanOrEqual a.[i] p.[i] (sprintf "trial %d: adjusted %d is at least the raw p" trial i)
                        Expect.isLessThanOrEqual a.[i] 1.0 (sprintf "trial %d: adjusted %d is at most 1" trial i)
                        for j in 0 .. p.Length - 1 do
                            if not (Double.IsNaN p.[j]) && p.[i] <= p.[j] then
                                Expect.isLessThanOrEqual a.[i] a.[j] (sprintf "trial %d: monotone (%d, %d)" trial i j)
        }

        test "rSquared and deltaRSquared equal statsmodels OLS" {
            for c in Fixtures.items "r2" fixture.Value do
                let columns = [| for col in c.GetProperty("columns").EnumerateArray() -> [| for v in col.EnumerateArray() -> v.GetDouble() |] |]
                expectNumber rAccuracy (Fixtures.float "r2" c) (Resampling.rSquared (Fixtures.floats "y" c) columns) (Fixtures.string "name" c)
            for c in Fixtures.items "delta_r2" fixture.Value do
                let what = Fixtures.string "name" c
                let y, cov, added = Fixtures.floats "y" c, Fixtures.floats "covariate" c, Fixtures.floats "added" c
                expectNumber rAccuracy (Fixtures.float "delta" c) (Resampling.deltaRSquared y cov added) (sprintf "%s: ΔR²" what)
                if Fixtures.int "n" c = y.Length then
                    expectNumber rAccuracy (Fixtures.float "r2_full" c) (Resampling.rSquared y [| cov; added |]) (sprintf "%s: full R²" what)
                    expectNumber rAccuracy (Fixtures.float "r2_base" c) (Resampling.rSquared y [| cov |]) (sprintf "%s: base R²" what)
        }

        test "rSquared: collinear columns add nothing, constant y is NaN" {
            let x = [| 1.0; 2.0; 4.0; 3.0; 7.0; 5.0 |]
            let y = [| 2.0; 3.0; 9.0; 5.0; 13.0; 12.0 |]
            let r = Resampling.rSquared y [| x |]
            Expect.floatClose rAccuracy (Resampling.rSquared y [| x; x |> Array.map (fun v -> 2.0 * v - 1.0) |]) r "a collinear column leaves R² unchanged"
            Expect.floatClose rAccuracy r ((pearson x y) ** 2.0) "one column: R² is Pearson's r squared"
            Expect.floatClose rAccuracy (Resampling.rSquared y [||]) 0.0 "intercept only: R² = 0"
            Expect.isTrue (Double.IsNaN (Resampling.rSquared (Array.create 6 1.0) [| x |])) "constant y: NaN"
        }

        test "withinGroupPermutation equals the NumPy reimplementation" {
            for c in Fixtures.items "permutation" fixture.Value do
                let what = Fixtures.string "name" c
                let groups = Fixtures.ints "groups" c
                let x, y = Fixtures.floats "x" c, Fixtures.floats "y" c
                let maps = ResizeArray<int[]>()
                let r (map: int[]) =
                    maps.Add(Array.copy map)
                    pearson (map |> Array.map (fun i -> x.[i])) y
                let test = Resampling.withinGroupPermutation (Fixtures.int "permutations" c) (seedOf "seed" c) groups r
                expectNumber rAccuracy (Fixtures.float "observed" c) test.Observed (sprintf "%s: observed" what)
                expectNumber pAccuracy (Fixtures.float "p" c) test.PValue (sprintf "%s: p" what)
                Expect.equal (test.Permutations, test.Seed) (Fixtures.int "permutations" c, seedOf "seed" c) (sprintf "%s: settings recorded" what)
                Expect.equal maps.[0] (Array.init groups.Length id) (sprintf "%s: the first call is the identity" what)
                let first = rowsOf "first_maps" c
                Expect.equal (maps.GetRange(1, first.Length).ToArray()) first (sprintf "%s: the first maps equal NumPy's" what)
                for m in maps do
                    Expect.equal (Array.sort m) (Array.init groups.Length id) (sprintf "%s: a map is a permutation" what)
                    m |> Array.iteri (fun i j -> Expect.equal groups.[j] groups.[i] (sprintf "%s: item %d stays in its group" what i))
        }

        test "withinGroupPermutation: NaN statistics" {
            let groups = [| 0; 0; 1; 1; 1 |]
            let nanObserved = Resampling.withinGroupPermutation 20 1L groups (fun _ -> nan)
            Expect.isTrue (Double.IsNaN nanObserved.PValue) "NaN observed gives NaN p"
            let mutable calls = 0
            let nanPermuted (map: int[]) =
                calls <- calls + 1
                if calls = 1 then 1.0 else nan
            let t = Resampling.withinGroupPermutation 9 1L groups nanPermuted
            Expect.floatClose Accuracy.veryHigh t.PValue 0.1 "NaN permuted statistics are not extreme: p = 1/10"
        }

        test "bad inputs are rejected with Expecting … but received …" {
            let cases : (string * (unit -> unit)) list =
                [ "Expecting resamples of at least 1 but received 0", (fun () -> Resampling.bootstrapIndices 0 1L 5 |> ignore)
                  "Expecting a sample size of at least 1 but received 0", (fun () -> Resampling.bootstrapIndices 10 1L 0 |> ignore)
                  "Expecting a seed between 0 and 2^32 - 1", (fun () -> Resampling.bootstrapIndices 10 -1L 5 |> ignore)
                  "Expecting a confidence level strictly between 0 and 1 but received 1", (fun () -> Resampling.bootstrapMean 10 1L 1.0 [| 1.0; 2.0 |] |> ignore)
                  "Expecting a confidence level strictly between 0 and 1 but received NaN", (fun () -> Resampling.bootstrapMean 10 1L nan [| 1.0; 2.0 |] |> ignore)
                  "Expecting resamples of at least 1 but received -3", (fun () -> Resampling.bootstrap -3 1L 0.9 (fun _ -> 0.0) 4 |> ignore)
                  "Expecting b of the same length as a (3) but received 2", (fun () -> Resampling.pairedT [| 1.0; 2.0; 3.0 |] [| 1.0; 2.0 |] |> ignore)
                  "Expecting p-values between 0 and 1 (or NaN) but received 1.5", (fun () -> Resampling.holm [| 0.1; 1.5 |] |> ignore)
                  "Expecting column 1 of the same length as y (3) but received 2", (fun () -> Resampling.rSquared [| 1.0; 2.0; 3.0 |] [| [| 1.0; 2.0; 4.0 |]; [| 1.0; 2.0 |] |] |> ignore)
                  "Expecting added of the same length as y (3) but received 4", (fun () -> Resampling.deltaRSquared [| 1.0; 2.0; 3.0 |] [| 1.0; 2.0; 4.0 |] [| 1.0; 2.0; 3.0; 4.0 |] |> ignore)
                  "Expecting permutations of at least 1 but received 0", (fun () -> Resampling.withinGroupPermutation 0 1L [| 0; 1 |] (fun _ -> 0.0) |> ignore)
                  "Expecting at least one item but received none", (fun () -> Resampling.withinGroupPermutation 5 1L [||] (fun _ -> 0.0) |> ignore) ]
            for expected, action in cases do
                Expect.stringContains (argumentMessage action) expected expected
        }
    ]
