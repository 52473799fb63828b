using TorchSharp;

namespace Dtc.CSharp.Sensing;

/// <summary>Which sparsifying basis Ψ (mirrors <c>Dtc.Sensing.Basis.Kind</c>).</summary>
/// <namespacedoc><summary>Compressed sensing: bases, Gaussian measurements and the batched LASSO solver.</summary></namespacedoc>
public enum BasisKind
{
    /// <summary>Orthonormal DCT type I (the paper's Ψ); symmetric and its own inverse.</summary>
    DctI,
    /// <summary>Orthonormal DCT type II (the "JPEG" DCT).</summary>
    DctII,
    /// <summary>The identity: sparsity sought in the profile itself.</summary>
    Identity,
}

/// <summary>Sparsifying bases Ψ (mirrors <c>Dtc.Sensing.Basis</c>): <c>Matrix(kind, m)</c> equals SciPy's
/// <c>dct(np.eye(m), type=k, norm="ortho", axis=0)</c>.</summary>
public static class Basis
{
    /// <summary>Parses a basis name: <c>dct1</c>, <c>dct2</c> or <c>identity</c> (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The basis kind.</returns>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static BasisKind Parse(string name) => Of(Dtc.Sensing.Basis.parse(name));

    /// <summary>The basis matrix as a rectangular array (rows first), computed in double precision.</summary>
    /// <param name="kind">Which basis.</param>
    /// <param name="m">The size, at least 1.</param>
    /// <returns>The m×m orthonormal matrix.</returns>
    public static double[,] Values(BasisKind kind, int m) => Dtc.Sensing.Basis.values(ToCore(kind), m);

    /// <summary>The basis matrix Ψ as a tensor.</summary>
    /// <param name="kind">Which basis.</param>
    /// <param name="m">The size, at least 1.</param>
    /// <param name="dtype">Element type. Default <c>float64</c>.</param>
    /// <param name="device">Device. Default the CPU.</param>
    /// <returns>A new m×m tensor; the caller disposes it.</returns>
    public static torch.Tensor Matrix(BasisKind kind, int m, torch.ScalarType dtype = torch.ScalarType.Float64, torch.Device? device = null) =>
        Dtc.Sensing.Basis.matrix(ToCore(kind), dtype, device ?? Dtc.Runtime.Torch.cpu(), m);

    /// <summary>Synthesis x = Ψs of every row (rows times Ψᵀ) without forming Ψ: by FFT for the DCTs.</summary>
    /// <param name="kind">Which basis.</param>
    /// <param name="codes">A vector of length m or a b×m batch, float32 or float64, on any device.</param>
    /// <returns>A new tensor of the same shape, dtype and device; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">Not a floating-point vector or matrix.</exception>
    public static torch.Tensor Synthesise(BasisKind kind, torch.Tensor codes) => Dtc.Sensing.Basis.synthesise(ToCore(kind), codes);

    /// <summary>Analysis Ψᵀx of every row (rows times Ψ; Θ = ΦΨ is the analysis of Φ's rows) without forming Ψ: by FFT for the DCTs.</summary>
    /// <param name="kind">Which basis.</param>
    /// <param name="rows">A vector of length m or a b×m batch, float32 or float64, on any device.</param>
    /// <returns>A new tensor of the same shape, dtype and device; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">Not a floating-point vector or matrix.</exception>
    public static torch.Tensor Analyse(BasisKind kind, torch.Tensor rows) => Dtc.Sensing.Basis.analyse(ToCore(kind), rows);

    internal static Dtc.Sensing.Basis.Kind ToCore(BasisKind kind) => kind switch
    {
        BasisKind.DctI => Dtc.Sensing.Basis.Kind.DctI,
        BasisKind.DctII => Dtc.Sensing.Basis.Kind.DctII,
        BasisKind.Identity => Dtc.Sensing.Basis.Kind.Identity,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expecting DctI, DctII or Identity"),
    };

    internal static BasisKind Of(Dtc.Sensing.Basis.Kind kind) =>
        kind.IsDctI ? BasisKind.DctI : kind.IsDctII ? BasisKind.DctII : BasisKind.Identity;
}
