/// <summary>
/// The LASSO's host path: the primal active-set method per problem in managed float64 arrays, the
/// problems in parallel (see the remarks of <c>Dtc.Sensing.Lasso</c>).
/// </summary>
[<RequireQualifiedAccess>]
module internal Dtc.Sensing.LassoHost

open System
open System.Runtime.Intrinsics
open TorchSharp
open Dtc.Runtime
open Dtc.Sensing.LassoKernels
open Dtc.Sensing.LassoNewton

type private Tensor = torch.Tensor

// Host path for small problems: the same primal active-set method, per problem in managed float64
// arrays (problems in parallel). On the paper's sizes (n ≤ 51 measurements, m ≤ 512) a step costs a
// few microseconds here against about a millisecond of tensor-operation overhead on any device, so
// problems with n ≤ hostMeasurements are first solved on the host and copied back; a problem the host
// does not certify within ActiveSetSteps steps goes through the device path. Written by hand: MathNet
// has no LASSO, and its dense Cholesky would allocate per step.

/// Problems with at most this many measurements are solved on the host first.
let hostMeasurements = 1024

/// Steps of iterative refinement the host method may take per problem (see `refine`).
let private maxRefinements = 4

/// Dot product of x[xo .. xo+len) and y[yo .. yo+len), vectorised in four lanes whatever the machine's
/// vector width (Vector256 computes lane by lane, in hardware or not), the lanes summed in a fixed order:
/// the same bits on every machine.
let dot (x: float[]) (xo: int) (y: float[]) (yo: int) (len: int) =
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

/// The primal active-set method (Osborne, Presnell and Turlach) on one problem, with the Cholesky
/// factor of \(A_S^\top A_S\) updated as columns enter (a forward substitution) and leave (Givens
/// rotations), so a step costs O(k²) plus, at a reduced optimum only, O(nm) for the correlations.
/// `at` is Aᵀ row-major (m×n: column j of A contiguous); `aty` is Aᵀy. `warm` (or None) gives a start:
/// its columns enter with the signs of their values and the method first moves towards the reduced
/// solution (sign changes dropping columns), so every start ends at the same optimum.
/// Returns the coefficients, the objective, the relative gap and the steps.
let hostActiveSet (lambda: float) (tol: float) (maxSteps: int) (n: int) (m: int) (a: float[]) (aOffset: int) (at: float[]) (aty: float[]) (y: float[]) (warm: WarmStart option) =
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
        // Overflow gives NaN: never certified here.
        let struct (p, gap) = LassoCertificate.ofSums lambda rr l1 sg gmax
        p, LassoCertificate.relative LassoCertificate.Tiny64 p gap
    /// The compensated relative gap of the current point (`LassoCertificate.accurate`).
    let accurateGap () =
        let struct (p, gap) = LassoCertificate.accurate lambda n m a aOffset y 0 s 0
        LassoCertificate.relative LassoCertificate.Tiny64 p gap
    /// Solves \((A_S^\top A_S) z = b\) with the factor, b given per active position, into z.
    let solveFactor (k: int) (b: int -> float) =
        for p in 0 .. k - 1 do
            let row = p * cap
            let mutable v = b p
            for q in 0 .. p - 1 do v <- v - l.[row + q] * z.[q]
            z.[p] <- v / l.[row + p]
        let mutable p = k - 1
        while p >= 0 do
            let mutable v = z.[p]
            for q in p + 1 .. k - 1 do v <- v - l.[q * cap + p] * z.[q]
            z.[p] <- v / l.[p * cap + p]
            p <- p - 1
    /// One step of iterative refinement of the reduced solution, with the residual in double-double:
    /// \(s_S \leftarrow s_S + (A_S^\top A_S)^{-1}(A_S^\top r - \tfrac{\lambda}{2}\sigma)\). At a large
    /// scale of y against λ the float64 reduced solution leaves a gap near the tolerance; refined, the
    /// coefficients are as accurate as float64 holds them.
    let refine () =
        let rHi, rLo = LassoCertificate.residual n m a aOffset y 0 s 0
        let rd = Array.init n (fun i -> rHi.[i] + rLo.[i])
        let k = active.Count
        solveFactor k (fun p -> dot at (active.[p] * n) rd 0 n - half * sigma.[p])
        for p in 0 .. k - 1 do
            let j = active.[p]
            s.[j] <- s.[j] + z.[p]
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
    let mutable refinements = 0
    /// Certifies the current point (a reduced optimum): the float64 gap, and when it is within the
    /// tolerance the compensated one, which must confirm it (the float64 figure is then reported).
    let certify () =
        correlations ()
        let p, rel = certificate ()
        objective <- p
        relGap <- if rel <= tol then (let accurate = accurateGap () in if accurate <= tol then rel else max rel accurate) else rel
    while not finished do
        // The correlations Aᵀr (the step's O(nm) part) are needed only at a reduced optimum, to certify
        // or to choose the entering column; after a drop the next step needs only the factor.
        if atOptimum then certify ()
        let entering =
            if not atOptimum || relGap <= tol || active.Count >= cap then -1
            else
                let mutable best, bestJ = half * (1.0 + 1e-12), -1
                for j in 0 .. m - 1 do
                    if not inSet.[j] && abs g.[j] > best then
                        best <- abs g.[j]
                        bestJ <- j
                bestJ
        if atOptimum && entering < 0 && relGap > tol && Double.IsFinite relGap && active.Count > 0
           && refinements < maxRefinements && steps < maxSteps then
            // No column violates the optimality conditions, yet the gap is not certified: rounding.
            refine ()
            refinements <- refinements + 1
            steps <- steps + 1
        elif (atOptimum && entering < 0) || steps >= maxSteps then
            // λ ≥ λ_max (within 1e-12): zero is optimal by the KKT conditions; gap 0 as on the device path.
            if active.Count = 0 && atOptimum && steps = 0 && Double.IsFinite relGap then relGap <- 0.0
            if not atOptimum then certify ()
            finished <- true
        else
            if atOptimum then
                addColumn false entering |> ignore
                active.Add entering
                sigma.Add(float (sign g.[entering]))
                inSet.[entering] <- true
            let k = active.Count
            // Reduced system (A_Sᵀ A_S) z = A_Sᵀ y − λ/2 σ by the factor.
            solveFactor k (fun p -> aty.[active.[p]] - half * sigma.[p])
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

/// share one host copy of it and its transpose. Problems small enough to start from zero run on the
/// thread pool. Those with a Newton start run one problem at a time per worker thread, as many workers
/// as the caller's intra-op threads, each worker with one intra-op thread; with one such thread, or one
/// problem, the starts run on the calling thread, also on one intra-op thread. So a problem's answer is
/// the same to the bit whatever its batch-mates and the thread setting. `a` is one n×m matrix every
/// problem shares (rank 2) or b×n×m; `y` is b×n.
let solveOnHost (options: Settings) (a: Tensor) (y: Tensor) : (float[] * Outcome) option[] =
    let b, n, m = int y.shape.[0], int a.shape.[a.shape.Length - 2], int a.shape.[a.shape.Length - 1]
    // A shared Θ (given as such, or expanded with stride 0 over the batch) is copied once, not b times.
    let expanded = a.Dimensions = 2L || (b > 1 && a.stride(0) = 0L)
    let av =
        if a.Dimensions = 2L then Torch.toArray a
        elif expanded then
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
            Threads.onOwnThreads "dtc-lasso-host" workers (fun _ ->
                let mutable i = Threading.Interlocked.Increment(&next.contents)
                while i < b && not failed.Value do
                    try finish i (start i)
                    with _ ->
                        failed.Value <- true
                        reraise ()
                    i <- Threading.Interlocked.Increment(&next.contents))
    results
