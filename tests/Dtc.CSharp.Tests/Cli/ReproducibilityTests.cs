using Dtc.CSharp.Training;
using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary>Bit-reproducible runs of <c>dtc replicate</c>, each in a process of its own (the reproducibility mode is
/// chosen once per process): the committed golden digest in the portable mode, and two runs in the default mode.</summary>
public sealed class ReproducibilityTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("dtc-repro-tests-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    /// <summary>The short fixed run: mnist-sample, a 784-64-10 MLP, 20 mini-batches per cycle, the three methods, two
    /// threads (in the default mode the thread count is part of what the numbers depend on; it is recorded in results.json).</summary>
    static readonly string[] ShortRun = ["replicate", "--hidden", "64", "--batches-per-cycle", "20"];

    /// <summary>
    /// The digest of the numbers of the short run in the portable mode, the same on every x86-64 machine with AVX2.
    /// A change that moves the numbers changes it: that is a deliberate act, reviewed and explained in its commit.
    /// To regenerate it, build (Release) and run
    /// <c>dotnet src/Dtc.Cli/bin/Release/net10.0/dtc.dll replicate --hidden 64 --batches-per-cycle 20 --reproducible portable --out /tmp/golden</c>,
    /// then copy the digest it prints (also <c>metadata.digest</c> in /tmp/golden/results.json) here.
    /// </summary>
    const string GoldenDigest = "1ae656729129392fabca6414d1c272e9d2775bd030780cb990cab728a4036fd5";

    (RunResults Results, string Output) Replicate(string folder, int threads, params string[] extra)
    {
        var run = DtcProcess.Run(work, [.. ShortRun, "--threads", threads.ToString(), "--out", folder, .. extra]);
        Assert.True(run.Code == 0, $"Expecting the short run to succeed but received exit code {run.Code}:\n{run.Output}");
        return (RunResults.FromJson(File.ReadAllText(Path.Combine(work, folder, "results.json"))), run.Output);
    }

    [Fact]
    public void PortableShortRunMatchesTheGoldenDigest()
    {
        var (results, _) = Replicate("golden", 2, "--reproducible", "portable");
        var p = results.Metadata!.Provenance!;
        Assert.Equal("portable", p.Reproducibility);
        Assert.Equal("COMPATIBLE,STRICT", p.Mkl);
        Assert.Equal("", p.Note);
        Assert.Equal(1, results.Metadata.Threads); // the portable mode computes on one intra-op thread, whatever --threads says
        // The digest is recomputed from the numbers in the file, not taken from its metadata.
        Assert.Equal(results.Metadata.Digest, results.ComputeDigest());
        Assert.True(results.ComputeDigest() == GoldenDigest,
            $"Expecting the golden digest {GoldenDigest} but the short portable run gave {results.ComputeDigest()} on {p.CpuModel} ({p.CpuIsa}, ATen {p.CpuCapability}): " +
            "if the change meant to move the numbers, regenerate the digest as the constant's comment says and explain why in the commit");
        // The thread count does not change the portable numbers (machines differ in their cores).
        var (three, _) = Replicate("three-threads", 3, "--reproducible", "portable");
        Assert.Equal(GoldenDigest, three.ComputeDigest());
    }

    [Fact]
    public void TwoRunsInTheDefaultModeGiveTheSameNumbersAndRecordWhatTheyDependOn()
    {
        var (first, output) = Replicate("first", 2);
        var (second, _) = Replicate("second", 2);
        Assert.Equal(first.ComputeDigest(), second.ComputeDigest());
        // Every number but the timings, field by field (the digest covers them; this names the first difference).
        for (var m = 0; m < first.Methods.Count; m++)
            for (var c = 0; c < first.Methods[m].Cycles.Count; c++)
            {
                var a = first.Methods[m].Cycles[c];
                var b = second.Methods[m].Cycles[c];
                Assert.True(a.TestAccuracy.Equals(b.TestAccuracy) && a.TrainLoss.Equals(b.TrainLoss)
                            && a.Layers.Zip(b.Layers).All(l => l.First.Ray.SequenceEqual(l.Second.Ray) && l.First.Y2.SequenceEqual(l.Second.Y2)),
                    $"Expecting {first.Methods[m].Method} cycle {a.Cycle} to be the same in both runs");
            }
        var p = first.Metadata!.Provenance!;
        Assert.Equal("machine", p.Reproducibility);
        Assert.Equal("AUTO,STRICT", p.Mkl);
        Assert.Matches("^[0-9a-f]{40}$", p.DtcCommit);
        Assert.StartsWith("2.", p.LibTorchVersion);
        Assert.NotEqual("unknown", p.CpuCapability);
        Assert.Equal(1, p.ThreadsPerMethod); // two threads shared by three methods
        Assert.Contains(first.Metadata.Digest!, output.Replace("\n", "")); // printed for the user to compare
        // The native-loading notice is not printed by default (only with --verbose, or when the patched copy is first written).
        Assert.DoesNotContain("native loading", output);
    }

    [Fact]
    public void ModeIsBadInputWhenUnknown()
    {
        var run = DtcProcess.Run(work, ["replicate", "--reproducible", "sometimes", "--out", "run"]);
        Assert.True(run.Code == 2, run.Output);
        Assert.Contains("\"sometimes\"", run.Output);
        var env = DtcProcess.Run(work, ["replicate", "--out", "run"], new Dictionary<string, string> { ["DTC_REPRODUCIBLE"] = "always" });
        Assert.True(env.Code == 2, env.Output);
        Assert.Contains("DTC_REPRODUCIBLE", env.Output);
        Assert.Contains("\"always\"", env.Output);
        Assert.False(Directory.Exists(Path.Combine(work, "run")));
    }
}
