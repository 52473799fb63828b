module Dtc.Tests.Data.Idx

open System
open System.IO
open Expecto
open Dtc.Data
open Dtc.Data.Idx

/// Runs a body with a fresh temporary folder, deleted afterwards.
let withTempDir (body: string -> 'a) : 'a =
    let dir = Path.Combine(Path.GetTempPath(), "dtc-tests-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory dir |> ignore
    try body dir
    finally
        try Directory.Delete(dir, true) with _ -> ()

/// Expects a DataException (and nothing else, such as an IndexOutOfRangeException) whose message holds
/// every fragment; returns it.
let expectDataError (fragments: string list) (what: string) (f: unit -> 'a) : DataException =
    let outcome =
        try
            f () |> ignore
            None
        with e -> Some e
    match outcome with
    | None -> failtestf "%s: expecting a DataException but nothing was thrown" what
    | Some(:? DataException as e) ->
        for fragment in fragments do
            Expect.stringContains e.Message fragment (sprintf "%s: the message names %s" what fragment)
        Expect.isTrue (e :> exn :? ArgumentException) (sprintf "%s: a DataException is an ArgumentException (bad input for the CLI)" what)
        e
    | Some other -> failtestf "%s: expecting a DataException but received %s: %s" what (other.GetType().FullName) other.Message

let private images (count: int) (rows: int) (columns: int) (seed: int) : Images =
    let rng = Random seed
    let pixels = Array.zeroCreate<byte> (count * rows * columns)
    rng.NextBytes pixels
    { Count = count; Rows = rows; Columns = columns; Pixels = pixels }

let private labels (count: int) (seed: int) : Labels =
    let rng = Random seed
    { Count = count; Values = Array.init count (fun _ -> byte (rng.Next 10)) }

let private writeRaw (dir: string) (name: string) (bytes: byte[]) =
    let path = Path.Combine(dir, name)
    File.WriteAllBytes(path, bytes)
    path

let private validImages = lazy (encodeImages (images 3 4 5 7))
let private validLabels = lazy (encodeLabels (labels 3 7))

let private malformed =
    testList "rejects malformed files with a message naming the file and the problem" [
        testCase "an empty file" <| fun () ->
            withTempDir (fun dir ->
                let path = writeRaw dir "empty-images" [||]
                expectDataError [ path; "empty file"; "0x00000803" ] "empty images" (fun () -> readImages path) |> ignore
                expectDataError [ path; "empty file"; "0x00000801" ] "empty labels" (fun () -> readLabels path) |> ignore)

        testCase "a truncated header (magic cut, dimensions cut)" <| fun () ->
            withTempDir (fun dir ->
                let magicCut = writeRaw dir "magic-cut" validImages.Value.[.. 2]
                expectDataError [ magicCut; "truncated header"; "received 3 byte(s)" ] "3 bytes" (fun () -> readImages magicCut) |> ignore
                let dimsCut = writeRaw dir "dims-cut" validImages.Value.[.. 9]
                expectDataError [ dimsCut; "truncated header"; "16-byte"; "received 10" ] "10 bytes" (fun () -> readImages dimsCut) |> ignore
                let labelsCut = writeRaw dir "labels-cut" validLabels.Value.[.. 5]
                expectDataError [ labelsCut; "truncated header"; "8-byte" ] "labels 6 bytes" (fun () -> readLabels labelsCut) |> ignore)

        testCase "truncated data, raw and gzip" <| fun () ->
            withTempDir (fun dir ->
                let cut = validImages.Value.[.. validImages.Value.Length - 2]
                let raw = writeRaw dir "train-images-idx3-ubyte" cut
                expectDataError [ raw; "truncated data"; "Expecting 60 data byte(s) (3 × 4 × 5)"; "received 59" ] "raw" (fun () -> readImages raw) |> ignore
                let gz = writeRaw dir "train-images-idx3-ubyte.gz" (gzip cut)
                expectDataError [ gz; "truncated data"; "received 59" ] "gzip" (fun () -> readImages gz) |> ignore
                let labelsCut = writeRaw dir "labels" validLabels.Value.[.. validLabels.Value.Length - 3]
                expectDataError [ labelsCut; "truncated data"; "Expecting 3 data byte(s)"; "received 1" ] "labels" (fun () -> readLabels labelsCut) |> ignore)

        testCase "trailing bytes" <| fun () ->
            withTempDir (fun dir ->
                let path = writeRaw dir "images-trailing" (Array.append validImages.Value [| 1uy; 2uy |])
                expectDataError [ path; "2 trailing byte(s)"; "received 62" ] "images" (fun () -> readImages path) |> ignore
                let gz = writeRaw dir "labels-trailing.gz" (gzip (Array.append validLabels.Value [| 0uy |]))
                expectDataError [ gz; "1 trailing byte(s)" ] "labels" (fun () -> readLabels gz) |> ignore)

        testCase "a wrong magic number says what was found and what was expected" <| fun () ->
            withTempDir (fun dir ->
                let labelsFile = writeRaw dir "t10k-labels-idx1-ubyte" validLabels.Value
                expectDataError [ labelsFile; "0x00000803"; "received 0x00000801"; "a label file?" ] "labels read as images" (fun () -> readImages labelsFile) |> ignore
                let imagesFile = writeRaw dir "t10k-images-idx3-ubyte" validImages.Value
                expectDataError [ imagesFile; "0x00000801"; "received 0x00000803"; "an image file?" ] "images read as labels" (fun () -> readLabels imagesFile) |> ignore
                let png = writeRaw dir "picture.png" [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]
                expectDataError [ png; "wrong magic"; "0x89504E47"; "not an IDX file" ] "PNG" (fun () -> readImages png) |> ignore)

        testCase "a wrong element type" <| fun () ->
            withTempDir (fun dir ->
                let bytes = Array.copy validImages.Value
                bytes.[2] <- 0x0Duy
                let path = writeRaw dir "float-images" bytes
                expectDataError [ path; "wrong element type"; "0x0D (float32)"; "0x00000D03" ] "float32" (fun () -> readImages path) |> ignore)

        testCase "a corrupt gzip stream" <| fun () ->
            withTempDir (fun dir ->
                let garbage = Array.append [| 0x1fuy; 0x8buy |] (Array.init 40 (fun i -> byte (i * 37)))
                let path = writeRaw dir "corrupt.gz" garbage
                expectDataError [ path; "corrupt gzip" ] "garbage after the gzip magic" (fun () -> readImages path) |> ignore
                let full = gzip validImages.Value
                let half = writeRaw dir "half.gz" full.[.. full.Length / 2]
                expectDataError [ half; "truncated" ] "a gzip stream cut in half" (fun () -> readImages half) |> ignore
                let noTrailer = writeRaw dir "no-trailer.gz" full.[.. full.Length - 5]
                expectDataError [ noTrailer; "truncated or corrupt gzip stream" ] "a gzip stream without its last 4 bytes" (fun () -> readImages noTrailer) |> ignore
                let badCrc = Array.copy full
                badCrc.[badCrc.Length - 6] <- badCrc.[badCrc.Length - 6] ^^^ 0xFFuy
                let crcPath = writeRaw dir "bad-crc.gz" badCrc
                expectDataError [ crcPath; "corrupt gzip" ] "a wrong CRC-32" (fun () -> readImages crcPath) |> ignore)

        testCase "a gzip file of several members (as written by pigz or bgzip) is read whole" <| fun () ->
            withTempDir (fun dir ->
                let v = validImages.Value
                let path = writeRaw dir "members.gz" (Array.append (gzip v.[.. 20]) (gzip v.[21 ..]))
                Expect.equal (encodeImages (readImages path)) v "two members"
                let emptyLast = writeRaw dir "empty-last.gz" (Array.append (gzip v) (gzip [||]))
                Expect.equal (encodeImages (readImages emptyLast)) v "an empty last member")

        testCase "a missing file" <| fun () ->
            withTempDir (fun dir ->
                let path = Path.Combine(dir, "nowhere-idx3-ubyte.gz")
                expectDataError [ path; "does not exist" ] "missing" (fun () -> readImages path) |> ignore)

        testProperty "any prefix or any one-byte change of a valid file is read or rejected with a DataException, never another exception"
        <| fun (cut: uint16) (position: uint16) (value: byte) (compressed: bool) ->
            let valid = validImages.Value
            let source = if compressed then gzip valid else valid
            let prefix = source.[.. (int cut % (source.Length + 1)) - 1]
            let changed = Array.copy source
            changed.[int position % changed.Length] <- value
            [ prefix; changed ]
            |> List.forall (fun bytes ->
                try
                    use stream = new MemoryStream(bytes)
                    readImagesFrom "fuzz" stream |> ignore
                    true
                with
                | :? DataException as e -> e.Message.StartsWith "fuzz: "
                | _ -> false)

        testCase "a header whose element count overflows or exceeds MaxElements is refused" <| fun () ->
            withTempDir (fun dir ->
                // 16 × 2^30 × 2^30 = 2^64 bytes: the product wraps to 0 in 64 bits, which matched an empty body.
                let header (sizes: int[]) =
                    Array.append [| 0uy; 0uy; 8uy; byte sizes.Length |] (sizes |> Array.collect (fun s -> Array.rev (BitConverter.GetBytes s)))
                let wraps = writeRaw dir "wraps" (header [| 16; 1 <<< 30; 1 <<< 30 |])
                expectDataError [ wraps; "16 × 1073741824 × 1073741824"; "at most 1073741824" ] "2^64" (fun () -> readImages wraps) |> ignore
                let big = writeRaw dir "big.gz" (gzip (header [| 2; 1 <<< 15; 1 <<< 15 |]))
                expectDataError [ big; "2 × 32768 × 32768"; "MaxElements" ] "2^31 in gzip" (fun () -> readImages big) |> ignore
                let labels = writeRaw dir "labels" (header [| Int32.MaxValue |])
                expectDataError [ labels; "at most 1073741824" ] "labels" (fun () -> readLabels labels) |> ignore)

        testCase "a gzip bomb is stopped past what its header declares, without decompressing it whole" <| fun () ->
            withTempDir (fun dir ->
                // 7,840 declared bytes, then 256 MiB of zeros (about 260 kB compressed).
                let bomb =
                    use output = new MemoryStream()
                    do
                        use z = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal, true)
                        let head = encodeImages (images 10 28 28 1)
                        z.Write(head, 0, head.Length)
                        let zeros = Array.zeroCreate<byte> (1 <<< 20)
                        for _ in 1 .. 256 do z.Write(zeros, 0, zeros.Length)
                    output.ToArray()
                let path = writeRaw dir "bomb.gz" bomb
                let before = GC.GetAllocatedBytesForCurrentThread()
                expectDataError [ path; "7840 data byte(s)"; "decompression bomb" ] "bomb" (fun () -> readImages path) |> ignore
                let allocated = GC.GetAllocatedBytesForCurrentThread() - before
                Expect.isLessThan allocated (32L <<< 20) "far less than the 256 MiB the stream holds")

        testCase "a file of length 0 is refused without being opened (a named pipe would block)" <| fun () ->
            withTempDir (fun dir ->
                let pipe = Path.Combine(dir, "pipe-images")
                let made = Diagnostics.Process.Start("mkfifo", [ pipe ])
                made.WaitForExit()
                let read = Threading.Tasks.Task.Run(fun () -> try readImages pipe |> ignore; None with e -> Some e)
                Expect.isTrue (read.Wait(TimeSpan.FromSeconds 20.0)) "returns instead of blocking on the pipe"
                match read.Result with
                | Some(:? DataException as e) ->
                    Expect.stringContains e.Message pipe "names the pipe"
                    Expect.stringContains e.Message "not a regular file" "says why"
                | other -> failtestf "Expecting a DataException but received %A" other)
    ]

[<Tests>]
let tests =
    testList "Data.Idx" [
        testProperty "round trip: writer then reader returns the same images and labels (raw and .gz, path and stream)"
        <| fun (count: byte) (rows: byte) (columns: byte) (seed: int) ->
            let img = images (int count % 6) (int rows % 5) (int columns % 5) seed
            let lab = labels (int count % 6) seed
            withTempDir (fun dir ->
                [ "images-idx3-ubyte"; "images-idx3-ubyte.gz" ]
                |> List.forall (fun name ->
                    let path = Path.Combine(dir, name)
                    writeImages path img
                    writeLabels (path + ".labels" + (if name.EndsWith ".gz" then ".gz" else "")) lab
                    let back = readImages path
                    let backLabels = readLabels (path + ".labels" + (if name.EndsWith ".gz" then ".gz" else ""))
                    use stream = File.OpenRead path
                    let fromStream = readImagesFrom name stream
                    back = img && fromStream = img && backLabels = lab))

        testCase "the IDX header: magic 0x00000803 and big-endian dimensions" <| fun () ->
            let bytes = encodeImages (images 2 28 27 1)
            Expect.sequenceEqual bytes.[.. 15] [| 0uy; 0uy; 8uy; 3uy; 0uy; 0uy; 0uy; 2uy; 0uy; 0uy; 0uy; 28uy; 0uy; 0uy; 0uy; 27uy |] "images header"
            Expect.sequenceEqual (encodeLabels (labels 258 1)).[.. 7] [| 0uy; 0uy; 8uy; 1uy; 0uy; 0uy; 1uy; 2uy |] "labels header"

        testCase "gzip is recognised by content, not by the file name" <| fun () ->
            withTempDir (fun dir ->
                let img = images 2 3 3 5
                let rawNamedGz = writeRaw dir "raw.gz" (encodeImages img)
                let gzNamedRaw = writeRaw dir "compressed-idx3-ubyte" (gzip (encodeImages img))
                Expect.equal (readImages rawNamedGz) img "a raw file named .gz"
                Expect.equal (readImages gzNamedRaw) img "a gzip file without .gz")

        testCase "the writer is atomic: a failing write leaves the target as it was and no temporary file" <| fun () ->
            withTempDir (fun dir ->
                let path = Path.Combine(dir, "labels-idx1-ubyte")
                let lab = labels 4 3
                writeLabels path lab
                let failing () = writeAtomically path (fun s -> s.Write([| 1uy; 2uy |], 0, 2); failwith "disk full")
                Expect.throws (failing >> ignore) "the write's own exception propagates"
                Expect.equal (readLabels path) lab "the previous file is intact"
                Expect.sequenceEqual (Directory.GetFiles dir |> Array.map Path.GetFileName) [| "labels-idx1-ubyte" |] "no temporary file is left"
                writeLabels path (labels 2 9)
                Expect.equal (readLabels path).Count 2 "an existing file is replaced")

        testCase "the writer refuses records whose arrays do not match their sizes" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> encodeImages { Count = 2; Rows = 2; Columns = 2; Pixels = Array.zeroCreate 7 } |> ignore) "7 pixels for 2 × 2 × 2"
            Expect.throwsT<ArgumentException> (fun () -> encodeLabels { Count = 2; Values = Array.zeroCreate 3 } |> ignore) "3 values for 2 labels"

        malformed
    ]
