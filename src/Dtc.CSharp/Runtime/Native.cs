namespace Dtc.CSharp.Runtime;

/// <summary>Native-library set-up of TorchSharp (mirrors <c>Dtc.Runtime.Native</c>).</summary>
/// <namespacedoc><summary>Process set-up: native loading, reproducibility modes, devices and atomic file writes.</summary></namespacedoc>
public static class Native
{
    /// <summary>
    /// Makes TorchSharp's native wrapper loadable on this system (patching a cached copy on systems whose
    /// libstdc++ is too old), once per process. Call it before the first use of <c>torch</c>; every facade
    /// member that creates tensors calls it for you.
    /// </summary>
    /// <returns>A one-line description of what was found and done.</returns>
    public static string Ensure() => Load().Description;

    /// <summary>Like <see cref="Ensure"/>, and says whether this process wrote the patched copy (its first use on this
    /// system), which a command line may want to mention once.</summary>
    /// <returns>What was found and done.</returns>
    public static NativeLoading Load() => Dtc.Runtime.Native.ensure() switch
    {
        Dtc.Runtime.Native.Outcome.Patched p => new($"patched copy loaded from {p.path} (weakened: {string.Join(", ", p.weakened)})", p.written),
        Dtc.Runtime.Native.Outcome.NotNeeded n => new($"not needed: {n.reason}", false),
        Dtc.Runtime.Native.Outcome.Unsupported u => new($"unsupported: {u.reason}", false),
        _ => new("opted out (DTC_NATIVE_PATCH=0)", false),
    };
}

/// <summary>What <see cref="Native.Load"/> found and did.</summary>
/// <param name="Description">One line: not needed (and why), the patched copy's path, opted out, or unsupported.</param>
/// <param name="WrotePatchedCopy">Whether this process wrote the patched copy into the per-user cache.</param>
public sealed record NativeLoading(string Description, bool WrotePatchedCopy);
