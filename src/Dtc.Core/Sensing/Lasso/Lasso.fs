/// <summary>
/// Batched LASSO solver for the inverse compressed-sensing step of Dual Tomographic Compression:
/// for every problem \(i\) of a batch it minimises
/// \( P(s) = \|A_i s - y_i\|_2^2 + \lambda \|s\|_1 \) (the paper's cvxpy objective, no \(\tfrac12\)).
/// </summary>
/// <remarks>
/// <para><b>Method.</b> Two phases, both batched over the problems and certified only by the
/// duality gap below. (1) A primal active-set method (Osborne, Presnell and Turlach 2000): each
/// problem keeps at most \(\min(n, m) + 1\) active columns \(S\) with signs \(\sigma\); at a
/// minimiser of the reduced problem it adds the column with the largest violation
/// \(|A_j^\top r| - \lambda/2\) (sign of its correlation), solves the reduced optimality system
/// \(A_S^\top A_S s_S = A_S^\top y - \tfrac{\lambda}{2}\sigma\) by Cholesky, and moves towards its
/// solution only as far as the first coefficient that would change sign, dropping it. The objective
/// never increases and the method stops at the exact solution (to rounding) after a few times
/// \(n\) steps, where plain FISTA needs tens of thousands of iterations on the paper's badly
/// conditioned problems. (2) Problems not certified after <c>ActiveSetSteps</c> steps continue with
/// accelerated proximal gradient (FISTA) with step \(1/L\), \(L = 2\|A_i\|_2^2\) (largest
/// eigenvalue of the smaller of \(A A^\top\), \(A^\top A\)), gradient-based adaptive restart
/// (O'Donoghue and Candès), and at every check a polish of the iterate on its support (the same
/// reduced system with sign-change steps), accepted when the gap certifies it and used as a restart
/// point when its objective is lower. Problems that converge are frozen; the others go on. An
/// iteration is one active-set step or one FISTA step. On the CPU the batched active-set step updates
/// each problem's Cholesky factor as a column enters (its next row) and factorises again only the
/// problems that dropped a column; on an accelerator it factorises every step, without read-back. <c>solve</c> first runs phase (1) for problems with
/// at most 1024 measurements on the host, in managed float64 with an incrementally updated Cholesky
/// factor (a step costs microseconds there, against the overhead of tens of tensor operations), and
/// sends only what the host does not certify, and larger problems, through the device path
/// (<c>solveOnDevice</c>). On the host, problems with at least 128 measurements (the paper's widths of
/// 1280 and more) start the active-set method from a rough solution (relative gap about 1e-2) of the
/// semismooth Newton augmented Lagrangian method (Li, Sun and Toh 2018), whose Newton systems are dense
/// factorisations of size n: the active-set method then needs tens to a few hundred steps instead of
/// about 12n (the 819×8192 problems of width 8192: 163–223 steps). The
/// starts of a batch run one per worker thread, each on one intra-op thread, so that a problem the host
/// solves gets the same answer to the bit whatever its batch-mates and the thread setting. The answer,
/// and its certificate, are the active-set method's either way. When no column violates the optimality
/// conditions but the gap is not certified (rounding, at a large scale of y against λ), the host method
/// refines the reduced solution with a double-double residual. The paths live in <c>LassoHost</c>,
/// <c>LassoNewton</c> and <c>LassoDevice</c>; the certificate in <c>LassoCertificate</c>.</para>
/// <para><b>Certificate.</b> \(P/2 = \tfrac12\|As - y\|^2 + \tfrac{\lambda}{2}\|s\|_1\) has the dual
/// \( D(u) = \tfrac12\|y\|^2 - \tfrac12\|y - u\|^2 \) subject to \(\|A^\top u\|_\infty \le \lambda/2\).
/// With \(r = y - As\), \(g = A^\top r\) and \(\theta = \min(1, (\lambda/2)/\|g\|_\infty)\) the point
/// \(u = \theta r\) is dual feasible, and the gap of \(P\) is
/// \( G = 2(P/2 - D(u)) = \lambda\|s\|_1 - 2\theta\, s^\top g + (1-\theta)^2 \|r\|^2 \ge 0 \),
/// written this way to avoid the cancellation of \(\|y\|^2\). The reported relative gap is
/// \( G / \max(P, \text{tiny}) \); since \(P(s) - P^\star \le G\) it bounds the relative suboptimality.
/// The solvers evaluate it in float64 and claim convergence only when the same gap evaluated with
/// compensated (double-double) sums confirms it, so that a claimed gap within the tolerance holds when
/// recomputed exactly; the reported figure is the float64 one, or the larger of the two when unconfirmed.</para>
/// <para><b>Special cases.</b> \(n = 0\) or \(m = 0\): zero coefficients, gap 0. \(\lambda = 0\):
/// the minimum-norm least-squares solution \(A^+ y\) (pseudo-inverse); the duality gap is not
/// informative there, so the certificate reported as <c>RelativeGap</c> is the relative KKT residual
/// \( \|A^\top(As - y)\|_\infty / \max(\|A^\top y\|_\infty, \text{tiny}) \).
/// \(\lambda \ge \lambda_{\max} = 2\|A^\top y\|_\infty\): exactly zero, gap 0, 0 iterations.</para>
/// <para><b>Precision.</b> By default float32 problems are solved in float64 (see
/// <see cref="F:Dtc.Sensing.Lasso.Options.ComputeInFloat64"/>) and the coefficients rounded back.</para>
/// <para><b>Non-finite values.</b> Non-finite inputs are rejected with <c>ArgumentException</c>; an
/// iteration that overflows throws <c>ArithmeticException</c> naming the problem. NaN is never returned.</para>
/// </remarks>
module Dtc.Sensing.Lasso

open System
open TorchSharp
open Dtc.Runtime

type private Tensor = torch.Tensor
/// <summary>Solver settings.</summary>
type Options =
    { /// <summary>The l1 weight \(\lambda\) in \(\|A s - y\|_2^2 + \lambda \|s\|_1\). Default 0.3 (the paper).</summary>
      Lambda: float
      /// <summary>Stop when the duality gap divided by the objective is at most this. Default 1e-6.</summary>
      RelativeGap: float
      /// <summary>Iteration cap. Default 100000.</summary>
      MaxIterations: int
      /// <summary>Steps of the primal active-set method that runs first (0 skips it and leaves
      /// FISTA alone); problems it has not certified by then continue with FISTA from its point.
      /// Default 20000 (the paper-like 204×2048 problem needs about 2240).</summary>
      ActiveSetSteps: int
      /// <summary>FISTA iterations between two convergence checks (each check reads a few numbers
      /// per problem back to the host and attempts a polish). Default 10.</summary>
      CheckEvery: int
      /// <summary>Active-set polishing steps per check (0 turns polishing off and leaves plain
      /// FISTA with restarts). Default 4.</summary>
      PolishSteps: int
      /// <summary>Iterate in float64 even for float32 problems, rounding the coefficients back to
      /// float32 at the end. Rounding in float32 residuals puts a floor of roughly 1e-4 on the
      /// relative gap that can be certified, so turn this off only with a loose <c>RelativeGap</c>.
      /// Default true.</summary>
      ComputeInFloat64: bool }

    /// <summary>The defaults: λ = 0.3, relative gap 1e-6, at most 100000 iterations of which up to 20000 active-set steps, a check every
    /// 10 iterations, 4 polishing steps, float64 arithmetic.</summary>
    static member defaults =
        { Lambda = 0.3
          RelativeGap = 1e-6
          MaxIterations = 100_000
          ActiveSetSteps = 20_000
          CheckEvery = 10
          PolishSteps = 4
          ComputeInFloat64 = true }

/// <summary>Per-problem convergence diagnostics.</summary>
type Diagnostics =
    { /// <summary>Objective \(\|A s - y\|_2^2 + \lambda \|s\|_1\) at the returned solution.</summary>
      Objective: float
      /// <summary>Relative duality gap at the returned solution (the optimality certificate; for
      /// \(\lambda = 0\) the relative KKT residual).</summary>
      RelativeGap: float
      /// <summary>Iterations used.</summary>
      Iterations: int
      /// <summary>Whether the gap reached the tolerance.</summary>
      Converged: bool }

/// <summary>Solutions of a batch of problems.</summary>
type Solution =
    { /// <summary>The codes, shape b×m, on the problems' device and dtype. The caller owns it.</summary>
      Coefficients: torch.Tensor
      /// <summary>One entry per problem.</summary>
      Diagnostics: Diagnostics[] }

// ---------------------------------------------------------------------------------------------
// Validation

let private shapeText (t: Tensor) = "[" + String.Join(", ", t.shape) + "]"

let private checkLambda (lambda: float) =
    if Double.IsNaN lambda || Double.IsInfinity lambda || lambda < 0.0 then
        invalidArg "lambda" (sprintf "Expecting a finite λ ≥ 0 but received %g" lambda)

/// <summary>Checks solver settings, naming the first bad value.</summary>
/// <param name="o">The settings.</param>
/// <returns>The settings, unchanged.</returns>
/// <exception cref="T:System.ArgumentException">A setting out of its range.</exception>
let validate (o: Options) : Options =
    checkLambda o.Lambda
    if Double.IsNaN o.RelativeGap || o.RelativeGap <= 0.0 then
        invalidArg "options" (sprintf "Expecting RelativeGap > 0 but received %g" o.RelativeGap)
    if o.MaxIterations < 0 then
        invalidArg "options" (sprintf "Expecting MaxIterations ≥ 0 but received %d" o.MaxIterations)
    if o.ActiveSetSteps < 0 then
        invalidArg "options" (sprintf "Expecting ActiveSetSteps ≥ 0 but received %d" o.ActiveSetSteps)
    if o.CheckEvery < 1 then
        invalidArg "options" (sprintf "Expecting CheckEvery ≥ 1 but received %d" o.CheckEvery)
    if o.PolishSteps < 0 then
        invalidArg "options" (sprintf "Expecting PolishSteps ≥ 0 but received %d" o.PolishSteps)
    o

/// The targets y (batch × n) against a design named `name` whose rank is checked: y's rank, floating dtypes,
/// y's dtype and device those of the design, the batch size when the design has one, targets of length n.
let private checkTargets (name: string) (design: Tensor) (batch: int64 option) (n: int64) (y: Tensor) =
    Torch.requireRank "y" 2 y
    Torch.requireFloating name design
    Torch.requireFloating "y" y
    if y.dtype <> design.dtype then
        invalidArg "y" (sprintf "Expecting y with the dtype of %s (%O) but received %O" name design.dtype y.dtype)
    if y.device.ToString() <> design.device.ToString() then
        invalidArg "y" (sprintf "Expecting y on the device of %s (%O) but received %O" name design.device y.device)
    match batch with
    | Some b when y.shape.[0] <> b ->
        invalidArg "y" (sprintf "Expecting a batch of %d targets (%s is %s) but received shape %s" b name (shapeText design) (shapeText y))
    | _ -> ()
    if y.shape.[1] <> n then
        invalidArg "y" (sprintf "Expecting targets of length n = %d (%s is %s) but received shape %s" n name (shapeText design) (shapeText y))

let private checkProblems (a: Tensor) (y: Tensor) =
    Torch.init ()
    Torch.requireRank "a" 3 a
    checkTargets "a" a (Some a.shape.[0]) a.shape.[1] y

let private checkCoefficients (a: Tensor) (s: Tensor) =
    Torch.requireRank "s" 2 s
    Torch.requireFloating "s" s
    if s.dtype <> a.dtype then
        invalidArg "s" (sprintf "Expecting s with the dtype of a (%O) but received %O" a.dtype s.dtype)
    if s.device.ToString() <> a.device.ToString() then
        invalidArg "s" (sprintf "Expecting s on the device of a (%O) but received %O" a.device s.device)
    if s.shape.[0] <> a.shape.[0] || s.shape.[1] <> a.shape.[2] then
        invalidArg "s" (sprintf "Expecting coefficients of shape [%d, %d] (a is %s) but received shape %s" a.shape.[0] a.shape.[2] (shapeText a) (shapeText s))

/// Throws naming the first problem whose tensor holds a non-finite entry (inside a dispose scope).
let private checkFinite (what: string) (t: Tensor) =
    if t.numel () > 0L then
        let rows = t.reshape(t.shape.[0], -1L)
        let bad = rows.isfinite().logical_not().any(1L) |> Torch.toArray
        match Array.tryFindIndex (fun v -> v <> 0.0) bad with
        | Some i -> invalidArg what (sprintf "Expecting finite entries in %s but received a NaN or infinity in problem %d" what i)
        | None -> ()


let private checkShared (theta: Tensor) (y: Tensor) =
    Torch.init ()
    Torch.requireRank "theta" 2 theta
    checkTargets "theta" theta None theta.shape.[0] y

/// Every check of a solver's inputs: options, ranks, shapes, dtypes and devices, finite entries (the
/// message names the first bad problem). `a` is b×n×m, or one shared n×m matrix when `shared`.
let private checkInputs (shared: bool) (options: Options) (a: Tensor) (y: Tensor) =
    validate options |> ignore
    if shared then checkShared a y else checkProblems a y
    use _ = torch.NewDisposeScope()
    if shared then checkFinite "theta" (a.unsqueeze(0L)) else checkFinite "a" a
    checkFinite "y" y

let private settings (o: Options) : LassoKernels.Settings =
    { Lambda = o.Lambda
      RelativeGap = o.RelativeGap
      MaxIterations = o.MaxIterations
      ActiveSetSteps = o.ActiveSetSteps
      CheckEvery = o.CheckEvery
      PolishSteps = o.PolishSteps
      ComputeInFloat64 = o.ComputeInFloat64 }

let private solution (coefficients: Tensor, outcomes: LassoKernels.Outcome[]) : Solution =
    { Coefficients = coefficients
      Diagnostics =
        outcomes
        |> Array.map (fun o -> { Objective = o.Objective; RelativeGap = o.RelativeGap; Iterations = o.Iterations; Converged = o.Converged }) }

// ---------------------------------------------------------------------------------------------
// Public API

/// <summary>The objective \(P(s) = \|A s - y\|_2^2 + \lambda \|s\|_1\) of every problem of a batch.</summary>
/// <param name="lambda">The l1 weight \(\lambda \ge 0\) (no default; the solver's default is 0.3).</param>
/// <param name="a">Design matrices, b×n×m (float32 or float64).</param>
/// <param name="y">Targets, b×n, same dtype and device.</param>
/// <param name="s">Coefficients, b×m, same dtype and device.</param>
/// <returns>One objective value per problem, computed in float64.</returns>
let objective (lambda: float) (a: Tensor) (y: Tensor) (s: Tensor) : float[] =
    use scalars = new LassoKernels.Scalars()
    let sc = scalars.Of
    checkLambda lambda
    checkProblems a y
    checkCoefficients a s
    use _ = torch.NewDisposeScope()
    let a64, y64, s64 = a.to_type(torch.float64), y.to_type(torch.float64), s.to_type(torch.float64)
    let r = LassoKernels.apply a64 s64 - y64
    Torch.add ((r * r).sum(1L)) (s64.abs().sum(1L) * sc lambda) |> Torch.toArray

/// <summary>The optimality certificate the solver reports, for arbitrary coefficients: the
/// relative duality gap \(G / \max(P, \text{tiny})\) with
/// \(G = \lambda\|s\|_1 - 2\theta s^\top A^\top r + (1-\theta)^2\|r\|^2\), \(r = y - As\),
/// \(\theta = \min(1, (\lambda/2)/\|A^\top r\|_\infty)\), evaluated with compensated (double-double)
/// sums, as the solver confirms its own; for \(\lambda = 0\) the relative KKT residual
/// \(\|A^\top(As - y)\|_\infty / \max(\|A^\top y\|_\infty, \text{tiny})\).</summary>
/// <param name="lambda">The l1 weight \(\lambda \ge 0\) (no default).</param>
/// <param name="a">Design matrices, b×n×m.</param>
/// <param name="y">Targets, b×n.</param>
/// <param name="s">Coefficients, b×m.</param>
/// <returns>One relative gap per problem (computed in float64; 0 when m = 0 or n = 0).</returns>
let relativeGap (lambda: float) (a: Tensor) (y: Tensor) (s: Tensor) : float[] =
    checkLambda lambda
    checkProblems a y
    checkCoefficients a s
    let b, n, m = int a.shape.[0], int a.shape.[1], int a.shape.[2]
    if n = 0 || m = 0 then Array.zeroCreate b
    else
        use _ = torch.NewDisposeScope()
        let a64, y64, s64 = a.to_type(torch.float64), y.to_type(torch.float64), s.to_type(torch.float64)
        if lambda = 0.0 then LassoKernels.kktResidual a64 y64 s64 |> Torch.toArray
        else
            let av, yv, sv = Torch.toArray a64, Torch.toArray y64, Torch.toArray s64
            Array.init b (fun i ->
                let struct (p, gap) = LassoCertificate.accurate lambda n m av (i * n * m) yv (i * n) sv (i * m)
                LassoCertificate.relative LassoCertificate.Tiny64 p gap)

/// The paths after the checks: the host first for small problems, the device for the rest (`a` one
/// shared n×m matrix or b×n×m).
let private solveChecked (options: Options) (a: Tensor) (y: Tensor) : Solution =
    let b, n, m = int y.shape.[0], int a.shape.[a.shape.Length - 2], int a.shape.[a.shape.Length - 1]
    let o = settings options
    let host = options.ComputeInFloat64 && options.Lambda > 0.0 && options.ActiveSetSteps > 0 && b > 0 && n > 0 && m > 0 && n <= LassoHost.hostMeasurements
    if not host then LassoDevice.solveChunked o a y |> solution
    else
        use scope = torch.NewDisposeScope()
        let solved = LassoHost.solveOnHost o a y
        if solved |> Array.exists Option.isNone then
            // Some problem was not certified on the host (rare): the device path for the whole batch,
            // so that its messages name problems by their index in the batch.
            let c, outcomes = LassoDevice.solveChunked o a y
            solution (c.MoveToOuterDisposeScope(), outcomes)
        else
            let s, d = solved |> Array.map Option.get |> Array.unzip
            let flat = torch.tensor(Array.concat s, dtype = torch.float64).reshape(int64 b, int64 m)
            solution (flat.``to``(a.dtype, a.device).MoveToOuterDisposeScope(), d)

/// <summary>Solves a batch on the tensors' device only (no host path for small problems): the method
/// described in the module's remarks, for comparison and for devices where copying to the host is unwanted.
/// Problems that share one design matrix (an expanded \(\Theta\), or equal copies) are iterated with
/// matrix products over the batch and one copy of the matrix. On the CPU the batch is split into one chunk
/// per intra-op thread (<c>torch.get_num_threads()</c>), each solved on its own thread with one intra-op
/// thread; the results agree with the whole batch's to rounding.</summary>
/// <param name="options">Solver settings.</param>
/// <param name="a">Design matrices, b×n×m.</param>
/// <param name="y">Targets, b×n.</param>
/// <returns>The solutions, as <see cref="M:Dtc.Sensing.Lasso.solve(Dtc.Sensing.Lasso.Options,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>.</returns>
let solveOnDevice (options: Options) (a: Tensor) (y: Tensor) : Solution =
    checkInputs false options a y
    LassoDevice.solveChunked (settings options) a y |> solution

/// <summary>Solves a batch of independent LASSO problems
/// \( \min_s \|A_i s - y_i\|_2^2 + \lambda \|s\|_1 \). Problems with at most 1024 measurements
/// (the paper's sizes) are solved first by the same active-set method on the host, in parallel, where a
/// step costs microseconds instead of the tensor operations' overhead (from a semismooth Newton start when
/// there are at least 128 measurements; problems sharing one design matrix, such as an expanded
/// \(\Theta\), share its host copy; the Newton starts run one per worker thread, each on one intra-op
/// thread, as many workers as <c>torch.get_num_threads()</c>); what the host does not certify, and every
/// larger problem, is solved on the tensors' device (the whole batch, if the host leaves any problem
/// uncertified). When the host certifies the batch (the usual case), each problem's answer is the same to
/// the bit whatever its batch-mates and the intra-op thread setting. The result is on the tensors' device
/// either way. When every problem shares one matrix, say so with
/// <see cref="M:Dtc.Sensing.Lasso.solveShared(Dtc.Sensing.Lasso.Options,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>.</summary>
/// <param name="options">Solver settings; start from <c>Options.defaults</c> (λ = 0.3, relative gap 1e-6,
/// 100000 iterations of which up to 20000 active-set steps, a check every 10 iterations, 4 polishing steps, float64 arithmetic).</param>
/// <param name="a">Design matrices, b×n×m, float32 or float64; not modified or disposed.</param>
/// <param name="y">Targets, b×n, same dtype and device as <paramref name="a"/>.</param>
/// <returns>The coefficients (b×m, dtype and device of <paramref name="a"/>, owned by the caller)
/// and per-problem diagnostics computed in the working precision. Problems that hit
/// <c>MaxIterations</c> return their best iterate with <c>Converged = false</c>.</returns>
/// <exception cref="T:System.ArgumentException">Wrong ranks, shapes, dtypes or devices, a negative or
/// non-finite λ, a non-positive tolerance, or non-finite entries (the message names the problem).</exception>
/// <exception cref="T:System.ArithmeticException">An iterate became non-finite (overflow); the message names the problem.</exception>
/// <example><code>
/// let sol = Lasso.solve { Lasso.Options.defaults with RelativeGap = 1e-8 } a y
/// use codes = sol.Coefficients
/// </code></example>
let solve (options: Options) (a: Tensor) (y: Tensor) : Solution =
    checkInputs false options a y
    solveChecked options a y

/// <summary>Solves a batch of LASSO problems that share one design matrix:
/// \( \min_s \|\Theta s - y_i\|_2^2 + \lambda \|s\|_1 \) for every row \(y_i\) (DTC's case: both sides of
/// a cycle are measured by the same \(\Phi\) in the same basis \(\Psi\)). The same answers, to the bit,
/// as <see cref="M:Dtc.Sensing.Lasso.solve(Dtc.Sensing.Lasso.Options,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>
/// given \(\Theta\) expanded over the batch; the matrix is read once and not copied per problem.</summary>
/// <param name="options">Solver settings; start from <c>Options.defaults</c> (λ = 0.3, relative gap 1e-6).</param>
/// <param name="theta">The shared design matrix \(\Theta\), n×m, float32 or float64; not modified or disposed.</param>
/// <param name="y">Targets, b×n, same dtype and device as <paramref name="theta"/>.</param>
/// <returns>The coefficients (b×m, owned by the caller) and one diagnostics entry per problem, as <c>solve</c>.</returns>
/// <exception cref="T:System.ArgumentException">Wrong ranks, shapes, dtypes or devices, bad settings, or
/// non-finite entries.</exception>
/// <exception cref="T:System.ArithmeticException">An iterate became non-finite (overflow).</exception>
/// <example><code>
/// let sol = Lasso.solveShared Lasso.Options.defaults theta y
/// use codes = sol.Coefficients
/// </code></example>
let solveShared (options: Options) (theta: Tensor) (y: Tensor) : Solution =
    checkInputs true options theta y
    solveChecked options theta y

/// <summary>Solves one LASSO problem \( \min_s \|A s - y\|_2^2 + \lambda \|s\|_1 \) (a batch of one).</summary>
/// <param name="options">Solver settings; start from <c>Options.defaults</c> (λ = 0.3, relative gap 1e-6).</param>
/// <param name="a">The design matrix, n×m.</param>
/// <param name="y">The target, length n.</param>
/// <returns>The coefficients (length m, owned by the caller) and their diagnostics.</returns>
let solveOne (options: Options) (a: Tensor) (y: Tensor) : Tensor * Diagnostics =
    Torch.init ()
    Torch.requireRank "a" 2 a
    Torch.requireRank "y" 1 y
    use _ = torch.NewDisposeScope()
    let sol = solve options (a.unsqueeze(0L)) (y.unsqueeze(0L))
    sol.Coefficients.squeeze(0L).MoveToOuterDisposeScope(), sol.Diagnostics.[0]
