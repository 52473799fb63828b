/// <summary>
/// Dual scores of the hidden units of a layer pair, from both sides at once: the coefficient-domain
/// sum of the two weight rays \(s_1 + s_2\) (the paper's DTC score), the reconstruction-domain sum
/// \(\Psi s_1 + \Psi s_2\) (index-aligned with the units), or the plain magnitude \(a_1 + a_2\).
/// </summary>
/// <namespacedoc><summary>Structured pruning: dual scores, selection of kept units and slicing of layers.</summary></namespacedoc>
module Dtc.Pruning.Scoring

open System
open TorchSharp
open Dtc.Tomography

/// <summary>Which score.</summary>
type Domain =
    /// <summary>\(s_1 + s_2\): the codes added in the DCT coefficient domain (the paper; index k is not unit k).</summary>
    | Coefficients
    /// <summary>\(\Psi s_1 + \Psi s_2\): the reconstructed profiles, index-aligned with the units.</summary>
    | Reconstruction
    /// <summary>\(a_1 + a_2\): the profiles themselves, no sensing (the paper's magnitude baseline).</summary>
    | Magnitude

/// <summary>Parses <c>coefficients</c>, <c>reconstruction</c> or <c>magnitude</c> (case-insensitive).</summary>
/// <param name="name">The name.</param>
/// <returns>The domain.</returns>
let parse (name: string) : Domain =
    match (if isNull name then "" else name.Trim().ToLowerInvariant()) with
    | "coefficients" | "coefficient" | "code" | "codes" -> Coefficients
    | "reconstruction" | "reconstructed" -> Reconstruction
    | "magnitude" -> Magnitude
    | _ -> invalidArg (nameof name) (sprintf "Expecting a score domain coefficients, reconstruction or magnitude but received \"%s\"" name)

/// <summary>The scores of one layer pair, with the rays behind them (none for the magnitude score).
/// Dispose it to release its tensors.</summary>
type Scores =
    { /// <summary>One score per hidden unit (or per coefficient), length units.</summary>
      Values: torch.Tensor
      /// <summary>The incoming (row 0) and outgoing (row 1) profiles, 2×units.</summary>
      Profiles: torch.Tensor
      /// <summary>The dual rays (batch of 2: incoming, outgoing), when sensing was used.</summary>
      Rays: Rays.Rays option }

    interface IDisposable with
        member s.Dispose() =
            s.Values.Dispose()
            s.Profiles.Dispose()
            s.Rays |> Option.iter (fun r -> (r :> IDisposable).Dispose())

/// <summary>Scores from dual rays already computed (batch of 2: incoming then outgoing).</summary>
/// <param name="domain">Coefficients or Reconstruction.</param>
/// <param name="rays">The rays of the two profiles.</param>
/// <returns>A new vector: the sum of the two rows of the chosen domain.</returns>
let ofRays (domain: Domain) (rays: Rays.Rays) : torch.Tensor =
    if rays.Codes.shape.[0] <> 2L then
        invalidArg (nameof rays) (sprintf "Expecting dual rays (a batch of 2) but received a batch of %d" rays.Codes.shape.[0])
    match domain with
    | Coefficients -> rays.Codes.sum(0L)
    | Reconstruction -> rays.Reconstructions.sum(0L)
    | Magnitude -> invalidArg (nameof domain) "Expecting Coefficients or Reconstruction for scores from rays but received Magnitude"

/// <summary>Dual scores of the hidden units between two layers.</summary>
/// <param name="domain">Which score (paper's DTC: Coefficients; baseline: Magnitude).</param>
/// <param name="reduction">How profiles reduce weights (paper: Sum).</param>
/// <param name="options">Inverse compressed sensing settings (unused for Magnitude).</param>
/// <param name="incomingWeight">The previous layer's weight, units×inputs.</param>
/// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
/// <returns>The scores; the caller disposes them.</returns>
let dual (domain: Domain) (reduction: Profiles.Reduction) (options: Rays.Options)
         (incomingWeight: torch.Tensor) (outgoingWeight: torch.Tensor) : Scores =
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let profiles = Profiles.dual reduction incomingWeight outgoingWeight
    match domain with
    | Magnitude ->
        let values = profiles.sum(0L)
        { Values = values.MoveToOuterDisposeScope(); Profiles = profiles.MoveToOuterDisposeScope(); Rays = None }
    | _ ->
        let rays = Rays.reconstruct options profiles
        let values = ofRays domain rays
        for t in [ rays.Codes; rays.Reconstructions; rays.Measurements; rays.Theta ] do
            t.MoveToOuterDisposeScope() |> ignore
        { Values = values.MoveToOuterDisposeScope(); Profiles = profiles.MoveToOuterDisposeScope(); Rays = Some rays }
