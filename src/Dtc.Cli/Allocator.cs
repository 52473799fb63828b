using System.Runtime.InteropServices;

namespace Dtc.Cli;

/// <summary>
/// The dtc process's C allocator policy: on Linux with glibc, at most two malloc arenas unless the
/// environment's <c>MALLOC_ARENA_MAX</c> says otherwise — what <c>build.fsx</c> sets for the commands it
/// runs, applied here so that the installed tool and direct <c>dotnet dtc.dll</c> runs behave the same.
/// </summary>
/// <remarks>
/// glibc gives threads their own arenas (up to eight per core) and keeps their freed memory, so TorchSharp's
/// and the solver's threads each hold tens to hundreds of MB: a whole <c>dtc bench</c> ended at 5.9 GiB
/// resident with glibc's defaults against 1.3 GiB with two arenas, with no effect on its timings beyond
/// noise (see the docs' performance page). <c>mallopt(M_ARENA_MAX, n)</c> bounds the arenas created after
/// the call; dtc makes it first thing, before TorchSharp or the thread pool start their threads. The value
/// is also put in the process's environment, so that <c>dtc bench</c> records it and child processes
/// inherit it. Other C libraries (musl) and other systems are left alone.
/// </remarks>
internal static class Allocator
{
    public const string Variable = "MALLOC_ARENA_MAX";
    public const int DefaultArenas = 2;
    const int MArenaMax = -8; // glibc's malloc.h

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);

    [DllImport("libc.so.6", EntryPoint = "gnu_get_libc_version")]
    static extern IntPtr GnuLibcVersion();

    /// <summary>Applies the default when the variable is not set; returns the arenas applied, or null when
    /// nothing was done (not Linux, not glibc, or the user chose).</summary>
    public static int? LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            return null;
        try
        {
            if (GnuLibcVersion() == IntPtr.Zero || Mallopt(MArenaMax, DefaultArenas) != 1) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        Environment.SetEnvironmentVariable(Variable, DefaultArenas.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return DefaultArenas;
    }
}
