using System.Collections.ObjectModel;
using R = Dtc.Training.Records;

namespace Dtc.CSharp.Training;

/// <summary>What one cycle did to one hidden layer (mirrors <c>Dtc.Training.Records.LayerCycle</c>).</summary>
/// <param name="Layer">Index of the hidden layer (0 = the first).</param>
/// <param name="WidthBefore">Width before the cycle's compression.</param>
/// <param name="WidthAfter">Width after it.</param>
/// <param name="Measurements">Number of measurements per profile (0 without sensing).</param>
/// <param name="Ray">The scored vector (DTC: s1 + s2; magnitude: a1 + a2; empty for random).</param>
/// <param name="RayMeanAbsPerLength">The paper's weight-ray statistic mean(|ray|)/len(ray) (NaN without a ray).</param>
/// <param name="Y1">Measurements y1 of the incoming profile (empty without sensing).</param>
/// <param name="Y2">Measurements y2 of the outgoing profile (empty without sensing).</param>
/// <param name="SolverGaps">Relative duality gaps of the two LASSO solves (empty without sensing).</param>
/// <param name="SolverIterations">Iterations of the two LASSO solves (empty without sensing).</param>
/// <param name="ReconstructionErrors">Relative reconstruction errors of the two profiles (empty without sensing).</param>
/// <param name="Kept">Indices of the kept units, in the order of the new layer.</param>
public sealed record LayerCycleResults(
    int Layer, int WidthBefore, int WidthAfter, int Measurements, IReadOnlyList<double> Ray, double RayMeanAbsPerLength,
    IReadOnlyList<double> Y1, IReadOnlyList<double> Y2, IReadOnlyList<double> SolverGaps, IReadOnlyList<int> SolverIterations,
    IReadOnlyList<double> ReconstructionErrors, IReadOnlyList<int> Kept)
{
    internal static LayerCycleResults Of(R.LayerCycle l) => new(
        l.Layer, l.WidthBefore, l.WidthAfter, l.Measurements, Copy(l.Ray), l.RayMeanAbsPerLength, Copy(l.Y1), Copy(l.Y2),
        Copy(l.SolverGaps), Copy(l.SolverIterations), Copy(l.ReconstructionErrors), Copy(l.Kept));

    internal R.LayerCycle ToCore() => new(
        Layer, WidthBefore, WidthAfter, Measurements, Ray.ToArray(), RayMeanAbsPerLength, Y1.ToArray(), Y2.ToArray(),
        SolverGaps.ToArray(), SolverIterations.ToArray(), ReconstructionErrors.ToArray(), Kept.ToArray());

    internal static T[] Copy<T>(T[]? values) => values is null ? [] : (T[])values.Clone();
}

/// <summary>One compress-train cycle of one method (mirrors <c>Dtc.Training.Records.CycleRecord</c>).</summary>
/// <param name="Cycle">Cycle number, from 1.</param>
/// <param name="Widths">Hidden widths after the cycle.</param>
/// <param name="FractionRemoved">Fraction of the initial hidden units removed so far.</param>
/// <param name="TestAccuracy">Test accuracy of the compressed model: correct / total.</param>
/// <param name="TestAccuracyBatchMean">Test accuracy as the supplement computed it: the mean of per-batch accuracies.</param>
/// <param name="TrainLoss">Mean training loss over the cycle's mini-batches.</param>
/// <param name="Layers">Per hidden layer.</param>
/// <param name="TrainSeconds">Seconds spent training.</param>
/// <param name="CompressSeconds">Seconds spent compressing.</param>
/// <param name="EvalSeconds">Seconds spent evaluating.</param>
public sealed record CycleResults(
    int Cycle, IReadOnlyList<int> Widths, double FractionRemoved, double TestAccuracy, double TestAccuracyBatchMean, double TrainLoss,
    IReadOnlyList<LayerCycleResults> Layers, double TrainSeconds, double CompressSeconds, double EvalSeconds)
{
    internal static CycleResults Of(R.CycleRecord c) => new(
        c.Cycle, LayerCycleResults.Copy(c.Widths), c.FractionRemoved, c.TestAccuracy, c.TestAccuracyBatchMean, c.TrainLoss,
        (c.Layers ?? []).Select(LayerCycleResults.Of).ToArray(), c.TrainSeconds, c.CompressSeconds, c.EvalSeconds);

    internal R.CycleRecord ToCore() => new(
        Cycle, Widths.ToArray(), FractionRemoved, TestAccuracy, TestAccuracyBatchMean, TrainLoss,
        Layers.Select(l => l.ToCore()).ToArray(), TrainSeconds, CompressSeconds, EvalSeconds);
}

/// <summary>All cycles of one method (mirrors <c>Dtc.Training.Records.MethodRun</c>).</summary>
/// <param name="Method">"magnitude", "random" or "dtc" (other tools may use other names).</param>
/// <param name="InitialAccuracy">Test accuracy after the first cycle's training, before compression (NaN if not measured).</param>
/// <param name="Cycles">The cycles in order.</param>
public sealed record MethodResults(string Method, double InitialAccuracy, IReadOnlyList<CycleResults> Cycles)
{
    internal static MethodResults Of(R.MethodRun m) => new(m.Method, m.InitialAccuracy, (m.Cycles ?? []).Select(CycleResults.Of).ToArray());

    internal R.MethodRun ToCore() => new(Method, InitialAccuracy, Cycles.Select(c => c.ToCore()).ToArray());
}

/// <summary>Facts about a run (mirrors <c>Dtc.Training.Records.RunMetadata</c>).</summary>
/// <param name="DtcVersion">Dtc version.</param>
/// <param name="TorchSharpVersion">TorchSharp version.</param>
/// <param name="Runtime">.NET runtime description.</param>
/// <param name="OS">Operating system description.</param>
/// <param name="Device">Device name, e.g. "cpu".</param>
/// <param name="Threads">Intra-op threads used by TorchSharp.</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="TrainSize">Training samples.</param>
/// <param name="TestSize">Test samples.</param>
/// <param name="Protocol">The protocol's settings as name/value text pairs.</param>
/// <param name="StartedUtc">UTC start time, ISO 8601.</param>
/// <param name="WallSeconds">Wall-clock seconds of the whole run.</param>
/// <param name="Provenance">What the numbers depend on (null in files written before it was recorded).</param>
/// <param name="Digest">SHA-256 of the numbers of every method and cycle (null or empty when not computed).</param>
public sealed record RunMetadata(
    string DtcVersion, string TorchSharpVersion, string Runtime, string OS, string Device, int Threads, string Dataset,
    int TrainSize, int TestSize, IReadOnlyDictionary<string, string> Protocol, string StartedUtc, double WallSeconds,
    RunProvenance? Provenance = null, string? Digest = null)
{
    internal static RunMetadata Of(R.RunMetadata m) => new(
        m.DtcVersion, m.TorchSharpVersion, m.Runtime, m.OS, m.Device, m.Threads, m.Dataset, m.TrainSize, m.TestSize,
        new ReadOnlyDictionary<string, string>(m.Protocol is null ? new Dictionary<string, string>() : new Dictionary<string, string>(m.Protocol)),
        m.StartedUtc, m.WallSeconds, m.Provenance is null ? null : RunProvenance.Of(m.Provenance), m.Digest);

    internal R.RunMetadata ToCore() => new(
        DtcVersion, TorchSharpVersion, Runtime, OS, Device, Threads, Dataset, TrainSize, TestSize,
        Protocol.ToDictionary(kv => kv.Key, kv => kv.Value), StartedUtc, WallSeconds, Provenance?.ToCore()!, Digest!);
}

/// <summary>What a run's numbers depend on besides its protocol, data and seeds (mirrors <c>Dtc.Training.Records.Provenance</c>).</summary>
/// <param name="DtcCommit">The commit Dtc.Core was built from (empty when unknown).</param>
/// <param name="LibTorchVersion">The libtorch version under TorchSharp.</param>
/// <param name="Reproducibility">The reproducibility mode: machine, portable or fastest.</param>
/// <param name="Mkl">MKL's conditional-numerical-reproducibility setting in force, e.g. AUTO,STRICT.</param>
/// <param name="CpuCapability">The instruction set of ATen's CPU kernels in force.</param>
/// <param name="CpuIsa">The processor's widest vector instruction set.</param>
/// <param name="CpuModel">The processor's model name.</param>
/// <param name="ThreadsPerMethod">Intra-op threads of each method's own thread.</param>
/// <param name="Note">Empty, or why the mode's promise does not hold for this run.</param>
public sealed record RunProvenance(
    string DtcCommit, string LibTorchVersion, string Reproducibility, string Mkl, string CpuCapability, string CpuIsa,
    string CpuModel, int ThreadsPerMethod, string Note)
{
    internal static RunProvenance Of(R.Provenance p) =>
        new(p.DtcCommit, p.LibTorchVersion, p.Reproducibility, p.Mkl, p.CpuCapability, p.CpuIsa, p.CpuModel, p.ThreadsPerMethod, p.Note);

    internal R.Provenance ToCore() =>
        new(DtcCommit, LibTorchVersion, Reproducibility, Mkl, CpuCapability, CpuIsa, CpuModel, ThreadsPerMethod, Note);
}

/// <summary>The results of a compress-train run, in the schema of <c>results.json</c> (mirrors <c>Dtc.Training.Records.Results</c>).
/// Arrays that another tool wrote as null become empty lists.</summary>
/// <param name="Schema">Schema version ("1").</param>
/// <param name="Metadata">Run metadata (required in a file: one without it is refused when read).</param>
/// <param name="Methods">One entry per method.</param>
public sealed record RunResults(string Schema, RunMetadata? Metadata, IReadOnlyList<MethodResults> Methods)
{
    /// <summary>What the compression bought: each method's final network against the dense one (parameters, FLOPs,
    /// measured latency); empty when the run kept no network.</summary>
    public IReadOnlyList<Dtc.CSharp.Models.Footprint> Footprints { get; init; } = [];

    /// <summary>Parses results from JSON text (Dtc's schema 1, also when written by other tools).</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The results.</returns>
    /// <exception cref="InvalidDataException">The text is not a results file.</exception>
    public static RunResults FromJson(string json) => Of(R.ofJson(json ?? throw new ArgumentNullException(nameof(json))));

    /// <summary>Converts the paper's published supplement data (converted to JSON: methods <c>cs</c>, <c>magnitude</c>,
    /// <c>random</c> with accuracies, rays, y1 and y2) into results; analyse them with the supplement's accuracy.</summary>
    /// <param name="json">The JSON text of the converted supplement data.</param>
    /// <returns>Results with methods "magnitude", "random" and "dtc".</returns>
    public static RunResults FromSupplementJson(string json) =>
        Of(Dtc.Entropy.PaperData.ofSupplementJson(json ?? throw new ArgumentNullException(nameof(json))));

    /// <summary>The digest of the numbers: SHA-256 (hex) of every method's and cycle's records without their timings.
    /// Two runs give the same digest exactly when every number they computed is the same to the bit.</summary>
    /// <returns>64 lower-case hex digits.</returns>
    public string ComputeDigest() => R.digest(Methods.Select(m => m.ToCore()).ToArray());

    /// <summary>Serialises the results to indented JSON (camelCase, NaN as "NaN").</summary>
    /// <returns>The JSON text of results.json.</returns>
    public string ToJson() => R.toJson(ToCore());

    /// <summary>The rows of results.csv: one per method, cycle and hidden layer.</summary>
    /// <returns>CSV text with a header line (invariant culture).</returns>
    public string ToCsv() => R.toCsv(ToCore());

    /// <summary>The method named <paramref name="method"/> (case-insensitive).</summary>
    /// <param name="method">The method's name, e.g. "dtc".</param>
    /// <returns>Its results.</returns>
    /// <exception cref="KeyNotFoundException">No such method.</exception>
    public MethodResults this[string method] =>
        Methods.FirstOrDefault(m => string.Equals(m.Method, method, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"Expecting one of the methods {string.Join(", ", Methods.Select(m => m.Method))} but received \"{method}\"");

    internal static RunResults Of(R.Results r) => new(
        r.Schema, r.Metadata is null ? null : RunMetadata.Of(r.Metadata), (r.Methods ?? []).Select(MethodResults.Of).ToArray())
    {
        Footprints = (r.Footprints ?? []).Select(Dtc.CSharp.Models.Footprint.Of).ToArray(),
    };

    internal R.Results ToCore() => new(Schema, Metadata?.ToCore()!, Methods.Select(m => m.ToCore()).ToArray(), Footprints.Select(f => f.ToCore()).ToArray());
}
