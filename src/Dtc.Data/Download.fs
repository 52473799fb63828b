/// <summary>
/// The full MNIST, downloaded once into a cache folder from configurable mirrors, each file checked
/// against its SHA-256 before it is renamed into place.
/// </summary>
module Dtc.Data.Download

open System
open System.IO
open System.Net.Http
open System.Security.Cryptography
open Dtc.Data.Idx
open Dtc.Data.Datasets

let private fail (path: string) (message: string) : 'a = raise (DataException(message, path))

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
        Dtc.Runtime.AtomicFile.write target (fun destination ->
            use source = File.OpenRead url.LocalPath
            copyChecked source destination)
    else
        use response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult()
        response.EnsureSuccessStatusCode() |> ignore
        Dtc.Runtime.AtomicFile.write target (fun destination ->
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
/// <param name="settings">Mirrors, hashes, cache folder and timeout (see <see cref="P:Dtc.Data.Download.Download.defaults"/>).</param>
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
/// SHA-256, downloaded once into a cache folder (see <see cref="M:Dtc.Data.Download.mnistWith(Dtc.Data.Download.Download)"/>).</summary>
/// <param name="cacheDir">The cache folder; <c>None</c> (the default) means <see cref="M:Dtc.Data.Download.defaultCacheDir"/>.</param>
/// <returns>The validated data set, named <c>mnist</c>.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When it cannot be downloaded: the message suggests alternatives.</exception>
let mnist (cacheDir: string option) : Dataset = mnistWith { Download.defaults with CacheDir = cacheDir }

