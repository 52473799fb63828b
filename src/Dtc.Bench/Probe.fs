/// <summary>
/// What the process and the machine say about themselves through <c>/proc</c> on Linux: the CPU time a
/// hypervisor took, and the process's resident memory and its peak. Elsewhere the probes answer
/// <c>None</c> or fall back to what .NET reports.
/// </summary>
module Dtc.Bench.Probe

open System
open System.Diagnostics

/// <summary>CPU time the hypervisor took from this virtual machine (the "steal" column of <c>/proc/stat</c>)
/// and the total, in clock ticks since boot.</summary>
/// <returns>(steal, total), or <c>None</c> where <c>/proc/stat</c> is absent or unreadable.</returns>
let cpuTimes () : (float * float) option =
    try
        let fields = (IO.File.ReadLines "/proc/stat" |> Seq.head).Split(' ', StringSplitOptions.RemoveEmptyEntries)
        let values = fields.[1..] |> Array.map float
        if values.Length < 8 then None else Some(values.[7], Array.sum values.[0..7])
    with _ -> None

/// <summary>Share of the CPU time the hypervisor took between two readings of
/// <see cref="M:Dtc.Bench.Probe.cpuTimes"/>, percent.</summary>
/// <param name="before">The earlier reading.</param>
/// <param name="after">The later reading.</param>
/// <returns>The percentage, or NaN when either reading is missing or no time passed.</returns>
let stolenPercent (before: (float * float) option) (after: (float * float) option) : float =
    match before, after with
    | Some(s0, t0), Some(s1, t1) when t1 > t0 -> 100.0 * (s1 - s0) / (t1 - t0)
    | _ -> nan

/// <summary>Resets the process's peak resident set (VmHWM, which <c>Process.PeakWorkingSet64</c> reads) where
/// Linux allows it, by writing 5 to <c>/proc/self/clear_refs</c>; nothing where it cannot (other systems, old
/// kernels), and the peak is then the process's since it started.</summary>
let resetPeakWorkingSet () : unit =
    try IO.File.WriteAllText("/proc/self/clear_refs", "5") with _ -> ()

/// <summary>The process's peak working set, MiB (since it started, or since
/// <see cref="M:Dtc.Bench.Probe.resetPeakWorkingSet"/>).</summary>
/// <returns>MiB.</returns>
let peakWorkingSetMiB () : float =
    use p = Process.GetCurrentProcess()
    float p.PeakWorkingSet64 / 1048576.0

/// <summary>The process's working set and managed heap, MiB, after a full garbage collection (so that the
/// figures show what is retained, not garbage awaiting collection).</summary>
/// <returns>(resident, managed) in MiB.</returns>
let retainedMiB () : float * float =
    GC.Collect()
    use p = Process.GetCurrentProcess()
    float p.WorkingSet64 / 1048576.0, float (GC.GetTotalMemory false) / 1048576.0
