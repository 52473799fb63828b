module Dtc.Tests.Sensing.Measurements

open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Sensing
open Dtc.Tests.Support

let private core = lazy (Fixtures.load "core.json")

/// The paper's measurement counts over its 34 cycles (PAPER.md).
let private paperCounts =
    [ 51; 45; 41; 37; 33; 29; 26; 24; 21; 19; 17; 15; 14; 12; 11; 10; 9; 8; 7; 6; 5; 5; 4; 3; 3; 3; 2; 2; 2; 1; 1; 1; 1; 1 ]

/// The paper's widths before each of its 34 cycles.
let paperWidthsBefore =
    [ 512; 460; 414; 372; 334; 300; 270; 243; 218; 196; 176; 158; 142; 127; 114; 102; 91; 81; 72; 64; 57; 51; 45; 40
      36; 32; 28; 25; 22; 19; 17; 15; 13; 11 ]

[<Tests>]
let tests =
    testList "Sensing.Measurements" [
        testCase "the paper's count int(m·(1.0−keep)) equals Python's on every m < 600" <| fun () ->
            for item in Fixtures.items "measurement_counts" core.Value do
                let keep = Fixtures.float "keep" item
                let ours = Fixtures.ints "m" item |> Array.map (Measurements.count Measurements.PaperDouble keep)
                Expect.sequenceEqual ours (Fixtures.ints "n" item) (sprintf "keep %g" keep)

        testCase "the paper's 34 cycles use 51, 45, 41, …, 1 measurements" <| fun () ->
            let ours = paperWidthsBefore |> List.map (Measurements.count Measurements.PaperDouble 0.9)
            Expect.sequenceEqual ours paperCounts "paper counts"
            Expect.equal (Measurements.count Measurements.PaperDouble 0.9 460) 45 "460 → 45"
            Expect.equal (Measurements.count Measurements.PaperDouble 0.9 300) 29 "300 → 29"

        testCase "the exact-decimal count is the mathematical floor" <| fun () ->
            Expect.equal (Measurements.count Measurements.ExactDecimal 0.9 460) 46 "460 → 46"
            Expect.equal (Measurements.count Measurements.ExactDecimal 0.9 300) 30 "300 → 30"
            Expect.equal (Measurements.count Measurements.ExactDecimal 0.9 512) 51 "512 → 51"
            Expect.equal (Measurements.count Measurements.ExactDecimal 0.75 10) 2 "10·0.25 → 2"

        testCase "invalid keep or m is rejected naming the value" <| fun () ->
            let e = Expect.throwsC (fun () -> Measurements.count Measurements.PaperDouble 1.5 10 |> ignore) id
            Expect.stringContains e.Message "1.5" "names keep"
            Expect.throwsT<System.ArgumentException> (fun () -> Measurements.count Measurements.PaperDouble 0.9 -1 |> ignore) "m < 0"

        testCase "the NumPy-legacy Φ is the supplement's np.random.normal(size=[n, m]) after seeding" <| fun () ->
            let item = Fixtures.items "normals" core.Value |> Array.find (fun i -> (Fixtures.ints "shape" i) = [| 5; 8 |])
            use phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 torch.CPU 5 8
            Expect.sequenceEqual phi.shape [| 5L; 8L |] "shape"
            Expect.sequenceEqual (Torch.toArray phi) (Fixtures.floats "values" item) "values, row-major"

        Combos.testCombos "a seed gives the same Φ on every call, dtype and device" (fun c ->
            for source in [ Measurements.NumPyLegacy; Measurements.TorchCpu ] do
                use reference = Measurements.gaussian source 7L torch.float64 torch.CPU 6 11
                use a = Measurements.gaussian source 7L c.Dtype c.Device 6 11
                use b = Measurements.gaussian source 7L c.Dtype c.Device 6 11
                Expect.equal a.device.``type`` c.Device.``type`` "device"
                Expect.equal a.dtype c.Dtype "dtype"
                Expect.sequenceEqual (Torch.toArray a) (Torch.toArray b) (sprintf "%A: same on two calls" source)
                use ref32 = reference.``to``(c.Dtype)
                Expect.sequenceEqual (Torch.toArray a) (Torch.toArray ref32) (sprintf "%A: same values as on the CPU in float64" source)
                use other = Measurements.gaussian source 8L c.Dtype c.Device 6 11
                Expect.isFalse (Torch.toArray other = Torch.toArray a) "another seed differs")

        testCase "n = 0 gives an empty matrix and empty measurements" <| fun () ->
            use phi = Measurements.gaussian Measurements.NumPyLegacy 1L torch.float64 torch.CPU 0 5
            use x = torch.ones(5L, dtype = torch.float64)
            use y = Measurements.measure phi x
            Expect.sequenceEqual y.shape [| 0L |] "no measurements"

        Combos.testCombos "measure and theta compute Φx and ΦΨ for one profile or a batch" (fun c ->
            use phi = Measurements.gaussian Measurements.NumPyLegacy 3L c.Dtype c.Device 4 9
            use psi = Basis.matrix Basis.DctI c.Dtype c.Device 9
            use x = torch.linspace(-1.0, 1.0, 9L, dtype = c.Dtype, device = c.Device)
            use xs = torch.stack([| x; x * 2.0 |])
            use y = Measurements.measure phi x
            use ys = Measurements.measure phi xs
            use theta = Measurements.theta phi psi
            let p, xv = Torch.toArray2D phi, Torch.toArray x
            let expected = Array.init 4 (fun i -> Array.init 9 (fun j -> p.[i, j] * xv.[j]) |> Array.sum)
            Array.iteri2 (fun i a b -> Expect.floatClose { absolute = c.Tolerance * 10.0; relative = c.Tolerance * 10.0 } a b (sprintf "y[%d]" i)) (Torch.toArray y) expected
            Expect.sequenceEqual ys.shape [| 2L; 4L |] "batch shape"
            let ysv = Torch.toArray2D ys
            for i in 0 .. 3 do
                Expect.floatClose { absolute = c.Tolerance * 10.0; relative = c.Tolerance * 10.0 } ysv.[1, i] (2.0 * expected.[i]) "second profile"
            Expect.sequenceEqual theta.shape [| 4L; 9L |] "Θ shape")

        testCase "a profile of the wrong length is rejected with both shapes in the message" <| fun () ->
            use phi = Measurements.gaussian Measurements.NumPyLegacy 3L torch.float64 torch.CPU 4 9
            use x = torch.ones(8L, dtype = torch.float64)
            let e = Expect.throwsC (fun () -> Measurements.measure phi x |> ignore) id
            Expect.stringContains e.Message "length 9" "expected length"
            Expect.stringContains e.Message "[8]" "received shape"
    ]
