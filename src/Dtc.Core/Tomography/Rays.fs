/// <summary>
/// Weight rays by inverse compressed sensing (iCS): the weights are known, so measurements
/// \(y = \Phi x\) of a profile x are invented and a sparse code s with \(x \approx \Psi s\) is
/// recovered by the LASSO \(\min_s \|\Phi\Psi s - y\|_2^2 + \lambda\|s\|_1\).
/// </summary>
module Dtc.Tomography.Rays

open System
open TorchSharp
open Dtc.Sensing

/// <summary>Settings of inverse compressed sensing.</summary>
type Options =
    { /// <summary>The basis \(\Psi\). Paper: DCT-I.</summary>
      Basis: Basis.Kind
      /// <summary>Kept fraction per cycle, which sets the number of measurements n = m(1 − keep). Paper: 0.9.</summary>
      Keep: float
      /// <summary>How n is computed. Paper: the supplement's double-precision rule.</summary>
      Count: Measurements.CountRule
      /// <summary>Random stream of \(\Phi\). Paper: NumPy's legacy stream.</summary>
      Source: Measurements.Source
      /// <summary>Seed of \(\Phi\), the same at every call. Paper: 42424242.</summary>
      Seed: int64
      /// <summary>LASSO settings (λ = 0.3 in the paper).</summary>
      Lasso: Lasso.Options
      /// <summary>Precision of the sensing computation, independent of the model's dtype. Default float64.</summary>
      Dtype: torch.ScalarType }

    /// <summary>The paper's settings: DCT-I, keep 0.9, the supplement's count, NumPy's stream seeded 42424242, λ = 0.3, float64.</summary>
    static member paper =
        { Basis = Basis.DctI
          Keep = 0.9
          Count = Measurements.PaperDouble
          Source = Measurements.NumPyLegacy
          Seed = 42424242L
          Lasso = { Lasso.Options.defaults with Lambda = 0.3 }
          Dtype = torch.float64 }

    /// <summary>Same as <see cref="P:Dtc.Tomography.Rays.Options.paper"/>.</summary>
    static member defaults = Options.paper

    /// <summary>Builds settings from the paper's, changing only the given values (for C# and optional-argument callers).</summary>
    /// <param name="basis">The basis. Default DCT-I.</param>
    /// <param name="keep">Kept fraction. Default 0.9.</param>
    /// <param name="count">Measurement count rule. Default the supplement's.</param>
    /// <param name="source">Random stream of Φ. Default NumPy's legacy stream.</param>
    /// <param name="seed">Seed of Φ. Default 42424242.</param>
    /// <param name="lambda">LASSO weight. Default 0.3.</param>
    /// <param name="relativeGap">Solver tolerance on the relative duality gap. Default 1e-6.</param>
    /// <param name="maxIterations">Solver iteration cap. Default 100000.</param>
    /// <param name="dtype">Sensing precision. Default float64.</param>
    /// <returns>The settings.</returns>
    static member Create(?basis: Basis.Kind, ?keep: float, ?count: Measurements.CountRule, ?source: Measurements.Source,
                         ?seed: int64, ?lambda: float, ?relativeGap: float, ?maxIterations: int, ?dtype: torch.ScalarType) =
        let p = Options.paper
        { Basis = defaultArg basis p.Basis
          Keep = defaultArg keep p.Keep
          Count = defaultArg count p.Count
          Source = defaultArg source p.Source
          Seed = defaultArg seed p.Seed
          Lasso =
            { p.Lasso with
                Lambda = defaultArg lambda p.Lasso.Lambda
                RelativeGap = defaultArg relativeGap p.Lasso.RelativeGap
                MaxIterations = defaultArg maxIterations p.Lasso.MaxIterations }
          Dtype = defaultArg dtype p.Dtype }

/// <summary>The rays of a batch of b profiles of length m (all measured with the same \(\Phi\)).
/// Dispose it to release its tensors.</summary>
type Rays =
    { /// <summary>The sparse codes s, b×m (coefficient domain: index k is not unit k).</summary>
      Codes: torch.Tensor
      /// <summary>The reconstructions \(\Psi s\), b×m (index-aligned with the units).</summary>
      Reconstructions: torch.Tensor
      /// <summary>The measurements y, b×n.</summary>
      Measurements: torch.Tensor
      /// <summary>The sensing matrix \(\Theta = \Phi\Psi\), n×m.</summary>
      Theta: torch.Tensor
      /// <summary>Relative reconstruction error \(\|\Psi s - x\|_2 / \|x\|_2\) per profile (NaN for a zero profile).</summary>
      RelativeErrors: float[]
      /// <summary>Solver diagnostics per profile.</summary>
      Diagnostics: Lasso.Diagnostics[] }

    interface IDisposable with
        member r.Dispose() =
            r.Codes.Dispose()
            r.Reconstructions.Dispose()
            r.Measurements.Dispose()
            r.Theta.Dispose()

/// <summary>Checks ray settings (and their solver settings), naming the first bad value.</summary>
/// <param name="options">The settings.</param>
/// <returns>The settings, unchanged.</returns>
/// <exception cref="T:System.ArgumentException">A setting out of its range.</exception>
let validate (options: Options) : Options =
    if Double.IsNaN options.Keep || options.Keep < 0.0 || options.Keep > 1.0 then
        invalidArg (nameof options) (sprintf "Expecting Keep in [0, 1] but received %g" options.Keep)
    if options.Dtype <> torch.float32 && options.Dtype <> torch.float64 then
        invalidArg (nameof options) (sprintf "Expecting Dtype float32 or float64 but received %O" options.Dtype)
    Lasso.validate options.Lasso |> ignore
    options

/// <summary>Longest profile for which the basis enters as a matrix (<see cref="M:Dtc.Sensing.Basis.matrix(Dtc.Sensing.Basis.Kind,TorchSharp.torch.ScalarType,TorchSharp.torch.Device,System.Int32)"/>);
/// longer profiles use <see cref="M:Dtc.Sensing.Basis.analyse(Dtc.Sensing.Basis.Kind,TorchSharp.torch.Tensor)"/> and
/// <see cref="M:Dtc.Sensing.Basis.synthesise(Dtc.Sensing.Basis.Kind,TorchSharp.torch.Tensor)"/>, equal to rounding.</summary>
[<Literal>]
let matrixLength = 1024

/// <summary>Inverse compressed sensing of a batch of profiles, solved as one batched LASSO.</summary>
/// <param name="options">Settings (see <see cref="P:Dtc.Tomography.Rays.Options.paper"/>).</param>
/// <param name="profiles">A b×m batch of profiles (or one profile of length m, treated as b = 1), on any device.</param>
/// <returns>The rays, on the profiles' device in <c>options.Dtype</c>; the caller disposes them.</returns>
let reconstruct (options: Options) (profiles: torch.Tensor) : Rays =
    validate options |> ignore
    Dtc.Runtime.Torch.requireFloating (nameof profiles) profiles
    if profiles.Dimensions < 1L || profiles.Dimensions > 2L then
        invalidArg (nameof profiles) (sprintf "Expecting a profile vector or a b×m batch but received shape [%s]" (String.Join(", ", profiles.shape)))
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let x = (if profiles.Dimensions = 1L then profiles.unsqueeze(0L) else profiles).``to``(options.Dtype)
    let b, m = x.shape.[0], int x.shape.[1]
    let device = profiles.device
    let n = Measurements.count options.Count options.Keep m
    let phi = Measurements.gaussian options.Source options.Seed options.Dtype device n m
    // Ψ enters as Θ = ΦΨ and as the synthesis Ψs. Up to matrixLength units, through the matrix (as the
    // supplement computes it, and bit for bit as the recorded runs); beyond, by FFT without forming Ψ,
    // whose O(m²) construction and products would dominate the compress step of wide layers (at 8192
    // units a 512 MB matrix).
    let theta, synthesise =
        if m <= matrixLength then
            let psi = Basis.matrix options.Basis options.Dtype device m
            Measurements.theta phi psi, (fun (codes: torch.Tensor) -> codes.matmul(psi.T))
        else Basis.analyse options.Basis phi, Basis.synthesise options.Basis
    let y = Measurements.measure phi x
    // Every profile is measured by the same Φ in the same basis: one Θ shared by the batch.
    let solution = Lasso.solveShared options.Lasso theta y
    let codes = solution.Coefficients
    let recon = synthesise codes
    let errors =
        let num = Dtc.Runtime.Torch.toArray ((recon - x).norm(1))
        let den = Dtc.Runtime.Torch.toArray (x.norm(1))
        Array.map2 (fun a d -> if d = 0.0 then nan else a / d) num den
    { Codes = codes.MoveToOuterDisposeScope()
      Reconstructions = recon.MoveToOuterDisposeScope()
      Measurements = y.MoveToOuterDisposeScope()
      Theta = theta.MoveToOuterDisposeScope()
      RelativeErrors = errors
      Diagnostics = solution.Diagnostics }
