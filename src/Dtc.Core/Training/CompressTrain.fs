/// <summary>
/// Compress-train cycles: train for a fixed number of mini-batches, then remove a fixed fraction of the
/// units of every hidden layer (structured pruning: the layers really get smaller) by the chosen
/// method, evaluate, record, checkpoint; repeat until every hidden layer has at most <c>Stop</c> units.
/// </summary>
module Dtc.Training.CompressTrain

open System
open System.Diagnostics
open System.IO
open System.Threading
open TorchSharp
open Dtc.Pruning
open Dtc.Training.Protocol
open Dtc.Training.Records
open Dtc.Training.Kept

/// <summary>Progress of a run, reported after every cycle.</summary>
type Progress =
    { /// <summary>The method running.</summary>
      Method: string
      /// <summary>The cycle just finished (from 1).</summary>
      Cycle: int
      /// <summary>The number of cycles the schedule predicts for this method.</summary>
      TotalCycles: int
      /// <summary>Hidden widths after the cycle.</summary>
      Widths: int[]
      /// <summary>Test accuracy after the cycle.</summary>
      Accuracy: float
      /// <summary>Seconds since this method started (this process).</summary>
      Elapsed: float }

/// <summary>How a run is carried out (not what it computes: that is the protocol).</summary>
type RunOptions =
    { /// <summary>The protocol.</summary>
      Protocol: Protocol
      /// <summary>Device of the model and the staged data.</summary>
      Device: torch.Device
      /// <summary>Folder for checkpoints (one file per method), or None for no checkpoints.</summary>
      CheckpointDir: string option
      /// <summary>Continue from the checkpoints in <c>CheckpointDir</c> when they exist.</summary>
      Resume: bool
      /// <summary>Text that identifies the data (name and sizes), part of the checkpoint fingerprint; empty lets
      /// <see cref="M:Dtc.Training.CompressTrain.run(Dtc.Training.CompressTrain.RunOptions,Dtc.Data.Datasets.Dataset)"/>
      /// derive it from the data set.</summary>
      DataFingerprint: string
      /// <summary>TorchSharp intra-op threads for the run, restored afterwards; 0 keeps the current setting.</summary>
      Threads: int
      /// <summary>Cycles whose network <see cref="M:Dtc.Training.CompressTrain.runModels(Dtc.Training.CompressTrain.RunOptions,Dtc.Data.Datasets.Dataset)"/>
      /// keeps besides each method's final one (cycles a resumed run had already done are not kept).</summary>
      ModelCycles: int list
      /// <summary>Batch sizes at which the methods' final networks and the dense network are timed for the
      /// results' footprints; empty for no timing.</summary>
      LatencyBatches: int list
      /// <summary>Called after every cycle.</summary>
      OnProgress: Progress -> unit
      /// <summary>Checked between cycles: when cancelled, the run stops at that safe point (after checkpointing).</summary>
      Cancellation: CancellationToken }

    /// <summary>The paper's protocol on the CPU, no checkpoints, no progress reports, not cancellable;
    /// adjust with <c>{ RunOptions.defaults with Protocol = … }</c>.</summary>
    static member defaults =
        { Protocol = Protocol.paper
          Device = Dtc.Runtime.Torch.cpu ()
          CheckpointDir = None
          Resume = false
          DataFingerprint = ""
          Threads = 0
          ModelCycles = []
          LatencyBatches = [ 1; 512 ]
          OnProgress = ignore
          Cancellation = CancellationToken.None }

/// <summary>Raised when a run stops at a safe point because it was cancelled; its checkpoints allow <c>Resume</c>.</summary>
exception RunCancelled of methodName: string * cycle: int

let private fingerprint (options: RunOptions) (method: Method) =
    let text = String.Join(";", describeFor options.Protocol method |> List.map (fun (k, v) -> k + "=" + v)) + ";" + options.DataFingerprint
    Convert.ToHexString(Security.Cryptography.SHA256.HashData(Text.Encoding.UTF8.GetBytes text)).Substring(0, 16)

/// <summary>The first cycle's training, which every method that starts fresh shares: the same initial model
/// trained on the same mini-batches. Dispose it once the methods that share it have finished.</summary>
type FirstCycle =
    { /// <summary>The trained model, before any compression.</summary>
      Model: Model.Mlp
      /// <summary>The mean training loss of the cycle.</summary>
      Loss: float
      /// <summary>Seconds the training took.</summary>
      TrainSeconds: float
      /// <summary>The test accuracy of the trained, uncompressed model.</summary>
      InitialAccuracy: float
      /// <summary>The position in the training data after the cycle.</summary>
      Position: int64 }

    interface IDisposable with
        member f.Dispose() = (f.Model :> IDisposable).Dispose()

let private initialModel (options: RunOptions) (p: Protocol) (data: Steps.Staged) =
    let widths = Array.concat [ [| int data.Train.Inputs.shape.[1] |]; p.Hidden; [| data.ClassCount |] ]
    Model.create p.InitSeed p.Bias p.LogSoftmaxOverBatch torch.float32 options.Device widths

/// Trains the first cycle of the protocol on the initial model.
let private trainFirstCycle (options: RunOptions) (p: Protocol) (data: Steps.Staged) : FirstCycle =
    let t0 = Stopwatch.GetTimestamp()
    let model = initialModel options p data
    try
        let loss =
            use opt = Adam.create p.LearningRate model.Parameters
            Steps.trainModel opt model (Steps.trainColumns p.ShuffleSeed data) 0L p.BatchesPerCycle
        let accuracy = fst (Steps.evaluate (Model.forward model) data)
        { Model = model; Loss = loss; TrainSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds
          InitialAccuracy = accuracy; Position = int64 p.BatchesPerCycle }
    with _ ->
        (model :> IDisposable).Dispose()
        reraise ()

/// The checkpoint file of a method, when the run keeps checkpoints.
let private checkpointPath (options: RunOptions) (method: Method) =
    options.CheckpointDir |> Option.map (fun d -> Path.Combine(d, methodName method + ".ckpt"))

let private checkData (p: Protocol) (data: Steps.Staged) =
    if data.Train.BatchSize <> p.BatchSize || data.Test.BatchSize <> p.BatchSize then
        invalidArg (nameof data) (sprintf "Expecting data staged in batches of %d (the protocol's BatchSize) but received %d (train) and %d (test)"
                                      p.BatchSize data.Train.BatchSize data.Test.BatchSize)
    // Checked before the model is made: a width whose model cannot fit would fail in native code.
    let inputs = int data.Train.Inputs.shape.[1]
    let needed = Model.trainingBytes p inputs data.ClassCount
    let available = float (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
    if needed > available then
        raise (ArgumentException(
                sprintf "Expecting hidden widths whose model fits in memory but received %s: a %d-%s-%d model needs about %.3g GB to train (batch %d), more than the %.3g GB this machine has"
                    (String.Join(",", p.Hidden)) inputs (String.Join("-", p.Hidden)) data.ClassCount (needed / 1e9) p.BatchSize (available / 1e9)))

/// The cycles of one method, from its checkpoint, from a shared first cycle (whose model it does not
/// dispose), or from the initial model.
/// What differs between a checkpoint's protocol and data and the run's, one "name: old in the checkpoint, new now" each.
let private differences (header: Checkpoint.Header) (options: RunOptions) (method: Method) =
    let now = describeFor options.Protocol method
    let before = Map.ofArray header.Protocol
    let settings =
        [ for k, v in now do
              match before.TryFind k with
              | Some old when old = v -> ()
              | Some old -> yield sprintf "%s: %s in the checkpoint, %s now" k old v
              | None -> yield sprintf "%s: absent from the checkpoint, %s now" k v
          for k, old in header.Protocol do
              if not (now |> List.exists (fun (n, _) -> n = k)) then yield sprintf "%s: %s in the checkpoint, absent now" k old ]
    let data = if header.Data = options.DataFingerprint then [] else [ sprintf "data: %s in the checkpoint, %s now" header.Data options.DataFingerprint ]
    settings @ data

/// <summary>The wall-clock seconds of the earlier sessions of a run: the most any of the methods' checkpoints
/// recorded (0 for a fresh run, or without <c>Resume</c>).</summary>
/// <param name="options">How the run is carried out (its checkpoint folder and <c>Resume</c>).</param>
/// <param name="methods">The methods.</param>
/// <returns>Seconds.</returns>
let recordedWallSeconds (options: RunOptions) (methods: Method list) =
    if not options.Resume then 0.0
    else
        methods
        |> List.choose (fun m ->
            options.CheckpointDir |> Option.map (fun d -> Path.Combine(d, methodName m + ".ckpt")) |> Option.filter File.Exists)
        |> List.map (fun path ->
            let header, model = Checkpoint.read torch.CPU path
            (model :> IDisposable).Dispose()
            header.WallSeconds)
        |> List.fold max 0.0

/// The cycles of one method; `wall` gives the run's wall-clock seconds so far over every session.
/// With `keepModels`, it also returns the networks of `options.ModelCycles` and the final one (the caller disposes them).
let private runCycles (options: RunOptions) (data: Steps.Staged) (method: Method) (first: FirstCycle option) (wall: unit -> float)
                      (keepModels: bool) : MethodRun * KeptModel list =
    let p = validate options.Protocol
    checkData p data
    let name = methodName method
    let fp = fingerprint options method
    let checkpointPath = checkpointPath options method
    let resumed =
        match checkpointPath with
        | Some path when options.Resume && File.Exists path ->
            let header, model = Checkpoint.read options.Device path
            if header.Fingerprint <> fp || header.Method <> name then
                (model :> IDisposable).Dispose()
                let differ = differences header options method
                let what =
                    if header.Method <> name then sprintf "it holds the method %s" header.Method
                    elif differ.IsEmpty then sprintf "it has fingerprint %s" header.Fingerprint
                    else String.Join("; ", differ)
                raise (ArgumentException(
                        sprintf "Expecting the checkpoint %s to come from the same protocol and data (fingerprint %s) but %s; remove it or run without --resume" path fp what))
            Some(header, model)
        | _ -> None
    let initialWidths = p.Hidden
    let first = if resumed.IsSome then None else first
    let mutable model, cycles, position, initialAccuracy, finished =
        match resumed, first with
        | Some(h, m), _ -> m, ResizeArray h.Cycles, h.Position, h.InitialAccuracy, h.Finished
        | None, Some f -> Model.copy f.Model, ResizeArray(), f.Position, f.InitialAccuracy, false
        | None, None -> initialModel options p data, ResizeArray(), 0L, nan, false
    let total = Selection.schedule p.Count p.Keep p.Stop (Array.max initialWidths) |> List.length
    let sw = Stopwatch.StartNew()
    let batch = Steps.trainColumns p.ShuffleSeed data
    let kept = ResizeArray<KeptModel>()
    try
        try
            while not finished do
                let cycle = cycles.Count + 1
                // Train (the first cycle may have been trained already, once for every method).
                let t0 = Stopwatch.GetTimestamp()
                let loss, trainSeconds =
                    match first with
                    | Some f when cycle = 1 -> f.Loss, f.TrainSeconds
                    | _ ->
                        let start = match p.DataPosition with RestartEachCycle -> 0L | Continue -> position
                        // A new Adam optimiser each cycle, as the supplement (the compressed layers are new parameters).
                        let loss =
                            use opt = Adam.create p.LearningRate model.Parameters
                            Steps.trainModel opt model batch start p.BatchesPerCycle
                        position <- start + int64 p.BatchesPerCycle
                        if cycle = 1 then initialAccuracy <- fst (Steps.evaluate (Model.forward model) data)
                        loss, Stopwatch.GetElapsedTime(t0).TotalSeconds
                // Compress.
                let t1 = Stopwatch.GetTimestamp()
                let next, layers = Compression.once p method model
                (model :> IDisposable).Dispose()
                model <- next
                let t2 = Stopwatch.GetTimestamp()
                // Evaluate.
                let exact, batchMean = Steps.evaluate (Model.forward model) data
                let t3 = Stopwatch.GetTimestamp()
                let widths = model.Hidden
                let record =
                    { Cycle = cycle
                      Widths = widths
                      FractionRemoved = 1.0 - float (Array.sum widths) / float (Array.sum initialWidths)
                      TestAccuracy = exact
                      TestAccuracyBatchMean = batchMean
                      TrainLoss = loss
                      Layers = layers
                      TrainSeconds = trainSeconds
                      CompressSeconds = Stopwatch.GetElapsedTime(t1, t2).TotalSeconds
                      EvalSeconds = Stopwatch.GetElapsedTime(t2, t3).TotalSeconds }
                cycles.Add record
                finished <- widths |> Array.forall (fun w -> w <= p.Stop) || layers |> Array.forall (fun l -> l.WidthAfter = l.WidthBefore)
                if keepModels && not finished && List.contains cycle options.ModelCycles then kept.Add(Kept.ofModel name cycle false model)
                checkpointPath |> Option.iter (fun path ->
                    Checkpoint.write path
                        { Method = name; Fingerprint = fp; Position = position; Bias = p.Bias
                          LogSoftmaxOverBatch = p.LogSoftmaxOverBatch; InitialAccuracy = initialAccuracy
                          Cycles = cycles.ToArray(); Finished = finished
                          Protocol = describeFor options.Protocol method |> Array.ofList; Data = options.DataFingerprint; WallSeconds = wall () }
                        model)
                options.OnProgress
                    { Method = name; Cycle = cycle; TotalCycles = total; Widths = widths; Accuracy = exact; Elapsed = sw.Elapsed.TotalSeconds }
                if not finished && options.Cancellation.IsCancellationRequested then raise (RunCancelled(name, cycle))
            if keepModels then kept.Add(Kept.ofModel name cycles.Count true model)
            { Method = name; InitialAccuracy = initialAccuracy; Cycles = cycles.ToArray() }, List.ofSeq kept
        with _ ->
            Kept.disposeAll kept
            reraise ()
    finally
        (model :> IDisposable).Dispose()

/// Runs `body` with TorchSharp's intra-op threads as the reproducibility mode allows (one in the portable
/// mode), restoring the setting afterwards.
let private withModeThreads (body: unit -> 'T) : 'T =
    let threads = torch.get_num_threads ()
    let allowed = Dtc.Runtime.Reproducibility.intraOpThreads threads
    if allowed = threads then body ()
    else
        torch.set_num_threads allowed
        try body () finally torch.set_num_threads threads

/// <summary>Runs one method from the protocol's initial model to the stop size, on the calling thread
/// with TorchSharp's current number of intra-op threads.</summary>
/// <param name="options">How to run.</param>
/// <param name="data">Staged data on <c>options.Device</c>.</param>
/// <param name="method">The method.</param>
/// <returns>The method's cycles.</returns>
let runMethod (options: RunOptions) (data: Steps.Staged) (method: Method) : MethodRun =
    let earlier = recordedWallSeconds options [ method ]
    let sw = Stopwatch.StartNew()
    withModeThreads (fun () -> runCycles options data method None (fun () -> earlier + sw.Elapsed.TotalSeconds) false |> fst)

/// <summary>Trains the protocol's first cycle once, for methods that will start from it
/// (<see cref="M:Dtc.Training.CompressTrain.runMethodAfter(Dtc.Training.CompressTrain.RunOptions,Dtc.Training.Steps.Staged,Dtc.Training.CompressTrain.FirstCycle,Dtc.Training.Protocol.Method)"/>),
/// on the calling thread with TorchSharp's current number of intra-op threads. A method started from it
/// computes the same numbers as one that trains its first cycle itself with the same thread count.</summary>
/// <param name="options">How to run (its protocol).</param>
/// <param name="data">Staged data on <c>options.Device</c>.</param>
/// <returns>The trained first cycle; the caller disposes it.</returns>
let trainFirst (options: RunOptions) (data: Steps.Staged) : FirstCycle =
    let p = validate options.Protocol
    checkData p data
    withModeThreads (fun () -> trainFirstCycle options p data)

/// <summary>Runs one method from a shared first cycle (or from its checkpoint, when resuming one), on the calling
/// thread with TorchSharp's current number of intra-op threads.</summary>
/// <param name="options">How to run.</param>
/// <param name="data">Staged data on <c>options.Device</c>.</param>
/// <param name="first">The first cycle (not disposed).</param>
/// <param name="method">The method.</param>
/// <returns>The method's cycles.</returns>
let runMethodAfter (options: RunOptions) (data: Steps.Staged) (first: FirstCycle) (method: Method) : MethodRun =
    let earlier = recordedWallSeconds options [ method ]
    let sw = Stopwatch.StartNew()
    withModeThreads (fun () -> runCycles options data method (Some first) (fun () -> earlier + sw.Elapsed.TotalSeconds) false |> fst)

/// <summary>The intra-op threads each method's thread gets when methods run concurrently: all of them for
/// one method, else \(\max(1, \lfloor T/k \rfloor)\).</summary>
/// <param name="threads">TorchSharp's intra-op threads \(T\).</param>
/// <param name="methods">The number of methods \(k\).</param>
/// <returns>The threads per method.</returns>
let threadsPerMethod (threads: int) (methods: int) : int =
    if methods <= 1 then threads else max 1 (threads / methods)

/// <summary>Runs the protocol's methods from its initial model to the stop size, concurrently.</summary>
/// <remarks>
/// <para>The first cycle's training is the same for every method that starts fresh (same initial model,
/// same mini-batches), so it runs once, with all of TorchSharp's intra-op threads. The methods then
/// run at the same time, each on its own thread with \(\max(1, \lfloor T/k \rfloor)\) intra-op threads
/// (\(T\) the current setting, \(k\) the number of methods): on a small machine one core per method
/// does more work than all cores on one method after another, since a single-threaded matrix product
/// runs close to a core's peak and the fixed cost of each step overlaps. TorchSharp's thread setting
/// is restored at the end.</para>
/// <para>The numbers are reproducible for the same protocol, methods and thread count. The thread count
/// can change the last bits (a matrix-product kernel may sum in another order), so a method run alone
/// with <see cref="M:Dtc.Training.CompressTrain.runMethod(Dtc.Training.CompressTrain.RunOptions,Dtc.Training.Steps.Staged,Dtc.Training.Protocol.Method)"/>
/// can differ slightly from the same method run with others.</para>
/// <para><c>OnProgress</c> is called from the methods' threads, one call at a time. When a method fails,
/// the others stop at their next safe point and the failure is raised; when the run is cancelled,
/// every method stops at its next safe point (after its checkpoint) and <c>RunCancelled</c> is raised.</para>
/// </remarks>
/// <param name="options">How to run.</param>
/// <param name="data">Staged data on <c>options.Device</c>.</param>
/// <returns>Each method's cycles, in the order of the protocol's <c>Methods</c>.</returns>
let rec runMethods (options: RunOptions) (data: Steps.Staged) : MethodRun[] =
    let earlier = recordedWallSeconds options options.Protocol.Methods
    let sw = Stopwatch.StartNew()
    runMethodsTimed options data (fun () -> earlier + sw.Elapsed.TotalSeconds) false |> Array.map fst

/// runMethods with the run's clock (wall-clock seconds over every session), keeping the methods' networks when asked.
and private runMethodsTimed (options: RunOptions) (data: Steps.Staged) (wall: unit -> float) (keepModels: bool) : (MethodRun * KeptModel list)[] =
    let p = validate options.Protocol
    checkData p data
    let methods = p.Methods
    match methods with
    | [ single ] -> [| withModeThreads (fun () -> runCycles options data single None wall keepModels) |]
    | _ ->
    withModeThreads <| fun () ->
    let threads = torch.get_num_threads ()
    let perMethod = threadsPerMethod threads methods.Length
    let fresh =
        methods |> List.filter (fun m ->
            match checkpointPath options m with
            | Some path when options.Resume -> not (File.Exists path)
            | _ -> true)
    let first = if fresh.Length >= 2 then Some(trainFirstCycle options p data) else None
    use _ = { new IDisposable with member _.Dispose() = first |> Option.iter (fun f -> (f :> IDisposable).Dispose()) }
    use stop = CancellationTokenSource.CreateLinkedTokenSource(options.Cancellation)
    let gate = obj ()
    let shared =
        { options with
            Cancellation = stop.Token
            OnProgress = fun progress -> lock gate (fun () -> options.OnProgress progress) }
    let results : Result<MethodRun * KeptModel list, exn>[] = Array.zeroCreate methods.Length
    let workers =
        methods |> List.mapi (fun i m ->
            let worker () =
                try
                    torch.set_num_threads perMethod
                    results.[i] <- Ok(runCycles shared data m first wall keepModels)
                with e ->
                    results.[i] <- Error e
                    match e with
                    | RunCancelled _ -> ()
                    | _ -> stop.Cancel()
            Thread(worker, Name = "dtc-" + methodName m, IsBackground = true))
    try
        for w in workers do w.Start()
        for w in workers do w.Join()
    finally
        torch.set_num_threads threads
    let errors = results |> Array.choose (function Error e -> Some e | Ok _ -> None)
    // A real failure wins over the cancellations it caused.
    let failure = errors |> Array.tryFind (function RunCancelled _ -> false | _ -> true) |> Option.orElse (Array.tryHead errors)
    match failure with
    | Some e ->
        for r in results do match r with Ok(_, kept) -> Kept.disposeAll kept | Error _ -> ()
        Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw(); [||]
    | None -> results |> Array.map (function Ok r -> r | Error e -> raise e)

/// <summary>Gathers methods' records into the results of a run, with the run's metadata (see
/// <see cref="M:Dtc.Training.RunMetadata.gather(Dtc.Training.Protocol.Protocol,TorchSharp.torch.Device,System.String,Dtc.Training.Steps.Staged,System.Int32,System.DateTime,System.Double,Dtc.Training.Records.MethodRun[])"/>).</summary>
/// <param name="options">How the methods were run (their protocol and device).</param>
/// <param name="dataset">Dataset name for the metadata.</param>
/// <param name="data">The staged data the methods ran on.</param>
/// <param name="threadsPerMethod">The intra-op threads each method ran with.</param>
/// <param name="started">When the run started (UTC).</param>
/// <param name="wallSeconds">The run's wall-clock seconds over every session.</param>
/// <param name="runs">The methods' records, in order.</param>
/// <returns>The results.</returns>
let gather (options: RunOptions) (dataset: string) (data: Steps.Staged) (threadsPerMethod: int) (started: DateTime)
           (wallSeconds: float) (runs: MethodRun[]) : Results =
    RunMetadata.gather options.Protocol options.Device dataset data threadsPerMethod started wallSeconds runs

/// <summary>Runs the protocol's methods on data already staged, each from the same initial model, and gathers the
/// results with metadata and footprints; keeps each method's final network and those of <c>options.ModelCycles</c>
/// (see <see cref="M:Dtc.Training.CompressTrain.runMethods(Dtc.Training.CompressTrain.RunOptions,Dtc.Training.Steps.Staged)"/>).</summary>
/// <param name="options">How to run.</param>
/// <param name="dataset">Dataset name for the metadata.</param>
/// <param name="data">Staged data on <c>options.Device</c>, in batches of the protocol's <c>BatchSize</c>.</param>
/// <returns>The results and the networks; the caller disposes it.</returns>
let runStagedModels (options: RunOptions) (dataset: string) (data: Steps.Staged) : ModelRun =
    let started = DateTime.UtcNow
    // After a resume the wall time covers every session: the earlier ones are recorded in the checkpoints.
    let earlier = recordedWallSeconds options options.Protocol.Methods
    let sw = Stopwatch.StartNew()
    let wall () = earlier + sw.Elapsed.TotalSeconds
    let runs = runMethodsTimed options data wall true
    let models = runs |> Array.collect (snd >> Array.ofList)
    try
        let threads = Dtc.Runtime.Reproducibility.intraOpThreads (torch.get_num_threads ())
        let results = gather options dataset data (threadsPerMethod threads options.Protocol.Methods.Length) started (wall ()) (Array.map fst runs)
        let footprints = Kept.footprints options.Protocol options.Device options.LatencyBatches models
        { Results = { results with Footprints = footprints }; Models = models }
    with _ ->
        Kept.disposeAll models
        reraise ()

/// <summary>Runs the protocol's methods on data already staged, each from the same initial model, and gathers
/// the results with metadata and footprints (see <see cref="M:Dtc.Training.CompressTrain.runStagedModels(Dtc.Training.CompressTrain.RunOptions,System.String,Dtc.Training.Steps.Staged)"/>;
/// the networks are released).</summary>
/// <param name="options">How to run.</param>
/// <param name="dataset">Dataset name for the metadata.</param>
/// <param name="data">Staged data on <c>options.Device</c>, in batches of the protocol's <c>BatchSize</c>.</param>
/// <returns>The results.</returns>
let runStaged (options: RunOptions) (dataset: string) (data: Steps.Staged) : Results =
    use run = runStagedModels options dataset data
    run.Results

/// <summary>The text that identifies a data set in checkpoints: its name and the sizes of its splits.</summary>
/// <param name="dataset">The data set.</param>
/// <returns><c>name:train:test</c>.</returns>
let dataFingerprint (dataset: Dtc.Data.Datasets.Dataset) : string =
    sprintf "%s:%d:%d" dataset.Name dataset.Train.Count dataset.Test.Count

/// <summary>Runs the protocol's methods on a data set, each from the same initial model, and gathers the results
/// with metadata and footprints, keeping each method's final network and those of <c>options.ModelCycles</c>:
/// stages the data on <c>options.Device</c> (normalised as the protocol says, in batches of its batch size), runs
/// with <c>options.Threads</c> intra-op threads (restoring the setting), and releases the staged tensors.</summary>
/// <param name="options">How to run; an empty <c>DataFingerprint</c> is derived from the data set.</param>
/// <param name="dataset">The data set.</param>
/// <returns>The results and the networks; the caller disposes it.</returns>
let runModels (options: RunOptions) (dataset: Dtc.Data.Datasets.Dataset) : ModelRun =
    let p = validate options.Protocol
    if options.Threads < 0 then
        invalidArg (nameof options) (sprintf "Expecting Threads of at least 0 (0: the current setting) but received %d" options.Threads)
    let options = if String.IsNullOrEmpty options.DataFingerprint then { options with DataFingerprint = dataFingerprint dataset } else options
    Dtc.Runtime.Torch.withThreads options.Threads (fun () ->
        use data = Steps.stage p.Normalisation p.BatchSize options.Device dataset
        runStagedModels options dataset.Name data)

/// <summary>Runs the protocol's methods on a data set and gathers the results, as
/// <see cref="M:Dtc.Training.CompressTrain.runModels(Dtc.Training.CompressTrain.RunOptions,Dtc.Data.Datasets.Dataset)"/>
/// does, releasing the networks.</summary>
/// <param name="options">How to run; an empty <c>DataFingerprint</c> is derived from the data set.</param>
/// <param name="dataset">The data set.</param>
/// <returns>The results.</returns>
let run (options: RunOptions) (dataset: Dtc.Data.Datasets.Dataset) : Results =
    use run = runModels options dataset
    run.Results
