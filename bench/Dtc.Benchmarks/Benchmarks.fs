/// BenchmarkDotNet micro-benchmarks of Dtc's numeric kernels: the LASSO solver (host and device paths),
/// the basis construction, the Gibbs entropy and the training step. Run: dotnet run -c Release --project bench/Dtc.Benchmarks
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
        let problems, measurements = Dtc.Bench.Solver.problems torch.CPU this.Length 2
        a <- problems
        y <- measurements

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

/// Throughput of the LASSO solver at the paper's sizes, batched against one problem at a time
/// (`dtc bench` measures the same with its own batch sizes).
module Throughput =
    /// Prints the table for `Lasso.solve` and `Lasso.solveOnDevice` at batch sizes 1, 2, 8, 32, 128.
    let report (lengths: int list) =
        Dtc.Runtime.Torch.init ()
        for m in lengths do
            for name, solver in [ "solve", Lasso.solve; "solveOnDevice", Lasso.solveOnDevice ] do
                for b in [ 1; 2; 8; 32; 128 ] do
                    let t = Dtc.Bench.Solver.throughput torch.CPU name solver m b
                    printfn "%s m=%d n=%d B=%d: batched %.1f problems/s, one at a time %.1f problems/s, ratio %.2f"
                        name m t.Measurements b t.BatchedPerSecond t.SinglePerSecond t.Speedup

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

/// One training step of the protocol (784-width-10, batch 512, the supplement's log-softmax over the batch,
/// fused Adam) on one intra-op thread, as each method trains when the three run together: autograd in the
/// usual layout (`Steps.train`) against the hand-written backward with samples as columns (`Steps.trainModel`).
[<MemoryDiagnoser>]
type TrainingStepBenchmarks() =
    let mutable model: Dtc.Training.Model.Mlp option = None
    let mutable optimizer: torch.optim.Optimizer = null
    let mutable x: torch.Tensor = null
    let mutable columns: torch.Tensor = null
    let mutable y: torch.Tensor = null

    /// Hidden width: the protocol's last trained width, one on the way and the first.
    [<Params(11, 64, 512)>]
    member val Width = 512 with get, set

    [<GlobalSetup>]
    member this.Setup() =
        Dtc.Runtime.Torch.init ()
        torch.set_num_threads 1
        let m = Dtc.Training.Model.create 42424242L false true torch.float32 torch.CPU [| 784; this.Width; 10 |]
        model <- Some m
        optimizer <- Dtc.Training.Adam.create 1e-3 m.Parameters
        x <- torch.randn(512L, 784L)
        use rows = x.t()
        columns <- rows.contiguous()
        y <- torch.randint(10L, [| 512L |])

    [<GlobalCleanup>]
    member _.Cleanup() =
        for t in [ x; columns; y ] do t.Dispose()
        optimizer.Dispose()
        model |> Option.iter (fun m -> (m :> System.IDisposable).Dispose())

    [<Benchmark(Baseline = true)>]
    member _.Autograd() =
        let m = model.Value
        Dtc.Training.Steps.train optimizer (Dtc.Training.Model.forward m) (fun _ -> x, y) 0L 1

    [<Benchmark>]
    member _.ByHand() = Dtc.Training.Steps.trainModel optimizer model.Value (fun _ -> columns, x, y) 0L 1

[<EntryPoint>]
let main argv =
    if argv.Length > 0 && argv.[0] = "--throughput" then
        Throughput.report (if argv.Length > 1 then [ for v in argv.[1..] -> int v ] else [ 512; 256 ])
        exit 0
    BenchmarkSwitcher.FromTypes([| typeof<LassoBenchmarks>; typeof<BasisBenchmarks>; typeof<EntropyBenchmarks>; typeof<TrainingStepBenchmarks> |]).Run(argv) |> ignore
    0
