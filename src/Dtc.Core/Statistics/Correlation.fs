/// <summary>
/// Pearson, Spearman and partial correlation with two-sided p-values, matching
/// <c>scipy.stats.pearsonr</c> and <c>scipy.stats.spearmanr</c> (computed with MathNet.Numerics).
/// The paper correlates the Gibbs entropy of the measurements with the LOWESS-smoothed accuracy.
/// </summary>
/// <remarks>
/// Missing values: the plain functions (<c>pearson</c>, <c>spearman</c>, <c>partial</c>) return
/// NaN for the coefficient and the p-value when any input is NaN (SciPy's <c>spearmanr</c> does the
/// same; SciPy 1.10's <c>pearsonr</c> raises). The <c>…Complete</c> functions first drop every
/// observation that holds a NaN (pairwise-complete) and then compute on the rest.
/// Constant inputs give NaN for both numbers, as in SciPy. Fewer than two observations is an
/// error; with exactly two, Pearson's coefficient is the sign of the slope with p-value 1 (SciPy),
/// Spearman's p-value is NaN (no degrees of freedom).
/// </remarks>
/// <namespacedoc><summary>Statistics: correlations, LOWESS, quantiles and resampling, each matching SciPy or statsmodels.</summary></namespacedoc>
module Dtc.Statistics.Correlation

open System
open System.Text.Json.Serialization
open MathNet.Numerics.Distributions
open MathNet.Numerics.LinearAlgebra

type private MathNetCorrelation = MathNet.Numerics.Statistics.Correlation

/// <summary>A correlation coefficient with its two-sided p-value.</summary>
type Estimate =
    { /// <summary>The correlation coefficient in \( [-1, 1] \), or NaN (written to JSON as <c>"NaN"</c>).</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      Coefficient: float
      /// <summary>The two-sided p-value of the null hypothesis of no correlation, or NaN (written
      /// to JSON as <c>"NaN"</c>).</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      PValue: float
      /// <summary>The number of observations used.</summary>
      N: int }

let private nanEstimate n = { Coefficient = nan; PValue = nan; N = n }

let private check (x: float[]) (y: float[]) =
    if isNull x then nullArg (nameof x)
    if isNull y then nullArg (nameof y)
    if x.Length <> y.Length then
        invalidArg (nameof y) (sprintf "Expecting y of the same length as x (%d) but received %d" x.Length y.Length)
    if x.Length < 2 then
        invalidArg (nameof x) (sprintf "Expecting at least 2 observations but received %d" x.Length)

let private isConstant (v: float[]) = v |> Array.forall (fun a -> a = v.[0])

let private hasNaN (v: float[]) = v |> Array.exists Double.IsNaN

/// <summary>The two-sided p-value of a correlation coefficient \( r \) with \( \nu \) degrees of
/// freedom: \( t = r \sqrt{\nu / ((1 + r)(1 - r))} \), \( p = 2\,F_{\nu}(-|t|) \) with
/// \( F_\nu \) Student's t distribution.</summary>
/// <param name="r">The coefficient.</param>
/// <param name="df">The degrees of freedom \( \nu \) (\( n - 2 \) for Pearson and Spearman,
/// \( n - 2 - k \) for a partial correlation on \( k \) covariates).</param>
/// <returns>The p-value; 0 when \( |r| = 1 \), NaN when \( r \) is NaN or \( \nu \le 0 \).</returns>
let pValue (r: float) (df: float) : float =
    if Double.IsNaN r || Double.IsNaN df || df <= 0.0 then nan
    elif abs r >= 1.0 then 0.0
    else
        let t = r * sqrt (df / ((1.0 + r) * (1.0 - r)))
        Math.Min(1.0, 2.0 * StudentT.CDF(0.0, 1.0, df, -(abs t)))

let private clamp (r: float) = if Double.IsNaN r then r else Math.Max(-1.0, Math.Min(1.0, r))

/// <summary>Pearson's correlation \( r = \frac{\sum (x_i - \bar x)(y_i - \bar y)}{\sqrt{\sum (x_i - \bar x)^2 \sum (y_i - \bar y)^2}} \)
/// with the two-sided p-value of <c>scipy.stats.pearsonr</c> (Student t, \( n - 2 \) degrees of
/// freedom).</summary>
/// <param name="x">The first variable (at least 2 values).</param>
/// <param name="y">The second variable, same length.</param>
/// <returns>Coefficient, p-value and n; NaN for both when an input holds NaN or is constant;
/// for \( n = 2 \) the sign of the slope with p-value 1, as SciPy.</returns>
let pearson (x: float[]) (y: float[]) : Estimate =
    check x y
    let n = x.Length
    if hasNaN x || hasNaN y || isConstant x || isConstant y then nanEstimate n
    elif n = 2 then
        { Coefficient = float (sign (x.[1] - x.[0]) * sign (y.[1] - y.[0])); PValue = 1.0; N = n }
    else
        let r = clamp (MathNetCorrelation.Pearson(x, y))
        { Coefficient = r; PValue = pValue r (float (n - 2)); N = n }

/// <summary>Spearman's rank correlation: Pearson's correlation of the ranks, ties given their
/// average rank, with the two-sided p-value of <c>scipy.stats.spearmanr</c> (Student t,
/// \( n - 2 \) degrees of freedom).</summary>
/// <param name="x">The first variable (at least 2 values).</param>
/// <param name="y">The second variable, same length.</param>
/// <returns>Coefficient, p-value and n; NaN for both when an input holds NaN or is constant;
/// for \( n = 2 \) a NaN p-value.</returns>
let spearman (x: float[]) (y: float[]) : Estimate =
    check x y
    let n = x.Length
    if hasNaN x || hasNaN y || isConstant x || isConstant y then nanEstimate n
    else
        let r = clamp (MathNetCorrelation.Spearman(x, y))
        { Coefficient = r; PValue = pValue r (float (n - 2)); N = n }

/// <summary>Drops the observations where either variable is NaN (pairwise-complete
/// observations).</summary>
/// <param name="x">The first variable.</param>
/// <param name="y">The second variable, same length.</param>
/// <returns>The two variables without those observations, order kept.</returns>
let complete (x: float[]) (y: float[]) : float[] * float[] =
    if isNull x then nullArg (nameof x)
    if isNull y then nullArg (nameof y)
    if x.Length <> y.Length then
        invalidArg (nameof y) (sprintf "Expecting y of the same length as x (%d) but received %d" x.Length y.Length)
    let keep = Array.init x.Length (fun i -> not (Double.IsNaN x.[i] || Double.IsNaN y.[i]))
    let pick (v: float[]) = [| for i in 0 .. v.Length - 1 do if keep.[i] then yield v.[i] |]
    pick x, pick y

/// <summary>Pearson's correlation on the pairwise-complete observations (NaN pairs dropped).</summary>
/// <param name="x">The first variable.</param>
/// <param name="y">The second variable, same length.</param>
/// <returns>As <c>pearson</c>, with <c>N</c> the number of complete pairs (at least 2 required).</returns>
let pearsonComplete (x: float[]) (y: float[]) : Estimate = complete x y ||> pearson

/// <summary>Spearman's correlation on the pairwise-complete observations (NaN pairs dropped).</summary>
/// <param name="x">The first variable.</param>
/// <param name="y">The second variable, same length.</param>
/// <returns>As <c>spearman</c>, with <c>N</c> the number of complete pairs (at least 2 required).</returns>
let spearmanComplete (x: float[]) (y: float[]) : Estimate = complete x y ||> spearman

/// <summary>The least-squares residuals of <c>v</c> on an intercept and the covariates.</summary>
let private residuals (design: Matrix<float>) (v: float[]) =
    let b = Vector<float>.Build.DenseOfArray v
    let beta = design.QR().Solve(b)
    (b - design * beta).ToArray()

/// <summary>The partial correlation of <c>x</c> and <c>y</c> given covariates \( z \): Pearson's
/// correlation of the least-squares residuals of \( x \) and of \( y \) on \( [1, z] \), with the
/// two-sided p-value from Student's t with \( n - 2 - k \) degrees of freedom (\( k \) covariates).</summary>
/// <param name="x">The first variable (n values).</param>
/// <param name="y">The second variable, same length.</param>
/// <param name="z">The covariates, one row per observation and one column per covariate
/// (n × k, k may be 0); an intercept is always added. The columns with the intercept must have
/// full rank.</param>
/// <returns>Coefficient, p-value and n; NaN for both when any input holds NaN or a residual is
/// constant; a NaN p-value when \( n - 2 - k \le 0 \).</returns>
let partial (x: float[]) (y: float[]) (z: float[,]) : Estimate =
    check x y
    if isNull z then nullArg (nameof z)
    let n = x.Length
    let k = Array2D.length2 z
    if Array2D.length1 z <> n then
        invalidArg (nameof z) (sprintf "Expecting covariates with %d rows (one per observation) but received %d" n (Array2D.length1 z))
    if n < k + 2 then
        invalidArg (nameof z) (sprintf "Expecting more observations than covariates plus one (%d) but received %d" (k + 1) n)
    let zNaN = Seq.exists Double.IsNaN (Seq.cast<float> z)
    if hasNaN x || hasNaN y || zNaN then nanEstimate n
    else
        let design = Matrix<float>.Build.Dense(n, k + 1, fun i j -> if j = 0 then 1.0 else z.[i, j - 1])
        let r = design.QR().R
        let diagonal = [| for j in 0 .. k -> abs r.[j, j] |]
        if diagonal |> Array.exists (fun d -> d <= 1e-12 * Array.max diagonal) then
            invalidArg (nameof z) "Expecting covariates of full column rank (with the intercept) but received collinear columns"
        let rx = residuals design x
        let ry = residuals design y
        if isConstant rx || isConstant ry then nanEstimate n
        else
            let coefficient = clamp (MathNetCorrelation.Pearson(rx, ry))
            { Coefficient = coefficient; PValue = pValue coefficient (float (n - 2 - k)); N = n }

/// <summary>The partial correlation on the complete observations: rows where x, y or any
/// covariate is NaN are dropped first.</summary>
/// <param name="x">The first variable (n values).</param>
/// <param name="y">The second variable, same length.</param>
/// <param name="z">The covariates (n × k).</param>
/// <returns>As <c>partial</c>, with <c>N</c> the number of complete rows.</returns>
let partialComplete (x: float[]) (y: float[]) (z: float[,]) : Estimate =
    check x y
    if isNull z then nullArg (nameof z)
    if Array2D.length1 z <> x.Length then
        invalidArg (nameof z) (sprintf "Expecting covariates with %d rows (one per observation) but received %d" x.Length (Array2D.length1 z))
    let k = Array2D.length2 z
    let rows =
        [| for i in 0 .. x.Length - 1 do
             if not (Double.IsNaN x.[i] || Double.IsNaN y.[i] || Seq.exists (fun j -> Double.IsNaN z.[i, j]) (seq { 0 .. k - 1 })) then
                 yield i |]
    partial [| for i in rows -> x.[i] |] [| for i in rows -> y.[i] |] (Array2D.init rows.Length k (fun r j -> z.[rows.[r], j]))
