/// BenchmarkDotNet micro-benchmarks of Dtc's numeric kernels: the LASSO solver (host and device paths),
/// the basis construction and the Gibbs entropy. Run: dotnet run -c Release --project bench/Dtc.Benchmarks
/// (add `-- --filter '*Lasso*'` to select). Whole-pipeline figures come from `dtc bench`.
module Dtc.Benchmarks.Program

open BenchmarkDotNet.Attributes
open BenchmarkDotNet.Running
open TorchSharp
open Dtc.Sensing
open Dtc.Entropy

/// LASSO at the paper's first-cycle size and at 4× that width, λ = 0.3, 1e-6 relative gap.
[<MemoryDiagnoser>]
type LassoBenchmarks() =
    let mutable a: torch.Tensor = null
    let mutable y: torch.Tensor = null

    /// Profile length m (n = int(0.0999…·m) measurements).
    [<Params(512, 2048)>]
    member val Length = 512 with get, set

    [<GlobalSetup>]
    member this.Setup() =
        Dtc.Runtime.Torch.init ()
        let m = this.Length
        let n = Measurements.count Measurements.PaperDouble 0.9 m
        use psi = Basis.matrix Basis.DctI torch.float64 torch.CPU m
        use phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 torch.CPU n m
        use theta = Measurements.theta phi psi
        use g = new torch.Generator(5UL, torch.CPU)
        use w = torch.randn([| 2L; int64 m; 784L |], dtype = torch.float64, generator = g)
        use x = (w * sqrt (2.0 / float (m + 784))).sum(2L)
        a <- theta.unsqueeze(0L).expand(2L, int64 n, int64 m).contiguous()
        y <- Measurements.measure phi x

    [<GlobalCleanup>]
    member _.Cleanup() =
        a.Dispose()
        y.Dispose()

    /// The dual solve of one cycle (two profiles) as the library does it.
    [<Benchmark(Baseline = true)>]
    member _.Solve() =
        let s = Lasso.solve Lasso.Options.defaults a y
        s.Coefficients.Dispose()

    /// The same on the tensors' device only.
    [<Benchmark>]
    member _.SolveOnDevice() =
        let s = Lasso.solveOnDevice Lasso.Options.defaults a y
        s.Coefficients.Dispose()

/// Throughput of the LASSO solver at the paper's sizes, batched against one problem at a time.
module Throughput =
    /// The compress step's problems: B weight profiles (sums of Xavier-normal rows over 784 inputs) of
    /// length m, measured by the paper's Φ (n = int(0.0999…·m)); returns the shared Θ = ΦΨ expanded over
    /// the batch (as `Rays.reconstruct` passes it) and the measurements.
    let problems (m: int) (b: int) : torch.Tensor * torch.Tensor =
        Dtc.Runtime.Torch.init ()
        let n = Measurements.count Measurements.PaperDouble 0.9 m
        use psi = Basis.matrix Basis.DctI torch.float64 torch.CPU m
        use phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 torch.CPU n m
        use theta = Measurements.theta phi psi
        use g = new torch.Generator(5UL, torch.CPU)
        use w = torch.randn([| int64 b; int64 m; 784L |], dtype = torch.float64, generator = g)
        use x = (w * sqrt (2.0 / float (m + 784))).sum(2L)
        theta.unsqueeze(0L).expand(int64 b, int64 n, int64 m).contiguous(), Measurements.measure phi x

    /// Best of `repetitions` timings (seconds), after warming up for at least half a second so that the
    /// JIT has promoted the solver's loops to optimised code (tiered compilation) for small batches too.
    let private best (repetitions: int) (action: unit -> unit) =
        let warm = System.Diagnostics.Stopwatch.StartNew()
        action ()
        while warm.Elapsed.TotalSeconds < 0.5 do action ()
        [| for _ in 1 .. max 1 repetitions ->
               let t = System.Diagnostics.Stopwatch.GetTimestamp()
               action ()
               System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalSeconds |] |> Array.min

    /// Problems per second of `solver` on B problems of length m, (batched, one at a time), both certified
    /// to the default 1e-6 relative gap (throws otherwise); the best of `repetitions` timings after a warm-up.
    /// The same problems either way: one call on the b×n×m batch, or b calls on its 1×n×m slices.
    let perSecond (solver: Lasso.Options -> torch.Tensor -> torch.Tensor -> Lasso.Solution) (repetitions: int) (m: int) (b: int) : float * float =
        let a, y = problems m b
        use a = a
        use y = y
        let run (a: torch.Tensor) (y: torch.Tensor) =
            let s = solver Lasso.Options.defaults a y
            s.Coefficients.Dispose()
            if s.Diagnostics |> Array.exists (fun d -> not d.Converged) then failwith "not certified"
        let batched = best repetitions (fun () -> run a y)
        let single =
            best repetitions (fun () ->
                for i in 0L .. int64 b - 1L do
                    use ai = a.narrow(0L, i, 1L)
                    use yi = y.narrow(0L, i, 1L)
                    run ai yi)
        float b / batched, float b / single

    /// Prints the table for `Lasso.solve` and `Lasso.solveOnDevice` at batch sizes 1, 2, 8, 32, 128.
    let report (lengths: int list) =
        for m in lengths do
            for name, solver in [ "solve", Lasso.solve; "solveOnDevice", Lasso.solveOnDevice ] do
                for b in [ 1; 2; 8; 32; 128 ] do
                    let batched, single = perSecond solver 3 m b
                    printfn "%s m=%d n=%d B=%d: batched %.1f problems/s, one at a time %.1f problems/s, ratio %.2f"
                        name m (Measurements.count Measurements.PaperDouble 0.9 m) b batched single (batched / single)

/// The orthonormal DCT-I matrix (the paper's Ψ).
[<MemoryDiagnoser>]
type BasisBenchmarks() =
    [<Params(51, 512, 2048)>]
    member val Size = 512 with get, set

    [<Benchmark>]
    member this.DctI() = Basis.values Basis.DctI this.Size

/// Histogram and Gibbs entropy of a measurement vector over the paper's 500 bins.
[<MemoryDiagnoser>]
type EntropyBenchmarks() =
    let values = Array.init 51 (fun i -> 30.0 * sin (float i))

    [<Benchmark>]
    member _.PaperBins() = Gibbs.entropy Gibbs.paper values

    [<Benchmark>]
    member _.FreedmanDiaconis() = Gibbs.entropy { Gibbs.paper with Bins = Gibbs.Adaptive Gibbs.FreedmanDiaconis } values

[<EntryPoint>]
let main argv =
    if argv.Length > 0 && argv.[0] = "--throughput" then
        Throughput.report (if argv.Length > 1 then [ for v in argv.[1..] -> int v ] else [ 512; 256 ])
        exit 0
    BenchmarkSwitcher.FromTypes([| typeof<LassoBenchmarks>; typeof<BasisBenchmarks>; typeof<EntropyBenchmarks> |]).Run(argv) |> ignore
    0
