namespace Dtc.Data

open System
open TorchSharp
open Dtc.Data.Idx

/// <summary>The samples of one split, row-major: sample after sample, each the values of one sample's shape
/// in row-major order (<c>n × product(SampleShape)</c> values).</summary>
type Features =
    /// <summary>Unsigned bytes, such as pixels 0–255; staging scales them to [0, 1] (x / 255).</summary>
    | Bytes of byte[]
    /// <summary>Float32 values, staged as they are (before normalisation); they must be finite.</summary>
    | Floats of float32[]

    /// <summary>The number of values (0 for a null array).</summary>
    member f.Length =
        match f with
        | Bytes b -> if isNull b then 0 else b.Length
        | Floats x -> if isNull x then 0 else x.Length

/// <summary>One split of a data set: features and their labels, sample i of one matching label i of the other.</summary>
type Split =
    { /// <summary>The samples, row-major.</summary>
      Features: Features
      /// <summary>The class labels, one per sample, in <c>0 … ClassCount − 1</c>.</summary>
      Labels: int[] }

    /// <summary>The number of samples (the number of labels).</summary>
    member s.Count = if isNull s.Labels then 0 else s.Labels.Length

/// <summary>A data set: a train and a test split whose samples have one shape, with integer class labels.
/// Build one with <c>Datasets.ofArrays</c>, <c>Datasets.ofTensors</c> or a named loader
/// (<c>Datasets.mnistSample</c>, <c>Datasets.fromFolder</c>, <c>Datasets.fashionMnist</c>), which validate it.</summary>
type Dataset =
    { /// <summary>The data set's name, such as <c>mnist-sample</c>, <c>mnist</c> or <c>fashion-mnist</c>.</summary>
      Name: string
      /// <summary>Where it came from (a folder, the embedded resources, arrays, tensors).</summary>
      Source: string
      /// <summary>The training split.</summary>
      Train: Split
      /// <summary>The test split.</summary>
      Test: Split
      /// <summary>One sample's shape: <c>[| F |]</c> for flat vectors, <c>[| C; H; W |]</c> for images
      /// (<c>[| 1; 28; 28 |]</c> for MNIST).</summary>
      SampleShape: int[]
      /// <summary>The number of classes, at least 2: labels lie in <c>0 … ClassCount − 1</c> and the model
      /// has that many outputs.</summary>
      ClassCount: int }

/// <summary>The sizes of one split.</summary>
type SplitSummary =
    { /// <summary>The number of samples.</summary>
      Count: int
      /// <summary>One sample's shape.</summary>
      SampleShape: int[]
      /// <summary>The number of samples of each class (<c>ClassCount</c> entries).</summary>
      ClassCounts: int[] }

/// <summary>A data set's sizes, for display.</summary>
type Summary =
    { /// <summary>The data set's name.</summary>
      Name: string
      /// <summary>Where it came from.</summary>
      Source: string
      /// <summary>The number of classes.</summary>
      ClassCount: int
      /// <summary>The training split.</summary>
      Train: SplitSummary
      /// <summary>The test split.</summary>
      Test: SplitSummary }

/// <summary>Validation and summaries of a <see cref="T:Dtc.Data.Dataset"/>.</summary>
/// <remarks>Every problem raises a <see cref="T:Dtc.Data.Idx.DataException"/> (an
/// <see cref="T:System.ArgumentException"/>) with one line "Expecting … but received …" naming the value.</remarks>
[<RequireQualifiedAccess>]
module Dataset =

    let private fail (source: string) (message: string) : 'a = raise (DataException(message, source))

    /// <summary>A shape as text: its sizes joined by " × " (<c>1 × 28 × 28</c>).</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The text; <c>(none)</c> for a null or empty shape.</returns>
    let shapeText (shape: int[]) : string =
        if isNull shape || shape.Length = 0 then "(none)" else String.Join(" × ", shape)

    /// <summary>The number of values of one sample: the product of its shape.</summary>
    /// <param name="shape">The sample shape: at least one size, each at least 1, product at most <c>Int32.MaxValue</c>.</param>
    /// <returns>The product.</returns>
    /// <exception cref="T:Dtc.Data.Idx.DataException">For an empty shape, a size below 1 or a product too large.</exception>
    let sampleSize (shape: int[]) : int =
        if isNull shape || shape.Length = 0 || shape |> Array.exists (fun s -> s < 1) then
            fail "sample shape" (sprintf "Expecting a sample shape of one or more sizes of at least 1 but received %s" (shapeText shape))
        let product = shape |> Array.fold (fun p s -> min (p * int64 s) (int64 Int32.MaxValue + 1L)) 1L
        if product > int64 Int32.MaxValue then
            fail "sample shape" (sprintf "Expecting a sample shape of at most %d values but received %s" Int32.MaxValue (shapeText shape))
        int product

    let private valueText (v: float32) =
        if Single.IsNaN v then "NaN" elif Single.IsPositiveInfinity v then "+Infinity" else "-Infinity"

    /// Checks one split's sizes against the shape (of `size` values each).
    let private checkSizes (source: string) (name: string) (shape: int[]) (size: int) (s: Split) =
        if isNull (box s.Features) || isNull s.Labels then
            fail source (sprintf "Expecting features and labels in the %s split but received null" name)
        let length = s.Features.Length
        if length % size <> 0 then
            fail source (sprintf "Expecting n × %d feature values in the %s split (n samples of shape %s) but received %d, not a multiple of %d"
                             size name (shapeText shape) length size)
        let n = length / size
        if n <> s.Labels.Length then
            fail source (sprintf "Expecting as many labels as samples in the %s split but received %d samples (of shape %s) and %d labels"
                             name n (shapeText shape) s.Labels.Length)
        if n = 0 then fail source (sprintf "Expecting at least one sample in the %s split but received none" name)
        match s.Labels |> Array.tryFindIndex (fun v -> v < 0) with
        | Some i -> fail source (sprintf "Expecting labels of at least 0 in the %s split but received %d at index %d" name s.Labels.[i] i)
        | None -> ()

    /// Checks one split's labels against the class count and its features for finite values.
    let private checkValues (source: string) (name: string) (size: int) (classCount: int) (s: Split) =
        match s.Labels |> Array.tryFindIndex (fun v -> v >= classCount) with
        | Some i ->
            fail source (sprintf "Expecting labels in 0–%d (%d classes) in the %s split but received %d at index %d"
                             (classCount - 1) classCount name s.Labels.[i] i)
        | None -> ()
        match s.Features with
        | Floats x ->
            match x |> Array.tryFindIndex (fun v -> not (Single.IsFinite v)) with
            | Some i ->
                fail source (sprintf "Expecting finite features in the %s split but received %s at sample %d, feature %d (of %d)"
                                 name (valueText x.[i]) (i / size) (i % size) size)
            | None -> ()
        | Bytes _ -> ()

    /// <summary>Checks a data set: a sample shape of positive sizes, in each split <c>n × product(SampleShape)</c>
    /// feature values for n labels, at least one sample and labels of at least 0, then at least 2 classes, labels
    /// below <c>ClassCount</c> and finite features.</summary>
    /// <param name="dataset">The data set.</param>
    /// <returns>The same data set.</returns>
    /// <exception cref="T:Dtc.Data.Idx.DataException">On the first problem found, naming the split, the index and the value.</exception>
    let validate (dataset: Dataset) : Dataset =
        let source = if isNull dataset.Source then "" else dataset.Source
        let size = sampleSize dataset.SampleShape
        checkSizes source "train" dataset.SampleShape size dataset.Train
        checkSizes source "test" dataset.SampleShape size dataset.Test
        if dataset.ClassCount < 2 then
            fail source (sprintf "Expecting at least 2 classes but received a class count of %d" dataset.ClassCount)
        checkValues source "train" size dataset.ClassCount dataset.Train
        checkValues source "test" size dataset.ClassCount dataset.Test
        dataset

    /// <summary>The number of samples of each class in a split.</summary>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="split">The split (labels in <c>0 … classCount − 1</c>; others are not counted).</param>
    /// <returns><paramref name="classCount"/> counts, for the classes 0, 1, ….</returns>
    let classCounts (classCount: int) (split: Split) : int[] =
        let counts = Array.zeroCreate (max 0 classCount)
        for v in split.Labels do
            if v >= 0 && v < classCount then counts.[v] <- counts.[v] + 1
        counts

    /// <summary>Summarises a data set: counts, sample shape and samples per class of each split.</summary>
    /// <param name="dataset">The data set.</param>
    /// <returns>The summary.</returns>
    let summarise (dataset: Dataset) : Summary =
        let one (s: Split) : SplitSummary =
            { Count = s.Count; SampleShape = Array.copy dataset.SampleShape; ClassCounts = classCounts dataset.ClassCount s }
        { Name = dataset.Name; Source = dataset.Source; ClassCount = dataset.ClassCount
          Train = one dataset.Train; Test = one dataset.Test }

    /// <summary>A summary as a few lines of text: name and source, then one line per split with its count,
    /// sample shape and samples per class.</summary>
    /// <param name="summary">The summary.</param>
    /// <returns>The text, lines separated by <c>\n</c>.</returns>
    let describe (summary: Summary) : string =
        let line (split: string) (s: SplitSummary) =
            let perClass = s.ClassCounts |> Array.mapi (fun c n -> sprintf "%d:%d" c n)
            sprintf "  %-5s %7d samples of %s; per class %s" split s.Count (shapeText s.SampleShape) (String.Join(" ", perClass))
        String.Join("\n", [ sprintf "%s (%s), %d classes" summary.Name summary.Source summary.ClassCount
                            line "train" summary.Train; line "test" summary.Test ])

    /// The class count: given (at least the largest label + 1) or inferred (the largest label + 1).
    let private resolveClassCount (source: string) (classCount: int option) (labels: int[] seq) : int =
        let largest = labels |> Seq.filter (fun l -> not (isNull l) && l.Length > 0) |> Seq.map Array.max |> Seq.fold max Int32.MinValue
        match classCount with
        | Some c when largest <> Int32.MinValue && largest >= c ->
            fail source (sprintf "Expecting a class count of at least %d (the largest label, %d, + 1) but received %d" (largest + 1) largest c)
        | Some c -> c
        | None when largest = Int32.MinValue -> 0
        | None -> largest + 1

    /// <summary>Builds and validates a data set from arrays: features (bytes or float32, row-major) and integer
    /// labels of each split.</summary>
    /// <param name="name">The data set's name.</param>
    /// <param name="sampleShape">One sample's shape: <c>[| F |]</c> for vectors, <c>[| C; H; W |]</c> for images.</param>
    /// <param name="classCount">The number of classes; <c>None</c> infers it as the largest label + 1.</param>
    /// <param name="trainFeatures">The training features, <c>n × product(sampleShape)</c> values.</param>
    /// <param name="trainLabels">The n training labels.</param>
    /// <param name="testFeatures">The test features.</param>
    /// <param name="testLabels">The test labels.</param>
    /// <returns>The validated data set, with source <c>arrays</c>; the arrays are copied, not retained.</returns>
    /// <exception cref="T:Dtc.Data.Idx.DataException">On the first problem (see
    /// <see cref="M:Dtc.Data.DatasetModule.validate(Dtc.Data.Dataset)"/>), or a given class count below the largest label + 1.</exception>
    /// <example><code>let d = Dataset.ofArrays "blobs" [| 20 |] None (Floats trainX, trainY) (Floats testX, testY)</code></example>
    let ofArrays (name: string) (sampleShape: int[]) (classCount: int option)
                 (trainFeatures: Features, trainLabels: int[]) (testFeatures: Features, testLabels: int[]) : Dataset =
        let source = "arrays"
        let copy (split: string) (features: Features, labels: int[]) : Split =
            if isNull (box features) || isNull labels then
                fail source (sprintf "Expecting features and labels in the %s split but received null" split)
            let features =
                match features with
                | Bytes b when not (isNull b) -> Bytes(Array.copy b)
                | Floats x when not (isNull x) -> Floats(Array.copy x)
                | _ -> fail source (sprintf "Expecting a features array in the %s split but received null" split)
            { Features = features; Labels = Array.copy labels }
        let train, test = copy "train" (trainFeatures, trainLabels), copy "test" (testFeatures, testLabels)
        let shape = if isNull sampleShape then sampleShape else Array.copy sampleShape
        sampleSize shape |> ignore
        let classes = resolveClassCount source classCount [ train.Labels; test.Labels ]
        validate { Name = name; Source = source; Train = train; Test = test; SampleShape = shape; ClassCount = classes }

    /// One split's tensors as arrays (copied), with its sample shape.
    let private ofTensorPair (source: string) (split: string) (features: torch.Tensor, labels: torch.Tensor) : Split * int[] =
        if isNull features || isNull labels then
            fail source (sprintf "Expecting feature and label tensors in the %s split but received null" split)
        let shapeOf (t: torch.Tensor) = String.Join(" × ", t.shape)
        if features.dim () < 2L then
            fail source (sprintf "Expecting %s features of shape n × sample shape (2 or more dimensions) but received shape %s" split (shapeOf features))
        if labels.dim () <> 1L then
            fail source (sprintf "Expecting %s labels of shape n (1 dimension) but received shape %s" split (shapeOf labels))
        use scope = torch.NewDisposeScope()
        let values =
            match features.dtype with
            | torch.ScalarType.Byte -> Bytes(features.cpu().contiguous().data<byte>().ToArray())
            | torch.ScalarType.Float32 -> Floats(features.cpu().contiguous().data<float32>().ToArray())
            | torch.ScalarType.Float64 -> Floats(features.cpu().``to``(torch.float32).contiguous().data<float32>().ToArray())
            | other -> fail source (sprintf "Expecting %s features of dtype float32, float64 or uint8 but received %O" split other)
        let targets =
            match labels.dtype with
            | torch.ScalarType.Int32 -> labels.cpu().contiguous().data<int>().ToArray()
            | torch.ScalarType.Int64 ->
                let wide = labels.cpu().contiguous().data<int64>().ToArray()
                match wide |> Array.tryFindIndex (fun v -> v < int64 Int32.MinValue || v > int64 Int32.MaxValue) with
                | Some i -> fail source (sprintf "Expecting %s labels that fit in 32 bits but received %d at index %d" split wide.[i] i)
                | None -> wide |> Array.map int
            | other -> fail source (sprintf "Expecting %s labels of dtype int64 or int32 but received %O" split other)
        { Features = values; Labels = targets }, (features.shape |> Array.skip 1 |> Array.map int)

    /// <summary>Builds and validates a data set from tensors: features of shape <c>n × sample shape</c>
    /// (float32, float64 or uint8; float64 becomes float32) and labels of shape <c>n</c> (int64 or int32), on
    /// any device.</summary>
    /// <param name="name">The data set's name.</param>
    /// <param name="classCount">The number of classes; <c>None</c> infers it as the largest label + 1.</param>
    /// <param name="trainFeatures">The training features, n × sample shape.</param>
    /// <param name="trainLabels">The n training labels.</param>
    /// <param name="testFeatures">The test features; their samples must have the training samples' shape.</param>
    /// <param name="testLabels">The test labels.</param>
    /// <returns>The validated data set, with source <c>tensors</c>; the tensors are copied, not retained or disposed.</returns>
    /// <exception cref="T:Dtc.Data.Idx.DataException">A dtype or shape other than these, test samples of another shape
    /// than the training samples, or any problem <see cref="M:Dtc.Data.DatasetModule.validate(Dtc.Data.Dataset)"/> finds.</exception>
    let ofTensors (name: string) (classCount: int option)
                  (trainFeatures: torch.Tensor, trainLabels: torch.Tensor) (testFeatures: torch.Tensor, testLabels: torch.Tensor) : Dataset =
        let source = "tensors"
        let train, shape = ofTensorPair source "train" (trainFeatures, trainLabels)
        let test, testShape = ofTensorPair source "test" (testFeatures, testLabels)
        if shape <> testShape then
            fail source (sprintf "Expecting test samples of the training samples' shape %s but received %s" (shapeText shape) (shapeText testShape))
        sampleSize shape |> ignore
        let classes = resolveClassCount source classCount [ train.Labels; test.Labels ]
        validate { Name = name; Source = source; Train = train; Test = test; SampleShape = shape; ClassCount = classes }
