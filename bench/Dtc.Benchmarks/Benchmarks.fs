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
    BenchmarkSwitcher.FromTypes([| typeof<LassoBenchmarks>; typeof<BasisBenchmarks>; typeof<EntropyBenchmarks> |]).Run(argv) |> ignore
    0
