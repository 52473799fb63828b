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

/// <summary>The results of a run with each method's networks: its final one and those of
/// <c>RunOptions.ModelCycles</c>. Dispose it to release the networks.</summary>
type ModelRun =
    { /// <summary>The results (records, metadata, footprints).</summary>
      Results: Results
      /// <summary>The kept networks, by method in the protocol's order, then by cycle; each method's last one is its final network.</summary>
      Models: KeptModel[] }

    interface IDisposable with
        member r.Dispose() = disposeAll r.Models

