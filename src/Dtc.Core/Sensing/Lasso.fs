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
/// about 12n (the 819×8192 problems of width 8192: 163–223 steps, seconds instead of minutes). The
/// starts of a batch run one per worker thread, each on one intra-op thread, so that a problem the host
/// solves gets the same answer to the bit whatever its batch-mates and the thread setting. The answer,
/// and its certificate, are the active-set method's either way.</para>
/// <para><b>Certificate.</b> \(P/2 = \tfrac12\|As - y\|^2 + \tfrac{\lambda}{2}\|s\|_1\) has the dual
/// \( D(u) = \tfrac12\|y\|^2 - \tfrac12\|y - u\|^2 \) subject to \(\|A^\top u\|_\infty \le \lambda/2\).
/// With \(r = y - As\), \(g = A^\top r\) and \(\theta = \min(1, (\lambda/2)/\|g\|_\infty)\) the point
/// \(u = \theta r\) is dual feasible, and the gap of \(P\) is
/// \( G = 2(P/2 - D(u)) = \lambda\|s\|_1 - 2\theta\, s^\top g + (1-\theta)^2 \|r\|^2 \ge 0 \),
/// written this way to avoid the cancellation of \(\|y\|^2\). The reported relative gap is
/// \( G / \max(P, \text{tiny}) \); since \(P(s) - P^\star \le G\) it bounds the relative suboptimality.</para>
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
open System.Runtime.Intrinsics
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

let private checkProblems (a: Tensor) (y: Tensor) =
    Torch.init ()
    Torch.requireRank "a" 3 a
    Torch.requireRank "y" 2 y
    Torch.requireFloating "a" a
    Torch.requireFloating "y" y
    if y.dtype <> a.dtype then
        invalidArg "y" (sprintf "Expecting y with the dtype of a (%O) but received %O" a.dtype y.dtype)
    if y.device.ToString() <> a.device.ToString() then
        invalidArg "y" (sprintf "Expecting y on the device of a (%O) but received %O" a.device y.device)
    if y.shape.[0] <> a.shape.[0] then
        invalidArg "y" (sprintf "Expecting a batch of %d targets (a is %s) but received shape %s" a.shape.[0] (shapeText a) (shapeText y))
    if y.shape.[1] <> a.shape.[1] then
        invalidArg "y" (sprintf "Expecting targets of length n = %d (a is %s) but received shape %s" a.shape.[1] (shapeText a) (shapeText y))

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

// ---------------------------------------------------------------------------------------------
// Batched kernels (all tensors on one device and dtype; results belong to the current scope)

/// The Scalars one function hands to native calls, disposed together when it returns. A Scalar made by
/// `ToScalar()` and dropped at once can be finalized, on another thread, while the native call that reads
/// it still runs (TorchSharp 0.107's dispose scopes do not take Scalars); held here, each lives until the
/// function is done.
type private Scalars() =
    let made = Collections.Generic.List<Scalar>()
    /// A Scalar of the value, held until disposal.
    member _.Of(value: float) : Scalar =
        let s = value.ToScalar()
        made.Add s
        s
    interface IDisposable with
        member _.Dispose() =
            for s in made do s.Dispose()
            made.Clear()

/// \(A s\) for a batch: b×n×m, b×m → b×n.
let private apply (a: Tensor) (s: Tensor) = a.bmm(s.unsqueeze(-1L)).squeeze(-1L)

/// \(A^\top r\) for a batch: b×n×m, b×n → b×m.
let private applyT (a: Tensor) (r: Tensor) = a.transpose(1L, 2L).bmm(r.unsqueeze(-1L)).squeeze(-1L)

let private tiny (dtype: torch.ScalarType) = if dtype = torch.float64 then 1e-300 else 1e-30

/// 1 − v for a 0/1 slot mask v (a new tensor): the slots not in use.
let private complement (sc: float -> Scalar) (v: Tensor) = Torch.addScalarInPlace (v.neg()) (sc 1.0)

/// The reduced Gram matrices on the valid slots and the identity on the others: \(G \odot v v^	op + \mathrm{diag}(1 - v)\).
let private maskedGram (sc: float -> Scalar) (gram: Tensor) (valid: Tensor) =
    Torch.add (gram * valid.unsqueeze(2L) * valid.unsqueeze(1L)) (torch.diag_embed(complement sc valid))

/// The design matrices of the problems the device path iterates on: one per problem (b×n×m), or one
/// n×m matrix that every problem shares (with its transpose, m×n contiguous). DTC's problems share it:
/// both sides of a cycle, and layers of the same width, are measured by the same Φ in the same basis
/// Ψ. Shared, the products over the batch are matrix products that read the matrix once, and the
/// batch's state does not hold b copies of it. (Gathering the reduced systems' matrices from one Gram
/// matrix AᵀA instead of multiplying the gathered columns was measured slower on the CPU: 1.0 ms against
/// 0.5 ms for 128 problems with 40 active columns of a 51×512 matrix.)
type private Design =
    | PerProblem of Tensor
    | Shared of a: Tensor * at: Tensor

/// \(A s\) for every problem: b×m → b×n.
let private designApply (d: Design) (s: Tensor) =
    match d with
    | PerProblem a -> apply a s
    | Shared(_, at) -> s.mm(at) // the contiguous transpose: 3× faster than a.t() for 16 problems of 51×512

/// \(A^\top r\) for every problem: b×n → b×m.
let private designApplyT (d: Design) (r: Tensor) =
    match d with
    | PerProblem a -> applyT a r
    | Shared(a, _) -> r.mm(a)

/// The columns of A at the given indices (b×k), as rows: b×k×n.
let private designColumns (d: Design) (index: Tensor) =
    let ba, k = index.shape.[0], index.shape.[1]
    match d with
    | PerProblem a -> a.gather(2L, index.unsqueeze(1L).expand(ba, a.shape.[1], k)).transpose(1L, 2L)
    | Shared(_, at) -> at.index_select(0L, index.reshape(-1L)).view(ba, k, at.shape.[1])

/// \(A_S^\top A_S\) for the columns at the given indices (b×k): b×k×k.
let private designGram (d: Design) (index: Tensor) =
    let columns = designColumns d index
    columns.bmm(columns.transpose(1L, 2L))

/// Objective and duality gap of \(P\) per problem (λ > 0 or λ = 0; m ≥ 1).
let private objectiveAndGap (lambda: float) (a: Design) (y: Tensor) (s: Tensor) : Tensor * Tensor =
    use scalars = new Scalars()
    let sc = scalars.Of
    let r = y - designApply a s
    let g = designApplyT a r
    let l1 = s.abs().sum(1L)
    let rr = (r * r).sum(1L)
    let p = Torch.add rr (l1 * sc lambda)
    let half = lambda / 2.0
    let gmax = g.abs().amax([| 1L |])
    let theta = torch.where(gmax.gt(sc half), gmax.clamp_min(sc (tiny s.dtype)).reciprocal() * sc half, torch.ones_like(gmax))
    let oneMinus = Torch.addScalarInPlace (theta.neg()) (sc 1.0)
    let gap = Torch.add (l1 * sc lambda - (s * g).sum(1L) * theta * sc 2.0) (oneMinus * oneMinus * rr)
    p, gap.clamp_min(sc 0.0)

/// Relative KKT residual of least squares: \(\|A^\top(As - y)\|_\infty / \max(\|A^\top y\|_\infty, \text{tiny})\).
let private kktResidual (a: Tensor) (y: Tensor) (s: Tensor) : Tensor =
    use scalars = new Scalars()
    let sc = scalars.Of
    let num = applyT a (apply a s - y) |> fun g -> g.abs().amax([| 1L |])
    let den = (applyT a y).abs().amax([| 1L |]).clamp_min(sc (tiny s.dtype))
    num / den

/// Active-set polish of a batch of iterates x (see the module remarks). Rows where the reduced
/// system cannot be formed or solved come back unchanged.
let private polish (lambda: float) (steps: int) (a: Design) (y: Tensor) (atyAll: Tensor) (x: Tensor) : Tensor =
    use scalars = new Scalars()
    let sc = scalars.Of
    let ba, n, m = x.shape.[0], y.shape.[1], x.shape.[1]
    let mask = x.ne(sc 0.0)
    let counts = mask.sum([| 1L |], false, torch.int64)
    let kmax = counts.max().item<int64> ()
    let k = min kmax (min n m)
    if steps = 0 || k = 0L then x.alias ()
    else
        let dtype = x.dtype
        let half = lambda / 2.0
        let struct (sorted, order) = torch.sort(mask.to_type(dtype), 1L, true, true)
        let idx = order.narrow(1L, 0L, k)
        let mutable valid = sorted.narrow(1L, 0L, k)
        let mutable ok: Tensor = counts.le(sc (float k)).logical_and(counts.gt(sc 0.0))
        let gram = designGram a idx
        let aty = atyAll.gather(1L, idx)
        let mutable sigma = x.sign().gather(1L, idx) * valid
        let mutable cur = x.gather(1L, idx) * valid
        let eye = torch.eye(k, dtype = dtype, device = x.device).expand(ba, k, k)
        let inf = torch.full([| ba; k |], sc Double.PositiveInfinity, dtype = dtype, device = x.device)
        for _ in 1..steps do
            let g = maskedGram sc gram valid
            let rhs = (aty - sigma * sc half) * valid
            let struct (chol, info) = torch.linalg.cholesky_ex(g, false)
            let good = info.eq(sc 0.0)
            ok <- ok.logical_and(good)
            let safe = torch.where(good.view(ba, 1L, 1L), chol, eye)
            let z = torch.cholesky_solve(rhs.unsqueeze(-1L), safe, false).squeeze(-1L) * valid
            // Step from cur towards z only as far as the first coefficient that changes sign.
            let crosses = (z * sigma).le(sc 0.0).logical_and(valid.gt(sc 0.0))
            let ratio = torch.where(crosses, cur / (cur - z).masked_fill(crosses.logical_not(), sc 1.0), inf)
            let alpha = ratio.amin([| 1L |], true).clamp_max(sc 1.0)
            let drop = crosses.logical_and(ratio.le(alpha))
            cur <- (Torch.add cur ((z - cur) * alpha)).masked_fill(drop, sc 0.0)
            valid <- valid.masked_fill(drop, sc 0.0)
            sigma <- sigma * valid
        let c = torch.zeros_like(x).scatter(1L, idx, cur)
        let usable = ok.logical_and(c.isfinite().all(1L)).unsqueeze(1L)
        torch.where(usable, c, x)

// ---------------------------------------------------------------------------------------------
// Public API

/// <summary>The objective \(P(s) = \|A s - y\|_2^2 + \lambda \|s\|_1\) of every problem of a batch.</summary>
/// <param name="lambda">The l1 weight \(\lambda \ge 0\) (no default; the solver's default is 0.3).</param>
/// <param name="a">Design matrices, b×n×m (float32 or float64).</param>
/// <param name="y">Targets, b×n, same dtype and device.</param>
/// <param name="s">Coefficients, b×m, same dtype and device.</param>
/// <returns>One objective value per problem, computed in float64.</returns>
let objective (lambda: float) (a: Tensor) (y: Tensor) (s: Tensor) : float[] =
    use scalars = new Scalars()
    let sc = scalars.Of
    checkLambda lambda
    checkProblems a y
    checkCoefficients a s
    use _ = torch.NewDisposeScope()
    let a64, y64, s64 = a.to_type(torch.float64), y.to_type(torch.float64), s.to_type(torch.float64)
    let r = apply a64 s64 - y64
    Torch.add ((r * r).sum(1L)) (s64.abs().sum(1L) * sc lambda) |> Torch.toArray

/// <summary>The optimality certificate the solver reports, for arbitrary coefficients: the
/// relative duality gap \(G / \max(P, \text{tiny})\) with
/// \(G = \lambda\|s\|_1 - 2\theta s^\top A^\top r + (1-\theta)^2\|r\|^2\), \(r = y - As\),
/// \(\theta = \min(1, (\lambda/2)/\|A^\top r\|_\infty)\); for \(\lambda = 0\) the relative KKT
/// residual \(\|A^\top(As - y)\|_\infty / \max(\|A^\top y\|_\infty, \text{tiny})\).</summary>
/// <param name="lambda">The l1 weight \(\lambda \ge 0\) (no default).</param>
/// <param name="a">Design matrices, b×n×m.</param>
/// <param name="y">Targets, b×n.</param>
/// <param name="s">Coefficients, b×m.</param>
/// <returns>One relative gap per problem (computed in float64; 0 when m = 0 or n = 0).</returns>
let relativeGap (lambda: float) (a: Tensor) (y: Tensor) (s: Tensor) : float[] =
    use scalars = new Scalars()
    let sc = scalars.Of
    checkLambda lambda
    checkProblems a y
    checkCoefficients a s
    let b = int a.shape.[0]
    if a.shape.[1] = 0L || a.shape.[2] = 0L then Array.zeroCreate b
    else
        use _ = torch.NewDisposeScope()
        let a64, y64, s64 = a.to_type(torch.float64), y.to_type(torch.float64), s.to_type(torch.float64)
        if lambda = 0.0 then kktResidual a64 y64 s64 |> Torch.toArray
        else
            let p, gap = objectiveAndGap lambda (PerProblem a64) y64 s64
            gap / p.clamp_min(sc (tiny torch.float64)) |> Torch.toArray

/// Mutable per-solve state of the problems still iterating (tensors owned by the solve's scope).
/// Active-set slots: K = min(n, m) + 1 (at most m) per problem, each holding a column index, a
/// validity flag, a sign and a value.
type private Active =
    { mutable Index: int64[]
      mutable A: Design
      mutable Y: Tensor
      mutable Aty: Tensor // Aᵀy, b×m
      mutable Threshold: Tensor // λ/L, b×1
      mutable InvL: Tensor // 1/L, b×1
      mutable X: Tensor
      mutable Z: Tensor
      mutable T: Tensor
      mutable Slots: Tensor // b×K int64
      mutable Valid: Tensor // b×K 0/1
      mutable Sigma: Tensor // b×K signs
      mutable Cur: Tensor // b×K values
      mutable Factor: Tensor // b×K×K on the CPU: lower Cholesky factor of the valid slots' Gram matrix, identity on the others (b×0×0 elsewhere)
      mutable AtOptimum: Tensor } // b bool: Cur minimises the reduced problem of its slots

/// The lower Cholesky factors of \(A_S^\top A_S\) on the valid slots (identity on the others); a tiny
/// ridge is used where the factorisation fails.
let private reducedFactor (a: Design) (slots: Tensor) (valid: Tensor) : Tensor =
    use scalars = new Scalars()
    let sc = scalars.Of
    let ba, k = slots.shape.[0], slots.shape.[1]
    let g = maskedGram sc (designGram a slots) valid
    let struct (chol, info) = torch.linalg.cholesky_ex(g, false)
    let ridged () =
        let eye = torch.eye(k, dtype = g.dtype, device = g.device).expand(ba, k, k)
        let scale = g.diagonal(0L, 1L, 2L).mean([| 1L |], true).unsqueeze(2L)
        let struct (cholR, infoR) = torch.linalg.cholesky_ex(Torch.add g (eye * scale * sc 1e-12), false)
        let good = info.eq(sc 0.0).view(ba, 1L, 1L)
        let goodR = infoR.eq(sc 0.0).view(ba, 1L, 1L)
        torch.where(good, chol, torch.where(goodR, cholR, eye))
    // On the CPU the ridged factorisation only when a system needs it (rare: a column dependent on the
    // others); on an accelerator always, since asking would wait for the device at every step.
    if g.device_type <> DeviceType.CPU || info.ne(sc 0.0).any().item<bool>() then ridged ()
    else chol

/// Solves the reduced systems \((A_S^\top A_S) z = A_S^\top y - \tfrac{\lambda}{2}\sigma\) on the valid
/// slots with their factors (zero on the other slots).
let private solveWithFactor (lambda: float) (factor: Tensor) (aty: Tensor) (slots: Tensor) (valid: Tensor) (sigma: Tensor) : Tensor =
    use scalars = new Scalars()
    let sc = scalars.Of
    let rhs = (aty.gather(1L, slots) - sigma * sc (lambda / 2.0)) * valid
    torch.cholesky_solve(rhs.unsqueeze(-1L), factor, false).squeeze(-1L) * valid

/// Every check of a solver's inputs: options, ranks, shapes, dtypes and devices, finite entries (the
/// message names the first bad problem). Each entry point runs it once; the kernels below assume it.
let private checkInputs (options: Options) (a: torch.Tensor) (y: torch.Tensor) =
    validate options |> ignore
    checkProblems a y
    use _ = torch.NewDisposeScope()
    checkFinite "a" a
    checkFinite "y" y

/// Solves a batch of independent LASSO problems, already checked (`checkInputs`): see the XML docs on the
/// public wrapper below. `first` is the index of the batch's first problem in the caller's batch (for messages).
let private solveBatch (first: int) (options: Options) (a: torch.Tensor) (y: torch.Tensor) : Solution =
    use scalars = new Scalars()
    let sc = scalars.Of
    let b, n, m = int a.shape.[0], a.shape.[1], a.shape.[2]
    use scope = torch.NewDisposeScope()
    let work = if options.ComputeInFloat64 then torch.float64 else a.dtype
    let device = a.device
    // The whole batch in the working precision, only where it is used (a shared matrix converts one copy).
    let aw = lazy (a.detach().to_type(work))
    let yw = y.detach().to_type(work)
    let best = torch.zeros([| int64 b; m |], dtype = work, device = device)
    let diags = Array.create b { Objective = 0.0; RelativeGap = 0.0; Iterations = 0; Converged = true }
    let lambda = options.Lambda
    let tol = options.RelativeGap
    let small = tiny work
    if b = 0 || n = 0L || m = 0L then
        let yy = (yw * yw).sum(1L) |> Torch.toArray
        for i in 0 .. b - 1 do
            diags.[i] <- { diags.[i] with Objective = yy.[i] }
    elif lambda = 0.0 then
        let aw = aw.Force()
        let s = torch.linalg.pinv(aw).bmm(yw.unsqueeze(-1L)).squeeze(-1L)
        let r = apply aw s - yw
        let p = (r * r).sum(1L) |> Torch.toArray
        let kkt = kktResidual aw yw s |> Torch.toArray
        for i in 0 .. b - 1 do
            if Double.IsNaN p.[i] || Double.IsInfinity p.[i] || Double.IsNaN kkt.[i] then
                raise (ArithmeticException(sprintf "Lasso.solve: the least-squares solution of problem %d is not finite (overflow)" (first + i)))
            diags.[i] <- { Objective = p.[i]; RelativeGap = kkt.[i]; Iterations = 0; Converged = kkt.[i] <= tol }
        best.copy_(s) |> ignore
    else
        // One matrix for the whole batch when the problems share it (one problem always does).
        let design =
            let shared =
                b = 1 || a.stride(0) = 0L
                || (use head = a.narrow(0L, 0L, 1L).expand_as(a)
                    use same = a.eq(head).all()
                    same.item<bool>())
            if shared then
                let a0 = a.detach().select(0L, 0L).to_type(work).contiguous()
                Shared(a0, a0.t().contiguous())
            else PerProblem(aw.Force())
        // Step sizes: L = 2 λmax(AᵀA) per problem, from the smaller Gram matrix.
        let stacked = match design with PerProblem a -> a | Shared(a, _) -> a.unsqueeze(0L)
        let gram = if n <= m then stacked.bmm(stacked.transpose(1L, 2L)) else stacked.transpose(1L, 2L).bmm(stacked)
        let gramOk = gram.isfinite().all(2L).all(1L) |> Torch.toArray
        match Array.tryFindIndex (fun v -> v = 0.0) gramOk with
        | Some i -> raise (ArithmeticException(sprintf "Lasso.solve: AᵀA of problem %d overflows in %O" (first + i) work))
        | None -> ()
        let lip = (torch.linalg.eigvalsh(gram).select(-1L, -1L) * sc 2.0).clamp_min(sc small).unsqueeze(1L).expand(int64 b, 1L).contiguous()
        let k = min m (min n m + 1L)
        let zeros () = torch.zeros([| int64 b; m |], dtype = work, device = device)
        // On the CPU the reduced systems' factors are updated, not computed again at every step: each
        // problem keeps its valid slots first (in the order they entered), so a new column is the next
        // row of its factor (O(K²) against O(K³) for a factorisation and O(K²n) for its Gram matrix), and
        // only the problems that drop a column are reordered and factorised again. On an accelerator the
        // factors are computed at every step, which needs no read-back (asking which problems dropped a
        // column would wait for the device), and none is kept.
        let incremental = device.``type`` = DeviceType.CPU
        let st =
            { Index = Array.init b int64
              A = design
              Y = yw
              Aty = designApplyT design yw
              Threshold = lip.reciprocal() * sc lambda
              InvL = lip.reciprocal()
              X = zeros ()
              Z = zeros ()
              T = torch.ones([| int64 b |], dtype = work, device = device)
              Slots = torch.zeros([| int64 b; k |], dtype = torch.int64, device = device)
              Valid = torch.zeros([| int64 b; k |], dtype = work, device = device)
              Sigma = torch.zeros([| int64 b; k |], dtype = work, device = device)
              Cur = torch.zeros([| int64 b; k |], dtype = work, device = device)
              Factor =
                  if incremental then torch.eye(k, dtype = work, device = device).expand(int64 b, k, k).contiguous()
                  else torch.empty([| int64 b; 0L; 0L |], dtype = work, device = device)
              AtOptimum = torch.ones([| int64 b |], dtype = torch.ScalarType.Bool, device = device) }
        let half = lambda / 2.0

        /// The full coefficient vectors of the active-set slots.
        let slotPoint () =
            torch.zeros([| int64 st.Index.Length; m |], dtype = work, device = device).scatter_add(1L, st.Slots, st.Cur * st.Valid)

        /// Reorders the slots of the problems at `rows` (int64 indices into the batch) so that the valid
        /// ones come first, in their order, and factorises their reduced systems again.
        let compactAndFactor (rows: Tensor) =
            use _ = torch.NewDisposeScope()
            use scalars = new Scalars()
            let sc = scalars.Of
            let valid = st.Valid.index_select(0L, rows)
            // Keys: a valid slot's position, an invalid slot's position + K (distinct, so the order is stable).
            let positions = torch.arange(sc 0.0, sc (float k), dtype = work, device = device)
            let order = (Torch.add (complement sc valid * sc (float k)) positions).argsort(1L)
            let take (t: Tensor) = t.index_select(0L, rows).gather(1L, order)
            let slots, valid, sigma, cur = take st.Slots, take st.Valid, take st.Sigma, take st.Cur
            st.Slots.index_copy_(0L, rows, slots) |> ignore
            st.Valid.index_copy_(0L, rows, valid) |> ignore
            st.Sigma.index_copy_(0L, rows, sigma) |> ignore
            st.Cur.index_copy_(0L, rows, cur) |> ignore
            let design = match st.A with PerProblem a -> PerProblem(a.index_select(0L, rows)) | shared -> shared
            st.Factor.index_copy_(0L, rows, reducedFactor design slots valid) |> ignore

        /// One step of the primal active-set method (Osborne, Presnell and Turlach): at a reduced
        /// optimum add the most violating column with the sign of its correlation; solve the reduced
        /// system; move towards its solution only as far as the first sign change and drop that column.
        let activeSetStep () =
            use _ = torch.NewDisposeScope()
            use scalars = new Scalars()
            let sc = scalars.Of
            let ba = int64 st.Index.Length
            let s = slotPoint ()
            let g = designApplyT st.A (st.Y - designApply st.A s)
            let inSet = torch.zeros([| ba; m |], dtype = work, device = device).scatter_add(1L, st.Slots, st.Valid).gt(sc 0.0)
            let violation = (g.abs() - sc half).masked_fill(inSet, sc Double.NegativeInfinity)
            let struct (vmax, jstar) = violation.max(1L, false)
            let hasFree = st.Valid.sum(1L).lt(sc (float k))
            let add = st.AtOptimum.logical_and(hasFree).logical_and(vmax.gt(sc (half * 1e-12)))
            let free = (complement sc st.Valid).argmax(1L)
            let addSlot = torch.nn.functional.one_hot(free, k).to_type(torch.ScalarType.Bool).logical_and(add.unsqueeze(1L))
            let slots = torch.where(addSlot, jstar.unsqueeze(1L).expand(ba, k), st.Slots)
            let valid = st.Valid.masked_fill(addSlot, sc 1.0)
            let sigma = torch.where(addSlot, g.gather(1L, jstar.unsqueeze(1L)).sign().expand(ba, k), st.Sigma)
            let cur = st.Cur.masked_fill(addSlot, sc 0.0)
            // `keep finite` makes the kept factors match the state kept below (on the CPU; elsewhere they
            // are computed at every step and not kept).
            let z, keep =
                if incremental then
                    // The new slot is the first free one, after the valid slots; its row of the factor is
                    // v = L⁻¹(A_Sᵀ a_j) and d = √(a_jᵀa_j − vᵀv), with the host path's tiny ridge for a
                    // column dependent on the others (v is 0 from the new slot on: L is the identity there).
                    // The row is written in place (the previous one restored where the step is not kept).
                    let fresh = designColumns st.A (jstar.unsqueeze(1L))
                    let w = (designColumns st.A st.Slots).bmm(fresh.transpose(1L, 2L)).squeeze(-1L) * st.Valid
                    let v = torch.linalg.solve_triangular(st.Factor, w.unsqueeze(-1L), false).squeeze(-1L)
                    let norm2 = (fresh * fresh).sum([| 1L; 2L |])
                    let d = torch.maximum(norm2 - (v * v).sum(1L), norm2 * sc 1e-12).sqrt_()
                    let row = Torch.add v (addSlot.to_type(work) * d.unsqueeze(1L))
                    let at = free.view(ba, 1L, 1L).expand(ba, 1L, k)
                    let previous = st.Factor.gather(1L, at)
                    let written = torch.where(add.view(ba, 1L, 1L), row.unsqueeze(1L), previous)
                    st.Factor.scatter_(1L, at, written) |> ignore
                    solveWithFactor lambda st.Factor st.Aty slots valid sigma,
                    fun (finite: Tensor) -> st.Factor.scatter_(1L, at, torch.where(finite.unsqueeze(2L), written, previous)) |> ignore
                else solveWithFactor lambda (reducedFactor st.A slots valid) st.Aty slots valid sigma, ignore
            let crosses = (z * sigma).le(sc 0.0).logical_and(valid.gt(sc 0.0))
            let ratio = torch.where(crosses, cur / (cur - z).masked_fill(crosses.logical_not(), sc 1.0), torch.full_like(cur, sc Double.PositiveInfinity))
            let alpha = ratio.amin([| 1L |], true).clamp_max(sc 1.0)
            let drop = crosses.logical_and(ratio.le(alpha))
            let moved = (Torch.add cur ((z - cur) * alpha)).masked_fill(drop, sc 0.0)
            let finite = moved.isfinite().all(1L).unsqueeze(1L)
            // A non-finite reduced solution (hopeless conditioning) leaves the problem where it was.
            st.Slots.copy_(torch.where(finite, slots, st.Slots)) |> ignore
            st.Valid.copy_(torch.where(finite, valid.masked_fill(drop, sc 0.0), st.Valid)) |> ignore
            st.Sigma.copy_(torch.where(finite, sigma * st.Valid, st.Sigma)) |> ignore
            st.Cur.copy_(torch.where(finite, moved, st.Cur)) |> ignore
            keep finite
            st.AtOptimum.copy_(alpha.squeeze(1L).ge(sc 1.0).logical_and(finite.squeeze(1L))) |> ignore
            if incremental then
                let dropped = drop.any(1L).logical_and(finite.squeeze(1L)).nonzero().squeeze(1L)
                if dropped.shape.[0] > 0L then compactAndFactor dropped

        let step () =
            use _ = torch.NewDisposeScope()
            use scalars = new Scalars()
            let sc = scalars.Of
            let grad = designApplyT st.A (designApply st.A st.Z - st.Y) * sc 2.0
            let v = st.Z - grad * st.InvL
            let xNew = v.sign() * (v.abs() - st.Threshold).clamp_min(sc 0.0)
            let d = xNew - st.X
            let restart = ((st.Z - xNew) * d).sum(1L).gt(sc 0.0)
            let root = (Torch.addScalarInPlace (st.T * st.T * sc 4.0) (sc 1.0)).sqrt_()
            let tNew = Torch.addScalarInPlace root (sc 1.0) * sc 0.5
            let beta = ((st.T - sc 1.0) / tNew).masked_fill(restart, sc 0.0)
            st.Z.copy_(Torch.add xNew (d * beta.unsqueeze(1L))) |> ignore
            st.X.copy_(xNew) |> ignore
            st.T.copy_(tNew.masked_fill(restart, sc 1.0)) |> ignore

        /// Certifies the current points (the slots' point in the active-set phase, the FISTA iterate
        /// and its polish afterwards), records finished problems into `best`, restarts FISTA from
        /// better polished points and compacts the active set. `final` finishes every remaining problem.
        let check (phaseOne: bool) (iteration: int) (final: bool) =
            use _ = torch.NewDisposeScope()
            use scalars = new Scalars()
            let sc = scalars.Of
            let ba = st.Index.Length
            let x = if phaseOne then slotPoint () else st.X
            let p, gap = objectiveAndGap lambda st.A st.Y x
            let rel = gap / p.clamp_min(sc small)
            let c, pc, relc =
                if phaseOne then x, p, rel
                else
                    let c = polish lambda options.PolishSteps st.A st.Y st.Aty x
                    let pc, gapc = objectiveAndGap lambda st.A st.Y c
                    c, pc, gapc / pc.clamp_min(sc small)
            let host = torch.stack([| p; rel; pc; relc |]) |> Torch.toArray2D
            let finite v = not (Double.IsNaN v || Double.IsInfinity v)
            let takeC = Array.zeroCreate ba
            let better = Array.zeroCreate ba
            let finished = ResizeArray<int>()
            for i in 0 .. ba - 1 do
                let pi, ri, pci, rci = host.[0, i], host.[1, i], host.[2, i], host.[3, i]
                if not (finite pi && finite ri) then
                    raise (ArithmeticException(sprintf "Lasso.solve: the iterate of problem %d became non-finite after %d iterations (objective %g)" (int64 first + st.Index.[i]) iteration pi))
                let useC = finite pci && finite rci && rci <= ri
                takeC.[i] <- useC
                better.[i] <- not phaseOne && finite pci && pci < pi
                let pBest, rBest = if useC then pci, rci else pi, ri
                if rBest <= tol || final then
                    finished.Add i
                    diags.[int st.Index.[i]] <-
                        { Objective = pBest; RelativeGap = rBest; Iterations = iteration; Converged = rBest <= tol }
            let toMask (flags: bool[]) = torch.tensor(flags, device = device)
            if finished.Count > 0 then
                let chosen = torch.where(toMask(takeC).unsqueeze(1L), c, x)
                let pos = torch.tensor([| for i in finished -> int64 i |], device = device)
                let orig = torch.tensor([| for i in finished -> st.Index.[i] |], device = device)
                best.index_copy_(0L, orig, chosen.index_select(0L, pos)) |> ignore
            if Array.exists id better then
                let bt = toMask(better).unsqueeze(1L)
                st.X.copy_(torch.where(bt, c, st.X)) |> ignore
                st.Z.copy_(torch.where(bt, c, st.Z)) |> ignore
                st.T.copy_(st.T.masked_fill(bt.squeeze(1L), sc 1.0)) |> ignore
            if finished.Count > 0 then
                let done' = Collections.Generic.HashSet<int>(finished)
                let keep = [| for i in 0 .. ba - 1 do if not (done'.Contains i) then yield int64 i |]
                let keepT = torch.tensor(keep, device = device)
                let shrink (t: Tensor) =
                    let s = t.index_select(0L, keepT).MoveToOuterDisposeScope()
                    t.Dispose()
                    s
                st.A <- (match st.A with PerProblem a -> PerProblem(shrink a) | shared -> shared)
                st.Y <- shrink st.Y
                st.Aty <- shrink st.Aty
                st.Threshold <- shrink st.Threshold
                st.InvL <- shrink st.InvL
                st.X <- shrink st.X
                st.Z <- shrink st.Z
                st.T <- shrink st.T
                st.Slots <- shrink st.Slots
                st.Valid <- shrink st.Valid
                st.Sigma <- shrink st.Sigma
                st.Cur <- shrink st.Cur
                st.Factor <- shrink st.Factor
                st.AtOptimum <- shrink st.AtOptimum
                st.Index <- [| for i in keep -> st.Index.[int i] |]

        // Phase one: the active-set method (a step is counted as one iteration).
        let mutable iteration = 0
        let phaseOneSteps = min options.ActiveSetSteps options.MaxIterations
        while st.Index.Length > 0 && iteration < phaseOneSteps do
            if iteration % options.CheckEvery = 0 then check true iteration false
            if st.Index.Length > 0 then
                activeSetStep ()
                iteration <- iteration + 1
        if st.Index.Length > 0 && phaseOneSteps > 0 then
            check true iteration (iteration >= options.MaxIterations)
            if st.Index.Length > 0 then
                use _ = torch.NewDisposeScope()
                let s = slotPoint ()
                st.X.copy_(s) |> ignore
                st.Z.copy_(s) |> ignore
        // Phase two: FISTA with restarts and polishing from wherever phase one stopped.
        let start = iteration
        while st.Index.Length > 0 do
            let final = iteration >= options.MaxIterations
            if final || (iteration - start) % options.CheckEvery = 0 then check false iteration final
            if st.Index.Length > 0 then
                step ()
                iteration <- iteration + 1
    let coefficients = best.to_type(a.dtype).MoveToOuterDisposeScope()
    { Coefficients = coefficients; Diagnostics = diags }

/// Runs `work w` for every w in 0 .. count − 1, each on a background thread of its own with one intra-op
/// thread (named `name`-w), and once all have ended raises the first failure by worker index.
let private onOwnThreads (name: string) (count: int) (work: int -> unit) =
    let failures : exn[] = Array.zeroCreate count
    let run w () =
        try
            torch.set_num_threads 1
            work w
        with e -> failures.[w] <- e
    let threads = Array.init count (fun w -> Threading.Thread(run w, Name = sprintf "%s-%d" name w, IsBackground = true))
    for t in threads do t.Start()
    for t in threads do t.Join()
    match failures |> Array.tryFind (isNull >> not) with
    | Some e -> Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw()
    | None -> ()

/// The device path for a batch. On the CPU a batch is split into one contiguous chunk per intra-op
/// thread, each solved on a thread of its own with one intra-op thread (a per-thread setting): on the
/// paper's sizes the batched operations are small, their time goes to per-operation overhead and to
/// synchronising the intra-op threads, which a second core does not shorten, while independent chunks
/// keep every core busy. On other devices the batch is solved whole. The chunks' results are those of
/// the batch solved whole up to rounding (a chunk's matrix products may sum in another order). No tensor
/// crosses threads: each chunk hands back its coefficients as an array. The inputs are checked already
/// (`checkInputs`), for the whole batch, so that a message names a problem by its index in it.
let private solveChunked (options: Options) (a: torch.Tensor) (y: torch.Tensor) : Solution =
    let b = int a.shape.[0]
    let parts = if a.device_type = DeviceType.CPU then min (torch.get_num_threads ()) b else 1
    if parts < 2 then solveBatch 0 options a y
    else
        let bounds = Array.init (parts + 1) (fun p -> p * b / parts)
        let solved : (float[] * Diagnostics[])[] = Array.zeroCreate parts
        onOwnThreads "dtc-lasso" parts (fun p ->
            let first, count = bounds.[p], bounds.[p + 1] - bounds.[p]
            use ap = a.narrow(0L, int64 first, int64 count)
            use yp = y.narrow(0L, int64 first, int64 count)
            let sol = solveBatch first options ap yp
            use c = sol.Coefficients
            solved.[p] <- (Torch.toArray c, sol.Diagnostics))
        use flat = torch.tensor(solved |> Array.collect fst, dtype = torch.float64)
        use shaped = flat.reshape(int64 b, a.shape.[2])
        { Coefficients = shaped.``to``(a.dtype, a.device, true)
          Diagnostics = solved |> Array.collect snd }

// ---------------------------------------------------------------------------------------------
// Host path for small problems: the same primal active-set method, per problem in managed float64
// arrays (problems in parallel). On the paper's sizes (n ≤ 51 measurements, m ≤ 512) a step costs a
// few microseconds here against about a millisecond of tensor-operation overhead on any device, so
// problems with n ≤ hostMeasurements are first solved on the host and copied back; a problem the host
// does not certify within ActiveSetSteps steps goes through the device path. Written by hand: MathNet
// has no LASSO, and its dense Cholesky would allocate per step.

/// Problems with at most this many measurements are solved on the host first.
let private hostMeasurements = 1024

/// Dot product of x[xo .. xo+len) and y[yo .. yo+len), vectorised in four lanes whatever the machine's
/// vector width (Vector256 computes lane by lane, in hardware or not), the lanes summed in a fixed order:
/// the same bits on every machine.
let private dot (x: float[]) (xo: int) (y: float[]) (yo: int) (len: int) =
    let x = ReadOnlySpan<float>(x, xo, len)
    let y = ReadOnlySpan<float>(y, yo, len)
    let mutable acc = Vector256<float>.Zero
    let mutable i = 0
    while i + 4 <= x.Length do
        acc <- acc + Vector256.Create<float>(x.Slice(i, 4)) * Vector256.Create<float>(y.Slice(i, 4))
        i <- i + 4
    let lane (k: int) = Vector256.GetElement(acc, k)
    let mutable total = (lane 0 + lane 1) + (lane 2 + lane 3)
    while i < x.Length do
        total <- total + x.[i] * y.[i]
        i <- i + 1
    total

/// A starting point of the host active-set method: columns (at most n, linearly independent), their
/// values (signs taken from them) and, when available, the lower Cholesky factor of \(A_S^\top A_S\)
/// (row-major k×k).
type private WarmStart =
    { Support: int[]
      Values: float[]
      Factor: float[] }

/// The primal active-set method (Osborne, Presnell and Turlach) on one problem, with the Cholesky
/// factor of \(A_S^\top A_S\) updated as columns enter (a forward substitution) and leave (Givens
/// rotations), so a step costs O(k²) plus, at a reduced optimum only, O(nm) for the correlations.
/// `at` is Aᵀ row-major (m×n: column j of A contiguous); `aty` is Aᵀy. `warm` (or None) gives a start:
/// its columns enter with the signs of their values and the method first moves towards the reduced
/// solution (sign changes dropping columns), so every start ends at the same optimum.
/// Returns the coefficients, the objective, the relative gap and the steps.
let private hostActiveSet (lambda: float) (tol: float) (maxSteps: int) (n: int) (m: int) (a: float[]) (aOffset: int) (at: float[]) (aty: float[]) (y: float[]) (warm: WarmStart option) =
    let half = lambda / 2.0
    let cap = min n m + 1
    let l = Array.zeroCreate<float> (cap * cap) // lower factor, row-major with stride cap
    let active = ResizeArray<int>()
    let sigma = ResizeArray<float>()
    let s = Array.zeroCreate<float> m
    let inSet = Array.zeroCreate<bool> m
    let r = Array.zeroCreate<float> n
    let g = Array.zeroCreate<float> m
    let work = Array.zeroCreate<float> cap
    let z = Array.zeroCreate<float> cap
    /// Appends column j to the factor. A column (numerically) dependent on the active ones — the set can
    /// hold n + 1 columns on the way — gets the device path's tiny ridge (1e-12 of its squared norm),
    /// unless `strict`, where such a column is refused (false) and the factor left as it was.
    let addColumn (strict: bool) (j: int) =
        let k = active.Count
        for p in 0 .. k - 1 do work.[p] <- dot at (active.[p] * n) at (j * n) n
        for p in 0 .. k - 1 do
            let row = p * cap
            let mutable v = work.[p]
            for q in 0 .. p - 1 do v <- v - l.[row + q] * work.[q]
            work.[p] <- v / l.[row + p]
        let w = dot at (j * n) at (j * n) n
        if not (Double.IsFinite w) then invalidOp "overflow"
        let mutable d2 = w
        for p in 0 .. k - 1 do d2 <- d2 - work.[p] * work.[p]
        if strict && not (d2 > 1e-8 * w) then false
        else
            for p in 0 .. k - 1 do l.[k * cap + p] <- work.[p]
            l.[k * cap + k] <- sqrt (max d2 (1e-12 * w))
            true
    /// Removes the p-th active column from the factor.
    let dropColumn (p: int) =
        let k = active.Count
        for i in p .. k - 2 do
            for q in 0 .. i + 1 do l.[i * cap + q] <- l.[(i + 1) * cap + q]
        for c in p .. k - 2 do
            let a, b = l.[c * cap + c], l.[c * cap + c + 1]
            let rr = sqrt (a * a + b * b)
            let cs, sn = a / rr, b / rr
            for i in c .. k - 2 do
                let x, yv = l.[i * cap + c], l.[i * cap + c + 1]
                l.[i * cap + c] <- cs * x + sn * yv
                l.[i * cap + c + 1] <- -sn * x + cs * yv
        for i in 0 .. k - 1 do l.[i * cap + k - 1] <- 0.0
        for q in 0 .. k - 1 do l.[(k - 1) * cap + q] <- 0.0
    let correlations () =
        Array.blit y 0 r 0 n
        for j in active do
            let sj = s.[j]
            let base' = j * n
            for i in 0 .. n - 1 do r.[i] <- r.[i] - at.[base' + i] * sj
        // g = Aᵀr = Σᵢ rᵢ A[i, :], row by row of A (long contiguous vectors).
        Array.Clear g
        let width = Numerics.Vector<float>.Count
        let gs = Span<float>(g)
        for i in 0 .. n - 1 do
            let ri = r.[i]
            if ri <> 0.0 then
                let row = ReadOnlySpan<float>(a, aOffset + i * m, m)
                let rv = Numerics.Vector<float>(ri)
                let mutable j = 0
                while j + width <= m do
                    let acc = Numerics.Vector<float>(gs.Slice(j, width)) + rv * Numerics.Vector<float>(row.Slice(j, width))
                    acc.CopyTo(gs.Slice(j, width))
                    j <- j + width
                while j < m do
                    g.[j] <- g.[j] + ri * row.[j]
                    j <- j + 1
    let certificate () =
        let mutable rr, l1, sg, gmax = 0.0, 0.0, 0.0, 0.0
        for i in 0 .. n - 1 do rr <- rr + r.[i] * r.[i]
        for j in active do
            l1 <- l1 + abs s.[j]
            sg <- sg + s.[j] * g.[j]
        for j in 0 .. m - 1 do gmax <- max gmax (abs g.[j])
        if not (Double.IsFinite gmax && Double.IsFinite rr && Double.IsFinite sg) then nan, nan // overflow: never certified here
        else
            let theta = if gmax > half then half / gmax else 1.0
            let p = rr + lambda * l1
            let gap = max 0.0 (lambda * l1 - 2.0 * theta * sg + (1.0 - theta) * (1.0 - theta) * rr)
            p, gap / max p 1e-300
    // The start: zero, or the warm columns (with their factor when it is given, else one by one).
    match warm with
    | Some w when w.Support.Length > 0 && w.Support.Length < cap ->
        let k = w.Support.Length
        if not (isNull w.Factor) then
            for i in 0 .. k - 1 do
                Array.blit w.Factor (i * k) l (i * cap) (i + 1)
                active.Add w.Support.[i]
        else
            for j in w.Support do
                if addColumn true j then active.Add j
        let value = Collections.Generic.Dictionary<int, float>()
        Array.iter2 (fun j v -> value.[j] <- v) w.Support w.Values
        for j in active do
            sigma.Add(float (sign value.[j]))
            inSet.[j] <- true
            s.[j] <- value.[j]
    | _ -> ()
    let mutable atOptimum = active.Count = 0
    let mutable steps = 0
    let mutable finished = false
    let mutable objective, relGap = nan, nan
    while not finished do
        // The correlations Aᵀr (the step's O(nm) part) are needed only at a reduced optimum, to certify
        // or to choose the entering column; after a drop the next step needs only the factor.
        if atOptimum then
            correlations ()
            let p, rel = certificate ()
            objective <- p
            relGap <- rel
        let entering =
            if not atOptimum || relGap <= tol || active.Count >= cap then -1
            else
                let mutable best, bestJ = half * (1.0 + 1e-12), -1
                for j in 0 .. m - 1 do
                    if not inSet.[j] && abs g.[j] > best then
                        best <- abs g.[j]
                        bestJ <- j
                bestJ
        if (atOptimum && entering < 0) || steps >= maxSteps then
            // λ ≥ λ_max (within 1e-12): zero is optimal by the KKT conditions; gap 0 as on the device path.
            if active.Count = 0 && atOptimum && steps = 0 && Double.IsFinite relGap then relGap <- 0.0
            if not atOptimum then
                correlations ()
                let p, rel = certificate ()
                objective <- p
                relGap <- rel
            finished <- true
        else
            if atOptimum then
                addColumn false entering |> ignore
                active.Add entering
                sigma.Add(float (sign g.[entering]))
                inSet.[entering] <- true
            let k = active.Count
            // Reduced system (A_Sᵀ A_S) z = A_Sᵀ y − λ/2 σ by the factor.
            for p in 0 .. k - 1 do
                let row = p * cap
                let mutable v = aty.[active.[p]] - half * sigma.[p]
                for q in 0 .. p - 1 do v <- v - l.[row + q] * z.[q]
                z.[p] <- v / l.[row + p]
            let mutable p = k - 1
            while p >= 0 do
                let mutable v = z.[p]
                for q in p + 1 .. k - 1 do v <- v - l.[q * cap + p] * z.[q]
                z.[p] <- v / l.[p * cap + p]
                p <- p - 1
            // Move towards z only as far as the first sign change, and drop that column.
            let mutable step, drop, finite = 1.0, -1, true
            for p in 0 .. k - 1 do
                if not (Double.IsFinite z.[p]) then finite <- false
                if z.[p] * sigma.[p] <= 0.0 then
                    let cur = s.[active.[p]]
                    let ratio = if cur = z.[p] then 0.0 else cur / (cur - z.[p])
                    if ratio < step then
                        step <- ratio
                        drop <- p
            if not finite then
                steps <- maxSteps // hopeless conditioning: leave it to the device path
            else
                for p in 0 .. k - 1 do
                    let j = active.[p]
                    s.[j] <- s.[j] + step * (z.[p] - s.[j])
                if drop >= 0 then
                    let j = active.[drop]
                    s.[j] <- 0.0
                    inSet.[j] <- false
                    dropColumn drop
                    active.RemoveAt drop
                    sigma.RemoveAt drop
                atOptimum <- drop < 0
                steps <- steps + 1
    s, objective, relGap, steps

/// Problems with at least this many measurements start the host active-set method from a semismooth
/// Newton augmented Lagrangian estimate (below); smaller ones start from zero, which is cheaper there.
let private newtonStartMeasurements = 128

/// A rough solution by the semismooth Newton augmented Lagrangian method (SSNAL; Li, Sun and Toh 2018)
/// as a start for the active-set method, on the tensors' device in float64: `a` is n×m, `b` the target.
/// SSNAL applies the augmented Lagrangian method to the dual
/// \( \min_\xi \tfrac12\|\xi\|^2 + \langle b, \xi\rangle \) s.t. \(\|A^\top\xi\|_\infty \le \lambda/2\)
/// with multiplier x (the coefficients) and penalty \(\sigma\); each subproblem is minimised over
/// \(\xi\) by semismooth Newton steps \((I + \sigma A_J A_J^\top) d = -\nabla\psi(\xi)\), J the columns
/// the soft threshold keeps, with a backtracking line search, and \(\sigma\) grows fivefold per
/// outer iteration. \(A_J A_J^\top\) is updated by the columns that enter or leave J (or, with fewer than
/// n/2 columns, the \(|J|\times|J|\) Woodbury form is used). The Newton steps cost a few dense
/// factorisations of size n instead of thousands of O(nm) active-set steps, and identify the support
/// of the solution; the active-set method then finishes exactly. Stops at a relative duality gap of
/// 1e-2 (primal iterate, or the scaled dual iterate) or after 12 outer iterations; returns the start
/// (at most n independent columns, largest first, with their Cholesky factor when it is well
/// conditioned), or None when the iteration breaks down (then the method starts from zero).
let private newtonStart (lambda: float) (a: Tensor) (b: float[]) : WarmStart option =
    use scalars = new Scalars()
    let sc = scalars.Of
    use _ = torch.NewDisposeScope()
    let n, m = int a.shape.[0], int a.shape.[1]
    let dtype, device = a.dtype, a.device
    let mu = lambda / 2.0
    let bt = torch.tensor(b, dtype = dtype, device = device)
    let soft (v: Tensor) (t: float) = v.sign() * (v.abs() - sc t).clamp_min(sc 0.0)
    let num (t: Tensor) = t.item<float> ()
    let bb = num (bt.dot(bt))
    let bn = sqrt bb
    let mutable x = torch.zeros([| int64 m |], dtype = dtype, device = device)
    let mutable xi = bt.neg()
    let mutable atxi = a.T.mv(xi)
    let mutable sigma = 1.0
    let mutable gram: Tensor = null // A_J A_Jᵀ of the columns in `previous`
    let mutable previous: Tensor = null
    let mutable outer = 0
    let mutable newton = 0
    let mutable finished = false
    let mutable broken = false
    while not finished do
        let mutable inner = 0
        let mutable innerDone = false
        while not innerDone do
            use _ = torch.NewDisposeScope()
            let v = x - atxi * sc sigma
            let keep = v.abs().gt(sc (sigma * mu))
            let px = soft v (sigma * mu)
            let idx = keep.nonzero().squeeze(1L)
            let k = int idx.shape.[0]
            // With more than n/2 columns kept the Newton system is the n×n one, which needs A_J only for a
            // new Gram matrix; the gradient is then A prox (zero off J), one pass over A, where gathering
            // the columns took about twice as long (819×8192: 7.2 ms against 3.9 ms on one thread).
            let dense = k > n / 2
            let columns () = a.index_select(1L, idx)
            /// A_J A_Jᵀ, n×n.
            let columnGram () =
                let aJ = columns ()
                aJ.mm(aJ.T)
            let aJ = if dense then null else columns ()
            let grad = Torch.add xi bt - (if dense then a.mv(px) else aJ.mv(px.index_select(0L, idx)))
            let gn = num (grad.norm())
            if not (Double.IsFinite gn) then
                broken <- true
                innerDone <- true
            elif gn <= (1.0 + bn) * max 1e-12 (1e-2 * 0.2 ** float outer) || inner >= 50 || newton >= 400 then
                innerDone <- true
            else
                let d =
                    if not dense then
                        // Woodbury: (I + σ A_J A_Jᵀ)⁻¹ g = g − A_J (I/σ + A_JᵀA_J)⁻¹ A_Jᵀ g.
                        // A_JᵀA_J + I/σ, the diagonal added in place (the same values as adding an identity
                        // matrix, without making and adding one).
                        let small = aJ.T.mm(aJ)
                        Torch.addScalarInPlace (small.diagonal()) (sc (1.0 / sigma)) |> ignore
                        let struct (chol, _) = torch.linalg.cholesky_ex(small, false)
                        let w = torch.cholesky_solve(aJ.T.mv(grad).unsqueeze(1L), chol, false).squeeze(1L)
                        (grad - aJ.mv(w)).neg()
                    else
                        if isNull gram then
                            gram <- columnGram().MoveToOuterDisposeScope()
                        else
                            let entered = keep.logical_and(previous.logical_not()).nonzero().squeeze(1L)
                            let left = previous.logical_and(keep.logical_not()).nonzero().squeeze(1L)
                            if entered.shape.[0] + left.shape.[0] >= int64 k then
                                gram.copy_(columnGram ()) |> ignore
                            else
                                let aIn = a.index_select(1L, entered)
                                let aOut = a.index_select(1L, left)
                                (Torch.addInPlace gram (aIn.mm(aIn.T))).sub_(aOut.mm(aOut.T)) |> ignore
                        if not (isNull previous) then previous.Dispose()
                        previous <- keep.MoveToOuterDisposeScope()
                        let h = gram * sc sigma
                        Torch.addScalarInPlace (h.diagonal()) (sc 1.0) |> ignore
                        let struct (chol, _) = torch.linalg.cholesky_ex(h, false)
                        torch.cholesky_solve(grad.neg().unsqueeze(1L), chol, false).squeeze(1L)
                if not dense && not (isNull gram) then
                    gram.Dispose()
                    gram <- null
                    previous.Dispose()
                    previous <- null
                newton <- newton + 1
                // Backtracking (Armijo) on ψ(ξ) = ½‖ξ‖² + ⟨b, ξ⟩ + ‖prox(x − σAᵀξ)‖²/(2σ) + const.
                let atd = a.T.mv(d)
                let psi0 = 0.5 * num (xi.dot(xi)) + num (bt.dot(xi)) + num (px.dot(px)) / (2.0 * sigma)
                let slope = num (grad.dot(d))
                let mutable t = 1.0
                let mutable accepted = not (Double.IsFinite slope) || slope >= 0.0
                if accepted then broken <- true
                while not accepted do
                    let xt = Torch.add xi (d * sc t)
                    let pt = soft (x - Torch.add atxi (atd * sc t) * sc sigma) (sigma * mu)
                    let psi = 0.5 * num (xt.dot(xt)) + num (bt.dot(xt)) + num (pt.dot(pt)) / (2.0 * sigma)
                    if psi <= psi0 + 1e-4 * t * slope || t < 1e-10 then accepted <- true else t <- t * 0.5
                if broken then innerDone <- true
                else
                    Torch.addInPlace xi (d * sc t) |> ignore
                    Torch.addInPlace atxi (atd * sc t) |> ignore
                    inner <- inner + 1
        if broken then finished <- true
        else
            let xNew = soft (x - atxi * sc sigma) (sigma * mu)
            x.Dispose()
            x <- xNew
            // Relative gaps of the primal iterate (its own dual point θr) and of the scaled dual iterate −θξ.
            let r = bt - a.mv(x)
            let g = a.T.mv(r)
            let rr, l1, sg = num (r.dot(r)), num (x.abs().sum()), num (x.dot(g))
            let p = rr + lambda * l1
            let gmax = num (g.abs().max())
            let theta = if gmax > mu then mu / gmax else 1.0
            let primalGap = (lambda * l1 - 2.0 * theta * sg + (1.0 - theta) * (1.0 - theta) * rr) / p
            let xmax = num (atxi.abs().max())
            let thetaD = if xmax > mu then mu / xmax else 1.0
            let u = xi * sc (-thetaD)
            let bu = bt - u
            let dual = bb - num (bu.dot(bu)) // 2 D(u)
            let dualGap = (p - dual) / p
            if not (Double.IsFinite p && Double.IsFinite primalGap) then broken <- true
            if broken || min primalGap dualGap <= 1e-2 || outer >= 11 || newton >= 400 then finished <- true
            sigma <- sigma * 5.0
            outer <- outer + 1
    if broken then None
    else
        let values = x.data<float>().ToArray()
        let support =
            [| 0 .. m - 1 |] |> Array.filter (fun j -> values.[j] <> 0.0) |> Array.sortByDescending (fun j -> abs values.[j])
        let support = Array.truncate n support
        if support.Length = 0 then None
        else
            let k = support.Length
            let aS = a.index_select(1L, torch.tensor(Array.map int64 support, device = device))
            let gS = aS.T.mm(aS)
            let struct (chol, info) = torch.linalg.cholesky_ex(gS, false)
            let factor =
                if info.item<int> () <> 0 then null
                else
                    let f = chol.cpu().data<float>().ToArray()
                    let w = gS.diagonal().cpu().data<float>().ToArray()
                    // As the incremental insertion's test: each column keeps 1e-8 of its squared norm.
                    if Array.forall (fun i -> f.[i * k + i] * f.[i * k + i] > 1e-8 * w.[i]) [| 0 .. k - 1 |] then f else null
            Some { Support = support; Values = support |> Array.map (fun j -> values.[j]); Factor = factor }

/// Solves the problems of a batch on the host (in parallel); returns the certified ones. Problems
/// that share their design matrix (the compress step's case: one \(\Theta\) expanded over the batch)
/// share one host copy of it and its transpose. Problems small enough to start from zero run on the
/// thread pool. Those with a Newton start run one problem at a time per worker thread, as many workers
/// as the caller's intra-op threads, each worker with one intra-op thread; with one such thread, or one
/// problem, the starts run on the calling thread, also on one intra-op thread. So a problem's answer is
/// the same to the bit whatever its batch-mates and the thread setting (before, a start on two intra-op
/// threads rounded differently from one on one). Measured on two cores: the compress step at width 2048
/// took 0.19–0.21 s against 0.28–0.30 s with the starts one after another on two intra-op threads, at
/// 8192 4.5–4.7 s against 5.4 s; a lone start at 8192 takes about 2.5 s against 1.9 s on two threads.
let private solveOnHost (options: Options) (a: torch.Tensor) (y: torch.Tensor) : (float[] * Diagnostics) option[] =
    let b, n, m = int a.shape.[0], int a.shape.[1], int a.shape.[2]
    // An expanded Θ (stride 0 over the batch) is copied once, not b times.
    let expanded = b > 1 && a.stride(0) = 0L
    let av =
        if expanded then
            use first = a.[0L]
            Torch.toArray first
        else Torch.toArray a
    let yv = Torch.toArray y
    let size = n * m
    let shared =
        let mutable same = true
        let mutable i = 1
        while same && not expanded && i < b do
            same <- ReadOnlySpan<float>(av, 0, size).SequenceEqual(ReadOnlySpan<float>(av, i * size, size))
            i <- i + 1
        same
    let offset i = if shared then 0 else i * size
    let transpose i = Array.init size (fun k -> av.[offset i + (k % n) * m + k / n]) // Aᵢᵀ, row-major m×n
    let sharedT = if shared then transpose 0 else null
    let results = Array.create b None
    /// The active-set method on problem i from the given start; certified results are kept.
    let finish i (warm: WarmStart option) =
        let at = if shared then sharedT else transpose i
        let yi = Array.sub yv (i * n) n
        let aty = Array.init m (fun j -> dot at (j * n) yi 0 n)
        let s, p, rel, steps =
            try hostActiveSet options.Lambda options.RelativeGap (min options.ActiveSetSteps options.MaxIterations) n m av (offset i) at aty yi warm
            with :? InvalidOperationException -> [||], nan, nan, 0 // overflow: the device path reports it
        if rel <= options.RelativeGap && Double.IsFinite p then
            results.[i] <- Some(s, { Objective = p; RelativeGap = rel; Iterations = steps; Converged = true })
    if n < newtonStartMeasurements then
        Threading.Tasks.Parallel.For(0, b, fun i -> finish i None) |> ignore
    else
        /// Problem i's matrix as a host tensor (n×m).
        let hostMatrix i =
            use _ = torch.NewDisposeScope()
            torch.tensor(ReadOnlySpan<float>(av, offset i, size).ToArray(), dtype = torch.float64).reshape(int64 n, int64 m).MoveToOuterDisposeScope()
        // One host tensor of a shared matrix serves every problem (read only); otherwise one per problem.
        use sharedMatrix = if shared then hostMatrix 0 else null
        /// Problem i's Newton start, on one intra-op thread (a worker's, or the caller's set to one).
        let start i =
            use _ = torch.NewDisposeScope()
            let ai = if shared then sharedMatrix else hostMatrix i
            // Only a start: if the Newton iteration fails in any way the method starts from zero.
            try newtonStart options.Lambda ai (Array.sub yv (i * n) n) with _ -> None
        let threads = torch.get_num_threads ()
        let workers = min b threads
        if workers < 2 then
            // One problem (or one intra-op thread): its start on one intra-op thread too, so that a
            // problem's answer does not depend on its batch-mates or on the thread setting.
            torch.set_num_threads 1
            let warm = try Array.init b start finally torch.set_num_threads threads
            Threading.Tasks.Parallel.For(0, b, fun i -> finish i warm.[i]) |> ignore
        else
            // The workers take the next problem until none is left, or until one of them has failed.
            let next = ref -1
            let failed = ref false
            onOwnThreads "dtc-lasso-host" workers (fun _ ->
                let mutable i = Threading.Interlocked.Increment(&next.contents)
                while i < b && not failed.Value do
                    try finish i (start i)
                    with _ ->
                        failed.Value <- true
                        reraise ()
                    i <- Threading.Interlocked.Increment(&next.contents))
    results

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
let solveOnDevice (options: Options) (a: torch.Tensor) (y: torch.Tensor) : Solution =
    checkInputs options a y
    solveChunked options a y

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
/// either way.</summary>
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
/// let sol = Lasso.solve { Lasso.Options.defaults with RelativeGap = 1e-8 } theta y
/// use codes = sol.Coefficients
/// </code></example>
let solve (options: Options) (a: torch.Tensor) (y: torch.Tensor) : Solution =
    checkInputs options a y
    let b, n, m = int a.shape.[0], int a.shape.[1], int a.shape.[2]
    let host = options.ComputeInFloat64 && options.Lambda > 0.0 && options.ActiveSetSteps > 0 && b > 0 && n > 0 && m > 0 && n <= hostMeasurements
    if not host then solveChunked options a y
    else
        use scope = torch.NewDisposeScope()
        let solved = solveOnHost options a y
        if solved |> Array.exists Option.isNone then
            // Some problem was not certified on the host (rare): the device path for the whole batch,
            // so that its messages name problems by their index in the batch.
            let sol = solveChunked options a y
            { sol with Coefficients = sol.Coefficients.MoveToOuterDisposeScope() }
        else
            let s, d = solved |> Array.map Option.get |> Array.unzip
            let flat = torch.tensor(Array.concat s, dtype = torch.float64).reshape(int64 b, int64 m)
            { Coefficients = flat.``to``(a.dtype, a.device).MoveToOuterDisposeScope(); Diagnostics = d }

/// <summary>Solves one LASSO problem \( \min_s \|A s - y\|_2^2 + \lambda \|s\|_1 \) (a batch of one).</summary>
/// <param name="options">Solver settings; start from <c>Options.defaults</c> (λ = 0.3, relative gap 1e-6).</param>
/// <param name="a">The design matrix, n×m.</param>
/// <param name="y">The target, length n.</param>
/// <returns>The coefficients (length m, owned by the caller) and their diagnostics.</returns>
let solveOne (options: Options) (a: torch.Tensor) (y: torch.Tensor) : torch.Tensor * Diagnostics =
    Torch.init ()
    Torch.requireRank "a" 2 a
    Torch.requireRank "y" 1 y
    use _ = torch.NewDisposeScope()
    let sol = solve options (a.unsqueeze(0L)) (y.unsqueeze(0L))
    sol.Coefficients.squeeze(0L).MoveToOuterDisposeScope(), sol.Diagnostics.[0]
