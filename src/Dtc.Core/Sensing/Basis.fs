/// <summary>
/// Sparsifying bases \(\Psi\): the orthonormal discrete cosine transforms of types I (the paper's
/// choice) and II, and the identity.
/// </summary>
/// <remarks>
/// <c>matrix kind m</c> equals SciPy's <c>dct(np.eye(m), type=k, norm="ortho", axis=0)</c>, the matrix
/// the supplement builds; a profile is synthesised as \(x = \Psi s\). The matrices are computed in
/// double precision on the CPU from the closed form, with the cosine argument reduced exactly in
/// integers, and then moved to the requested dtype and device.
/// <namespacedoc><summary>Compressed sensing: bases, measurements and the LASSO solver.</summary></namespacedoc>
/// </remarks>
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
