using System.Text.Json;
using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary>The <c>dtc</c> command as a user runs it, in its own process: exit codes (0 success, 2 bad
/// input), messages that name the offending value, bad input rejected before any training, and output
/// folders holding only finished files.</summary>
public sealed class CommandLineTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("dtc-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    (int Code, string Output) Dtc(params string[] args) => DtcProcess.Run(work, args);

    static void BadInput((int Code, string Output) run, params string[] mentions)
    {
        Assert.True(run.Code == 2, $"Expecting exit code 2 (bad input) but received {run.Code}:\n{run.Output}");
        foreach (var m in mentions) Assert.Contains(m, run.Output);
    }

    [Fact]
    public void UnknownDatasetIsBadInputNamingTheValueAndTheChoices() =>
        BadInput(Dtc("replicate", "--dataset", "nope", "--out", "run"), "\"nope\"", "mnist-sample", "fashion-mnist");

    [Fact]
    public void OutOfRangeOptionIsBadInputAndWritesNothing()
    {
        BadInput(Dtc("replicate", "--keep", "1.5", "--out", "run"), "Keep", "1.5");
        Assert.False(Directory.Exists(Path.Combine(work, "run")), "a rejected run created its output folder");
    }

    [Fact]
    public void UnknownMethodIsBadInput() =>
        BadInput(Dtc("replicate", "--methods", "magnitude,lottery", "--out", "run"), "\"lottery\"");

    [Fact]
    public void OutputFolderThatIsAFileIsRejectedBeforeTraining()
    {
        File.WriteAllText(Path.Combine(work, "taken"), "a file");
        var run = Dtc("replicate", "--out", "taken");
        BadInput(run, "taken", "is a file");
        Assert.DoesNotContain("mnist-sample: 7996", run.Output); // rejected before the data were even loaded
        Assert.Equal("a file", File.ReadAllText(Path.Combine(work, "taken")));
    }

    [Fact]
    public void DeviceThisMachineLacksIsBadInputBeforeTheData()
    {
        if (TorchSharp.torch.cuda.is_available()) return; // a machine with CUDA runs it; nothing to refuse there
        var run = Dtc("replicate", "--device", "cuda", "--out", "run");
        BadInput(run, "\"cuda\"", "TorchSharp-cuda");
        Assert.DoesNotContain("mnist-sample: 7996", run.Output);
        Assert.False(Directory.Exists(Path.Combine(work, "run")), "a rejected run created its output folder");
    }

    [Fact]
    public void CommandLineThatDoesNotParseIsBadInput()
    {
        BadInput(Dtc("analyze"), "results"); // the required argument
        BadInput(Dtc("replicate", "--no-such-option"), "--no-such-option");
        BadInput(Dtc("replicate", "--keep", "lots"), "lots");
    }

    [Fact]
    public void SettingsOutOfRangeAreBadInputBeforeTheData()
    {
        // λ < 0 used to pass until the DTC method's first compression, after a cycle of training and two checkpoints.
        var lambda = Dtc("replicate", "--lambda", "-0.3", "--out", "run");
        BadInput(lambda, "-0.3");
        var threads = Dtc("replicate", "--threads", "-1", "--out", "run");
        BadInput(threads, "Threads", "-1");
        foreach (var run in new[] { lambda, threads }) Assert.DoesNotContain("mnist-sample: 7996", run.Output);
        Assert.False(Directory.Exists(Path.Combine(work, "run")), "a rejected run created its output folder");
        BadInput(Dtc("bench", "--threads", "-2"), "--threads", "-2");
        Directory.CreateDirectory(Path.Combine(work, "folder"));
        BadInput(Dtc("bench", "--out", "folder"), "is a folder");
    }

    [Fact]
    public void MissingResultsFileIsBadInput()
    {
        BadInput(Dtc("analyze", "missing.json"), "missing.json", "does not exist");
        BadInput(Dtc("report", "missing.json"), "missing.json", "does not exist");
    }

    [Fact]
    public void CorruptResultsAreBadInputAndLeaveNoReport()
    {
        File.WriteAllText(Path.Combine(work, "results.json"), "{not json");
        BadInput(Dtc("analyze", "results.json"), "results.json", "invalid");
        BadInput(Dtc("report", "results.json", "--out", "report.html"), "invalid");
        Assert.Equal(new[] { "results.json" }, Directory.GetFiles(work).Select(Path.GetFileName));
    }

    [Fact]
    public void ShortRunWritesFinishedOutputsThatReportAndAnalyzeRead()
    {
        // Two methods from 24 hidden units to at most 20 (two cycles), two mini-batches per cycle.
        var run = Dtc("replicate", "--methods", "magnitude,dtc", "--hidden", "24", "--stop", "20", "--batches-per-cycle", "2", "--out", "run");
        Assert.True(run.Code == 0, $"Expecting success but received exit code {run.Code}:\n{run.Output}");
        var folder = Path.Combine(work, "run");
        var files = Directory.GetFiles(folder).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(new[] { "analysis.json", "report.html", "results.csv", "results.json" }, files);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json"))))
        {
            var methods = json.RootElement.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("method").GetString()).ToArray();
            Assert.Equal(new[] { "magnitude", "dtc" }, methods);
            foreach (var m in json.RootElement.GetProperty("methods").EnumerateArray())
            {
                var widths = m.GetProperty("cycles").EnumerateArray().Select(c => c.GetProperty("widths")[0].GetInt32()).ToArray();
                Assert.Equal(new[] { 21, 18 }, widths); // ceil(0.9·23) = 21, then ceil(0.9·20) = 18 ≤ 20
            }
        }
        // The report and the analysis read the results back.
        var report = Dtc("report", Path.Combine("run", "results.json"), "--out", "again.html");
        Assert.True(report.Code == 0, report.Output);
        Assert.Contains("<html", File.ReadAllText(Path.Combine(work, "again.html")));
        var analysis = Dtc("analyze", Path.Combine("run", "results.json"), "--out", "analysis");
        Assert.True(analysis.Code == 0, analysis.Output);
        Assert.True(File.Exists(Path.Combine(work, "analysis", "analysis.json")));
        // No temporary files anywhere.
        Assert.Empty(Directory.GetFiles(work, "*.tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ReportIntoAFolderIsBadInput()
    {
        Directory.CreateDirectory(Path.Combine(work, "out"));
        File.WriteAllText(Path.Combine(work, "results.json"), "{}");
        BadInput(Dtc("report", "results.json", "--out", "out"), "is a folder");
    }
}
