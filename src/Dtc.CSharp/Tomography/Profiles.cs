using TorchSharp;

namespace Dtc.CSharp.Tomography;

/// <summary>How a unit's weights are reduced to one number (mirrors <c>Dtc.Tomography.Profiles.Reduction</c>).</summary>
/// <namespacedoc><summary>Tomography of hidden layers: unit profiles and weight rays.</summary></namespacedoc>
public enum ProfileReduction
{
    /// <summary>The plain sum (the paper).</summary>
    Sum,
    /// <summary>The l1 norm.</summary>
    L1,
    /// <summary>The l2 norm.</summary>
    L2,
}

/// <summary>Unit profiles of a hidden layer (mirrors <c>Dtc.Tomography.Profiles</c>): a1 from the rows of the
/// previous layer's weight, a2 from the columns of the next layer's weight.</summary>
public static class Profiles
{
    /// <summary>Parses <c>sum</c>, <c>l1</c> or <c>l2</c> (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The reduction.</returns>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static ProfileReduction Parse(string name)
    {
        var r = Dtc.Tomography.Profiles.parse(name);
        return r.IsSum ? ProfileReduction.Sum : r.IsL1 ? ProfileReduction.L1 : ProfileReduction.L2;
    }

    /// <summary>The incoming profile a1: one value per unit from the rows of the previous layer's weight.</summary>
    /// <param name="incomingWeight">The previous layer's weight, units×inputs.</param>
    /// <param name="reduction">How to reduce a row. Default <see cref="ProfileReduction.Sum"/> (the paper).</param>
    /// <returns>A new vector of length units; the caller disposes it.</returns>
    public static torch.Tensor Incoming(torch.Tensor incomingWeight, ProfileReduction reduction = ProfileReduction.Sum) =>
        Dtc.Tomography.Profiles.incoming(ToCore(reduction), incomingWeight ?? throw new ArgumentNullException(nameof(incomingWeight)));

    /// <summary>The outgoing profile a2: one value per unit from the columns of the next layer's weight.</summary>
    /// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
    /// <param name="reduction">How to reduce a column. Default <see cref="ProfileReduction.Sum"/> (the paper).</param>
    /// <returns>A new vector of length units; the caller disposes it.</returns>
    public static torch.Tensor Outgoing(torch.Tensor outgoingWeight, ProfileReduction reduction = ProfileReduction.Sum) =>
        Dtc.Tomography.Profiles.outgoing(ToCore(reduction), outgoingWeight ?? throw new ArgumentNullException(nameof(outgoingWeight)));

    /// <summary>Both profiles stacked as a 2×units tensor (row 0 incoming, row 1 outgoing), ready for <see cref="Rays.Reconstruct"/>.</summary>
    /// <param name="incomingWeight">The previous layer's weight, units×inputs.</param>
    /// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
    /// <param name="reduction">How to reduce weights. Default <see cref="ProfileReduction.Sum"/> (the paper).</param>
    /// <returns>A new 2×units tensor; the caller disposes it.</returns>
    public static torch.Tensor Dual(torch.Tensor incomingWeight, torch.Tensor outgoingWeight, ProfileReduction reduction = ProfileReduction.Sum)
    {
        ArgumentNullException.ThrowIfNull(incomingWeight);
        ArgumentNullException.ThrowIfNull(outgoingWeight);
        return Dtc.Tomography.Profiles.dual(ToCore(reduction), incomingWeight, outgoingWeight);
    }

    internal static Dtc.Tomography.Profiles.Reduction ToCore(ProfileReduction reduction) => reduction switch
    {
        ProfileReduction.Sum => Dtc.Tomography.Profiles.Reduction.Sum,
        ProfileReduction.L1 => Dtc.Tomography.Profiles.Reduction.L1,
        ProfileReduction.L2 => Dtc.Tomography.Profiles.Reduction.L2,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Expecting Sum, L1 or L2"),
    };
}
