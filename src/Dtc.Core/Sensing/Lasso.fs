/// <summary>Batched LASSO solver (to be implemented).</summary>
module Dtc.Sensing.Lasso

open TorchSharp

/// <summary>Solver settings.</summary>
type Options =
    { /// <summary>The l1 weight \(\lambda\) in \(\|A s - y\|_2^2 + \lambda \|s\|_1\). Default 0.3 (the paper).</summary>
      Lambda: float
      /// <summary>Stop when the duality gap divided by the objective is at most this. Default 1e-6.</summary>
      RelativeGap: float
      /// <summary>Iteration cap. Default 100000.</summary>
      MaxIterations: int }

    /// <summary>The defaults: λ = 0.3, relative gap 1e-6, at most 100000 iterations.</summary>
    static member defaults = { Lambda = 0.3; RelativeGap = 1e-6; MaxIterations = 100_000 }

/// <summary>Per-problem convergence diagnostics.</summary>
type Diagnostics =
    { /// <summary>Objective \(\|A s - y\|_2^2 + \lambda \|s\|_1\) at the returned solution.</summary>
      Objective: float
      /// <summary>Relative duality gap at the returned solution (the optimality certificate).</summary>
      RelativeGap: float
      /// <summary>Iterations used.</summary>
      Iterations: int
      /// <summary>Whether the gap reached the tolerance.</summary>
      Converged: bool }

/// <summary>Solutions of a batch of problems.</summary>
type Solution =
    { /// <summary>The codes, shape b×m, on the problems' device and dtype. The caller owns it.</summary>
      Coefficients: torch.Tensor
      /// <summary>One entry per problem.</summary>
      Diagnostics: Diagnostics[] }

/// <summary>Solves a batch of LASSO problems (placeholder).</summary>
/// <param name="options">Solver settings.</param>
/// <param name="a">Design matrices, b×n×m.</param>
/// <param name="y">Targets, b×n.</param>
/// <returns>The solutions.</returns>
let solve (options: Options) (a: torch.Tensor) (y: torch.Tensor) : Solution =
    ignore (options, a, y)
    failwith "Lasso.solve is not implemented yet"
