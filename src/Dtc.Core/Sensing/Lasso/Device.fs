/// <summary>
/// The LASSO's device path: the batched primal active-set method, then FISTA with restarts and
/// polishing, on the tensors' device (see the remarks of <c>Dtc.Sensing.Lasso</c>).
/// </summary>
[<RequireQualifiedAccess>]
module internal Dtc.Sensing.LassoDevice

open System
open TorchSharp
open Dtc.Runtime
open Dtc.Sensing.LassoKernels

type private Tensor = torch.Tensor

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

/// The problems' design: `a` is one n×m matrix every problem shares (rank 2) or one per problem (b×n×m).
let private isShared (a: Tensor) = a.Dimensions = 2L

/// Solves a batch of independent LASSO problems, already checked: see the XML docs of the public
/// `Lasso.solve`. `a` is one shared n×m matrix or b×n×m; `y` is b×n. `first` is the index of the batch's
/// first problem in the caller's batch (for messages). Returns the b×m coefficients (in `a`'s dtype, owned
/// by the caller) and one outcome per problem.
let solveBatch (first: int) (options: Settings) (a: Tensor) (y: Tensor) : Tensor * Outcome[] =
    use scalars = new Scalars()
    let sc = scalars.Of
    let b, n, m = int y.shape.[0], a.shape.[a.shape.Length - 2], a.shape.[a.shape.Length - 1]
    use scope = torch.NewDisposeScope()
    let work = if options.ComputeInFloat64 then torch.float64 else a.dtype
    let device = a.device
    // The whole batch in the working precision, only where it is used (a shared matrix converts one copy).
    let aw = lazy (if isShared a then a.detach().to_type(work).unsqueeze(0L).expand(int64 b, n, m) else a.detach().to_type(work))
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
                isShared a || b = 1 || a.stride(0) = 0L
                || (use head = a.narrow(0L, 0L, 1L).expand_as(a)
                    use same = a.eq(head).all()
                    same.item<bool>())
            if shared then
                let a0 = (if isShared a then a.detach() else a.detach().select(0L, 0L)).to_type(work).contiguous()
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
        let sharedHost = lazy (match design with Shared(a0, _) -> Torch.toArray a0 | PerProblem _ -> null)

        /// The compensated relative gap (`LassoCertificate.accurate`) of the problem at position i, at the
        /// point in row i of `point`, on the host.
        let accurateGap (i: int) (point: Tensor) =
            use _ = torch.NewDisposeScope()
            let ah = match st.A with Shared _ -> sharedHost.Force() | PerProblem a -> Torch.toArray (a.[int64 i])
            let struct (p, gap) = LassoCertificate.accurate lambda (int n) (int m) ah 0 (Torch.toArray st.Y.[int64 i]) 0 (Torch.toArray point.[int64 i]) 0
            LassoCertificate.relative small p gap

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
            let sums = certificateSums st.A st.Y x
            let c, sumsC =
                if phaseOne then x, sums
                else
                    let c = polish lambda options.PolishSteps st.A st.Y st.Aty x
                    c, certificateSums st.A st.Y c
            let host = torch.cat([| sums; sumsC |]) |> Torch.toArray2D
            /// Objective and relative gap of the point whose sums are in rows `row` .. `row` + 3.
            let certificate row i =
                let struct (p, gap) = LassoCertificate.ofSums lambda host.[row, i] host.[row + 1, i] host.[row + 2, i] host.[row + 3, i]
                p, LassoCertificate.relative small p gap
            let finite v = not (Double.IsNaN v || Double.IsInfinity v)
            let takeC = Array.zeroCreate ba
            let better = Array.zeroCreate ba
            let finished = ResizeArray<int>()
            for i in 0 .. ba - 1 do
                let pi, ri = certificate 0 i
                let pci, rci = certificate 4 i
                if not (finite pi && finite ri) then
                    raise (ArithmeticException(sprintf "Lasso.solve: the iterate of problem %d became non-finite after %d iterations (objective %g)" (int64 first + st.Index.[i]) iteration pi))
                let useC = finite pci && finite rci && rci <= ri
                takeC.[i] <- useC
                better.[i] <- not phaseOne && finite pci && pci < pi
                let pBest, rBest = if useC then pci, rci else pi, ri
                // A float64 gap within the tolerance is claimed only when the compensated one confirms it.
                let accurate = if rBest <= tol then accurateGap i (if useC then c else x) else rBest
                let confirmed = rBest <= tol && accurate <= tol
                if confirmed || final then
                    finished.Add i
                    diags.[int st.Index.[i]] <-
                        { Objective = pBest; RelativeGap = (if confirmed then rBest else max rBest accurate)
                          Iterations = iteration; Converged = confirmed }
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
    best.to_type(a.dtype).MoveToOuterDisposeScope(), diags

/// The device path for a batch (`a` shared n×m or b×n×m, `y` b×n). On the CPU a batch is split into one
/// contiguous chunk per intra-op thread, each solved on a thread of its own with one intra-op thread (a
/// per-thread setting): on the paper's sizes the batched operations are small, their time goes to
/// per-operation overhead and to synchronising the intra-op threads, which a second core does not shorten,
/// while independent chunks keep every core busy. On other devices the batch is solved whole. The chunks'
/// results are those of the batch solved whole up to rounding (a chunk's matrix products may sum in another
/// order). No tensor crosses threads: each chunk hands back its coefficients as an array. The inputs are
/// checked already, for the whole batch, so that a message names a problem by its index in it.
let solveChunked (options: Settings) (a: Tensor) (y: Tensor) : Tensor * Outcome[] =
    let b = int y.shape.[0]
    let parts = if a.device_type = DeviceType.CPU then min (torch.get_num_threads ()) b else 1
    if parts < 2 then solveBatch 0 options a y
    else
        let bounds = Array.init (parts + 1) (fun p -> p * b / parts)
        let solved : (float[] * Outcome[])[] = Array.zeroCreate parts
        Threads.onOwnThreads "dtc-lasso" parts (fun p ->
            let first, count = bounds.[p], bounds.[p + 1] - bounds.[p]
            use ap = if isShared a then a.alias () else a.narrow(0L, int64 first, int64 count)
            use yp = y.narrow(0L, int64 first, int64 count)
            let c, outcomes = solveBatch first options ap yp
            use c = c
            solved.[p] <- (Torch.toArray c, outcomes))
        use flat = torch.tensor(solved |> Array.collect fst, dtype = torch.float64)
        use shaped = flat.reshape(int64 b, a.shape.[a.shape.Length - 1])
        shaped.``to``(a.dtype, a.device, true), solved |> Array.collect snd
