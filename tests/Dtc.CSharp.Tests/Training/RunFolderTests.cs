using Dtc.CSharp.Training;
using Xunit;

namespace Dtc.CSharp.Tests.Training;

/// <summary>Every member of the RunFolder facade, called from C#.</summary>
public sealed class RunFolderTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("dtc-runfolder-cs-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void AFolderIsCheckedTakenSurveyedClearedAndReleased()
    {
        var run = Path.Combine(work, "run");
        Assert.Equal(run, RunFolder.Check(run, RunFolder.RequiredBytes(ProtocolOptions.Paper with { Hidden = [32] }, methods: 1)));
        Assert.False(Directory.Exists(run), "the check leaves nothing behind");
        Assert.Throws<ArgumentException>(() => RunFolder.Check(" "));

        Directory.CreateDirectory(Path.Combine(run, RunFolder.CheckpointsFolderName));
        File.WriteAllText(Path.Combine(run, "results.json"), "{}");
        File.WriteAllText(Path.Combine(run, RunFolder.CheckpointsFolderName, "dtc.ckpt.31337.tmp"), "partial");
        File.WriteAllText(Path.Combine(run, RunFolder.LockFileName), "999999\n");
        using (var held = RunFolder.Acquire(run))
        {
            Assert.Equal(run, held.Folder);
            Assert.False(held.Created);
            Assert.Equal(999999, held.StaleLockProcessId);
            Assert.Equal([Path.Combine(RunFolder.CheckpointsFolderName, "dtc.ckpt.31337.tmp")], held.RemovedTemporaries);
            Assert.Equal(["results.json"], held.Outputs);
            Assert.Equal(Environment.ProcessId, RunFolder.Holder(run));
            Assert.Throws<ArgumentException>(() => RunFolder.Acquire(run));
            Assert.Equal(["results.json"], RunFolder.ClearOutputs(held));
        }
        Assert.Null(RunFolder.Holder(run));
        Assert.True(RunFolder.IsTemporary("results.json.12.tmp"));
        Assert.True(RunFolder.IsDiskFull(new IOException("No space left on device", 28)));
    }
}
