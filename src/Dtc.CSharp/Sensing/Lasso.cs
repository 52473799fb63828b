using TorchSharp;

namespace Dtc.CSharp.Sensing;

/// <summary>LASSO solver settings (mirrors <c>Dtc.Sensing.Lasso.Options</c>); the defaults are the library's.</summary>
public sealed record LassoOptions
{
    /// <summary>The l1 weight λ in ‖As − y‖² + λ‖s‖₁. Default 0.3 (the paper).</summary>
    public double Lambda { get; init; } = 0.3;
    /// <summary>Stop when the duality gap divided by the objective is at most this. Default 1e-6.</summary>
    public double RelativeGap { get; init; } = 1e-6;
    /// <summary>Iteration cap. Default 100000.</summary>
    public int MaxIterations { get; init; } = 100_000;
    /// <summary>Steps of the primal active-set phase that runs before FISTA (0 skips it). Default 20000.</summary>
    public int ActiveSetSteps { get; init; } = 20_000;
    /// <summary>FISTA iterations between two convergence checks. Default 10.</summary>
    public int CheckEvery { get; init; } = 10;
    /// <summary>Active-set polishing steps per check (0 turns polishing off). Default 4.</summary>
    public int PolishSteps { get; init; } = 4;
    /// <summary>Iterate in float64 even for float32 problems. Default true.</summary>
    public bool ComputeInFloat64 { get; init; } = true;

    internal Dtc.Sensing.Lasso.Options ToCore() =>
        new(Lambda, RelativeGap, MaxIterations, ActiveSetSteps, CheckEvery, PolishSteps, ComputeInFloat64);
}

/// <summary>Solver diagnostics of one problem (mirrors <c>Dtc.Sensing.Lasso.Diagnostics</c>).</summary>
/// <param name="Objective">Objective ‖As − y‖² + λ‖s‖₁ at the solution.</param>
/// <param name="RelativeGap">Relative duality gap (the optimality certificate).</param>
/// <param name="Iterations">Iterations used.</param>
/// <param name="Converged">Whether the gap reached the tolerance.</param>
public sealed record SolverDiagnostics(double Objective, double RelativeGap, int Iterations, bool Converged)
{
    internal static SolverDiagnostics Of(Dtc.Sensing.Lasso.Diagnostics d) => new(d.Objective, d.RelativeGap, d.Iterations, d.Converged);
}

/// <summary>Solutions of LASSO problems (mirrors <c>Dtc.Sensing.Lasso.Solution</c>). Dispose it to release the coefficients.</summary>
public sealed class LassoSolution : IDisposable
{
    internal LassoSolution(torch.Tensor coefficients, IReadOnlyList<SolverDiagnostics> diagnostics)
    {
        Coefficients = coefficients;
        Diagnostics = diagnostics;
    }

    /// <summary>The codes: b×m for a batch, length m for one problem; on the problems' device and dtype.</summary>
    public torch.Tensor Coefficients { get; }
    /// <summary>One entry per problem.</summary>
    public IReadOnlyList<SolverDiagnostics> Diagnostics { get; }

    /// <summary>Releases <see cref="Coefficients"/>.</summary>
    public void Dispose() => Coefficients.Dispose();
}

/// <summary>The LASSO min ‖As − y‖² + λ‖s‖₁, batched on the tensors' device, certified by the duality gap (mirrors <c>Dtc.Sensing.Lasso</c>).</summary>
public static class Lasso
{
    /// <summary>Solves a batch of problems.</summary>
    /// <param name="a">The design matrices, b×n×m.</param>
    /// <param name="y">The targets, b×n.</param>
    /// <param name="options">Solver settings; null for <see cref="LassoOptions"/>' defaults (λ = 0.3).</param>
    /// <returns>The b×m coefficients and one diagnostics entry per problem.</returns>
    public static LassoSolution Solve(torch.Tensor a, torch.Tensor y, LassoOptions? options = null) =>
        Batch(Dtc.Sensing.Lasso.solve, a, y, options);

    /// <summary>Solves a batch on the tensors' device only, without the host path <see cref="Solve"/> uses for
    /// small problems: the batched tensor path (the one for a GPU). Problems sharing one design matrix are
    /// iterated with matrix products over the batch; on the CPU the batch is solved in one chunk per intra-op
    /// thread.</summary>
    /// <param name="a">The design matrices, b×n×m.</param>
    /// <param name="y">The targets, b×n.</param>
    /// <param name="options">Solver settings; null for <see cref="LassoOptions"/>' defaults (λ = 0.3).</param>
    /// <returns>The b×m coefficients and one diagnostics entry per problem.</returns>
    public static LassoSolution SolveOnDevice(torch.Tensor a, torch.Tensor y, LassoOptions? options = null) =>
        Batch(Dtc.Sensing.Lasso.solveOnDevice, a, y, options);

    /// <summary>A batch solved by one of the core's batch solvers, with the facade's checks and result type.</summary>
    static LassoSolution Batch(Func<Dtc.Sensing.Lasso.Options, torch.Tensor, torch.Tensor, Dtc.Sensing.Lasso.Solution> solver,
                               torch.Tensor a, torch.Tensor y, LassoOptions? options)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(y);
        Dtc.Runtime.Torch.init();
        var s = solver((options ?? new LassoOptions()).ToCore(), a, y);
        return new LassoSolution(s.Coefficients, s.Diagnostics.Select(SolverDiagnostics.Of).ToArray());
    }

    /// <summary>Solves one problem.</summary>
    /// <param name="a">The design matrix, n×m.</param>
    /// <param name="y">The target, length n.</param>
    /// <param name="options">Solver settings; null for the defaults (λ = 0.3).</param>
    /// <returns>The length-m coefficients and one diagnostics entry.</returns>
    public static LassoSolution SolveOne(torch.Tensor a, torch.Tensor y, LassoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(y);
        var s = Dtc.Sensing.Lasso.solveOne((options ?? new LassoOptions()).ToCore(), a, y);
        return new LassoSolution(s.Item1, [SolverDiagnostics.Of(s.Item2)]);
    }

    /// <summary>The objective ‖As − y‖² + λ‖s‖₁ of each problem of a batch, in double precision.</summary>
    /// <param name="lambda">λ.</param>
    /// <param name="a">The design matrices, b×n×m.</param>
    /// <param name="y">The targets, b×n.</param>
    /// <param name="s">The coefficients, b×m.</param>
    /// <returns>One objective per problem.</returns>
    public static double[] Objective(double lambda, torch.Tensor a, torch.Tensor y, torch.Tensor s) =>
        Dtc.Sensing.Lasso.objective(lambda, a, y, s);

    /// <summary>The relative duality gap of each problem of a batch (the optimality certificate).</summary>
    /// <param name="lambda">λ.</param>
    /// <param name="a">The design matrices, b×n×m.</param>
    /// <param name="y">The targets, b×n.</param>
    /// <param name="s">The coefficients, b×m.</param>
    /// <returns>One relative gap per problem.</returns>
    public static double[] RelativeGap(double lambda, torch.Tensor a, torch.Tensor y, torch.Tensor s) =>
        Dtc.Sensing.Lasso.relativeGap(lambda, a, y, s);
}
