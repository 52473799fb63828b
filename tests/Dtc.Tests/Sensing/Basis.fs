module Dtc.Tests.Sensing.Basis

open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Sensing
open Dtc.Tests.Support

let private core = lazy (Fixtures.load "core.json")

let private kindOf t = if t = 1 then Basis.DctI else Basis.DctII

[<Tests>]
let tests =
    testList "Sensing.Basis" [
        testCase "DCT-I and DCT-II equal SciPy's dct(eye(m), norm='ortho', axis=0) to 1e-12" <| fun () ->
            for item in Fixtures.items "bases" core.Value do
                let m, t = Fixtures.int "m" item, Fixtures.int "type" item
                let ours = Basis.values (kindOf t) m
                match item.TryGetProperty "matrix" with
                | true, _ ->
                    let reference = Fixtures.matrix "matrix" item
                    for i in 0 .. m - 1 do
                        for j in 0 .. m - 1 do
                            Expect.floatClose { absolute = 1e-12; relative = 0.0 } ours.[i, j] reference.[i, j] (sprintf "DCT-%d m=%d [%d,%d]" t m i j)
                | _ ->
                    let rows = Fixtures.ints "rows" item
                    let values = Fixtures.matrix "row_values" item
                    rows |> Array.iteri (fun r i ->
                        for j in 0 .. m - 1 do
                            Expect.floatClose { absolute = 1e-12; relative = 0.0 } ours.[i, j] values.[r, j] (sprintf "DCT-%d m=%d [%d,%d]" t m i j))
                // The matrix applied to a vector, as a tensor on the CPU in float64.
                let x = Fixtures.floats "x" item
                use psi = Basis.matrix (kindOf t) torch.float64 torch.CPU m
                use xt = Torch.ofArray torch.float64 torch.CPU x
                let dx = Torch.toArray (psi.matmul xt)
                Array.iteri2 (fun i a b -> Expect.floatClose { absolute = 1e-12; relative = 0.0 } a b (sprintf "DCT-%d m=%d (Ψx)[%d]" t m i)) dx (Fixtures.floats "dx" item)

        testCase "synthesise applies Ψ as SciPy's dct(eye(m), norm='ortho', axis=0) @ x does, to 1e-12" <| fun () ->
            for item in Fixtures.items "bases" core.Value do
                let m, t = Fixtures.int "m" item, Fixtures.int "type" item
                use x = Torch.ofArray torch.float64 torch.CPU (Fixtures.floats "x" item)
                use dx = Basis.synthesise (kindOf t) x
                Array.iteri2 (fun i a b -> Expect.floatClose { absolute = 1e-12; relative = 0.0 } a b (sprintf "DCT-%d m=%d (Ψx)[%d] by FFT" t m i))
                    (Torch.toArray dx) (Fixtures.floats "dx" item)

        Combos.testPropertyCombos "synthesise and analyse equal the products with Ψᵀ and Ψ, and invert each other (property)" (fun c (kindIndex: byte) (size: byte) (rows: byte) ->
            let kind = [| Basis.DctI; Basis.DctII; Basis.Identity |].[int kindIndex % 3]
            let m, b = 1 + int size, 1 + int rows % 4
            use g = new torch.Generator(uint64 size * 31UL + uint64 rows, torch.CPU)
            use x = torch.randn(int64 b, int64 m, dtype = torch.float64, generator = g).``to``(c.Dtype, c.Device)
            use psi = Basis.matrix kind c.Dtype c.Device m
            use synthesised = Basis.synthesise kind x
            use analysed = Basis.analyse kind x
            use back = Basis.analyse kind synthesised
            let gap (a: torch.Tensor) (b: torch.Tensor) = (a - b).abs().max().ToDouble()
            // float32: rounding of m products; float64: the fixtures' 1e-12, scaled for the larger m here.
            let bound = if c.Dtype = torch.float32 then 1e-5 else 1e-12 * float m
            synthesised.shape = x.shape && synthesised.dtype = c.Dtype && synthesised.device.``type`` = c.Device.``type``
            && gap synthesised (x.matmul(psi.T)) <= bound && gap analysed (x.matmul(psi)) <= bound && gap back x <= bound)

        testCase "synthesise and analyse take a vector and reject other shapes and integer tensors by name" <| fun () ->
            use v = torch.arange(5L, dtype = torch.float64)
            use psi = Basis.matrix Basis.DctII torch.float64 torch.CPU 5
            use sv = Basis.synthesise Basis.DctII v
            use expected = psi.matmul(v)
            Expect.isLessThan ((sv - expected).abs().max().ToDouble()) 1e-12 "a vector is one row"
            use cube = torch.zeros(2L, 2L, 2L)
            let e = Expect.throwsC (fun () -> Basis.synthesise Basis.DctI cube |> ignore) id
            Expect.stringContains e.Message "[2, 2, 2]" "names the shape"
            use ints = torch.arange(4L)
            Expect.throwsT<System.ArgumentException> (fun () -> Basis.analyse Basis.DctI ints |> ignore) "integer rows"

        testCase "size 1 is the 1×1 identity for every kind" <| fun () ->
            for k in [ Basis.DctI; Basis.DctII; Basis.Identity ] do
                Expect.equal (Basis.values k 1) (Array2D.create 1 1 1.0) (sprintf "%A of size 1" k)

        testCase "DCT-I is symmetric and its own inverse" <| fun () ->
            let d = Basis.values Basis.DctI 33
            for i in 0 .. 32 do
                for j in 0 .. 32 do
                    Expect.floatClose Accuracy.veryHigh d.[i, j] d.[j, i] "symmetric"

        Combos.testPropertyCombos "ΨᵀΨ = I on every dtype and device (property)" (fun c (kindIndex: byte) (size: byte) ->
            let kind = [| Basis.DctI; Basis.DctII; Basis.Identity |].[int kindIndex % 3]
            let m = 1 + int size
            use psi = Basis.matrix kind c.Dtype c.Device m
            use gram = psi.T.matmul(psi)
            use eye = torch.eye(int64 m, dtype = c.Dtype, device = c.Device)
            use err = (gram - eye).abs().max()
            // float32: rounding of m products; float64: 1e-12 as the fixtures.
            let bound = if c.Dtype = torch.float32 then 1e-5 else 1e-12
            err.ToDouble() <= bound)

        testCase "parse accepts the documented names and rejects others clearly" <| fun () ->
            Expect.equal (Basis.parse "DCT1") Basis.DctI "dct1"
            Expect.equal (Basis.parse "dct2") Basis.DctII "dct2"
            Expect.equal (Basis.parse "identity") Basis.Identity "identity"
            let e = Expect.throwsC (fun () -> Basis.parse "haar" |> ignore) id
            Expect.stringContains e.Message "haar" "names the value"

        testCase "a size below 1 is rejected" <| fun () ->
            Expect.throwsT<System.ArgumentException> (fun () -> Basis.values Basis.DctI 0 |> ignore) "m = 0"
    ]
