/// <summary>
/// The batched tensor kernels of the LASSO's device path: products with the design matrix (one per
/// problem, or one shared \(\Theta\)), the reduced systems of the active-set method and the polish.
/// All tensors are on one device and dtype; results belong to the caller's dispose scope.
/// </summary>
module internal Dtc.Sensing.LassoKernels

open System
open TorchSharp
open Dtc.Runtime

type private Tensor = torch.Tensor

/// The settings the solver paths read (the public <c>Lasso.Options</c>, field for field).
type Settings =
    { Lambda: float
      RelativeGap: float
      MaxIterations: int
      ActiveSetSteps: int
      CheckEvery: int
      PolishSteps: int
      ComputeInFloat64: bool }

/// What a solver path reports per problem (the public <c>Lasso.Diagnostics</c>, field for field).
[<Struct>]
type Outcome =
    { Objective: float
      RelativeGap: float
      Iterations: int
      Converged: bool }

/// The Scalars one function hands to native calls, disposed together when it returns. A Scalar made by
/// `ToScalar()` and dropped at once can be finalized, on another thread, while the native call that reads
/// it still runs (TorchSharp 0.107's dispose scopes do not take Scalars); held here, each lives until the
/// function is done.
type Scalars() =
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
let apply (a: Tensor) (s: Tensor) = a.bmm(s.unsqueeze(-1L)).squeeze(-1L)

/// \(A^\top r\) for a batch: b×n×m, b×n → b×m.
let applyT (a: Tensor) (r: Tensor) = a.transpose(1L, 2L).bmm(r.unsqueeze(-1L)).squeeze(-1L)

let tiny (dtype: torch.ScalarType) = if dtype = torch.float64 then 1e-300 else 1e-30

/// 1 − v for a 0/1 slot mask v (a new tensor): the slots not in use.
let complement (sc: float -> Scalar) (v: Tensor) = Torch.addScalarInPlace (v.neg()) (sc 1.0)

/// The reduced Gram matrices on the valid slots and the identity on the others: \(G \odot v v^	op + \mathrm{diag}(1 - v)\).
let maskedGram (sc: float -> Scalar) (gram: Tensor) (valid: Tensor) =
    Torch.add (gram * valid.unsqueeze(2L) * valid.unsqueeze(1L)) (torch.diag_embed(complement sc valid))

/// The design matrices of the problems the device path iterates on: one per problem (b×n×m), or one
/// n×m matrix that every problem shares (with its transpose, m×n contiguous). DTC's problems share it:
/// both sides of a cycle, and layers of the same width, are measured by the same Φ in the same basis
/// Ψ. Shared, the products over the batch are matrix products that read the matrix once, and the
/// batch's state does not hold b copies of it. (Gathering the reduced systems' matrices from one Gram
/// matrix AᵀA instead of multiplying the gathered columns was measured slower on the CPU.)
type Design =
    | PerProblem of Tensor
    | Shared of a: Tensor * at: Tensor

/// \(A s\) for every problem: b×m → b×n.
let designApply (d: Design) (s: Tensor) =
    match d with
    | PerProblem a -> apply a s
    | Shared(_, at) -> s.mm(at) // the contiguous transpose, faster than a.t()

/// \(A^\top r\) for every problem: b×n → b×m.
let designApplyT (d: Design) (r: Tensor) =
    match d with
    | PerProblem a -> applyT a r
    | Shared(a, _) -> r.mm(a)

/// The columns of A at the given indices (b×k), as rows: b×k×n.
let designColumns (d: Design) (index: Tensor) =
    let ba, k = index.shape.[0], index.shape.[1]
    match d with
    | PerProblem a -> a.gather(2L, index.unsqueeze(1L).expand(ba, a.shape.[1], k)).transpose(1L, 2L)
    | Shared(_, at) -> at.index_select(0L, index.reshape(-1L)).view(ba, k, at.shape.[1])

/// \(A_S^\top A_S\) for the columns at the given indices (b×k): b×k×k.
let designGram (d: Design) (index: Tensor) =
    let columns = designColumns d index
    columns.bmm(columns.transpose(1L, 2L))

/// The sums of the certificate per problem, b each: \(\|r\|^2\), \(\|s\|_1\), \(s^\top g\) and
/// \(\|g\|_\infty\), with \(r = y - As\) and \(g = A^\top r\) (see <c>LassoCertificate.ofSums</c>).
let certificateSums (a: Design) (y: Tensor) (s: Tensor) : Tensor =
    let r = y - designApply a s
    let g = designApplyT a r
    torch.stack([| (r * r).sum(1L); s.abs().sum(1L); (s * g).sum(1L); g.abs().amax([| 1L |]) |])

/// Relative KKT residual of least squares: \(\|A^\top(As - y)\|_\infty / \max(\|A^\top y\|_\infty, \text{tiny})\).
let kktResidual (a: Tensor) (y: Tensor) (s: Tensor) : Tensor =
    use scalars = new Scalars()
    let sc = scalars.Of
    let num = applyT a (apply a s - y) |> fun g -> g.abs().amax([| 1L |])
    let den = (applyT a y).abs().amax([| 1L |]).clamp_min(sc (tiny s.dtype))
    num / den

/// Active-set polish of a batch of iterates x (see the module remarks). Rows where the reduced
/// system cannot be formed or solved come back unchanged.
let polish (lambda: float) (steps: int) (a: Design) (y: Tensor) (atyAll: Tensor) (x: Tensor) : Tensor =
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

/// The lower Cholesky factors of \(A_S^\top A_S\) on the valid slots (identity on the others); a tiny
/// ridge is used where the factorisation fails.
let reducedFactor (a: Design) (slots: Tensor) (valid: Tensor) : Tensor =
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
let solveWithFactor (lambda: float) (factor: Tensor) (aty: Tensor) (slots: Tensor) (valid: Tensor) (sigma: Tensor) : Tensor =
    use scalars = new Scalars()
    let sc = scalars.Of
    let rhs = (aty.gather(1L, slots) - sigma * sc (lambda / 2.0)) * valid
    torch.cholesky_solve(rhs.unsqueeze(-1L), factor, false).squeeze(-1L) * valid
