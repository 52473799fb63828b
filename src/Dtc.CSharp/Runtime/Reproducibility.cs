namespace Dtc.CSharp.Runtime;

/// <summary>What is the same to the bit from run to run (mirrors <c>Dtc.Runtime.Reproducibility.Mode</c>).</summary>
public enum ReproducibilityMode
{
    /// <summary>Every run on one machine, whatever the memory alignment and thread count of the matrix products (MKL's CNR <c>AUTO,STRICT</c>). The default.</summary>
    Machine,
    /// <summary>Every x86-64 machine with AVX2, Intel or AMD (MKL's CNR <c>COMPATIBLE,STRICT</c>, ATen's and oneDNN's kernels capped at AVX2); matrix products are slower (the docs' performance page gives the factor).</summary>
    Portable,
    /// <summary>Nothing is set: the libraries' fastest choices, which may differ from run to run.</summary>
    Fastest,
}

/// <summary>What a process's numbers depend on (mirrors <c>Dtc.Runtime.Reproducibility.State</c>).</summary>
/// <param name="Mode"><c>machine</c>, <c>portable</c> or <c>fastest</c>.</param>
/// <param name="Mkl">MKL's CNR setting as MKL reports it, e.g. <c>AUTO,STRICT</c>; <c>none</c> without MKL.</param>
/// <param name="CpuCapability">The instruction set of ATen's CPU kernels (<c>AVX2</c>, <c>AVX512</c>, <c>DEFAULT</c>) or <c>unknown</c>.</param>
/// <param name="CpuIsa">The processor's widest vector instruction set: <c>avx512</c>, <c>avx2</c>, <c>sse2</c> or the architecture.</param>
/// <param name="CpuModel">The processor's model name.</param>
/// <param name="Note">Empty, or why the mode's promise does not hold here.</param>
public sealed record ReproducibilityState(string Mode, string Mkl, string CpuCapability, string CpuIsa, string CpuModel, string Note);

/// <summary>The process's reproducibility mode (mirrors <c>Dtc.Runtime.Reproducibility</c>). The native libraries read
/// it once, before their first computation: choose it first in the process, or with the environment variable
/// <c>DTC_REPRODUCIBLE</c> (machine, portable or fastest); the default is <see cref="ReproducibilityMode.Machine"/>.</summary>
public static class Reproducibility
{
    /// <summary>Chooses the mode for this process; call it before any other Dtc or TorchSharp call that creates tensors.</summary>
    /// <param name="mode">The mode.</param>
    /// <exception cref="InvalidOperationException">The native libraries were already set up with another mode.</exception>
    public static void Configure(ReproducibilityMode mode) => Dtc.Runtime.Reproducibility.configure(ToCore(mode));

    /// <summary>Parses <c>machine</c>, <c>portable</c> or <c>fastest</c>.</summary>
    /// <param name="name">The name (case ignored).</param>
    /// <returns>The mode.</returns>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static ReproducibilityMode Parse(string name) => Dtc.Runtime.Reproducibility.parse(name) switch
    {
        var m when m.IsPortable => ReproducibilityMode.Portable,
        var m when m.IsFastest => ReproducibilityMode.Fastest,
        _ => ReproducibilityMode.Machine,
    };

    /// <summary>What is in force in this process (loads the native libraries first).</summary>
    /// <returns>The mode and what MKL, ATen and the processor report.</returns>
    public static ReproducibilityState Current()
    {
        var s = Dtc.Runtime.Torch.reproducibility();
        return new(s.Mode, s.Mkl, s.CpuCapability, s.CpuIsa, s.CpuModel, s.Note);
    }

    internal static Dtc.Runtime.Reproducibility.Mode ToCore(ReproducibilityMode mode) => mode switch
    {
        ReproducibilityMode.Machine => Dtc.Runtime.Reproducibility.Mode.Machine,
        ReproducibilityMode.Portable => Dtc.Runtime.Reproducibility.Mode.Portable,
        ReproducibilityMode.Fastest => Dtc.Runtime.Reproducibility.Mode.Fastest,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Expecting Machine, Portable or Fastest"),
    };
}
