/// <summary>
/// The memory soak: the compress step repeated on one model while the process's resident memory is sampled,
/// so that a leak shows as growth.
/// </summary>
module Dtc.Bench.MemorySoak

open System
open TorchSharp
open Dtc.Training
open Dtc.Bench.Report
open Dtc.Bench.Timing

/// <summary>The memory soak: repeats the paper's DTC compress step on one 784-512-10 model
/// <c>SoakSteps</c> times and samples the process's resident memory eleven times (before the first step,
/// then every tenth of the steps).</summary>
/// <param name="settings">The number of steps.</param>
/// <param name="device">The device.</param>
/// <param name="log">Receives a line per sample.</param>
/// <returns>The soak.</returns>
let run (settings: Settings) (device: torch.Device) (log: string -> unit) : Soak =
    let width = 512
    let protocol = { Protocol.Protocol.paper with Hidden = [| width |] }
    use model = Model.create 1L false true torch.float32 device [| 784; width; 10 |]
    let every = max 1 (settings.SoakSteps / 10)
    let samples = ResizeArray<SoakSample>()
    let sample step =
        let resident, managed = Probe.retainedMiB ()
        samples.Add { Step = step; ResidentMiB = resident; ManagedMiB = managed
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
