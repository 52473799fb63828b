using F = Dtc.Models.Footprint;

namespace Dtc.CSharp.Models;

/// <summary>The median time of one forward pass at a batch size (mirrors <c>Dtc.Models.Timing.Latency</c>).</summary>
/// <param name="Batch">Samples per forward.</param>
/// <param name="MedianSeconds">The median seconds per forward.</param>
/// <param name="Repetitions">Timed samples the median is of.</param>
/// <param name="Threads">TorchSharp intra-op threads during the timing.</param>
/// <namespacedoc><summary>A compressed network's export (TorchSharp, safetensors, PyTorch, ONNX) and its footprint.</summary></namespacedoc>
public sealed record Latency(int Batch, double MedianSeconds, int Repetitions, int Threads)
{
    internal static Latency Of(Dtc.Models.Timing.Latency l) => new(l.Batch, l.MedianSeconds, l.Repetitions, l.Threads);
    internal Dtc.Models.Timing.Latency ToCore() => new(Batch, MedianSeconds, Repetitions, Threads);
}

/// <summary>One network's footprint (mirrors <c>Dtc.Models.Footprint.Side</c>).</summary>
/// <param name="Parameters">Parameter elements.</param>
/// <param name="MultiplyAccumulates">Multiply–accumulates of Linear and Conv2d layers per sample; null without an architecture.</param>
/// <param name="Flops">Floating-point operations per sample (2 per multiply–accumulate, plus bias adds, activations,
/// normalisation and pooling); null without an architecture.</param>
/// <param name="Latency">One latency per batch size timed.</param>
public sealed record FootprintSide(long Parameters, long? MultiplyAccumulates, long? Flops, IReadOnlyList<Latency> Latency)
{
    internal static FootprintSide Of(F.Side s) => new(
        s.Parameters, s.MultiplyAccumulates?.Value, s.Flops?.Value, (s.Latency ?? []).Select(Models.Latency.Of).ToArray());

    internal F.Side ToCore() => new(
        Parameters,
        MultiplyAccumulates is { } m ? Microsoft.FSharp.Core.FSharpOption<long>.Some(m) : null,
        Flops is { } f ? Microsoft.FSharp.Core.FSharpOption<long>.Some(f) : null,
        Latency.Select(l => l.ToCore()).ToArray());
}

/// <summary>What a method's compression bought: its final network against the dense one (mirrors <c>Dtc.Models.Footprint.Comparison</c>).</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Dense">The dense network.</param>
/// <param name="Compressed">The method's final network.</param>
public sealed record Footprint(string Method, FootprintSide Dense, FootprintSide Compressed)
{
    /// <summary>The fraction of the dense network's parameters removed, 1 − compressed / dense.</summary>
    public double ParametersRemoved => F.parametersRemoved(ToCore());

    /// <summary>The dense median latency over the compressed one at a batch size both were timed at (above 1: faster).</summary>
    /// <param name="batch">The batch size.</param>
    /// <returns>The speed-up.</returns>
    /// <exception cref="ArgumentException">A batch size not timed.</exception>
    public double Speedup(int batch) => F.speedup(batch, ToCore());

    internal static Footprint Of(F.Comparison c) => new(c.Method, FootprintSide.Of(c.Dense), FootprintSide.Of(c.Compressed));
    internal F.Comparison ToCore() => new(Method, Dense.ToCore(), Compressed.ToCore());
}
