module Dtc.Tests.Training.Adam

open System
open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Training
open Dtc.Tests.Support

/// Loss and gradients of a small MLP on a fixed batch.
let private backward (model: Model.Mlp) (x: torch.Tensor) (y: torch.Tensor) =
    use loss = torch.nn.functional.cross_entropy(Model.forward model x, y)
    loss.backward()

let private maxGap (a: torch.Tensor) (b: torch.Tensor) = (a - b).abs().max().ToDouble()

[<Tests>]
let tests =
    testSequenced <| testList "Training.Adam" [
        Combos.testCombos "the first step is p − lr·g/(|g| + ε), Adam's closed form after one step" (fun c ->
            use model = Model.create 3L true false c.Dtype c.Device [| 6; 5; 3 |]
            use x = torch.randn(8L, 6L, dtype = c.Dtype).``to``(c.Device)
            use y = torch.tensor([| 0L; 1L; 2L; 0L; 1L; 2L; 0L; 1L |], device = c.Device)
            let before = model.Parameters |> Seq.map (fun p -> p.detach().clone()) |> Array.ofSeq
            use opt = Adam.create 0.01 model.Parameters
            Expect.isTrue (opt :? Adam.FusedAdam) "the fused kernel is available here"
            opt.zero_grad()
            backward model x y
            opt.step() |> ignore
            // m̂ = g and v̂ = g² after one step, so the update is −lr·g/(√(g²) + ε).
            Seq.zip3 model.Parameters before [| 0 .. before.Length - 1 |] |> Seq.iter (fun (p, p0, i) ->
                use _ = torch.no_grad ()
                use g = p.grad.clone()
                use expected = p0 - g / (g.abs() + 1e-8) * 0.01
                Expect.isLessThan (maxGap p expected) (0.01 * c.Tolerance * 10.0) (sprintf "parameter %d" i)))

        testCase "over 30 steps the fused update follows torch.optim.Adam to rounding" <| fun () ->
            use a = Model.create 5L true false torch.float64 torch.CPU [| 20; 16; 10 |]
            use b = Model.copy a
            use x = torch.randn(32L, 20L, dtype = torch.float64)
            use y = torch.randint(10L, [| 32L |])
            use fused = Adam.create 1e-3 a.Parameters
            use reference = torch.optim.Adam(b.Parameters, lr = 1e-3)
            for _ in 1 .. 30 do
                for (m: Model.Mlp), (o: torch.optim.Optimizer) in [ a, fused; b, reference ] do
                    o.zero_grad()
                    backward m x y
                    o.step() |> ignore
            Seq.iteri2 (fun i (p: Modules.Parameter) (q: Modules.Parameter) ->
                Expect.isLessThan (maxGap p q) 1e-12 (sprintf "parameter %d after 30 steps (float64)" i)) a.Parameters b.Parameters

        testCase "a parameter without a gradient is left alone, as torch.optim.Adam leaves it" <| fun () ->
            use a = Model.create 7L false false torch.float32 torch.CPU [| 4; 3; 2 |]
            use opt = Adam.create 1e-2 a.Parameters
            use x = torch.randn(5L, 4L)
            use y = torch.tensor([| 0L; 1L; 0L; 1L; 1L |])
            backward a x y
            let frozen = a.Weights.[1]
            frozen.grad <- null
            use before = frozen.detach().clone()
            use moved = a.Weights.[0].detach().clone()
            opt.step() |> ignore
            Expect.equal (maxGap frozen before) 0.0 "no gradient, no update"
            Expect.isGreaterThan (maxGap a.Weights.[0] moved) 0.0 "the other parameter moves"

        testCase "bad settings are rejected by name, and disposal releases the optimiser's tensors" <| fun () ->
            use a = Model.create 1L false false torch.float32 torch.CPU [| 4; 3; 2 |]
            let e = Expect.throwsC (fun () -> Adam.create 0.0 a.Parameters |> ignore) id
            Expect.stringContains e.Message "learning rate" "names the setting"
            Expect.throwsT<ArgumentException> (fun () -> Adam.create 1e-3 Seq.empty |> ignore) "no parameters"
            let live = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            (Adam.create 1e-3 a.Parameters).Dispose()
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount live "no tensor left behind"
    ]
