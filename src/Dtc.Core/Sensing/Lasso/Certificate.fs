/// <summary>
/// The LASSO's optimality certificate, the relative duality gap, written once for every solver path.
/// </summary>
/// <remarks>
/// \(P/2 = \tfrac12\|As - y\|^2 + \tfrac{\lambda}{2}\|s\|_1\) has the dual
/// \( D(u) = \tfrac12\|y\|^2 - \tfrac12\|y - u\|^2 \) subject to \(\|A^\top u\|_\infty \le \lambda/2\).
/// With \(r = y - As\), \(g = A^\top r\) and \(\theta = \min(1, (\lambda/2)/\|g\|_\infty)\) the point
/// \(u = \theta r\) is dual feasible, and the gap of \(P\) is
/// \( G = 2(P/2 - D(u)) = \lambda\|s\|_1 - 2\theta\, s^\top g + (1-\theta)^2 \|r\|^2 \ge 0 \),
/// written this way to avoid the cancellation of \(\|y\|^2\). The relative gap \(G / \max(P, \text{tiny})\)
/// bounds the relative suboptimality, since \(P(s) - P^\star \le G\).
/// <para>Evaluated in float64, the residual \(r = y - As\) cancels: when \(\lambda\) is small against the
/// scale of y (a profile of weights multiplied by 1e6) its rounding error reaches the size of the gap, and a
/// float64 gap below the tolerance can hide a true gap above it. <see cref="accurate"/> therefore forms r
/// with error-free transformations (a double-double residual, Ogita, Rump and Oishi's Dot2), and
/// \(s^\top g = r^\top(As) = r^\top y - \|r\|^2\) from it, so its sums are those of twice the working
/// precision. The solvers stop on the float64 gap (as the paper's runs did) and claim convergence only when
/// <see cref="accurate"/> confirms it.</para>
/// </remarks>
[<RequireQualifiedAccess>]
module internal Dtc.Sensing.LassoCertificate

open System

/// <summary>Objective \(P\) and duality gap \(G \ge 0\) from the sums \(\|r\|^2\), \(\|s\|_1\),
/// \(s^\top g\) and \(\|g\|_\infty\) (NaN when a sum is not finite).</summary>
let ofSums (lambda: float) (rr: float) (l1: float) (sg: float) (gmax: float) : struct (float * float) =
    if not (Double.IsFinite gmax && Double.IsFinite rr && Double.IsFinite sg) then struct (nan, nan)
    else
        let half = lambda / 2.0
        let theta = if gmax > half then half / gmax else 1.0
        let p = rr + lambda * l1
        let gap = max 0.0 (lambda * l1 - 2.0 * theta * sg + (1.0 - theta) * (1.0 - theta) * rr)
        struct (p, gap)

/// <summary>The relative gap \(G / \max(P, \text{tiny})\).</summary>
let relative (tiny: float) (p: float) (gap: float) : float = gap / max p tiny

/// The smallest objective a relative gap is taken against in float64.
[<Literal>]
let Tiny64 = 1e-300

/// A sum carried with its rounding error (Ogita, Rump and Oishi's Sum2/Dot2): hi + lo.
[<Struct>]
type private Compensated =
    { Hi: float
      Lo: float }

/// Adds x exactly into the running sum (TwoSum), the error kept in the low part.
let inline private addTo (acc: Compensated) (x: float) =
    let s = acc.Hi + x
    let v = s - acc.Hi
    let e = (acc.Hi - (s - v)) + (x - v)
    { Hi = s; Lo = acc.Lo + e }

/// Adds the product a·b exactly into the running sum (TwoProduct by a fused multiply-add).
let inline private addProduct (acc: Compensated) (a: float) (b: float) =
    let p = a * b
    let pe = Math.FusedMultiplyAdd(a, b, -p)
    let sum = addTo acc p
    { sum with Lo = sum.Lo + pe }

let private zero = { Hi = 0.0; Lo = 0.0 }

/// <summary>The residual \(r = y - As\) of one problem as double-double values \(r_i = hi_i + lo_i\)
/// (Dot2 over the nonzero coefficients): A is n×m row-major at <c>a[aOffset ..]</c>, y has length n at
/// <c>y[yOffset ..]</c>, s has length m at <c>s[sOffset ..]</c>.</summary>
let residual (n: int) (m: int) (a: float[]) (aOffset: int) (y: float[]) (yOffset: int) (s: float[]) (sOffset: int) : float[] * float[] =
    let support = [| for j in 0 .. m - 1 do if s.[sOffset + j] <> 0.0 then yield j |]
    let rHi = Array.zeroCreate<float> n
    let rLo = Array.zeroCreate<float> n
    for i in 0 .. n - 1 do
        let row = aOffset + i * m
        let mutable acc = { Hi = y.[yOffset + i]; Lo = 0.0 }
        for j in support do acc <- addProduct acc a.[row + j] (-s.[sOffset + j])
        let hi = acc.Hi + acc.Lo
        rHi.[i] <- hi
        rLo.[i] <- acc.Lo - (hi - acc.Hi)
    rHi, rLo

/// <summary>Objective and duality gap of one problem with compensated sums (arguments as
/// <see cref="residual"/>).</summary>
/// <returns>\((P, G)\), accurate to about the rounding of the coefficients themselves (NaN on overflow).</returns>
let accurate (lambda: float) (n: int) (m: int) (a: float[]) (aOffset: int) (y: float[]) (yOffset: int) (s: float[]) (sOffset: int) : struct (float * float) =
    let rHi, rLo = residual n m a aOffset y yOffset s sOffset
    // ‖Aᵀr‖∞ sets θ; its rounding moves the gap only relatively (no cancellation).
    let g = Array.zeroCreate<float> m
    for i in 0 .. n - 1 do
        let ri = rHi.[i] + rLo.[i]
        if ri <> 0.0 then
            let row = aOffset + i * m
            for j in 0 .. m - 1 do g.[j] <- g.[j] + a.[row + j] * ri
    let mutable gmax = 0.0
    for j in 0 .. m - 1 do gmax <- max gmax (abs g.[j])
    let mutable rr, ry, l1 = zero, zero, zero
    for i in 0 .. n - 1 do
        rr <- addProduct rr rHi.[i] rHi.[i]
        rr <- addTo rr (2.0 * rHi.[i] * rLo.[i])
        ry <- addProduct ry rHi.[i] y.[yOffset + i]
        ry <- addTo ry (rLo.[i] * y.[yOffset + i])
    for j in 0 .. m - 1 do l1 <- addTo l1 (abs s.[sOffset + j])
    // sᵀg = (As)ᵀr = yᵀr − ‖r‖², in double-double.
    let sg = addTo (addTo ry (-rr.Hi)) (-rr.Lo)
    ofSums lambda (rr.Hi + rr.Lo) (l1.Hi + l1.Lo) (sg.Hi + sg.Lo) gmax
