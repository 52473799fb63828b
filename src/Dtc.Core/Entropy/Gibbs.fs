/// <summary>
/// Gibbs entropy of a measurement vector: histogram the values over bins, turn the counts into
/// probabilities \( p_i = c_i / \sum_j c_j \) and take \( S = -\sum_{p_i > 0} p_i \log p_i \).
/// The bins follow NumPy exactly (<c>np.arange</c>, <c>np.histogram</c>,
/// <c>np.histogram_bin_edges</c>), so results agree with the paper's supplement to the last bit
/// of the counts.
/// </summary>
/// <namespacedoc><summary>Entropy: the Gibbs entropy of the measurements and the analysis of a run against its accuracy.</summary></namespacedoc>
module Dtc.Entropy.Gibbs

open System
open System.Text.Json.Serialization

/// <summary>The logarithm base of an entropy.</summary>
type Base =
    /// <summary>Base 2 (the supplement's choice for the previous-layer measurements y1).</summary>
    | Bits
    /// <summary>Base \( e \) (the supplement's choice for the next-layer measurements y2).</summary>
    | Nats
    /// <summary>Any base \( b &gt; 0, b \ne 1 \).</summary>
    | Base of float

/// <summary>A rule that chooses equal-width bins from the data, as NumPy's string <c>bins</c>.</summary>
type Rule =
    /// <summary>Freedman–Diaconis: width \( 2\,\mathrm{IQR}\, n^{-1/3} \) (NumPy <c>'fd'</c>).</summary>
    | FreedmanDiaconis
    /// <summary>Sturges: width \( \mathrm{range} / (\log_2 n + 1) \) (NumPy <c>'sturges'</c>).</summary>
    | Sturges
    /// <summary>The smaller of the two widths, Sturges when the IQR is zero (NumPy <c>'auto'</c>).</summary>
    | Auto

/// <summary>How the histogram's bins are chosen.</summary>
type Bins =
    /// <summary>The edges of <c>np.arange(lo, hi, width)</c>, as in the supplement: the last edge
    /// is the last step below <c>hi</c> (49.8 for the paper's −50..50 by 0.2, so values in
    /// \( (49.8, 50] \) are not counted), or, through rounding, a value just at or above <c>hi</c>
    /// exactly when NumPy produces one (e.g. <c>np.arange(1.0, 1.3, 0.1)</c>).</summary>
    | Range of lo: float * hi: float * width: float
    /// <summary>Explicit, non-decreasing edges (at least two).</summary>
    | Explicit of edges: float[]
    /// <summary>Equal-width bins over the data's range chosen by a rule.</summary>
    | Adaptive of rule: Rule

/// <summary>Settings of a Gibbs entropy.</summary>
type Settings =
    { /// <summary>The bins; default the paper's <c>Range(-50.0, 50.0, 0.2)</c>.</summary>
      Bins: Bins
      /// <summary>The logarithm base; default <c>Nats</c>.</summary>
      Base: Base }

/// <summary>The default settings: the paper's bins (−50 to 50 by 0.2, NumPy's arange) in nats.</summary>
let defaults : Settings = { Bins = Range(-50.0, 50.0, 0.2); Base = Nats }

/// <summary>The paper's settings for the next-layer measurements y2 (bins −50..50 by 0.2, natural
/// logarithm). For the previous-layer measurements y1 the supplement uses
/// <c>{ paper with Base = Bits }</c>.</summary>
let paper : Settings = defaults

/// <summary>A histogram of a measurement vector and its Gibbs entropy.</summary>
type Histogram =
    { /// <summary>The bin edges (one more than the counts).</summary>
      Edges: float[]
      /// <summary>The count of each bin \( [e_i, e_{i+1}) \), the last bin closed.</summary>
      Counts: int[]
      /// <summary>The number of values counted, \( \sum_i c_i \).</summary>
      Total: int
      /// <summary>The number of values left out: outside \( [e_0, e_{last}] \) or NaN.</summary>
      Outside: int
      /// <summary>The entropy \( -\sum p_i \log p_i \); NaN when <c>Total</c> is 0 (written to
      /// JSON by System.Text.Json as the string <c>"NaN"</c>).</summary>
      [<property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)>]
      Entropy: float }

let private checkFinite (name: string) (what: string) (v: float) =
    if not (Double.IsFinite v) then
        invalidArg name (sprintf "Expecting a finite %s but received %g" what v)

/// <summary>The values of NumPy's <c>np.arange(lo, hi, width)</c> for floats: its length is
/// \( \lceil (hi - lo) / width \rceil \) (none when that is not positive) and its values are
/// \( lo + i\,\delta \) with \( \delta = (lo + width) - lo \), as NumPy fills them.</summary>
/// <param name="lo">The first value (finite).</param>
/// <param name="hi">The exclusive end (finite).</param>
/// <param name="width">The step (finite, positive).</param>
/// <returns>The values, possibly empty.</returns>
let arange (lo: float) (hi: float) (width: float) : float[] =
    checkFinite (nameof lo) "lower bound" lo
    checkFinite (nameof hi) "upper bound" hi
    checkFinite (nameof width) "bin width" width
    if width <= 0.0 then invalidArg (nameof width) (sprintf "Expecting a positive bin width but received %g" width)
    let length = Math.Ceiling((hi - lo) / width)
    if length > 1e8 then
        invalidArg (nameof width) (sprintf "Expecting at most 1e8 values but received lo=%g, hi=%g, width=%g (%g values)" lo hi width length)
    let length = if length > 0.0 then int length else 0
    let delta = (lo + width) - lo
    Array.init length (fun i ->
        match i with
        | 0 -> lo
        | 1 -> lo + width
        | _ -> lo + float i * delta)

let private checkEdges (name: string) (edges: float[]) =
    if isNull edges || edges.Length < 2 then
        invalidArg name (sprintf "Expecting at least two bin edges but received %d" (if isNull edges then 0 else edges.Length))
    for e in edges do checkFinite name "bin edge" e
    for i in 1 .. edges.Length - 1 do
        if edges.[i] < edges.[i - 1] then
            invalidArg name (sprintf "Expecting non-decreasing bin edges but received %g after %g at index %d" edges.[i] edges.[i - 1] i)

let private ruleWidth (rule: Rule) (sorted: float[]) =
    let n = float sorted.Length
    let fd () = 2.0 * (Dtc.Statistics.Quantile.percentile sorted 75.0 - Dtc.Statistics.Quantile.percentile sorted 25.0) * Math.Pow(n, -1.0 / 3.0)
    let sturges () = (sorted.[sorted.Length - 1] - sorted.[0]) / (Math.Log2 n + 1.0)
    match rule with
    | FreedmanDiaconis -> fd ()
    | Sturges -> sturges ()
    | Auto ->
        let f = fd ()
        let s = sturges ()
        if f <> 0.0 then Math.Min(f, s) else s

/// <summary>Equal-width bin edges chosen from the data by a rule, exactly as NumPy's
/// <c>np.histogram_bin_edges(y, bins=rule)</c>: over \( [\min y, \max y] \) (widened by 0.5 each
/// side when constant; \( [0, 1] \) when empty), with \( \lceil \mathrm{range}/w \rceil \) bins
/// (one when the width \( w \) is zero), placed as <c>np.linspace</c> places them.</summary>
/// <param name="rule">The rule.</param>
/// <param name="y">The values (all finite, else an exception as in NumPy).</param>
/// <returns>The edges.</returns>
let adaptiveEdges (rule: Rule) (y: float[]) : float[] =
    if isNull y then nullArg (nameof y)
    for v in y do
        if not (Double.IsFinite v) then
            invalidArg (nameof y) (sprintf "Expecting finite values for adaptive bins but received %g" v)
    let sorted = Array.sort y
    let first, last =
        if sorted.Length = 0 then 0.0, 1.0
        else sorted.[0], sorted.[sorted.Length - 1]
    let first, last = if first = last then first - 0.5, last + 0.5 else first, last
    let bins =
        if sorted.Length = 0 then 1
        else
            let w = ruleWidth rule sorted
            if w = 0.0 then 1
            else
                let b = Math.Ceiling((last - first) / w)
                if not (b <= 1e8) then
                    invalidArg (nameof y) (sprintf "Expecting at most 1e8 bins but the %A rule asks for %g" rule b)
                int b
    // np.linspace(first, last, bins + 1): i * step + first, the last edge set to `last`.
    let step = (last - first) / float bins
    Array.init (bins + 1) (fun i ->
        if i = bins then last
        elif step = 0.0 then float i / float bins * (last - first) + first
        else float i * step + first)

/// <summary>The bin edges that some bins give for some data.</summary>
/// <param name="bins">The bins.</param>
/// <param name="y">The values (only used by <c>Adaptive</c> bins).</param>
/// <returns>The edges, validated: at least two, finite, non-decreasing.</returns>
let edges (bins: Bins) (y: float[]) : float[] =
    let e =
        match bins with
        | Range(lo, hi, width) -> arange lo hi width
        | Explicit e -> Array.copy e
        | Adaptive rule -> adaptiveEdges rule y
    checkEdges (nameof bins) e
    e

/// <summary>Counts values in bins as <c>np.histogram(y, bins=edges)</c> does: bin \( i \) holds
/// \( e_i \le v &lt; e_{i+1} \), the last bin also holds \( v = e_{last} \); values outside
/// \( [e_0, e_{last}] \) and NaN are not counted.</summary>
/// <param name="edges">At least two finite, non-decreasing edges.</param>
/// <param name="y">The values.</param>
/// <returns>One count per bin (<c>edges.Length - 1</c>).</returns>
let counts (edges: float[]) (y: float[]) : int[] =
    checkEdges (nameof edges) edges
    if isNull y then nullArg (nameof y)
    let m = edges.Length - 1
    let result = Array.zeroCreate m
    for v in y do
        if v >= edges.[0] && v <= edges.[m] then
            // The largest i with edges[i] <= v (an upper bound search, so empty bins stay empty).
            let mutable lo = 0
            let mutable hi = m
            while lo < hi do
                let mid = (lo + hi + 1) / 2
                if edges.[mid] <= v then lo <- mid else hi <- mid - 1
            let bin = if lo = m then m - 1 else lo
            result.[bin] <- result.[bin] + 1
    result

// ln b, the divisor that turns nats into the base's units.
let private lnOf (logBase: Base) =
    match logBase with
    | Bits -> Math.Log 2.0
    | Nats -> 1.0
    | Base b ->
        if not (Double.IsFinite b) || b <= 0.0 || b = 1.0 then
            invalidArg (nameof logBase) (sprintf "Expecting a finite logarithm base above 0 and other than 1 but received %g" b)
        Math.Log b

/// <summary>The entropy of a histogram's counts, as <c>scipy.stats.entropy(counts, base=b)</c>:
/// \( S = -\sum_{p_i &gt; 0} p_i \ln p_i / \ln b \) with \( p_i = c_i / \sum_j c_j \).</summary>
/// <param name="logBase">The logarithm base.</param>
/// <param name="counts">Non-negative counts.</param>
/// <returns>The entropy; NaN when the counts sum to zero.</returns>
let ofCounts (logBase: Base) (counts: int[]) : float =
    if isNull counts then nullArg (nameof counts)
    let divisor = lnOf logBase
    let mutable total = 0L
    for c in counts do
        if c < 0 then invalidArg (nameof counts) (sprintf "Expecting non-negative counts but received %d" c)
        total <- total + int64 c
    if total = 0L then nan
    else
        let t = float total
        let mutable s = 0.0
        for c in counts do
            if c > 0 then
                let p = float c / t
                s <- s - p * Math.Log p
        if divisor = 1.0 then s else s / divisor

/// <summary>The Miller–Madow entropy of histogram counts: the plug-in entropy plus the bias
/// correction \( (K - 1) / (2N) \) nats, with \( K \) the number of non-empty bins and \( N \)
/// the total count, all in the base \( b \):
/// \( \hat S_{MM} = \left( -\sum_{p_i &gt; 0} p_i \ln p_i + \frac{K - 1}{2N} \right) / \ln b \).</summary>
/// <remarks>The plug-in estimate is biased low by about \( (K - 1) / (2N) \) nats when few values
/// fill many bins; the correction removes that first-order term (Miller 1955).</remarks>
/// <param name="logBase">The logarithm base.</param>
/// <param name="counts">Non-negative counts.</param>
/// <returns>The corrected entropy; NaN when the counts sum to zero.</returns>
let millerMadowOfCounts (logBase: Base) (counts: int[]) : float =
    let plugIn = ofCounts logBase counts
    if Double.IsNaN plugIn then nan
    else
        let mutable nonEmpty = 0
        let mutable total = 0L
        for c in counts do
            if c > 0 then nonEmpty <- nonEmpty + 1
            total <- total + int64 c
        plugIn + float (nonEmpty - 1) / (2.0 * float total) / lnOf logBase

/// <summary>The histogram of a measurement vector and its Gibbs entropy.</summary>
/// <param name="settings">The bins and base; <see cref="P:Dtc.Entropy.Gibbs.defaults"/> is the
/// paper's bins in nats.</param>
/// <param name="y">The measurement vector; NaN values are left out (counted in <c>Outside</c>).</param>
/// <returns>Edges, counts, the counted total, the number left out and the entropy (NaN when no
/// value falls in the bins).</returns>
/// <example><code>
/// let h = Gibbs.histogram Gibbs.paper y2
/// let s1 = Gibbs.entropy { Gibbs.paper with Base = Gibbs.Bits } y1
/// </code></example>
let histogram (settings: Settings) (y: float[]) : Histogram =
    if isNull y then nullArg (nameof y)
    let e = edges settings.Bins y
    let c = counts e y
    let total = Array.sum c
    { Edges = e
      Counts = c
      Total = total
      Outside = y.Length - total
      Entropy = ofCounts settings.Base c }

/// <summary>The Gibbs entropy of a measurement vector.</summary>
/// <param name="settings">The bins and base; <see cref="P:Dtc.Entropy.Gibbs.defaults"/> is the
/// paper's bins in nats.</param>
/// <param name="y">The measurement vector.</param>
/// <returns>\( -\sum p_i \log p_i \); NaN when no value falls in the bins.</returns>
let entropy (settings: Settings) (y: float[]) : float = (histogram settings y).Entropy

/// <summary>The Miller–Madow entropy of a measurement vector: the Gibbs (plug-in) entropy of its
/// histogram plus \( (K - 1) / (2N) \) nats, \( K \) the non-empty bins and \( N \) the values
/// inside the bins, expressed in the settings' base.</summary>
/// <param name="settings">The bins and base; <see cref="P:Dtc.Entropy.Gibbs.defaults"/> is the
/// paper's bins in nats.</param>
/// <param name="y">The measurement vector; NaN values and values outside the bins are left out.</param>
/// <returns>The corrected entropy; NaN when no value falls in the bins.</returns>
/// <example><code>let s = Gibbs.millerMadow Gibbs.paper y2</code></example>
let millerMadow (settings: Settings) (y: float[]) : float =
    millerMadowOfCounts settings.Base (histogram settings y).Counts

/// <summary>The Gibbs entropy of each measurement vector of a sequence (one per compression
/// cycle).</summary>
/// <param name="settings">The bins and base.</param>
/// <param name="ys">The measurement vectors.</param>
/// <returns>One entropy per vector.</returns>
let series (settings: Settings) (ys: seq<float[]>) : float[] =
    if isNull (box ys) then nullArg (nameof ys)
    ys |> Seq.map (entropy settings) |> Seq.toArray

/// <summary>The histogram and Gibbs entropy of a tensor's values (any shape, flattened).</summary>
/// <param name="settings">The bins and base.</param>
/// <param name="y">The tensor; not disposed.</param>
/// <returns>As <see cref="M:Dtc.Entropy.Gibbs.histogram(Dtc.Entropy.Gibbs.Settings,System.Double[])"/>.</returns>
let ofTensor (settings: Settings) (y: TorchSharp.torch.Tensor) : Histogram =
    if isNull y then nullArg (nameof y)
    histogram settings (Dtc.Runtime.Torch.toArray y)
