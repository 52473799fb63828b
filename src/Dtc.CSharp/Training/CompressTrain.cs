using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Dtc.CSharp.Data;

namespace Dtc.CSharp.Training;

/// <summary>Progress after one compress-train cycle.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Cycle">The cycle just finished (from 1).</param>
/// <param name="TotalCycles">Cycles the schedule predicts.</param>
/// <param name="Widths">Hidden widths after the cycle.</param>
/// <param name="Accuracy">Test accuracy after the cycle.</param>
/// <param name="ElapsedSeconds">Seconds since the method started in this process.</param>
public sealed record CycleProgress(string Method, int Cycle, int TotalCycles, IReadOnlyList<int> Widths, double Accuracy, double ElapsedSeconds);

/// <summary>How to run compress-train cycles.</summary>
public sealed record RunSettings
{
    /// <summary>The protocol. Default the supplement's (<see cref="ProtocolOptions.Paper"/>).</summary>
    public ProtocolOptions Protocol { get; init; } = ProtocolOptions.Paper;
    /// <summary>Device name: <c>cpu</c> (default) or <c>cuda</c>.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Folder for per-method checkpoints; null for none.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Continue from the checkpoints in <see cref="CheckpointDirectory"/>. Default false.</summary>
    public bool Resume { get; init; }
    /// <summary>TorchSharp intra-op threads for the run (restored afterwards); 0 (default) keeps TorchSharp's choice.</summary>
    public int Threads { get; init; }
    /// <summary>Cycles whose network <see cref="CompressTrain.RunWithModels"/> keeps besides each method's final one. Default none.</summary>
    public IReadOnlyList<int> ModelCycles { get; init; } = [];
    /// <summary>Batch sizes at which the final and the dense networks are timed for the results' footprints; empty for no timing. Default 1 and 512.</summary>
    public IReadOnlyList<int> LatencyBatches { get; init; } = [1, 512];

    /// <summary>Checks the settings, naming the first bad value: the protocol with its sensing and solver
    /// settings, the thread count and the device (one this machine has). <see cref="CompressTrain.Run"/>
    /// calls it before any work; call it yourself to reject settings before loading data.</summary>
    /// <returns>The settings, unchanged.</returns>
    /// <exception cref="ArgumentException">A value out of its range, or a device this machine does not have.</exception>
    public RunSettings Validate()
    {
        ArgumentNullException.ThrowIfNull(Protocol);
        Runtime.Native.Ensure(); // first: the protocol's settings hold TorchSharp dtypes, which load the native libraries
        Dtc.Training.Protocol.validate(Protocol.ToCore());
        if (Threads < 0)
            throw new ArgumentException($"Expecting Threads of at least 0 (0: TorchSharp's default) but received {Threads}", nameof(Threads));
        Dtc.Runtime.Torch.device(Device);
        return this;
    }
}

/// <summary>Compress-train runs (mirrors <c>Dtc.Training.CompressTrain</c>).</summary>
public static class CompressTrain
{
    /// <summary>Runs the protocol's methods on a dataset, each from the same initial model. The data are staged on
    /// the device (normalised with the protocol's mean and std, in batches of its batch size) and released at the
    /// end. The first cycle's training, identical for every method, runs once; the methods then run concurrently,
    /// each on its own thread with max(1, threads / methods) TorchSharp intra-op threads (the thread setting is
    /// restored at the end). The numbers are reproducible for the same settings and thread count.</summary>
    /// <param name="dataset">The dataset (see <see cref="Datasets.Load"/>).</param>
    /// <param name="settings">What and how to run; null for the paper's protocol on the CPU.</param>
    /// <param name="progress">Receives a report after every cycle of every method, from the methods' threads, one call at a time; may be null.</param>
    /// <param name="cancellationToken">Stops the run at the next safe point (after a cycle's checkpoint) with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results (schema of <c>results.json</c>).</returns>
    public static RunResults Run(Dataset dataset, RunSettings? settings = null,
                                                  IProgress<CycleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var options = Options(settings, progress, cancellationToken);
        try
        {
            return RunResults.Of(Dtc.Training.CompressTrain.run(options, dataset.Core));
        }
        catch (Dtc.Training.CompressTrain.RunCancelled e)
        {
            throw Cancelled(e, cancellationToken);
        }
    }

    /// <summary>Runs the protocol's methods on a dataset as <see cref="Run"/> does, and keeps each method's final
    /// network and those of <see cref="RunSettings.ModelCycles"/> as live TorchSharp modules.</summary>
    /// <param name="dataset">The dataset (see <see cref="Datasets.Load"/>).</param>
    /// <param name="settings">What and how to run; null for the paper's protocol on the CPU.</param>
    /// <param name="progress">Receives a report after every cycle of every method, from the methods' threads, one call at a time; may be null.</param>
    /// <param name="cancellationToken">Stops the run at the next safe point (after a cycle's checkpoint) with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results and the networks; dispose it to release the networks.</returns>
    public static ModelRun RunWithModels(Dataset dataset, RunSettings? settings = null,
                                         IProgress<CycleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var options = Options(settings, progress, cancellationToken);
        try
        {
            return ModelRun.Of(Dtc.Training.CompressTrain.runModels(options, dataset.Core));
        }
        catch (Dtc.Training.CompressTrain.RunCancelled e)
        {
            throw Cancelled(e, cancellationToken);
        }
    }

    static OperationCanceledException Cancelled(Dtc.Training.CompressTrain.RunCancelled e, CancellationToken token) =>
        new($"Run cancelled after cycle {e.cycle} of {e.methodName}; resume it from its checkpoints.", e, token);

    static Dtc.Training.CompressTrain.RunOptions Options(RunSettings? settings, IProgress<CycleProgress>? progress, CancellationToken cancellationToken)
    {
        settings ??= new RunSettings();
        settings.Validate();
        return new Dtc.Training.CompressTrain.RunOptions(
            settings.Protocol.ToCore(), Dtc.Runtime.Torch.device(settings.Device),
            settings.CheckpointDirectory is null ? FSharpOption<string>.None : FSharpOption<string>.Some(settings.CheckpointDirectory),
            settings.Resume, "", settings.Threads,
            ListModule.OfSeq(settings.ModelCycles ?? []), ListModule.OfSeq(settings.LatencyBatches ?? []),
            FuncConvert.FromAction<Dtc.Training.CompressTrain.Progress>(p =>
                progress?.Report(new CycleProgress(p.Method, p.Cycle, p.TotalCycles, p.Widths, p.Accuracy, p.Elapsed))),
            cancellationToken);
    }
}
