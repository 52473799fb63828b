using System.Diagnostics;
using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary>Output folders that never lose work, tested with real state a corpus case cannot express: read-only
/// and full file systems (a tmpfs in a private mount namespace), a disk that fills during a run, a run that
/// holds the folder's lock while another starts, and a run killed with SIGKILL in the middle.</summary>
public sealed class OutputFolderTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("dtc-out-tests-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    /// <summary>A short run with enough cycles to be caught in the middle (about 10 s on two cores).</summary>
    static readonly string[] LongerRun = ["replicate", "--hidden", "128", "--batches-per-cycle", "40"];

    static readonly string[] TinyRun = ["replicate", "--hidden", "8", "--stop", "4", "--batches-per-cycle", "1"];

    (int Code, string Output) Dtc(params string[] args) => DtcProcess.Run(work, args);

    static void NoStackTrace((int Code, string Output) run) =>
        Assert.False(DtcProcess.HasStackTrace(run.Output), $"Expecting no stack trace but received:\n{run.Output}");

    /// <summary>Runs a shell script in a private mount namespace (its mounts vanish with it), as root or as
    /// the mapped root of a user namespace; <c>$DTC</c> is dtc.dll. Exit 97 means a mount failed.</summary>
    (int Code, string Output) InPrivateMount(string script)
    {
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        if (Environment.UserName != "root") start.ArgumentList.Add("--map-root-user");
        foreach (var a in new[] { "--mount", "--propagation", "private", "sh", "-c", script }) start.ArgumentList.Add(a);
        start.Environment["DTC"] = DtcProcess.Dll();
        start.Environment["COLUMNS"] = "500";
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"the script did not finish in 3 minutes:\n{script}");
        }
        var output = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode != 97, $"Expecting to mount a tmpfs in a private mount namespace (root, or user namespaces) but could not:\n{output}");
        return (p.ExitCode, output);
    }

    /// <summary>The sections of a script's output that <c>step NAME</c> opened, each with the exit code that <c>step</c> printed.</summary>
    static Dictionary<string, (int Code, string Output)> Steps(string output) =>
        ("\n" + output).Split("\n== step ").Skip(1)
            .Select(s =>
            {
                var name = s[..s.IndexOf('\n')].Trim();
                var code = s.LastIndexOf("== exit ", StringComparison.Ordinal);
                return (name, code >= 0 ? (int.Parse(s[(code + 8)..].Split('\n')[0].Trim()), s) : (-1, s));
            })
            .ToDictionary(t => t.name, t => t.Item2);

    const string StepFunction = "step() { name=$1; shift; echo \"== step $name\"; \"$@\" 2>&1; echo \"== exit $?\"; }\n";

    [Fact]
    public void ReadOnlyOrFullOutputIsBadInputBeforeTheData()
    {
        File.WriteAllText(Path.Combine(work, "r.json"), "{}");
        var (_, output) = InPrivateMount(StepFunction + """
            mkdir -p ro small filled
            mount -t tmpfs -o ro,size=1m tmpfs ro || exit 97
            mount -t tmpfs -o size=64k tmpfs small || exit 97
            mount -t tmpfs -o size=64k tmpfs filled || exit 97
            dd if=/dev/zero of=filled/fill bs=4k 2>/dev/null
            step replicate-ro dotnet "$DTC" replicate --out ro/run
            step replicate-small dotnet "$DTC" replicate --out small/run
            step replicate-filled dotnet "$DTC" replicate --hidden 8 --stop 4 --out filled/run
            step analyze-ro dotnet "$DTC" analyze r.json --out ro/analysis
            step report-ro dotnet "$DTC" report r.json --out ro/report.html
            step bench-ro dotnet "$DTC" bench --out ro/bench.json
            ls -A small filled
            """);
        var steps = Steps(output);
        var expected = new Dictionary<string, string[]>
        {
            ["replicate-ro"] = [Path.Combine(work, "ro", "run"), "read-only"],
            ["replicate-small"] = [Path.Combine(work, "small", "run"), "Expecting at least", "MB free"],
            ["replicate-filled"] = [Path.Combine(work, "filled", "run"), "file system is full"],
            ["analyze-ro"] = [Path.Combine(work, "ro", "analysis"), "read-only"],
            ["report-ro"] = [Path.Combine(work, "ro"), "read-only"],
            ["bench-ro"] = [Path.Combine(work, "ro"), "read-only"],
        };
        foreach (var (name, mentions) in expected)
        {
            Assert.True(steps.ContainsKey(name), $"Expecting the step {name} in:\n{output}");
            var step = steps[name];
            Assert.True(step.Code == 2, $"{name}: expecting exit code 2 (bad input) but received {step.Code}:\n{step.Output}");
            foreach (var m in mentions) Assert.True(step.Output.Contains(m, StringComparison.Ordinal), $"{name}: expecting the output to mention \"{m}\":\n{step.Output}");
            Assert.DoesNotContain("mnist-sample: 7996", step.Output); // refused before the data load
            NoStackTrace(step);
        }
        Assert.DoesNotContain("run", output[output.LastIndexOf("== exit", StringComparison.Ordinal)..]); // the refused runs left no folder
    }

    [Fact]
    public void DiskFullDuringARunFailsInOneLineAndResumeFinishesIt()
    {
        var run = string.Join(' ', LongerRun);
        var (_, output) = InPrivateMount(StepFunction + $$"""
            mkdir -p fs
            mount -t tmpfs -o size=64m tmpfs fs || exit 97
            ( echo "== step full"; dotnet "$DTC" {{run}} --out fs/run 2>&1; echo "== exit $?" ) > full.log &
            n=0; while [ ! -e fs/run/checkpoints/dtc.ckpt ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done
            dd if=/dev/zero of=fs/fill bs=1M 2>/dev/null
            wait
            cat full.log
            echo "== step kept"; ls -A fs/run/checkpoints; find fs -name '*.tmp'; echo "== exit 0"
            rm fs/fill
            step resume dotnet "$DTC" {{run}} --out fs/run --resume
            echo "== step after"; ls -A fs/run fs/run/checkpoints; find fs -name '*.tmp'; echo "== exit 0"
            """);
        var steps = Steps(output);
        Assert.True(new[] { "full", "kept", "resume", "after" }.All(steps.ContainsKey), $"Expecting every step in:\n{output}");
        var full = steps["full"];
        Assert.True(full.Code == 1, $"Expecting exit code 1 (failure) for a disk that fills up but received {full.Code}:\n{output}");
        Assert.Contains("is full", full.Output);
        Assert.Contains("--resume", full.Output);
        NoStackTrace(full);
        Assert.Contains("dtc.ckpt", steps["kept"].Output); // the completed cycles' checkpoints are kept
        Assert.DoesNotContain(".tmp", steps["kept"].Output);
        var resume = steps["resume"];
        Assert.True(resume.Code == 0, $"Expecting --resume to finish the run but received exit code {resume.Code}:\n{output}");
        Assert.Contains("results.json", steps["after"].Output);
        Assert.DoesNotContain(".tmp", steps["after"].Output);
        Assert.DoesNotContain(".dtc.lock", steps["after"].Output);
    }

    [Fact]
    public void SecondRunOnAHeldFolderIsRefusedAndAKilledRunResumesWithoutTemporaries()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        start.ArgumentList.Add(DtcProcess.Dll());
        foreach (var a in LongerRun.Concat(["--out", "run"])) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "500";
        using var first = Process.Start(start)!;
        first.OutputDataReceived += (_, _) => { };
        first.ErrorDataReceived += (_, _) => { };
        first.BeginOutputReadLine();
        first.BeginErrorReadLine();
        try
        {
            var checkpoint = Path.Combine(work, "run", "checkpoints", "dtc.ckpt");
            var waited = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !first.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(50);
            Assert.True(File.Exists(checkpoint) && !first.HasExited, "Expecting the first run to write a checkpoint and go on");

            // A second run on the same folder, while the first holds it.
            var second = Dtc([.. TinyRun, "--out", "run"]);
            Assert.True(second.Code == 2, $"Expecting exit code 2 for a folder another run holds but received {second.Code}:\n{second.Output}");
            Assert.Contains($"process {first.Id}", second.Output);
            Assert.Contains(Path.Combine(work, "run"), second.Output);
            NoStackTrace(second);

            // kill -9 in the middle, then a temporary as a kill in the middle of a write leaves it.
            first.Kill();
            first.WaitForExit();
        }
        finally
        {
            if (!first.HasExited) first.Kill(entireProcessTree: true);
        }
        File.WriteAllText(Path.Combine(work, "run", "checkpoints", $"random.ckpt.{first.Id}.tmp"), "half a checkpoint");

        var resumed = Dtc([.. LongerRun, "--out", "run", "--resume"]);
        Assert.True(resumed.Code == 0, $"Expecting --resume to finish the killed run but received exit code {resumed.Code}:\n{resumed.Output}");
        Assert.Contains($"stale lock of process {first.Id}", resumed.Output);
        Assert.Contains($"random.ckpt.{first.Id}.tmp", resumed.Output);
        Assert.True(File.Exists(Path.Combine(work, "run", "results.json")));
        Assert.Empty(Directory.GetFiles(work, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(work, "run", ".dtc.lock")), "the lock file is removed at the end of a run");
    }

    [Fact]
    public void ForceClearsAnotherRunsOutputsAndNothingElse()
    {
        var run = Path.Combine(work, "run");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        foreach (var f in new[] { "results.json", "report.html", "notes.txt", Path.Combine("checkpoints", "dtc.ckpt") })
            File.WriteAllText(Path.Combine(run, f), "another run's");
        var forced = Dtc([.. TinyRun, "--methods", "magnitude", "--out", "run", "--force"]);
        Assert.True(forced.Code == 0, $"Expecting --force to start afresh but received exit code {forced.Code}:\n{forced.Output}");
        Assert.Contains("--force cleared", forced.Output);
        Assert.Equal("another run's", File.ReadAllText(Path.Combine(run, "notes.txt")));
        Assert.Equal(["magnitude.ckpt"], Directory.GetFiles(Path.Combine(run, "checkpoints")).Select(Path.GetFileName));
        Assert.DoesNotContain("another run's", File.ReadAllText(Path.Combine(run, "results.json")));
    }

    [Fact]
    public void DataFolderAloneMeansTheFolderDataset()
    {
        var digits = Directory.CreateDirectory(Path.Combine(work, "digits")).FullName;
        foreach (var f in Directory.GetFiles(Path.Combine(DtcProcess.Repository().FullName, "src", "Dtc.Core", "Data", "mnist-sample"), "*.gz"))
            File.Copy(f, Path.Combine(digits, Path.GetFileName(f)));
        var run = Dtc([.. TinyRun, "--methods", "magnitude", "--data", "digits", "--out", "run"]);
        Assert.True(run.Code == 0, $"Expecting --data DIR alone to read the folder but received exit code {run.Code}:\n{run.Output}");
        Assert.Contains("digits: 7996 train", run.Output);
    }
}
