/// <summary>
/// Training and evaluation steps on data staged once on the run's device: mini-batches are views of
/// the staged tensors (or gathered rows when shuffling), never rebuilt from .NET arrays.
/// </summary>
module Dtc.Training.Steps

open System
open TorchSharp
open Dtc.Data

/// <summary>A dataset staged once on the run's device (see <see cref="M:Dtc.Data.Staging.stage(Dtc.Data.Statistics,System.Int32,TorchSharp.torch.Device,System.Int32[],Dtc.Data.Split)"/>).
/// It owns both splits: dispose it once, when the run is over.</summary>
type Staged =
    { /// <summary>The training split and its mini-batches.</summary>
      Train: Dtc.Data.Staged
      /// <summary>The test split and its mini-batches.</summary>
      Test: Dtc.Data.Staged
      /// <summary>The number of classes: the model's output width.</summary>
      ClassCount: int
      /// <summary>One sample's shape; the inputs are flat (samples × its product), and
      /// <see cref="M:Dtc.Data.Staging.samples(System.Int32[],TorchSharp.torch.Tensor)"/> views a batch as
      /// samples × this shape (such as n × C × H × W) without a copy.</summary>
      SampleShape: int[]
      /// <summary>The normalisation's statistics, applied to both splits (computed on the training split for
      /// <c>Normalisation.Computed</c>).</summary>
      Statistics: Statistics
      /// <summary>The training inputs as columns, one block per mini-batch: batches × pixels × batch size,
      /// each block the transpose of a staged batch (the last block's columns past its samples are zeros). A
      /// copy staged once: the training step of <see cref="M:Dtc.Training.Steps.trainModel(TorchSharp.torch.optim.Optimizer,Dtc.Training.Model.Mlp,Microsoft.FSharp.Core.FSharpFunc{System.Int64,System.Tuple{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor}},System.Int64,System.Int32)"/>
      /// reads the inputs in both layouts. Blocks rather than one pixels × samples matrix: a batch's columns
      /// then lie in one stretch of memory instead of one short run per pixel a whole row of samples apart,
      /// and a training step took 9–13 % less time at widths of 128 units and below (the same numbers to the
      /// bit).</summary>
      TrainColumns: torch.Tensor }

    interface IDisposable with
        member s.Dispose() =
            s.Train.Dispose()
            s.Test.Dispose()
            s.TrainColumns.Dispose()

/// <summary>Stages both splits of a dataset on a device with a normalisation (its statistics taken from the
/// training split when computed) and the protocol's batch size.</summary>
/// <param name="normalisation">Input normalisation (paper: <c>Given(0.1307, 0.3081)</c>).</param>
/// <param name="batchSize">The batch size (paper: 512), at most the number of training samples.</param>
/// <param name="device">The device.</param>
/// <param name="dataset">The dataset.</param>
/// <returns>The staged data; the caller disposes it.</returns>
/// <exception cref="T:System.ArgumentException">The batch size exceeds the training set (refused, not capped:
/// a capped batch would record another protocol than the one asked for).</exception>
let stage (normalisation: Normalisation) (batchSize: int) (device: torch.Device) (dataset: Dataset) : Staged =
    // The training inputs are staged again as columns in blocks of batchSize: a batch larger than the
    // training set would only allocate zeros (1,000,000 took 3.4 GB), so it is refused before any allocation.
    if batchSize > dataset.Train.Count then
        raise (ArgumentException(sprintf "Expecting a batch size of at most the %d training samples of %s but received %d"
                                     dataset.Train.Count dataset.Name batchSize))
    let statistics = Staging.statistics normalisation dataset.Train
    let train = Staging.stage statistics batchSize device dataset.SampleShape dataset.Train
    try
        let columns =
            use _ = torch.no_grad ()
            use scope = torch.NewDisposeScope()
            let pixels = train.Inputs.shape.[1]
            let blocks = torch.zeros([| int64 train.Batches.Length; pixels; int64 batchSize |], dtype = train.Inputs.dtype, device = device)
            train.Batches |> Array.iteri (fun i b -> blocks.[int64 i].narrow(1L, 0L, b.Inputs.shape.[0]).copy_(b.Inputs.t()) |> ignore)
            blocks.DetachFromDisposeScope()
        try
            { Train = train; Test = Staging.stage statistics batchSize device dataset.SampleShape dataset.Test; TrainColumns = columns
              ClassCount = dataset.ClassCount; SampleShape = Array.copy dataset.SampleShape; Statistics = statistics }
        with _ ->
            columns.Dispose()
            reraise ()
    with _ ->
        train.Dispose()
        reraise ()

/// Which samples make training mini-batch number `position`: a staged batch (its number in the epoch), or,
/// when shuffling, rows of the epoch's permutation `NumPyRandom.permutation (seed + epoch)` as an index
/// tensor on the data's device (the caller disposes it).
type private Pick =
    | InOrder of Batch * number: int
    | Shuffled of index: torch.Tensor

let private pick (shuffleSeed: int64 option) (data: Staged) (position: int64) : Pick =
    let perEpoch = int64 data.Train.Batches.Length
    if perEpoch = 0L then invalidArg (nameof data) "Expecting a training split with at least one sample but received none"
    let epoch, i = position / perEpoch, int (position % perEpoch)
    match shuffleSeed with
    | None -> InOrder(data.Train.Batches.[i], i)
    | Some seed ->
        let n = data.Train.Count
        let perm = Dtc.Runtime.NumPyRandom.permutation ((seed + epoch) % 4294967296L) n
        let start = i * data.Train.BatchSize
        let length = min data.Train.BatchSize (n - start)
        let rows = perm.[start .. start + length - 1] |> Array.map int64
        Shuffled(torch.tensor(rows, device = data.Train.Inputs.device))

/// <summary>Training mini-batch number <paramref name="position"/> counted from the start of the run
/// (epochs follow one another): a view of the staged batches (owned by <paramref name="data"/>), or, when
/// shuffling, rows gathered by the epoch's permutation <c>NumPyRandom.permutation (seed + epoch)</c>
/// (new tensors in the caller's dispose scope).</summary>
/// <param name="shuffleSeed">None for the data order (paper), Some seed to shuffle each epoch.</param>
/// <param name="data">The staged data.</param>
/// <param name="position">The batch number since the start.</param>
/// <returns>Inputs and labels of the batch.</returns>
let trainBatch (shuffleSeed: int64 option) (data: Staged) (position: int64) : torch.Tensor * torch.Tensor =
    match pick shuffleSeed data position with
    | InOrder(b, _) -> b.Inputs, b.Targets
    | Shuffled index ->
        use index = index
        data.Train.Inputs.index_select(0L, index), data.Train.Targets.index_select(0L, index)

/// <summary>Training mini-batch number <paramref name="position"/> as <see cref="M:Dtc.Training.Steps.trainBatch(Microsoft.FSharp.Core.FSharpOption{System.Int64},Dtc.Training.Steps.Staged,System.Int64)"/>
/// picks it, with its inputs both as columns (pixels × batch, a block of <c>TrainColumns</c>) and as rows:
/// views of the staged tensors, or, when shuffling, rows gathered by the epoch's permutation and their
/// transpose (new tensors in the caller's dispose scope).</summary>
/// <param name="shuffleSeed">None for the data order (paper), Some seed to shuffle each epoch.</param>
/// <param name="data">The staged data.</param>
/// <param name="position">The batch number since the start.</param>
/// <returns>Inputs as columns, inputs as rows and labels of the batch.</returns>
let trainColumns (shuffleSeed: int64 option) (data: Staged) (position: int64) : torch.Tensor * torch.Tensor * torch.Tensor =
    match pick shuffleSeed data position with
    | InOrder(b, i) -> data.TrainColumns.[int64 i].narrow(1L, 0L, b.Inputs.shape.[0]), b.Inputs, b.Targets
    | Shuffled index ->
        use index = index
        let rows = data.Train.Inputs.index_select(0L, index)
        use transposed = rows.t()
        transposed.contiguous(), rows, data.Train.Targets.index_select(0L, index)

/// The mean loss of `count` training steps: `step k` runs the k-th (in a dispose scope of its own) and returns
/// its loss, without a graph. The running sum stays on the loss's device: no host round trip per step.
let private meanLoss (count: int) (step: int -> torch.Tensor) : float =
    if count < 0 then invalidArg (nameof count) (sprintf "Expecting a non-negative number of mini-batches but received %d" count)
    let mutable total : torch.Tensor = null
    try
        for k in 0 .. count - 1 do
            use scope = torch.NewDisposeScope()
            let loss = step k
            use _ = torch.no_grad ()
            if isNull total then
                total <- torch.zeros(Array.empty<int64>, dtype = torch.float64, device = loss.device).MoveToOuterDisposeScope()
            Dtc.Runtime.Torch.addInPlace total loss |> ignore
        if isNull total then nan else total.item<float>() / float count
    finally
        if not (isNull total) then total.Dispose()

/// <summary>Trains a model for a number of mini-batches with an optimiser over its parameters (the
/// protocol: Adam) and the cross-entropy loss, with the gradients of <see cref="M:Dtc.Training.Backprop.backward(Dtc.Training.Model.Mlp,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>
/// instead of autograd: the training the protocol runs. The same updates as
/// <see cref="M:Dtc.Training.Steps.train(TorchSharp.torch.optim.Optimizer,Microsoft.FSharp.Core.FSharpFunc{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor},Microsoft.FSharp.Core.FSharpFunc{System.Int64,System.Tuple{TorchSharp.torch.Tensor,TorchSharp.torch.Tensor}},System.Int64,System.Int32)"/>
/// with <c>Model.forward model</c>, to rounding, in about half the time at narrow widths.</summary>
/// <param name="optimizer">The optimiser over <c>model.Parameters</c>.</param>
/// <param name="model">The model, updated in place.</param>
/// <param name="batch">Mini-batch by position (see <see cref="M:Dtc.Training.Steps.trainColumns(Microsoft.FSharp.Core.FSharpOption{System.Int64},Dtc.Training.Steps.Staged,System.Int64)"/>).</param>
/// <param name="start">The first batch's position.</param>
/// <param name="count">How many mini-batches (at least 0).</param>
/// <returns>The mean training loss (NaN for no mini-batch).</returns>
let trainModel (optimizer: torch.optim.Optimizer) (model: Model.Mlp)
               (batch: int64 -> torch.Tensor * torch.Tensor * torch.Tensor) (start: int64) (count: int) : float =
    meanLoss count (fun k ->
        let columns, inputs, targets = batch (start + int64 k)
        let loss = Backprop.backward model columns inputs targets
        optimizer.step() |> ignore
        loss)

/// <summary>Trains for a number of mini-batches with an optimiser (the protocol: Adam) and cross-entropy loss.</summary>
/// <param name="optimizer">The optimiser over the model's parameters.</param>
/// <param name="forward">The model's forward function (log-probabilities, batch×classes).</param>
/// <param name="batch">Mini-batch by position (see <see cref="M:Dtc.Training.Steps.trainBatch(Microsoft.FSharp.Core.FSharpOption{System.Int64},Dtc.Training.Steps.Staged,System.Int64)"/>).</param>
/// <param name="start">The first batch's position.</param>
/// <param name="count">How many mini-batches (at least 0).</param>
/// <returns>The mean training loss (NaN for no mini-batch).</returns>
let train (optimizer: torch.optim.Optimizer) (forward: torch.Tensor -> torch.Tensor)
          (batch: int64 -> torch.Tensor * torch.Tensor) (start: int64) (count: int) : float =
    meanLoss count (fun k ->
        let x, y = batch (start + int64 k)
        optimizer.zero_grad()
        let loss = torch.nn.functional.cross_entropy(forward x, y)
        loss.backward()
        optimizer.step() |> ignore
        loss.detach())

/// <summary>Test accuracy, exact (correct / total) and as the supplement computed it (the mean of the
/// per-batch accuracies), without autograd.</summary>
/// <param name="forward">The model's forward function.</param>
/// <param name="data">The staged data; its test batches are the evaluation batches (paper: 512; the size
/// matters for the batch-mean figure and for the log-softmax-over-batch quirk).</param>
/// <returns>(exact accuracy, mean of per-batch accuracies); NaN for an empty test split.</returns>
let evaluate (forward: torch.Tensor -> torch.Tensor) (data: Staged) : float * float =
    use _ = torch.no_grad ()
    let mutable correct, total, batchMean = 0L, 0L, 0.0
    for b in data.Test.Batches do
        use scope = torch.NewDisposeScope()
        let c = (forward b.Inputs).argmax(1L).eq(b.Targets).sum().item<int64>()
        let length = b.Targets.shape.[0]
        correct <- correct + c
        total <- total + length
        batchMean <- batchMean + float c / float length
    (if total = 0L then nan else float correct / float total),
    (if data.Test.Batches.Length = 0 then nan else batchMean / float data.Test.Batches.Length)
