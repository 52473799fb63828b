using Microsoft.FSharp.Core;
using Dtc.CSharp.Data;
using TorchSharp;

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
    /// <summary>Methods in order. Default magnitude, random, dtc.</summary>
    public IReadOnlyList<CompressionMethod> Methods { get; init; } = [CompressionMethod.Magnitude, CompressionMethod.Random, CompressionMethod.Dtc];
    /// <summary>Device name: <c>cpu</c> (default) or <c>cuda</c>.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Folder for per-method checkpoints; null for none.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Continue from the checkpoints in <see cref="CheckpointDirectory"/>. Default false.</summary>
    public bool Resume { get; init; }
    /// <summary>TorchSharp intra-op threads; 0 (default) keeps TorchSharp's choice.</summary>
    public int Threads { get; init; }

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
    /// <summary>Runs every method on a dataset, each from the same initial model. The first cycle's training,
    /// identical for every method, runs once; the methods then run concurrently, each on its own thread with
    /// max(1, threads / methods) TorchSharp intra-op threads (the thread setting is restored at the end).
    /// The numbers are reproducible for the same settings, methods and thread count.</summary>
    /// <param name="dataset">The dataset (see <see cref="Datasets.Load"/>).</param>
    /// <param name="settings">What and how to run; null for the paper's protocol on the CPU.</param>
    /// <param name="progress">Receives a report after every cycle of every method, from the methods' threads, one call at a time; may be null.</param>
    /// <param name="cancellationToken">Stops the run at the next safe point (after a cycle's checkpoint) with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results (schema of <c>results.json</c>).</returns>
    public static RunResults Run(Dataset dataset, RunSettings? settings = null,
                                                  IProgress<CycleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        settings ??= new RunSettings();
        settings.Validate();
        if (settings.Threads > 0) torch.set_num_threads(settings.Threads);
        var protocol = settings.Protocol.ToCore();
        var device = Dtc.Runtime.Torch.device(settings.Device);
        using var staged = Dtc.Training.Steps.stage(Dtc.Data.Normalisation.NewGiven(protocol.Mean, protocol.Std), protocol.BatchSize, device, dataset.Core);
        var options = new Dtc.Training.CompressTrain.RunOptions(
            protocol, device,
            settings.CheckpointDirectory is null ? FSharpOption<string>.None : FSharpOption<string>.Some(settings.CheckpointDirectory),
            settings.Resume,
            $"{dataset.Name}:{dataset.TrainCount}:{dataset.TestCount}",
            FuncConvert.FromAction<Dtc.Training.CompressTrain.Progress>(p =>
                progress?.Report(new CycleProgress(p.Method, p.Cycle, p.TotalCycles, p.Widths, p.Accuracy, p.Elapsed))),
            cancellationToken);
        var methods = Microsoft.FSharp.Collections.ListModule.OfSeq(settings.Methods.Select(ProtocolOptions.ToCore));
        try
        {
            return RunResults.Of(Dtc.Training.CompressTrain.run(options, dataset.Name, staged, methods));
        }
        catch (Dtc.Training.CompressTrain.RunCancelled e)
        {
            throw new OperationCanceledException($"Run cancelled after cycle {e.cycle} of {e.methodName}; resume it from its checkpoints.", e, cancellationToken);
        }
    }
}
