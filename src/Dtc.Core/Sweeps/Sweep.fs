/// <summary>
/// Running a sweep: its runs' methods as tasks, one intra-op thread each, on as many worker threads as
/// asked; every run in its own folder, a complete replicate output (results, analysis, report, checkpoints)
/// plus the negative controls of its measurements. Resumable: finished runs are kept, unfinished methods
/// resume from their checkpoints. A shard runs every n-th run, so that cluster array tasks share one folder.
/// </summary>
module Dtc.Sweeps.Sweep

open System
open System.Collections.Generic
open System.Diagnostics
open System.IO
open System.Text.Json
open System.Threading
open TorchSharp
open Dtc.Training
open Dtc.Training.Protocol
open Dtc.Training.Records
open Dtc.Sweeps.Plan
open Dtc.Sweeps.Tasks

/// <summary>Plans a sweep (the same as <see cref="M:Dtc.Sweeps.Plan.plan(Dtc.Sweeps.Plan.Spec)"/>).</summary>
/// <param name="spec">What to run.</param>
/// <returns>The plan.</returns>
let plan (spec: Spec) : Plan = Plan.plan spec

/// <summary>Where a run stands, from its folder.</summary>
type RunStatus =
    { /// <summary>The run's id (its folder relative to the sweep's).</summary>
      Id: string
      /// <summary>"done" (results and controls written), "partial" (checkpoints only) or "pending".</summary>
      State: string
      /// <summary>The digest of its numbers, when done.</summary>
      Digest: string }

/// <summary>The content of <c>sweep.json</c>: the plan and each run's status when the file was written.</summary>
type SweepFile =
    { /// <summary>Schema ("1").</summary>
      Schema: string
      /// <summary>What was asked.</summary>
      Spec: Spec
      /// <summary>The runs.</summary>
      Runs: Run[]
      /// <summary>Each run's status, in the order of the runs.</summary>
      Status: RunStatus[] }

/// <summary>Progress of a sweep, reported after every cycle of every task and when a run finishes.</summary>
type Progress =
    { /// <summary>Runs finished (in this and earlier sessions).</summary>
      RunsDone: int
      /// <summary>Runs in this executor's share (all runs, or the shard's).</summary>
      RunsTotal: int
      /// <summary>The tasks running now, as "run/method".</summary>
      Running: string[]
      /// <summary>Share of the work done, 0 to 1 (cycles weighted by their width).</summary>
      Fraction: float
      /// <summary>Seconds since this session started.</summary>
      ElapsedSeconds: float
      /// <summary>Estimated seconds left (NaN before the first estimate).</summary>
      RemainingSeconds: float
      /// <summary>What just happened, e.g. "seed-003 finished".</summary>
      Event: string }

/// The default loader of Options: the embedded sample, and nothing else.
let private embeddedOnly (name: string) (dataDir: string option) : global.Dtc.Data.Datasets.Dataset =
    match (if isNull name then "" else name.Trim().ToLowerInvariant()), dataDir with
    | "mnist-sample", None -> global.Dtc.Data.Datasets.mnistSample ()
    | _ ->
        invalidArg "Load"
            (sprintf "Expecting Options.Load to load the data set \"%s\" (for example Dtc.Data.Catalog.byName) but received the default loader, which loads only the embedded mnist-sample" name)

/// <summary>How a sweep is executed here.</summary>
type Options =
    { /// <summary>The sweep folder (shared by every shard).</summary>
      Folder: string
      /// <summary>Tasks run at once, each on one intra-op thread (default: the processor count).</summary>
      Jobs: int
      /// <summary>This executor's shard: index and count (0, 1: every run).</summary>
      Shard: int * int
      /// <summary>Device of the models and data.</summary>
      Device: torch.Device
      /// <summary>Called with progress, one call at a time.</summary>
      OnProgress: Progress -> unit
      /// <summary>Stops the sweep at the tasks' next safe points (their checkpoints are written).</summary>
      Cancellation: CancellationToken
      /// <summary>Loads the plan's data set from its name and data folder (<c>None</c> for none), e.g.
      /// <c>Dtc.Data.Catalog.byName</c> from the Dtc.Data package. Default: the embedded <c>mnist-sample</c>
      /// only.</summary>
      Load: string -> string option -> global.Dtc.Data.Datasets.Dataset }

    /// <summary>Every run, one task per processor, on the CPU, no progress, not cancellable, loading only
    /// the embedded <c>mnist-sample</c>.</summary>
    /// <param name="folder">The sweep folder.</param>
    /// <returns>The options.</returns>
    static member defaults(folder: string) =
        { Folder = folder
          Jobs = Environment.ProcessorCount
          Shard = (0, 1)
          Device = global.Dtc.Runtime.Torch.cpu ()
          OnProgress = ignore
          Cancellation = CancellationToken.None
          Load = embeddedOnly }

/// <summary>What an execution did.</summary>
type Summary =
    { /// <summary>The status of every run of the plan after the execution.</summary>
      Status: RunStatus[]
      /// <summary>Runs this execution finished.</summary>
      Finished: string[]
      /// <summary>Wall-clock seconds of this execution.</summary>
      WallSeconds: float
      /// <summary>Seconds the tasks ran, summed over the workers (busy time).</summary>
      TaskSeconds: float
      /// <summary>Workers used.</summary>
      Jobs: int }

/// <summary>The folder of a run.</summary>
/// <param name="folder">The sweep folder.</param>
/// <param name="run">The run.</param>
/// <returns>The path.</returns>
let runFolder (folder: string) (run: Run) : string = Tasks.runFolder folder run

let private resultsPath folder run = Path.Combine(runFolder folder run, "results.json")
let private controlsPath folder run = Path.Combine(runFolder folder run, Controls.FileName)

/// A run's status from its folder, with its results when it is done (read once, for the digest and for a merge).
let private inspect (folder: string) (r: Run) : RunStatus * Results option =
    if File.Exists(resultsPath folder r) && File.Exists(controlsPath folder r) then
        match (try Some(Records.read (resultsPath folder r)) with :? InvalidDataException -> None) with
        | Some results when not (String.IsNullOrEmpty results.Metadata.Digest) ->
            { Id = r.Id; State = "done"; Digest = results.Metadata.Digest }, Some results
        | _ -> { Id = r.Id; State = "partial"; Digest = "" }, None
    elif Directory.Exists(Path.Combine(runFolder folder r, RunFolder.CheckpointsFolderName)) then
        { Id = r.Id; State = "partial"; Digest = "" }, None
    else { Id = r.Id; State = "pending"; Digest = "" }, None

/// <summary>The status of every run of a plan, from the sweep folder.</summary>
/// <param name="folder">The sweep folder.</param>
/// <param name="plan">The plan.</param>
/// <returns>One status per run, in order.</returns>
let status (folder: string) (plan: Plan) : RunStatus[] =
    plan.Runs |> Array.map (fun r -> fst (inspect folder r))

/// Writes sweep.json with the given statuses.
let private writeStatus (folder: string) (plan: Plan) (statuses: RunStatus[]) =
    let text = JsonSerializer.Serialize({ Schema = plan.Schema; Spec = plan.Spec; Runs = plan.Runs; Status = statuses }, jsonOptions)
    global.Dtc.Runtime.AtomicFile.writeText (Path.Combine(folder, Plan.FileName)) text

/// <summary>Writes <c>sweep.json</c> (the plan and the runs' current status) atomically.</summary>
/// <param name="folder">The sweep folder.</param>
/// <param name="plan">The plan.</param>
let writePlan (folder: string) (plan: Plan) : unit = writeStatus folder plan (status folder plan)

/// <summary>Creates a sweep folder's <c>sweep.json</c>, or checks that the one there holds the same plan (a
/// different plan in the folder is bad input: another sweep's results would mix with this one's).</summary>
/// <param name="folder">The sweep folder.</param>
/// <param name="plan">The plan.</param>
let prepare (folder: string) (plan: Plan) : unit =
    let path = Path.Combine(folder, Plan.FileName)
    if File.Exists path then
        let existing = Plan.read folder
        if Plan.toJson existing <> Plan.toJson plan then
            invalidArg "folder" (sprintf "Expecting %s to hold this sweep's plan but it holds another (%s): use another folder, or run `dtc sweep --out %s` without settings to continue that one" folder (Plan.describe existing) folder)
    else writePlan folder plan

/// <summary>Executes a plan's runs (or a shard's) in the sweep folder: writes or checks <c>sweep.json</c>,
/// then runs every unfinished method of every unfinished run as a task on one intra-op thread, <c>Jobs</c>
/// tasks at once, resuming from checkpoints; a run's outputs are written when its last method finishes.</summary>
/// <remarks>The numbers of a run do not depend on the job count or the shard: every task computes on one
/// intra-op thread, so a sweep run by a local executor and the same sweep run as a cluster array give the same
/// bits on one machine (and on every x86-64 machine in the portable mode). The process must compute in the
/// plan's reproducibility mode. When a task fails, the others stop
/// at their next safe point and the failure is raised; when cancelled, <c>RunCancelled</c> is raised after
/// every task has stopped.</remarks>
/// <param name="options">How to execute.</param>
/// <param name="plan">The plan.</param>
/// <returns>What was done.</returns>
let runLocal (options: Options) (plan: Plan) : Summary =
    if options.Jobs < 1 then invalidArg (nameof options) (sprintf "Expecting Jobs of at least 1 but received %d" options.Jobs)
    let shardIndex, shardCount = options.Shard
    let share = Plan.shard shardIndex shardCount plan
    // A run computed in another mode would not be comparable, to the bit, with the plan's other runs.
    let mode = (global.Dtc.Runtime.Torch.reproducibility ()).Mode
    if not (String.Equals(mode, plan.Spec.Reproducibility, StringComparison.OrdinalIgnoreCase)) then
        invalidArg (nameof plan)
            (sprintf "Expecting this process to compute in the sweep plan's reproducibility mode %s but it computes in %s: set DTC_REPRODUCIBLE=%s (or Reproducibility.configure) before the first tensor"
                 plan.Spec.Reproducibility mode plan.Spec.Reproducibility)
    Directory.CreateDirectory options.Folder |> ignore
    prepare options.Folder plan
    let sw = Stopwatch.StartNew()
    // Read once; updated in memory as runs finish (sweep.json is rewritten from it, not from the folder).
    let statuses = status options.Folder plan
    let indexOf = plan.Runs |> Array.mapi (fun i r -> r.Id, i) |> Map.ofArray
    let todo = share |> Array.filter (fun r -> statuses.[indexOf.[r.Id]].State <> "done")
    let finished = ResizeArray<string>()
    if todo.Length = 0 then
        { Status = statuses; Finished = [||]; WallSeconds = sw.Elapsed.TotalSeconds; TaskSeconds = 0.0; Jobs = options.Jobs }
    else
    let dataset = options.Load plan.Spec.Dataset (if String.IsNullOrEmpty plan.Spec.DataFolder then None else Some plan.Spec.DataFolder)
    use stages = new Stages(dataset, options.Device)
    // Runs in plan order; within a run, its shared first cycle first, then the longest methods first (DTC
    // solves LASSO problems every cycle). A worker takes a ready method of a started run, else starts the next
    // run, else waits for a first cycle in training.
    let cost m = match m with Method.Dtc _ -> 0 | Magnitude -> 1 | Random _ -> 2
    let checkpointOf (r: Run) (m: Method) =
        Path.Combine(runFolder options.Folder r, RunFolder.CheckpointsFolderName, methodName m + ".ckpt")
    let states =
        [| for r in todo ->
             let p = protocolOf plan.Spec r
             let fresh = p.Methods |> List.filter (fun m -> not (File.Exists(checkpointOf r m))) |> List.length
             { Run = r; Protocol = p; Weights = weights p; Pending = Queue<Method>(p.Methods |> List.sortBy cost)
               NeedsFirst = fresh >= 2; Started = false; Ready = false; First = None; Remaining = p.Methods.Length } |]
    let totalWeight = share |> Array.sumBy (fun r -> (weights (protocolOf plan.Spec r) |> Array.sum) * float plan.Spec.Methods.Length)
    let doneWeight = ref ((share.Length - todo.Length |> float) * (if share.Length = 0 then 0.0 else totalWeight / float share.Length))
    let startWeight = doneWeight.Value
    let gate = obj ()
    let running = HashSet<string>()
    let locks = Dictionary<string, RunFolder.Lock>()
    let runsDone = ref (share.Length - todo.Length)
    let report (event: string) =
        let elapsed = sw.Elapsed.TotalSeconds
        let doneNow = doneWeight.Value - startWeight
        let remaining = if doneNow <= 0.0 then nan else elapsed / doneNow * (totalWeight - doneWeight.Value)
        options.OnProgress
            { RunsDone = runsDone.Value; RunsTotal = share.Length; Running = Seq.toArray running |> Array.sort
              Fraction = (if totalWeight > 0.0 then doneWeight.Value / totalWeight else 1.0)
              ElapsedSeconds = elapsed; RemainingSeconds = remaining; Event = event }
    use stop = CancellationTokenSource.CreateLinkedTokenSource(options.Cancellation)
    let failures = ResizeArray<exn>()
    let taskSeconds = ref 0.0
    let threads = torch.get_num_threads ()
    // Called holding the gate.
    let rec pick () : Work option =
        if stop.IsCancellationRequested then None
        else
            match states |> Array.tryFind (fun s -> s.Started && s.Ready && s.Pending.Count > 0) with
            | Some s -> Some(MethodOf(s, s.Pending.Dequeue()))
            | None ->
                match states |> Array.tryFind (fun s -> not s.Started) with
                | Some s ->
                    s.Started <- true
                    if s.NeedsFirst then Some(FirstOf s)
                    else
                        s.Ready <- true
                        pick ()
                | None ->
                    if states |> Array.exists (fun s -> s.Pending.Count > 0) then
                        Monitor.Wait gate |> ignore
                        pick ()
                    else None
    let nameOf work =
        match work with
        | FirstOf s -> s.Run.Id + "/first cycle"
        | MethodOf(s, m) -> s.Run.Id + "/" + methodName m
    let execute (work: Work) =
        let s = match work with FirstOf s | MethodOf(s, _) -> s
        lock gate (fun () ->
            if not (locks.ContainsKey s.Run.Id) then locks.[s.Run.Id] <- RunFolder.acquire (runFolder options.Folder s.Run))
        let data = stages.For s.Protocol
        match work with
        | FirstOf s ->
            let ro = { runOptions options.Folder options.Device options.Cancellation stages s.Run s.Protocol ignore with Cancellation = stop.Token }
            let first = CompressTrain.trainFirst ro data
            lock gate (fun () -> s.First <- Some first; s.Ready <- true)
        | MethodOf(s, m) ->
            let counted = ref 0
            let onCycle (pr: CompressTrain.Progress) =
                lock gate (fun () ->
                    if pr.Cycle > counted.Value then
                        for c in counted.Value + 1 .. min pr.Cycle s.Weights.Length do
                            doneWeight.Value <- doneWeight.Value + s.Weights.[c - 1]
                        counted.Value <- pr.Cycle
                    report "")
            let ro = { runOptions options.Folder options.Device options.Cancellation stages s.Run s.Protocol onCycle with Cancellation = stop.Token }
            match s.First with
            | Some first -> CompressTrain.runMethodAfter ro data first m |> ignore
            | None -> CompressTrain.runMethod ro data m |> ignore
            let last =
                lock gate (fun () ->
                    // A resumed method reports only its new cycles: count the rest of its share as done.
                    for c in counted.Value + 1 .. s.Weights.Length do doneWeight.Value <- doneWeight.Value + s.Weights.[c - 1]
                    counted.Value <- s.Weights.Length
                    s.Remaining <- s.Remaining - 1
                    s.Remaining = 0)
            if last then
                s.First |> Option.iter (fun f -> (f :> IDisposable).Dispose())
                s.First <- None
                let digest = finish options.Folder options.Device options.Cancellation stages plan s.Run
                lock gate (fun () ->
                    statuses.[indexOf.[s.Run.Id]] <- { Id = s.Run.Id; State = "done"; Digest = digest }
                    finished.Add s.Run.Id
                    runsDone.Value <- runsDone.Value + 1
                    (locks.[s.Run.Id] :> IDisposable).Dispose()
                    locks.Remove s.Run.Id |> ignore
                    if shardCount = 1 then writeStatus options.Folder plan statuses
                    running.Remove(nameOf work) |> ignore
                    report (s.Run.Id + " finished"))
    let worker () =
        torch.set_num_threads 1
        let mutable go = true
        while go do
            let next =
                lock gate (fun () ->
                    let w = pick ()
                    w |> Option.iter (fun w -> running.Add(nameOf w) |> ignore)
                    w)
            match next with
            | None -> go <- false
            | Some work ->
                let t0 = Stopwatch.GetTimestamp()
                try
                    try execute work
                    with e ->
                        lock gate (fun () ->
                            failures.Add e
                            match e with
                            | CompressTrain.RunCancelled _ -> ()
                            | _ -> stop.Cancel())
                finally
                    lock gate (fun () ->
                        running.Remove(nameOf work) |> ignore
                        taskSeconds.Value <- taskSeconds.Value + Stopwatch.GetElapsedTime(t0).TotalSeconds
                        Monitor.PulseAll gate)
    let taskCount = states |> Array.sumBy (fun s -> s.Remaining + (if s.NeedsFirst then 1 else 0))
    let workers = [| for i in 1 .. min options.Jobs taskCount -> Thread(worker, Name = sprintf "dtc-sweep-%d" i, IsBackground = true) |]
    // Scanned once at the end: it marks the runs left partial, and a shard sees the other shards' runs.
    let mutable final = statuses
    try
        report "started"
        for w in workers do w.Start()
        for w in workers do w.Join()
    finally
        torch.set_num_threads threads
        for s in states do s.First |> Option.iter (fun f -> (f :> IDisposable).Dispose())
        for l in locks.Values do (l :> IDisposable).Dispose()
        final <- (try status options.Folder plan with _ -> statuses)
        if shardCount = 1 then (try writeStatus options.Folder plan final with _ -> ())
    let failure = failures |> Seq.tryFind (function CompressTrain.RunCancelled _ -> false | _ -> true) |> Option.orElse (Seq.tryHead failures)
    match failure with
    | Some e -> Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw()
    | None -> ()
    if stop.IsCancellationRequested && states |> Array.exists (fun s -> s.Remaining > 0) then raise (CompressTrain.RunCancelled("sweep", 0))
    { Status = final; Finished = finished.ToArray(); WallSeconds = sw.Elapsed.TotalSeconds
      TaskSeconds = taskSeconds.Value; Jobs = workers.Length }

/// <summary>One finished run of a merged sweep.</summary>
type MergedRun =
    { /// <summary>The run.</summary>
      Run: Run
      /// <summary>Its results.</summary>
      Results: Results
      /// <summary>The negative controls of its measured methods.</summary>
      Controls: Controls.Controls[] }

/// <summary>A merged sweep: its plan and every run's outputs.</summary>
type Merged =
    { /// <summary>The plan.</summary>
      Plan: Plan
      /// <summary>The runs, in the plan's order.</summary>
      Runs: MergedRun[] }

/// <summary>Merges a sweep from its folder alone (whichever executors or shards wrote it): reads the plan and
/// every run's results and controls, and rewrites <c>sweep.json</c> with the runs' status.</summary>
/// <param name="folder">The sweep folder.</param>
/// <returns>The merged sweep; an <c>InvalidDataException</c> names the runs that are not finished.</returns>
let merge (folder: string) : Merged =
    let plan = Plan.read folder
    let inspected = plan.Runs |> Array.map (inspect folder)
    let statuses = inspected |> Array.map fst
    (try writeStatus folder plan statuses with :? IOException | :? UnauthorizedAccessException -> ())
    let unfinished = statuses |> Array.filter (fun s -> s.State <> "done")
    if unfinished.Length > 0 then
        let shown = unfinished |> Array.truncate 5 |> Array.map (fun s -> sprintf "%s (%s)" s.Id s.State)
        raise (InvalidDataException(
                sprintf "Expecting every run of the sweep in %s to be finished but %d of %d are not: %s%s; run `dtc sweep --out %s` to finish them"
                    folder unfinished.Length statuses.Length (String.Join(", ", shown)) (if unfinished.Length > 5 then ", …" else "") folder))
    { Plan = plan
      Runs =
        Array.map2 (fun r (_, results: Results option) ->
            { Run = r
              Results = results.Value
              Controls = Records.readFileWith Controls.ofJson (controlsPath folder r) }) plan.Runs inspected }

/// <summary>Whether a folder holds a sweep (a <c>sweep.json</c>).</summary>
/// <param name="folder">The folder.</param>
/// <returns>True when it does.</returns>
let isSweep (folder: string) : bool = File.Exists(Path.Combine(folder, Plan.FileName))
