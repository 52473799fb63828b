namespace Dtc.Data

open System
open TorchSharp
open Dtc.Data.Idx

/// <summary>How features become inputs, after bytes are scaled to [0, 1] (x / 255, as torchvision's
/// <c>ToTensor</c>; floats are taken as they are): \((x - \mathrm{mean}) / \mathrm{std}\), as torchvision's
/// <c>Normalize</c>.</summary>
type Normalisation =
    /// <summary>Given statistics: the mean subtracted and the standard deviation (positive) divided by.</summary>
    | Given of mean: float * std: float
    /// <summary>The mean and the (population) standard deviation of all training features after scaling,
    /// computed in float64.</summary>
    | Computed
    /// <summary>No normalisation: the inputs are the features after scaling.</summary>
    | Off

    /// <summary>The paper's (MNIST's) statistics: mean 0.1307, std 0.3081.</summary>
    static member paper = Given(0.1307, 0.3081)

    /// <summary>No normalisation beyond scaling bytes to [0, 1] (<see cref="P:Dtc.Data.Normalisation.Off"/>).</summary>
    static member none = Off

    /// <summary>Same as <see cref="P:Dtc.Data.Normalisation.paper"/>.</summary>
    static member defaults = Normalisation.paper

/// <summary>The statistics a staging applied: inputs are \((x - \mathrm{Mean}) / \mathrm{Std}\) after scaling.</summary>
type Statistics =
    { /// <summary>The mean subtracted.</summary>
      Mean: float
      /// <summary>The standard deviation divided by, positive.</summary>
      Std: float }

/// <summary>One mini-batch: views into a <see cref="T:Dtc.Data.Staged"/> split's tensors.</summary>
type Batch =
    { /// <summary>Inputs, batch × features, float32 (a view: no copy).</summary>
      Inputs: torch.Tensor
      /// <summary>Targets, batch, int64 (a view: no copy).</summary>
      Targets: torch.Tensor }

/// <summary>A split staged once on a device as tensors, with its mini-batches as views. It owns every
/// tensor it holds (they belong to no dispose scope, even when created inside one): dispose the record
/// once, when training is over, and never dispose its tensors or batches individually.</summary>
type Staged =
    { /// <summary>All inputs, samples × features (the product of the sample shape; 784 for MNIST), float32, normalised.</summary>
      Inputs: torch.Tensor
      /// <summary>All targets, int64 class indices.</summary>
      Targets: torch.Tensor
      /// <summary>The mini-batches in order, each <c>BatchSize</c> samples except possibly a smaller last
      /// one (PyTorch's DataLoader with <c>drop_last=False</c>, <c>shuffle=False</c>).</summary>
      Batches: Batch[]
      /// <summary>The batch size.</summary>
      BatchSize: int
      /// <summary>One sample's shape (see <see cref="M:Dtc.Data.Staging.samples(System.Int32[],TorchSharp.torch.Tensor)"/>).</summary>
      SampleShape: int[]
      /// <summary>The statistics applied.</summary>
      Statistics: Statistics }

    /// <summary>The number of samples.</summary>
    member s.Count = int s.Inputs.shape.[0]

    /// <summary>Disposes the batch views, then the tensors.</summary>
    member s.Dispose() =
        for b in s.Batches do
            b.Inputs.Dispose()
            b.Targets.Dispose()
        s.Inputs.Dispose()
        s.Targets.Dispose()

    interface IDisposable with
        member s.Dispose() = s.Dispose()

/// <summary>
/// Staging a data set's splits as tensors on a device, once: features become normalised float32 inputs,
/// labels int64 targets, and the mini-batches views into them.
/// </summary>
[<RequireQualifiedAccess>]
module Staging =

    let private checkStatistics (what: string) (mean: float) (std: float) =
        if not (Double.IsFinite mean) || not (Double.IsFinite std) || std <= 0.0 then
            raise (ArgumentException(sprintf "Expecting a finite mean and a positive finite std (%s) but received mean %g, std %g" what mean std))

    /// <summary>The statistics a normalisation applies: the given ones; the mean and population standard
    /// deviation of every training feature after scaling (bytes as x / 255), accumulated in float64; or mean 0
    /// and std 1 for <c>Off</c>.</summary>
    /// <param name="normalisation">The normalisation.</param>
    /// <param name="train">The training split the statistics are computed on (for <c>Computed</c>).</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="T:System.ArgumentException">Given statistics that are not finite or a std that is not
    /// positive; computed on features that are all equal (std 0).</exception>
    let statistics (normalisation: Normalisation) (train: Split) : Statistics =
        match normalisation with
        | Given(mean, std) ->
            checkStatistics "given" mean std
            { Mean = mean; Std = std }
        | Off -> { Mean = 0.0; Std = 1.0 }
        | Computed ->
            let mean, variance =
                match train.Features with
                | Bytes b ->
                    // Exact sums over a histogram of the 256 values.
                    let counts = Array.zeroCreate<int64> 256
                    for v in b do counts.[int v] <- counts.[int v] + 1L
                    let n = float b.Length
                    let mean = (Seq.sum (seq { for v in 0 .. 255 -> float counts.[v] * (float v / 255.0) })) / n
                    mean, (Seq.sum (seq { for v in 0 .. 255 -> float counts.[v] * (float v / 255.0 - mean) ** 2.0 })) / n
                | Floats x ->
                    let n = float x.Length
                    let mutable sum = 0.0
                    for v in x do sum <- sum + float v
                    let mean = sum / n
                    let mutable squares = 0.0
                    for v in x do squares <- squares + (float v - mean) * (float v - mean)
                    mean, squares / n
            if not (variance > 0.0) then
                raise (DataException(sprintf "Expecting training features that are not all equal (a std above 0) to compute the normalisation but received std %g (mean %g)" (sqrt variance) mean, "normalisation"))
            { Mean = mean; Std = sqrt variance }

    /// <summary>Stages a split on a device once: features become an n × F float32 tensor (F the product of the
    /// sample shape; bytes scaled by 1/255 first) \((x - \mathrm{Mean})/\mathrm{Std}\), labels an int64 tensor, and
    /// the mini-batches views into them, so training steps never rebuild them. Bytes are staged as
    /// <c>raw.to(float32).div_(255).sub_(mean).div_(std)</c>, the paper's float32 numbers to the bit.</summary>
    /// <param name="statistics">The statistics to apply (see <see cref="M:Dtc.Data.Staging.statistics(Dtc.Data.Normalisation,Dtc.Data.Split)"/>).</param>
    /// <param name="batchSize">Samples per batch, at least 1 (paper: 512); the last batch keeps the remainder.</param>
    /// <param name="device">The device the tensors live on.</param>
    /// <param name="sampleShape">One sample's shape (the data set's <c>SampleShape</c>).</param>
    /// <param name="split">The split.</param>
    /// <returns>The staged split, which the caller owns and must dispose (see <see cref="T:Dtc.Data.Staged"/>).</returns>
    /// <example><code>use train = Staging.stage (Staging.statistics Normalisation.paper d.Train) 512 torch.CPU d.SampleShape d.Train</code></example>
    let stage (statistics: Statistics) (batchSize: int) (device: torch.Device) (sampleShape: int[]) (split: Split) : Staged =
        if batchSize < 1 then invalidArg (nameof batchSize) (sprintf "Expecting a batch size of at least 1 but received %d" batchSize)
        checkStatistics "the statistics" statistics.Mean statistics.Std
        let features = Dataset.sampleSize sampleShape
        if int64 split.Features.Length <> int64 split.Count * int64 features then
            invalidArg (nameof split) (sprintf "Expecting %d × %d feature values (samples × sample shape %s) but received %d"
                                           split.Count features (Dataset.shapeText sampleShape) split.Features.Length)
        Dtc.Runtime.Torch.init ()
        let n = int64 split.Count
        let shape = ReadOnlySpan<int64>([| n; int64 features |])
        use scope = torch.NewDisposeScope()
        use _ = torch.no_grad ()
        let scaled =
            match split.Features with
            | Bytes b -> torch.tensor(b, shape, dtype = torch.uint8).``to``(torch.float32).div_(torch.tensor(255.0f))
            | Floats x -> torch.tensor(x, shape, dtype = torch.float32).clone()
        let inputs =
            (if statistics.Mean = 0.0 && statistics.Std = 1.0 then scaled
             else scaled.sub_(torch.tensor(float32 statistics.Mean)).div_(torch.tensor(float32 statistics.Std)))
                .``to``(device).contiguous()
        let targets = torch.tensor(split.Labels, ReadOnlySpan<int64>([| n |]), dtype = torch.int32).``to``(torch.int64).``to``(device).contiguous()
        let batches =
            [| for start in 0L .. int64 batchSize .. n - 1L ->
                let length = min (int64 batchSize) (n - start)
                { Inputs = inputs.narrow(0L, start, length).DetachFromDisposeScope()
                  Targets = targets.narrow(0L, start, length).DetachFromDisposeScope() } |]
        { Inputs = inputs.DetachFromDisposeScope()
          Targets = targets.DetachFromDisposeScope()
          Batches = batches
          BatchSize = batchSize
          SampleShape = Array.copy sampleShape
          Statistics = statistics }

    /// <summary>Inputs (a batch or a whole split, samples × features) viewed as samples × sample shape, such as
    /// n × C × H × W: a view, no copy.</summary>
    /// <param name="sampleShape">One sample's shape.</param>
    /// <param name="inputs">Contiguous inputs, samples × product(sampleShape).</param>
    /// <returns>The view (in the caller's dispose scope).</returns>
    let samples (sampleShape: int[]) (inputs: torch.Tensor) : torch.Tensor =
        inputs.view(Array.append [| -1L |] (sampleShape |> Array.map int64))

    /// <summary>The mini-batch of a training step, cycling over epochs as the paper's loader does: step k uses
    /// batch <c>k mod Batches.Length</c>.</summary>
    /// <param name="step">The step, from 0.</param>
    /// <param name="staged">The staged split (not disposed).</param>
    /// <returns>The batch (owned by <paramref name="staged"/>: do not dispose it).</returns>
    let batchAt (step: int) (staged: Staged) : Batch =
        if step < 0 then invalidArg (nameof step) (sprintf "Expecting a step of at least 0 but received %d" step)
        if staged.Batches.Length = 0 then invalidArg (nameof staged) "Expecting a staged split with at least one batch but received an empty split"
        staged.Batches.[step % staged.Batches.Length]
