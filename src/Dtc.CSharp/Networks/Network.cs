using Dtc.CSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dtc.CSharp.Networks;

/// <summary>A group of units of a network (mirrors <c>Dtc.Networks.Groups.GroupInfo</c>).</summary>
/// <param name="Name">The producer's and consumer's names, <c>"producer->consumer"</c>.</param>
/// <param name="Kind"><c>linear-units</c>, <c>conv-channels</c> or <c>conv-channels-flatten</c>.</param>
/// <param name="Width">The number of units (features or channels).</param>
/// <namespacedoc><summary>Compress-training your own TorchSharp network: its unit groups, slicing and training.</summary></namespacedoc>
public sealed record NetworkGroup(string Name, string Kind, int Width)
{
    internal static NetworkGroup Of(Dtc.Networks.Groups.GroupInfo g) => new(g.Name, g.Kind, g.Width);

    internal Dtc.Networks.Groups.GroupInfo ToCore() => new(Name, Kind, Width);
}

/// <summary>
/// A user's TorchSharp network described for compression: the module, its groups of units and the shape of
/// one input sample (mirrors <c>Dtc.Networks.Network</c>). Compressing it slices its layers in place, so the
/// module keeps working with no rebuilding.
/// </summary>
public sealed class Network
{
    internal Network(Dtc.Networks.Network.Network core) => Core = core;

    internal Dtc.Networks.Network.Network Core { get; }

    /// <summary>Describes a <c>Sequential</c> with every group of units found in it: each hidden Linear with the
    /// next Linear, each Conv2d with the next Conv2d or with the first Linear after a Flatten.</summary>
    /// <param name="sequential">The Sequential (owned by the caller).</param>
    /// <param name="inputShape">The shape of one input sample without the batch dimension, e.g. <c>[1, 28, 28]</c> or <c>[784]</c>.</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentException">A layer between two layers of a group that cannot be sliced through
    /// (LayerNorm, a custom module, a grouped convolution, …), named in the message; or no group.</exception>
    public static Network FromSequential(Sequential sequential, params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(sequential);
        Runtime.Native.Ensure();
        return new(Dtc.Networks.Network.ofSequential(inputShape, sequential));
    }

    /// <summary>Describes any module by feed-forward pairs of Linear layers named as in <c>named_modules()</c>,
    /// e.g. <c>("block0.ffn.up", "block0.ffn.down")</c>. What runs between the two layers must act on each unit
    /// alone (an activation, dropout).</summary>
    /// <param name="module">The module (owned by the caller).</param>
    /// <param name="inputShape">The shape of one input sample without the batch dimension.</param>
    /// <param name="pairs">The pairs (producer name, consumer name).</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentException">A missing name, a module that is not a Linear, or mismatched widths, named in the message.</exception>
    public static Network WithPairs(nn.Module<Tensor, Tensor> module, int[] inputShape, params (string Up, string Down)[] pairs)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(pairs);
        Runtime.Native.Ensure();
        return new(Dtc.Networks.Network.withPairs(inputShape, pairs.Select(p => Tuple.Create(p.Up, p.Down)).ToArray(), module));
    }

    /// <summary>The module.</summary>
    public nn.Module<Tensor, Tensor> Module => Core.Module;

    /// <summary>The shape of one input sample.</summary>
    public IReadOnlyList<int> InputShape => Core.SampleShape.ToArray();

    /// <summary>The groups of units, in order.</summary>
    public IReadOnlyList<NetworkGroup> Groups => Dtc.Networks.Network.groups(Core).Select(NetworkGroup.Of).ToArray();

    /// <summary>The groups' current widths, in order.</summary>
    public IReadOnlyList<int> Widths => Dtc.Networks.Network.widths(Core);

    /// <summary>The module's parameter count.</summary>
    public long ParameterCount
    {
        get
        {
            Runtime.Native.Ensure();
            return Dtc.Networks.Network.parameterCount(Core);
        }
    }

    /// <summary>Compresses every group wider than the protocol's stop size once, in place: all groups scored on
    /// the weights as given by the method, then sliced to their kept units.</summary>
    /// <param name="protocol">The protocol; null for the paper's.</param>
    /// <param name="method">The method; null for DTC with the paper's settings.</param>
    /// <returns>One record per group, in order (<c>Layer</c> is the group's index).</returns>
    public IReadOnlyList<LayerCycleResults> CompressOnce(ProtocolOptions? protocol = null, CompressionMethod? method = null)
    {
        Runtime.Native.Ensure();
        var core = (protocol ?? ProtocolOptions.Paper).ToCore();
        return Dtc.Networks.Network.compressOnce(core, (method ?? CompressionMethod.Dtc()).ToCore(), Core).Select(LayerCycleResults.Of).ToArray();
    }
}
