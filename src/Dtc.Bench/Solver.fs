/// <summary>
/// The batched LASSO solver's throughput on the compress step's problems at the paper's sizes: the same
/// problems solved in one call and one call each.
/// </summary>
module Dtc.Bench.Solver

open TorchSharp
open Dtc.Sensing
open Dtc.Bench.Report
open Dtc.Bench.Timing

/// <summary>The compress step's LASSO problems at the paper's sizes: b weight profiles (sums of 784
/// Xavier-normal weights) of length m, measured by the paper's Φ (n = int(0.0999…·m) measurements).</summary>
/// <param name="device">Device of the problems.</param>
/// <param name="m">Profile length.</param>
/// <param name="b">Number of problems.</param>
/// <returns>The shared Θ = ΦΨ over the batch (b×n×m, as the rays pass it) and the measurements (b×n); the caller disposes both.</returns>
let problems (device: torch.Device) (m: int) (b: int) : torch.Tensor * torch.Tensor =
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

/// <summary>Throughput of a LASSO solver on <see cref="M:Dtc.Bench.Solver.problems(TorchSharp.torch.Device,System.Int32,System.Int32)"/>:
/// the same problems solved in one call and one call each, both certified to the default 1e-6 relative gap.</summary>
/// <param name="device">Device of the problems.</param>
/// <param name="path">The solver's name in the result (<c>solve</c> or <c>solveOnDevice</c>).</param>
/// <param name="solve">The solver.</param>
/// <param name="m">Profile length.</param>
/// <param name="b">Number of problems.</param>
/// <returns>The timing; throws when a problem is not certified.</returns>
let throughput (device: torch.Device) (path: string) (solve: Lasso.Options -> torch.Tensor -> torch.Tensor -> Lasso.Solution)
               (m: int) (b: int) : SolverTiming =
    let a, y = problems device m b
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

/// <summary>Throughput of both solvers (<c>solve</c> and <c>solveOnDevice</c>) at every profile length and
/// batch size of the settings.</summary>
/// <param name="settings">The lengths and batch sizes.</param>
/// <param name="device">The device.</param>
/// <param name="log">Receives a line per timing.</param>
/// <returns>The timings, length by length, solver by solver, batch by batch.</returns>
let timings (settings: Settings) (device: torch.Device) (log: string -> unit) : SolverTiming[] =
    [| for m in settings.SolverLengths do
           for path, solve in [ "solve", Lasso.solve; "solveOnDevice", Lasso.solveOnDevice ] do
               for b in settings.SolverBatches do
                   let timing = throughput device path solve m b
                   log (sprintf "LASSO %s %d×%d, batch %d: %.1f problems/s batched, %.1f one at a time (%.1f×)"
                            path timing.Measurements m b timing.BatchedPerSecond timing.SinglePerSecond timing.Speedup)
                   yield timing |]

/// Repeats the compress step on one model and samples the process's resident memory.
