/// Test problems shared by the LASSO's test files.
module Dtc.Tests.Sensing.Problems

open TorchSharp
open Dtc.Sensing

/// Three paper-like problems of length m: Θ = ΦΨ (the paper's Φ and DCT-I) and the measurements of
/// three profiles (sums of 50 Xavier-like weights, drawn from the seed); returns Θ, the targets and Θ
/// expanded over the three (as the compress step passes it), all owned by the caller.
let paperLike (m: int) (seed: uint64) =
    use _ = torch.NewDisposeScope()
    let n = Measurements.count Measurements.PaperDouble 0.9 m
    let psi = Basis.matrix Basis.DctI torch.float64 torch.CPU m
    let phi = Measurements.gaussian Measurements.NumPyLegacy 42424242L torch.float64 torch.CPU n m
    let theta = Measurements.theta phi psi
    use g = new torch.Generator(seed, torch.CPU)
    let w = torch.randn([| 3L; int64 m; 50L |], dtype = torch.float64, generator = g)
    let x = (w * sqrt (2.0 / float (m + 50))).sum(2L)
    let y = Measurements.measure phi x
    theta.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), theta.unsqueeze(0L).expand(3L, int64 n, int64 m).MoveToOuterDisposeScope()
