using System.CommandLine;
using System.Text.Json;
using Dtc.CSharp.Sweeps;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary>
/// <c>dtc sweep</c>: the replicate protocol over many seeds (and a grid of settings), run here with
/// <c>--jobs</c> tasks at once, as one shard of a cluster array (<c>--shard i/n</c>), or written out as a
/// Slurm array script or a Kubernetes Indexed Job (<c>--emit</c>). Running the same command again continues.
/// </summary>
internal static class SweepCommand
{
    /// <summary>Replicate's options a sweep passes on as settings (their values become the plan's settings when given).</summary>
    static readonly string[] SettingOptions = ["hidden", "keep", "stop", "lambda", "batches-per-cycle", "batch-size", "lr", "rule", "domain", "basis"];
    static readonly string[] SettingFlags = ["bias", "class-softmax", "continue-data"];

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "The sweep folder (default runs/sweep-<dataset>). Holds sweep.json and one folder per run; run the same command to continue." };
        var dataset = new Option<string>("--dataset") { Description = "mnist-sample (embedded, default), fashion-mnist, mnist, or folder.", DefaultValueFactory = _ => "mnist-sample" };
        var data = new Option<string?>("--data") { Description = "A folder with the four IDX files; alone, it means --dataset folder." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated methods: magnitude, random, dtc.", DefaultValueFactory = _ => "magnitude,random,dtc" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds: a count (10 = seeds 1..10), a range (1-20) or a list (1,4,7).", DefaultValueFactory = _ => "10" };
        var baseSeed = new Option<long>("--base-seed") { Description = "The base seed every run's seeds (initialisation, Φ, random method, shuffle, controls) derive from.", DefaultValueFactory = _ => 42424242L };
        var grid = new Option<string[]>("--grid") { Description = "Grid axes, each name=v1,v2,… (e.g. --grid lambda=0.1,0.3,1 keep=0.8,0.9); every combination runs for every seed.", AllowMultipleArgumentsPerToken = true };
        var shuffle = new Option<bool>("--shuffle-data") { Description = "Also vary the training data's order with each seed (the paper: no shuffling)." };
        var jobs = new Option<int>("--jobs") { Description = "Tasks (one method of one run) at once, each on one thread (default: the core count)." };
        var shard = new Option<string?>("--shard") { Description = "Run only shard i of n (i/n, 0-based), e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT." };
        var emit = new Option<string?>("--emit") { Description = "Write a cluster job instead of running: slurm (an sbatch array script) or k8s (an Indexed Job manifest)." };
        var shards = new Option<int>("--shards") { Description = "Array tasks of the emitted job (default: one per run)." };
        var dtcCommand = new Option<string?>("--dtc") { Description = "The dtc command the emitted job runs (default: this one; k8s: dtc)." };
        var image = new Option<string>("--image") { Description = "Container image of the Kubernetes job.", DefaultValueFactory = _ => "dtc:latest" };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var reproducible = CommonOptions.Reproducible();
        var verbose = CommonOptions.Verbose();
        var settingOptions = SettingOptions.Select(n => new Option<string?>("--" + n) { Description = $"As replicate's --{n}, for every run." }).ToArray();
        var settingFlags = SettingFlags.Select(n => new Option<bool>("--" + n) { Description = $"As replicate's --{n}, for every run." }).ToArray();

        var command = new Command("sweep", "Run the replicate protocol over many seeds (and a grid of settings), here or as a Slurm or Kubernetes array; run it again to continue.")
        {
            output, dataset, data, methods, seeds, baseSeed, grid, shuffle, jobs, shard, emit, shards, dtcCommand, image, device, reproducible, verbose,
        };
        foreach (var o in settingOptions) command.Options.Add(o);
        foreach (var o in settingFlags) command.Options.Add(o);
        command.SetAction(parse =>
        {
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            var dataName = parse.GetResult(dataset) is null or { Implicit: true } && parse.GetValue(data) is not null ? "folder" : parse.GetValue(dataset)!;
            var folder = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine("runs", "sweep-" + dataName));
            Outputs.RequireFolder(folder);
            var planDefining = new Option[] { dataset, data, methods, seeds, baseSeed, grid, shuffle }.Concat(settingOptions).Concat(settingFlags).Any(Given);
            var existing = File.Exists(Path.Combine(folder, "sweep.json"));
            // The mode must be chosen before the native libraries load: a continued sweep keeps its plan's.
            var planMode = existing ? PeekMode(folder) : null;
            var requested = parse.GetValue(reproducible);
            if (planMode is not null && requested is not null && !string.Equals(planMode, requested.Trim(), StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"Expecting --reproducible {planMode}, the mode of the sweep in {folder}, but received \"{requested}\"");
            CommonOptions.SetUpNative(requested ?? planMode, parse.GetValue(verbose));

            SweepPlan plan;
            if (existing && !planDefining)
                plan = Sweep.Read(folder);
            else
            {
                var settings = new Dictionary<string, string>();
                for (var i = 0; i < SettingOptions.Length; i++)
                    if (parse.GetValue(settingOptions[i]) is { } v) settings[SettingOptions[i]] = v;
                for (var i = 0; i < SettingFlags.Length; i++)
                    if (parse.GetValue(settingFlags[i])) settings[SettingFlags[i]] = "true";
                plan = Sweep.Plan(new SweepSpec
                {
                    Dataset = dataName,
                    DataFolder = parse.GetValue(data) is { } d ? Path.GetFullPath(d) : null,
                    Methods = parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Settings = settings,
                    Grid = Sweep.ParseGrid(parse.GetValue(grid) ?? []),
                    Seeds = Sweep.ParseSeeds(parse.GetValue(seeds)!),
                    BaseSeed = parse.GetValue(baseSeed),
                    ShuffleData = parse.GetValue(shuffle),
                });
            }
            // Every option is checked before sweep.json is written: bad input leaves no folder behind.
            var target = parse.GetValue(emit)?.Trim().ToLowerInvariant();
            if (target is not (null or "slurm" or "k8s")) throw new ArgumentException($"Expecting --emit slurm or k8s but received \"{parse.GetValue(emit)}\"");
            if (parse.GetValue(shards) < 0) throw new ArgumentException($"Expecting --shards of at least 1 but received {parse.GetValue(shards)}");
            var (index, count) = parse.GetValue(shard) is { } s ? Sweep.ParseShard(s) : (0, 1);
            var jobCount = parse.GetValue(jobs);
            if (jobCount < 0) throw new ArgumentException($"Expecting --jobs of at least 1 (0: the core count) but received {jobCount}");
            Directory.CreateDirectory(folder);
            Sweep.Prepare(folder, plan);
            if (target is not null)
                return Emit(target, plan, folder, parse.GetValue(shards), parse.GetValue(dtcCommand), parse.GetValue(image)!);

            return Outputs.KeepingCheckpoints(folder, () => Run(plan, folder, jobCount, index, count, parse.GetValue(device)!));
        });
        return command;
    }

    /// <summary>Reads the reproducibility mode of an existing plan without loading the native libraries.</summary>
    static string? PeekMode(string folder)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "sweep.json")));
            // Only a well-formed mode is peeked; anything else is left to the plan's reader, which names what is wrong.
            return doc.RootElement.ValueKind == JsonValueKind.Object
                   && doc.RootElement.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
                   && spec.TryGetProperty("reproducibility", out var mode) && mode.ValueKind == JsonValueKind.String
                ? mode.GetString()
                : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Expecting {Path.Combine(folder, "sweep.json")} to be a sweep plan but the JSON does not parse: {e.Message}");
        }
    }

    static int Run(SweepPlan plan, string folder, int jobs, int index, int count, string device)
    {
        var share = plan.Shard(index, count);
        var before = Sweep.Status(folder, plan).ToDictionary(s => s.Id, s => s.State);
        var todo = share.Count(r => before[r.Id] != "done");
        AnsiConsole.MarkupLineInterpolated($"[bold]{plan}[/] in {folder}");
        if (count > 1) AnsiConsole.MarkupLineInterpolated($"Shard {index}/{count}: {share.Count} run(s).");
        // Ctrl+C is handled from before the first line that says work is coming (a script may interrupt on it).
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
            AnsiConsole.MarkupLine("[yellow]Stopping every task after its current cycle (checkpoints are written)…[/]");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            AnsiConsole.MarkupLineInterpolated($"{share.Count - todo} run(s) already finished, {todo} to run ({plan.Methods.Count} task(s) each, {(jobs == 0 ? Environment.ProcessorCount : jobs)} at once, one thread each; reproducibility {plan.Reproducibility}).");
            if (todo == 0) return Done(folder, count, null);
            SweepSummary summary;
            if (Console.IsOutputRedirected)
            {
                // A log (a CI job, a Slurm task's output): one line per finished run, with the estimate.
                var progress = new SynchronousProgress<SweepProgress>(p =>
                {
                    if (p.Event.EndsWith(" finished", StringComparison.Ordinal))
                        Console.WriteLine($"{p.Event}: {p.RunsDone}/{p.RunsTotal} runs done, {p.Fraction:P0} of the work, {Clock(p.ElapsedSeconds)} elapsed, about {Clock(p.RemainingSeconds)} left");
                });
                summary = Sweep.RunLocal(plan, folder, jobs, index, count, device, progress, cts.Token);
            }
            else
            {
                summary = AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask("starting", maxValue: 1.0);
                        var progress = new SynchronousProgress<SweepProgress>(p =>
                        {
                            task.Value = p.Fraction;
                            task.Description = $"runs {p.RunsDone}/{p.RunsTotal} done, {p.Running.Count} running, about {Clock(p.RemainingSeconds)} left";
                        });
                        return Sweep.RunLocal(plan, folder, jobs, index, count, device, progress, cts.Token);
                    });
            }
            return Done(folder, count, summary);
        }
        catch (OperationCanceledException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{e.Message}[/]");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    static int Done(string folder, int shards, SweepSummary? summary)
    {
        if (summary is not null)
            AnsiConsole.MarkupLineInterpolated(
                $"Finished {summary.Finished.Count} run(s) in {Clock(summary.WallSeconds)}; tasks kept {summary.Jobs} worker(s) busy {100 * summary.TaskSeconds / Math.Max(1e-9, summary.WallSeconds * summary.Jobs):0}% of the time.");
        var status = summary?.Status ?? Sweep.Status(folder, Sweep.Read(folder));
        var done = status.Count(s => s.State == "done");
        if (done == status.Count)
            AnsiConsole.MarkupLineInterpolated($"All {done} runs are finished: [bold]dtc analyze {folder}[/] writes the sweep's analysis and report.");
        else if (shards > 1)
            AnsiConsole.MarkupLineInterpolated($"{done} of {status.Count} runs are finished; the other shards' runs are theirs.");
        return 0;
    }

    static string Clock(double seconds) =>
        double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss") : "?";

    /// <summary>Writes the cluster job: an sbatch array script or a Kubernetes Indexed Job manifest.</summary>
    static int Emit(string target, SweepPlan plan, string folder, int shards, string? dtc, string image)
    {
        if (shards < 0) throw new ArgumentException($"Expecting --shards of at least 1 but received {shards}");
        var n = shards == 0 ? plan.Runs.Count : Math.Min(shards, plan.Runs.Count);
        switch (target)
        {
            case "slurm":
            {
                var logs = Path.Combine(folder, "logs");
                Directory.CreateDirectory(logs); // sbatch does not create the output's folder
                var command = dtc ?? DefaultCommand();
                var script = $$"""
                    #!/bin/bash
                    # {{plan}}: one array task per shard of the plan in {{folder}}.
                    # Submit with: sbatch {{Path.Combine(folder, "sweep.sbatch")}}   Then merge: dtc analyze {{folder}}
                    #SBATCH --job-name=dtc-sweep
                    #SBATCH --array=0-{{n - 1}}
                    #SBATCH --cpus-per-task=1
                    #SBATCH --mem=2G
                    #SBATCH --output={{logs}}/%A_%a.out
                    set -euo pipefail
                    export DTC_REPRODUCIBLE={{plan.Reproducibility}}
                    exec {{command}} sweep --out "{{folder}}" --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT:-{{n}}}" --jobs "${SLURM_CPUS_PER_TASK:-1}"

                    """;
                var path = Path.Combine(folder, "sweep.sbatch");
                Dtc.CSharp.Runtime.AtomicFile.WriteText(path, script);
                AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{path}[/]: a Slurm array of {n} task(s) for {plan}. Submit it with [bold]sbatch {path}[/], then run [bold]dtc analyze {folder}[/].");
                return 0;
            }
            case "k8s":
            {
                var manifest = $$"""
                    # {{plan}}: a Kubernetes Indexed Job, one pod per shard; every pod mounts the sweep folder at /sweep.
                    # Copy {{Path.Combine(folder, "sweep.json")}} into the volume first. Apply with: kubectl apply -f sweep-job.yaml
                    # Then merge from the volume: dtc analyze <the volume's folder>
                    apiVersion: batch/v1
                    kind: Job
                    metadata:
                      name: dtc-sweep
                    spec:
                      completionMode: Indexed
                      completions: {{n}}
                      parallelism: {{n}}
                      backoffLimitPerIndex: 3
                      template:
                        spec:
                          restartPolicy: Never
                          containers:
                            - name: dtc
                              image: {{image}}
                              command: ["sh", "-c", "exec {{dtc ?? "dtc"}} sweep --out /sweep --shard \"$JOB_COMPLETION_INDEX/{{n}}\" --jobs 1"]
                              env:
                                - name: DTC_REPRODUCIBLE
                                  value: {{plan.Reproducibility}}
                              resources:
                                requests: { cpu: "1", memory: 2Gi }
                                limits: { memory: 2Gi }
                              volumeMounts:
                                - { name: sweep, mountPath: /sweep }
                          volumes:
                            - name: sweep
                              persistentVolumeClaim: { claimName: dtc-sweep }

                    """;
                var path = Path.Combine(folder, "sweep-job.yaml");
                Dtc.CSharp.Runtime.AtomicFile.WriteText(path, manifest);
                AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{path}[/]: a Kubernetes Indexed Job of {n} pod(s) for {plan}, each running its shard with $JOB_COMPLETION_INDEX.");
                return 0;
            }
            default:
                throw new ArgumentException($"Expecting --emit slurm or k8s but received \"{target}\"");
        }
    }

    /// <summary>This dtc, as a command line: the tool's executable, or <c>dotnet dtc.dll</c> when run through dotnet.</summary>
    static string DefaultCommand()
    {
        var process = Environment.ProcessPath ?? "dtc";
        var entry = typeof(SweepCommand).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry.Length > 0 ? $"\"{process}\" \"{entry}\"" : $"\"{process}\"";
    }
}
