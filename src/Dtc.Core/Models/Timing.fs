/// <summary>
/// Measured inference latency: the median time of one forward pass of a module at a batch size, timed in
/// this process (evaluation mode, no gradients, a fixed-seed input), with repetitions interleaved between
/// modules so that drift of the machine hits them alike.
/// </summary>
module Dtc.Models.Timing

open System
open System.Diagnostics
open TorchSharp

let private show (shape: int[]) = "[" + String.Join(", ", shape) + "]"

/// <summary>A module's measured inference latency at one batch size.</summary>
type Latency =
    { /// <summary>Samples per forward.</summary>
      Batch: int
      /// <summary>The median over the timed repetitions of the seconds one forward took.</summary>
      MedianSeconds: float
      /// <summary>Timed repetitions (each a loop of forwards lasting about a millisecond or more).</summary>
      Repetitions: int
      /// <summary>Torch's intra-op threads during the measurement.</summary>
      Threads: int }

/// <summary>How latency is measured.</summary>
type Timing =
    { /// <summary>Seconds of timed forwards aimed at per module and batch size (default 0.25).</summary>
      BudgetSeconds: float
      /// <summary>The least duration of one timed repetition, reached by looping forwards (default 0.001 s).</summary>
      RepetitionSeconds: float
      /// <summary>The least number of timed repetitions, whatever the budget (default 7).</summary>
      MinRepetitions: int
      /// <summary>Untimed forwards before timing (default 3).</summary>
      WarmUp: int
      /// <summary>The seed of the random input (default 0).</summary>
      Seed: int64 }

/// <summary>The default timing: 0.25 s per module and batch size, repetitions of at least 1 ms, at least 7 of
/// them, 3 warm-up forwards, input seed 0.</summary>
let timingDefaults =
    { BudgetSeconds = 0.25; RepetitionSeconds = 0.001; MinRepetitions = 7; WarmUp = 3; Seed = 0L }

/// One module and batch size being timed: its input, its forwards per repetition and its samples.
type private Series =
    { Module: torch.nn.Module<torch.Tensor, torch.Tensor>
      Batch: int
      Input: torch.Tensor
      mutable Loops: int
      Samples: Collections.Generic.List<float> }

let private sync (device: torch.Device) =
    if device.``type`` = DeviceType.CUDA then torch.cuda.synchronize ()

/// Seconds per forward over `loops` forwards.
let private run (device: torch.Device) (s: Series) (loops: int) : float =
    sync device
    let clock = Stopwatch.StartNew()
    for _ in 1 .. loops do
        (s.Module.forward s.Input).Dispose()
    sync device
    clock.Elapsed.TotalSeconds / float loops

let private median (xs: float seq) =
    let a = Seq.toArray xs |> Array.sort
    if a.Length % 2 = 1 then a.[a.Length / 2] else 0.5 * (a.[a.Length / 2 - 1] + a.[a.Length / 2])

let private dtypeOf (m: torch.nn.Module) =
    match m.parameters() |> Seq.tryHead with
    | Some p -> p.dtype
    | None -> torch.float32

/// Times every (module, batch) pair with their repetitions interleaved (one of each, round after round), so that
/// drift of the machine hits all of them alike; each module is in evaluation mode meanwhile, then restored.
/// <summary>Times modules at batch sizes, their repetitions interleaved round after round: eval mode, no_grad, a
/// fixed-seed random input of each module's dtype; the median seconds per forward of each pair.</summary>
/// <param name="timing">The timing settings.</param>
/// <param name="device">The device the modules are on.</param>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="pairs">The modules and batch sizes, in order.</param>
/// <returns>One latency per pair, in order.</returns>
let measure (timing: Timing) (device: torch.Device) (sampleShape: int[]) (pairs: (torch.nn.Module<torch.Tensor, torch.Tensor> * int) list) : Latency list =
    if isNull sampleShape || sampleShape.Length = 0 || sampleShape |> Array.exists (fun s -> s < 1) then
        invalidArg (nameof sampleShape) (sprintf "Expecting a sample shape of positive sizes but received %s" (if isNull sampleShape then "none" else show sampleShape))
    for m, b in pairs do
        if isNull m then raise (ArgumentNullException "m")
        if b < 1 then invalidArg "batch" (sprintf "Expecting a batch size of at least 1 but received %d" b)
    if not (timing.BudgetSeconds > 0.0) || not (timing.RepetitionSeconds > 0.0) || timing.MinRepetitions < 1 || timing.WarmUp < 0 then
        invalidArg (nameof timing) (sprintf "Expecting a positive budget, repetition time and repetitions and no negative warm-up but received %g s, %g s, %d and %d"
                                        timing.BudgetSeconds timing.RepetitionSeconds timing.MinRepetitions timing.WarmUp)
    Dtc.Runtime.Torch.init ()
    let modules = pairs |> List.map fst |> List.distinct
    let modes = [ for m in modules do
                    yield m :> torch.nn.Module, m.training
                    for _, c in m.named_modules() -> c, c.training ]
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    try
        for m in modules do m.eval()
        let series =
            pairs |> List.map (fun (m, b) ->
                use g = new torch.Generator(uint64 timing.Seed, torch.CPU)
                let shape = Array.append [| int64 b |] (Array.map int64 sampleShape)
                let x = torch.randn(shape, dtype = dtypeOf m, generator = g).``to``(device)
                { Module = m; Batch = b; Input = x; Loops = 1; Samples = Collections.Generic.List<float>() })
        // The fastest of three single forwards sets the loop count, so that one preempted forward does not.
        let once =
            series |> List.map (fun s ->
                if timing.WarmUp > 0 then run device s timing.WarmUp |> ignore
                let t = max (List.min [ for _ in 1 .. 3 -> run device s 1 ]) 1e-9
                s.Loops <- max 1 (int (ceil (timing.RepetitionSeconds / t)))
                t)
        let repetition = List.map2 (fun s t -> float s.Loops * t) series once |> List.max
        let rounds = max timing.MinRepetitions (int (timing.BudgetSeconds / max repetition 1e-9))
        for _ in 1 .. rounds do
            for s in series do s.Samples.Add(run device s s.Loops)
        let threads = torch.get_num_threads ()
        series |> List.map (fun s -> { Batch = s.Batch; MedianSeconds = median s.Samples; Repetitions = s.Samples.Count; Threads = threads })
    finally
        // Ancestors before descendants: each module ends in the mode it had.
        for m, training in modes do m.train training

/// <summary>A module's inference latency at one batch size: in evaluation mode without gradients, on a
/// fixed-seed random input of the module's dtype (float32 without parameters), after warm-up forwards, the
/// median over timed repetitions of the seconds per forward. Any module with a forward works; its training
/// mode is restored afterwards.</summary>
/// <param name="timing">The timing settings (see <see cref="P:Dtc.Models.Timing.timingDefaults"/>).</param>
/// <param name="device">The device the module is on (the input is put there).</param>
/// <param name="sampleShape">The shape of one input sample, positive sizes.</param>
/// <param name="batch">Samples per forward, at least 1.</param>
/// <param name="m">The module (not modified).</param>
/// <returns>The latency.</returns>
/// <exception cref="T:System.ArgumentException">A non-positive sample size, batch or timing setting.</exception>
let latencyWith (timing: Timing) (device: torch.Device) (sampleShape: int[]) (batch: int) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) : Latency =
    measure timing device sampleShape [ m, batch ] |> List.exactlyOne

/// <summary>A module's inference latency at one batch size with the default timing (see
/// <see cref="M:Dtc.Models.Timing.latencyWith(Dtc.Models.Timing.Timing,TorchSharp.torch.Device,System.Int32[],System.Int32,TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor})"/>).</summary>
/// <param name="device">The device the module is on.</param>
/// <param name="sampleShape">The shape of one input sample.</param>
/// <param name="batch">Samples per forward, at least 1.</param>
/// <param name="m">The module (not modified).</param>
/// <returns>The latency.</returns>
let latency (device: torch.Device) (sampleShape: int[]) (batch: int) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) : Latency =
    latencyWith timingDefaults device sampleShape batch m

