module Dtc.Tests.Sensing.Lasso

open System
open Expecto
open TorchSharp
open Dtc.Sensing
open Dtc.Runtime
open Dtc.Tests.Support
open Dtc.Tests.Sensing.Problems

type private Problem =
    { Name: string
      Lambda: float
      LambdaMax: float
      A: float[,]
      Y: float[]
      Coefficients: float[]
      Objective: float }

let private problems =
    lazy
        (Fixtures.load "lasso.json"
         |> Fixtures.items "problems"
         |> Array.map (fun p ->
             let n, m = Fixtures.int "n" p, Fixtures.int "m" p
             let a = if n = 0 then Array2D.zeroCreate 0 m else Fixtures.matrix "a" p
             { Name = Fixtures.string "name" p
               Lambda = Fixtures.float "lambda" p
               LambdaMax = Fixtures.float "lambdaMax" p
               A = a
               Y = Fixtures.floats "y" p
               Coefficients = Fixtures.floats "coefficients" p
               Objective = Fixtures.float "objective" p }))

/// A b×n×m tensor from one matrix (batch of one).
let private batch1 (c: Combos.Combo) (a: float[,]) (y: float[]) =
    (Torch.ofArray2D c.Dtype c.Device a).unsqueeze(0L), (Torch.ofArray c.Dtype c.Device y).unsqueeze(0L)

/// Deterministic Gaussian problems from a seed: b×n×m designs and targets with a sparse signal.
let private randomProblems (seed: int) (b: int) (n: int) (m: int) =
    let rng = Random(seed)
    let gauss () =
        let u1, u2 = 1.0 - rng.NextDouble(), rng.NextDouble()
        sqrt (-2.0 * log u1) * cos (2.0 * Math.PI * u2)
    let a = Array.init (b * n * m) (fun _ -> gauss ())
    let y =
        [| for i in 0 .. b - 1 do
               let s = Array.init m (fun _ -> if rng.NextDouble() < 0.3 then 2.0 * gauss () else 0.0)
               for r in 0 .. n - 1 do
                   yield (Array.init m (fun j -> a.[(i * n + r) * m + j] * s.[j]) |> Array.sum) + 0.1 * gauss () |]
    let at = torch.tensor(a, dtype = torch.float64).reshape(int64 b, int64 n, int64 m)
    let yt = torch.tensor(y, dtype = torch.float64).reshape(int64 b, int64 n)
    at, yt

/// λ_max = 2‖Aᵀy‖∞ per problem.
let private lambdaMax (a: torch.Tensor) (y: torch.Tensor) =
    use g = a.transpose(1L, 2L).bmm(y.unsqueeze(-1L))
    use m = g.abs().amax([| 1L; 2L |])
    Torch.toArray m |> Array.map (fun v -> 2.0 * v)

let private fixtureTests =
    Combos.testCombos "matches scikit-learn on the fixture problems" (fun c ->
        // float64: 1e-6 relative as required. float32: the data themselves are rounded to float32
        // (relative 6e-8), which moves the optimum of these problems (condition numbers up to ~1e3)
        // by up to ~1e-5 relative; the solver still iterates in float64.
        let relTol = if c.Dtype = torch.float64 then 1e-6 else 1e-4
        for p in problems.Force() do
            let a, y = batch1 c p.A p.Y
            use a = a
            use y = y
            let sol = Lasso.solve { Lasso.Options.defaults with Lambda = p.Lambda } a y
            use s = sol.Coefficients
            let d = sol.Diagnostics.[0]
            Expect.isTrue d.Converged (sprintf "%s: converged (gap %g after %d iterations)" p.Name d.RelativeGap d.Iterations)
            Expect.equal s.dtype c.Dtype (sprintf "%s: dtype kept" p.Name)
            let yy = p.Y |> Array.sumBy (fun v -> v * v)
            let accuracy = { absolute = 1e-12 * (1.0 + yy); relative = relTol }
            Expect.floatClose accuracy d.Objective p.Objective (sprintf "%s: reported objective vs scikit-learn" p.Name)
            let recomputed = (Lasso.objective p.Lambda a y s).[0]
            Expect.floatClose accuracy recomputed p.Objective (sprintf "%s: objective of the returned coefficients" p.Name)
            if c.Dtype = torch.float64 then
                let got = Torch.toArray s
                let scale = 1.0 + (p.Coefficients |> Array.map abs |> Array.fold max 0.0)
                Array.iteri2
                    (fun j g r -> Expect.floatClose { absolute = 1e-5 * scale; relative = 0.0 } g r (sprintf "%s: coefficient %d" p.Name j))
                    got p.Coefficients
            // In float32 the rounded data move λ_max slightly, so the exact-zero claim is tested
            // only where λ is clear of it.
            let margin = if c.Dtype = torch.float64 then 1.0 else 1.0 + 1e-4
            if p.Lambda >= p.LambdaMax * margin && p.Lambda > 0.0 then
                Expect.isTrue (Torch.toArray s |> Array.forall (fun v -> v = 0.0)) (sprintf "%s: exactly zero above λ_max" p.Name)
                Expect.equal d.Iterations 0 (sprintf "%s: no iterations above λ_max" p.Name)
                Expect.equal d.RelativeGap 0.0 (sprintf "%s: zero gap above λ_max" p.Name))

let private fixtureBatchTest =
    testCase "fixture problems of equal shape solve together as alone" (fun () ->
        let c = Combos.all.Head
        let opts = { Lasso.Options.defaults with Lambda = 0.3 }
        let same = problems.Force() |> Array.filter (fun p -> p.Lambda = 0.3)
        for p in same do
            let a, y = batch1 c p.A p.Y
            use a = a
            use y = y
            let two = torch.cat([| a; a |], 0L)
            let twoY = torch.cat([| y; y |], 0L)
            let sol = Lasso.solve opts two twoY
            use s = sol.Coefficients
            Expect.floatClose Accuracy.veryHigh sol.Diagnostics.[1].Objective sol.Diagnostics.[0].Objective (sprintf "%s: duplicate problems agree" p.Name)
            two.Dispose()
            twoY.Dispose())

let private config = { FsCheckConfig.defaultConfig with maxTest = 40 }

let private propertyTests =
    testList "properties" [
        testPropertyWithConfig config "KKT conditions and certificate hold at the solution" (fun (seed: int) ->
            let rng = Random(seed)
            let b, n, m = rng.Next(1, 4), rng.Next(1, 10), rng.Next(1, 16)
            let a, y = randomProblems seed b n m
            use a = a
            use y = y
            let lmax = lambdaMax a y |> Array.min
            let lambda = max 1e-3 (lmax * (0.01 + 0.9 * rng.NextDouble()))
            let opts = { Lasso.Options.defaults with Lambda = lambda; RelativeGap = 1e-10 }
            let sol = Lasso.solve opts a y
            use s = sol.Coefficients
            use r = y - a.bmm(s.unsqueeze(-1L)).squeeze(-1L)
            use g2 = a.transpose(1L, 2L).bmm(r.unsqueeze(-1L)).squeeze(-1L) * 2.0.ToScalar()
            let g = Torch.toArray2D g2
            let sv = Torch.toArray2D s
            for i in 0 .. b - 1 do
                let d = sol.Diagnostics.[i]
                Expect.isTrue d.Converged (sprintf "problem %d of %dx%dx%d converged" i b n m)
                Expect.isLessThanOrEqual d.RelativeGap opts.RelativeGap (sprintf "problem %d: certified gap" i)
                let tol = 1e-5 * lambda
                for j in 0 .. m - 1 do
                    if sv.[i, j] <> 0.0 then
                        Expect.floatClose { absolute = tol; relative = 0.0 } g.[i, j] (lambda * float (sign sv.[i, j])) (sprintf "problem %d: active KKT at %d" i j)
                    else
                        Expect.isLessThanOrEqual (abs g.[i, j]) (lambda * (1.0 + 1e-5)) (sprintf "problem %d: inactive KKT at %d" i j))

        testPropertyWithConfig config "a batch solves like its problems alone" (fun (seed: int) ->
            let rng = Random(seed)
            let b, n, m = rng.Next(2, 4), rng.Next(1, 8), rng.Next(1, 14)
            let a, y = randomProblems seed b n m
            use a = a
            use y = y
            let lambda = max 1e-3 ((lambdaMax a y |> Array.min) * 0.1)
            let opts = { Lasso.Options.defaults with Lambda = lambda; RelativeGap = 1e-10 }
            let together = Lasso.solve opts a y
            use all = together.Coefficients
            let allV = Torch.toArray2D all
            for i in 0 .. b - 1 do
                let alone, d = Lasso.solveOne opts a.[int64 i] y.[int64 i]
                use alone = alone
                let v = Torch.toArray alone
                let scale = 1.0 + (v |> Array.map abs |> Array.fold max 0.0)
                for j in 0 .. m - 1 do
                    Expect.floatClose { absolute = 1e-7 * scale; relative = 0.0 } allV.[i, j] v.[j] (sprintf "problem %d coefficient %d" i j)
                Expect.floatClose { absolute = 1e-12; relative = 1e-9 } together.Diagnostics.[i].Objective d.Objective (sprintf "problem %d objective" i))
    ]

let private edgeTests =
    testList "edge cases" [
        testCase "n = 0 gives zero coefficients and zero objective" (fun () ->
            use a = torch.zeros(2L, 0L, 5L, dtype = torch.float64)
            use y = torch.zeros(2L, 0L, dtype = torch.float64)
            let sol = Lasso.solve Lasso.Options.defaults a y
            use s = sol.Coefficients
            Expect.sequenceEqual s.shape [| 2L; 5L |] "shape b×m"
            Expect.isTrue (Torch.toArray s |> Array.forall ((=) 0.0)) "zeros"
            for d in sol.Diagnostics do
                Expect.equal d.Objective 0.0 "objective 0"
                Expect.isTrue d.Converged "converged")

        testCase "λ = 0 gives the minimum-norm least-squares solution" (fun () ->
            let a, y = randomProblems 7 2 4 9
            use a = a
            use y = y
            let sol = Lasso.solve { Lasso.Options.defaults with Lambda = 0.0 } a y
            use s = sol.Coefficients
            use pinv = torch.linalg.pinv(a).bmm(y.unsqueeze(-1L)).squeeze(-1L)
            let got, want = Torch.toArray s, Torch.toArray pinv
            Array.iteri2 (fun j g w -> Expect.floatClose Accuracy.high g w (sprintf "entry %d" j)) got want
            for d in sol.Diagnostics do
                Expect.isTrue d.Converged "KKT certificate"
                Expect.isLessThan d.Objective 1e-20 "interpolates (n < m)")

        testCase "λ ≥ λ_max gives exact zeros without iterating" (fun () ->
            let a, y = randomProblems 11 3 5 8
            use a = a
            use y = y
            let lambda = (lambdaMax a y |> Array.max) * 1.01
            let sol = Lasso.solve { Lasso.Options.defaults with Lambda = lambda } a y
            use s = sol.Coefficients
            Expect.isTrue (Torch.toArray s |> Array.forall ((=) 0.0)) "exact zeros"
            for d in sol.Diagnostics do
                Expect.equal d.Iterations 0 "0 iterations"
                Expect.equal d.RelativeGap 0.0 "gap 0"
                Expect.isTrue d.Converged "converged")

        testCase "plain FISTA (no active-set phase) reaches the same solution" (fun () ->
            let a, y = randomProblems 5 2 6 15
            use a = a
            use y = y
            let lambda = (lambdaMax a y |> Array.min) * 0.2
            let o = { Lasso.Options.defaults with Lambda = lambda }
            let fista = Lasso.solve { o with ActiveSetSteps = 0 } a y
            let exact = Lasso.solve o a y
            use f = fista.Coefficients
            use e = exact.Coefficients
            for i in 0..1 do
                Expect.isTrue fista.Diagnostics.[i].Converged "FISTA converged"
                Expect.floatClose { absolute = 0.0; relative = 2e-6 } fista.Diagnostics.[i].Objective exact.Diagnostics.[i].Objective "same objective")

        testCase "float32 arithmetic (ComputeInFloat64 = false) with a loose tolerance" (fun () ->
            let a, y = randomProblems 17 2 8 20
            use a32 = a.to_type(torch.float32)
            use y32 = y.to_type(torch.float32)
            a.Dispose()
            y.Dispose()
            let o = { Lasso.Options.defaults with Lambda = 0.5 }
            let single = Lasso.solve { o with ComputeInFloat64 = false; RelativeGap = 1e-4 } a32 y32
            let double = Lasso.solve o a32 y32
            use s1 = single.Coefficients
            use s2 = double.Coefficients
            Expect.equal s1.dtype torch.float32 "float32 result"
            for i in 0..1 do
                Expect.isTrue single.Diagnostics.[i].Converged "converged in float32"
                // A 1e-4 relative gap bounds the relative suboptimality by 1e-4.
                Expect.floatClose { absolute = 0.0; relative = 2e-4 } single.Diagnostics.[i].Objective double.Diagnostics.[i].Objective "objective")

        testCase "an iteration cap flags non-convergence without NaN" (fun () ->
            let a, y = randomProblems 3 1 10 40
            use a = a
            use y = y
            let o = { Lasso.Options.defaults with Lambda = 1e-3; MaxIterations = 3; ActiveSetSteps = 0; RelativeGap = 1e-14 }
            let sol = Lasso.solve o a y
            use s = sol.Coefficients
            let d = sol.Diagnostics.[0]
            Expect.isFalse d.Converged "not converged"
            Expect.equal d.Iterations 3 "stopped at the cap"
            Expect.isFalse (Double.IsNaN d.RelativeGap || Double.IsNaN d.Objective) "finite diagnostics"
            Expect.isTrue (Torch.toArray s |> Array.forall Double.IsFinite) "finite coefficients")

        testCase "relativeGap and objective agree with the solver" (fun () ->
            let a, y = randomProblems 9 2 5 12
            use a = a
            use y = y
            let sol = Lasso.solve { Lasso.Options.defaults with Lambda = 0.5 } a y
            use s = sol.Coefficients
            let p = Lasso.objective 0.5 a y s
            let g = Lasso.relativeGap 0.5 a y s
            for i in 0..1 do
                Expect.floatClose Accuracy.high p.[i] sol.Diagnostics.[i].Objective "objective"
                Expect.isLessThanOrEqual g.[i] 1e-6 "certified"
            use zero = torch.zeros_like(s)
            Expect.isGreaterThan (Lasso.relativeGap 0.5 a y zero).[0] 1e-3 "zero is not optimal")
    ]

let private throwsWith (what: string) (fragment: string) (f: unit -> unit) =
    let e = Expect.throwsC f id
    Expect.stringContains e.Message fragment (sprintf "%s: message names the problem (%s)" what e.Message)

let private validationTests =
    testList "validation" [
        let a () = torch.randn(2L, 3L, 4L, dtype = torch.float64)
        let y () = torch.randn(2L, 3L, dtype = torch.float64)
        let run o (a: torch.Tensor) (y: torch.Tensor) () =
            use a = a
            use y = y
            Lasso.solve o a y |> fun s -> s.Coefficients.Dispose()
        let isArg (what: string) (fragment: string) (f: unit -> unit) =
            let e = Expect.throwsC f id
            Expect.isTrue (e :? ArgumentException) (sprintf "%s: ArgumentException (%s)" what (e.GetType().Name))
            Expect.stringContains e.Message "Expecting" (sprintf "%s: Expecting … wording" what)
            Expect.stringContains e.Message fragment (sprintf "%s: names the value (%s)" what e.Message)
        testCase "rank of a" (fun () -> isArg "rank" "rank 3" (run Lasso.Options.defaults (torch.randn(3L, 4L, dtype = torch.float64)) (y ())))
        testCase "rank of y" (fun () -> isArg "rank" "rank 2" (run Lasso.Options.defaults (a ()) (torch.randn(3L, dtype = torch.float64))))
        testCase "batch mismatch" (fun () -> isArg "batch" "[3, 3]" (run Lasso.Options.defaults (a ()) (torch.randn(3L, 3L, dtype = torch.float64))))
        testCase "length mismatch" (fun () -> isArg "n" "[2, 5]" (run Lasso.Options.defaults (a ()) (torch.randn(2L, 5L, dtype = torch.float64))))
        testCase "dtype mismatch" (fun () -> isArg "dtype" "Float32" (run Lasso.Options.defaults (a ()) (torch.randn(2L, 3L, dtype = torch.float32))))
        testCase "integer dtype" (fun () -> isArg "dtype" "Int64" (run Lasso.Options.defaults (torch.ones(2L, 3L, 4L, dtype = torch.int64)) (torch.ones(2L, 3L, dtype = torch.int64))))
        testCase "negative λ" (fun () -> isArg "λ" "-0.5" (run { Lasso.Options.defaults with Lambda = -0.5 } (a ()) (y ())))
        testCase "non-positive tolerance" (fun () -> isArg "tolerance" "RelativeGap > 0 but received 0" (run { Lasso.Options.defaults with RelativeGap = 0.0 } (a ()) (y ())))
        testCase "NaN input names the problem" (fun () ->
            let bad = a ()
            bad.[1L, 2L, 3L] <- torch.tensor(nan, dtype = torch.float64)
            isArg "NaN" "problem 1" (run Lasso.Options.defaults bad (y ())))
        testCase "infinite target names the problem" (fun () ->
            let bad = y ()
            bad.[0L, 1L] <- torch.tensor(infinity, dtype = torch.float64)
            isArg "inf" "problem 0" (run Lasso.Options.defaults (a ()) bad))
        testCase "overflow is an error naming the problem, not NaN" (fun () ->
            let huge = a ()
            huge.[1L] <- torch.full([| 3L; 4L |], (1e200).ToScalar(), dtype = torch.float64)
            throwsWith "overflow" "problem 1" (run Lasso.Options.defaults huge (y ())))
        testCase "coefficients shape for objective" (fun () ->
            use a = a ()
            use y = y ()
            use s = torch.zeros(2L, 5L, dtype = torch.float64)
            isArg "s" "[2, 5]" (fun () -> Lasso.objective 0.3 a y s |> ignore))
    ]

/// No tensor outlives the solves of one thread setting but the coefficients (the statistics count this thread's tensors).
let private checkNoLeak (threads: int) =
    torch.set_num_threads threads
    let a, y = randomProblems 13 4 6 20
    use a = a
    use y = y
    let stats = DisposeScopeManager.Statistics
    stats.Reset()
    for solve, options in [ Lasso.solve, { Lasso.Options.defaults with Lambda = 0.05 }
                            Lasso.solve, { Lasso.Options.defaults with Lambda = 0.05; ActiveSetSteps = 0 }
                            Lasso.solveOnDevice, { Lasso.Options.defaults with Lambda = 0.05 } ] do
        let sol = solve options a y
        Expect.equal stats.ThreadTotalLiveCount 1L (sprintf "%d threads: only the coefficients are alive (%O)" threads stats)
        sol.Coefficients.Dispose()
    do
        use a0 = a.[0L]
        use y0 = y.[0L]
        let c, _ = Lasso.solveOne { Lasso.Options.defaults with Lambda = 0.05 } a0 y0
        c.Dispose()
        use zero = torch.zeros(4L, 20L, dtype = torch.float64)
        Lasso.relativeGap 0.05 a y zero |> ignore
        Lasso.objective 0.05 a y zero |> ignore
        let shared = Lasso.solveShared { Lasso.Options.defaults with Lambda = 0.05 } a0 y
        shared.Coefficients.Dispose()
    Expect.equal stats.ThreadTotalLiveCount 0L (sprintf "%d threads: nothing left alive (%O)" threads stats)

/// The device path's batch forms: one design matrix shared by the batch (expanded, or equal copies) or one
/// per problem, solved whole (one intra-op thread) or in chunks on threads of their own (two, five). Every
/// form certifies every problem and reaches the host path's optimum.
let private batchForms =
    testSequenced <| testCase "the device path's shared and per-problem designs, whole and in chunks, reach the host path's optimum" (fun () ->
        let saved = torch.get_num_threads ()
        try
            let a, y = randomProblems 29 5 8 40
            use a = a
            use y = y
            use first = a.narrow(0L, 0L, 1L)
            use expanded = first.expand(5L, 8L, 40L)
            use copies = expanded.contiguous()
            let options = { Lasso.Options.defaults with Lambda = 0.2 }
            for name, design in [ "per problem", a; "expanded", expanded; "equal copies", copies ] do
                let reference = Lasso.solve options design y
                let objectives = reference.Diagnostics |> Array.map (fun d -> d.Objective)
                Expect.isTrue (reference.Diagnostics |> Array.forall (fun d -> d.Converged)) (name + ": host certified")
                for threads in [ 1; 2; 5 ] do
                    torch.set_num_threads threads
                    let sol = Lasso.solveOnDevice options design y
                    use c = sol.Coefficients
                    Expect.sequenceEqual c.shape [| 5L; 40L |] (sprintf "%s, %d threads: shape" name threads)
                    Expect.isTrue (sol.Diagnostics |> Array.forall (fun d -> d.Converged)) (sprintf "%s, %d threads: certified" name threads)
                    // The reported objective is the one of the returned coefficients, in each problem's place.
                    let recomputed = Lasso.objective options.Lambda design y c
                    for i in 0 .. 4 do
                        Expect.floatClose { absolute = 1e-9; relative = 1e-12 } recomputed.[i] sol.Diagnostics.[i].Objective (sprintf "%s, %d threads, problem %d: reported objective" name threads i)
                        Expect.floatClose { absolute = 1e-9; relative = 2e-6 } objectives.[i] sol.Diagnostics.[i].Objective (sprintf "%s, %d threads, problem %d: the host's optimum" name threads i)
                    torch.set_num_threads saved
                reference.Coefficients.Dispose()
        finally torch.set_num_threads saved)

let private leakTest =
    // With one intra-op thread the device path runs on the calling thread; with more, on the CPU, it runs
    // in chunks on threads of its own and only the result comes back to the calling thread.
    testSequenced <| testCase "no tensor outlives a solve except the coefficients" (fun () ->
        let saved = torch.get_num_threads ()
        try
            checkNoLeak 1
            checkNoLeak (max 2 saved)
        finally torch.set_num_threads saved)

/// The host path (small problems) and the device path reach the same certified optimum.
let private hostVersusDevice =
    testCase "the host path for small problems and the device path agree on the fixture problems" <| fun () ->
        for p in problems.Value do
            if p.Lambda > 0.0 && p.Y.Length > 0 then
                let c = Combos.all |> List.find (fun c -> c.Dtype = torch.float64)
                let a, y = batch1 c p.A p.Y
                let host = Lasso.solve Lasso.Options.defaults a y
                let device = Lasso.solveOnDevice Lasso.Options.defaults a y
                Expect.isTrue host.Diagnostics.[0].Converged (p.Name + ": host certified")
                Expect.isTrue device.Diagnostics.[0].Converged (p.Name + ": device certified")
                Expect.floatClose { absolute = 1e-9; relative = 2e-6 } host.Diagnostics.[0].Objective device.Diagnostics.[0].Objective (p.Name + ": same objective")
                for t in [ a; y; host.Coefficients; device.Coefficients ] do t.Dispose()

/// Problems with at least 128 measurements start the host active-set method from a semismooth Newton
/// estimate: check the optimality of what comes out (independent certificate and KKT conditions), that a
/// shared design matrix (expanded over the batch, as the compress step passes it) gives the same answers
/// as separate copies, and that the result does not depend on the problem's batch-mates.
let private newtonStartTests =
    let kkt (lambda: float) (a: torch.Tensor) (y: torch.Tensor) (s: torch.Tensor) (what: string) =
        use r = y - a.bmm(s.unsqueeze(-1L)).squeeze(-1L)
        use g2 = a.transpose(1L, 2L).bmm(r.unsqueeze(-1L)).squeeze(-1L) * 2.0.ToScalar()
        let g, sv = Torch.toArray2D g2, Torch.toArray2D s
        for i in 0 .. sv.GetLength 0 - 1 do
            for j in 0 .. sv.GetLength 1 - 1 do
                if sv.[i, j] <> 0.0 then
                    Expect.floatClose { absolute = 1e-6 * lambda; relative = 0.0 } g.[i, j] (lambda * float (sign sv.[i, j])) (sprintf "%s: problem %d active KKT at %d" what i j)
                else
                    Expect.isLessThanOrEqual (abs g.[i, j]) (lambda * (1.0 + 1e-6)) (sprintf "%s: problem %d inactive KKT at %d" what i j)
    testList "semismooth Newton start (n ≥ 128)" [
        testCase "paper-like problems (shared Θ = ΦΨ, weight profiles) are certified and satisfy KKT" (fun () ->
            let theta, y, shared = paperLike 1300 5UL
            use theta = theta
            use y = y
            use shared = shared
            Expect.isGreaterThanOrEqual theta.shape.[0] 128L "large enough for the Newton start"
            use copies = shared.contiguous()
            let o = Lasso.Options.defaults
            let sol = Lasso.solve o shared y
            use s = sol.Coefficients
            let gaps = Lasso.relativeGap o.Lambda copies y s
            for i in 0..2 do
                Expect.isTrue sol.Diagnostics.[i].Converged (sprintf "problem %d converged" i)
                Expect.isLessThanOrEqual gaps.[i] 1e-6 (sprintf "problem %d: independent certificate" i)
            kkt o.Lambda copies y s "shared Θ"
            let separate = Lasso.solve o copies y
            use s2 = separate.Coefficients
            for i in 0..2 do
                Expect.floatClose { absolute = 0.0; relative = 2e-6 } separate.Diagnostics.[i].Objective sol.Diagnostics.[i].Objective (sprintf "problem %d: copies agree" i)
            let alone, d = Lasso.solveOne o theta y.[1L]
            use alone = alone
            Expect.floatClose { absolute = 0.0; relative = 2e-6 } d.Objective sol.Diagnostics.[1].Objective "alone agrees")

        testCase "a problem's answer is the same to the bit alone, in a batch, and on one or two intra-op threads" (fun () ->
            let m = 2048 // where two intra-op threads changed the start's last bits before its threads were fixed
            let theta, y, shared = paperLike m 7UL
            use theta = theta
            use y = y
            use shared = shared
            use y1 = y.[1L]
            let o = Lasso.Options.defaults
            let threads = torch.get_num_threads ()
            let withThreads k (f: unit -> float[]) =
                torch.set_num_threads k
                try f () finally torch.set_num_threads threads
            let batch k = withThreads k (fun () -> let sol = Lasso.solve o shared y in use c = sol.Coefficients in Torch.toArray c)
            let alone k = withThreads k (fun () -> let c, _ = Lasso.solveOne o theta y1 in use c = c in Torch.toArray c)
            let reference = batch 2
            let second = reference.[m .. 2 * m - 1]
            Expect.sequenceEqual (batch 1) reference "a batch on one thread and on two"
            Expect.sequenceEqual (alone 2) second "alone on two threads and in the batch"
            Expect.sequenceEqual (alone 1) second "alone on one thread and in the batch")

        testCase "sparse Gaussian problems of distinct matrices agree with the device path" (fun () ->
            let a, y = randomProblems 21 2 130 300
            use a = a
            use y = y
            let lambda = (lambdaMax a y |> Array.min) * 0.05
            let o = { Lasso.Options.defaults with Lambda = lambda }
            let host = Lasso.solve o a y
            let device = Lasso.solveOnDevice o a y
            use hs = host.Coefficients
            use ds = device.Coefficients
            for i in 0..1 do
                Expect.isTrue host.Diagnostics.[i].Converged (sprintf "problem %d host certified" i)
                Expect.isTrue device.Diagnostics.[i].Converged (sprintf "problem %d device certified" i)
                Expect.floatClose { absolute = 1e-9; relative = 2e-6 } host.Diagnostics.[i].Objective device.Diagnostics.[i].Objective (sprintf "problem %d same objective" i)
            kkt lambda a y hs "distinct matrices")
    ]

[<Tests>]
let tests =
    testList "Sensing.Lasso" [ fixtureTests; fixtureBatchTest; hostVersusDevice; batchForms; newtonStartTests; propertyTests; edgeTests; validationTests; leakTest ]
