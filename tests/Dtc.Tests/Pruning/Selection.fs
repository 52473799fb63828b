module Dtc.Tests.Pruning.Selection

open Expecto
open Dtc.Pruning
open Dtc.Tests.Support

let private core = lazy (Fixtures.load "core.json")

[<Tests>]
let tests =
    testList "Pruning.Selection" [
        testCase "on distinct scores, count and indices equal the supplement's np.where(|w| < quantile(|w|, keep))" <| fun () ->
            for item in Fixtures.items "selections" core.Value do
                let m, keep = Fixtures.int "m" item, Fixtures.float "keep" item
                let scores = Fixtures.floats "scores" item
                let expected = Fixtures.ints "kept" item
                let k = Selection.keptCount Selection.PaperQuantile keep m
                Expect.equal k expected.Length (sprintf "count for m=%d keep=%g" m keep)
                Expect.sequenceEqual (Selection.select Selection.KeepSmallest k scores) expected (sprintf "indices for m=%d keep=%g" m keep)
                Expect.sequenceEqual (Selection.strictQuantile keep scores) expected (sprintf "literal rule for m=%d keep=%g" m keep)

        testCase "the paper's schedule: 512, 460, 414, 372, 334, …, 13, 11, 9 in 34 cycles" <| fun () ->
            let widths = Selection.schedule Selection.PaperQuantile 0.9 10 512
            Expect.equal widths.Length 34 "34 cycles"
            Expect.sequenceEqual widths (List.tail Dtc.Tests.Sensing.Measurements.paperWidthsBefore @ [ 9 ]) "the paper's widths"
            Expect.sequenceEqual widths (Fixtures.ints "widths" (core.Value.GetProperty "schedule") |> List.ofArray) "NumPy's rule gives the same widths"

        testCase "ceil(keep·(m−1)): 51 → 45 and 11 → 9 (whole numbers guarded against rounding)" <| fun () ->
            Expect.equal (Selection.keptCount Selection.PaperQuantile 0.9 51) 45 "51"
            Expect.equal (Selection.keptCount Selection.PaperQuantile 0.9 11) 9 "11"
            Expect.equal (Selection.keptCount Selection.PaperQuantile 0.9 512) 460 "512"
            Expect.equal (Selection.keptCount Selection.PaperQuantile 0.7 11) 7 "0.7·10 = 7.000000000000001 is 7"
            Expect.equal (Selection.keptCount Selection.PaperQuantile 0.9 1) 0 "a single unit"
            Expect.equal (Selection.keptCount Selection.Fraction 0.9 10) 9 "fraction rule"

        testCase "the literal rule keeps nothing on tied zeros; the fixed count does not" <| fun () ->
            let scores = Array.create 20 0.0
            Expect.isEmpty (Selection.strictQuantile 0.9 scores) "strict rule on ties"
            let k = Selection.keptCount Selection.PaperQuantile 0.9 20
            Expect.sequenceEqual (Selection.select Selection.KeepSmallest k scores) [| 0 .. k - 1 |] "ties broken by index"

        testProperty "the selected count never depends on ties" <| fun (values: int list) (keepPct: byte) ->
            let scores = values |> List.map (fun v -> float (v % 3)) |> Array.ofList // many ties
            let keep = float (keepPct % 100uy) / 100.0
            let k = Selection.keptCount Selection.PaperQuantile keep scores.Length
            let distinct = Array.init scores.Length float
            [ Selection.KeepSmallest; Selection.KeepLargest; Selection.Random 5L ]
            |> List.forall (fun rule ->
                let kept = Selection.select rule k scores
                kept.Length = k && (Array.distinct kept).Length = k && kept.Length = (Selection.select rule k distinct).Length)

        testProperty "KeepSmallest keeps no unit with a larger |score| than a removed one" <| fun (values: float list) ->
            let scores = values |> List.filter (fun v -> not (System.Double.IsNaN v)) |> Array.ofList
            let k = Selection.keptCount Selection.PaperQuantile 0.9 scores.Length
            let kept = Selection.select Selection.KeepSmallest k scores |> Set.ofArray
            let removed = [ 0 .. scores.Length - 1 ] |> List.filter (kept.Contains >> not)
            kept |> Seq.forall (fun i -> removed |> List.forall (fun j -> abs scores.[i] <= abs scores.[j]))

        testCase "KeepLargest is the conventional rule; Random is NumPy's choice" <| fun () ->
            let scores = [| 0.1; -5.0; 3.0; 0.2; -0.3 |]
            Expect.sequenceEqual (Selection.select Selection.KeepLargest 2 scores) [| 1; 2 |] "largest |score|"
            Expect.sequenceEqual (Selection.select Selection.KeepSmallest 2 scores) [| 0; 3 |] "smallest |score|"
            let item = Fixtures.items "choices" core.Value |> Array.find (fun i -> Fixtures.int "n" i = 11)
            Expect.sequenceEqual (Selection.select (Selection.Random 42424242L) 9 (Array.zeroCreate 11)) (Fixtures.ints "values" item) "np.random.choice(11, 9)"

        testCase "bad counts and NaN scores are rejected clearly" <| fun () ->
            let e = Expect.throwsC (fun () -> Selection.select Selection.KeepSmallest 4 [| 1.0; 2.0 |] |> ignore) id
            Expect.stringContains e.Message "received 4" "count"
            let e = Expect.throwsC (fun () -> Selection.select Selection.KeepSmallest 1 [| 1.0; nan |] |> ignore) id
            Expect.stringContains e.Message "unit 1" "NaN position"
            Expect.throwsT<System.ArgumentException> (fun () -> Selection.keptCount Selection.PaperQuantile 1.2 5 |> ignore) "keep > 1"
    ]
