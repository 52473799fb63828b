using TorchSharp.Modules;

namespace Dtc.CSharp.Training;

/// <summary>A method's network kept from a run (mirrors <c>Dtc.Training.Kept.KeptModel</c>).</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Cycle">The cycle after which it was kept (from 1).</param>
/// <param name="Final">Whether it is the method's final network.</param>
/// <param name="Widths">The hidden widths.</param>
/// <param name="SampleShape">The shape of one input sample (the MLP reads flat rows).</param>
/// <param name="Network">The network: Linear, ReLU, …, Linear, LogSoftmax, in evaluation mode.</param>
public sealed record KeptModel(string Method, int Cycle, bool Final, IReadOnlyList<int> Widths, IReadOnlyList<int> SampleShape, Sequential Network);

/// <summary>The results of a run with each method's kept networks (mirrors <c>Dtc.Training.Kept.ModelRun</c>).
/// Dispose it to release the networks.</summary>
public sealed class ModelRun : IDisposable
{
    ModelRun(RunResults results, IReadOnlyList<KeptModel> models) => (Results, Models) = (results, models);

    /// <summary>The results (records, metadata, footprints).</summary>
    public RunResults Results { get; }

    /// <summary>The kept networks, by method in the protocol's order, then by cycle; each method's last one is its final network.</summary>
    public IReadOnlyList<KeptModel> Models { get; }

    /// <summary>The final network of a method (case-insensitive name).</summary>
    /// <param name="method">The method's name, e.g. "dtc".</param>
    /// <returns>Its final network.</returns>
    /// <exception cref="KeyNotFoundException">No such method.</exception>
    public KeptModel Final(string method) =>
        Models.LastOrDefault(m => m.Final && string.Equals(m.Method, method, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"Expecting one of the methods {string.Join(", ", Models.Select(m => m.Method).Distinct())} but received \"{method}\"");

    /// <summary>Disposes the networks.</summary>
    public void Dispose()
    {
        foreach (var m in Models) m.Network.Dispose();
    }

    internal static ModelRun Of(Dtc.Training.Kept.ModelRun r) => new(
        RunResults.Of(r.Results),
        r.Models.Select(m => new KeptModel(m.Method, m.Cycle, m.Final, m.Widths, m.SampleShape, m.Network)).ToArray());
}
