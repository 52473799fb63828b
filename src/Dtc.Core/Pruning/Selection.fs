/// <summary>
/// Which hidden units to keep: how many (the count is fixed first, independent of ties) and which
/// (the paper's rule, the conventional rule, or a seeded random choice).
/// </summary>
/// <remarks>
/// The supplement keeps the units whose |score| is strictly below NumPy's linear <c>quantile</c> of
/// |score| at the kept fraction. For distinct scores that keeps \(\lceil \mathrm{keep}\,(m-1) \rceil\)
/// units (51 → 45, 11 → 9), giving the schedule 512, 460, 414, 372, 334, …, 13, 11, 9. An exact LASSO
/// solution has many tied zero scores, with which the strict rule would keep nothing, so Dtc fixes the
/// count first and breaks ties by unit index.
/// </remarks>
module Dtc.Pruning.Selection

open System

/// <summary>How many units to keep.</summary>
type CountRule =
    /// <summary>\(\lceil \mathrm{keep}\,(m-1) \rceil\): what the paper's strict-quantile rule keeps on distinct scores.</summary>
    | PaperQuantile
    /// <summary>\(\lceil \mathrm{keep}\, m \rceil\): the fraction of the layer, rounded up.</summary>
    | Fraction

/// <summary>Which units to keep.</summary>
type Rule =
    /// <summary>The smallest |score| (the paper's rule: it removes the largest scores). Ties: lower index first.</summary>
    | KeepSmallest
    /// <summary>The largest |score| (conventional magnitude pruning). Ties: lower index first.</summary>
    | KeepLargest
    /// <summary>A seeded random choice, <c>np.random.seed(seed); np.random.choice(m, k, replace=False)</c>
    /// as the supplement draws it (the order is NumPy's, not sorted).</summary>
    | Random of seed: int64

/// <summary>Parses <c>smallest</c> (paper), <c>largest</c> or <c>random</c> (with the given seed).</summary>
/// <param name="seed">The seed used for <c>random</c>.</param>
/// <param name="name">The name.</param>
/// <returns>The rule.</returns>
let parse (seed: int64) (name: string) : Rule =
    match (if isNull name then "" else name.Trim().ToLowerInvariant()) with
    | "smallest" | "paper" -> KeepSmallest
    | "largest" | "conventional" -> KeepLargest
    | "random" -> Random seed
    | _ -> invalidArg (nameof name) (sprintf "Expecting a selection rule smallest, largest or random but received \"%s\"" name)

/// <summary>\(\lceil x \rceil\), except that a value within a few ulps of a whole number is taken as that
/// number (so 0.9 × 10 = 9.000000000000002 counts as 9).</summary>
/// <param name="x">A non-negative value.</param>
/// <returns>The guarded ceiling.</returns>
let guardedCeiling (x: float) : int =
    let r = Math.Round x
    if abs (x - r) <= 8.0 * Double.Epsilon + 4.0 * abs x * (Math.BitIncrement 1.0 - 1.0) then int r
    else int (ceil x)

/// <summary>The number of units kept out of m.</summary>
/// <param name="rule">The count rule (paper: PaperQuantile).</param>
/// <param name="keep">The kept fraction in [0, 1] (paper: 0.9).</param>
/// <param name="m">The number of units, at least 0.</param>
/// <returns>The kept count, between 0 and m.</returns>
let keptCount (rule: CountRule) (keep: float) (m: int) : int =
    if Double.IsNaN keep || keep < 0.0 || keep > 1.0 then
        invalidArg (nameof keep) (sprintf "Expecting a kept fraction in [0, 1] but received %g" keep)
    if m < 0 then invalidArg (nameof m) (sprintf "Expecting a non-negative number of units but received %d" m)
    let k =
        match rule with
        | PaperQuantile -> guardedCeiling (keep * float (max 0 (m - 1)))
        | Fraction -> guardedCeiling (keep * float m)
    min m (max 0 k)

/// <summary>The widths a hidden layer goes through: it starts at <paramref name="width"/> and each cycle
/// keeps <c>keptCount</c> units, until it is at most <paramref name="stop"/>.</summary>
/// <param name="rule">The count rule.</param>
/// <param name="keep">The kept fraction (paper: 0.9).</param>
/// <param name="stop">The stop size (paper: 10).</param>
/// <param name="width">The initial width (paper: 512).</param>
/// <returns>The widths after each cycle (the paper: 460, 414, …, 11, 9: 34 cycles).</returns>
let schedule (rule: CountRule) (keep: float) (stop: int) (width: int) : int list =
    if keep >= 1.0 then invalidArg (nameof keep) (sprintf "Expecting a kept fraction below 1 for a finite schedule but received %g" keep)
    let rec go w acc =
        if w <= stop then List.rev acc
        else
            let k = keptCount rule keep w
            if k >= w then List.rev acc else go k (k :: acc)
    go width []

/// <summary>Selects k units from their scores.</summary>
/// <param name="rule">Which units (paper: KeepSmallest for its CS and magnitude methods).</param>
/// <param name="k">How many to keep (see <see cref="M:Dtc.Pruning.Selection.keptCount(Dtc.Pruning.Selection.CountRule,System.Double,System.Int32)"/>).</param>
/// <param name="scores">One score per unit; NaN scores are rejected.</param>
/// <returns>The kept unit indices: ascending for the score rules, NumPy's order for Random.</returns>
let select (rule: Rule) (k: int) (scores: float[]) : int[] =
    let m = scores.Length
    if k < 0 || k > m then invalidArg (nameof k) (sprintf "Expecting a kept count between 0 and %d but received %d" m k)
    match scores |> Array.tryFindIndex Double.IsNaN with
    | Some i -> invalidArg (nameof scores) (sprintf "Expecting finite scores but received NaN at unit %d" i)
    | None -> ()
    let byMagnitude descending =
        let order = Array.init m id
        let key i = abs scores.[i]
        // Stable sort on |score| with the index as tie-breaker: deterministic under ties.
        let sorted =
            if descending then order |> Array.sortWith (fun a b -> match compare (key b) (key a) with 0 -> compare a b | c -> c)
            else order |> Array.sortWith (fun a b -> match compare (key a) (key b) with 0 -> compare a b | c -> c)
        sorted.[.. k - 1] |> Array.sort
    match rule with
    | KeepSmallest -> byMagnitude false
    | KeepLargest -> byMagnitude true
    | Random seed -> Dtc.Runtime.NumPyRandom.choice seed m k

/// <summary>The paper's selection taken literally: the indices whose |score| is strictly below NumPy's
/// linear quantile of |score| at <paramref name="keep"/> (can keep fewer units, even none, under ties).</summary>
/// <param name="keep">The quantile level (paper: 0.9).</param>
/// <param name="scores">The scores.</param>
/// <returns>The indices, ascending.</returns>
let strictQuantile (keep: float) (scores: float[]) : int[] =
    if scores.Length = 0 then [||]
    else
        let a = scores |> Array.map abs
        let sorted = Array.sort a
        let n = float a.Length
        // NumPy 1.22+ 'linear' method: virtual index n·q + (1 − q) − 1, and a lerp taken from the
        // upper neighbour when the fraction is at least 0.5.
        let h = n * keep + (1.0 + keep * -1.0) - 1.0
        let lo = max 0 (min (a.Length - 1) (int (floor h)))
        let hi = min (lo + 1) (a.Length - 1)
        let t = h - floor h
        let d = sorted.[hi] - sorted.[lo]
        let q = if t >= 0.5 then sorted.[hi] - d * (1.0 - t) else sorted.[lo] + d * t
        [| for i in 0 .. a.Length - 1 do if a.[i] < q then yield i |]
