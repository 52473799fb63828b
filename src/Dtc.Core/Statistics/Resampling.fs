/// <summary>
/// The statistics of a multi-seed sweep: percentile-bootstrap confidence intervals, the paired t
/// test, Holm's step-down adjustment, the R² of an ordinary least-squares fit (and its gain when a
/// variable is added) and a permutation test that shuffles only within groups.
/// </summary>
/// <remarks>
/// Pure functions over arrays; every random draw comes from one NumPy legacy
/// <c>RandomState(seed)</c> (<see cref="T:Dtc.Runtime.NumPyRandom.Stream"/>) with the seed a
/// parameter, so resamples and permutations are bit-identical to NumPy's. Reference values are
/// NumPy, <c>scipy.stats.ttest_rel</c> and statsmodels (<c>multipletests</c>, <c>OLS</c>) in the
/// test fixtures.
/// </remarks>
module Dtc.Statistics.Resampling

open System
open System.Text.Json.Serialization
open MathNet.Numerics.Distributions
open Dtc.Runtime

/// <summary>A confidence interval and how it was computed.</summary>
type Interval =
    { /// <summary>The statistic on the original sample (e.g. the mean); NaN when undefined.</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      Estimate: float
      /// <summary>The lower bound; NaN when fewer than two values or no finite resampled statistic.</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      Lower: float
      /// <summary>The upper bound; NaN as <c>Lower</c>.</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      Upper: float
      /// <summary>The confidence level, e.g. 0.95.</summary>
      Level: float
      /// <summary>The number of resamples drawn.</summary>
      Resamples: int
      /// <summary>The seed of the NumPy legacy stream.</summary>
      Seed: int64
      /// <summary>A sentence saying how the interval was computed, e.g. <c>"percentile bootstrap
      /// over 10 values, 2000 resamples, seed 20260523"</c>.</summary>
      Method: string }

/// <summary>A paired t test (two-sided).</summary>
type TTest =
    { /// <summary>The mean of the differences \( a_i - b_i \).</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      MeanDifference: float
      /// <summary>The t statistic \( \bar d / (s_d / \sqrt N) \); NaN or ±∞ as documented on <c>pairedT</c>.</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      T: float
      /// <summary>The degrees of freedom \( N - 1 \).</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      DegreesOfFreedom: float
      /// <summary>The two-sided p-value; NaN as documented on <c>pairedT</c>.</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      PValue: float
      /// <summary>The number of complete pairs used.</summary>
      N: int }

/// <summary>A permutation test's result.</summary>
type PermutationTest =
    { /// <summary>The statistic on the unpermuted data.</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      Observed: float
      /// <summary>The two-sided p-value \( (1 + \#\{b : |s_b| \ge |s_{obs}|\}) / (1 + B) \); NaN
      /// when the observed statistic is NaN.</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      PValue: float
      /// <summary>The number of permutations \( B \).</summary>
      Permutations: int
      /// <summary>The seed of the NumPy legacy stream.</summary>
      Seed: int64
      /// <summary>A sentence saying how the test was computed.</summary>
      Method: string }

let private checkCount (name: string) (what: string) (value: int) =
    if value < 1 then invalidArg name (sprintf "Expecting %s of at least 1 but received %d" what value)

let private checkLevel (level: float) =
    if not (level > 0.0 && level < 1.0) then
        invalidArg (nameof level) (sprintf "Expecting a confidence level strictly between 0 and 1 but received %g" level)

let private checkSameLength (name: string) (reference: string) (expected: int) (actual: float[]) =
    if isNull actual then nullArg name
    if actual.Length <> expected then
        invalidArg name (sprintf "Expecting %s of the same length as %s (%d) but received %d" name reference expected actual.Length)

/// <summary>Bootstrap resamples as indices: the values of
/// <c>np.random.RandomState(seed).randint(0, n, size=(resamples, n))</c>, row by row, bit-identical
/// to NumPy.</summary>
/// <param name="resamples">The number of resamples (rows), at least 1.</param>
/// <param name="seed">The seed, between 0 and \(2^{32}-1\).</param>
/// <param name="n">The sample size (columns), at least 1.</param>
/// <returns><c>resamples</c> arrays of <c>n</c> indices in \( [0, n) \).</returns>
/// <example><code>let rows = Resampling.bootstrapIndices 2000 20260523L 10</code></example>
let bootstrapIndices (resamples: int) (seed: int64) (n: int) : int[][] =
    checkCount (nameof resamples) "resamples" resamples
    checkCount (nameof n) "a sample size" n
    let rs = NumPyRandom.Stream seed
    Array.init resamples (fun _ -> rs.Randint(n, n))

/// <summary>A percentile-bootstrap confidence interval of any statistic of a sample of size
/// <c>n</c>: the statistic of each resample (<see cref="M:Dtc.Statistics.Resampling.bootstrapIndices(System.Int32,System.Int64,System.Int32)"/>)
/// and the percentiles \( 100(1 - \mathrm{level})/2 \) and \( 100(1 + \mathrm{level})/2 \) of
/// those statistics, as <c>np.percentile</c> (linear interpolation).</summary>
/// <remarks>Resampled statistics that are NaN are dropped before the percentiles, and
/// <c>Method</c> says how many. With fewer than two values (or no resampled statistic left) the
/// bounds are NaN and nothing is drawn.</remarks>
/// <param name="resamples">The number of resamples, at least 1 (2000 is usual).</param>
/// <param name="seed">The seed of the NumPy legacy stream, between 0 and \(2^{32}-1\).</param>
/// <param name="level">The confidence level, strictly between 0 and 1 (e.g. 0.95).</param>
/// <param name="statistic">The statistic of a sample given as indices into it (with repeats).</param>
/// <param name="n">The sample size (non-negative).</param>
/// <returns>The estimate <c>statistic [|0 .. n-1|]</c>, the bounds and how they were computed.</returns>
/// <example><code>
/// let median (i: int[]) = ...
/// let ci = Resampling.bootstrap 2000 20260523L 0.95 median values.Length
/// </code></example>
let bootstrap (resamples: int) (seed: int64) (level: float) (statistic: int[] -> float) (n: int) : Interval =
    checkCount (nameof resamples) "resamples" resamples
    checkLevel level
    if isNull (box statistic) then nullArg (nameof statistic)
    if n < 0 then invalidArg (nameof n) (sprintf "Expecting a non-negative sample size but received %d" n)
    if seed < 0L || seed > int64 UInt32.MaxValue then
        invalidArg (nameof seed) (sprintf "Expecting a seed between 0 and 2^32 - 1 (as NumPy's legacy seeding) but received %d" seed)
    let estimate = statistic (Array.init n id)
    let described = sprintf "percentile bootstrap over %d values, %d resamples, seed %d" n resamples seed
    let interval lower upper how =
        { Estimate = estimate; Lower = lower; Upper = upper; Level = level
          Resamples = resamples; Seed = seed; Method = how }
    if n < 2 then interval nan nan (described + sprintf "; no interval from fewer than 2 values")
    else
        let stats = bootstrapIndices resamples seed n |> Array.map statistic
        let kept = stats |> Array.filter (fun s -> not (Double.IsNaN s)) |> Array.sort
        let dropped = stats.Length - kept.Length
        let how = if dropped = 0 then described else described + sprintf "; %d NaN resampled statistics dropped" dropped
        if kept.Length = 0 then interval nan nan how
        else interval (Quantile.percentile kept (100.0 * (1.0 - level) / 2.0)) (Quantile.percentile kept (100.0 * (1.0 + level) / 2.0)) how

/// <summary>A percentile-bootstrap confidence interval of the mean of the finite values (NaN and
/// infinite values are dropped first; <c>Method</c> says how many).</summary>
/// <param name="resamples">The number of resamples, at least 1.</param>
/// <param name="seed">The seed of the NumPy legacy stream, between 0 and \(2^{32}-1\).</param>
/// <param name="level">The confidence level, strictly between 0 and 1.</param>
/// <param name="values">The sample.</param>
/// <returns>The mean, its interval and how it was computed; NaN bounds when fewer than two
/// finite values remain (and a NaN estimate when none does).</returns>
/// <example><code>let ci = Resampling.bootstrapMean 2000 20260523L 0.95 accuracies</code></example>
let bootstrapMean (resamples: int) (seed: int64) (level: float) (values: float[]) : Interval =
    if isNull values then nullArg (nameof values)
    let finite = values |> Array.filter Double.IsFinite
    let mean (indices: int[]) =
        if indices.Length = 0 then nan
        else
            let mutable s = 0.0
            for i in indices do s <- s + finite.[i]
            s / float indices.Length
    let ci = bootstrap resamples seed level mean finite.Length
    let dropped = values.Length - finite.Length
    { ci with
        Method =
            ci.Method.Replace("percentile bootstrap over", "percentile bootstrap of the mean over")
            + (if dropped > 0 then sprintf "; %d non-finite values dropped" dropped else "") }

/// <summary>The two-sided paired t test of <c>scipy.stats.ttest_rel(a, b)</c> on the pairs where
/// neither value is NaN: \( t = \bar d / (s_d / \sqrt N) \) with \( d_i = a_i - b_i \),
/// \( N - 1 \) degrees of freedom.</summary>
/// <remarks>With fewer than two pairs, <c>T</c> and <c>PValue</c> are NaN. When every difference is
/// the same (zero variance) and that difference is zero, both are NaN; when it is not zero, <c>T</c>
/// is ±∞ and <c>PValue</c> 0, as SciPy returns. Constant differences are detected exactly, so
/// rounding in the mean cannot turn them into a huge finite t.</remarks>
/// <param name="a">The first measurement of each pair.</param>
/// <param name="b">The second measurement, same length.</param>
/// <returns>The mean difference, t, degrees of freedom, p-value and the number of pairs.</returns>
let pairedT (a: float[]) (b: float[]) : TTest =
    if isNull a then nullArg (nameof a)
    checkSameLength (nameof b) (nameof a) a.Length b
    let d = [| for i in 0 .. a.Length - 1 do if not (Double.IsNaN a.[i] || Double.IsNaN b.[i]) then yield a.[i] - b.[i] |]
    let n = d.Length
    let mean = if n = 0 then nan else Array.average d
    let df = float (n - 1)
    if n < 2 then { MeanDifference = mean; T = nan; DegreesOfFreedom = (if n = 0 then nan else df); PValue = nan; N = n }
    elif d |> Array.forall (fun v -> v = d.[0]) then
        let t = if d.[0] = 0.0 then nan else float (sign d.[0]) * infinity
        { MeanDifference = d.[0]; T = t; DegreesOfFreedom = df; PValue = (if Double.IsNaN t then nan else 0.0); N = n }
    else
        let mutable ss = 0.0
        for v in d do ss <- ss + (v - mean) * (v - mean)
        let t = mean / sqrt (ss / df / float n)
        let p =
            if Double.IsNaN t then nan
            else Math.Min(1.0, 2.0 * StudentT.CDF(0.0, 1.0, df, -(abs t)))
        { MeanDifference = mean; T = t; DegreesOfFreedom = df; PValue = p; N = n }

/// <summary>Holm's step-down adjusted p-values, as statsmodels'
/// <c>multipletests(p, method="holm")[1]</c>: sorted ascending, \( \tilde p_{(k)} =
/// \min(1, \max_{j \le k} (m - j + 1)\, p_{(j)}) \).</summary>
/// <param name="pValues">Raw p-values in \( [0, 1] \) or NaN; NaN values stay NaN and do not count
/// in the number of tests \( m \).</param>
/// <returns>The adjusted p-values, in the input's order.</returns>
let holm (pValues: float[]) : float[] =
    if isNull pValues then nullArg (nameof pValues)
    for p in pValues do
        if not (Double.IsNaN p || (p >= 0.0 && p <= 1.0)) then
            invalidArg (nameof pValues) (sprintf "Expecting p-values between 0 and 1 (or NaN) but received %g" p)
    let order =
        [| 0 .. pValues.Length - 1 |]
        |> Array.filter (fun i -> not (Double.IsNaN pValues.[i]))
        |> Array.sortBy (fun i -> pValues.[i]) // ties get equal adjusted values whatever their order
    let m = order.Length
    let adjusted = Array.create pValues.Length nan
    let mutable running = 0.0
    for k in 0 .. m - 1 do
        running <- Math.Max(running, float (m - k) * pValues.[order.[k]])
        adjusted.[order.[k]] <- Math.Min(1.0, running)
    adjusted

/// <summary>The coefficient of determination of an ordinary least-squares fit with an intercept,
/// as statsmodels' <c>OLS(y, add_constant(X)).fit().rsquared</c>: \( R^2 = 1 - \mathrm{SSR} /
/// \sum (y_i - \bar y)^2 \).</summary>
/// <remarks>Rows where <c>y</c> or any column is not finite are left out. The fit projects the
/// centred <c>y</c> on the centred columns by modified Gram–Schmidt with reorthogonalisation;
/// a column that adds no direction (collinear, or constant) is skipped, as a pseudo-inverse
/// would.</remarks>
/// <param name="y">The response.</param>
/// <param name="columns">The regressors, one array per column, each as long as <c>y</c> (may be empty).</param>
/// <returns>\( R^2 \); NaN when fewer than two complete rows remain or <c>y</c> is constant on them.</returns>
let rSquared (y: float[]) (columns: float[][]) : float =
    if isNull y then nullArg (nameof y)
    if isNull columns then nullArg (nameof columns)
    columns |> Array.iteri (fun j c ->
        if isNull c then nullArg (nameof columns)
        if c.Length <> y.Length then
            invalidArg (nameof columns) (sprintf "Expecting column %d of the same length as y (%d) but received %d" j y.Length c.Length))
    let rows = [| for i in 0 .. y.Length - 1 do if Double.IsFinite y.[i] && columns |> Array.forall (fun c -> Double.IsFinite c.[i]) then yield i |]
    let n = rows.Length
    let centred (v: float[]) =
        let w = rows |> Array.map (fun i -> v.[i])
        let mean = Array.average w
        w |> Array.map (fun x -> x - mean)
    if n < 2 then nan
    else
        let yc = centred y
        let tss = yc |> Array.sumBy (fun v -> v * v)
        if tss = 0.0 then nan
        else
            let dot (u: float[]) (v: float[]) =
                let mutable s = 0.0
                for i in 0 .. u.Length - 1 do s <- s + u.[i] * v.[i]
                s
            let subtractProjections (basis: ResizeArray<float[]>) (v: float[]) =
                for _ in 1 .. 2 do
                    for q in basis do
                        let c = dot q v
                        for i in 0 .. v.Length - 1 do v.[i] <- v.[i] - c * q.[i]
            let basis = ResizeArray<float[]>()
            for c in columns do
                let v = centred c
                let norm0 = sqrt (dot v v)
                subtractProjections basis v
                let norm = sqrt (dot v v)
                if norm0 > 0.0 && norm > 1e-12 * norm0 && basis.Count < n - 1 then
                    basis.Add(v |> Array.map (fun x -> x / norm))
            let residual = Array.copy yc
            subtractProjections basis residual
            1.0 - dot residual residual / tss

/// <summary>The gain in \( R^2 \) when a variable is added to a one-covariate fit:
/// \( R^2(y \sim 1 + \mathrm{covariate} + \mathrm{added}) - R^2(y \sim 1 + \mathrm{covariate}) \),
/// both fitted on the rows where all three are finite.</summary>
/// <param name="y">The response.</param>
/// <param name="covariate">The covariate kept in both fits, same length.</param>
/// <param name="added">The variable added, same length.</param>
/// <returns>\( \Delta R^2 \); NaN as <c>rSquared</c>.</returns>
let deltaRSquared (y: float[]) (covariate: float[]) (added: float[]) : float =
    if isNull y then nullArg (nameof y)
    checkSameLength (nameof covariate) (nameof y) y.Length covariate
    checkSameLength (nameof added) (nameof y) y.Length added
    let keep = [| for i in 0 .. y.Length - 1 do if Double.IsFinite y.[i] && Double.IsFinite covariate.[i] && Double.IsFinite added.[i] then yield i |]
    let pick (v: float[]) = keep |> Array.map (fun i -> v.[i])
    let y, covariate, added = pick y, pick covariate, pick added
    rSquared y [| covariate; added |] - rSquared y [| covariate |]

/// <summary>A two-sided permutation test that permutes items only within their group. Items are
/// 0 … N−1; each permutation is an index map <c>map</c> (the item whose value goes to position
/// <c>i</c> is <c>map[i]</c>) that keeps every item in its group.</summary>
/// <remarks>Generation, bit-identical to NumPy: one legacy <c>RandomState(seed)</c>; for each
/// permutation, for each distinct group label in ascending order, the group's item indices in
/// ascending order are shuffled as <c>members[rs.permutation(len(members))]</c>. The p-value is
/// \( (1 + \#\{b : |s_b| \ge |s_{obs}|\}) / (1 + B) \); a NaN permuted statistic counts as not
/// extreme, and a NaN observed statistic gives a NaN p-value.</remarks>
/// <param name="permutations">The number of permutations \( B \), at least 1.</param>
/// <param name="seed">The seed of the NumPy legacy stream, between 0 and \(2^{32}-1\).</param>
/// <param name="groups">The group label of each item (at least one item).</param>
/// <param name="statistic">The statistic of an index map; the identity map gives the observed value.</param>
/// <returns>The observed statistic, the p-value and how it was computed.</returns>
/// <example><code>
/// let r (map: int[]) = (Correlation.pearson (map |> Array.map (fun i -> x.[i])) y).Coefficient
/// let test = Resampling.withinGroupPermutation 9999 20260523L seedOfRun r
/// </code></example>
let withinGroupPermutation (permutations: int) (seed: int64) (groups: int[]) (statistic: int[] -> float) : PermutationTest =
    checkCount (nameof permutations) "permutations" permutations
    if isNull groups then nullArg (nameof groups)
    if groups.Length = 0 then invalidArg (nameof groups) "Expecting at least one item but received none"
    if isNull (box statistic) then nullArg (nameof statistic)
    let rs = NumPyRandom.Stream seed
    let n = groups.Length
    let members =
        [| 0 .. n - 1 |]
        |> Array.groupBy (fun i -> groups.[i])
        |> Array.sortBy fst
        |> Array.map (fun (_, items) -> Array.sort items)
    let observed = statistic (Array.init n id)
    let mutable extreme = 0
    for _ in 1 .. permutations do
        let map = Array.init n id
        for items in members do
            let p = rs.Permutation items.Length
            for j in 0 .. items.Length - 1 do
                map.[items.[j]] <- items.[p.[j]]
        let s = statistic map
        if abs s >= abs observed then extreme <- extreme + 1
    let p = if Double.IsNaN observed then nan else float (1 + extreme) / float (1 + permutations)
    { Observed = observed
      PValue = p
      Permutations = permutations
      Seed = seed
      Method =
        sprintf "two-sided permutation test within %d groups of %d items, %d permutations, seed %d"
            members.Length n permutations seed }
