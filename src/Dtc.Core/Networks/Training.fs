/// <summary>
/// Compress-train cycles for a user's network: train for <c>BatchesPerCycle</c> mini-batches with the
/// user's optimiser and loss, compress every group once (<see cref="M:Dtc.Networks.Network.compressOnce(Dtc.Training.Protocol.Protocol,Dtc.Training.Protocol.Method,Dtc.Networks.Network.Network)"/>),
/// evaluate, record; until every group is at most <c>Stop</c> wide. Methods compared start from the same
/// initial weights.
/// </summary>
module Dtc.Networks.Training

open System
open System.Diagnostics
open TorchSharp
open TorchSharp.Modules
open Dtc.Data
open Dtc.Training
open Dtc.Training.Records
open Dtc.Networks.Network

/// <summary>What one cycle did to a network.</summary>
type NetworkCycle =
    { /// <summary>Cycle number, from 1.</summary>
      Cycle: int
      /// <summary>The groups' widths after the cycle.</summary>
      Widths: int[]
      /// <summary>The module's parameter count after the cycle.</summary>
      Parameters: int64
      /// <summary>Fraction of the initial parameters removed so far.</summary>
      FractionRemoved: float
      /// <summary>Test accuracy after the cycle's compression: correct / total.</summary>
      TestAccuracy: float
      /// <summary>Mean training loss over the cycle's mini-batches.</summary>
      TrainLoss: float
      /// <summary>Per group (<c>Layer</c> is the group's index).</summary>
      Groups: LayerCycle[]
      /// <summary>Seconds spent training.</summary>
      TrainSeconds: float
      /// <summary>Seconds spent compressing.</summary>
      CompressSeconds: float
      /// <summary>Seconds spent evaluating.</summary>
      EvalSeconds: float }

/// <summary>All cycles of one method on a network.</summary>
type NetworkRun =
    { /// <summary>The method's name (<c>magnitude</c>, <c>random</c>, <c>dtc</c>).</summary>
      Method: string
      /// <summary>The groups' widths before any compression.</summary>
      InitialWidths: int[]
      /// <summary>The parameter count before any compression.</summary>
      InitialParameters: int64
      /// <summary>Test accuracy after the first cycle's training, before its compression.</summary>
      InitialAccuracy: float
      /// <summary>The cycles in order.</summary>
      Cycles: NetworkCycle[] }

/// <summary>A run of several methods on one network and data set.</summary>
type NetworkResults =
    { /// <summary>Schema of this record: <c>network-1</c>.</summary>
      Schema: string
      /// <summary>The data set's name.</summary>
      Dataset: string
      /// <summary>Training samples.</summary>
      TrainSize: int
      /// <summary>Test samples.</summary>
      TestSize: int
      /// <summary>The shape of one input sample.</summary>
      SampleShape: int[]
      /// <summary>The groups before compression.</summary>
      Groups: Groups.GroupInfo[]
      /// <summary>The protocol's settings as name/value text pairs.</summary>
      Protocol: Collections.Generic.IDictionary<string, string>
      /// <summary>Intra-op threads of TorchSharp during the run.</summary>
      Threads: int
      /// <summary>Wall-clock seconds of the whole run.</summary>
      WallSeconds: float
      /// <summary>One entry per method, in order.</summary>
      Methods: NetworkRun[]
      /// <summary>What the compression bought: each method's compressed network against a dense one from the builder
      /// (parameters; FLOPs per sample for a Sequential Dtc can describe; latency at <c>LatencyBatches</c>).</summary>
      Footprints: Dtc.Models.Footprint.Comparison[] }

/// <summary>How a user's network is trained between compressions.</summary>
type Options =
    { /// <summary>The protocol: batch size, batches per cycle, learning rate, keep fraction, stop size, the
    /// methods' settings, the data's normalisation (its <c>Hidden</c>, <c>Bias</c>, <c>InitSeed</c> and
    /// <c>LogSoftmaxOverBatch</c> concern the MLP trainer only).</summary>
      Protocol: Protocol.Protocol
      /// <summary>Makes the optimiser of a cycle from the module's parameters (a new one each cycle, as the
      /// paper: the sliced layers hold new parameters); None for Adam with the protocol's learning rate.</summary>
      Optimizer: (Parameter seq -> torch.optim.Optimizer) option
      /// <summary>The loss of a batch from the module's output and the targets (int64 class indices), a
      /// scalar; None for the cross-entropy of the outputs taken as logits.</summary>
      Loss: (torch.Tensor -> torch.Tensor -> torch.Tensor) option
      /// <summary>Batch sizes at which the compressed and the dense networks are timed for the results' footprints;
      /// empty for no timing.</summary>
      LatencyBatches: int list
      /// <summary>Called after every cycle with the method's name and the cycle's record.</summary>
      OnCycle: string -> NetworkCycle -> unit }

    /// <summary>The paper's protocol, Adam, cross-entropy, no progress reports.</summary>
    static member defaults =
        { Protocol = Protocol.Protocol.paper; Optimizer = None; Loss = None; LatencyBatches = [ 1; 512 ]; OnCycle = fun _ _ -> () }

/// <summary>Stages a data set for training a network: both splits on the device, normalised with the
/// protocol's normalisation, in batches of its batch size (flat float32 rows, <c>n × F</c>).</summary>
/// <param name="protocol">The protocol.</param>
/// <param name="device">The device (the module's).</param>
/// <param name="dataset">The data set.</param>
/// <returns>The staged data; the caller disposes it.</returns>
let stage (protocol: Protocol.Protocol) (device: torch.Device) (dataset: Datasets.Dataset) : Steps.Staged =
    Steps.stage protocol.Normalisation protocol.BatchSize device dataset

/// A batch of flat rows viewed as b × sampleShape (no copy), converted to the module's dtype when it differs
/// from the staged float32.
let private shaped (network: Network) (x: torch.Tensor) : torch.Tensor =
    let view = x.view([| yield x.shape.[0]; for s in network.SampleShape -> int64 s |])
    match network.Module.parameters() |> Seq.tryHead with
    | Some p when p.dtype <> view.dtype -> view.``to``(p.dtype)
    | _ -> view

let private checkShape (network: Network) (data: Steps.Staged) =
    let features = data.Train.Inputs.shape.[1]
    let product = network.SampleShape |> Array.fold (fun a s -> a * int64 s) 1L
    if product <> features then
        raise (ArgumentException(sprintf "Expecting a sample shape of %d values (the data's features) but received [%s] (%d values)"
                                     features (String.Join(", ", network.SampleShape)) product))

/// <summary>Trains a network for a number of mini-batches from a position in the training data, in training
/// mode, with a new optimiser from the options.</summary>
/// <param name="options">The optimiser, loss and protocol (its shuffle seed).</param>
/// <param name="data">The staged data, on the module's device.</param>
/// <param name="start">The first batch's position (epochs follow one another).</param>
/// <param name="count">How many mini-batches (at least 0).</param>
/// <param name="network">The network, trained in place.</param>
/// <returns>The mean training loss (NaN for no mini-batch).</returns>
/// <exception cref="T:System.InvalidOperationException">The mean loss is not finite (a diverged training).</exception>
let train (options: Options) (data: Steps.Staged) (start: int64) (count: int) (network: Network) : float =
    checkShape network data
    let p = options.Protocol
    network.Module.train()
    use optimizer =
        match options.Optimizer with
        | Some make -> make (network.Module.parameters())
        | None -> torch.optim.Adam(network.Module.parameters(), p.LearningRate)
    let loss = defaultArg options.Loss (fun output target -> torch.nn.functional.cross_entropy(output, target))
    let mutable total : torch.Tensor = null
    try
        for k in 0 .. count - 1 do
            use scope = torch.NewDisposeScope()
            let x, y = Steps.trainBatch p.ShuffleSeed data (start + int64 k)
            optimizer.zero_grad()
            let value = loss (network.Module.forward(shaped network x)) y
            value.backward()
            optimizer.step() |> ignore
            use _ = torch.no_grad ()
            let v = value.detach().``to``(torch.float64)
            if isNull total then total <- v.clone().MoveToOuterDisposeScope()
            else Dtc.Runtime.Torch.addInPlace total v |> ignore
        let mean = if isNull total then nan else total.item<float>() / float count
        if count > 0 && not (Double.IsFinite mean) then
            // oneDNN's float32 convolutions returned NaN now and then on an AVX-512 AMD EPYC (capped at AVX2
            // too, more rarely); float64 convolutions do not use oneDNN.
            raise (InvalidOperationException(
                    sprintf "Expecting a finite training loss but received %g over %d mini-batches from position %d: the training diverged, or a native kernel returned NaN (oneDNN's float32 convolutions did on some processors; float64 parameters avoid them)"
                        mean count start))
        mean
    finally
        if not (isNull total) then total.Dispose()

/// <summary>Test accuracy of a network in evaluation mode, exact (correct / total) and the mean of the
/// per-batch accuracies.</summary>
/// <param name="data">The staged data.</param>
/// <param name="network">The network.</param>
/// <returns>(exact, batch mean).</returns>
let evaluate (data: Steps.Staged) (network: Network) : float * float =
    checkShape network data
    network.Module.eval()
    Steps.evaluate (fun x -> network.Module.forward(shaped network x)) data

/// <summary>Runs one method on a network, in place: cycles of training, compression and evaluation until
/// every group is at most the stop size (or a compression removes nothing).</summary>
/// <param name="options">How to train.</param>
/// <param name="data">The staged data, on the module's device.</param>
/// <param name="method">The method.</param>
/// <param name="network">The network, trained and compressed in place.</param>
/// <returns>The method's cycles.</returns>
let runMethod (options: Options) (data: Steps.Staged) (method: Protocol.Method) (network: Network) : NetworkRun =
    let p = Protocol.validate options.Protocol
    checkShape network data
    let name = Protocol.methodName method
    let initialWidths = widths network
    let initialParameters = parameterCount network
    let cycles = ResizeArray()
    let mutable position, initialAccuracy, finished = 0L, nan, false
    while not finished do
        let cycle = cycles.Count + 1
        let t0 = Stopwatch.GetTimestamp()
        let start = match p.DataPosition with Protocol.RestartEachCycle -> 0L | Protocol.Continue -> position
        let loss = train options data start p.BatchesPerCycle network
        position <- start + int64 p.BatchesPerCycle
        if cycle = 1 then initialAccuracy <- fst (evaluate data network)
        let t1 = Stopwatch.GetTimestamp()
        let groups = compressOnce p method network
        let t2 = Stopwatch.GetTimestamp()
        let accuracy = fst (evaluate data network)
        let t3 = Stopwatch.GetTimestamp()
        let parameters = parameterCount network
        let record =
            { Cycle = cycle
              Widths = widths network
              Parameters = parameters
              FractionRemoved = 1.0 - float parameters / float initialParameters
              TestAccuracy = accuracy
              TrainLoss = loss
              Groups = groups
              TrainSeconds = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds
              CompressSeconds = Stopwatch.GetElapsedTime(t1, t2).TotalSeconds
              EvalSeconds = Stopwatch.GetElapsedTime(t2, t3).TotalSeconds }
        cycles.Add record
        options.OnCycle name record
        finished <- record.Widths |> Array.forall (fun w -> w <= p.Stop) || groups |> Array.forall (fun g -> g.WidthAfter = g.WidthBefore)
    { Method = name; InitialWidths = initialWidths; InitialParameters = initialParameters
      InitialAccuracy = initialAccuracy; Cycles = cycles.ToArray() }

/// <summary>A run of several methods on a network with each method's compressed network, live. Dispose it to
/// release the modules.</summary>
type NetworkModelRun =
    { /// <summary>The results.</summary>
      Results: NetworkResults
      /// <summary>Each method's name and compressed network, in the protocol's order.</summary>
      Networks: (string * Network)[] }

    interface IDisposable with
        member r.Dispose() = for _, n in r.Networks do n.Module.Dispose()

/// The methods' runs, each network disposed after its method unless `keep`.
let private runEach (options: Options) (data: Steps.Staged) (build: unit -> Network) (keep: bool) : (NetworkRun * Network option)[] =
    let methods = (Protocol.validate options.Protocol).Methods
    let first = build ()
    let initial =
        use _ = torch.no_grad ()
        first.Module.state_dict() |> Seq.map (fun kv -> kv.Key, kv.Value.detach().clone()) |> dict |> Collections.Generic.Dictionary
    let done' = ResizeArray<NetworkRun * Network option>()
    try
        try
            for i, method in List.indexed methods do
                let network = if i = 0 then first else build ()
                let mutable kept = false
                try
                    if i > 0 then
                        use _ = torch.no_grad ()
                        network.Module.load_state_dict(initial, true) |> ignore
                    let run = runMethod options data method network
                    done'.Add((run, (if keep then Some network else None)))
                    kept <- keep
                finally
                    if not kept then network.Module.Dispose()
            done'.ToArray()
        with _ ->
            for _, n in done' do n |> Option.iter (fun n -> n.Module.Dispose())
            reraise ()
    finally
        for t in initial.Values do t.Dispose()

/// <summary>Runs the protocol's methods on networks that start from the same weights: <paramref name="build"/> makes one
/// network per method; the first one's parameters and buffers (its <c>state_dict</c>) are copied into every
/// other, so the builder's use of the random generator does not matter. Each network is disposed after its
/// method.</summary>
/// <param name="options">How to train.</param>
/// <param name="data">The staged data, on the networks' device.</param>
/// <param name="build">Makes a new network (a new module) each call, the same architecture each time.</param>
/// <returns>Each method's cycles, in the order of the protocol's <c>Methods</c>.</returns>
let runMethods (options: Options) (data: Steps.Staged) (build: unit -> Network) : NetworkRun[] =
    runEach options data build false |> Array.map fst

/// Stages the data, runs the methods and gathers the results, keeping the networks when asked.
let private runGathered (options: Options) (dataset: Datasets.Dataset) (build: unit -> Network) (keep: bool) : NetworkModelRun =
    let sw = Stopwatch.StartNew()
    let p = Protocol.validate options.Protocol
    let probe = build ()
    let device, shape, groups = Network.device probe, probe.SampleShape, Network.groups probe
    let builds = ref (Some probe)
    // The probe is the first method's network: built once, not twice.
    let next () =
        match builds.Value with
        | Some n -> builds.Value <- None; n
        | None -> build ()
    use data = stage p device dataset
    let runs =
        try runEach options data next true
        finally builds.Value |> Option.iter (fun n -> n.Module.Dispose())
    let networks = runs |> Array.choose (fun (r, n) -> n |> Option.map (fun n -> r.Method, n))
    let footprints =
        try
            if networks.Length = 0 then [||]
            else
                let dense = build ()
                try
                    let architecture (n: Network) =
                        match n.Module with
                        | :? Sequential as s -> (try Some(Dtc.Models.Architecture.ofSequential n.SampleShape s) with :? ArgumentException -> None)
                        | _ -> None
                    [| for name, n in networks ->
                           Dtc.Models.Footprint.compareOrCount device shape options.LatencyBatches name
                               (dense.Module, architecture dense) (n.Module, architecture n) |]
                finally dense.Module.Dispose()
        with _ ->
            for _, n in networks do n.Module.Dispose()
            reraise ()
    if not keep then for _, n in networks do n.Module.Dispose()
    let results =
        { Schema = "network-1"
          Dataset = dataset.Name
          TrainSize = data.Train.Count
          TestSize = data.Test.Count
          SampleShape = shape
          Groups = groups
          Protocol = dict (RunMetadata.describeStaged p data)
          Threads = torch.get_num_threads ()
          WallSeconds = sw.Elapsed.TotalSeconds
          Methods = Array.map fst runs
          Footprints = footprints }
    { Results = results; Networks = if keep then networks else [||] }

/// <summary>Stages a data set on the first network's device, runs the methods (see
/// <see cref="M:Dtc.Networks.Training.runMethods(Dtc.Networks.Training.Options,Dtc.Training.Steps.Staged,Microsoft.FSharp.Core.FSharpFunc{Microsoft.FSharp.Core.Unit,Dtc.Networks.Network.Network})"/>)
/// and gathers the results.</summary>
/// <param name="options">How to train.</param>
/// <param name="dataset">The data set.</param>
/// <param name="build">Makes a new network each call.</param>
/// <returns>The results.</returns>
let run (options: Options) (dataset: Datasets.Dataset) (build: unit -> Network) : NetworkResults =
    (runGathered options dataset build false).Results

/// <summary>Runs the methods as <see cref="M:Dtc.Networks.Training.run(Dtc.Networks.Training.Options,Dtc.Data.Datasets.Dataset,Microsoft.FSharp.Core.FSharpFunc{Microsoft.FSharp.Core.Unit,Dtc.Networks.Network.Network})"/>
/// does, and keeps each method's compressed network (the module <paramref name="build"/> made, compressed in place).</summary>
/// <param name="options">How to train.</param>
/// <param name="dataset">The data set.</param>
/// <param name="build">Makes a new network each call.</param>
/// <returns>The results and the networks; the caller disposes it.</returns>
let runModels (options: Options) (dataset: Datasets.Dataset) (build: unit -> Network) : NetworkModelRun =
    runGathered options dataset build true

/// <summary>Results as JSON (camelCase, indented, NaN as "NaN"; the options of results files).</summary>
/// <param name="results">The results.</param>
/// <returns>The JSON text.</returns>
let toJson (results: NetworkResults) : string = Text.Json.JsonSerializer.Serialize(results, Records.jsonOptions)

/// <summary>Reads results written by <see cref="M:Dtc.Networks.Training.toJson(Dtc.Networks.Training.NetworkResults)"/>.</summary>
/// <param name="json">The JSON text.</param>
/// <returns>The results.</returns>
let ofJson (json: string) : NetworkResults =
    let r = Text.Json.JsonSerializer.Deserialize<NetworkResults>(json, Records.jsonOptions)
    if not (isNull (box r)) && isNull r.Footprints then { r with Footprints = [||] } else r

/// <summary>Writes results as JSON atomically (a temporary file renamed over the target).</summary>
/// <param name="path">The file.</param>
/// <param name="results">The results.</param>
let write (path: string) (results: NetworkResults) : unit = Dtc.Runtime.AtomicFile.writeText path (toJson results)
