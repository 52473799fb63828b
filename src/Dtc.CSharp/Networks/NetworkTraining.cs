using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Dtc.CSharp.Data;
using Dtc.CSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using T = Dtc.Networks.Training;

namespace Dtc.CSharp.Networks;

/// <summary>A method's compressed network, kept from a run.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Network">The network, compressed in place (its <see cref="Network.Module"/> is the module the builder made).</param>
public sealed record CompressedNetwork(string Method, Network Network);

/// <summary>The results of a run on a network with each method's compressed network (mirrors
/// <c>Dtc.Networks.Training.NetworkModelRun</c>). Dispose it to release the modules.</summary>
public sealed class NetworkModelRun : IDisposable
{
    internal NetworkModelRun(NetworkResults results, IReadOnlyList<CompressedNetwork> networks) => (Results, Networks) = (results, networks);

    /// <summary>The results.</summary>
    public NetworkResults Results { get; }

    /// <summary>Each method's compressed network, in the protocol's order.</summary>
    public IReadOnlyList<CompressedNetwork> Networks { get; }

    /// <summary>The compressed network of a method (case-insensitive name).</summary>
    /// <param name="method">The method's name, e.g. "dtc".</param>
    /// <returns>Its network.</returns>
    /// <exception cref="KeyNotFoundException">No such method.</exception>
    public Network this[string method] =>
        Networks.FirstOrDefault(n => string.Equals(n.Method, method, StringComparison.OrdinalIgnoreCase))?.Network
        ?? throw new KeyNotFoundException($"Expecting one of the methods {string.Join(", ", Networks.Select(n => n.Method))} but received \"{method}\"");

    /// <summary>Disposes the modules.</summary>
    public void Dispose()
    {
        foreach (var n in Networks) n.Network.Module.Dispose();
    }
}

/// <summary>What one cycle did to a network (mirrors <c>Dtc.Networks.Training.NetworkCycle</c>).</summary>
/// <param name="Cycle">Cycle number, from 1.</param>
/// <param name="Widths">The groups' widths after the cycle.</param>
/// <param name="Parameters">The module's parameter count after the cycle.</param>
/// <param name="FractionRemoved">Fraction of the initial parameters removed so far.</param>
/// <param name="TestAccuracy">Test accuracy after the cycle's compression.</param>
/// <param name="TrainLoss">Mean training loss over the cycle's mini-batches.</param>
/// <param name="Groups">Per group (<c>Layer</c> is the group's index).</param>
/// <param name="TrainSeconds">Seconds spent training.</param>
/// <param name="CompressSeconds">Seconds spent compressing.</param>
/// <param name="EvalSeconds">Seconds spent evaluating.</param>
public sealed record NetworkCycleResults(
    int Cycle, IReadOnlyList<int> Widths, long Parameters, double FractionRemoved, double TestAccuracy, double TrainLoss,
    IReadOnlyList<LayerCycleResults> Groups, double TrainSeconds, double CompressSeconds, double EvalSeconds)
{
    internal static NetworkCycleResults Of(T.NetworkCycle c) => new(
        c.Cycle, LayerCycleResults.Copy(c.Widths), c.Parameters, c.FractionRemoved, c.TestAccuracy, c.TrainLoss,
        (c.Groups ?? []).Select(LayerCycleResults.Of).ToArray(), c.TrainSeconds, c.CompressSeconds, c.EvalSeconds);

    internal T.NetworkCycle ToCore() => new(
        Cycle, Widths.ToArray(), Parameters, FractionRemoved, TestAccuracy, TrainLoss, Groups.Select(g => g.ToCore()).ToArray(),
        TrainSeconds, CompressSeconds, EvalSeconds);
}

/// <summary>All cycles of one method on a network (mirrors <c>Dtc.Networks.Training.NetworkRun</c>).</summary>
/// <param name="Method">The method's name.</param>
/// <param name="InitialWidths">The groups' widths before any compression.</param>
/// <param name="InitialParameters">The parameter count before any compression.</param>
/// <param name="InitialAccuracy">Test accuracy after the first cycle's training, before its compression.</param>
/// <param name="Cycles">The cycles in order.</param>
public sealed record NetworkMethodResults(
    string Method, IReadOnlyList<int> InitialWidths, long InitialParameters, double InitialAccuracy, IReadOnlyList<NetworkCycleResults> Cycles)
{
    internal static NetworkMethodResults Of(T.NetworkRun r) => new(
        r.Method, LayerCycleResults.Copy(r.InitialWidths), r.InitialParameters, r.InitialAccuracy, (r.Cycles ?? []).Select(NetworkCycleResults.Of).ToArray());

    internal T.NetworkRun ToCore() => new(Method, InitialWidths.ToArray(), InitialParameters, InitialAccuracy, Cycles.Select(c => c.ToCore()).ToArray());
}

/// <summary>A run of several methods on one network and data set (mirrors <c>Dtc.Networks.Training.NetworkResults</c>).</summary>
/// <param name="Schema">Schema of the record: <c>network-1</c>.</param>
/// <param name="Dataset">The data set's name.</param>
/// <param name="TrainSize">Training samples.</param>
/// <param name="TestSize">Test samples.</param>
/// <param name="InputShape">The shape of one input sample.</param>
/// <param name="Groups">The groups before compression.</param>
/// <param name="Protocol">The protocol's settings as name/value text pairs.</param>
/// <param name="Threads">TorchSharp's intra-op threads during the run.</param>
/// <param name="WallSeconds">Wall-clock seconds of the whole run.</param>
/// <param name="Methods">One entry per method, in order.</param>
public sealed record NetworkResults(
    string Schema, string Dataset, int TrainSize, int TestSize, IReadOnlyList<int> InputShape, IReadOnlyList<NetworkGroup> Groups,
    IReadOnlyDictionary<string, string> Protocol, int Threads, double WallSeconds, IReadOnlyList<NetworkMethodResults> Methods)
{
    /// <summary>What the compression bought: each method's compressed network against a dense one from the builder
    /// (parameters; FLOPs for a Sequential Dtc can describe; latency at <see cref="NetworkTrainingSettings.LatencyBatches"/>).</summary>
    public IReadOnlyList<Dtc.CSharp.Models.Footprint> Footprints { get; init; } = [];

    internal static NetworkResults Of(T.NetworkResults r) => new(
        r.Schema, r.Dataset, r.TrainSize, r.TestSize, LayerCycleResults.Copy(r.SampleShape), r.Groups.Select(NetworkGroup.Of).ToArray(),
        r.Protocol.ToDictionary(kv => kv.Key, kv => kv.Value), r.Threads, r.WallSeconds, r.Methods.Select(NetworkMethodResults.Of).ToArray())
    {
        Footprints = (r.Footprints ?? []).Select(Dtc.CSharp.Models.Footprint.Of).ToArray(),
    };

    internal T.NetworkResults ToCore() => new(
        Schema, Dataset, TrainSize, TestSize, InputShape.ToArray(), Groups.Select(g => g.ToCore()).ToArray(),
        Protocol.ToDictionary(kv => kv.Key, kv => kv.Value), Threads, WallSeconds, Methods.Select(m => m.ToCore()).ToArray(),
        Footprints.Select(f => f.ToCore()).ToArray());

    /// <summary>The results as JSON (camelCase, NaN as "NaN").</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => T.toJson(ToCore());

    /// <summary>Reads results written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The results.</returns>
    public static NetworkResults FromJson(string json) => Of(T.ofJson(json ?? throw new ArgumentNullException(nameof(json))));

    /// <summary>Writes the results as JSON atomically (a temporary file renamed over the target).</summary>
    /// <param name="path">The file.</param>
    public void Write(string path) => T.write(path, ToCore());
}

/// <summary>Progress after one cycle of one method.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Cycle">The cycle's record.</param>
public sealed record NetworkCycleProgress(string Method, NetworkCycleResults Cycle);

/// <summary>How a user's network is compress-trained.</summary>
public sealed record NetworkTrainingSettings
{
    /// <summary>The protocol (batch size, batches per cycle, learning rate, keep fraction, stop size, the methods
    /// compared with their settings, the input normalisation). Default the paper's.</summary>
    public ProtocolOptions Protocol { get; init; } = ProtocolOptions.Paper;
    /// <summary>Makes each cycle's optimiser from the module's parameters; null for Adam with the protocol's learning rate.</summary>
    public Func<IEnumerable<Parameter>, optim.Optimizer>? Optimizer { get; init; }
    /// <summary>The loss of a batch from the module's output and the int64 targets, a scalar; null for cross-entropy.</summary>
    public Func<Tensor, Tensor, Tensor>? Loss { get; init; }
    /// <summary>Batch sizes at which the compressed and the dense networks are timed for the results' footprints; empty for no timing. Default 1 and 512.</summary>
    public IReadOnlyList<int> LatencyBatches { get; init; } = [1, 512];
}

/// <summary>Compress-train runs of a user's network (mirrors <c>Dtc.Networks.Training</c>).</summary>
public static class NetworkTraining
{
    /// <summary>Runs the protocol's methods on networks that start from the same weights: <paramref name="build"/> makes a
    /// new network per method and the first one's <c>state_dict</c> is copied into the others. Each cycle trains
    /// <c>BatchesPerCycle</c> mini-batches (inputs viewed as batch × input shape), compresses every group once,
    /// evaluates; until every group is at most the stop size. Each network is disposed after its method.</summary>
    /// <param name="dataset">The data set (see <see cref="Datasets.Load"/>).</param>
    /// <param name="build">Makes a new network (a new module) each call.</param>
    /// <param name="settings">Protocol (with its methods), optimiser and loss; null for the defaults.</param>
    /// <param name="progress">Receives a report after every cycle; may be null.</param>
    /// <returns>The results.</returns>
    public static NetworkResults Run(Dataset dataset, Func<Network> build, NetworkTrainingSettings? settings = null,
                                     IProgress<NetworkCycleProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (options, builder) = Options(build, settings, progress);
        return NetworkResults.Of(T.run(options, dataset.Core, builder));
    }

    /// <summary>Runs the methods as <see cref="Run"/> does and keeps each method's compressed network: the module
    /// <paramref name="build"/> made, compressed in place, to use, save or export.</summary>
    /// <param name="dataset">The data set.</param>
    /// <param name="build">Makes a new network each call, the same architecture each time.</param>
    /// <param name="settings">The protocol, optimiser and loss; null for the paper's protocol, Adam and cross-entropy.</param>
    /// <param name="progress">Receives each cycle's record; may be null.</param>
    /// <returns>The results and the networks; dispose it to release the modules.</returns>
    public static NetworkModelRun RunWithModels(Dataset dataset, Func<Network> build, NetworkTrainingSettings? settings = null,
                                                IProgress<NetworkCycleProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (options, builder) = Options(build, settings, progress);
        var run = T.runModels(options, dataset.Core, builder);
        return new NetworkModelRun(NetworkResults.Of(run.Results), run.Networks.Select(n => new CompressedNetwork(n.Item1, new Network(n.Item2))).ToArray());
    }

    static (T.Options, FSharpFunc<Unit, Dtc.Networks.Network.Network>) Options(Func<Network> build, NetworkTrainingSettings? settings,
                                                                               IProgress<NetworkCycleProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(build);
        Runtime.Native.Ensure();
        settings ??= new NetworkTrainingSettings();
        var optimizer = settings.Optimizer is { } make
            ? FSharpOption<FSharpFunc<IEnumerable<Parameter>, optim.Optimizer>>.Some(FuncConvert.FromFunc(make))
            : FSharpOption<FSharpFunc<IEnumerable<Parameter>, optim.Optimizer>>.None;
        var loss = settings.Loss is { } f
            ? FSharpOption<FSharpFunc<Tensor, FSharpFunc<Tensor, Tensor>>>.Some(FuncConvert.FromFunc(f))
            : FSharpOption<FSharpFunc<Tensor, FSharpFunc<Tensor, Tensor>>>.None;
        var options = new T.Options(
            settings.Protocol.ToCore(), optimizer, loss, ListModule.OfSeq(settings.LatencyBatches ?? []),
            FuncConvert.FromAction<string, T.NetworkCycle>((m, c) => progress?.Report(new NetworkCycleProgress(m, NetworkCycleResults.Of(c)))));
        return (options, FuncConvert.FromFunc<Unit, Dtc.Networks.Network.Network>(_ => build().Core));
    }
}
