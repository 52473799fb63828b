/// The LASSO's shared-Θ entry point, Lasso.solveShared.
module Dtc.Tests.Sensing.LassoShared

open System
open Expecto
open TorchSharp
open Dtc.Sensing
open Dtc.Runtime
open Dtc.Tests.Sensing.Problems

/// The shared-Θ entry point: the same answers, to the bit, as Θ expanded over the batch.
[<Tests>]
let tests =
    testList "Sensing.LassoShared" [
        for m in [ 512; 1300 ] do
            testCase (sprintf "paper-like problems of length %d: solveShared equals solve on the expanded Θ to the bit" m) (fun () ->
                let theta, y, expanded = paperLike m 11UL
                use theta = theta
                use y = y
                use expanded = expanded
                let o = Lasso.Options.defaults
                let viaShared = Lasso.solveShared o theta y
                let viaExpanded = Lasso.solve o expanded y
                use cs = viaShared.Coefficients
                use ce = viaExpanded.Coefficients
                Expect.sequenceEqual (Torch.toArray cs) (Torch.toArray ce) "coefficients to the bit"
                Expect.sequenceEqual viaShared.Diagnostics viaExpanded.Diagnostics "diagnostics"
                Expect.isTrue (viaShared.Diagnostics |> Array.forall (fun d -> d.Converged)) "certified")
        testCase "the device path's shared design agrees with the host's optimum" (fun () ->
            let theta, y, _ = paperLike 256 13UL
            use theta = theta
            use y = y
            let o = Lasso.Options.defaults
            let host = Lasso.solveShared o theta y
            use hc = host.Coefficients
            use expanded = theta.unsqueeze(0L).expand(3L, theta.shape.[0], theta.shape.[1])
            let device = Lasso.solveOnDevice o expanded y
            use dc = device.Coefficients
            for i in 0 .. 2 do
                Expect.floatClose { absolute = 1e-9; relative = 2e-6 } device.Diagnostics.[i].Objective host.Diagnostics.[i].Objective (sprintf "problem %d: same optimum" i))
        testCase "a Θ of the wrong rank is an ArgumentException naming it" (fun () ->
            use theta = torch.randn(3L, 4L, 5L, dtype = torch.float64)
            use y = torch.randn(3L, 4L, dtype = torch.float64)
            Expect.throwsT<ArgumentException> (fun () -> Lasso.solveShared Lasso.Options.defaults theta y |> fun s -> s.Coefficients.Dispose()) "rank 3 Θ")
        testCase "targets of the wrong length name Θ's shape" (fun () ->
            use theta = torch.randn(4L, 5L, dtype = torch.float64)
            use y = torch.randn(3L, 6L, dtype = torch.float64)
            let e = Expect.throwsC (fun () -> Lasso.solveShared Lasso.Options.defaults theta y |> fun s -> s.Coefficients.Dispose()) id
            Expect.stringContains e.Message "Expecting targets of length n = 4" "names n"
            Expect.stringContains e.Message "[3, 6]" "names the received shape")
    ]
