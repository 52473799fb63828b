using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary>Finds shared/paper-data/supplement-mnist.json (the paper's published results, kept outside the repository)
/// in a parent of the repository, as the Expecto tests do: CI has a copy of shared/ beside its clone.</summary>
internal static class PaperData
{
    public static string? File()
    {
        for (var d = DtcProcess.Repository(); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "paper-data", "supplement-mnist.json");
            if (System.IO.File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

/// <summary>A fact skipped, with the reason, when the paper's data are absent.</summary>
public sealed class PaperDataFactAttribute : FactAttribute
{
    public PaperDataFactAttribute()
    {
        if (PaperData.File() is null)
            Skip = "shared/paper-data/supplement-mnist.json was not found above the repository";
    }
}

/// <summary><c>dtc analyze</c> and <c>dtc report</c> on the paper's own published data (the supplement's format),
/// each run in a process of its own.</summary>
public sealed class AnalyzeSupplementTests
{
    static (int Code, string Output) Dtc(string work, params string[] args) => DtcProcess.Run(work, args);

    static void InTemp(Action<string> body)
    {
        var work = Directory.CreateTempSubdirectory("dtc-supplement-").FullName;
        try { body(work); }
        finally { Directory.Delete(work, recursive: true); }
    }

    [PaperDataFact]
    public void AnalyzeReproducesThePapersCorrelationsFromItsData()
    {
        InTemp(work =>
        {
            var paper = PaperData.File()!;
            foreach (var args in new[] { new[] { "analyze", paper, "--paper-accuracy" }, new[] { "analyze", paper }, new[] { "analyze", paper, "--format", "supplement" } })
            {
                var (code, output) = Dtc(work, args);
                var label = $"dtc {string.Join(' ', args)}";
                Assert.True(code == 0, $"{label}: expecting exit code 0 but received {code}:\n{output}");
                // The paper: r = 0.917 for the cs (dtc) curve and 0.941 for the random curve (y2 entropy, LOWESS-smoothed accuracy).
                Assert.Contains("| dtc | dtc | entropy(y2) | 0.917 ", output);
                Assert.Contains("| dtc | random | entropy(y2) | 0.941 ", output);
                Assert.Contains("| dtc | magnitude | entropy(y2) | 0.938 ", output);
                Assert.False(DtcProcess.HasStackTrace(output), $"{label}: no stack trace:\n{output}");
            }
        });
    }

    [PaperDataFact]
    public void ReportReadsTheSupplementAndFormatDtcRefusesIt()
    {
        InTemp(work =>
        {
            var paper = PaperData.File()!;
            var html = Path.Combine(work, "paper.html");
            var (code, output) = Dtc(work, "report", paper, "--out", html);
            Assert.True(code == 0, $"dtc report on the supplement: expecting exit code 0 but received {code}:\n{output}");
            Assert.True(File.Exists(html), "the report is written");
            var (forced, message) = Dtc(work, "analyze", paper, "--format", "dtc");
            Assert.True(forced == 2, $"--format dtc on the supplement: expecting exit code 2 but received {forced}:\n{message}");
            Assert.Contains("supplement-mnist.json", message);
            Assert.Contains("\"schema\"", message);
        });
    }
}
