using System.Diagnostics;
using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary>Data files a JSON corpus case cannot make: a named pipe given as an IDX file. Each runs <c>dtc</c>
/// in a process of its own.</summary>
public sealed class DataFilesTests
{
    [Fact]
    public void ANamedPipeAsADataFileIsRefusedNotWaitedOn()
    {
        var work = Directory.CreateTempSubdirectory("dtc-pipe-").FullName;
        try
        {
            var data = Directory.CreateDirectory(Path.Combine(work, "data")).FullName;
            var corpus = Path.Combine(DtcProcess.Repository().FullName, "tests", "corpus", "files");
            File.Copy(Path.Combine(corpus, "idx-labels-tiny"), Path.Combine(data, "train-labels-idx1-ubyte"));
            File.Copy(Path.Combine(corpus, "idx-images-tiny"), Path.Combine(data, "t10k-images-idx3-ubyte"));
            File.Copy(Path.Combine(corpus, "idx-labels-tiny"), Path.Combine(data, "t10k-labels-idx1-ubyte"));
            var pipe = Path.Combine(data, "train-images-idx3-ubyte");
            using (var mkfifo = Process.Start("mkfifo", [pipe])!) mkfifo.WaitForExit();
            var (code, output) = DtcProcess.Run(work, ["replicate", "--dataset", "folder", "--data", "data", "--out", "run"], timeout: TimeSpan.FromSeconds(90));
            Assert.True(code == 2, $"expecting exit code 2 but received {code}:\n{output}");
            Assert.Contains(pipe, output);
            Assert.Contains("not a regular file", output);
            Assert.False(DtcProcess.HasStackTrace(output), $"no stack trace:\n{output}");
            Assert.False(File.Exists(Path.Combine(work, "run", "results.json")), "no results");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void ANamedPipeAsAResultsFileIsRefusedNotWaitedOn()
    {
        var work = Directory.CreateTempSubdirectory("dtc-pipe-").FullName;
        try
        {
            var pipe = Path.Combine(work, "results.json");
            using (var mkfifo = Process.Start("mkfifo", [pipe])!) mkfifo.WaitForExit();
            var (code, output) = DtcProcess.Run(work, ["analyze", pipe], timeout: TimeSpan.FromSeconds(60));
            Assert.True(code == 2, $"expecting exit code 2 but received {code}:\n{output}");
            Assert.Contains(pipe, output);
            Assert.Contains("not a regular file", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
