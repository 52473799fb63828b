/// <summary>
/// LOWESS (locally weighted scatterplot smoothing, Cleveland 1979) exactly as statsmodels'
/// <c>sm.nonparametric.lowess(endog, exog, frac, it, delta)</c> computes it: local linear fits with
/// tricube weights over the \( k = \lfloor \mathit{frac}\cdot n + 10^{-10} \rfloor \) nearest
/// neighbours (clamped to \( [2, n] \)), then <c>it</c> robustifying passes with bisquare weights of
/// the residuals scaled by six times their median. The paper smooths its accuracy curves with
/// <c>frac = 0.3</c>.
/// </summary>
/// <remarks>
/// Ties in x: like statsmodels, the data are ordered by NumPy's default <c>np.argsort</c>
/// (introsort, not stable for more than 16 points), tied points share the fit of the first of them
/// in that order, and which tied y values enter a neighbourhood that cuts through a run of ties
/// depends on that order; <see cref="M:Dtc.Statistics.Lowess.sortOrder(System.Double[])"/> reproduces
/// NumPy 1.24's order so the results agree there too. Pairs where x or y is NaN or infinite are
/// dropped before fitting (statsmodels' <c>missing='drop'</c>).
/// </remarks>
module Dtc.Statistics.Lowess

open System

/// <summary>Settings of a LOWESS smoother.</summary>
type Settings =
    { /// <summary>The fraction of the data in each local fit, in \( [0, 1] \); default 0.3 (the
      /// paper's; statsmodels' own default is 2/3).</summary>
      Frac: float
      /// <summary>The number of robustifying iterations (statsmodels' <c>it</c>); default 3.</summary>
      Iterations: int
      /// <summary>Points closer than this in x to the last fitted point are linearly interpolated
      /// instead of fitted; default 0 (fit every point).</summary>
      Delta: float }

/// <summary>The default settings: <c>{ Frac = 0.3; Iterations = 3; Delta = 0.0 }</c>, the paper's.</summary>
let defaults : Settings = { Frac = 0.3; Iterations = 3; Delta = 0.0 }

// NumPy orders NaN last: a < b, or b is NaN and a is not.
let inline private less (a: float) (b: float) = a < b || (b <> b && a = a)

// NumPy's aheapsort on tosort.[start .. start + n - 1] (1-based heap indexing).
let private heapsortIndices (v: float[]) (tosort: int[]) (start: int) (count: int) =
    let a i = tosort.[start + i - 1]
    let set i value = tosort.[start + i - 1] <- value
    let sift (top: int) (n: int) (tmp: int) =
        let mutable i = top
        let mutable j = top * 2
        let mutable go = true
        while go && j <= n do
            if j < n && less v.[a j] v.[a (j + 1)] then j <- j + 1
            if less v.[tmp] v.[a j] then
                set i (a j)
                i <- j
                j <- j + j
            else go <- false
        set i tmp
    let mutable l = count >>> 1
    while l > 0 do
        sift l count (a l)
        l <- l - 1
    let mutable n = count
    while n > 1 do
        let tmp = a n
        set n (a 1)
        n <- n - 1
        sift 1 n tmp

/// <summary>The permutation that sorts <c>x</c> ascending, exactly as NumPy 1.24's default
/// <c>np.argsort(x)</c> (introsort: median-of-three quicksort, insertion sort below 17 elements,
/// heapsort past a depth limit); NaN sorts last. Tied values therefore come in NumPy's order, which
/// is not always their input order.</summary>
/// <param name="x">The values.</param>
/// <returns>Indices into <c>x</c> in ascending order of value.</returns>
let sortOrder (x: float[]) : int[] =
    if isNull x then nullArg (nameof x)
    let v = x
    let idx = Array.init x.Length id
    let num = x.Length
    if num > 1 then
        let swap i j =
            let t = idx.[i]
            idx.[i] <- idx.[j]
            idx.[j] <- t
        let msb =
            let mutable u = num
            let mutable d = 0
            u <- u >>> 1
            while u > 0 do
                d <- d + 1
                u <- u >>> 1
            d
        let stack = Collections.Generic.Stack<int * int * int>()
        let mutable pl = 0
        let mutable pr = num - 1
        let mutable cdepth = msb * 2
        let mutable fin = false
        while not fin do
            if cdepth < 0 then
                heapsortIndices v idx pl (pr - pl + 1)
            else
                while pr - pl > 16 do
                    let pm = pl + ((pr - pl) >>> 1)
                    if less v.[idx.[pm]] v.[idx.[pl]] then swap pm pl
                    if less v.[idx.[pr]] v.[idx.[pm]] then swap pr pm
                    if less v.[idx.[pm]] v.[idx.[pl]] then swap pm pl
                    let vp = v.[idx.[pm]]
                    let mutable pi = pl
                    let mutable pj = pr - 1
                    swap pm pj
                    let mutable go = true
                    while go do
                        pi <- pi + 1
                        while less v.[idx.[pi]] vp do pi <- pi + 1
                        pj <- pj - 1
                        while less vp v.[idx.[pj]] do pj <- pj - 1
                        if pi >= pj then go <- false else swap pi pj
                    swap pi (pr - 1)
                    // Keep the smaller partition, push the larger one.
                    cdepth <- cdepth - 1
                    if pi - pl < pr - pi then
                        stack.Push((pi + 1, pr, cdepth))
                        pr <- pi - 1
                    else
                        stack.Push((pl, pi - 1, cdepth))
                        pl <- pi + 1
                // Insertion sort of the small partition.
                for i in pl + 1 .. pr do
                    let vi = idx.[i]
                    let value = v.[vi]
                    let mutable j = i
                    while j > pl && less value v.[idx.[j - 1]] do
                        idx.[j] <- idx.[j - 1]
                        j <- j - 1
                    idx.[j] <- vi
            if stack.Count = 0 then fin <- true
            else
                let l, r, d = stack.Pop()
                pl <- l
                pr <- r
                cdepth <- d
    idx

let private validate (settings: Settings) =
    if not (settings.Frac >= 0.0 && settings.Frac <= 1.0) then
        invalidArg (nameof settings) (sprintf "Expecting Frac in [0, 1] but received %g" settings.Frac)
    if settings.Iterations < 0 then
        invalidArg (nameof settings) (sprintf "Expecting Iterations >= 0 but received %d" settings.Iterations)
    if not (settings.Delta >= 0.0 && Double.IsFinite settings.Delta) then
        invalidArg (nameof settings) (sprintf "Expecting a finite Delta >= 0 but received %g" settings.Delta)

// numpy.median of a copy.
let private median (v: float[]) =
    let s = Array.sort v
    let n = s.Length
    if n % 2 = 1 then s.[n / 2] else (s.[n / 2 - 1] + s.[n / 2]) / 2.0

/// <summary>LOWESS on data already sorted by x (ascending, finite), as statsmodels' compiled
/// routine: the fitted values in the same order, and the robustness weights of the last pass.</summary>
/// <param name="settings">Frac, iterations and delta; <see cref="P:Dtc.Statistics.Lowess.defaults"/>
/// is <c>{ Frac = 0.3; Iterations = 3; Delta = 0.0 }</c>.</param>
/// <param name="x">The x values, sorted ascending, finite (not checked for order).</param>
/// <param name="y">The y values, same length, finite.</param>
/// <returns>The fitted values at each x and the final bisquare robustness weights (all 1 when no
/// robustifying pass ran).</returns>
let fitPresorted (settings: Settings) (x: float[]) (y: float[]) : float[] * float[] =
    validate settings
    if isNull x then nullArg (nameof x)
    if isNull y then nullArg (nameof y)
    if x.Length <> y.Length then
        invalidArg (nameof y) (sprintf "Expecting y of the same length as x (%d) but received %d" x.Length y.Length)
    let n = x.Length
    if n = 0 then invalidArg (nameof x) "Expecting at least one observation but received none"
    let k = int (settings.Frac * float n + 1e-10) |> max 2 |> min n
    let delta = settings.Delta
    let fitted = Array.zeroCreate<float> n
    let weights = Array.zeroCreate<float> n
    let mutable robust = Array.create n 1.0
    let mutable pass = 0
    let mutable stop = false
    while not stop && pass <= settings.Iterations do
        Array.fill fitted 0 n 0.0
        let mutable i = 0
        let mutable lastFit = -1
        let mutable left = 0
        let mutable right = k
        let mutable finished = false
        while not finished do
            let xval = x.[i]
            // Slide the window of k neighbours right while xval is past the middle of its ends.
            while right < n && xval > (x.[left] + x.[right]) / 2.0 do
                left <- left + 1
                right <- right + 1
            let radius = Math.Max(xval - x.[left], x.[right - 1] - xval)
            // Tricube weights times robustness weights.
            let mutable sum = 0.0
            let mutable nonzero = 0
            for j in left .. right - 1 do
                let d = abs (x.[j] - xval) / radius
                let c = 1.0 - d * d * d
                let w = c * c * c * robust.[j]
                weights.[j] <- w
                sum <- sum + w
                if w > 1e-12 then nonzero <- nonzero + 1
            if nonzero < 2 then fitted.[i] <- y.[i]
            else
                let mutable mean = 0.0
                for j in left .. right - 1 do
                    weights.[j] <- weights.[j] / sum
                    mean <- mean + weights.[j] * x.[j]
                let mutable spread = 0.0
                for j in left .. right - 1 do
                    let dx = x.[j] - mean
                    spread <- spread + weights.[j] * (dx * dx)
                let spread = Math.Max(spread, 1e-12)
                let mutable acc = 0.0
                for j in left .. right - 1 do
                    let p = weights.[j] * (1.0 + (xval - mean) * (x.[j] - mean) / spread)
                    acc <- acc + p * y.[j]
                fitted.[i] <- acc
            // Points skipped within delta are interpolated linearly.
            if lastFit < i - 1 then
                let denominator = x.[i] - x.[lastFit]
                for j in lastFit + 1 .. i - 1 do
                    let a = (x.[j] - x.[lastFit]) / denominator
                    fitted.[j] <- a * fitted.[i] + (1.0 - a) * fitted.[lastFit]
            // Next point to fit: copy the fit to ties, jump to the last point within delta.
            lastFit <- i
            let cut = x.[lastFit] + delta
            let mutable kk = lastFit
            let mutable j = lastFit + 1
            let mutable scan = true
            while scan && j < n do
                kk <- j
                if x.[j] > cut then scan <- false
                else
                    if x.[j] = x.[lastFit] then
                        fitted.[j] <- fitted.[lastFit]
                        lastFit <- j
                    j <- j + 1
            i <- max (kk - 1) (lastFit + 1)
            if lastFit >= n - 1 then finished <- true
        // Robustness weights from the residuals.
        let residuals = Array.init n (fun j -> abs (y.[j] - fitted.[j]))
        let m = median residuals
        if m <= 1e-7 then stop <- true
        else
            let scale = 6.0 * m
            robust <-
                residuals
                |> Array.map (fun r ->
                    let u = Math.Min(r / scale, 1.0)
                    let t = 1.0 - u * u
                    t * t)
            pass <- pass + 1
    fitted, robust

let private finitePairs (x: float[]) (y: float[]) =
    if isNull x then nullArg (nameof x)
    if isNull y then nullArg (nameof y)
    if x.Length <> y.Length then
        invalidArg (nameof y) (sprintf "Expecting y of the same length as x (%d) but received %d" x.Length y.Length)
    let keep = [| for i in 0 .. x.Length - 1 do if Double.IsFinite x.[i] && Double.IsFinite y.[i] then yield i |]
    if keep.Length = 0 then
        invalidArg (nameof x) "Expecting at least one pair with finite x and y but received none"
    keep

// Fits the finite pairs; returns their indices in sorted order, sorted x and fitted values.
let private run (settings: Settings) (x: float[]) (y: float[]) =
    validate settings
    let keep = finitePairs x y
    let xs = Array.map (fun i -> x.[i]) keep
    let order = sortOrder xs |> Array.map (fun j -> keep.[j])
    let sx = Array.map (fun i -> x.[i]) order
    let sy = Array.map (fun i -> y.[i]) order
    let fitted, _ = fitPresorted settings sx sy
    order, sx, fitted

/// <summary>Smooths y against x and returns the fitted values aligned with the input order, as
/// statsmodels' <c>lowess(y, x, frac, it, delta, return_sorted=False)</c>: element \( i \) is the
/// fit at \( x_i \), NaN where \( x_i \) or \( y_i \) is not finite (those pairs are dropped
/// before fitting).</summary>
/// <param name="settings">Frac, iterations and delta; <see cref="P:Dtc.Statistics.Lowess.defaults"/>
/// is <c>{ Frac = 0.3; Iterations = 3; Delta = 0.0 }</c>.</param>
/// <param name="x">The x values (any order).</param>
/// <param name="y">The y values, same length.</param>
/// <returns>The fitted values, one per input pair, in input order.</returns>
/// <example><code>
/// let smoothed = Lowess.fit Lowess.defaults fractionRemoved accuracy
/// </code></example>
let fit (settings: Settings) (x: float[]) (y: float[]) : float[] =
    let order, _, fitted = run settings x y
    let result = Array.create x.Length nan
    order |> Array.iteri (fun r i -> result.[i] <- fitted.[r])
    result

/// <summary>Smooths y against x and returns the sorted x with their fitted values, as
/// statsmodels' <c>lowess(y, x, frac, it, delta)</c> (its two columns; <c>return_sorted=True</c>).
/// Pairs with a non-finite x or y are dropped.</summary>
/// <param name="settings">Frac, iterations and delta; <see cref="P:Dtc.Statistics.Lowess.defaults"/>
/// is <c>{ Frac = 0.3; Iterations = 3; Delta = 0.0 }</c>.</param>
/// <param name="x">The x values (any order).</param>
/// <param name="y">The y values, same length.</param>
/// <returns>The finite x values in ascending order and the fitted value at each.</returns>
let fitSorted (settings: Settings) (x: float[]) (y: float[]) : float[] * float[] =
    let _, sx, fitted = run settings x y
    sx, fitted
