using TorchSharp.Modules;

namespace Dtc.CSharp.Pruning;

/// <summary>Two consecutive Linear layers around a hidden layer.</summary>
/// <param name="Previous">The layer into the hidden units.</param>
/// <param name="Next">The layer out of the hidden units.</param>
public sealed record LinearPair(Linear Previous, Linear Next);

/// <summary>Structural slicing of layers (mirrors <c>Dtc.Pruning.Slicing</c>).</summary>
public static class Slicing
{
    /// <summary>Builds the smaller pair of Linear layers holding only the kept hidden units (real smaller tensors).</summary>
    /// <param name="previous">The layer into the hidden units (not modified).</param>
    /// <param name="next">The layer out of the hidden units (not modified).</param>
    /// <param name="kept">Indices of the kept units; their order becomes the new units' order.</param>
    /// <returns>Two new layers.</returns>
    public static LinearPair Slice(Linear previous, Linear next, IEnumerable<int> kept)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(kept);
        var (p, n) = Dtc.Pruning.Slicing.sliceLinear(kept.ToArray(), previous, next);
        return new LinearPair(p, n);
    }
}
