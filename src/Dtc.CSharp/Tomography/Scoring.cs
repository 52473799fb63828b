using TorchSharp;

namespace Dtc.CSharp.Tomography;

/// <summary>Dual scores of a layer pair's hidden units, with what the tomography measured.</summary>
public sealed class DualScores
{
    internal DualScores(double[] values, double[] incomingProfile, double[] outgoingProfile,
                        double[]? incomingMeasurements, double[]? outgoingMeasurements, IReadOnlyList<SolverDiagnostics> diagnostics,
                        IReadOnlyList<double> relativeErrors)
    {
        Values = values;
        IncomingProfile = incomingProfile;
        OutgoingProfile = outgoingProfile;
        IncomingMeasurements = incomingMeasurements;
        OutgoingMeasurements = outgoingMeasurements;
        Diagnostics = diagnostics;
        RelativeErrors = relativeErrors;
    }

    /// <summary>One score per hidden unit (or per DCT coefficient for the paper's coefficient-domain score).</summary>
    public double[] Values { get; }
    /// <summary>The incoming profile a1 (row sums of the previous layer).</summary>
    public double[] IncomingProfile { get; }
    /// <summary>The outgoing profile a2 (column sums of the next layer).</summary>
    public double[] OutgoingProfile { get; }
    /// <summary>The measurements y1 of the incoming profile, or null for the magnitude score.</summary>
    public double[]? IncomingMeasurements { get; }
    /// <summary>The measurements y2 of the outgoing profile, or null for the magnitude score.</summary>
    public double[]? OutgoingMeasurements { get; }
    /// <summary>Solver diagnostics (incoming, outgoing); empty for the magnitude score.</summary>
    public IReadOnlyList<SolverDiagnostics> Diagnostics { get; }
    /// <summary>Relative reconstruction errors (incoming, outgoing); empty for the magnitude score.</summary>
    public IReadOnlyList<double> RelativeErrors { get; }
}

/// <summary>Which dual score.</summary>
public enum ScoreDomain
{
    /// <summary>s1 + s2 in the DCT coefficient domain (the paper's DTC score).</summary>
    Coefficients,
    /// <summary>Ψs1 + Ψs2, index-aligned with the units.</summary>
    Reconstruction,
    /// <summary>a1 + a2, no sensing (the magnitude baseline).</summary>
    Magnitude,
}

/// <summary>Dual tomography of a hidden layer (mirrors <c>Dtc.Pruning.Scoring</c>).</summary>
public static class Scoring
{
    /// <summary>Scores the hidden units between two layers from both sides.</summary>
    /// <param name="incomingWeight">The previous layer's weight, units×inputs.</param>
    /// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
    /// <param name="domain">Which score. Default <see cref="ScoreDomain.Coefficients"/> (the paper).</param>
    /// <param name="options">Sensing settings; null for the paper's.</param>
    /// <returns>The scores and what was measured, as .NET arrays.</returns>
    public static DualScores Dual(torch.Tensor incomingWeight, torch.Tensor outgoingWeight,
                                  ScoreDomain domain = ScoreDomain.Coefficients, RayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(incomingWeight);
        ArgumentNullException.ThrowIfNull(outgoingWeight);
        var d = domain switch
        {
            ScoreDomain.Coefficients => Dtc.Pruning.Scoring.Domain.Coefficients,
            ScoreDomain.Reconstruction => Dtc.Pruning.Scoring.Domain.Reconstruction,
            ScoreDomain.Magnitude => Dtc.Pruning.Scoring.Domain.Magnitude,
            _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "Expecting Coefficients, Reconstruction or Magnitude"),
        };
        using var s = Dtc.Pruning.Scoring.dual(d, Dtc.Tomography.Profiles.Reduction.Sum, (options ?? new RayOptions()).ToCore(),
                                               incomingWeight, outgoingWeight);
        var rays = Microsoft.FSharp.Core.OptionModule.ToObj(s.Rays);
        return new DualScores(
            Dtc.Runtime.Torch.toArray(s.Values),
            Row(s.Profiles, 0),
            Row(s.Profiles, 1),
            rays is null ? null : Row(rays.Measurements, 0),
            rays is null ? null : Row(rays.Measurements, 1),
            rays is null ? [] : rays.Diagnostics.Select(SolverDiagnostics.Of).ToArray(),
            rays is null ? [] : rays.RelativeErrors);
    }

    static double[] Row(torch.Tensor t, long i)
    {
        using var row = t[i];
        return Dtc.Runtime.Torch.toArray(row);
    }
}
