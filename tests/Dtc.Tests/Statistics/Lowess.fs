module Dtc.Tests.Statistics.Lowess

open System
open Expecto
open Dtc.Statistics
open Dtc.Tests.Support

let private fixture = lazy (Fixtures.load "lowess.json")

let private accuracy = { absolute = 1e-8; relative = 1e-8 }

let private expectClose (expected: float[]) (actual: float[]) (what: string) =
    Expect.equal actual.Length expected.Length (sprintf "%s: length" what)
    for i in 0 .. expected.Length - 1 do
        if Double.IsNaN expected.[i] then
            Expect.isTrue (Double.IsNaN actual.[i]) (sprintf "%s: element %d should be NaN but is %g" what i actual.[i])
        else
            Expect.floatClose accuracy actual.[i] expected.[i] (sprintf "%s: element %d" what i)

let private settingsOf (c: Text.Json.JsonElement) =
    { Frac = Fixtures.float "frac" c; Iterations = Fixtures.int "it" c; Delta = Fixtures.float "delta" c } : Lowess.Settings

[<Tests>]
let tests =
    testList "Statistics.Lowess" [
        test "sortOrder is NumPy's argsort order, ties included" {
            for c in Fixtures.items "cases" fixture.Value do
                let y = Fixtures.floats "y" c
                let x = Fixtures.floats "x" c |> Array.indexed |> Array.filter (fun (i, v) -> Double.IsFinite v && Double.IsFinite y.[i]) |> Array.map snd
                Expect.equal (Lowess.sortOrder x) (Fixtures.ints "argsort" c) (sprintf "%s: argsort" (Fixtures.string "name" c))
        }

        test "sortOrder sorts, NaN last, like NumPy's introsort on larger inputs" {
            let rng = Random(5)
            for n in [ 0; 1; 2; 17; 100; 1000 ] do
                let x = Array.init n (fun i -> if i % 37 = 5 then nan else float (rng.Next 50))
                let order = Lowess.sortOrder x
                Expect.equal (Array.sort order) (Array.init n id) (sprintf "n=%d: a permutation" n)
                let sorted = order |> Array.map (fun i -> x.[i])
                let finite = sorted |> Array.filter (Double.IsNaN >> not)
                Expect.equal finite (Array.sort finite) (sprintf "n=%d: ascending" n)
                Expect.isTrue (sorted |> Array.skip finite.Length |> Array.forall Double.IsNaN) (sprintf "n=%d: NaN last" n)
        }

        test "fitted values in input order match statsmodels (return_sorted=False) within 1e-8" {
            for c in Fixtures.items "cases" fixture.Value do
                let fitted = Lowess.fit (settingsOf c) (Fixtures.floats "x" c) (Fixtures.floats "y" c)
                expectClose (Fixtures.floats "fitted" c) fitted (Fixtures.string "name" c)
        }

        test "sorted x and fit match statsmodels (return_sorted=True) within 1e-8" {
            for c in Fixtures.items "cases" fixture.Value do
                let name = Fixtures.string "name" c
                let sx, fitted = Lowess.fitSorted (settingsOf c) (Fixtures.floats "x" c) (Fixtures.floats "y" c)
                Expect.equal sx (Fixtures.floats "sorted_x" c) (sprintf "%s: sorted x" name)
                expectClose (Fixtures.floats "sorted_fit" c) fitted (sprintf "%s: sorted fit" name)
        }

        test "the fixtures cover the cases the paper needs" {
            let names = Fixtures.items "cases" fixture.Value |> Array.map (Fixtures.string "name")
            for part in [ "ties70"; "ties24"; "smooth34/frac=0.3/it=3"; "/frac=0.6667/it=0"; "delta=0.1"; "missing" ] do
                Expect.isTrue (names |> Array.exists (fun n -> n.Contains part)) (sprintf "a fixture named like %s" part)
        }

        test "a straight line is reproduced" {
            let x = Array.init 20 float
            let y = x |> Array.map (fun v -> 3.0 - 0.5 * v)
            let fitted = Lowess.fit Lowess.defaults x y
            for i in 0 .. 19 do Expect.floatClose Accuracy.high fitted.[i] y.[i] (sprintf "point %d" i)
        }

        test "validation messages" {
            Expect.throwsC (fun () -> Lowess.fit { Lowess.defaults with Frac = 1.5 } [| 1.0; 2.0 |] [| 1.0; 2.0 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting Frac in [0, 1]" "frac message")
            Expect.throwsC (fun () -> Lowess.fit Lowess.defaults [| 1.0; 2.0 |] [| 1.0 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting y of the same length as x (2) but received 1" "length message")
            Expect.throwsC (fun () -> Lowess.fit Lowess.defaults [| nan |] [| 1.0 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting at least one pair with finite x and y" "empty message")
            Expect.throwsC (fun () -> Lowess.fit { Lowess.defaults with Iterations = -1 } [| 1.0 |] [| 1.0 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting Iterations >= 0" "iterations message")
        }

        testProperty "fitting is invariant to the order of distinct x values" <| fun (seed: int) ->
            let rng = Random(seed)
            let n = 5 + rng.Next 40
            let x = Array.init n (fun i -> float i + rng.NextDouble() * 0.5)
            let y = x |> Array.map (fun v -> sin v + rng.NextDouble())
            let perm = Array.init n id |> Array.sortBy (fun _ -> rng.Next())
            let a = Lowess.fit Lowess.defaults x y
            let b = Lowess.fit Lowess.defaults (perm |> Array.map (fun i -> x.[i])) (perm |> Array.map (fun i -> y.[i]))
            perm |> Array.mapi (fun j i -> abs (b.[j] - a.[i]) <= 1e-12) |> Array.forall id
    ]
