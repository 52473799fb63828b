/// <summary>
/// Measures, in one process and one run, how close each stage of DTC comes to what this machine allows:
/// the matrix-multiply ceiling, one training step, the compress step at several widths, the batched
/// LASSO solver, and (optionally) the whole paper protocol on the embedded sample.
/// </summary>
/// <namespacedoc><summary>Diagnostics: measurements of this machine and of Dtc's stages.</summary></namespacedoc>
module Dtc.Diagnostics.Bench

open System
open System.Diagnostics
open TorchSharp
open Dtc.Sensing
open Dtc.Training

/// <summary>What to measure.</summary>
type Settings =
    { /// <summary>Size of the square float32 GEMM that sets the ceiling. Default 2048.</summary>
      GemmSize: int
      /// <summary>Repetitions per timing (the median is reported). Default 15.</summary>
      Repetitions: int
      /// <summary>Widths of the compress-step measurement. Default [512; 2048; 8192].</summary>
      CompressWidths: int[]
      /// <summary>Batch sizes of the solver measurement (problems solved in one call against one call per
      /// problem). Default [1; 8; 32; 128].</summary>
      SolverBatches: int[]
      /// <summary>Profile lengths m of the solver measurement (n = int(0.0999…·m) measurements, as the paper).
      /// Default [512; 256].</summary>
      SolverLengths: int[]
      /// <summary>Also run the whole paper protocol on mnist-sample (three methods). Default true.</summary>
      Protocol: bool
      /// <summary>Compress steps of the memory soak at width 512 (0 skips it). Default 1000.</summary>
      SoakSteps: int
      /// <summary>Device. Default CPU.</summary>
      Device: string
      /// <summary>Hidden widths at which the training step by hand is compared with autograd's. Default [11; 64; 512]
      /// (the protocol's last trained width, one on the way, the first).</summary>
      StepWidths: int[] }

    /// <summary>The defaults.</summary>
    static member defaults =
        { GemmSize = 2048; Repetitions = 15; CompressWidths = [| 512; 2048; 8192 |]; SolverBatches = [| 1; 8; 32; 128 |]
          SolverLengths = [| 512; 256 |]; Protocol = true; SoakSteps = 1000; Device = "cpu"; StepWidths = [| 11; 64; 512 |] }

/// <summary>One comparison of the protocol's training step computed two ways, on one intra-op thread (as each
/// method trains when the three run together): blocks of steps of each, in alternation, so that both meet
/// the same conditions of a shared machine.</summary>
type StepTiming =
    { /// <summary>Hidden width (784-width-10, batch 512, the supplement's log-softmax over the batch).</summary>
      Width: int
      /// <summary>Median milliseconds of a step with autograd in the samples-as-rows layout (<c>Steps.train</c>).</summary>
      AutogradMs: float
      /// <summary>Median milliseconds of a step with the hand-written backward (<c>Steps.trainModel</c>).</summary>
      ByHandMs: float
      /// <summary>Median over the alternations of the ratio of the two (below 1: by hand is faster).</summary>
      Ratio: float }

/// <summary>One compress-step measurement.</summary>
type CompressTiming =
    { /// <summary>Hidden width before the step.</summary>
      Width: int
      /// <summary>Measurements per profile.</summary>
      Measurements: int
      /// <summary>Median milliseconds of the compress step (profiles, measurements, both LASSO solves, scoring, selection, slicing).</summary>
      CompressMs: float
      /// <summary>Median milliseconds of one training step at this width (batch 512).</summary>
      TrainStepMs: float
      /// <summary>Share of the compress step in a cycle of 200 training steps and one compress step.</summary>
      ShareOfCycle: float
      /// <summary>Largest LASSO iteration count of the step.</summary>
      SolverIterations: int }

/// <summary>One solver measurement: the same problems solved in one call and one call per problem,
/// each certified to the default 1e-6 relative duality gap.</summary>
type SolverTiming =
    { /// <summary><c>solve</c> (the host path for these sizes, problems in parallel) or <c>solveOnDevice</c> (batched tensors).</summary>
      Path: string
      /// <summary>Profile length m.</summary>
      Length: int
      /// <summary>Measurements n.</summary>
      Measurements: int
      /// <summary>Problems per call in the batched timing.</summary>
      Batch: int
      /// <summary>Problems per second, the batch in one call.</summary>
      BatchedPerSecond: float
      /// <summary>Problems per second, one call per problem.</summary>
      SinglePerSecond: float
      /// <summary>Batched over one-at-a-time throughput.</summary>
      Speedup: float }

/// <summary>One sample of the memory soak.</summary>
type SoakSample =
    { /// <summary>Compress steps done when sampled.</summary>
      Step: int
      /// <summary>Resident memory (working set) of the process after a full garbage collection, MiB.</summary>
      ResidentMiB: float
      /// <summary>Managed heap after that collection, MiB.</summary>
      ManagedMiB: float
      /// <summary>Live TorchSharp tensors of the thread.</summary>
      LiveTensors: int64 }

/// <summary>The memory soak: compress steps repeated on one model, the process's resident memory sampled.</summary>
type Soak =
    { /// <summary>Compress steps run.</summary>
      Steps: int
      /// <summary>Hidden width of the model.</summary>
      Width: int
      /// <summary>Median milliseconds of a compress step during the soak.</summary>
      StepMs: float
      /// <summary>Resident memory at the last sample minus the first sample after warm-up (the second), MiB.</summary>
      GrowthMiB: float
      /// <summary>The samples, from step 0 (before the first step).</summary>
      Samples: SoakSample[] }

/// <summary>Everything one benchmark run measured.</summary>
type Report =
    { /// <summary>Machine facts: OS, processor, cores, device, glibc's <c>MALLOC_ARENA_MAX</c> when it is set, and the reproducibility mode in force.</summary>
      Machine: string
      /// <summary>Intra-op threads.</summary>
      Threads: int
      /// <summary>GEMM size.</summary>
      GemmSize: int
      /// <summary>Median GEMM milliseconds.</summary>
      GemmMs: float
      /// <summary>The ceiling: achieved GFLOP/s of the float32 GEMM (median time).</summary>
      GemmGflops: float
      /// <summary>Best (shortest) GEMM milliseconds.</summary>
      GemmBestMs: float
      /// <summary>Achieved GFLOP/s of the GEMM at its best time.</summary>
      GemmBestGflops: float
      /// <summary>FLOPs of one 784-512-10 training step at batch 512 (forward, backward; Adam is O(parameters)).</summary>
      TrainStepFlops: float
      /// <summary>Median milliseconds of that step.</summary>
      TrainStepMs: float
      /// <summary>Achieved GFLOP/s of the step.</summary>
      TrainStepGflops: float
      /// <summary>Step time divided by the time the ceiling needs for the same FLOPs (1 is the ceiling), medians.</summary>
      TrainStepVsCeiling: float
      /// <summary>Best (shortest) milliseconds of the step, over blocks of ten steps.</summary>
      TrainStepBestMs: float
      /// <summary>Best step time divided by the time the GEMM at its best needs for the same FLOPs: the
      /// machine's capability without the interference that medians include on a shared machine.</summary>
      TrainStepBestVsCeiling: float
      /// <summary>The step against the machine's speed at the moment it ran: the median, over repetitions,
      /// of a block of ten steps' time per step divided by the time the GEMM, timed right beside that block,
      /// needs for the step's FLOPs. <c>TrainStepVsCeiling</c> divides medians taken seconds apart, and a
      /// shared machine's speed drifts in between.</summary>
      TrainStepVsCeilingPaired: float
      /// <summary>The training step by hand against autograd's, per width, on one intra-op thread.</summary>
      Steps: StepTiming[]
      /// <summary>Compress-step timings per width.</summary>
      Compress: CompressTiming[]
      /// <summary>Batched against one-at-a-time LASSO throughput, per path, length and batch size.</summary>
      Solver: SolverTiming[]
      /// <summary>Seconds each method of the paper protocol spent training, compressing and evaluating
      /// (the methods run concurrently and share the first cycle's training, so these overlap; empty when not run).</summary>
      ProtocolSeconds: Collections.Generic.IDictionary<string, float>
      /// <summary>Wall seconds of the whole protocol, three methods, as <c>CompressTrain.run</c> runs them (NaN when not run).</summary>
      ProtocolTotalSeconds: float
      /// <summary>Floating-point operations of the protocol's matrix products, as <c>CompressTrain.run</c> does
      /// the work (see <see cref="M:Dtc.Diagnostics.Bench.protocolFlops(Dtc.Training.Protocol.Protocol,Dtc.Training.Steps.Staged,Dtc.Training.Records.Results)"/>; NaN when not run).</summary>
      ProtocolFlops: float
      /// <summary>Seconds the ceiling (the GEMM's median rate) needs for <c>ProtocolFlops</c>: a lower bound
      /// of the protocol's wall time on this machine, reached only if every product ran at the ceiling and
      /// nothing else took time (NaN when not run).</summary>
      ProtocolCeilingSeconds: float
      /// <summary><c>ProtocolTotalSeconds</c> divided by <c>ProtocolCeilingSeconds</c> (1 is the ceiling).</summary>
      ProtocolVsCeiling: float
      /// <summary>The GEMM's rate around the protocol: the mean of its median rates right before and right
      /// after it, GFLOP/s (NaN when not run). The ceiling at the start of the run is measured minutes
      /// earlier.</summary>
      CeilingAroundProtocolGflops: float
      /// <summary><c>ProtocolTotalSeconds</c> divided by the time <c>CeilingAroundProtocolGflops</c> needs for
      /// <c>ProtocolFlops</c> (NaN when not run).</summary>
      ProtocolVsCeilingAround: float
      /// <summary>Peak working set of the process during the paper protocol (its data staged and the run),
      /// MiB; NaN when the protocol was not run. On Linux the process's peak is reset right before the
      /// protocol (<c>/proc/self/clear_refs</c>), so this is the protocol's own; elsewhere it is the peak since
      /// the process started, which the GEMM and training-step timings before it also reach.</summary>
      ProtocolPeakMemoryMiB: float
      /// <summary>Share of the CPU time the hypervisor took from this virtual machine during the run ("steal"
      /// in /proc/stat), percent; NaN where it cannot be read. Timings of small operations suffer most from it.</summary>
      StolenPercent: float
      /// <summary>Peak working set of the process at the end, MiB (on Linux, since the reset before the
      /// protocol when it ran; the width-8192 compress measurements at the end reach it).</summary>
      PeakMemoryMiB: float
      /// <summary>The memory soak (None when skipped).</summary>
      Soak: Soak option }

let private median (xs: float[]) =
    let s = Array.sort xs
    if s.Length % 2 = 1 then s.[s.Length / 2] else 0.5 * (s.[s.Length / 2 - 1] + s.[s.Length / 2])

/// Milliseconds of one call of an action.
let private elapsedMs (action: unit -> unit) : float =
    let t = Stopwatch.GetTimestamp()
    action ()
    Stopwatch.GetElapsedTime(t).TotalMilliseconds

/// Milliseconds of each of `repetitions` timed calls of an action, after one warm-up call (for 0
/// repetitions, the warm-up call alone).
let private timings (repetitions: int) (action: unit -> unit) : float[] =
    let warmUp = elapsedMs action
    if repetitions < 1 then [| warmUp |] else [| for _ in 1 .. repetitions -> elapsedMs action |]

/// <summary>Median milliseconds of an action over repetitions, after one warm-up call.</summary>
/// <param name="repetitions">How many timed calls (0: time the warm-up call alone).</param>
/// <param name="action">The action.</param>
/// <returns>The median in milliseconds.</returns>
let time (repetitions: int) (action: unit -> unit) : float = timings repetitions action |> median

/// CPU time the hypervisor took from this virtual machine (the "steal" column of /proc/stat), and the
/// total; None where /proc/stat is absent.
let private cpuTimes () : (float * float) option =
    try
        let fields = (IO.File.ReadLines "/proc/stat" |> Seq.head).Split(' ', StringSplitOptions.RemoveEmptyEntries)
        let values = fields.[1..] |> Array.map float
        if values.Length < 8 then None else Some(values.[7], Array.sum values.[0..7])
    with _ -> None

/// Resets the process's peak resident set (VmHWM, which <c>Process.PeakWorkingSet64</c> reads) where Linux
/// allows it, by writing 5 to /proc/self/clear_refs; nothing where it cannot (other systems, old kernels),
/// and the peak is then the process's since it started (as the report's field says).
let private resetPeakWorkingSet () =
    try IO.File.WriteAllText("/proc/self/clear_refs", "5") with _ -> ()

let private peakWorkingSetMiB () = float (Process.GetCurrentProcess().PeakWorkingSet64) / 1048576.0

/// The product the ceiling is measured with: two n×n float32 operands on the device, multiplied and the
/// product's sum read back (so that a timing includes the product's completion on any device).
type private Gemm(n: int64, device: torch.Device) =
    let a = torch.randn(n, n, device = device)
    let b = torch.randn(n, n, device = device)
    member _.Flops = 2.0 * float n ** 3.0
    /// One product. In a dispose scope: the product's sum, left to the finalizer, keeps the 16 MB product alive with it.
    member _.Product() =
        use _ = torch.NewDisposeScope()
        a.matmul(b).sum().item<float32>() |> ignore
    /// Milliseconds of one product.
    member g.Time() = elapsedMs g.Product
    /// Median and best milliseconds of repeated products after a warm-up of `count` products or `seconds`
    /// of them, whichever ends first.
    member g.Measure(repetitions: int, count: int, seconds: float) =
        let warm = Stopwatch.StartNew()
        let mutable done' = 0
        while done' < count && warm.Elapsed.TotalSeconds < seconds do
            g.Product()
            done' <- done' + 1
        let ms = timings repetitions g.Product
        median ms, Array.min ms
    interface IDisposable with
        member _.Dispose() =
            a.Dispose()
            b.Dispose()

/// The GEMM ceiling: median and best milliseconds of the product. Timed after a hundred products or 8
/// seconds of them, whichever ends first: a shared virtual machine's cores can run well below their
/// sustained rate for the first seconds of load (measured here: 145 GFLOP/s for about 5 s, then 225), and
/// the ceiling is the sustained rate.
let private ceiling (settings: Settings) (gemm: Gemm) = gemm.Measure(settings.Repetitions, 100, 8.0)

/// <summary>FLOPs of one training step of an MLP (forward and backward, no input gradient for the first layer).</summary>
/// <param name="batch">Batch size.</param>
/// <param name="widths">Widths from input to output.</param>
/// <returns>The FLOP count.</returns>
let trainStepFlops (batch: int) (widths: int[]) : float =
    widths
    |> Array.pairwise
    |> Array.mapi (fun i (a, b) -> float batch * 2.0 * float a * float b * (if i = 0 then 2.0 else 3.0))
    |> Array.sum

/// <summary>Floating-point operations of the matrix products of a compress-train run as
/// <c>CompressTrain.run</c> does the work: every cycle's training (each mini-batch's rows through
/// <see cref="M:Dtc.Diagnostics.Bench.trainStepFlops(System.Int32,System.Int32[])"/> at the widths the cycle
/// trained, <c>WidthBefore</c>) and every evaluation of the test split (forward products only: after the
/// first cycle's training, then after each compression). The first cycle's training and evaluation are
/// counted once when several methods ran, because the run shares them. Adam, the activations and the compress
/// step are not counted: this is the work a GEMM ceiling bounds, not all the work.</summary>
/// <param name="protocol">The protocol the results were produced with (batches per cycle, data position).</param>
/// <param name="data">The staged data the run used (its batch sizes and test split).</param>
/// <param name="results">The run's results.</param>
/// <returns>The FLOP count.</returns>
/// <exception cref="T:System.ArgumentException">A cycle without layer records, or an empty training split.</exception>
let protocolFlops (protocol: Protocol.Protocol) (data: Steps.Staged) (results: Records.Results) : float =
    let batches = data.Train.Batches
    if batches.Length = 0 then invalidArg (nameof data) "Expecting a training split with at least one batch but received none"
    let inputs, outputs = int data.Train.Inputs.shape.[1], data.ClassCount
    let widths (hidden: int[]) = Array.concat [ [| inputs |]; hidden; [| outputs |] ]
    let forwardPerRow (hidden: int[]) = widths hidden |> Array.pairwise |> Array.sumBy (fun (a, b) -> 2.0 * float a * float b)
    let testRows = float data.Test.Count
    let rowsFrom (start: int64) =
        Seq.init protocol.BatchesPerCycle (fun k -> float batches.[int ((start + int64 k) % int64 batches.Length)].Targets.shape.[0]) |> Seq.sum
    // The first cycle starts at the first batch; its training and the evaluation after it.
    let firstCycle (before: int[]) = rowsFrom 0L * trainStepFlops 1 (widths before) + testRows * forwardPerRow before
    let layerWidths (m: Records.MethodRun) (c: Records.CycleRecord) =
        if isNull c.Layers || c.Layers.Length = 0 then
            invalidArg (nameof results) (sprintf "Expecting layer records in cycle %d of %s but found none" c.Cycle m.Method)
        c.Layers |> Array.map (fun l -> l.WidthBefore), c.Layers |> Array.map (fun l -> l.WidthAfter)
    let shared = results.Methods.Length >= 2
    let perMethod (m: Records.MethodRun) =
        m.Cycles |> Array.sumBy (fun c ->
            let before, after = layerWidths m c
            let training =
                if c.Cycle = 1 then (if shared then 0.0 else firstCycle before)
                else
                    let start = match protocol.DataPosition with Protocol.RestartEachCycle -> 0L | Protocol.Continue -> int64 (c.Cycle - 1) * int64 protocol.BatchesPerCycle
                    rowsFrom start * trainStepFlops 1 (widths before)
            training + testRows * forwardPerRow after)
    let first =
        if shared && results.Methods.[0].Cycles.Length > 0 then
            let m = results.Methods.[0]
            firstCycle (fst (layerWidths m m.Cycles.[0]))
        else 0.0
    first + (results.Methods |> Array.sumBy perMethod)

/// A random mini-batch of the protocol's shape, 512 inputs of 784 pixels, as rows and as columns, with
/// targets; disposing it disposes all three.
type private RandomBatch(device: torch.Device) =
    let rows = torch.randn(512L, 784L, device = device)
    let columns = (use t = rows.t() in t.contiguous())
    let targets = torch.randint(10L, [| 512L |], device = device)
    member _.Rows = rows
    member _.Columns = columns
    member _.Targets = targets
    interface IDisposable with
        member _.Dispose() =
            for t in [ rows; columns; targets ] do t.Dispose()

/// Milliseconds of one training step (forward, backward, Adam) as the protocol runs it
/// (<c>Steps.trainModel</c>: the gradients of <c>Backprop</c>, the inputs staged as rows and as columns), timed over blocks of ten steps in the steady state the protocol's thousands of
/// steps run in: the first hundred or so steps of a process take up to twice as long (tiered compilation,
/// the allocator and the intra-op thread pool warming up), so twice as many blocks as are timed run first.
/// With a GEMM `beside`, as many blocks again are each paired with a product timed right before or after
/// them (alternately). Returns (median, best, the median paired ratio or NaN).
let private trainStep (settings: Settings) (device: torch.Device) (width: int) (beside: Gemm option) =
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
            let flops = trainStepFlops 512 [| 784; width; 10 |]
            let once () = elapsedMs block / float steps
            [| for r in 1 .. settings.Repetitions ->
                   let stepMs, gemmMs = if r % 2 = 0 then (let g = gemm.Time() in once (), g) else (let s = once () in s, gemm.Time())
                   stepMs / (flops * gemmMs / gemm.Flops) |]
            |> median
    median ms / float steps, Array.min ms / float steps, paired

/// The training step by hand against autograd's at one width, on one intra-op thread: 2·repetitions
/// alternating blocks (which of the two goes first alternates too) after a warm-up of both.
let private stepComparison (settings: Settings) (device: torch.Device) (width: int) : StepTiming =
    let threads = torch.get_num_threads ()
    torch.set_num_threads 1
    try
        use byAutograd = Model.create 1L false true torch.float32 device [| 784; width; 10 |]
        use byHand = Model.copy byAutograd
        use optAutograd = Adam.create 1e-3 byAutograd.Parameters
        use optByHand = Adam.create 1e-3 byHand.Parameters
        use batch = new RandomBatch(device)
        let x, columns, y = batch.Rows, batch.Columns, batch.Targets
        // Blocks of 10–20 ms (a step takes about 10 ms at width 512 on one core, 0.7 ms at width 11).
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

let private compressStep (settings: Settings) (device: torch.Device) (width: int) =
    let protocol = { Protocol.Protocol.paper with Hidden = [| width |] }
    use model = Model.create 1L false true torch.float32 device [| 784; width; 10 |]
    let mutable iterations = 0
    let step () =
        let next, layers = Compression.once protocol (Protocol.Method.Dtc Protocol.DtcSettings.paper) model
        (next :> IDisposable).Dispose()
        iterations <- layers |> Array.collect (fun l -> l.SolverIterations) |> Array.fold max 0
    // The first call warms up; when it alone takes seconds, it is the measurement. Short steps (width 512:
    // about 25 ms) get all the repetitions (a median of three read 48 ms in a run whose soak, the median
    // of 1,000 such steps, read 27 ms); long ones get a fifth.
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

/// Seconds of an action: the best of three after a warm-up of at least half a second (the host solver's
/// loops are promoted to optimised code by tiered compilation), or a single call when one takes seconds.
let private best (action: unit -> unit) =
    let once () = elapsedMs action / 1000.0
    let first = once ()
    if first > 2.0 then first
    else
        let warm = Stopwatch.StartNew()
        while warm.Elapsed.TotalSeconds < 0.5 do action ()
        Array.min [| once (); once (); once () |]

/// <summary>The compress step's LASSO problems at the paper's sizes: b weight profiles (sums of 784
/// Xavier-normal weights) of length m, measured by the paper's Φ (n = int(0.0999…·m) measurements).</summary>
/// <param name="device">Device of the problems.</param>
/// <param name="m">Profile length.</param>
/// <param name="b">Number of problems.</param>
/// <returns>The shared Θ = ΦΨ over the batch (b×n×m, as the rays pass it) and the measurements (b×n); the caller disposes both.</returns>
let solverProblems (device: torch.Device) (m: int) (b: int) : torch.Tensor * torch.Tensor =
    Dtc.Runtime.Torch.init ()
    let n = Measurements.count Measurements.PaperDouble 0.9 m
    use psi = Basis.matrix Basis.DctI torch.float64 device m
    use phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 device n m
    use theta = Measurements.theta phi psi
    // A sum of 784 Xavier-normal weights, std √(2/(m+784)) each, is normal with std √(784·2/(m+784)).
    use g = new torch.Generator(5UL, torch.CPU)
    use z = torch.randn([| int64 b; int64 m |], dtype = torch.float64, generator = g).``to``(device)
    use std = (sqrt (784.0 * 2.0 / float (m + 784))).ToScalar()
    use x = z * std
    theta.unsqueeze(0L).expand(int64 b, int64 n, int64 m).contiguous(), Measurements.measure phi x

/// <summary>Throughput of a LASSO solver on <see cref="M:Dtc.Diagnostics.Bench.solverProblems(TorchSharp.torch.Device,System.Int32,System.Int32)"/>:
/// the same problems solved in one call and one call each, both certified to the default 1e-6 relative gap.</summary>
/// <param name="device">Device of the problems.</param>
/// <param name="path">The solver's name in the result (<c>solve</c> or <c>solveOnDevice</c>).</param>
/// <param name="solve">The solver.</param>
/// <param name="m">Profile length.</param>
/// <param name="b">Number of problems.</param>
/// <returns>The timing; throws when a problem is not certified.</returns>
let solverThroughput (device: torch.Device) (path: string) (solve: Lasso.Options -> torch.Tensor -> torch.Tensor -> Lasso.Solution)
                     (m: int) (b: int) : SolverTiming =
    let a, y = solverProblems device m b
    use a = a
    use y = y
    let n = int a.shape.[1]
    let run (a: torch.Tensor) (y: torch.Tensor) =
        let s = solve Lasso.Options.defaults a y
        s.Coefficients.Dispose()
        if s.Diagnostics |> Array.exists (fun d -> not d.Converged) then
            failwithf "Expecting every %d×%d benchmark problem certified to a 1e-6 relative gap by %s but one was not" n m path
    let batched = best (fun () -> run a y)
    let single =
        best (fun () ->
            for i in 0L .. int64 b - 1L do
                use ai = a.narrow(0L, i, 1L)
                use yi = y.narrow(0L, i, 1L)
                run ai yi)
    { Path = path; Length = m; Measurements = n; Batch = b
      BatchedPerSecond = float b / batched; SinglePerSecond = float b / single; Speedup = single / batched }

let private solverTimings (settings: Settings) (device: torch.Device) (log: string -> unit) : SolverTiming[] =
    [| for m in settings.SolverLengths do
           for path, solve in [ "solve", Lasso.solve; "solveOnDevice", Lasso.solveOnDevice ] do
               for b in settings.SolverBatches do
                   let timing = solverThroughput device path solve m b
                   log (sprintf "LASSO %s %d×%d, batch %d: %.1f problems/s batched, %.1f one at a time (%.1f×)"
                            path timing.Measurements m b timing.BatchedPerSecond timing.SinglePerSecond timing.Speedup)
                   yield timing |]

/// Repeats the compress step on one model and samples the process's resident memory.
let private soak (settings: Settings) (device: torch.Device) (log: string -> unit) : Soak =
    let width = 512
    let protocol = { Protocol.Protocol.paper with Hidden = [| width |] }
    use model = Model.create 1L false true torch.float32 device [| 784; width; 10 |]
    let every = max 1 (settings.SoakSteps / 10)
    let samples = ResizeArray<SoakSample>()
    let sample step =
        // A full collection first, so that the sample shows what is retained, not garbage awaiting collection.
        GC.Collect()
        use p = Process.GetCurrentProcess()
        samples.Add { Step = step; ResidentMiB = float p.WorkingSet64 / 1048576.0
                      ManagedMiB = float (GC.GetTotalMemory false) / 1048576.0
                      LiveTensors = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount }
    let times = Array.zeroCreate settings.SoakSteps
    sample 0
    for step in 1 .. settings.SoakSteps do
        times.[step - 1] <- elapsedMs (fun () ->
            let next, _ = Compression.once protocol (Protocol.Method.Dtc Protocol.DtcSettings.paper) model
            (next :> IDisposable).Dispose())
        if step % every = 0 || step = settings.SoakSteps then
            sample step
            let last = samples.[samples.Count - 1]
            log (sprintf "soak: %d compress steps, resident %.0f MiB (managed heap %.0f MiB), %d live tensors" step last.ResidentMiB last.ManagedMiB last.LiveTensors)
    let mib = samples |> Seq.map (fun s -> s.ResidentMiB) |> Array.ofSeq
    { Steps = settings.SoakSteps
      Width = width
      StepMs = median times
      GrowthMiB = (if mib.Length > 2 then mib.[mib.Length - 1] - mib.[1] else nan)
      Samples = samples.ToArray() }

/// <summary>Runs the benchmark.</summary>
/// <param name="settings">What to measure.</param>
/// <param name="log">Receives a line of text as each measurement completes.</param>
/// <returns>The report.</returns>
let run (settings: Settings) (log: string -> unit) : Report =
    Dtc.Runtime.Torch.init ()
    let device = Dtc.Runtime.Torch.device settings.Device
    let cpuAtStart = cpuTimes ()
    // The GEMM's operands live only while they are timed, so that the soak's count of live tensors is the library's.
    let newGemm () = new Gemm(int64 settings.GemmSize, device)
    let flops = trainStepFlops 512 [| 784; 512; 10 |]
    let (gemmFlops, gemmMs, gemmBestMs), (stepMs, stepBestMs, stepPaired) =
        use gemm = newGemm ()
        let gemmMs, gemmBestMs = ceiling settings gemm
        log (sprintf "GEMM %d³ float32: %.1f ms, %.1f GFLOP/s (the ceiling; best %.1f ms, %.1f GFLOP/s)"
                 settings.GemmSize gemmMs (gemm.Flops / (gemmMs * 1e6)) gemmBestMs (gemm.Flops / (gemmBestMs * 1e6)))
        (gemm.Flops, gemmMs, gemmBestMs), trainStep settings device 512 (Some gemm)
    let gflops, bestGflops = gemmFlops / (gemmMs * 1e6), gemmFlops / (gemmBestMs * 1e6)
    log (sprintf "training step 784-512-10, batch 512: %.2f ms, %.1f GFLOP/s, %.2f× the ceiling's time (best %.2f ms, %.2f× the best GEMM's; %.2f× a GEMM timed beside each block)"
             stepMs (flops / (stepMs * 1e6)) (stepMs / (flops / (gflops * 1e6))) stepBestMs (stepBestMs / (flops / (bestGflops * 1e6))) stepPaired)
    let steps =
        settings.StepWidths |> Array.map (fun w ->
            let t = stepComparison settings device w
            log (sprintf "training step 784-%d-10 on one thread: by hand %.3f ms, autograd %.3f ms (%.2f×)" w t.ByHandMs t.AutogradMs t.Ratio)
            t)
    // The GEMM's rate right before or after the protocol, after 2 s of products at most (the cores may
    // have idled through the one-thread timings).
    let rateNow () =
        use g = newGemm ()
        let ms, _ = g.Measure(settings.Repetitions, 25, 2.0)
        gemmFlops / (ms * 1e6)
    let protocolSeconds, total, protocolFlopCount, rateAround, protocolPeak =
        if not settings.Protocol then dict [], nan, nan, nan, nan
        else
            let before = rateNow ()
            resetPeakWorkingSet ()
            let dataset = Dtc.Data.Datasets.mnistSample ()
            use data = Steps.stage Dtc.Data.Datasets.Normalisation.paper 512 device dataset
            let options: CompressTrain.RunOptions =
                { Protocol = Protocol.Protocol.paper; Device = device; CheckpointDir = None; Resume = false
                  DataFingerprint = "mnist-sample"; Threads = 0; OnProgress = ignore; Cancellation = Threading.CancellationToken.None }
            let sw = Stopwatch.StartNew()
            let results = CompressTrain.runStaged options "mnist-sample" data
            let total = sw.Elapsed.TotalSeconds
            let peak = peakWorkingSetMiB ()
            let after = rateNow ()
            let perMethod =
                [ for m in results.Methods ->
                      let busy = m.Cycles |> Array.sumBy (fun c -> c.TrainSeconds + c.CompressSeconds + c.EvalSeconds)
                      log (sprintf "paper protocol on mnist-sample, %s: %.1f s training, compressing and evaluating" m.Method busy)
                      m.Method, busy ]
            dict perMethod, total, protocolFlops options.Protocol data results, 0.5 * (before + after), peak
    let protocolCeiling = protocolFlopCount / (gflops * 1e9)
    let vsAround = total / (protocolFlopCount / (rateAround * 1e9))
    if settings.Protocol then
        log (sprintf "paper protocol, three methods (concurrently, %d threads): %.1f s; its matrix products (%.3g FLOP) need %.1f s at the ceiling (%.2f×; %.2f× the GEMM's %.1f GFLOP/s around the protocol)"
                 (torch.get_num_threads ()) total protocolFlopCount protocolCeiling (total / protocolCeiling) vsAround rateAround)
    let solverRows = solverTimings settings device log
    let soaked = if settings.SoakSteps > 0 then Some(soak settings device log) else None
    let compress =
        settings.CompressWidths |> Array.map (fun w ->
            let c = compressStep settings device w
            log (sprintf "compress step at width %d (n = %d): %.1f ms, %.2f %% of a cycle (train step %.2f ms), %d solver iterations"
                     w c.Measurements c.CompressMs (100.0 * c.ShareOfCycle) c.TrainStepMs c.SolverIterations)
            c)
    let peak = peakWorkingSetMiB ()
    let stolen =
        match cpuAtStart, cpuTimes () with
        | Some(s0, t0), Some(s1, t1) when t1 > t0 -> 100.0 * (s1 - s0) / (t1 - t0)
        | _ -> nan
    if not (Double.IsNaN stolen) then log (sprintf "CPU time taken by the hypervisor during the run (steal): %.1f %%" stolen)
    log (sprintf "peak working set: %.0f MiB during the protocol, %.0f MiB at the end" protocolPeak peak)
    { Machine =
        let arenas = Environment.GetEnvironmentVariable "MALLOC_ARENA_MAX" // glibc's allocator setting changes the memory figures
        let r = Dtc.Runtime.Torch.reproducibility ()
        sprintf "%s, %s, %d cores, %s%s, reproducibility %s (MKL %s, ATen %s)" Runtime.InteropServices.RuntimeInformation.OSDescription r.CpuModel Environment.ProcessorCount settings.Device
            (if String.IsNullOrEmpty arenas then "" else ", MALLOC_ARENA_MAX=" + arenas) r.Mode r.Mkl r.CpuCapability
      Threads = torch.get_num_threads ()
      GemmSize = settings.GemmSize
      GemmMs = gemmMs
      GemmGflops = gflops
      GemmBestMs = gemmBestMs
      GemmBestGflops = bestGflops
      TrainStepFlops = flops
      TrainStepMs = stepMs
      TrainStepGflops = flops / (stepMs * 1e6)
      TrainStepVsCeiling = stepMs / (flops / (gflops * 1e6))
      TrainStepBestMs = stepBestMs
      TrainStepBestVsCeiling = stepBestMs / (flops / (bestGflops * 1e6))
      TrainStepVsCeilingPaired = stepPaired
      Steps = steps
      Compress = compress
      Solver = solverRows
      ProtocolSeconds = protocolSeconds
      ProtocolTotalSeconds = total
      ProtocolFlops = protocolFlopCount
      ProtocolCeilingSeconds = protocolCeiling
      ProtocolVsCeiling = total / protocolCeiling
      CeilingAroundProtocolGflops = rateAround
      ProtocolVsCeilingAround = vsAround
      ProtocolPeakMemoryMiB = protocolPeak
      StolenPercent = stolen
      PeakMemoryMiB = peak
      Soak = soaked }

/// <summary>The report as indented JSON (NaN as "NaN").</summary>
/// <param name="report">The report.</param>
/// <returns>JSON text.</returns>
let toJson (report: Report) : string = Text.Json.JsonSerializer.Serialize(report, Records.jsonOptions)
