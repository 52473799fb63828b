/// <summary>
/// The semismooth Newton augmented Lagrangian start (Li, Sun and Toh 2018) of the LASSO's host active-set
/// method: a rough solution that identifies the support, so the exact method needs few steps.
/// </summary>
module internal Dtc.Sensing.LassoNewton

open System
open TorchSharp
open Dtc.Runtime
open Dtc.Sensing.LassoKernels

type private Tensor = torch.Tensor

/// A starting point of the host active-set method: columns (at most n, linearly independent), their
/// values (signs taken from them) and, when available, the lower Cholesky factor of \(A_S^\top A_S\)
/// (row-major k×k).
type WarmStart =
    { Support: int[]
      Values: float[]
      Factor: float[] }

/// Problems with at least this many measurements start the host active-set method from a semismooth
/// Newton augmented Lagrangian estimate (below); smaller ones start from zero, which is cheaper there.
let newtonStartMeasurements = 128

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
let newtonStart (lambda: float) (a: Tensor) (b: float[]) : WarmStart option =
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
            // the columns took about twice as long.
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
            let struct (p, gapP) = LassoCertificate.ofSums lambda rr l1 sg (num (g.abs().max()))
            let primalGap = gapP / p
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
