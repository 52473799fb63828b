using Spectre.Console;

namespace Dtc.Cli;

/// <summary>Maps exceptions to the CLI's exit codes: 2 for bad input, 1 for failures.</summary>
internal static class CliErrors
{
    public const int BadInput = 2;
    public const int Failure = 1;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsBadInput(e))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {Line(Innermost(e))}");
            return BadInput;
        }
        catch (Exception e)
        {
            // One line, no stack trace (DTC_STACK_TRACE=1 shows it, for a bug report).
            AnsiConsole.MarkupLineInterpolated($"[red]failed:[/] {Line(Innermost(e))}");
            if (Environment.GetEnvironmentVariable("DTC_STACK_TRACE") == "1") Console.Error.WriteLine(e);
            return Failure;
        }
    }

    /// <summary>The message's first line, without .NET's " (Parameter 'name')" suffix, which names an internal parameter.</summary>
    static string Line(Exception e)
    {
        var message = e.Message;
        if (e is ArgumentException { ParamName: { Length: > 0 } name })
            message = message.Replace($" (Parameter '{name}')", "");
        return message.Split('\n')[0].TrimEnd();
    }

    static Exception Innermost(Exception e) => e.InnerException is { } inner && e is System.Reflection.TargetInvocationException ? Innermost(inner) : e;

    static bool IsBadInput(Exception e) => Innermost(e) is ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException;
}
