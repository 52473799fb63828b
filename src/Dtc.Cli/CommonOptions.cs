using System.CommandLine;
using Dtc.CSharp.Runtime;
using Spectre.Console;

namespace Dtc.Cli;

/// <summary>Options every computing command shares: the reproducibility mode and the native-loading notice.</summary>
internal static class CommonOptions
{
    public static Option<string?> Reproducible() => new("--reproducible")
    {
        Description = "What is the same to the bit: machine (default: every run on this machine), portable (every x86-64 machine with AVX2; matrix products about twice as slow) or fastest (nothing promised). Default: $DTC_REPRODUCIBLE, else machine.",
    };

    public static Option<bool> Verbose() => new("--verbose") { Description = "Also print how TorchSharp's native libraries were loaded and the reproducibility settings in force." };

    /// <summary>Chooses the reproducibility mode, then loads the native libraries; says how only with --verbose, or
    /// once, when the patched copy of TorchSharp's wrapper is first written on this system.</summary>
    public static void SetUpNative(string? mode, bool verbose)
    {
        if (mode is not null)
        {
            ReproducibilityMode parsed;
            try { parsed = Reproducibility.Parse(mode); }
            catch (ArgumentException) { throw new ArgumentException($"Expecting --reproducible machine, portable or fastest but received \"{mode}\""); }
            Reproducibility.Configure(parsed);
        }
        var loading = Native.Load();
        if (verbose || loading.WrotePatchedCopy)
            AnsiConsole.MarkupLineInterpolated($"[grey]native loading: {loading.Description}[/]");
        if (verbose)
        {
            var r = Reproducibility.Current();
            AnsiConsole.MarkupLineInterpolated($"[grey]reproducibility: {r.Mode} (MKL {r.Mkl}, ATen kernels {r.CpuCapability}, {r.CpuModel}, {r.CpuIsa}){(r.Note.Length > 0 ? ": " + r.Note : "")}[/]");
        }
    }
}
