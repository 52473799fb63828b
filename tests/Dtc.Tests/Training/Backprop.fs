module Dtc.Tests.Training.Backprop

open System
open Expecto
open FsCheck
open TorchSharp
open Dtc.Training
open Dtc.Tests.Support

/// Autograd's loss and gradients (weights, then biases) for the model's forward and cross_entropy: the reference.
let private autograd (model: Model.Mlp) (x: torch.Tensor) (y: torch.Tensor) =
    for p in model.Parameters do p.grad <- null
    use loss = torch.nn.functional.cross_entropy(Model.forward model x, y)
    loss.backward()
    let grads = model.Parameters |> Seq.map (fun p -> p.grad.detach().clone()) |> Array.ofSeq
    for p in model.Parameters do p.grad <- null
    loss.ToDouble(), grads

/// The largest gap between two lists of tensors, relative to the largest magnitude among the references
/// (a gradient that is zero in exact arithmetic, as the output bias's with the log-softmax over the batch,
/// is rounding noise in both and is measured against the scale of the others; with one sample and that
/// log-softmax every gradient is zero in exact arithmetic, so the scale has a floor of 0.01).
let private relativeGap (reference: torch.Tensor[]) (actual: torch.Tensor[]) =
    let scale = reference |> Array.map (fun t -> t.abs().max().ToDouble()) |> Array.fold max 1e-2
    Array.map2 (fun (r: torch.Tensor) (a: torch.Tensor) -> (r - a).abs().max().ToDouble()) reference actual |> Array.max |> fun g -> g / scale

/// A model, a batch as rows and as columns, and targets for one configuration.
let private setup (c: Combos.Combo) (seed: int64) (widths: int[]) (bias: bool) (quirk: bool) (batch: int) =
    let model = Model.create seed bias quirk c.Dtype c.Device widths
    use g = new torch.Generator(uint64 seed + 1UL, torch.CPU)
    let x = torch.randn([| int64 batch; int64 widths.[0] |], dtype = c.Dtype, generator = g).``to``(c.Device)
    let y = torch.randint(int64 (Array.last widths), [| int64 batch |], generator = g).``to``(c.Device)
    let columns = x.t().contiguous()
    model, x, columns, y

[<Tests>]
let tests =
    testSequenced <| testList "Training.Backprop" [
        Combos.testPropertyCombos "the loss and gradients are autograd's, for every depth, bias and output log-softmax" (fun c ->
            fun (seed: PositiveInt) (depth: int) (bias: bool) (quirk: bool) (batchChoice: int) ->
                let hidden = [| for i in 0 .. ((depth % 3) + 3) % 3 -> 3 + (seed.Get + 5 * i) % 9 |]
                let widths = Array.concat [ [| 12 |]; hidden; [| 4 |] ]
                let batch = [| 1; 2; 7; 33 |].[((batchChoice % 4) + 4) % 4]
                let model, x, columns, y = setup c (int64 seed.Get) widths bias quirk batch
                use _m = model
                use _x = x
                use _c = columns
                use _y = y
                let loss, reference = autograd model x y
                use g = Backprop.lossAndGradients model columns x y
                let actual = Array.append g.Weights g.Biases
                let shapes = actual |> Array.map (fun t -> t.shape)
                let expectedShapes = reference |> Array.map (fun t -> t.shape)
                try
                    shapes = expectedShapes
                    && abs (g.Loss.ToDouble() - loss) <= c.Tolerance * 10.0 * max 1.0 (abs loss)
                    && relativeGap reference actual <= c.Tolerance * 10.0
                finally
                    for t in reference do t.Dispose())

        Combos.testCombos "backward writes autograd's gradients into the parameters' own grad tensors, step after step" (fun c ->
            let model, x, columns, y = setup c 11L [| 30; 16; 8; 10 |] true true 20
            use _m = model
            use _x = x
            use _c = columns
            use _y = y
            let _, reference = autograd model x y
            use loss = Backprop.backward model columns x y
            let grads = model.Parameters |> Seq.map (fun p -> p.grad) |> Array.ofSeq
            Expect.isLessThan (relativeGap reference grads) (c.Tolerance * 10.0) "as autograd's"
            // Another batch: the tensors held from the first call see the new gradients (overwritten in place, not summed).
            use x2 = x.flip(0L)
            use y2 = y.flip(0L)
            use columns2 = x2.t().contiguous()
            let _, reference2 = autograd model x2 y2
            use _again = Backprop.backward model columns2 x2 y2
            Expect.isLessThan (relativeGap reference2 grads) (c.Tolerance * 10.0) "the same tensors, overwritten"
            Expect.floatClose Accuracy.high (_again.ToDouble()) (loss.ToDouble()) "a permuted batch has the same loss"
            for t in Array.append reference reference2 do t.Dispose())

        testCase "trainModel follows Steps.train with autograd to rounding over 40 Adam steps (float64, both output kinds)" <| fun () ->
            use data = Dtc.Tests.Training.CompressTrain.staged ()
            for quirk in [ true; false ] do
                use a = Model.create 9L false quirk torch.float64 torch.CPU [| 20; 24; 10 |]
                use b = Model.copy a
                // The staged inputs are float32; a float64 model trains on float64 copies of the same batches.
                let batches = Array.init 5 (fun i ->
                    let columns, inputs, targets = Steps.trainColumns None data (int64 i)
                    columns.``to``(torch.float64), inputs.``to``(torch.float64), targets)
                use fa = Adam.create 1e-3 a.Parameters
                use fb = Adam.create 1e-3 b.Parameters
                let la = Steps.trainModel fa a (fun k -> batches.[int k % 5]) 0L 40
                let lb = Steps.train fb (Model.forward b) (fun k -> let _, inputs, targets = batches.[int k % 5] in inputs, targets) 0L 40
                Expect.floatClose { absolute = 1e-12; relative = 1e-10 } la lb (sprintf "mean loss (quirk %b)" quirk)
                Seq.iteri2 (fun i (p: Modules.Parameter) (q: Modules.Parameter) ->
                    Expect.isLessThan ((p - q).abs().max().ToDouble()) 1e-10 (sprintf "parameter %d (quirk %b)" i quirk)) a.Parameters b.Parameters
                for columns, inputs, _ in batches do
                    columns.Dispose()
                    inputs.Dispose()

        testCase "the staged columns are the training batches transposed, and shuffled batches agree in both layouts" <| fun () ->
            use data = Dtc.Tests.Training.CompressTrain.staged ()
            Expect.equal data.TrainColumns.shape [| 5L; 20L; 64L |] "batches × pixels × batch size (300 samples in batches of 64)"
            Expect.isTrue (data.TrainColumns.[4L].narrow(1L, 44L, 20L).eq(0.0f.ToScalar()).all().item<bool>()) "the last block is zero past its 44 samples"
            for shuffle in [ None; Some 5L ] do
                for position in [ 0L; 4L; 5L; 13L ] do
                    use scope = torch.NewDisposeScope()
                    let columns, inputs, targets = Steps.trainColumns shuffle data position
                    let rows, labels = Steps.trainBatch shuffle data position
                    Expect.isTrue (columns.t().allclose(inputs, 0.0, 0.0)) (sprintf "columns = rowsᵀ at %d (%A)" position shuffle)
                    Expect.isTrue (inputs.allclose(rows, 0.0, 0.0) && targets.eq(labels).all().item<bool>()) (sprintf "the batch of trainBatch at %d (%A)" position shuffle)

        testCase "shapes that do not fit are rejected with the shape received, and training leaves no tensor behind" <| fun () ->
            use model = Model.create 1L false true torch.float32 torch.CPU [| 6; 5; 3 |]
            use x = torch.randn(4L, 6L)
            use y = torch.tensor([| 0L; 1L; 2L; 0L |])
            use columns = x.t().contiguous()
            let message (f: unit -> unit) = (Expect.throwsC f id).Message
            Expect.stringContains (message (fun () -> Backprop.lossAndGradients model x x y |> ignore)) "[4, 6]" "rows given as columns"
            Expect.stringContains (message (fun () -> Backprop.lossAndGradients model columns columns y |> ignore)) "[6, 4]" "columns given as rows"
            Expect.stringContains (message (fun () -> Backprop.backward model columns x (y.narrow(0L, 0L, 3L)) |> ignore)) "Expecting 4 targets" "targets"
            use opt = Adam.create 1e-3 model.Parameters
            Steps.trainModel opt model (fun _ -> columns, x, y) 0L 2 |> ignore
            let live = DisposeScopeManager.Statistics.ThreadTotalLiveCount
            let loss = Steps.trainModel opt model (fun _ -> columns, x, y) 0L 20
            Expect.isTrue (Double.IsFinite loss) "a finite mean loss"
            Expect.equal DisposeScopeManager.Statistics.ThreadTotalLiveCount live "no tensor left behind"
            Expect.isTrue (Double.IsNaN (Steps.trainModel opt model (fun _ -> columns, x, y) 0L 0)) "no batch, NaN"
    ]
