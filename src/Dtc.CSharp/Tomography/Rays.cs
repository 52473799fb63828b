using Microsoft.FSharp.Core;

namespace Dtc.CSharp.Tomography;

/// <summary>Settings of inverse compressed sensing (mirrors <c>Dtc.Tomography.Rays.Options</c>); the defaults are the paper's.</summary>
public sealed record RayOptions
{
    /// <summary>Basis name: <c>dct1</c> (default, the paper), <c>dct2</c> or <c>identity</c>.</summary>
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
        dtype: FSharpOption<TorchSharp.torch.ScalarType>.None);
}

/// <summary>Solver diagnostics of one profile.</summary>
/// <param name="Objective">Objective value at the solution.</param>
/// <param name="RelativeGap">Relative duality gap (the optimality certificate).</param>
/// <param name="Iterations">Iterations used.</param>
/// <param name="Converged">Whether the gap reached the tolerance.</param>
public sealed record SolverDiagnostics(double Objective, double RelativeGap, int Iterations, bool Converged)
{
    internal static SolverDiagnostics Of(Dtc.Sensing.Lasso.Diagnostics d) => new(d.Objective, d.RelativeGap, d.Iterations, d.Converged);
}
