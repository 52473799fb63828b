using System.CommandLine;
using System.Diagnostics;
using Dtc.CSharp.Data;
using Dtc.CSharp.Models;
using Dtc.CSharp.Pruning;
using Dtc.CSharp.Tomography;
using Dtc.CSharp.Training;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary>
/// <c>dtc replicate</c>: the paper's experiment end to end — compress-train cycles for each method on a dataset,
/// then results.json, results.csv and the report, written atomically into the output folder.
/// </summary>
internal static class ReplicateCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "mnist-sample (embedded, default), fashion-mnist, mnist, or folder.", DefaultValueFactory = _ => "mnist-sample" };
        var data = new Option<string?>("--data") { Description = "A folder with the four IDX files (train/t10k images and labels, raw or .gz); alone, it means --dataset folder." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated methods: magnitude, random, dtc.", DefaultValueFactory = _ => "magnitude,random,dtc" };
        var seed = new Option<long>("--seed") { Description = "Seed of the initialisation, of Φ and of the random method (the paper: 42424242 for all).", DefaultValueFactory = _ => 42424242L };
        var output = new Option<string?>("--out") { Description = "Output folder (default runs/<dataset>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from the output folder's checkpoints." };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "TorchSharp intra-op threads (0: TorchSharp's default)." };
        var hidden = new Option<string>("--hidden") { Description = "Comma-separated hidden widths (widths whose model would not fit in this machine's memory are refused before training).", DefaultValueFactory = _ => "512" };
        var keep = new Option<double>("--keep") { Description = "Kept fraction of hidden units per cycle.", DefaultValueFactory = _ => 0.9 };
        var stop = new Option<int>("--stop") { Description = "Stop once every hidden layer has at most this many units.", DefaultValueFactory = _ => 10 };
        var lambda = new Option<double>("--lambda") { Description = "LASSO weight λ.", DefaultValueFactory = _ => 0.3 };
        var batches = new Option<int>("--batches-per-cycle") { Description = "Mini-batches of training per cycle.", DefaultValueFactory = _ => 200 };
        var batchSize = new Option<int>("--batch-size") { Description = "Mini-batch size, at most the training set's size (a larger one is refused, not capped).", DefaultValueFactory = _ => 512 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3 };
        var bias = new Option<bool>("--bias") { Description = "Linear layers with biases (the paper: none)." };
        var classSoftmax = new Option<bool>("--class-softmax") { Description = "Log-softmax over classes (correct modelling) instead of the supplement's batch dimension." };
        var rule = new Option<string>("--rule") { Description = "Which units the score methods keep: smallest (the paper) or largest.", DefaultValueFactory = _ => "smallest" };
        var domain = new Option<string>("--domain") { Description = "DTC score domain: coefficients (the paper) or reconstruction.", DefaultValueFactory = _ => "coefficients" };
        var basis = new Option<string>("--basis") { Description = "Sparsifying basis: dct1 (the paper), dct2 or identity.", DefaultValueFactory = _ => "dct1" };
        var continueData = new Option<bool>("--continue-data") { Description = "Continue through the training set across cycles instead of restarting each cycle (the supplement restarts)." };
        var shuffle = new Option<long?>("--shuffle-seed") { Description = "Shuffle the training set each epoch with this seed (the paper: no shuffling)." };
        var saveModel = new Option<bool>("--save-model") { Description = "Save each method's final network in models/ (TorchSharp format with its architecture JSON; dtc export converts it)." };
        var saveCycles = new Option<string?>("--save-cycles") { Description = "Comma-separated cycles whose networks are saved too (implies --save-model)." };
        var force = new Option<bool>("--force") { Description = "Start afresh in an output folder that holds another run's outputs, clearing them first." };
        var reproducible = CommonOptions.Reproducible();
        var verbose = CommonOptions.Verbose();

        var command = new Command("replicate", "Run the paper's experiment: compress-train cycles per method, then results.json, results.csv and report.html.")
        {
            dataset, data, methods, seed, output, resume, device, threads, hidden, keep, stop, lambda, batches, batchSize, lr,
            bias, classSoftmax, rule, domain, basis, continueData, shuffle, saveModel, saveCycles, force, reproducible, verbose,
        };
        command.SetAction(parse =>
        {
            CommonOptions.SetUpNative(parse.GetValue(reproducible), parse.GetValue(verbose)); // before anything touches the native libraries
            var s = parse.GetValue(seed);
            var dtc = new DtcSettings
            {
                Domain = parse.GetValue(domain) switch
                {
                    "coefficients" => ScoreDomain.Coefficients,
                    "reconstruction" => ScoreDomain.Reconstruction,
                    var d => throw new ArgumentException($"Expecting --domain coefficients or reconstruction but received \"{d}\""),
                },
                Sensing = new RayOptions { Basis = parse.GetValue(basis)!, Keep = parse.GetValue(keep), Lambda = parse.GetValue(lambda), Seed = s },
            };
            var protocol = ProtocolOptions.Paper with
            {
                Hidden = ParseWidths(parse.GetValue(hidden)!),
                Bias = parse.GetValue(bias),
                InitSeed = s,
                LogSoftmaxOverBatch = !parse.GetValue(classSoftmax),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(lr),
                BatchesPerCycle = parse.GetValue(batches),
                RestartDataEachCycle = !parse.GetValue(continueData),
                ShuffleSeed = parse.GetValue(shuffle),
                Keep = parse.GetValue(keep),
                Stop = parse.GetValue(stop),
                Rule = parse.GetValue(rule) switch
                {
                    "smallest" => SelectionRule.KeepSmallest,
                    "largest" => SelectionRule.KeepLargest,
                    var r => throw new ArgumentException($"Expecting --rule smallest or largest but received \"{r}\""),
                },
                Methods = ParseMethods(parse.GetValue(methods)!, s, dtc),
            };
            var name = DatasetName(parse, dataset, data);
            var settings = new RunSettings
            {
                Protocol = protocol,
                Device = parse.GetValue(device)!,
                Resume = parse.GetValue(resume),
                Threads = parse.GetValue(threads),
                ModelCycles = ParseCycles(parse.GetValue(saveCycles)),
            };
            var save = parse.GetValue(saveModel) || parse.GetValue(saveCycles) is not null;
            settings.Validate(); // bad settings (a negative λ, a device this machine lacks, …) are bad input before the data load
            Outputs.RequireCompression(protocol);
            // Checked and locked before any work: the first checkpoint would otherwise fail only after a cycle of training.
            var outDir = parse.GetValue(output) ?? Path.Combine("runs", name);
            using var folder = Outputs.HoldRunFolder(outDir, settings, parse.GetValue(force));
            return Outputs.KeepingCheckpoints(outDir, () => Run(name, parse.GetValue(data), settings, outDir, save));
        });
        return command;
    }

    /// <summary>The data set's name: <c>--data DIR</c> without <c>--dataset</c> means the folder data set.</summary>
    static string DatasetName(ParseResult parse, Option<string> dataset, Option<string?> data) =>
        parse.GetResult(dataset) is null or { Implicit: true } && parse.GetValue(data) is not null ? "folder" : parse.GetValue(dataset)!;

    static IReadOnlyList<int> ParseCycles(string? text) =>
        text is null ? [] :
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => int.TryParse(c, out var v) && v > 0 ? v : throw new ArgumentException($"Expecting --save-cycles as positive comma-separated cycle numbers but received \"{text}\""))
            .ToArray();

    static IReadOnlyList<int> ParseWidths(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => int.TryParse(w, out var v) && v > 0 ? v : throw new ArgumentException($"Expecting --hidden as positive comma-separated widths but received \"{text}\""))
            .ToArray();

    /// <summary>The methods of <c>--methods</c>: the random method with the run's seed, DTC with its settings.</summary>
    static IReadOnlyList<CompressionMethod> ParseMethods(string text, long seed, DtcSettings dtc) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => m.ToLowerInvariant() switch
            {
                "magnitude" => CompressionMethod.Magnitude,
                "random" => CompressionMethod.Random(seed),
                "dtc" or "cs" => CompressionMethod.Dtc(dtc),
                _ => throw new ArgumentException($"Expecting --methods from magnitude, random, dtc but received \"{m}\""),
            })
            .ToArray() switch
            {
                { Length: 0 } => throw new ArgumentException("Expecting at least one method in --methods but received none"),
                var ms when ms.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1) is { } twice =>
                    throw new ArgumentException($"Expecting each method at most once in --methods but received \"{twice.Key}\" {twice.Count()} times in \"{text}\""),
                var ms => ms,
            };

    static int Run(string name, string? dataDir, RunSettings settings, string outDir, bool save)
    {
        var sw = Stopwatch.StartNew();
        var dataset = Datasets.Load(name, dataDir);
        AnsiConsole.MarkupLineInterpolated($"[bold]{dataset.Name}[/]: {dataset.TrainCount} train / {dataset.TestCount} test ({dataset.Source})");
        settings = settings with { CheckpointDirectory = Path.Combine(outDir, "checkpoints") };

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
            AnsiConsole.MarkupLine("[yellow]Stopping after the current cycle (its checkpoint will be written)…[/]");
        };
        Console.CancelKeyPress += onCancel;
        ModelRun run;
        try
        {
            run = AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                         new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var tasks = settings.Protocol.Methods.ToDictionary(
                        m => m.Name,
                        m => ctx.AddTask($"{m.Name,-9} waiting", autoStart: false));
                    var progress = new SynchronousProgress<CycleProgress>(p =>
                    {
                        var t = tasks[p.Method];
                        if (!t.IsStarted) t.StartTask();
                        t.MaxValue = p.TotalCycles;
                        t.Value = p.Cycle;
                        t.Description = $"{p.Method,-9} cycle {p.Cycle,2}/{p.TotalCycles}  width {string.Join(",", p.Widths),4}  accuracy {p.Accuracy:0.0000}";
                        if (p.Cycle >= p.TotalCycles) t.StopTask();
                    });
                    return Dtc.CSharp.Training.CompressTrain.RunWithModels(dataset, settings, progress, cts.Token);
                });
        }
        catch (OperationCanceledException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{e.Message}[/] Run the same command with --resume to continue.");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        using var _ = run;
        var results = run.Results;
        var saved = save ? SaveModels(run, outDir) : [];
        var analysis = Outputs.Write(results, outDir);
        Outputs.PrintSummary(analysis);
        Outputs.PrintFootprints(results.Footprints);
        if (results.Metadata is { Provenance: { } p } m)
            AnsiConsole.MarkupLineInterpolated($"Digest of the numbers [bold]{m.Digest}[/] (reproducibility {p.Reproducibility}: MKL {p.Mkl}, ATen {p.CpuCapability}, {p.CpuModel}).");
        var models = saved.Count > 0 ? $", {saved.Count} networks in {RunFolder.ModelsFolderName}/" : "";
        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{outDir}[/] (results.json, results.csv, analysis.json, report.html, checkpoints/{models}) in {sw.Elapsed.TotalSeconds:0.0} s.");
        return 0;
    }

    /// <summary>Saves the kept networks in models/: <c>&lt;method&gt;.dat</c> for the final one, <c>&lt;method&gt;-cycle&lt;k&gt;.dat</c>
    /// for the others, each with its architecture JSON.</summary>
    static IReadOnlyList<string> SaveModels(ModelRun run, string outDir)
    {
        var folder = Path.Combine(outDir, RunFolder.ModelsFolderName);
        var written = new List<string>();
        foreach (var m in run.Models)
        {
            var file = Path.Combine(folder, (m.Final ? m.Method : $"{m.Method}-cycle{m.Cycle}") + ModelExport.Extension(ExportFormat.TorchSharp));
            ModelExport.Write(m.Network, m.SampleShape, file, ExportFormat.TorchSharp);
            written.Add(file);
        }
        return written;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (the core calls it from the methods' threads, one call at a time; Spectre's progress tasks accept updates from any thread).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
