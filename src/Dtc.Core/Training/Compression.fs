/// <summary>
/// One compression of a model: every hidden layer above the stop size scored by the method (dual
/// tomography, magnitude or random), its kept units selected and the layers sliced, with a record of what
/// was done to each layer. The step between two trainings of <c>CompressTrain</c>.
/// </summary>
module Dtc.Training.Compression

open System
open TorchSharp
open Dtc.Pruning
open Dtc.Tomography
open Dtc.Training.Protocol
open Dtc.Training.Records

/// <summary>Chooses the kept units of several layer pairs of one network by the method: every pair wider than the
/// protocol's stop size is scored and its kept units selected; the others keep every unit. Nothing is sliced.</summary>
/// <remarks>Every pair is scored on the weights as given, before any of this cycle's slicing (removing a
/// layer's units removes columns of the next layer's incoming weight, which would otherwise change that
/// layer's profiles part-way through the cycle). So the scores of all pairs are computed at once, and for
/// DTC the LASSO problems of both sides of every pair of equal width form one batch with one \(\Theta\)
/// (<see cref="M:Dtc.Pruning.Scoring.dualLayers(Dtc.Pruning.Scoring.Domain,Dtc.Tomography.Profiles.Reduction,Dtc.Tomography.Rays.Options,System.Tuple{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor}[])"/>).
/// With one pair (the paper) this is the same computation as scoring the pair alone.</remarks>
/// <param name="protocol">The protocol (stop size, count rule, keep fraction, reduction, and the methods' settings).</param>
/// <param name="method">The method.</param>
/// <param name="pairs">Per pair of layers around a group of units: the incoming weight, units × inputs, and the
/// outgoing weight, outputs × units (rows and columns of 2-D views; not disposed).</param>
/// <returns>Per pair, in order: the kept unit indices (in the order of the rule) and the record of the step,
/// whose <c>Layer</c> is the pair's index.</returns>
let choose (protocol: Protocol) (method: Method) (pairs: (torch.Tensor * torch.Tensor)[]) : (int[] * LayerCycle)[] =
    let domain, sensing =
        match method with
        | Method.Dtc d -> d.Domain, d.Sensing
        | Magnitude | Random _ -> Scoring.Magnitude, Rays.Options.paper
    let isRandom = match method with Random _ -> true | Magnitude | Method.Dtc _ -> false
    let width (incoming: torch.Tensor, _) = int incoming.shape.[0]
    let compressed = pairs |> Array.indexed |> Array.filter (fun (_, pair) -> width pair > protocol.Stop) |> Array.map fst
    let scores = Scoring.dualLayers domain protocol.Reduction sensing [| for i in compressed -> pairs.[i] |]
    try
        [| for layer, pair in Array.indexed pairs do
               let width = width pair
               match Array.tryFindIndex ((=) layer) compressed with
               | None ->
                   let all = Array.init width id
                   yield all,
                         { Layer = layer; WidthBefore = width; WidthAfter = width; Measurements = 0; Ray = [||]
                           RayMeanAbsPerLength = nan; Y1 = [||]; Y2 = [||]; SolverGaps = [||]; SolverIterations = [||]
                           ReconstructionErrors = [||]; Kept = all }
               | Some index ->
                   let layerScores = scores.[index]
                   let k = Selection.keptCount protocol.Count protocol.Keep width
                   let values = Dtc.Runtime.Torch.toArray layerScores.Values
                   let kept =
                       match method with
                       | Random seed -> Selection.select (Selection.Random seed) k values
                       | Magnitude | Method.Dtc _ -> Selection.select protocol.Rule k values
                   let row (t: torch.Tensor) (i: int) =
                       use r = t.[int64 i]
                       Dtc.Runtime.Torch.toArray r
                   let rays = layerScores.Rays
                   yield kept,
                         { Layer = layer; WidthBefore = width; WidthAfter = kept.Length
                           Measurements = (match rays with Some r -> int r.Measurements.shape.[1] | None -> 0)
                           Ray = (if isRandom then [||] else values)
                           RayMeanAbsPerLength =
                               if isRandom || values.Length = 0 then nan
                               else (values |> Array.averageBy abs) / float values.Length
                           Y1 = (match rays with Some r -> row r.Measurements 0 | None -> [||])
                           Y2 = (match rays with Some r -> row r.Measurements 1 | None -> [||])
                           SolverGaps = (match rays with Some r -> r.Diagnostics |> Array.map (fun d -> d.RelativeGap) | None -> [||])
                           SolverIterations = (match rays with Some r -> r.Diagnostics |> Array.map (fun d -> d.Iterations) | None -> [||])
                           ReconstructionErrors = (match rays with Some r -> r.RelativeErrors | None -> [||])
                           Kept = kept } |]
    finally
        for s in scores do (s :> IDisposable).Dispose()

/// <summary>Compresses every hidden layer of an MLP above the stop size once, by the method (see
/// <see cref="M:Dtc.Training.Compression.choose(Dtc.Training.Protocol.Protocol,Dtc.Training.Protocol.Method,System.Tuple{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor}[])"/>);
/// returns the new model and the layer records.</summary>
/// <param name="protocol">The protocol.</param>
/// <param name="method">The method.</param>
/// <param name="model">The model (not disposed).</param>
/// <returns>The compressed model and one record per hidden layer.</returns>
let once (protocol: Protocol) (method: Method) (model: Model.Mlp) : Model.Mlp * LayerCycle[] =
    let pairs = Array.init (model.Weights.Length - 1) (fun layer -> Model.pair layer model)
    let chosen = choose protocol method [| for pair in pairs -> pair.IncomingWeight, pair.OutgoingWeight |]
    // `current` is the input model until the first layer is compressed; from then on we own it.
    let mutable current = model
    let mutable owned = false
    try
        for kept, record in chosen do
            if record.WidthBefore > protocol.Stop then
                let next = Model.compress record.Layer kept current
                if owned then (current :> IDisposable).Dispose()
                current <- next
                owned <- true
        (if owned then current else Model.copy model), Array.map snd chosen
    with _ ->
        if owned then (current :> IDisposable).Dispose()
        reraise ()
