using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary><c>dtc replicate --save-model</c> and <c>dtc export</c> as a user runs them: the saved networks, every
/// format from a run folder and from a checkpoint, and bad input named in one line.</summary>
public sealed class ExportCliTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("dtc-export-cli-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    (int Code, string Output) Dtc(params string[] args) => DtcProcess.Run(work, args);

    static string[] Names(string folder) => Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void SavedNetworksExportInEveryFormat()
    {
        // Two methods from 24 hidden units to at most 20 (two cycles), two mini-batches per cycle.
        var run = Dtc("replicate", "--methods", "magnitude,dtc", "--hidden", "24", "--stop", "20", "--batches-per-cycle", "2",
                      "--save-model", "--save-cycles", "1", "--out", "run");
        Assert.True(run.Code == 0, $"Expecting success but received exit code {run.Code}:\n{run.Output}");
        Assert.Contains("What the compression bought", run.Output);
        Assert.Equal(
            ["dtc-cycle1.architecture.json", "dtc-cycle1.dat", "dtc.architecture.json", "dtc.dat",
             "magnitude-cycle1.architecture.json", "magnitude-cycle1.dat", "magnitude.architecture.json", "magnitude.dat"],
            Names(Path.Combine(work, "run", "models")));
        Assert.Contains("\"footprints\"", File.ReadAllText(Path.Combine(work, "run", "results.json")));
        Assert.Contains("What the compression bought", File.ReadAllText(Path.Combine(work, "run", "report.html")));

        var export = Dtc("export", "run", "--format", "all", "--methods", "dtc");
        Assert.True(export.Code == 0, export.Output);
        Assert.Equal(["dtc.architecture.json", "dtc.dat", "dtc.onnx", "dtc.pt", "dtc.safetensors"], Names(Path.Combine(work, "run", "export")));

        var fromCheckpoint = Dtc("export", Path.Combine("run", "checkpoints", "magnitude.ckpt"), "--format", "onnx,safetensors", "--out", "ckpt");
        Assert.True(fromCheckpoint.Code == 0, fromCheckpoint.Output);
        Assert.Equal(["magnitude.architecture.json", "magnitude.onnx", "magnitude.safetensors"], Names(Path.Combine(work, "ckpt")));
        Assert.Empty(Directory.GetFiles(work, "*.tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void BadExportInputIsNamedInOneLine()
    {
        Directory.CreateDirectory(Path.Combine(work, "empty"));
        var cases = new[]
        {
            (Dtc("export", "empty"), "models/*.dat"),
            (Dtc("export", "nowhere"), "nowhere"),
            (Dtc("export", "empty", "--format", "tflite"), "\"tflite\""),
        };
        foreach (var (result, mention) in cases)
        {
            Assert.True(result.Code == 2, $"Expecting exit code 2 but received {result.Code}:\n{result.Output}");
            Assert.Contains(mention, result.Output);
            Assert.DoesNotContain("   at ", result.Output);
        }
    }
}
