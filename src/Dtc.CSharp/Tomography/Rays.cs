using Microsoft.FSharp.Core;
using Dtc.CSharp.Sensing;
using TorchSharp;

namespace Dtc.CSharp.Tomography;

/// <summary>Settings of inverse compressed sensing (mirrors <c>Dtc.Tomography.Rays.Options</c>); the defaults are the paper's.</summary>
public sealed record RayOptions
{
    /// <summary>Basis name: <c>dct1</c> (default, the paper), <c>dct2</c> or <c>identity</c> (see <see cref="Sensing.Basis.Parse"/>).</summary>
    public string Basis { get; init; } = "dct1";
    /// <summary>Kept fraction per cycle, which sets the number of measurements. Default 0.9.</summary>
    public double Keep { get; init; } = 0.9;
    /// <summary>Use the supplement's double-precision measurement count (default true) rather than the exact one.</summary>
    public bool PaperCount { get; init; } = true;
    /// <summary>Seed of the measurement matrix. Default 42424242.</summary>
    public long Seed { get; init; } = 42424242L;
    /// <summary>Draw the measurement matrix from NumPy's legacy stream (default true, the paper) rather than TorchSharp's.</summary>
    public bool NumPyStream { get; init; } = true;
    /// <summary>LASSO weight λ. Default 0.3.</summary>
    public double Lambda { get; init; } = 0.3;
    /// <summary>Relative duality gap at which the solver stops. Default 1e-6.</summary>
    public double RelativeGap { get; init; } = 1e-6;
    /// <summary>Solver iteration cap. Default 100000.</summary>
    public int MaxIterations { get; init; } = 100_000;
    /// <summary>Precision of the sensing computation, independent of the model's. Default <c>float64</c>.</summary>
    public torch.ScalarType Dtype { get; init; } = torch.ScalarType.Float64;

    internal static RayOptions Of(Dtc.Tomography.Rays.Options o) => new()
    {
        Basis = o.Basis.IsDctI ? "dct1" : o.Basis.IsDctII ? "dct2" : "identity",
        Keep = o.Keep,
        PaperCount = o.Count.IsPaperDouble,
        Seed = o.Seed,
        NumPyStream = o.Source.IsNumPyLegacy,
        Lambda = o.Lasso.Lambda,
        RelativeGap = o.Lasso.RelativeGap,
        MaxIterations = o.Lasso.MaxIterations,
        Dtype = o.Dtype,
    };

    internal Dtc.Tomography.Rays.Options ToCore() => Dtc.Tomography.Rays.Options.Create(
        basis: FSharpOption<Dtc.Sensing.Basis.Kind>.Some(Dtc.Sensing.Basis.parse(Basis)),
        keep: FSharpOption<double>.Some(Keep),
        count: FSharpOption<Dtc.Sensing.Measurements.CountRule>.Some(
            PaperCount ? Dtc.Sensing.Measurements.CountRule.PaperDouble : Dtc.Sensing.Measurements.CountRule.ExactDecimal),
        source: FSharpOption<Dtc.Sensing.Measurements.Source>.Some(
            NumPyStream ? Dtc.Sensing.Measurements.Source.NumPyLegacy : Dtc.Sensing.Measurements.Source.TorchCpu),
        seed: FSharpOption<long>.Some(Seed),
        lambda: FSharpOption<double>.Some(Lambda),
        relativeGap: FSharpOption<double>.Some(RelativeGap),
        maxIterations: FSharpOption<int>.Some(MaxIterations),
        dtype: FSharpOption<torch.ScalarType>.Some(Dtype));
}

/// <summary>The weight rays of a batch of b profiles of length m, as tensors (mirrors <c>Dtc.Tomography.Rays.Rays</c>).
/// Dispose it to release its tensors.</summary>
public sealed class WeightRays : IDisposable
{
    readonly Dtc.Tomography.Rays.Rays core;

    internal Dtc.Tomography.Rays.Rays Core => core;

    internal WeightRays(Dtc.Tomography.Rays.Rays core)
    {
        this.core = core;
        RelativeErrors = core.RelativeErrors;
        Diagnostics = core.Diagnostics.Select(SolverDiagnostics.Of).ToArray();
    }

    /// <summary>The sparse codes s, b×m (coefficient domain: index k is not unit k).</summary>
    public torch.Tensor Codes => core.Codes;
    /// <summary>The reconstructions Ψs, b×m (index-aligned with the units).</summary>
    public torch.Tensor Reconstructions => core.Reconstructions;
    /// <summary>The measurements y = Φx, b×n.</summary>
    public torch.Tensor Measurements => core.Measurements;
    /// <summary>The sensing matrix Θ = ΦΨ, n×m.</summary>
    public torch.Tensor Theta => core.Theta;
    /// <summary>Relative reconstruction error ‖Ψs − x‖/‖x‖ per profile (NaN for a zero profile).</summary>
    public IReadOnlyList<double> RelativeErrors { get; }
    /// <summary>Solver diagnostics per profile.</summary>
    public IReadOnlyList<SolverDiagnostics> Diagnostics { get; }

    /// <summary>Releases the tensors.</summary>
    public void Dispose() => ((IDisposable)core).Dispose();
}

/// <summary>The weight ray of one profile, as arrays.</summary>
/// <param name="Code">The sparse code s (length m, coefficient domain).</param>
/// <param name="Reconstruction">The reconstruction Ψs (length m).</param>
/// <param name="Measurements">The measurements y = Φx (length n).</param>
/// <param name="RelativeError">‖Ψs − x‖/‖x‖ (NaN for a zero profile).</param>
/// <param name="Diagnostics">The solver's diagnostics.</param>
public sealed record RayValues(double[] Code, double[] Reconstruction, double[] Measurements, double RelativeError, SolverDiagnostics Diagnostics);

/// <summary>Weight rays by inverse compressed sensing (mirrors <c>Dtc.Tomography.Rays</c>): invented measurements
/// y = Φx of each profile and a sparse code s with x ≈ Ψs from the LASSO min ‖ΦΨs − y‖² + λ‖s‖₁.</summary>
public static class Rays
{
    /// <summary>Inverse compressed sensing of a batch of profiles, solved as one batched LASSO.</summary>
    /// <param name="profiles">A b×m batch of profiles (or one profile of length m, treated as b = 1), on any device.</param>
    /// <param name="options">Settings; null for the paper's.</param>
    /// <returns>The rays, on the profiles' device in <see cref="RayOptions.Dtype"/>; the caller disposes them.</returns>
    public static WeightRays Reconstruct(torch.Tensor profiles, RayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        return new WeightRays(Dtc.Tomography.Rays.reconstruct((options ?? new RayOptions()).ToCore(), profiles));
    }

    /// <summary>Tomography of a layer pair: the dual profiles (incoming, outgoing) of the hidden units between two
    /// layers and their rays (a batch of 2: row 0 incoming, row 1 outgoing).</summary>
    /// <param name="incomingWeight">The previous layer's weight, units×inputs.</param>
    /// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
    /// <param name="options">Settings; null for the paper's.</param>
    /// <param name="reduction">How weights are reduced to profiles. Default <see cref="ProfileReduction.Sum"/> (the paper).</param>
    /// <returns>The two rays; the caller disposes them.</returns>
    public static WeightRays OfLayerPair(torch.Tensor incomingWeight, torch.Tensor outgoingWeight, RayOptions? options = null,
                                         ProfileReduction reduction = ProfileReduction.Sum)
    {
        using var profiles = Profiles.Dual(incomingWeight, outgoingWeight, reduction);
        return Reconstruct(profiles, options);
    }

    /// <summary>Inverse compressed sensing of one profile given as values (computed on the CPU).</summary>
    /// <param name="profile">The profile, length m ≥ 1.</param>
    /// <param name="options">Settings; null for the paper's.</param>
    /// <returns>The code, reconstruction, measurements, error and diagnostics as arrays.</returns>
    public static RayValues ReconstructValues(IEnumerable<double> profile, RayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        using var x = Dtc.Runtime.Torch.ofArray(torch.float64, Dtc.Runtime.Torch.cpu(), profile.ToArray());
        using var rays = Reconstruct(x, options);
        return new RayValues(
            Dtc.Runtime.Torch.toArray(rays.Codes),
            Dtc.Runtime.Torch.toArray(rays.Reconstructions),
            Dtc.Runtime.Torch.toArray(rays.Measurements),
            rays.RelativeErrors[0],
            rays.Diagnostics[0]);
    }
}
