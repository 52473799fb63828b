/// <summary>
/// NumPy's legacy random stream (<c>np.random.seed</c> followed by <c>np.random.normal</c> or
/// <c>np.random.choice</c>), reproduced bit for bit so that the paper's supplement — which draws its
/// measurement matrix \(\Phi\) and its random pruning from that stream — can be replicated exactly.
/// </summary>
/// <remarks>
/// MT19937 seeded by <c>init_genrand</c>, 53-bit doubles as <c>(a·2^26 + b) / 2^53</c>, Gaussians by
/// the Marsaglia polar method with one cached value, and permutations by a Fisher–Yates shuffle with
/// masked rejection sampling: the algorithms of NumPy's <c>RandomState</c>. Written by hand because no
/// served package reproduces NumPy's legacy stream (MathNet's Mersenne Twister draws doubles and
/// Gaussians differently). Checked against NumPy in the test fixtures.
/// </remarks>
module Dtc.Runtime.NumPyRandom

open System

/// <summary>A NumPy <c>RandomState</c>: mutable generator state, local to one computation.</summary>
type private RandomState(seed: uint32) =
    let n, m = 624, 397
    let mt = Array.zeroCreate<uint32> n
    let mutable pos = n
    let mutable cachedGauss = None
    do
        mt.[0] <- seed
        for i in 1 .. n - 1 do
            mt.[i] <- 1812433253u * (mt.[i - 1] ^^^ (mt.[i - 1] >>> 30)) + uint32 i

    member private _.Reload() =
        let upper, lower = 0x80000000u, 0x7fffffffu
        let mag (y: uint32) = if y &&& 1u = 0u then 0u else 0x9908b0dfu
        for k in 0 .. n - 1 do
            let y = (mt.[k] &&& upper) ||| (mt.[(k + 1) % n] &&& lower)
            mt.[k] <- mt.[(k + m) % n] ^^^ (y >>> 1) ^^^ mag y
        pos <- 0

    /// The next 32-bit output (genrand_int32).
    member this.NextUInt32() =
        if pos >= n then this.Reload()
        let mutable y = mt.[pos]
        pos <- pos + 1
        y <- y ^^^ (y >>> 11)
        y <- y ^^^ ((y <<< 7) &&& 0x9d2c5680u)
        y <- y ^^^ ((y <<< 15) &&& 0xefc60000u)
        y ^^^ (y >>> 18)

    /// A double in [0, 1) with 53 random bits.
    member this.NextDouble() =
        let a = this.NextUInt32() >>> 5
        let b = this.NextUInt32() >>> 6
        (float a * 67108864.0 + float b) / 9007199254740992.0

    /// A standard normal value (legacy_gauss).
    member this.NextGaussian() =
        match cachedGauss with
        | Some g ->
            cachedGauss <- None
            g
        | None ->
            let rec draw () =
                let x1 = 2.0 * this.NextDouble() - 1.0
                let x2 = 2.0 * this.NextDouble() - 1.0
                let r2 = x1 * x1 + x2 * x2
                if r2 >= 1.0 || r2 = 0.0 then draw () else x1, x2, r2
            let x1, x2, r2 = draw ()
            let f = sqrt (-2.0 * log r2 / r2)
            cachedGauss <- Some(f * x1)
            f * x2

    /// A uniform integer in [0, max] by masked rejection (random_interval).
    member this.NextInterval(max: uint32) =
        if max = 0u then 0u
        else
            let mutable mask = max
            for s in [ 1; 2; 4; 8; 16 ] do
                mask <- mask ||| (mask >>> s)
            let mutable v = this.NextUInt32() &&& mask
            while v > max do
                v <- this.NextUInt32() &&& mask
            v

let private checkSeed (seed: int64) =
    if seed < 0L || seed > int64 UInt32.MaxValue then
        invalidArg (nameof seed) (sprintf "Expecting a seed between 0 and 2^32 - 1 (as NumPy's legacy seeding) but received %d" seed)
    uint32 seed

/// <summary>The values of <c>np.random.seed(seed); np.random.normal(size=count)</c>.</summary>
/// <param name="seed">The seed, between 0 and \(2^{32}-1\).</param>
/// <param name="count">How many values.</param>
/// <returns>Standard normal values, in NumPy's order (row-major for a shape <c>[n, m]</c>).</returns>
/// <example><code>NumPyRandom.normal 42424242L 6   // the first row of the paper's Φ for m = 6</code></example>
let normal (seed: int64) (count: int) : float[] =
    if count < 0 then invalidArg (nameof count) (sprintf "Expecting a non-negative count but received %d" count)
    let rs = RandomState(checkSeed seed)
    Array.init count (fun _ -> rs.NextGaussian())

/// <summary>One NumPy legacy <c>RandomState(seed)</c> whose draws continue from call to call, for
/// computations that take several draws from one stream (a bootstrap's resamples, a permutation
/// test's shuffles). Local to one computation: not thread-safe.</summary>
/// <example><code>
/// let rs = NumPyRandom.Stream 20260523L
/// let row = rs.Randint(10, 10)     // rs.randint(0, 10, size=10)
/// let p = rs.Permutation 4         // then rs.permutation(4)
/// </code></example>
[<Sealed>]
type Stream(seed: int64) =
    let rs = RandomState(checkSeed seed)

    /// <summary>The seed the stream started from.</summary>
    member _.Seed = seed

    /// <summary>The values of <c>rs.randint(0, high, size=count)</c> (NumPy's default integer dtype):
    /// masked rejection sampling on 32-bit draws, as NumPy's legacy bounded integers for ranges
    /// below \(2^{32}\).</summary>
    /// <param name="high">The exclusive upper bound, at least 1.</param>
    /// <param name="count">How many values (non-negative).</param>
    /// <returns>Values in \([0, \mathrm{high})\), in NumPy's order.</returns>
    member _.Randint(high: int, count: int) : int[] =
        if high < 1 then invalidArg (nameof high) (sprintf "Expecting an upper bound of at least 1 but received %d" high)
        if count < 0 then invalidArg (nameof count) (sprintf "Expecting a non-negative count but received %d" count)
        let max = uint32 (high - 1)
        Array.init count (fun _ -> int (rs.NextInterval max))

    /// <summary>The values of <c>rs.permutation(n)</c>: a Fisher–Yates shuffle of 0 … n−1 (legacy
    /// <c>shuffle</c>, one masked-rejection draw per position from the last down to 1).</summary>
    /// <param name="n">The population size (non-negative).</param>
    /// <returns>A permutation of 0 … n−1.</returns>
    member _.Permutation(n: int) : int[] =
        if n < 0 then invalidArg (nameof n) (sprintf "Expecting a non-negative population size but received %d" n)
        let a = Array.init n id
        for i in n - 1 .. -1 .. 1 do
            let j = int (rs.NextInterval(uint32 i))
            let t = a.[i]
            a.[i] <- a.[j]
            a.[j] <- t
        a

/// <summary>The values of <c>np.random.seed(seed); np.random.permutation(n)</c>.</summary>
/// <param name="seed">The seed, between 0 and \(2^{32}-1\).</param>
/// <param name="n">The population size.</param>
/// <returns>A permutation of 0 … n−1.</returns>
let permutation (seed: int64) (n: int) : int[] =
    if n < 0 then invalidArg (nameof n) (sprintf "Expecting a non-negative population size but received %d" n)
    Stream(seed).Permutation n

/// <summary>The values of <c>np.random.seed(seed); np.random.choice(n, k, replace=False)</c>.</summary>
/// <param name="seed">The seed, between 0 and \(2^{32}-1\).</param>
/// <param name="n">The population size.</param>
/// <param name="k">How many distinct values to draw, at most <paramref name="n"/>.</param>
/// <returns>k distinct indices in NumPy's order (not sorted).</returns>
let choice (seed: int64) (n: int) (k: int) : int[] =
    if k < 0 || k > n then
        invalidArg (nameof k) (sprintf "Expecting a sample size between 0 and %d but received %d" n k)
    (permutation seed n).[.. k - 1]
