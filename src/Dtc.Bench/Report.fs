/// <summary>
/// What <c>dtc bench</c> measures and the report it writes: the settings, one record per measurement, and
/// the whole report as JSON.
/// </summary>
/// <namespacedoc><summary>The benchmark harness of <c>dtc bench</c>: measurements of this machine and of Dtc's stages.</summary></namespacedoc>
module Dtc.Bench.Report

open System
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
      /// the work (see <see cref="M:Dtc.Bench.Flops.protocol(Dtc.Training.Protocol.Protocol,Dtc.Training.Steps.Staged,Dtc.Training.Records.Results)"/>; NaN when not run).</summary>
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

/// <summary>The report as indented JSON (NaN as "NaN").</summary>
/// <param name="report">The report.</param>
/// <returns>JSON text.</returns>
let toJson (report: Report) : string = Text.Json.JsonSerializer.Serialize(report, Records.jsonOptions)
