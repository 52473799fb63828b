using System.Text.Json;
using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary>The corpus of bad inputs (<c>tests/corpus</c>): each case runs <c>dtc</c> in a fresh folder, in a
/// process of its own, and must end with the documented exit code, a message naming the value or file, no
/// stack trace and no output left behind. See tests/corpus/README.md for the case format.</summary>
public sealed class BadInputCorpusTests
{
    static string CorpusRoot => Path.Combine(DtcProcess.Repository().FullName, "tests", "corpus");

    /// <summary>The case names (file names under tests/corpus/cases without .json).</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(CorpusRoot, "cases"), "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    sealed record Case(
        string[] Command, int Exit, string[] Mentions, string? Why,
        Dictionary<string, string>? Files, Dictionary<string, string>? Texts, string[]? Folders,
        string[]? Absent, string[]? Unmentioned, Dictionary<string, string>? Environment, double? TimeoutSeconds);

    static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CaseEndsAsDocumented(string name)
    {
        var c = JsonSerializer.Deserialize<Case>(File.ReadAllText(Path.Combine(CorpusRoot, "cases", name + ".json")), Options)!;
        var work = Directory.CreateTempSubdirectory("dtc-corpus-").FullName;
        try
        {
            foreach (var folder in c.Folders ?? []) Directory.CreateDirectory(Path.Combine(work, folder));
            foreach (var (target, source) in c.Files ?? [])
            {
                var path = Path.Combine(work, target);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Copy(Path.Combine(CorpusRoot, "files", source), path);
            }
            foreach (var (target, text) in c.Texts ?? [])
            {
                var path = Path.Combine(work, target);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
            var args = c.Command.Select(a => a.Replace("{work}", work).Replace("{corpus}", CorpusRoot)).ToArray();
            var env = c.Environment?.ToDictionary(kv => kv.Key, kv => kv.Value.Replace("{work}", work));
            var run = DtcProcess.Run(work, args, env, c.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
            var label = $"{name}: dtc {string.Join(' ', c.Command)}";
            Assert.True(run.Code == c.Exit, $"{label}: expecting exit code {c.Exit} but received {run.Code}:\n{run.Output}");
            foreach (var m in c.Mentions)
                Assert.True(run.Output.Contains(m.Replace("{work}", work), StringComparison.Ordinal), $"{label}: expecting the output to mention \"{m}\" but it does not:\n{run.Output}");
            foreach (var m in c.Unmentioned ?? [])
                Assert.False(run.Output.Contains(m, StringComparison.Ordinal), $"{label}: expecting the output not to mention \"{m}\" but it does:\n{run.Output}");
            Assert.False(DtcProcess.HasStackTrace(run.Output), $"{label}: expecting no stack trace but received:\n{run.Output}");
            foreach (var a in c.Absent ?? [])
                Assert.False(File.Exists(Path.Combine(work, a)) || Directory.Exists(Path.Combine(work, a)), $"{label}: expecting {a} not to exist afterwards");
            Assert.Empty(Directory.GetFiles(work, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
