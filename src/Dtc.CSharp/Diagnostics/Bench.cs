namespace Dtc.CSharp.Diagnostics;

/// <summary>What <see cref="Bench.Run"/> measures (mirrors <c>Dtc.Diagnostics.Bench.Settings</c>).</summary>
public sealed record BenchSettings
{
    /// <summary>Size of the square float32 GEMM that sets the ceiling. Default 2048.</summary>
    public int GemmSize { get; init; } = 2048;
    /// <summary>Repetitions per timing (the median is reported). Default 15.</summary>
    public int Repetitions { get; init; } = 15;
    /// <summary>Widths of the compress-step measurement. Default 512, 2048, 8192.</summary>
    public IReadOnlyList<int> CompressWidths { get; init; } = [512, 2048, 8192];
    /// <summary>Batch sizes of the solver measurement (one call for the batch against one call per problem). Default 1, 8, 32, 128.</summary>
    public IReadOnlyList<int> SolverBatches { get; init; } = [1, 8, 32, 128];
    /// <summary>Profile lengths of the solver measurement. Default 512, 256.</summary>
    public IReadOnlyList<int> SolverLengths { get; init; } = [512, 256];
    /// <summary>Also run the paper protocol on mnist-sample. Default true.</summary>
    public bool Protocol { get; init; } = true;
    /// <summary>Compress steps of the memory soak at width 512; 0 skips it. Default 1000.</summary>
    public int SoakSteps { get; init; } = 1000;
    /// <summary>Device name. Default <c>cpu</c>.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Hidden widths at which the training step by hand is compared with autograd's. Default 11, 64, 512.</summary>
    public IReadOnlyList<int> StepWidths { get; init; } = [11, 64, 512];
}

/// <summary>Benchmarks of this machine and of Dtc's stages (mirrors <c>Dtc.Diagnostics.Bench</c>).</summary>
public static class Bench
{
    /// <summary>Runs every measurement in this process and returns the report as JSON.</summary>
    /// <param name="settings">What to measure; null for the defaults.</param>
    /// <param name="log">Receives a line as each measurement completes; may be null.</param>
    /// <returns>The report as indented JSON (the schema of <c>Dtc.Diagnostics.Bench.Report</c>).</returns>
    public static string Run(BenchSettings? settings = null, Action<string>? log = null)
    {
        settings ??= new BenchSettings();
        Runtime.Native.Ensure();
        var core = new Dtc.Diagnostics.Bench.Settings(settings.GemmSize, settings.Repetitions, settings.CompressWidths.ToArray(),
                                                      settings.SolverBatches.ToArray(), settings.SolverLengths.ToArray(), settings.Protocol, settings.SoakSteps, settings.Device,
                                                      settings.StepWidths.ToArray());
        var report = Dtc.Diagnostics.Bench.run(core, Microsoft.FSharp.Core.FuncConvert.FromAction<string>(line => log?.Invoke(line)));
        return Dtc.Diagnostics.Bench.toJson(report);
    }
}
