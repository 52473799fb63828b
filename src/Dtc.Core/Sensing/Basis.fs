/// <summary>
/// Sparsifying bases \(\Psi\): the orthonormal discrete cosine transforms of types I (the paper's
/// choice) and II, and the identity.
/// </summary>
/// <remarks>
/// <c>matrix kind m</c> equals SciPy's <c>dct(np.eye(m), type=k, norm="ortho", axis=0)</c>, the matrix
/// the supplement builds; a profile is synthesised as \(x = \Psi s\). The matrices are computed in
/// double precision on the CPU from the closed form, with the cosine argument reduced exactly in
/// integers, and then moved to the requested dtype and device. <c>synthesise</c> and <c>analyse</c>
/// apply \(\Psi\) and \(\Psi^\top\) to the rows of a batch without forming the matrix: by FFT for the
/// DCTs, \(O(m \log m)\) per row instead of the matrix's \(O(m^2)\) time and memory.
/// </remarks>
/// <namespacedoc><summary>Compressed sensing: bases, measurements and the LASSO solver.</summary></namespacedoc>
module Dtc.Sensing.Basis

open System
open TorchSharp

/// <summary>Which basis.</summary>
type Kind =
    /// <summary>Orthonormal DCT type I (the paper's \(\Psi\)); symmetric and its own inverse.</summary>
    | DctI
    /// <summary>Orthonormal DCT type II (the "JPEG" DCT).</summary>
    | DctII
    /// <summary>The identity: sparsity sought in the profile itself.</summary>
    | Identity

/// <summary>Parses a basis name: <c>dct1</c>, <c>dct2</c> or <c>identity</c> (case-insensitive).</summary>
/// <param name="name">The name.</param>
/// <returns>The basis kind.</returns>
let parse (name: string) : Kind =
    match (if isNull name then "" else name.Trim().ToLowerInvariant()) with
    | "dct1" | "dct-i" | "dcti" -> DctI
    | "dct2" | "dct-ii" | "dctii" -> DctII
    | "identity" | "id" -> Identity
    | _ -> invalidArg (nameof name) (sprintf "Expecting a basis name dct1, dct2 or identity but received \"%s\"" name)

/// <summary>The basis matrix as a double array (rows first), computed on the CPU.</summary>
/// <param name="kind">Which basis.</param>
/// <param name="m">The size, at least 1.</param>
/// <returns>The m×m orthonormal matrix.</returns>
let values (kind: Kind) (m: int) : float[,] =
    if m < 1 then invalidArg (nameof m) (sprintf "Expecting a basis size of at least 1 but received %d" m)
    match kind with
    | Identity -> Array2D.init m m (fun i j -> if i = j then 1.0 else 0.0)
    | DctI when m = 1 -> Array2D.create 1 1 1.0 // defined as the 1×1 identity (SciPy rejects DCT-I of size 1)
    | DctI ->
        let period = int64 (2 * (m - 1))
        let c i = if i = 0 || i = m - 1 then sqrt 0.5 else 1.0
        let scale = sqrt (2.0 / float (m - 1))
        Array2D.init m m (fun k n ->
            let r = (int64 k * int64 n) % period
            scale * c k * c n * cos (Math.PI * float r / float (m - 1)))
    | DctII ->
        let period = int64 (4 * m)
        let scale = sqrt (2.0 / float m)
        Array2D.init m m (fun k n ->
            let r = (int64 k * int64 (2 * n + 1)) % period
            if k = 0 then 1.0 / sqrt (float m) // sqrt(2/m)·sqrt(1/2), without its rounding
            else scale * cos (Math.PI * float r / float (2 * m)))

/// <summary>The basis matrix \(\Psi\) as a tensor.</summary>
/// <param name="kind">Which basis.</param>
/// <param name="dtype">Element type (float32 or float64).</param>
/// <param name="device">Device on which to place it.</param>
/// <param name="m">The size, at least 1.</param>
/// <returns>A new m×m tensor; the caller owns it.</returns>
/// <example><code>use psi = Basis.matrix Basis.DctI torch.float64 torch.CPU 512</code></example>
let matrix (kind: Kind) (dtype: torch.ScalarType) (device: torch.Device) (m: int) : torch.Tensor =
    Dtc.Runtime.Torch.ofArray2D dtype device (values kind m)

/// Checks a batch of rows for the transforms: a floating-point vector or matrix with rows of length at least 1.
let private checkRows (name: string) (rows: torch.Tensor) =
    Dtc.Runtime.Torch.requireFloating name rows
    if rows.Dimensions < 1L || rows.Dimensions > 2L || rows.shape.[rows.shape.Length - 1] < 1L then
        invalidArg name (sprintf "Expecting a vector or a b×m batch with m ≥ 1 but received shape [%s]" (String.Join(", ", rows.shape)))
    int rows.shape.[rows.shape.Length - 1]

/// \(\mathrm{Re}\sum_j u_j e^{-2\pi i k j / p}\) for k = 0 … count − 1 along the last dimension: the cosine
/// sums of the DCTs as the real part of a real FFT of u zero-padded to the period p (p ≥ length of u).
let private cosineSums (u: torch.Tensor) (period: int) (count: int) : torch.Tensor =
    use spectrum = torch.fft.rfft(u, int64 period, -1L)
    use re = spectrum.real
    re.narrow(-1L, 0L, int64 count).contiguous()

/// The per-index weights of a DCT, as a tensor like `rows`: DCT-I's \(\sqrt{1/2}\) at both ends, DCT-II's
/// \(\sqrt{1/m}\) at 0 and \(\sqrt{2/m}\) elsewhere.
let private weights (kind: Kind) (m: int) (rows: torch.Tensor) : torch.Tensor =
    let w =
        match kind with
        | DctI -> Array.init m (fun i -> if i = 0 || i = m - 1 then sqrt 0.5 else 1.0)
        | DctII -> Array.init m (fun k -> if k = 0 then 1.0 / sqrt (float m) else sqrt (2.0 / float m))
        | Identity -> Array.create m 1.0
    torch.tensor(w, dtype = rows.dtype, device = rows.device)

/// <summary>Synthesis \(x = \Psi s\) of every row of a batch (rows times \(\Psi^\top\)), without forming
/// \(\Psi\): by FFT for the DCTs. Equals <c>codes.matmul(Ψ.T)</c> to rounding.</summary>
/// <param name="kind">Which basis.</param>
/// <param name="codes">Coefficients: a vector of length m or a b×m batch, float32 or float64, on any device.</param>
/// <returns>A new tensor of the same shape, dtype and device; the caller owns it.</returns>
/// <example><code>use x = Basis.synthesise Basis.DctI codes</code></example>
let synthesise (kind: Kind) (codes: torch.Tensor) : torch.Tensor =
    let m = checkRows (nameof codes) codes
    use scope = torch.NewDisposeScope()
    let result =
        match kind with
        | Identity -> codes.clone()
        | DctI when m = 1 -> codes.clone()
        | DctI ->
            // (Ψs)_k = √(2/(m−1)) c_k Σ_n c_n s_n cos(πkn/(m−1)): period 2(m−1).
            let c = weights DctI m codes
            // The scale as a Scalar held until the product returns (a double would become a temporary Scalar
            // that the finalizer can free during the native call).
            use scale = (sqrt (2.0 / float (m - 1))).ToScalar()
            cosineSums (codes * c) (2 * (m - 1)) m * (c * scale)
        | DctII ->
            // (Ψs)_k = w_k Σ_n s_n cos(πk(2n+1)/(2m)): s at the odd positions 2n+1 of a period 4m.
            let interleaved = torch.stack([| torch.zeros_like(codes); codes |], -1L).flatten(-2L)
            cosineSums interleaved (4 * m) m * weights DctII m codes
    result.MoveToOuterDisposeScope()

/// <summary>Analysis \(\Psi^\top x\) of every row of a batch (rows times \(\Psi\)): for the orthonormal
/// bases, the coefficients s with \(x = \Psi s\). The sensing matrix \(\Theta = \Phi\Psi\) is the analysis
/// of the rows of \(\Phi\). Without forming \(\Psi\): by FFT for the DCTs. Equals <c>rows.matmul(Ψ)</c> to rounding.</summary>
/// <param name="kind">Which basis.</param>
/// <param name="rows">A vector of length m or a b×m batch, float32 or float64, on any device.</param>
/// <returns>A new tensor of the same shape, dtype and device; the caller owns it.</returns>
/// <example><code>use theta = Basis.analyse Basis.DctI phi</code></example>
let analyse (kind: Kind) (rows: torch.Tensor) : torch.Tensor =
    let m = checkRows (nameof rows) rows
    match kind with
    | Identity | DctI -> synthesise kind rows // Ψ symmetric
    | DctII ->
        use scope = torch.NewDisposeScope()
        // (Ψᵀx)_n = Σ_k w_k x_k cos(πk(2n+1)/(2m)): the odd frequencies 2n+1 of a period 4m.
        let sums = cosineSums (rows * weights DctII m rows) (4 * m) (2 * m)
        let shape = Array.append rows.shape.[.. rows.shape.Length - 2] [| int64 m; 2L |]
        sums.reshape(shape).select(-1L, 1L).contiguous().MoveToOuterDisposeScope()
