/// <summary>
/// Unit profiles of a hidden layer: one number per hidden unit from its incoming weights (row k of
/// the previous layer, the paper's a1) and from its outgoing weights (column k of the next layer, a2).
/// </summary>
/// <namespacedoc><summary>Tomography of hidden layers: unit profiles and weight rays.</summary></namespacedoc>
module Dtc.Tomography.Profiles

open System
open TorchSharp

/// <summary>How a unit's weights are reduced to one number.</summary>
type Reduction =
    /// <summary>The plain sum (the paper).</summary>
    | Sum
    /// <summary>The l1 norm.</summary>
    | L1
    /// <summary>The l2 norm.</summary>
    | L2

/// <summary>Parses <c>sum</c>, <c>l1</c> or <c>l2</c> (case-insensitive).</summary>
/// <param name="name">The name.</param>
/// <returns>The reduction.</returns>
let parse (name: string) : Reduction =
    match (if isNull name then "" else name.Trim().ToLowerInvariant()) with
    | "sum" -> Sum
    | "l1" -> L1
    | "l2" -> L2
    | _ -> invalidArg (nameof name) (sprintf "Expecting a profile reduction sum, l1 or l2 but received \"%s\"" name)

let private reduce (reduction: Reduction) (dim: int64) (w: torch.Tensor) =
    match reduction with
    | Sum -> w.sum(dim)
    | L1 -> w.abs().sum(dim)
    | L2 -> w.square().sum(dim).sqrt()

/// <summary>Incoming profile: one value per unit from the rows of the previous layer's weight.</summary>
/// <param name="reduction">How to reduce a row (paper: <see cref="F:Dtc.Tomography.Profiles.Reduction.Sum"/>).</param>
/// <param name="incomingWeight">The previous layer's weight, units×inputs (TorchSharp's Linear layout).</param>
/// <returns>A new vector of length units, same dtype and device.</returns>
let incoming (reduction: Reduction) (incomingWeight: torch.Tensor) : torch.Tensor =
    Dtc.Runtime.Torch.requireRank (nameof incomingWeight) 2 incomingWeight
    use _ = torch.no_grad ()
    reduce reduction 1L incomingWeight

/// <summary>Outgoing profile: one value per unit from the columns of the next layer's weight.</summary>
/// <param name="reduction">How to reduce a column (paper: <see cref="F:Dtc.Tomography.Profiles.Reduction.Sum"/>).</param>
/// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
/// <returns>A new vector of length units, same dtype and device.</returns>
let outgoing (reduction: Reduction) (outgoingWeight: torch.Tensor) : torch.Tensor =
    Dtc.Runtime.Torch.requireRank (nameof outgoingWeight) 2 outgoingWeight
    use _ = torch.no_grad ()
    reduce reduction 0L outgoingWeight

/// <summary>Both profiles of the hidden units between two layers, stacked as a 2×units tensor
/// (row 0 incoming, row 1 outgoing), ready for a batched dual tomography.</summary>
/// <param name="reduction">How to reduce weights (paper: Sum).</param>
/// <param name="incomingWeight">The previous layer's weight, units×inputs.</param>
/// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
/// <returns>A new 2×units tensor.</returns>
let dual (reduction: Reduction) (incomingWeight: torch.Tensor) (outgoingWeight: torch.Tensor) : torch.Tensor =
    Dtc.Runtime.Torch.requireRank (nameof incomingWeight) 2 incomingWeight
    Dtc.Runtime.Torch.requireRank (nameof outgoingWeight) 2 outgoingWeight
    if incomingWeight.shape.[0] <> outgoingWeight.shape.[1] then
        invalidArg (nameof outgoingWeight)
            (sprintf "Expecting the next layer to take %d inputs (one per hidden unit) but received shape [%s]"
                 incomingWeight.shape.[0] (String.Join(", ", outgoingWeight.shape)))
    use scope = torch.NewDisposeScope()
    torch.stack([| incoming reduction incomingWeight; outgoing reduction outgoingWeight |]).MoveToOuterDisposeScope()
