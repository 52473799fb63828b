/// <summary>
/// Timings: medians of repeated calls, best-of-three, and the GEMM that sets the machine's ceiling.
/// </summary>
module Dtc.Bench.Timing

open System
open System.Diagnostics
open TorchSharp

/// <summary>The median of a non-empty array.</summary>
/// <param name="xs">The values.</param>
/// <returns>The middle value, or the mean of the two middle values.</returns>
let median (xs: float[]) : float =
    let s = Array.sort xs
    if s.Length % 2 = 1 then s.[s.Length / 2] else 0.5 * (s.[s.Length / 2 - 1] + s.[s.Length / 2])

/// <summary>Milliseconds of one call of an action.</summary>
/// <param name="action">The action.</param>
/// <returns>Milliseconds.</returns>
let elapsedMs (action: unit -> unit) : float =
    let t = Stopwatch.GetTimestamp()
    action ()
    Stopwatch.GetElapsedTime(t).TotalMilliseconds

/// <summary>Milliseconds of each of <paramref name="repetitions"/> timed calls of an action, after one
/// warm-up call.</summary>
/// <param name="repetitions">How many timed calls (0: the warm-up call alone is timed).</param>
/// <param name="action">The action.</param>
/// <returns>One time per call, milliseconds.</returns>
let timings (repetitions: int) (action: unit -> unit) : float[] =
    let warmUp = elapsedMs action
    if repetitions < 1 then [| warmUp |] else [| for _ in 1 .. repetitions -> elapsedMs action |]

/// <summary>Median milliseconds of an action over repetitions, after one warm-up call.</summary>
/// <param name="repetitions">How many timed calls (0: time the warm-up call alone).</param>
/// <param name="action">The action.</param>
/// <returns>The median in milliseconds.</returns>
let time (repetitions: int) (action: unit -> unit) : float = timings repetitions action |> median

/// <summary>Seconds of an action: the best of three after a warm-up of at least half a second (the host
/// solver's loops are promoted to optimised code by tiered compilation), or a single call when one takes
/// more than two seconds.</summary>
/// <param name="action">The action.</param>
/// <returns>Seconds.</returns>
let best (action: unit -> unit) : float =
    let once () = elapsedMs action / 1000.0
    let first = once ()
    if first > 2.0 then first
    else
        let warm = Stopwatch.StartNew()
        while warm.Elapsed.TotalSeconds < 0.5 do action ()
        Array.min [| once (); once (); once () |]

/// <summary>The product the ceiling is measured with: two n×n float32 operands on the device, multiplied and
/// the product's sum read back (so that a timing includes the product's completion on any device).
/// Disposing it disposes the operands.</summary>
/// <param name="n">The operands' size.</param>
/// <param name="device">Their device.</param>
type Gemm(n: int64, device: torch.Device) =
    let a = torch.randn(n, n, device = device)
    let b = torch.randn(n, n, device = device)

    /// <summary>Floating-point operations of one product, 2n³.</summary>
    member _.Flops = 2.0 * float n ** 3.0

    /// <summary>One product. In a dispose scope: the product's sum, left to the finalizer, would keep the
    /// product alive with it.</summary>
    member _.Product() =
        use _ = torch.NewDisposeScope()
        a.matmul(b).sum().item<float32>() |> ignore

    /// <summary>Milliseconds of one product.</summary>
    member g.Time() = elapsedMs g.Product

    /// <summary>Median and best milliseconds of repeated products after a warm-up of <c>count</c> products
    /// or <c>seconds</c> of them, whichever ends first.</summary>
    /// <param name="repetitions">Timed products.</param>
    /// <param name="count">Most warm-up products.</param>
    /// <param name="seconds">Most warm-up seconds.</param>
    /// <returns>(median, best) milliseconds.</returns>
    member g.Measure(repetitions: int, count: int, seconds: float) =
        let warm = Stopwatch.StartNew()
        let mutable done' = 0
        while done' < count && warm.Elapsed.TotalSeconds < seconds do
            g.Product()
            done' <- done' + 1
        let ms = timings repetitions g.Product
        median ms, Array.min ms

    interface IDisposable with
        member _.Dispose() =
            a.Dispose()
            b.Dispose()
