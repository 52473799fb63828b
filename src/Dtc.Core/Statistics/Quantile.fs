/// <summary>Quantiles of samples as NumPy computes them.</summary>
module Dtc.Statistics.Quantile

open System

/// <summary>The <c>q</c>-th percentile of sorted values as NumPy's default
/// <c>np.percentile(values, q)</c> (<c>method='linear'</c>, Hyndman–Fan type 7).</summary>
/// <param name="sorted">The values, sorted ascending, at least one.</param>
/// <param name="q">The percentile in \( [0, 100] \).</param>
/// <returns>The interpolated value.</returns>
let percentile (sorted: float[]) (q: float) : float =
    if isNull sorted || sorted.Length = 0 then invalidArg (nameof sorted) "Expecting at least one value but received none"
    if not (q >= 0.0 && q <= 100.0) then invalidArg (nameof q) (sprintf "Expecting a percentile between 0 and 100 but received %g" q)
    let n = sorted.Length
    // NumPy divides by 100 first, then takes the virtual index (n - 1)·q and interpolates as _lerp.
    let virtualIndex = float (n - 1) * (q / 100.0)
    if virtualIndex >= float (n - 1) then sorted.[n - 1]
    else
        let previous = Math.Floor virtualIndex
        let a = sorted.[int previous]
        let b = sorted.[int previous + 1]
        let t = virtualIndex - previous
        let diff = b - a
        if t >= 0.5 then b - diff * (1.0 - t) else a + diff * t
