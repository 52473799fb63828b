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
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {Innermost(e).Message}");
            return BadInput;
        }
        catch (Exception e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]failed:[/] {e.Message}");
            Console.Error.WriteLine(e);
            return Failure;
        }
    }

    static Exception Innermost(Exception e) => e.InnerException is { } inner && e is System.Reflection.TargetInvocationException ? Innermost(inner) : e;

    static bool IsBadInput(Exception e) => Innermost(e) is ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException;
}
