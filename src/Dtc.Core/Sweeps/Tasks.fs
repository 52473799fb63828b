/// The machinery of a sweep's local executor (internal): the tasks, the data staged once per batch size,
/// and a finished run's outputs.
module internal Dtc.Sweeps.Tasks

open System
open System.Collections.Generic
open System.IO
open System.Threading
open TorchSharp
open Dtc.Training
open Dtc.Training.Protocol
open Dtc.Sweeps.Plan

/// The folder of a run: the sweep folder and the run's id as a relative path.
let runFolder (folder: string) (run: Run) : string =
    Path.Combine(Array.append [| folder |] (run.Id.Split '/'))

/// Cycles of a method's schedule, each weighted by its training width (plus a fixed cost per cycle).
let weights (p: Protocol) =
    global.Dtc.Pruning.Selection.schedule p.Count p.Keep p.Stop (Array.max p.Hidden)
    |> List.map (fun w -> float w + 64.0) |> Array.ofList

/// One run being executed: its methods not yet started, and the first cycle they share.
type RunState =
    { Run: Run
      Protocol: Protocol
      Weights: float[]
      Pending: Queue<Method>
      /// Trains the shared first cycle before its methods start (two or more methods start fresh).
      NeedsFirst: bool
      mutable Started: bool
      mutable Ready: bool
      mutable First: CompressTrain.FirstCycle option
      mutable Remaining: int }

/// A task: a run's shared first cycle, or one of its methods.
type Work =
    | FirstOf of RunState
    | MethodOf of RunState * Method

/// The data staged once per batch size (shared read-only by the workers).
type Stages(dataset: global.Dtc.Data.Dataset, device: torch.Device) =
    let staged = Dictionary<int * global.Dtc.Data.Normalisation, Steps.Staged>()
    member _.Dataset = dataset
    member _.For(p: Protocol) =
        lock staged (fun () ->
            let key = p.BatchSize, p.Normalisation
            match staged.TryGetValue key with
            | true, s -> s
            | _ ->
                let s = Steps.stage p.Normalisation p.BatchSize device dataset
                staged.[key] <- s
                s)
    interface IDisposable with
        member _.Dispose() = for s in staged.Values do (s :> IDisposable).Dispose()

/// The compress-train options of one run of the sweep in `folder`: its checkpoints in its folder, resumed.
let runOptions (folder: string) (device: torch.Device) (cancellation: CancellationToken) (stages: Stages) (run: Run)
               (protocol: Protocol) (onProgress: CompressTrain.Progress -> unit) =
    { CompressTrain.RunOptions.defaults with
        Protocol = protocol
        Device = device
        CheckpointDir = Some(Path.Combine(runFolder folder run, RunFolder.CheckpointsFolderName))
        Resume = true
        DataFingerprint = CompressTrain.dataFingerprint stages.Dataset
        OnProgress = onProgress
        Cancellation = cancellation }

/// Writes a finished run's outputs: each method's records (from its finished checkpoint), the controls, the
/// analysis and report, and results.json last
/// (Files.writeAll writes it last: its presence, with the controls', marks the run done).
let finish (folder: string) (device: torch.Device) (cancellation: CancellationToken) (stages: Stages) (plan: Plan)
           (run: Run) =
    let p = protocolOf plan.Spec run
    let methods = p.Methods
    let ro = runOptions folder device cancellation stages run p ignore
    let data = stages.For p
    let runs = methods |> List.map (fun m -> CompressTrain.runMethod ro data m) |> Array.ofList
    let wall = CompressTrain.recordedWallSeconds ro methods
    let started = Directory.GetCreationTimeUtc(runFolder folder run)
    let results = CompressTrain.gather ro stages.Dataset.Name data 1 started wall runs
    let inputs = int data.Train.Inputs.shape.[1]
    let controls =
        runs |> Array.filter (fun m -> m.Cycles |> Array.exists (fun c -> c.Layers |> Array.exists (fun l -> l.Layer = 0 && l.Measurements > 0)))
        |> Array.map (Controls.compute p inputs data.ClassCount run.ControlSeed)
    let runDir = runFolder folder run
    global.Dtc.Runtime.AtomicFile.writeText (Path.Combine(runDir, Controls.FileName)) (Controls.toJson controls)
    global.Dtc.Report.Files.writeAll runDir None results |> ignore
    results.Metadata.Digest
