/// <summary>
/// The networks a compress-train run keeps: each method's final network and, when asked, its network after
/// chosen cycles, as live TorchSharp modules to use, save or export.
/// </summary>
module Dtc.Training.Kept

open System
open TorchSharp.Modules
open Dtc.Training.Records

/// <summary>A method's network kept from a run: its final network, or its network after a requested cycle.</summary>
type KeptModel =
    { /// <summary>The method's name.</summary>
      Method: string
      /// <summary>The cycle after which the network was kept (from 1).</summary>
      Cycle: int
      /// <summary>Whether this is the method's final network.</summary>
      Final: bool
      /// <summary>The hidden widths.</summary>
      Widths: int[]
      /// <summary>The shape of one input sample (the MLP reads flat rows: <c>[| inputs |]</c>).</summary>
      SampleShape: int[]
      /// <summary>The network: Linear, ReLU, …, Linear, LogSoftmax (see <see cref="M:Dtc.Training.Model.toSequential(Dtc.Training.Model.Mlp)"/>),
      /// in evaluation mode, on the run's device.</summary>
      Network: Sequential }

/// <summary>Keeps a copy of a method's model as a network (see <see cref="M:Dtc.Training.Model.toSequential(Dtc.Training.Model.Mlp)"/>).</summary>
/// <param name="name">The method's name.</param>
/// <param name="cycle">The cycle just done.</param>
/// <param name="final">Whether it is the method's final model.</param>
/// <param name="model">The model (not modified).</param>
/// <returns>The kept network; the caller disposes it.</returns>
let ofModel (name: string) (cycle: int) (final: bool) (model: Model.Mlp) : KeptModel =
    { Method = name; Cycle = cycle; Final = final; Widths = model.Hidden; SampleShape = [| model.Widths.[0] |]
      Network = Model.toSequential model }

/// <summary>Disposes kept networks.</summary>
/// <param name="kept">The networks.</param>
let disposeAll (kept: KeptModel seq) = for k in kept do k.Network.Dispose()

/// <summary>Each method's final network against the dense network of the protocol's initial widths (the initial
/// model as <see cref="M:Dtc.Training.Model.create(System.Int64,System.Boolean,System.Boolean,TorchSharp.torch.ScalarType,TorchSharp.torch.Device,System.Int32[])"/>
/// makes it): parameters and cost per sample, and the median latency at each batch size, timed in this process
/// with TorchSharp's current threads, dense and compressed interleaved (see <c>Footprint.compare</c>).</summary>
/// <param name="protocol">The protocol (initial widths, biases, seed, output quirk).</param>
/// <param name="device">The device the networks are on.</param>
/// <param name="batches">The batch sizes to time; empty for no timing.</param>
/// <param name="models">The kept networks; only the final ones are compared.</param>
/// <returns>One comparison per method, in order.</returns>
let footprints (protocol: Dtc.Training.Protocol.Protocol) (device: TorchSharp.torch.Device) (batches: int list) (models: KeptModel[]) : Dtc.Models.Footprint.Comparison[] =
    let finals = models |> Array.filter (fun k -> k.Final)
    if finals.Length = 0 then [||]
    else
        let first = finals.[0]
        let inputs = first.SampleShape.[0]
        let classes = first.Network.parameters() |> Seq.last |> fun p -> int p.shape.[0]
        let widths = Array.concat [ [| inputs |]; protocol.Hidden; [| classes |] ]
        use model = Model.create protocol.InitSeed protocol.Bias protocol.LogSoftmaxOverBatch TorchSharp.torch.float32 device widths
        use dense = Model.toSequential model
        let denseArch = Dtc.Models.Architecture.ofSequential first.SampleShape dense
        [| for k in finals ->
               let arch = Dtc.Models.Architecture.ofSequential k.SampleShape k.Network
               Dtc.Models.Footprint.compareOrCount device k.SampleShape batches k.Method (dense, Some denseArch) (k.Network, Some arch) |]

/// <summary>The results of a run with each method's networks: its final one and those of
/// <c>RunOptions.ModelCycles</c>. Dispose it to release the networks.</summary>
type ModelRun =
    { /// <summary>The results (records, metadata, footprints).</summary>
      Results: Results
      /// <summary>The kept networks, by method in the protocol's order, then by cycle; each method's last one is its final network.</summary>
      Models: KeptModel[] }

    interface IDisposable with
        member r.Dispose() = disposeAll r.Models

