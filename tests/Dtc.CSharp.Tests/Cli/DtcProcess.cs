using System.Diagnostics;
using Xunit;

namespace Dtc.CSharp.Tests.Cli;

/// <summary>Runs the built <c>dtc</c> command in a process of its own, as a user does.</summary>
internal static class DtcProcess
{
    /// <summary>The repository's root (this assembly lives in tests/Dtc.CSharp.Tests/bin/&lt;configuration&gt;/&lt;framework&gt;/).</summary>
    public static DirectoryInfo Repository()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return framework.Parent!.Parent!.Parent!.Parent!.Parent!;
    }

    /// <summary>dtc.dll of the same configuration as this test assembly (the project reference builds it first).</summary>
    public static string Dll()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var dll = Path.Combine(Repository().FullName, "src", "Dtc.Cli", "bin", configuration.Name, framework.Name, "dtc.dll");
        Assert.True(File.Exists(dll), $"Expecting the dtc command at {dll} (build the solution first)");
        return dll;
    }

    /// <summary>Runs <c>dtc args</c> in <paramref name="workingDirectory"/>; returns the exit code and stdout + stderr.</summary>
    public static (int Code, string Output) Run(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Dll());
        foreach (var a in args) start.ArgumentList.Add(a);
        // A wide console, so that messages are not wrapped in the middle of the values the tests look for.
        start.Environment["COLUMNS"] = "500";
        if (environment is not null)
            foreach (var (k, v) in environment) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"dtc {string.Join(' ', args)} did not finish in {limit.TotalSeconds:0} s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Whether the output shows a .NET or native stack trace.</summary>
    public static bool HasStackTrace(string output) =>
        output.Split('\n').Any(l => l.TrimStart().StartsWith("at ") && (l.Contains(" in ") || l.Contains('(') && l.Contains(')') && l.Contains('.')))
        || output.Contains("Exception: ") && output.Contains("--- End of")
        || output.Contains("Exception raised from ");
}
