using System.Text.Json;
using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary><c>dtc sweep</c> and <c>dtc analyze</c> of a sweep folder, in processes of their own.</summary>
public sealed class SweepCliTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("dtc-cli-sweep-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    (int Code, string Output) Dtc(params string[] args) => DtcProcess.Run(work, args, timeout: TimeSpan.FromMinutes(3));

    static readonly string[] Tiny = ["sweep", "--seeds", "2", "--hidden", "16", "--batches-per-cycle", "2", "--stop", "12"];

    static void Succeeded((int Code, string Output) run, string what)
    {
        Assert.True(run.Code == 0, $"{what}: expecting exit code 0 but received {run.Code}:\n{run.Output}");
        Assert.False(DtcProcess.HasStackTrace(run.Output), $"{what}: a stack trace:\n{run.Output}");
    }

    static string[] Lines(string output) => output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public void SweepRunsContinuesRefusesAnotherPlanAndAnalyses()
    {
        var first = Dtc([.. Tiny, "--jobs", "2", "--out", "X"]);
        Succeeded(first, "the first sweep");
        Assert.Contains("All 2 runs are finished", first.Output);
        Assert.Contains("0 run(s) already finished, 2 to run", first.Output);
        Assert.Contains("seed-001 finished", first.Output); // redirected output: one line per finished run
        foreach (var run in new[] { "seed-001", "seed-002" })
            foreach (var f in new[] { "results.json", "controls.json", "report.html" })
                Assert.True(File.Exists(Path.Combine(work, "X", run, f)), $"{run}/{f} exists");
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "X", "sweep.json"))))
            Assert.All(doc.RootElement.GetProperty("status").EnumerateArray(), s => Assert.Equal("done", s.GetProperty("state").GetString()));

        var again = Dtc([.. Tiny, "--jobs", "2", "--out", "X"]);
        Succeeded(again, "the same sweep again");
        Assert.Contains("2 run(s) already finished", again.Output);
        Assert.Contains("All 2 runs are finished", again.Output);

        var plain = Dtc("sweep", "--out", "X");
        Succeeded(plain, "continuing without settings");
        Assert.Contains("2 run(s) already finished", plain.Output);

        var other = Dtc("sweep", "--out", "X", "--seeds", "3");
        Assert.True(other.Code == 2, $"another plan in X: expecting exit code 2 but received {other.Code}:\n{other.Output}");
        var expecting = Lines(other.Output).Where(l => l.Contains("Expecting", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(expecting);
        Assert.StartsWith("Expecting", line.Replace("error: ", ""));
        Assert.Contains("2 runs (2 seeds", line); // names the plan the folder holds
        Assert.False(DtcProcess.HasStackTrace(other.Output), other.Output);
        Assert.False(Directory.Exists(Path.Combine(work, "X", "seed-003")), "nothing of the other plan was run");

        var analyze = Dtc("analyze", "X");
        Succeeded(analyze, "dtc analyze X");
        Assert.Contains("Over 2 seeds", analyze.Output);
        var json = Path.Combine(work, "X", "sweep-analysis.json");
        var html = Path.Combine(work, "X", "sweep-report.html");
        Assert.True(File.Exists(json), "sweep-analysis.json written");
        Assert.True(File.Exists(html), "sweep-report.html written");
        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
            Assert.Equal(2, doc.RootElement.GetProperty("points")[0].GetProperty("seeds").GetArrayLength());
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html));
        var firstJson = File.ReadAllText(json);
        Succeeded(Dtc("analyze", "X", "--out", "elsewhere"), "dtc analyze X --out elsewhere");
        Assert.Equal(firstJson, File.ReadAllText(Path.Combine(work, "elsewhere", "sweep-analysis.json")));
        Assert.Empty(Directory.GetFiles(work, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void EmitSlurmWritesAnArrayScriptAndTheLogsFolder()
    {
        var run = Dtc([.. Tiny, "--out", "S", "--emit", "slurm", "--shards", "2"]);
        Succeeded(run, "--emit slurm");
        var script = File.ReadAllText(Path.Combine(work, "S", "sweep.sbatch"));
        Assert.StartsWith("#!/bin/bash", script);
        Assert.Contains("#SBATCH --array=0-1", script);
        Assert.Contains("--shard \"${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT:-2}\"", script);
        Assert.Contains($"#SBATCH --output={Path.Combine(work, "S", "logs")}/%A_%a.out", script);
        Assert.True(Directory.Exists(Path.Combine(work, "S", "logs")), "the logs folder exists (sbatch does not create it)");
        Assert.True(File.Exists(Path.Combine(work, "S", "sweep.json")), "the plan is in the folder for the tasks");
        Assert.False(Directory.Exists(Path.Combine(work, "S", "seed-001")), "nothing was run");
    }

    [Fact]
    public async Task EmittedSlurmScriptRunsEachShardAndMatchesTheLocalSweep()
    {
        // The array tasks as Slurm would start them, without Slurm: the script with its task id and count.
        Succeeded(Dtc([.. Tiny, "--out", "S", "--emit", "slurm", "--shards", "2"]), "--emit slurm");
        var script = Path.Combine(work, "S", "sweep.sbatch");
        for (var task = 0; task < 2; task++)
        {
            var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
            start.ArgumentList.Add(script);
            start.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString();
            start.Environment["SLURM_ARRAY_TASK_COUNT"] = "2";
            start.Environment["COLUMNS"] = "500";
            using var p = System.Diagnostics.Process.Start(start)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var output = await p.StandardOutput.ReadToEndAsync() + await stderr;
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), $"task {task} did not finish");
            Assert.True(p.ExitCode == 0, $"task {task}: expecting exit code 0 but received {p.ExitCode}:\n{output}");
            Assert.Contains($"Shard {task}/2: 1 run(s).", output);
        }
        Succeeded(Dtc([.. Tiny, "--jobs", "2", "--out", "L"]), "the local sweep");
        Succeeded(Dtc("analyze", "S"), "dtc analyze S");
        Succeeded(Dtc("analyze", "L"), "dtc analyze L");
        Assert.Equal(File.ReadAllText(Path.Combine(work, "L", "sweep-analysis.json")), File.ReadAllText(Path.Combine(work, "S", "sweep-analysis.json")));
    }

    [Fact]
    public async Task InterruptedSweepExits130AndTheSameCommandFinishesIt()
    {
        // Long enough (seconds) that the sweep cannot finish before the signal lands on a loaded machine.
        string[] args = ["sweep", "--seeds", "2", "--hidden", "32", "--batches-per-cycle", "200", "--stop", "17", "--jobs", "2", "--out", "I"];
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        start.ArgumentList.Add(DtcProcess.Dll());
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "500";
        using var p = System.Diagnostics.Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var seen = new System.Text.StringBuilder();
        string? line;
        while ((line = await p.StandardOutput.ReadLineAsync()) is not null)
        {
            seen.AppendLine(line);
            if (line.Contains("to run", StringComparison.Ordinal))
            {
                // Ctrl+C, as a user (or Slurm's scancel --signal=INT) sends it.
                using var kill = System.Diagnostics.Process.Start("kill", ["-INT", p.Id.ToString()])!;
                kill.WaitForExit();
                break;
            }
        }
        var output = seen + await p.StandardOutput.ReadToEndAsync() + await stderr;
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "the interrupted sweep did not stop");
        Assert.True(p.ExitCode == 130, $"expecting exit code 130 (interrupted) but received {p.ExitCode}:\n{output}");
        Assert.Contains("run the same command again to continue", output);
        Assert.False(DtcProcess.HasStackTrace(output), output);
        Assert.Empty(Directory.GetFiles(work, "*.tmp", SearchOption.AllDirectories));

        var again = Dtc(args);
        Succeeded(again, "the same command again");
        Assert.Contains("All 2 runs are finished", again.Output);
        Succeeded(Dtc("analyze", "I"), "dtc analyze I");
    }

    [Fact]
    public async Task KilledSweepResumesToTheUninterruptedAnalysis()
    {
        // A preempted cluster task: killed (SIGKILL) once a checkpoint exists, its lock and temporaries left behind.
        string[] tiny = ["sweep", "--seeds", "2", "--hidden", "32", "--batches-per-cycle", "2", "--stop", "17", "--jobs", "2"];
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        start.ArgumentList.Add(DtcProcess.Dll());
        foreach (var a in tiny.Append("--out").Append("K")) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "500";
        using (var p = System.Diagnostics.Process.Start(start)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var folder = Path.Combine(work, "K");
            var limit = DateTime.UtcNow.AddMinutes(2);
            while (!p.HasExited && DateTime.UtcNow < limit
                   && !(Directory.Exists(folder) && Directory.GetFiles(folder, "*.ckpt", SearchOption.AllDirectories).Length > 0))
                await Task.Delay(20);
            Assert.False(p.HasExited, $"the sweep ended before it could be killed:\n{await stdout}{await stderr}");
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            await stdout;
            await stderr;
        }
        var resumed = Dtc([.. tiny, "--out", "K"]);
        Succeeded(resumed, "the killed sweep, run again");
        Assert.Contains("All 2 runs are finished", resumed.Output);
        Succeeded(Dtc([.. tiny, "--out", "U"]), "the uninterrupted sweep");
        Succeeded(Dtc("analyze", "K"), "dtc analyze K");
        Succeeded(Dtc("analyze", "U"), "dtc analyze U");
        Assert.Equal(File.ReadAllText(Path.Combine(work, "U", "sweep-analysis.json")), File.ReadAllText(Path.Combine(work, "K", "sweep-analysis.json")));
        Assert.Empty(Directory.GetFiles(work, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void EmitK8sWritesAnIndexedJob()
    {
        var run = Dtc([.. Tiny, "--out", "K", "--emit", "k8s", "--shards", "5"]);
        Succeeded(run, "--emit k8s");
        var manifest = File.ReadAllText(Path.Combine(work, "K", "sweep-job.yaml"));
        Assert.Contains("completionMode: Indexed", manifest);
        Assert.Contains("JOB_COMPLETION_INDEX", manifest);
        Assert.Contains("completions: 2", manifest); // at most one shard per run
        Assert.Contains("image: dtc:latest", manifest);
        Assert.False(Directory.Exists(Path.Combine(work, "K", "seed-001")), "nothing was run");
    }

    [Fact]
    public void AnalyzeOfAFolderWithoutSweepJsonIsBadInput()
    {
        Directory.CreateDirectory(Path.Combine(work, "empty"));
        var run = Dtc("analyze", "empty");
        Assert.True(run.Code == 2, $"expecting exit code 2 but received {run.Code}:\n{run.Output}");
        Assert.Contains("sweep.json", run.Output);
        Assert.False(DtcProcess.HasStackTrace(run.Output), run.Output);
        Assert.False(File.Exists(Path.Combine(work, "empty", "sweep-report.html")), "no report written");
    }
}
