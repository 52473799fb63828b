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

/// <summary>Dual scores of the hidden units of several layer pairs of one model, all from the weights as
/// given: the profiles of pairs of equal width are reconstructed as one batch, measured by the same
/// \(\Phi\) (the same seed at every call), so that their LASSO problems share \(\Theta\) and are solved
/// together — both sides of every layer of that width in one solve.</summary>
/// <param name="domain">Which score (paper's DTC: Coefficients; baseline: Magnitude).</param>
/// <param name="reduction">How profiles reduce weights (paper: Sum).</param>
/// <param name="options">Inverse compressed sensing settings (unused for Magnitude).</param>
/// <param name="pairs">Per layer pair, the previous layer's weight (units×inputs) and the next layer's
/// (outputs×units).</param>
/// <returns>One set of scores per pair, in order, each with the rays of its own two profiles; the caller
/// disposes them.</returns>
let dualLayers (domain: Domain) (reduction: Profiles.Reduction) (options: Rays.Options)
               (pairs: (torch.Tensor * torch.Tensor)[]) : Scores[] =
    if isNull pairs then nullArg (nameof pairs)
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let profiles = pairs |> Array.map (fun (incoming, outgoing) -> Profiles.dual reduction incoming outgoing)
    let scores =
        match domain with
        | Magnitude -> profiles |> Array.map (fun p -> { Values = p.sum(0L); Profiles = p; Rays = None })
        | _ ->
            let result = Array.zeroCreate pairs.Length
            for _, members in profiles |> Array.indexed |> Array.groupBy (fun (_, p) -> p.shape.[1]) do
                match members with
                | [| i, p |] ->
                    // A width of its own (the paper's one hidden layer): its rays as they come.
                    let rays = Rays.reconstruct options p
                    result.[i] <- { Values = ofRays domain rays; Profiles = p; Rays = Some rays }
                | _ ->
                    use batch = torch.cat([| for _, p in members -> p |], 0L)
                    use rays = Rays.reconstruct options batch
                    members |> Array.iteri (fun j (i, p) ->
                        let rows (t: torch.Tensor) = t.narrow(0L, int64 (2 * j), 2L).clone()
                        let own : Rays.Rays =
                            { Codes = rows rays.Codes
                              Reconstructions = rows rays.Reconstructions
                              Measurements = rows rays.Measurements
                              Theta = rays.Theta.clone()
                              RelativeErrors = rays.RelativeErrors.[2 * j .. 2 * j + 1]
                              Diagnostics = rays.Diagnostics.[2 * j .. 2 * j + 1] }
                        result.[i] <- { Values = ofRays domain own; Profiles = p; Rays = Some own })
            result
    for s in scores do
        s.Values.MoveToOuterDisposeScope() |> ignore
        s.Profiles.MoveToOuterDisposeScope() |> ignore
        s.Rays |> Option.iter (fun r -> for t in [ r.Codes; r.Reconstructions; r.Measurements; r.Theta ] do t.MoveToOuterDisposeScope() |> ignore)
    scores

/// <summary>Dual scores of the hidden units between two layers.</summary>
/// <param name="domain">Which score (paper's DTC: Coefficients; baseline: Magnitude).</param>
/// <param name="reduction">How profiles reduce weights (paper: Sum).</param>
/// <param name="options">Inverse compressed sensing settings (unused for Magnitude).</param>
/// <param name="incomingWeight">The previous layer's weight, units×inputs.</param>
/// <param name="outgoingWeight">The next layer's weight, outputs×units.</param>
/// <returns>The scores; the caller disposes them.</returns>
let dual (domain: Domain) (reduction: Profiles.Reduction) (options: Rays.Options)
         (incomingWeight: torch.Tensor) (outgoingWeight: torch.Tensor) : Scores =
    dualLayers domain reduction options [| incomingWeight, outgoingWeight |] |> Array.exactlyOne
