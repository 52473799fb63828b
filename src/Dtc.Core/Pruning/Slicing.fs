/// <summary>
/// Structural slicing: from a consecutive pair of Linear layers and the kept hidden units, build the
/// smaller pair — real smaller tensors, not masks. Row k of the previous layer (and its bias entry)
/// and column k of the next layer go together; the next layer's bias is unchanged.
/// </summary>
module Dtc.Pruning.Slicing

open System
open TorchSharp
open TorchSharp.Modules

/// <summary>The parameters of two consecutive Linear layers around a hidden layer.</summary>
type LinearPair =
    { /// <summary>Previous layer's weight, units×inputs.</summary>
      IncomingWeight: torch.Tensor
      /// <summary>Previous layer's bias, length units, if any.</summary>
      IncomingBias: torch.Tensor option
      /// <summary>Next layer's weight, outputs×units.</summary>
      OutgoingWeight: torch.Tensor
      /// <summary>Next layer's bias, length outputs, if any.</summary>
      OutgoingBias: torch.Tensor option }

    /// <summary>The number of hidden units between the two layers.</summary>
    member p.Units = int p.IncomingWeight.shape.[0]

let private shape (t: torch.Tensor) = String.Join(", ", t.shape)

let private validate (pair: LinearPair) =
    Dtc.Runtime.Torch.requireRank "IncomingWeight" 2 pair.IncomingWeight
    Dtc.Runtime.Torch.requireRank "OutgoingWeight" 2 pair.OutgoingWeight
    let units = pair.IncomingWeight.shape.[0]
    if pair.OutgoingWeight.shape.[1] <> units then
        invalidArg (nameof pair) (sprintf "Expecting OutgoingWeight of shape [outputs, %d] but received [%s]" units (shape pair.OutgoingWeight))
    pair.IncomingBias |> Option.iter (fun b ->
        if b.Dimensions <> 1L || b.shape.[0] <> units then
            invalidArg (nameof pair) (sprintf "Expecting IncomingBias of shape [%d] but received [%s]" units (shape b)))
    pair.OutgoingBias |> Option.iter (fun b ->
        if b.Dimensions <> 1L || b.shape.[0] <> pair.OutgoingWeight.shape.[0] then
            invalidArg (nameof pair) (sprintf "Expecting OutgoingBias of shape [%d] but received [%s]" pair.OutgoingWeight.shape.[0] (shape b)))

let private checkKept (units: int) (kept: int[]) =
    if kept.Length = 0 then invalidArg (nameof kept) "Expecting at least one kept unit but received none"
    match kept |> Array.tryFind (fun k -> k < 0 || k >= units) with
    | Some k -> invalidArg (nameof kept) (sprintf "Expecting unit indices in [0, %d) but received %d" units k)
    | None -> ()
    if (Array.distinct kept).Length <> kept.Length then
        invalidArg (nameof kept) "Expecting distinct unit indices but received duplicates"

/// <summary>Slices a layer pair to the kept hidden units, in the given order.</summary>
/// <param name="kept">Indices of the kept units (distinct, in [0, units)); their order becomes the new units' order.</param>
/// <param name="pair">The layer pair; its tensors are not modified or disposed.</param>
/// <returns>A new pair of detached, contiguous tensors with <c>kept.Length</c> hidden units; the caller owns them.</returns>
let slice (kept: int[]) (pair: LinearPair) : LinearPair =
    validate pair
    checkKept pair.Units kept
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let index = torch.tensor(Array.map int64 kept, dtype = torch.int64, device = pair.IncomingWeight.device)
    let out (t: torch.Tensor) = t.detach().contiguous().MoveToOuterDisposeScope()
    { IncomingWeight = out (pair.IncomingWeight.index_select(0L, index))
      IncomingBias = pair.IncomingBias |> Option.map (fun b -> out (b.index_select(0L, index)))
      OutgoingWeight = out (pair.OutgoingWeight.index_select(1L, index))
      OutgoingBias = pair.OutgoingBias |> Option.map (fun b -> out (b.clone())) }

/// <summary>Reads the parameters of two TorchSharp Linear layers (no copy).</summary>
/// <param name="previous">The layer into the hidden units.</param>
/// <param name="next">The layer out of the hidden units.</param>
/// <returns>The pair, viewing the layers' own parameters.</returns>
let ofLinear (previous: Linear) (next: Linear) : LinearPair =
    { IncomingWeight = previous.weight
      IncomingBias = Option.ofObj previous.bias |> Option.map (fun b -> b :> torch.Tensor)
      OutgoingWeight = next.weight
      OutgoingBias = Option.ofObj next.bias |> Option.map (fun b -> b :> torch.Tensor) }

/// <summary>Builds two new TorchSharp Linear layers holding a pair's parameters (copied).</summary>
/// <param name="pair">The parameters.</param>
/// <returns>The previous and next layers, on the parameters' device and dtype, with gradients enabled.</returns>
let toLinear (pair: LinearPair) : Linear * Linear =
    validate pair
    let w1, w2 = pair.IncomingWeight, pair.OutgoingWeight
    let make (w: torch.Tensor) (b: torch.Tensor option) =
        let layer = torch.nn.Linear(w.shape.[1], w.shape.[0], b.IsSome, w.device, w.dtype)
        use _ = torch.no_grad ()
        layer.weight <- torch.nn.Parameter(w.detach().clone())
        b |> Option.iter (fun b -> layer.bias <- torch.nn.Parameter(b.detach().clone()))
        layer
    make w1 pair.IncomingBias, make w2 pair.OutgoingBias

/// <summary>Slices two TorchSharp Linear layers to the kept hidden units.</summary>
/// <param name="kept">Indices of the kept units.</param>
/// <param name="previous">The layer into the hidden units (not modified).</param>
/// <param name="next">The layer out of the hidden units (not modified).</param>
/// <returns>Two new, smaller Linear layers.</returns>
let sliceLinear (kept: int[]) (previous: Linear) (next: Linear) : Linear * Linear =
    let sliced = ofLinear previous next |> slice kept
    try toLinear sliced
    finally
        sliced.IncomingWeight.Dispose()
        sliced.OutgoingWeight.Dispose()
        sliced.IncomingBias |> Option.iter (fun t -> t.Dispose())
        sliced.OutgoingBias |> Option.iter (fun t -> t.Dispose())
