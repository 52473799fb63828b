/// <summary>
/// Floating-point operations: of one training step of an MLP, and of the matrix products of a whole
/// compress-train run, so that timings can be set against the GEMM ceiling.
/// </summary>
module Dtc.Bench.Flops

open Dtc.Training

/// <summary>FLOPs of one training step of an MLP (forward and backward, no input gradient for the first layer).</summary>
/// <param name="batch">Batch size.</param>
/// <param name="widths">Widths from input to output.</param>
/// <returns>The FLOP count.</returns>
let trainStep (batch: int) (widths: int[]) : float =
    widths
    |> Array.pairwise
    |> Array.mapi (fun i (a, b) -> float batch * 2.0 * float a * float b * (if i = 0 then 2.0 else 3.0))
    |> Array.sum

/// <summary>Floating-point operations of the matrix products of a compress-train run as
/// <c>CompressTrain.run</c> does the work: every cycle's training (each mini-batch's rows through
/// <see cref="M:Dtc.Bench.Flops.trainStep(System.Int32,System.Int32[])"/> at the widths the cycle
/// trained, <c>WidthBefore</c>) and every evaluation of the test split (forward products only: after the
/// first cycle's training, then after each compression). The first cycle's training and evaluation are
/// counted once when several methods ran, because the run shares them. Adam, the activations and the compress
/// step are not counted: this is the work a GEMM ceiling bounds, not all the work.</summary>
/// <param name="protocol">The protocol the results were produced with (batches per cycle, data position).</param>
/// <param name="data">The staged data the run used (its batch sizes and test split).</param>
/// <param name="results">The run's results.</param>
/// <returns>The FLOP count.</returns>
/// <exception cref="T:System.ArgumentException">A cycle without layer records, or an empty training split.</exception>
let protocol (protocol: Protocol.Protocol) (data: Steps.Staged) (results: Records.Results) : float =
    let batches = data.Train.Batches
    if batches.Length = 0 then invalidArg (nameof data) "Expecting a training split with at least one batch but received none"
    let inputs, outputs = int data.Train.Inputs.shape.[1], data.ClassCount
    let widths (hidden: int[]) = Array.concat [ [| inputs |]; hidden; [| outputs |] ]
    let forwardPerRow (hidden: int[]) = widths hidden |> Array.pairwise |> Array.sumBy (fun (a, b) -> 2.0 * float a * float b)
    let testRows = float data.Test.Count
    let rowsFrom (start: int64) =
        Seq.init protocol.BatchesPerCycle (fun k -> float batches.[int ((start + int64 k) % int64 batches.Length)].Targets.shape.[0]) |> Seq.sum
    // The first cycle starts at the first batch; its training and the evaluation after it.
    let firstCycle (before: int[]) = rowsFrom 0L * trainStep 1 (widths before) + testRows * forwardPerRow before
    let layerWidths (m: Records.MethodRun) (c: Records.CycleRecord) =
        if isNull c.Layers || c.Layers.Length = 0 then
            invalidArg (nameof results) (sprintf "Expecting layer records in cycle %d of %s but found none" c.Cycle m.Method)
        c.Layers |> Array.map (fun l -> l.WidthBefore), c.Layers |> Array.map (fun l -> l.WidthAfter)
    let shared = results.Methods.Length >= 2
    let perMethod (m: Records.MethodRun) =
        m.Cycles |> Array.sumBy (fun c ->
            let before, after = layerWidths m c
            let training =
                if c.Cycle = 1 then (if shared then 0.0 else firstCycle before)
                else
                    let start = match protocol.DataPosition with Protocol.RestartEachCycle -> 0L | Protocol.Continue -> int64 (c.Cycle - 1) * int64 protocol.BatchesPerCycle
                    rowsFrom start * trainStep 1 (widths before)
            training + testRows * forwardPerRow after)
    let first =
        if shared && results.Methods.[0].Cycles.Length > 0 then
            let m = results.Methods.[0]
            firstCycle (fst (layerWidths m m.Cycles.[0]))
        else 0.0
    first + (results.Methods |> Array.sumBy perMethod)

/// A random mini-batch of the protocol's shape, 512 inputs of 784 pixels, as rows and as columns, with
