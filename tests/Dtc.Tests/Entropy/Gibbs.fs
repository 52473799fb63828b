module Dtc.Tests.Entropy.Gibbs

open System
open Expecto
open FsCheck
open Dtc.Entropy
open Dtc.Tests.Support

let private fixture = lazy (Fixtures.load "gibbs.json")

let private expectEntropy (expected: float) (actual: float) (what: string) =
    if Double.IsNaN expected then Expect.isTrue (Double.IsNaN actual) (sprintf "%s: expecting NaN but received %g" what actual)
    else Expect.floatClose { absolute = 1e-12; relative = 1e-12 } actual expected what

let private expectSame (expected: float[]) (actual: float[]) (what: string) =
    Expect.equal actual.Length expected.Length (sprintf "%s: length" what)
    for i in 0 .. expected.Length - 1 do
        // Bit-for-bit equality: these are NumPy's own values.
        Expect.equal (BitConverter.DoubleToInt64Bits actual.[i]) (BitConverter.DoubleToInt64Bits expected.[i])
            (sprintf "%s: value %d is %.17g, NumPy has %.17g" what i actual.[i] expected.[i])

let private config = { FsCheckConfig.defaultConfig with maxTest = 200 }

[<Tests>]
let tests =
    testList "Entropy.Gibbs" [
        test "arange reproduces NumPy's values bit for bit" {
            for c in Fixtures.items "aranges" fixture.Value do
                let lo, hi, width = Fixtures.float "lo" c, Fixtures.float "hi" c, Fixtures.float "width" c
                expectSame (Fixtures.floats "values" c) (Gibbs.arange lo hi width) (sprintf "arange(%g, %g, %g)" lo hi width)
        }

        test "the paper's bins end at 49.8: 500 edges, 499 bins" {
            let e = Gibbs.edges Gibbs.paper.Bins [||]
            Expect.equal e.Length 500 "500 edges"
            Expect.floatClose Accuracy.high e.[499] 49.8 "the last edge is 49.8"
            let h = Gibbs.histogram Gibbs.paper [| 49.9; 49.85; 50.0; -50.0 |]
            Expect.equal h.Total 1 "only -50 is counted (49.8 < 49.85, 49.9, 50 are dropped as in NumPy)"
            Expect.equal h.Outside 3 "three values are left out"
        }

        test "fixed bins: counts equal NumPy's and entropy equals SciPy's" {
            for c in Fixtures.items "fixed" fixture.Value do
                let name = sprintf "%s on arange(%g, %g, %g)" (Fixtures.string "name" c) (Fixtures.float "lo" c) (Fixtures.float "hi" c) (Fixtures.float "width" c)
                let bins = Gibbs.Range(Fixtures.float "lo" c, Fixtures.float "hi" c, Fixtures.float "width" c)
                let y = Fixtures.floats "y" c
                let h = Gibbs.histogram { Gibbs.defaults with Bins = bins } y
                Expect.equal h.Counts (Fixtures.ints "counts" c) (sprintf "%s: counts" name)
                Expect.equal h.Total (Fixtures.int "total" c) (sprintf "%s: total" name)
                Expect.equal (h.Total + h.Outside) y.Length (sprintf "%s: counted plus left out is every value" name)
                expectEntropy (Fixtures.float "nats" c) h.Entropy (sprintf "%s: nats" name)
                expectEntropy (Fixtures.float "bits" c) (Gibbs.entropy { Bins = bins; Base = Gibbs.Bits } y) (sprintf "%s: bits" name)
                expectEntropy (Fixtures.float "base10" c) (Gibbs.entropy { Bins = bins; Base = Gibbs.Base 10.0 } y) (sprintf "%s: base 10" name)
        }

        test "explicit edges: counts equal NumPy's" {
            for c in Fixtures.items "explicit" fixture.Value do
                let name = Fixtures.string "name" c
                let s = { Gibbs.defaults with Bins = Gibbs.Explicit(Fixtures.floats "edges" c) }
                let h = Gibbs.histogram s (Fixtures.floats "y" c)
                Expect.equal h.Counts (Fixtures.ints "counts" c) (sprintf "%s: counts" name)
                expectEntropy (Fixtures.float "nats" c) h.Entropy (sprintf "%s: nats" name)
                expectEntropy (Fixtures.float "bits" c) (Gibbs.entropy { s with Base = Gibbs.Bits } (Fixtures.floats "y" c)) (sprintf "%s: bits" name)
        }

        test "adaptive edges equal np.histogram_bin_edges (fd, sturges, auto) bit for bit" {
            for c in Fixtures.items "adaptive" fixture.Value do
                let rule =
                    match Fixtures.string "rule" c with
                    | "fd" -> Gibbs.FreedmanDiaconis
                    | "sturges" -> Gibbs.Sturges
                    | _ -> Gibbs.Auto
                let name = sprintf "%s/%A" (Fixtures.string "name" c) rule
                let y = Fixtures.floats "y" c
                let h = Gibbs.histogram { Gibbs.defaults with Bins = Gibbs.Adaptive rule } y
                let expected = Fixtures.floats "edges" c
                expectSame expected h.Edges (sprintf "%s: edges" name)
                Expect.equal h.Counts (Fixtures.ints "counts" c) (sprintf "%s: counts" name)
                expectEntropy (Fixtures.float "nats" c) h.Entropy (sprintf "%s: nats" name)
        }

        test "no value in range gives NaN, not an exception" {
            let h = Gibbs.histogram Gibbs.paper [| 60.0; -70.0; nan |]
            Expect.equal h.Total 0 "nothing counted"
            Expect.isTrue (Double.IsNaN h.Entropy) "entropy is NaN"
            Expect.isTrue (Double.IsNaN (Gibbs.entropy Gibbs.paper [||])) "empty vector gives NaN"
        }

        test "validation messages" {
            Expect.throwsC (fun () -> Gibbs.arange 0.0 1.0 0.0 |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting a positive bin width" "width message")
            Expect.throwsC (fun () -> Gibbs.counts [| 1.0; 0.0 |] [| 0.5 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting non-decreasing bin edges" "edges message")
            Expect.throwsC (fun () -> Gibbs.counts [| 1.0 |] [| 0.5 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting at least two bin edges" "edges count message")
            Expect.throwsC (fun () -> Gibbs.ofCounts (Gibbs.Base 1.0) [| 1 |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting a finite logarithm base" "base message")
            Expect.throwsC (fun () -> Gibbs.histogram { Gibbs.defaults with Bins = Gibbs.Adaptive Gibbs.FreedmanDiaconis } [| 1.0; nan |] |> ignore)
                (fun e -> Expect.stringContains e.Message "Expecting finite values" "adaptive NaN message")
        }

        test "the histogram record serialises to JSON" {
            let h = Gibbs.histogram { Gibbs.defaults with Bins = Gibbs.Explicit [| 0.0; 1.0; 2.0 |] } [| 0.5; 1.5; 1.7 |]
            let json = Text.Json.JsonSerializer.Serialize h
            Expect.stringContains json "\"Counts\":[1,2]" "counts in JSON"
            Expect.stringContains json "\"Total\":3" "total in JSON"
            let empty = Text.Json.JsonSerializer.Serialize(Gibbs.histogram Gibbs.paper [| 99.0 |])
            Expect.stringContains empty "\"Entropy\":\"NaN\"" "a NaN entropy is written as \"NaN\""
        }

        test "Miller–Madow equals the plug-in entropy plus (K − 1)/(2N) over NumPy's histogram" {
            let resampling = Fixtures.load "resampling.json"
            for c in Fixtures.items "miller_madow" resampling do
                let name = Fixtures.string "name" c
                let y = Fixtures.floats "y" c
                let counts = Fixtures.ints "counts" c
                Expect.equal (Gibbs.histogram Gibbs.paper y).Counts counts (sprintf "%s: counts equal np.histogram's" name)
                expectEntropy (Fixtures.float "nats" c) (Gibbs.millerMadow Gibbs.paper y) (sprintf "%s: nats" name)
                expectEntropy (Fixtures.float "bits" c) (Gibbs.millerMadow { Gibbs.paper with Base = Gibbs.Bits } y) (sprintf "%s: bits" name)
                expectEntropy (Fixtures.float "base10" c) (Gibbs.millerMadow { Gibbs.paper with Base = Gibbs.Base 10.0 } y) (sprintf "%s: base 10" name)
                expectEntropy (Fixtures.float "bits" c) (Gibbs.millerMadowOfCounts Gibbs.Bits counts) (sprintf "%s: from counts, bits" name)
            Expect.floatClose Accuracy.veryHigh (Gibbs.millerMadowOfCounts Gibbs.Nats [| 0; 5; 0 |]) 0.0 "one non-empty bin: no correction"
            Expect.floatClose Accuracy.veryHigh (Gibbs.millerMadowOfCounts Gibbs.Nats [| 1; 1 |]) (Math.Log 2.0 + 0.25) "two singletons: ln 2 + 1/4"
            Expect.isTrue (Double.IsNaN (Gibbs.millerMadowOfCounts Gibbs.Nats [| 0; 0 |])) "no counts: NaN"
        }

        test "a tensor gives the same histogram as its values" {
            let values = [| -1.3; 0.0; 0.2; 0.21; 7.5; 49.9; -50.0 |]
            use t = Dtc.Runtime.Torch.ofArray TorchSharp.torch.float64 (Dtc.Runtime.Torch.cpu ()) values
            let a = Gibbs.ofTensor Gibbs.paper t
            let b = Gibbs.histogram Gibbs.paper values
            Expect.equal a.Counts b.Counts "same counts"
            Expect.floatClose Accuracy.veryHigh a.Entropy b.Entropy "same entropy"
        }

        testPropertyWithConfig config "entropy is at most log(number of bins) and counts sum to the in-range count" <| fun (values: NormalFloat list) ->
            let y = values |> List.map (fun (NormalFloat v) -> v) |> Array.ofList
            let h = Gibbs.histogram { Gibbs.defaults with Bins = Gibbs.Range(-3.0, 3.0, 0.25) } y
            let last = h.Edges.[h.Edges.Length - 1]
            let inRange = y |> Array.filter (fun v -> v >= h.Edges.[0] && v <= last) |> Array.length
            h.Total = inRange
            && Array.sum h.Counts = inRange
            && (h.Total = 0 && Double.IsNaN h.Entropy
                || h.Entropy >= 0.0 && h.Entropy <= Math.Log(float h.Counts.Length) + 1e-12)

        testPropertyWithConfig config "bits are nats divided by ln 2" <| fun (values: NormalFloat list) ->
            let y = values |> List.map (fun (NormalFloat v) -> v * 10.0) |> Array.ofList
            let nats = Gibbs.entropy Gibbs.paper y
            let bits = Gibbs.entropy { Gibbs.paper with Base = Gibbs.Bits } y
            (Double.IsNaN nats && Double.IsNaN bits) || abs (bits - nats / Math.Log 2.0) <= 1e-12

        testPropertyWithConfig config "adaptive bins count every finite value" <| fun (values: int list) ->
            let y = values |> List.map (fun v -> float v / 7.0) |> Array.ofList
            let h = Gibbs.histogram { Gibbs.defaults with Bins = Gibbs.Adaptive Gibbs.Auto } y
            h.Total = y.Length
    ]
