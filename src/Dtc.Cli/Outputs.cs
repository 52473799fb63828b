using Dtc.CSharp.Training;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary>Writes a run's outputs (each atomically: temporary file, then rename) and prints its summary.</summary>
internal static class Outputs
{
    /// <summary>Checks, before any work, that an output option names a folder (or nothing yet), not a file, and that
    /// the folder can be created and written and has <paramref name="minimumFreeBytes"/> free.</summary>
    public static string RequireFolder(string path, string option = "--out", long minimumFreeBytes = SmallOutput)
    {
        RequireName(path, "a folder", option);
        if (File.Exists(path)) throw new ArgumentException($"Expecting {option} to name a folder but {path} is a file");
        RunFolder.Check(path, minimumFreeBytes);
        return path;
    }

    /// <summary>Checks, before any work, that an output option names a file (or nothing yet), not a folder, in a
    /// folder that can be created and written.</summary>
    public static string RequireFile(string path, string kind, string option = "--out", long minimumFreeBytes = SmallOutput)
    {
        RequireName(path, kind, option);
        if (Directory.Exists(path)) throw new ArgumentException($"Expecting {option} to name {kind} but {path} is a folder");
        RunFolder.Check(Path.GetDirectoryName(Path.GetFullPath(path))!, minimumFreeBytes);
        return path;
    }

    /// <summary>Free space a single output file (a report, an analysis, a bench report) needs with its temporary.</summary>
    const long SmallOutput = 8L << 20;

    static void RequireName(string? path, string kind, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"Expecting {option} to name {kind} but received \"{path}\"");
    }

    /// <summary>Takes <paramref name="path"/> for one <c>dtc replicate</c> run before any work: checks that it can
    /// be written and has room for the run's outputs, takes its lock (another run writing it is bad input, named by
    /// its process id), removes killed runs' temporaries, and refuses a fresh run in a folder holding another
    /// run's outputs unless <paramref name="force"/> clears them. Says what it found, one line each.</summary>
    public static RunFolderLock HoldRunFolder(string path, RunSettings settings, bool force)
    {
        // A model too big for memory cannot be checkpointed either: the run refuses it itself, naming the widths,
        // after the data load and before any write, so the free space is not what it is refused for.
        var needed = RunFolder.RequiredBytes(settings.Protocol, settings.Protocol.Methods.Count);
        var fitsInMemory = needed / (2 * settings.Protocol.Methods.Count) < GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        RequireFolder(path, minimumFreeBytes: fitsInMemory ? needed : 0);
        var held = RunFolder.Acquire(path);
        try
        {
            if (held.StaleLockProcessId is { } pid)
                AnsiConsole.MarkupLineInterpolated($"[grey]{path}: took over the stale lock of process {pid}, which stopped without releasing it[/]");
            if (held.RemovedTemporaries.Count > 0)
                AnsiConsole.MarkupLineInterpolated($"[grey]{path}: removed {held.RemovedTemporaries.Count} temporary file(s) of an interrupted run ({string.Join(", ", held.RemovedTemporaries)})[/]");
            if (!settings.Resume && held.Outputs.Count > 0)
            {
                if (!force)
                    throw new ArgumentException(
                        $"Expecting --out {path} to hold no other run's outputs but it holds {string.Join(", ", held.Outputs)}: use --resume to continue that run, or --force to clear them first");
                var cleared = RunFolder.ClearOutputs(held);
                AnsiConsole.MarkupLineInterpolated($"[grey]{path}: --force cleared the previous run's outputs ({string.Join(", ", cleared)})[/]");
            }
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="run"/>; a file system that fills up during it ends the command with one line
    /// (a failure, exit 1) that says the completed cycles' checkpoints are kept and how to finish.</summary>
    public static int KeepingCheckpoints(string outDir, Func<int> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (RunFolder.IsDiskFull(e))
        {
            throw new IOException(
                $"The file system of {outDir} is full ({e.Message.TrimEnd('.')}); the checkpoints of the completed cycles are kept: free some space and run the same command with --resume to finish", e);
        }
    }

    /// <summary>Checks that <c>--stop</c> is below the widest hidden layer: otherwise the run would train one cycle and compress nothing.</summary>
    public static void RequireCompression(ProtocolOptions protocol)
    {
        var widest = protocol.Hidden.Max();
        if (protocol.Stop >= widest)
            throw new ArgumentException(
                $"Expecting --stop below the widest hidden layer ({widest}) but received {protocol.Stop}: the run would train one cycle and compress nothing");
    }

    /// <summary>Writes results.json, results.csv, analysis.json and report.html into <paramref name="outDir"/>.</summary>
    public static Dtc.CSharp.Analysis.RunAnalysis Write(Dtc.CSharp.Training.RunResults results, string outDir) =>
        Dtc.CSharp.Report.Reports.WriteAll(results, outDir);

    /// <summary>Prints what each method's compression bought: parameters, FLOPs and latency, dense → compressed.</summary>
    public static void PrintFootprints(IReadOnlyList<Dtc.CSharp.Models.Footprint> footprints)
    {
        if (footprints.Count == 0) return;
        var batches = footprints.SelectMany(f => f.Dense.Latency.Select(l => l.Batch)).Distinct().ToArray();
        var table = new Table().AddColumns("method", "parameters", "FLOPs per sample");
        foreach (var b in batches) table.AddColumn($"latency, batch {b}");
        foreach (var f in footprints)
        {
            var cells = new List<string>
            {
                f.Method,
                $"{f.Dense.Parameters:N0} → {f.Compressed.Parameters:N0} (−{f.ParametersRemoved:P1})",
                f.Dense.Flops is { } d && f.Compressed.Flops is { } c ? $"{d:N0} → {c:N0}" : "–",
            };
            foreach (var b in batches)
            {
                var dense = f.Dense.Latency.FirstOrDefault(l => l.Batch == b);
                var compressed = f.Compressed.Latency.FirstOrDefault(l => l.Batch == b);
                cells.Add(dense is null || compressed is null ? "–"
                    : $"{Duration(dense.MedianSeconds)} → {Duration(compressed.MedianSeconds)} ({dense.MedianSeconds / compressed.MedianSeconds:0.0}×)");
            }
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        AnsiConsole.MarkupLine("[bold]What the compression bought[/] (final network against the dense one; median latency per forward pass):");
        AnsiConsole.Write(table);
    }

    static string Duration(double seconds) =>
        seconds < 1e-3 ? $"{seconds * 1e6:0.0} µs" : seconds < 1 ? $"{seconds * 1e3:0.00} ms" : $"{seconds:0.00} s";

    /// <summary>Prints the accuracy and correlation tables.</summary>
    public static void PrintSummary(Dtc.CSharp.Analysis.RunAnalysis analysis)
    {
        AnsiConsole.WriteLine();
        Console.WriteLine(analysis.ToMarkdown());
    }
}
