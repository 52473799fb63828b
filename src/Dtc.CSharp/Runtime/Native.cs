namespace Dtc.CSharp.Runtime;

/// <summary>Native-library set-up of TorchSharp (mirrors <c>Dtc.Runtime.Native</c>).</summary>
public static class Native
{
    /// <summary>
    /// Makes TorchSharp's native wrapper loadable on this system (patching a cached copy on systems whose
    /// libstdc++ is too old), once per process. Call it before the first use of <c>torch</c>; every facade
    /// member that creates tensors calls it for you.
    /// </summary>
    /// <returns>A one-line description of what was found and done.</returns>
    public static string Ensure() => Dtc.Runtime.Native.ensure() switch
    {
        Dtc.Runtime.Native.Outcome.Patched p => $"patched copy loaded from {p.path} (weakened: {string.Join(", ", p.weakened)})",
        Dtc.Runtime.Native.Outcome.NotNeeded n => $"not needed: {n.reason}",
        Dtc.Runtime.Native.Outcome.Unsupported u => $"unsupported: {u.reason}",
        _ => "opted out (DTC_NATIVE_PATCH=0)",
    };
}
