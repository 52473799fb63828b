module Dtc.Tests.Tomography.Rays

open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Sensing
open Dtc.Tomography
open Dtc.Tests.Support

/// A profile that is exactly 3-sparse in the DCT-I basis.
let private sparseProfile m =
    let psi = Basis.values Basis.DctI m
    Array.init m (fun i -> 4.0 * psi.[i, 1] - 2.5 * psi.[i, 5] + 1.5 * psi.[i, 9])

[<Tests>]
let tests =
    testList "Tomography.Rays" [
        Combos.testCombos "iCS recovers a sparse profile from few measurements" (fun c ->
            let m = 64
            use x = Torch.ofArray c.Dtype c.Device (sparseProfile m)
            let options = { Rays.Options.paper with Keep = 0.6; Lasso = { Lasso.Options.defaults with Lambda = 1e-3; RelativeGap = 1e-9 } }
            use rays = Rays.reconstruct options x
            Expect.sequenceEqual rays.Codes.shape [| 1L; int64 m |] "code shape"
            Expect.sequenceEqual rays.Measurements.shape [| 1L; 25L |] "n = int(64·0.4) = 25"
            Expect.sequenceEqual rays.Theta.shape [| 25L; int64 m |] "Θ shape"
            Expect.equal rays.Codes.device.``type`` c.Device.``type`` "device of the profile"
            Expect.equal rays.Codes.dtype torch.float64 "sensing precision"
            Expect.isLessThan rays.RelativeErrors.[0] 1e-3 "relative reconstruction error"
            let s = Torch.toArray rays.Codes
            Expect.floatClose { absolute = 1e-2; relative = 1e-2 } s.[1] 4.0 "coefficient 1"
            Expect.floatClose { absolute = 1e-2; relative = 1e-2 } s.[5] -2.5 "coefficient 5")

        testCase "the paper's settings: y = Φx with the supplement's Φ, Ψs is the reconstruction" <| fun () ->
            let m = 51
            let xv = Array.init m (fun i -> sin (float i) * 3.0)
            use x = Torch.ofArray torch.float64 torch.CPU xv
            use rays = Rays.reconstruct Rays.Options.paper x
            use phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 torch.CPU 5 m
            use y = Measurements.measure phi x
            Expect.sequenceEqual rays.Measurements.shape [| 1L; 5L |] "n = int(51·0.0999…) = 5"
            Array.iteri2 (fun i a b -> Expect.floatClose Accuracy.veryHigh a b (sprintf "y[%d]" i)) (Torch.toArray rays.Measurements) (Torch.toArray y)
            use psi = Basis.matrix Basis.DctI torch.float64 torch.CPU m
            use recon = rays.Codes.matmul(psi.T)
            Array.iteri2 (fun i a b -> Expect.floatClose Accuracy.veryHigh a b (sprintf "Ψs[%d]" i)) (Torch.toArray rays.Reconstructions) (Torch.toArray recon)
            Expect.isTrue rays.Diagnostics.[0].Converged "converged"

        testCase "beyond matrixLength Θ and Ψs come from the FFT transforms and equal the matrix products" <| fun () ->
            let m = Rays.matrixLength + 6
            use g = new torch.Generator(11UL, torch.CPU)
            use xs = torch.randn(2L, int64 m, dtype = torch.float64, generator = g)
            use rays = Rays.reconstruct Rays.Options.paper xs
            let n = Measurements.count Measurements.PaperDouble 0.9 m
            use phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 torch.CPU n m
            use psi = Basis.matrix Basis.DctI torch.float64 torch.CPU m
            use theta = Measurements.theta phi psi
            use recon = rays.Codes.matmul(psi.T)
            Expect.isLessThan ((rays.Theta - theta).abs().max().ToDouble()) 1e-11 "Θ = ΦΨ"
            Expect.isLessThan ((rays.Reconstructions - recon).abs().max().ToDouble()) 1e-11 "reconstructions = Ψs"
            Expect.isTrue (rays.Diagnostics |> Array.forall (fun d -> d.Converged)) "converged"

        testCase "a batch equals its profiles one at a time" <| fun () ->
            use g = new torch.Generator(5UL, torch.CPU)
            use xs = torch.randn(3L, 30L, dtype = torch.float64, generator = g)
            let options = { Rays.Options.paper with Keep = 0.7 }
            use batch = Rays.reconstruct options xs
            for i in 0L .. 2L do
                use one = Rays.reconstruct options xs.[i]
                Array.iteri2 (fun j a b -> Expect.floatClose { absolute = 1e-6; relative = 1e-5 } a b (sprintf "profile %d code %d" i j))
                    (Torch.toArray batch.Codes.[i]) (Torch.toArray one.Codes)

        testCase "no tensor outlives the rays (dispose scopes)" <| fun () ->
            use x = torch.randn(2L, 40L, dtype = torch.float64)
            Rays.reconstruct Rays.Options.paper x |> (fun r -> (r :> System.IDisposable).Dispose())
            let before = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            for _ in 1 .. 3 do
                use r = Rays.reconstruct Rays.Options.paper x
                ()
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount before "live tensors back to where they were"

        testCase "a bad profile or option is rejected clearly" <| fun () ->
            use x = torch.zeros([| 2L; 3L; 4L |])
            Expect.throwsT<System.ArgumentException> (fun () -> Rays.reconstruct Rays.Options.paper x |> ignore) "rank 3"
            use xi = torch.zeros([| 4L |], dtype = torch.int64)
            Expect.throwsT<System.ArgumentException> (fun () -> Rays.reconstruct Rays.Options.paper xi |> ignore) "integer profile"
            use xf = torch.zeros([| 4L |])
            let e = Expect.throwsC (fun () -> Rays.reconstruct { Rays.Options.paper with Keep = 2.0 } xf |> ignore) id
            Expect.stringContains e.Message "2" "names the value"
    ]
