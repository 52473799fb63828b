/// <summary>
/// Timings of the protocol's steps: the training step (against the GEMM beside it), the training step by
/// hand against autograd's, and the compress step.
/// </summary>
module Dtc.Bench.StepTimings

open System
open TorchSharp
open Dtc.Sensing
open Dtc.Training
open Dtc.Bench.Report
open Dtc.Bench.Timing

/// A random mini-batch of the protocol's shape, 512 inputs of 784 pixels, as rows and as columns, with
/// targets; disposing it disposes all three.
type internal RandomBatch(device: torch.Device) =
    let rows = torch.randn(512L, 784L, device = device)
    let columns = (use t = rows.t() in t.contiguous())
    let targets = torch.randint(10L, [| 512L |], device = device)
    member _.Rows = rows
    member _.Columns = columns
    member _.Targets = targets
    interface IDisposable with
        member _.Dispose() =
            for t in [ rows; columns; targets ] do t.Dispose()

/// <summary>Milliseconds of one training step (forward, backward, Adam) of a 784-width-10 MLP at batch 512 as
/// the protocol runs it (<c>Steps.trainModel</c>: the gradients of <c>Backprop</c>, the inputs staged as rows
/// and as columns), timed over blocks of ten steps in the steady state the protocol's thousands of steps run
/// in: a process's first steps are slower (tiered compilation, the allocator and the intra-op thread pool
/// warming up), so twice as many blocks as are timed run first.</summary>
/// <param name="settings">The repetitions.</param>
/// <param name="device">The device.</param>
/// <param name="width">The hidden width.</param>
/// <param name="beside">With a GEMM, as many blocks again are each paired with a product timed right before or
/// after them (alternately).</param>
/// <returns>(median, best, the median paired ratio or NaN) milliseconds per step.</returns>
let trainStep (settings: Settings) (device: torch.Device) (width: int) (beside: Gemm option) : float * float * float =
    use model = Model.create 1L false false torch.float32 device [| 784; width; 10 |]
    use opt = Adam.create 1e-3 model.Parameters
    use batch = new RandomBatch(device)
    let x, columns, y = batch.Rows, batch.Columns, batch.Targets
    let steps = 10
    let block () = Steps.trainModel opt model (fun _ -> columns, x, y) 0L steps |> ignore
    for _ in 1 .. 2 * settings.Repetitions do block ()
    let ms = timings settings.Repetitions block
    let paired =
        match beside with
        | None -> nan
        | Some gemm ->
            let flops = Flops.trainStep 512 [| 784; width; 10 |]
            let once () = elapsedMs block / float steps
            [| for r in 1 .. settings.Repetitions ->
                   let stepMs, gemmMs = if r % 2 = 0 then (let g = gemm.Time() in once (), g) else (let s = once () in s, gemm.Time())
                   stepMs / (flops * gemmMs / gemm.Flops) |]
            |> median
    median ms / float steps, Array.min ms / float steps, paired

/// <summary>The training step by hand against autograd's at one width, on one intra-op thread: 2·repetitions
/// alternating blocks (which of the two goes first alternates too) after a warm-up of both.</summary>
/// <param name="settings">The repetitions.</param>
/// <param name="device">The device.</param>
/// <param name="width">The hidden width.</param>
/// <returns>The comparison.</returns>
let stepComparison (settings: Settings) (device: torch.Device) (width: int) : StepTiming =
    let threads = torch.get_num_threads ()
    torch.set_num_threads 1
    try
        use byAutograd = Model.create 1L false true torch.float32 device [| 784; width; 10 |]
        use byHand = Model.copy byAutograd
        use optAutograd = Adam.create 1e-3 byAutograd.Parameters
        use optByHand = Adam.create 1e-3 byHand.Parameters
        use batch = new RandomBatch(device)
        let x, columns, y = batch.Rows, batch.Columns, batch.Targets
        // Blocks of 2 to 20 steps: fewer steps per block the wider the model.
        let steps = max 2 (min 20 (2560 / width))
        let autograd () = Steps.train optAutograd (Model.forward byAutograd) (fun _ -> x, y) 0L steps |> ignore
        let hand () = Steps.trainModel optByHand byHand (fun _ -> columns, x, y) 0L steps |> ignore
        for _ in 1 .. 10 do
            autograd ()
            hand ()
        let once (action: unit -> unit) = elapsedMs action / float steps
        let pairs =
            [| for r in 1 .. 2 * settings.Repetitions ->
                   if r % 2 = 0 then let a = once autograd in a, once hand
                   else let h = once hand in once autograd, h |]
        { Width = width
          AutogradMs = median (Array.map fst pairs)
          ByHandMs = median (Array.map snd pairs)
          Ratio = median (pairs |> Array.map (fun (a, h) -> h / a)) }
    finally
        torch.set_num_threads threads

/// <summary>The compress step of the paper's DTC at one width (784-width-10), against one training step at
/// that width.</summary>
/// <param name="settings">The repetitions.</param>
/// <param name="device">The device.</param>
/// <param name="width">The hidden width before the step.</param>
/// <returns>The timing.</returns>
let compressStep (settings: Settings) (device: torch.Device) (width: int) : CompressTiming =
    let protocol = { Protocol.Protocol.paper with Hidden = [| width |] }
    use model = Model.create 1L false true torch.float32 device [| 784; width; 10 |]
    let mutable iterations = 0
    let step () =
        let next, layers = Compression.once protocol (Protocol.Method.Dtc Protocol.DtcSettings.paper) model
        (next :> IDisposable).Dispose()
        iterations <- layers |> Array.collect (fun l -> l.SolverIterations) |> Array.fold max 0
    // The first call warms up; when it alone takes seconds, it is the measurement. Short steps get all the
    // repetitions (a median of a few short steps overstates them), long ones a fifth.
    let first = time 0 step
    let ms =
        if first > 2000.0 then first
        elif first < 250.0 then time settings.Repetitions step
        else time (max 1 (settings.Repetitions / 5)) step
    let step, _, _ = trainStep { settings with Repetitions = max 3 (settings.Repetitions / 3) } device width None
    { Width = width
      Measurements = Measurements.count Measurements.PaperDouble 0.9 width
      CompressMs = ms
      TrainStepMs = step
      ShareOfCycle = ms / (ms + 200.0 * step)
      SolverIterations = iterations }
