using TorchSharp;

namespace Dtc.CSharp.Sensing;

/// <summary>How the number of measurements n is computed from the kept fraction and the profile length m
/// (mirrors <c>Dtc.Sensing.Measurements.CountRule</c>).</summary>
public enum MeasurementCountRule
{
    /// <summary>The supplement's <c>int(m * (1.0 - keep))</c> in double precision (m = 460, keep = 0.9 gives 45).</summary>
    PaperDouble,
    /// <summary>⌊m(1 − keep)⌋ in exact decimal arithmetic (m = 460, keep = 0.9 gives 46).</summary>
    ExactDecimal,
}

/// <summary>Which random stream draws Φ (mirrors <c>Dtc.Sensing.Measurements.Source</c>).</summary>
public enum MeasurementSource
{
    /// <summary>NumPy's legacy stream, <c>np.random.seed(seed); np.random.normal(size=[n, m])</c>, bit for bit (the paper).</summary>
    NumPyLegacy,
    /// <summary>TorchSharp's CPU generator (<c>torch.randn</c>, float64).</summary>
    TorchCpu,
}

/// <summary>Inverse compressed sensing's invented measurements (mirrors <c>Dtc.Sensing.Measurements</c>):
/// how many, the seeded Gaussian Φ, y = Φx and Θ = ΦΨ.</summary>
public static class Measurements
{
    /// <summary>The number of measurements for a profile of length <paramref name="m"/>.</summary>
    /// <param name="m">The profile length, at least 0.</param>
    /// <param name="keep">The kept fraction per cycle, in [0, 1]. Default 0.9.</param>
    /// <param name="rule">The count rule. Default <see cref="MeasurementCountRule.PaperDouble"/>.</param>
    /// <returns>n, between 0 and m.</returns>
    public static int Count(int m, double keep = 0.9, MeasurementCountRule rule = MeasurementCountRule.PaperDouble) =>
        Dtc.Sensing.Measurements.count(ToCore(rule), keep, m);

    /// <summary>The seeded Gaussian measurement matrix Φ (n×m, i.i.d. N(0, 1)); the same seed gives the same matrix on every dtype and device.</summary>
    /// <param name="n">Number of measurements (rows), at least 0.</param>
    /// <param name="m">Profile length (columns), at least 1.</param>
    /// <param name="seed">The seed. Default 42424242 (the paper).</param>
    /// <param name="source">The random stream. Default <see cref="MeasurementSource.NumPyLegacy"/>.</param>
    /// <param name="dtype">Element type. Default <c>float64</c>.</param>
    /// <param name="device">Device. Default the CPU.</param>
    /// <returns>A new n×m tensor; the caller disposes it.</returns>
    public static torch.Tensor Gaussian(int n, int m, long seed = 42424242L, MeasurementSource source = MeasurementSource.NumPyLegacy,
                                        torch.ScalarType dtype = torch.ScalarType.Float64, torch.Device? device = null) =>
        Dtc.Sensing.Measurements.gaussian(ToCore(source), seed, dtype, device ?? Dtc.Runtime.Torch.cpu(), n, m);

    /// <summary>Measures profiles: y = Φx.</summary>
    /// <param name="phi">The n×m measurement matrix.</param>
    /// <param name="profiles">One profile (length m) or a batch (b×m).</param>
    /// <returns>Length n, or b×n for a batch; the caller disposes it.</returns>
    public static torch.Tensor Measure(torch.Tensor phi, torch.Tensor profiles)
    {
        ArgumentNullException.ThrowIfNull(phi);
        ArgumentNullException.ThrowIfNull(profiles);
        return Dtc.Sensing.Measurements.measure(phi, profiles);
    }

    /// <summary>The sensing matrix Θ = ΦΨ.</summary>
    /// <param name="phi">The n×m measurement matrix.</param>
    /// <param name="psi">The m×m basis.</param>
    /// <returns>The n×m sensing matrix; the caller disposes it.</returns>
    public static torch.Tensor Theta(torch.Tensor phi, torch.Tensor psi)
    {
        ArgumentNullException.ThrowIfNull(phi);
        ArgumentNullException.ThrowIfNull(psi);
        return Dtc.Sensing.Measurements.theta(phi, psi);
    }

    internal static Dtc.Sensing.Measurements.CountRule ToCore(MeasurementCountRule rule) => rule switch
    {
        MeasurementCountRule.PaperDouble => Dtc.Sensing.Measurements.CountRule.PaperDouble,
        MeasurementCountRule.ExactDecimal => Dtc.Sensing.Measurements.CountRule.ExactDecimal,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Expecting PaperDouble or ExactDecimal"),
    };

    internal static Dtc.Sensing.Measurements.Source ToCore(MeasurementSource source) => source switch
    {
        MeasurementSource.NumPyLegacy => Dtc.Sensing.Measurements.Source.NumPyLegacy,
        MeasurementSource.TorchCpu => Dtc.Sensing.Measurements.Source.TorchCpu,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Expecting NumPyLegacy or TorchCpu"),
    };
}
