/// <summary>
/// <c>dtc bench</c>'s whole run: how close each stage of DTC comes to what this machine allows, measured in
/// one process and one run.
/// </summary>
module Dtc.Bench.Harness

open System
open System.Diagnostics
open TorchSharp
open Dtc.Training
open Dtc.Bench.Report
open Dtc.Bench.Timing
open Dtc.Bench.StepTimings

/// The GEMM ceiling: median and best milliseconds of the product, timed after a hundred products or 8
/// seconds of them, whichever ends first: a shared virtual machine's cores can run below their sustained
/// rate for the first seconds of load, and the ceiling is the sustained rate.
let private ceiling (settings: Settings) (gemm: Gemm) = gemm.Measure(settings.Repetitions, 100, 8.0)

/// <summary>Runs the benchmark: the GEMM ceiling, the training step against it, the step by hand against
/// autograd's, the paper protocol (when asked), the solver's throughput, the memory soak (when asked) and
/// the compress step at each width, in that order, in this process.</summary>
/// <param name="settings">What to measure.</param>
/// <param name="log">Receives a line of text as each measurement completes.</param>
/// <returns>The report.</returns>
let run (settings: Settings) (log: string -> unit) : Report =
    Dtc.Runtime.Torch.init ()
    let device = Dtc.Runtime.Torch.device settings.Device
    let cpuAtStart = Probe.cpuTimes ()
    // The GEMM's operands live only while they are timed, so that the soak's count of live tensors is the library's.
    let newGemm () = new Gemm(int64 settings.GemmSize, device)
    let flops = Flops.trainStep 512 [| 784; 512; 10 |]
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
            Probe.resetPeakWorkingSet ()
            let dataset = Dtc.Data.Datasets.mnistSample ()
            use data = Steps.stage Dtc.Data.Datasets.Normalisation.paper 512 device dataset
            let options: CompressTrain.RunOptions =
                { Protocol = Protocol.Protocol.paper; Device = device; CheckpointDir = None; Resume = false
                  DataFingerprint = "mnist-sample"; Threads = 0; ModelCycles = []; LatencyBatches = []; OnProgress = ignore; Cancellation = Threading.CancellationToken.None }
            let sw = Stopwatch.StartNew()
            let results = CompressTrain.runStaged options "mnist-sample" data
            let total = sw.Elapsed.TotalSeconds
            let peak = Probe.peakWorkingSetMiB ()
            let after = rateNow ()
            let perMethod =
                [ for m in results.Methods ->
                      let busy = m.Cycles |> Array.sumBy (fun c -> c.TrainSeconds + c.CompressSeconds + c.EvalSeconds)
                      log (sprintf "paper protocol on mnist-sample, %s: %.1f s training, compressing and evaluating" m.Method busy)
                      m.Method, busy ]
            dict perMethod, total, Flops.protocol options.Protocol data results, 0.5 * (before + after), peak
    let protocolCeiling = protocolFlopCount / (gflops * 1e9)
    let vsAround = total / (protocolFlopCount / (rateAround * 1e9))
    if settings.Protocol then
        log (sprintf "paper protocol, three methods (concurrently, %d threads): %.1f s; its matrix products (%.3g FLOP) need %.1f s at the ceiling (%.2f×; %.2f× the GEMM's %.1f GFLOP/s around the protocol)"
                 (torch.get_num_threads ()) total protocolFlopCount protocolCeiling (total / protocolCeiling) vsAround rateAround)
    let solverRows = Solver.timings settings device log
    let soaked = if settings.SoakSteps > 0 then Some(MemorySoak.run settings device log) else None
    let compress =
        settings.CompressWidths |> Array.map (fun w ->
            let c = compressStep settings device w
            log (sprintf "compress step at width %d (n = %d): %.1f ms, %.2f %% of a cycle (train step %.2f ms), %d solver iterations"
                     w c.Measurements c.CompressMs (100.0 * c.ShareOfCycle) c.TrainStepMs c.SolverIterations)
            c)
    let peak = Probe.peakWorkingSetMiB ()
    let stolen = Probe.stolenPercent cpuAtStart (Probe.cpuTimes ())
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
