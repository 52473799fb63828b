using Dtc.CSharp.Analysis;
using Dtc.CSharp.Report;
using Dtc.CSharp.Tests.Training;
using Xunit;

namespace Dtc.CSharp.Tests.Report;

public class ReportsTests(RunFixture run) : IClassFixture<RunFixture>
{
    [Fact]
    public void FilesAreWrittenAndReadBack()
    {
        var dir = Directory.CreateTempSubdirectory("dtc-csharp-").FullName;
        try
        {
            var analysis = Reports.WriteAll(run.Results, Path.Combine(dir, "all"));
            foreach (var f in new[] { "results.json", "results.csv", "analysis.json", "report.html" })
                Assert.True(File.Exists(Path.Combine(dir, "all", f)), f);
            Assert.Equal(run.Results.ToJson(), Reports.ReadResults(Path.Combine(dir, "all", "results.json")).ToJson());
            Assert.Equal(analysis.ToJson(), Reports.ReadAnalysis(Path.Combine(dir, "all", "analysis.json")).ToJson());
            var (read, format) = Reports.ReadResults(Path.Combine(dir, "all", "results.json"), ResultsFormat.Auto);
            Assert.Equal(ResultsFormat.Dtc, format);
            Assert.Equal(run.Results.ToJson(), read.ToJson());
            Assert.Throws<InvalidDataException>(() => Reports.ReadResults(Path.Combine(dir, "all", "results.json"), ResultsFormat.Supplement));

            var given = Gibbs.Analyze(run.Results, paperAccuracy: true);
            Assert.Same(given, Reports.WriteAll(run.Results, Path.Combine(dir, "given"), given));

            Reports.WriteResultsJson(run.Results, Path.Combine(dir, "one", "r.json"));
            Reports.WriteResultsCsv(run.Results, Path.Combine(dir, "one", "r.csv"));
            Reports.WriteAnalysisJson(analysis, Path.Combine(dir, "one", "a.json"));
            Reports.WriteHtml(run.Results, analysis, Path.Combine(dir, "one", "r.html"));
            Assert.Equal(run.Results.ToCsv(), File.ReadAllText(Path.Combine(dir, "one", "r.csv")));
            Assert.Equal(analysis.ToJson(), File.ReadAllText(Path.Combine(dir, "one", "a.json")));
            var html = File.ReadAllText(Path.Combine(dir, "one", "r.html"));
            Assert.Contains("<html", html);
            Assert.DoesNotContain("<script src=\"http", html);
            // Verdict first (what was run, the accuracy table, the correlations, the conclusion), settings last, collapsed.
            var body = html[html.IndexOf("<body>", StringComparison.Ordinal)..];
            int At(string what)
            {
                var i = body.IndexOf(what, StringComparison.Ordinal);
                Assert.True(i >= 0, $"the page holds {what}");
                return i;
            }
            string[] order = ["<section id=\"verdict\">", "<table class=\"accuracy\">", "<p class=\"verdict\"><b>Conclusion.</b>",
                              "<h2 id=\"figures\">", "<details id=\"settings\">", "<table class=\"metadata\">", "</details>"];
            var positions = order.Select(At).ToArray();
            Assert.Equal(positions.Order(), positions);
            Assert.DoesNotContain("<figure", body[At("<details id=\"settings\">")..]);
            Assert.DoesNotContain("≈98.2 %", html);
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "one"), "*.tmp"));
            Assert.Throws<FileNotFoundException>(() => Reports.ReadResults(Path.Combine(dir, "missing.json")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
