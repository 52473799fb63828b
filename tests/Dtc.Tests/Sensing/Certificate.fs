/// The LASSO's certificate recomputed in exact arithmetic (dyadic rationals over BigInteger, independent of
/// the solver's code): a relative gap the solver claims within its tolerance must hold exactly, on the DTC
/// problem of a 512-unit layer at the weights' own scale and scaled by 1e6 and 1e-6.
module Dtc.Tests.Sensing.Certificate

open System
open System.Numerics
open Expecto
open TorchSharp
open Dtc.Sensing
open Dtc.Tomography
open Dtc.Runtime

/// An exact dyadic rational M·2^E.
[<Struct>]
type internal Dyadic =
    { M: BigInteger
      E: int }

let private zero = { M = BigInteger.Zero; E = 0 }

/// The exact value of a finite double.
let private ofFloat (x: float) =
    if x = 0.0 then zero
    else
        let bits = BitConverter.DoubleToInt64Bits x
        let exponent = int ((bits >>> 52) &&& 0x7FFL)
        let fraction = bits &&& 0xFFFFFFFFFFFFFL
        let mantissa, e = if exponent = 0 then fraction, -1074 else fraction ||| (1L <<< 52), exponent - 1075
        { M = (if x < 0.0 then BigInteger.Negate(BigInteger mantissa) else BigInteger mantissa); E = e }

let private add (a: Dyadic) (b: Dyadic) =
    if a.M.IsZero then b
    elif b.M.IsZero then a
    else
        let e = min a.E b.E
        { M = BigInteger.Add(BigInteger.op_LeftShift(a.M, a.E - e), BigInteger.op_LeftShift(b.M, b.E - e)); E = e }

let private mul (a: Dyadic) (b: Dyadic) = { M = BigInteger.Multiply(a.M, b.M); E = a.E + b.E }
let private neg (a: Dyadic) = { a with M = BigInteger.Negate a.M }
let private sub (a: Dyadic) (b: Dyadic) = add a (neg b)
let private absolute (a: Dyadic) = { a with M = BigInteger.Abs a.M }

/// Compares a and b exactly: negative, zero or positive.
let private compare' (a: Dyadic) (b: Dyadic) = (sub a b).M.Sign

/// The double nearest (to a few ulps) the ratio a / b of two dyadics, b > 0.
let private ratio (a: Dyadic) (b: Dyadic) =
    if a.M.IsZero then 0.0
    else
        let q = BigInteger.Divide(BigInteger.op_LeftShift(a.M, 256), b.M)
        Math.ScaleB(float q, a.E - b.E - 256)

/// The relative duality gap of ‖As − y‖² + λ‖s‖₁ at s, exactly: G/P with r = y − As, g = Aᵀr,
/// θ = min(1, (λ/2)/‖g‖∞), G = λ‖s‖₁ − 2θ sᵀg + (1 − θ)²‖r‖², P = ‖r‖² + λ‖s‖₁ (λ the double given).
/// Returns the ratio as a double and whether G ≤ tol·P holds exactly.
let private exactRelativeGap (lambda: float) (tol: float) (a: float[,]) (y: float[]) (s: float[]) =
    let n, m = a.GetLength 0, a.GetLength 1
    let d = ofFloat
    let support = [| for j in 0 .. m - 1 do if s.[j] <> 0.0 then yield j |]
    let r = Array.init n (fun i -> support |> Array.fold (fun acc j -> sub acc (mul (d a.[i, j]) (d s.[j]))) (d y.[i]))
    let g = Array.init m (fun j -> Array.fold (fun acc i -> add acc (mul (d a.[i, j]) r.[i])) zero [| 0 .. n - 1 |])
    let gmax = g |> Array.map absolute |> Array.reduce (fun x v -> if compare' v x > 0 then v else x)
    let rr = r |> Array.fold (fun acc v -> add acc (mul v v)) zero
    let l1 = support |> Array.fold (fun acc j -> add acc (absolute (d s.[j]))) zero
    let sg = support |> Array.fold (fun acc j -> add acc (mul (d s.[j]) g.[j])) zero
    let lam = d lambda
    let half = mul lam (d 0.5)
    let p = add rr (mul lam l1)
    // With θ = h/‖g‖∞ < 1 the gap times ‖g‖∞² is a polynomial: λ‖s‖₁G² − 2hG sᵀg + (G − h)²‖r‖².
    let gap, scale =
        if compare' gmax half <= 0 then sub (mul lam l1) (mul (d 2.0) sg), d 1.0
        else
            let gh = sub gmax half
            add (sub (mul (mul lam l1) (mul gmax gmax)) (mul (mul (d 2.0) half) (mul gmax sg))) (mul (mul gh gh) rr), mul gmax gmax
    ratio gap (mul p scale), compare' gap (mul (d tol) (mul p scale)) <= 0

/// The DTC problem of a 512-unit layer (the paper's Φ, DCT-I and λ): the profile is the row sums of a
/// Xavier-normal 512×784 weight drawn from a fixed seed, multiplied by `scale`; solved as the compress step
/// solves it (Rays.reconstruct). Returns λ, the tolerance, Θ, y, the code and its diagnostics.
let private dtcProblem (scale: float) =
    use _ = torch.NewDisposeScope()
    use g = new torch.Generator(20261207UL, torch.CPU)
    let w = torch.randn([| 512L; 784L |], dtype = torch.float64, generator = g) * sqrt (2.0 / float (512 + 784))
    let profile = w.sum(1L) * scale
    let options = Rays.Options.paper
    use rays = Rays.reconstruct options profile
    let theta = Torch.toArray2D rays.Theta
    let y = Torch.toArray rays.Measurements
    let s = Torch.toArray rays.Codes
    options.Lasso, theta, y, s, rays.Diagnostics.[0]

[<Tests>]
let tests =
    testList "Sensing.Certificate" [
        for scale in [ 1.0; 1e6; 1e-6 ] do
            testCase (sprintf "a claimed gap holds in exact arithmetic at scale %g (m = 512, λ = 0.3)" scale) (fun () ->
                let lasso, theta, y, s, diag = dtcProblem scale
                let exact, within = exactRelativeGap lasso.Lambda lasso.RelativeGap theta y s
                printfn "Sensing.Certificate scale %g: claimed relative gap %.4g, exact %.4g, converged %b, %d iterations" scale diag.RelativeGap exact diag.Converged diag.Iterations
                Expect.isTrue diag.Converged (sprintf "scale %g: the solver converged" scale)
                Expect.isLessThanOrEqual diag.RelativeGap lasso.RelativeGap (sprintf "scale %g: the claimed gap is within the tolerance" scale)
                Expect.isTrue within (sprintf "scale %g: the exact relative gap %g is within the tolerance %g the solver claims" scale exact lasso.RelativeGap))
        testCase "the exact gap of a non-optimal point is positive and above the tolerance" (fun () ->
            let lasso, theta, y, s, _ = dtcProblem 1.0
            let exact, within = exactRelativeGap lasso.Lambda lasso.RelativeGap theta y (Array.map (fun v -> v * 0.9) s)
            Expect.isGreaterThan exact 1e-6 "a shrunken code is not optimal"
            Expect.isFalse within "and the exact comparison says so")
    ]
