using Dtc.CSharp.Sensing;
using Dtc.CSharp.Tomography;
using TorchSharp;

namespace Dtc.CSharp.Pruning;

/// <summary>Dual scores of a layer pair's hidden units, with what the tomography measured.</summary>
/// <namespacedoc><summary>Structured pruning: dual scores of hidden units, selection of the kept ones, slicing of layers.</summary></namespacedoc>
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
    /// <param name="reduction">How weights are reduced to profiles. Default <see cref="ProfileReduction.Sum"/> (the paper).</param>
    /// <returns>The scores and what was measured, as .NET arrays.</returns>
    public static DualScores Dual(torch.Tensor incomingWeight, torch.Tensor outgoingWeight,
                                  ScoreDomain domain = ScoreDomain.Coefficients, RayOptions? options = null,
                                  ProfileReduction reduction = ProfileReduction.Sum)
    {
        ArgumentNullException.ThrowIfNull(incomingWeight);
        ArgumentNullException.ThrowIfNull(outgoingWeight);
        using var s = Dtc.Pruning.Scoring.dual(ToCore(domain), Profiles.ToCore(reduction), (options ?? new RayOptions()).ToCore(),
                                               incomingWeight, outgoingWeight);
        return Of(s);
    }

    /// <summary>Scores the hidden units of several layer pairs of one model at once, all from the weights as
    /// given: pairs of equal width are measured by the same Φ, so both sides of all of them are solved as one
    /// LASSO batch.</summary>
    /// <param name="incomingWeights">Per pair, the previous layer's weight, units×inputs.</param>
    /// <param name="outgoingWeights">Per pair, the next layer's weight, outputs×units (as many as incoming weights).</param>
    /// <param name="domain">Which score. Default <see cref="ScoreDomain.Coefficients"/> (the paper).</param>
    /// <param name="options">Sensing settings; null for the paper's.</param>
    /// <param name="reduction">How weights are reduced to profiles. Default <see cref="ProfileReduction.Sum"/> (the paper).</param>
    /// <returns>One set of scores per pair, in order.</returns>
    /// <exception cref="ArgumentException">The two lists differ in length.</exception>
    public static DualScores[] DualLayers(IReadOnlyList<torch.Tensor> incomingWeights, IReadOnlyList<torch.Tensor> outgoingWeights,
                                          ScoreDomain domain = ScoreDomain.Coefficients, RayOptions? options = null,
                                          ProfileReduction reduction = ProfileReduction.Sum)
    {
        ArgumentNullException.ThrowIfNull(incomingWeights);
        ArgumentNullException.ThrowIfNull(outgoingWeights);
        if (incomingWeights.Count != outgoingWeights.Count)
            throw new ArgumentException(
                $"Expecting as many outgoing as incoming weights but received {outgoingWeights.Count} and {incomingWeights.Count}", nameof(outgoingWeights));
        var pairs = incomingWeights.Zip(outgoingWeights, (i, o) => Tuple.Create(
            i ?? throw new ArgumentNullException(nameof(incomingWeights)),
            o ?? throw new ArgumentNullException(nameof(outgoingWeights)))).ToArray();
        var scores = Dtc.Pruning.Scoring.dualLayers(ToCore(domain), Profiles.ToCore(reduction), (options ?? new RayOptions()).ToCore(), pairs);
        try { return scores.Select(Of).ToArray(); }
        finally { foreach (var s in scores) ((IDisposable)s).Dispose(); }
    }

    static DualScores Of(Dtc.Pruning.Scoring.Scores s)
    {
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

    /// <summary>Parses <c>coefficients</c>, <c>reconstruction</c> or <c>magnitude</c> (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The score domain.</returns>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static ScoreDomain Parse(string name)
    {
        return Of(Dtc.Pruning.Scoring.parse(name));
    }

    internal static ScoreDomain Of(Dtc.Pruning.Scoring.Domain d) =>
        d.IsCoefficients ? ScoreDomain.Coefficients : d.IsReconstruction ? ScoreDomain.Reconstruction : ScoreDomain.Magnitude;

    /// <summary>Scores from dual rays already computed (see <see cref="Rays.OfLayerPair"/>): the sum of the two rows of the chosen domain.</summary>
    /// <param name="rays">The rays of the two profiles (incoming, outgoing).</param>
    /// <param name="domain">Coefficients (default, the paper) or Reconstruction.</param>
    /// <returns>One score per unit (or coefficient).</returns>
    public static double[] OfRays(WeightRays rays, ScoreDomain domain = ScoreDomain.Coefficients)
    {
        ArgumentNullException.ThrowIfNull(rays);
        using var s = Dtc.Pruning.Scoring.ofRays(ToCore(domain), rays.Core);
        return Dtc.Runtime.Torch.toArray(s);
    }

    internal static Dtc.Pruning.Scoring.Domain ToCore(ScoreDomain domain) => domain switch
    {
        ScoreDomain.Coefficients => Dtc.Pruning.Scoring.Domain.Coefficients,
        ScoreDomain.Reconstruction => Dtc.Pruning.Scoring.Domain.Reconstruction,
        ScoreDomain.Magnitude => Dtc.Pruning.Scoring.Domain.Magnitude,
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "Expecting Coefficients, Reconstruction or Magnitude"),
    };

    static double[] Row(torch.Tensor t, long i)
    {
        using var row = t[i];
        return Dtc.Runtime.Torch.toArray(row);
    }
}
