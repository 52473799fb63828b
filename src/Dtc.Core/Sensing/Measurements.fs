/// <summary>
/// Inverse compressed sensing's invented measurements: how many to take, the seeded Gaussian
/// measurement matrix \(\Phi\) (n×m), measuring a profile \(y = \Phi x\), and the sensing matrix
/// \(\Theta = \Phi \Psi\).
/// </summary>
module Dtc.Sensing.Measurements

open System
open TorchSharp

/// <summary>How the number of measurements n is computed from the kept fraction and the profile length m.</summary>
type CountRule =
    /// <summary>The supplement's <c>int(m * (1.0 - keep))</c> in double precision: with keep = 0.9,
    /// 1.0 − 0.9 = 0.09999999999999998, so m = 460 gives 45 and m = 300 gives 29.</summary>
    | PaperDouble
    /// <summary>\(\lfloor m (1 - \mathrm{keep}) \rfloor\) in exact decimal arithmetic on the shortest
    /// decimal form of keep: m = 460 gives 46.</summary>
    | ExactDecimal

/// <summary>Which random stream draws \(\Phi\).</summary>
type Source =
    /// <summary>NumPy's legacy stream, <c>np.random.seed(seed); np.random.normal(size=[n, m])</c>, as the
    /// supplement draws it (bit for bit).</summary>
    | NumPyLegacy
    /// <summary>TorchSharp's CPU generator seeded with the seed (<c>torch.randn</c>, float64).</summary>
    | TorchCpu

/// <summary>The number of measurements for a profile of length m.</summary>
/// <param name="rule">The count rule.</param>
/// <param name="keep">The fraction of units kept per cycle, in [0, 1] (the paper: 0.9).</param>
/// <param name="m">The profile length.</param>
/// <returns>n, between 0 and m.</returns>
let count (rule: CountRule) (keep: float) (m: int) : int =
    if Double.IsNaN keep || keep < 0.0 || keep > 1.0 then
        invalidArg (nameof keep) (sprintf "Expecting a kept fraction in [0, 1] but received %g" keep)
    if m < 0 then invalidArg (nameof m) (sprintf "Expecting a non-negative profile length but received %d" m)
    match rule with
    | PaperDouble -> int (float m * (1.0 - keep))
    | ExactDecimal ->
        let k = Decimal.Parse(keep.ToString("R", Globalization.CultureInfo.InvariantCulture),
                              Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture)
        int (Decimal.Floor(decimal m * (1m - k)))

/// <summary>The seeded Gaussian measurement matrix \(\Phi\) with i.i.d. N(0, 1) entries. The same seed
/// gives the same matrix on every call, dtype and device (values are drawn in double precision on the
/// CPU and then converted).</summary>
/// <param name="source">The random stream (paper: <see cref="F:Dtc.Sensing.Measurements.Source.NumPyLegacy"/>).</param>
/// <param name="seed">The seed (paper: 42424242).</param>
/// <param name="dtype">Element type.</param>
/// <param name="device">Device.</param>
/// <param name="n">Number of measurements (rows), at least 0.</param>
/// <param name="m">Profile length (columns), at least 1.</param>
/// <returns>A new n×m tensor; the caller owns it.</returns>
let gaussian (source: Source) (seed: int64) (dtype: torch.ScalarType) (device: torch.Device) (n: int) (m: int) : torch.Tensor =
    if n < 0 then invalidArg (nameof n) (sprintf "Expecting a non-negative number of measurements but received %d" n)
    if m < 1 then invalidArg (nameof m) (sprintf "Expecting a profile length of at least 1 but received %d" m)
    Dtc.Runtime.Torch.init ()
    match source with
    | NumPyLegacy ->
        let v = Dtc.Runtime.NumPyRandom.normal seed (n * m)
        use t = torch.tensor(v, dtype = torch.float64)
        use r = t.reshape(int64 n, int64 m)
        r.``to``(dtype, device)
    | TorchCpu ->
        use g = new torch.Generator(uint64 seed, torch.CPU)
        use t = torch.randn(int64 n, int64 m, dtype = torch.float64, device = torch.CPU, generator = g)
        t.``to``(dtype, device)

/// <summary>Measures profiles: \(y = \Phi x\).</summary>
/// <param name="phi">The n×m measurement matrix.</param>
/// <param name="profiles">One profile (length m) or a batch (b×m).</param>
/// <returns>The measurements: length n, or b×n for a batch. The caller owns it.</returns>
let measure (phi: torch.Tensor) (profiles: torch.Tensor) : torch.Tensor =
    Dtc.Runtime.Torch.requireRank (nameof phi) 2 phi
    let m = phi.shape.[1]
    match int profiles.Dimensions with
    | 1 when profiles.shape.[0] = m -> phi.matmul(profiles)
    | 2 when profiles.shape.[1] = m -> profiles.matmul(phi.T)
    | _ ->
        invalidArg (nameof profiles)
            (sprintf "Expecting a profile of length %d or a batch of shape [b, %d] but received shape [%s]"
                 m m (String.Join(", ", profiles.shape)))

/// <summary>The sensing matrix \(\Theta = \Phi \Psi\).</summary>
/// <param name="phi">The n×m measurement matrix.</param>
/// <param name="psi">The m×m basis.</param>
/// <returns>The n×m sensing matrix; the caller owns it.</returns>
let theta (phi: torch.Tensor) (psi: torch.Tensor) : torch.Tensor =
    Dtc.Runtime.Torch.requireRank (nameof phi) 2 phi
    Dtc.Runtime.Torch.requireRank (nameof psi) 2 psi
    if psi.shape.[0] <> phi.shape.[1] || psi.shape.[1] <> psi.shape.[0] then
        invalidArg (nameof psi)
            (sprintf "Expecting a %d×%d basis but received shape [%s]" phi.shape.[1] phi.shape.[1] (String.Join(", ", psi.shape)))
    phi.matmul(psi)
