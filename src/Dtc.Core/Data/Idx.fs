/// <summary>
/// Reading and writing IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number
/// (two zero bytes, an element-type code, the number of dimensions), the dimensions as big-endian
/// 32-bit integers, then the elements in row-major order. Dtc reads the two unsigned-byte layouts the
/// datasets use: labels (magic <c>0x00000801</c>, one dimension) and images (magic <c>0x00000803</c>,
/// count × rows × columns). Files may be raw or gzip-compressed; gzip is recognised by its magic bytes
/// <c>1f 8b</c>, not by the file name.
/// </summary>
/// <remarks>
/// Every problem with the input — a missing, empty, truncated or corrupt file, a wrong magic number or
/// element type, trailing bytes — raises a <see cref="T:Dtc.Data.Idx.DataException"/> whose message names
/// the file and says what was expected and what was found. It derives from
/// <see cref="T:System.ArgumentException"/>, so callers (such as the <c>dtc</c> command line, which maps
/// bad input to exit code 2) can tell bad input from bugs without knowing Dtc's types.
/// </remarks>
/// <namespacedoc><summary>Data: IDX files, the data sets the experiments run on, and their staging as tensors.</summary></namespacedoc>
module Dtc.Data.Idx

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression

/// <summary>Bad input data: a file or stream that cannot be read as what was asked for, or a data set
/// that cannot be obtained. The message names the file (or data set) and the problem.</summary>
/// <param name="message">The full message, in Dtc's "Expecting … but received …" wording.</param>
/// <param name="path">The file, stream name, folder or data set the problem is about.</param>
/// <param name="inner">The underlying exception, or <c>null</c>.</param>
type DataException(message: string, path: string, inner: exn) =
    inherit ArgumentException(message, inner)

    /// <summary>Bad input data without an underlying exception.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="path">The file, stream name, folder or data set the problem is about.</param>
    new(message: string, path: string) = DataException(message, path, null)

    /// <summary>The file, stream name, folder or data set the problem is about.</summary>
    member _.Path = path

/// <summary>A set of greyscale images, one unsigned byte per pixel.</summary>
type Images =
    { /// <summary>The number of images.</summary>
      Count: int
      /// <summary>The height of every image, in pixels.</summary>
      Rows: int
      /// <summary>The width of every image, in pixels.</summary>
      Columns: int
      /// <summary>All pixels, image after image, each image row after row (<c>Count × Rows × Columns</c> bytes).</summary>
      Pixels: byte[] }

    /// <summary>The number of pixels of one image, <c>Rows × Columns</c>.</summary>
    member x.PixelsPerImage = x.Rows * x.Columns

/// <summary>A sequence of class labels, one unsigned byte each.</summary>
type Labels =
    { /// <summary>The number of labels.</summary>
      Count: int
      /// <summary>The labels.</summary>
      Values: byte[] }

/// <summary>The IDX magic number of unsigned-byte label files, <c>0x00000801</c>.</summary>
[<Literal>]
let LabelsMagic = 0x00000801

/// <summary>The IDX magic number of unsigned-byte image files, <c>0x00000803</c>.</summary>
[<Literal>]
let ImagesMagic = 0x00000803

/// <summary>The most elements (bytes) an IDX file may declare, 2³⁰ = 1,073,741,824 (22 times the full MNIST's
/// training images): a header whose element count exceeds it, or whose product of dimensions overflows, is
/// refused before anything is allocated or decompressed.</summary>
[<Literal>]
let MaxElements = 1073741824L

let private fail (name: string) (message: string) : 'a =
    raise (DataException(sprintf "%s: %s" name message, name))

let private failWith (name: string) (inner: exn) (message: string) : 'a =
    raise (DataException(sprintf "%s: %s" name message, name, inner))

let private typeName (code: byte) =
    match code with
    | 0x08uy -> "unsigned byte"
    | 0x09uy -> "signed byte"
    | 0x0Buy -> "int16"
    | 0x0Cuy -> "int32"
    | 0x0Duy -> "float32"
    | 0x0Euy -> "float64"
    | _ -> "unknown"

let private kindOf (dims: int) =
    match dims with
    | 1 -> "labels, 1 dimension"
    | 3 -> "images, 3 dimensions"
    | d -> sprintf "%d dimensions" d

let private isGzip (bytes: byte[]) = bytes.Length >= 2 && bytes.[0] = 0x1fuy && bytes.[1] = 0x8buy

let private readAll (name: string) (stream: Stream) : byte[] =
    if isNull stream then nullArg (nameof stream)
    try
        use copy = new MemoryStream()
        stream.CopyTo copy
        copy.ToArray()
    with
    | :? IOException as e -> failWith name e (sprintf "Expecting a readable IDX stream but received a read error (%s)" e.Message)

let private crcTable =
    lazy (Array.init 256 (fun n ->
        let mutable c = uint32 n
        for _ in 1 .. 8 do
            c <- if c &&& 1u <> 0u then 0xEDB88320u ^^^ (c >>> 1) else c >>> 1
        c))

/// CRC-32 as in gzip's trailer (ISO 3309, reflected polynomial 0xEDB88320).
let private crc32 (bytes: byte[]) (start: int) =
    let table = crcTable.Value
    let mutable c = 0xFFFFFFFFu
    for i in start .. bytes.Length - 1 do
        c <- table.[int ((c ^^^ uint32 bytes.[i]) &&& 0xFFu)] ^^^ (c >>> 8)
    c ^^^ 0xFFFFFFFFu

/// .NET's GZipStream checks the trailer of a complete stream but ends silently on a truncated one: the
/// file's last 8 bytes must be the last member's trailer (CRC-32 and size of its uncompressed data).
let private checkTrailer (name: string) (bytes: byte[]) (output: byte[]) =
    if bytes.Length < 18 then
        fail name (sprintf "Expecting a gzip stream of at least 18 bytes (header and trailer) but received %d (truncated gzip stream)" bytes.Length)
    let crc = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(bytes, bytes.Length - 8, 4))
    let size = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(bytes, bytes.Length - 4, 4))
    let complete =
        size = uint32 output.Length
        // Several gzip members: the trailer describes the last one, a suffix of the output.
        || (int64 size < int64 output.Length && crc32 output (output.Length - int size) = crc)
    if not complete then
        fail name (sprintf "Expecting a complete gzip stream whose trailer matches its content but received a trailer announcing %d uncompressed byte(s) after %d were decoded (truncated or corrupt gzip stream)"
                       size output.Length)

/// Checks an IDX header (the first bytes of a decompressed file) and returns its dimensions, its length
/// and the number of data bytes it declares, bounded by MaxElements.
let private parseHeader (name: string) (expectedDims: int) (bytes: byte[]) : int[] * int * int64 =
    let expectedMagic = 0x800 ||| expectedDims
    let what = kindOf expectedDims
    if bytes.Length = 0 then
        fail name (sprintf "Expecting an IDX file (%s, magic 0x%08X) but received an empty file" what expectedMagic)
    if bytes.Length < 4 then
        fail name (sprintf "Expecting a 4-byte IDX magic number but received %d byte(s) (truncated header)" bytes.Length)
    let magic = BinaryPrimitives.ReadInt32BigEndian(ReadOnlySpan(bytes, 0, 4))
    if bytes.[0] <> 0uy || bytes.[1] <> 0uy then
        fail name (sprintf "Expecting the IDX magic number 0x%08X (%s) but received 0x%08X (wrong magic: not an IDX file)" expectedMagic what magic)
    if bytes.[2] <> 0x08uy then
        fail name (sprintf "Expecting unsigned bytes (element type code 0x08, magic 0x%08X) but received element type code 0x%02X (%s) in magic 0x%08X (wrong element type)"
                       expectedMagic bytes.[2] (typeName bytes.[2]) magic)
    let dims = int bytes.[3]
    if dims <> expectedDims then
        let hint =
            match dims with
            | 1 -> ": a label file?"
            | 3 -> ": an image file?"
            | _ -> ""
        fail name (sprintf "Expecting the IDX magic number 0x%08X (%s) but received 0x%08X (%s%s; wrong magic)" expectedMagic what magic (kindOf dims) hint)
    let headerLength = 4 + 4 * dims
    if bytes.Length < headerLength then
        fail name (sprintf "Expecting a %d-byte IDX header (magic and %d dimension(s)) but received %d byte(s) (truncated header)" headerLength dims bytes.Length)
    let sizes =
        Array.init dims (fun i ->
            let v = BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan(bytes, 4 + 4 * i, 4))
            if v > uint32 Int32.MaxValue then
                fail name (sprintf "Expecting dimension %d to be at most %d but received %d" i Int32.MaxValue v)
            int v)
    // Multiplied one dimension at a time against the bound, so the product can neither overflow nor pass it.
    let mutable expected = 1L
    for s in sizes do
        if s <> 0 && expected > MaxElements / int64 s then
            fail name (sprintf "Expecting at most %d elements (Idx.MaxElements) but received a header declaring %s (refused before allocating)"
                           MaxElements (String.Join(" × ", sizes)))
        expected <- expected * int64 s
    sizes, headerLength, expected

let private lengthMessage (sizes: int[]) (headerLength: int) (expected: int64) (received: int64) =
    let shape = String.Join(" × ", sizes)
    if received < expected then
        sprintf "Expecting %d data byte(s) (%s) after the %d-byte header but received %d (truncated data)" expected shape headerLength received
    else
        sprintf "Expecting %d data byte(s) (%s) after the %d-byte header but received %d (%d trailing byte(s))" expected shape headerLength received (received - expected)

/// Checks a whole decompressed IDX buffer and returns its dimensions and header length.
let private parse (name: string) (expectedDims: int) (bytes: byte[]) : int[] * int =
    let sizes, headerLength, expected = parseHeader name expectedDims bytes
    let received = int64 bytes.Length - int64 headerLength
    if received <> expected then fail name (lengthMessage sizes headerLength expected received)
    sizes, headerLength

/// Trailing decompressed bytes past what the header declares are counted up to this many, then decompression stops.
let private trailingCountLimit = 1 <<< 20

/// Reads up to `count` bytes into `buffer` from `offset`; returns how many were read (fewer at the end of the stream).
let private readUpTo (stream: Stream) (buffer: byte[]) (offset: int) (count: int) =
    let mutable total = 0
    let mutable eof = false
    while total < count && not eof do
        let n = stream.Read(buffer, offset + total, count - total)
        if n = 0 then eof <- true else total <- total + n
    total

/// Decompresses a gzip stream as it goes: the IDX header first, then exactly the data it declares (checked
/// against MaxElements before allocating), then at most a bounded count of trailing bytes. A raw buffer is
/// returned as it is.
let private decompress (name: string) (expectedDims: int) (bytes: byte[]) : byte[] =
    if not (isGzip bytes) then bytes
    else
        try
            use input = new MemoryStream(bytes, false)
            use gzip = new GZipStream(input, CompressionMode.Decompress)
            let headerLength = 4 + 4 * expectedDims
            let head = Array.zeroCreate<byte> headerLength
            let got = readUpTo gzip head 0 headerLength
            if got < headerLength then
                let decoded = Array.sub head 0 got
                checkTrailer name bytes decoded
                decoded
            else
                let sizes, _, expected = parseHeader name expectedDims head
                let decoded = Array.zeroCreate<byte> (headerLength + int expected)
                Buffer.BlockCopy(head, 0, decoded, 0, headerLength)
                let data = readUpTo gzip decoded headerLength (int expected)
                if int64 data < expected then
                    let cut = Array.sub decoded 0 (headerLength + data)
                    checkTrailer name bytes cut
                    cut
                else
                    let scratch = Array.zeroCreate<byte> 65536
                    let mutable trailing = 0
                    let mutable eof = false
                    while not eof && trailing <= trailingCountLimit do
                        let n = gzip.Read(scratch, 0, scratch.Length)
                        if n = 0 then eof <- true else trailing <- trailing + n
                    if trailing > trailingCountLimit then
                        fail name (sprintf "Expecting %d data byte(s) (%s) after the %d-byte header, as the header declares, but the gzip stream decompresses to more than %d byte(s) past them (trailing data or a decompression bomb; decompression stopped there)"
                                       expected (String.Join(" × ", sizes)) headerLength trailingCountLimit)
                    if trailing > 0 then fail name (lengthMessage sizes headerLength expected (expected + int64 trailing))
                    checkTrailer name bytes decoded
                    decoded
        with
        | :? InvalidDataException as e ->
            failWith name e (sprintf "Expecting a valid gzip stream (the file starts with the gzip magic bytes 1f 8b) but received corrupt gzip data (%s)" e.Message)
        | :? IOException as e ->
            failWith name e (sprintf "Expecting a valid gzip stream but received corrupt or oversized gzip data (%s)" e.Message)

let private decodeImages (name: string) (raw: byte[]) : Images =
    let bytes = decompress name 3 raw
    let sizes, header = parse name 3 bytes
    { Count = sizes.[0]; Rows = sizes.[1]; Columns = sizes.[2]; Pixels = bytes.[header..] }

let private decodeLabels (name: string) (raw: byte[]) : Labels =
    let bytes = decompress name 1 raw
    let sizes, header = parse name 1 bytes
    { Count = sizes.[0]; Values = bytes.[header..] }

/// Reads a file whole, after checking that it is a regular, non-empty file and, when it is raw (not gzip),
/// that its length is what its header declares: nothing is allocated from an unchecked size.
let private readFile (expectedDims: int) (path: string) : byte[] =
    if String.IsNullOrWhiteSpace path then
        invalidArg (nameof path) "Expecting the path of an IDX file but received an empty path"
    try
        if Directory.Exists path then fail path "Expecting an IDX file but received a folder"
        let info = FileInfo path
        if not info.Exists then raise (FileNotFoundException(path))
        // A named pipe, a socket or a device reports a length of 0: refused before it is opened (reading one would block or never end).
        if info.Length = 0L then
            fail path (sprintf "Expecting an IDX file (%s, magic 0x%08X) but received an empty file, or one that is not a regular file (a named pipe or a device, which Dtc does not read)"
                           (kindOf expectedDims) (0x800 ||| expectedDims))
        if info.Length > int64 Array.MaxLength then
            fail path (sprintf "Expecting an IDX file of at most %d bytes but received %d" Array.MaxLength info.Length)
        use stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)
        let headerLength = 4 + 4 * expectedDims
        let head = Array.zeroCreate<byte> (int (min info.Length (int64 headerLength)))
        let got = readUpTo stream head 0 head.Length
        if got = headerLength && not (isGzip head) then
            // A raw file: the size its header declares must be its length before the rest is read.
            let sizes, _, expected = parseHeader path expectedDims head
            let received = info.Length - int64 headerLength
            if received <> expected then fail path (lengthMessage sizes headerLength expected received)
        let bytes = Array.zeroCreate<byte> (int info.Length)
        Buffer.BlockCopy(head, 0, bytes, 0, got)
        let rest = readUpTo stream bytes got (bytes.Length - got)
        if got + rest <> bytes.Length then
            fail path (sprintf "Expecting %d byte(s), the file's length, but read %d (the file changed while it was read)" bytes.Length (got + rest))
        bytes
    with
    | :? FileNotFoundException
    | :? DirectoryNotFoundException as e -> failWith path e "Expecting an IDX file but received a path that does not exist"
    | :? UnauthorizedAccessException as e -> failWith path e (sprintf "Expecting a readable IDX file but received %s" e.Message)
    | :? IOException as e -> failWith path e (sprintf "Expecting a readable IDX file but received a read error (%s)" e.Message)

/// <summary>Reads an image file (magic <c>0x00000803</c>) from a stream, raw or gzip-compressed.</summary>
/// <param name="name">The name used in error messages (a file name or a resource name).</param>
/// <param name="stream">The stream, read to its end; not closed.</param>
/// <returns>The images.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When the stream is not a valid unsigned-byte image file.</exception>
let readImagesFrom (name: string) (stream: Stream) : Images = readAll name stream |> decodeImages name

/// <summary>Reads a label file (magic <c>0x00000801</c>) from a stream, raw or gzip-compressed.</summary>
/// <param name="name">The name used in error messages (a file name or a resource name).</param>
/// <param name="stream">The stream, read to its end; not closed.</param>
/// <returns>The labels.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When the stream is not a valid unsigned-byte label file.</exception>
let readLabelsFrom (name: string) (stream: Stream) : Labels = readAll name stream |> decodeLabels name

/// <summary>Reads an image file (magic <c>0x00000803</c>), raw or gzip-compressed (recognised by its content).</summary>
/// <param name="path">The file's path.</param>
/// <returns>The images.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When the file is missing or is not a valid unsigned-byte image file.</exception>
/// <example><code>let images = Idx.readImages "data/train-images-idx3-ubyte.gz"</code></example>
let readImages (path: string) : Images = readFile 3 path |> decodeImages path

/// <summary>Reads a label file (magic <c>0x00000801</c>), raw or gzip-compressed (recognised by its content).</summary>
/// <param name="path">The file's path.</param>
/// <returns>The labels.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">When the file is missing or is not a valid unsigned-byte label file.</exception>
let readLabels (path: string) : Labels = readFile 1 path |> decodeLabels path

let private header (magic: int) (sizes: int[]) =
    let bytes = Array.zeroCreate<byte> (4 + 4 * sizes.Length)
    BinaryPrimitives.WriteInt32BigEndian(Span(bytes, 0, 4), magic)
    sizes |> Array.iteri (fun i s -> BinaryPrimitives.WriteInt32BigEndian(Span(bytes, 4 + 4 * i, 4), s))
    bytes

/// <summary>Encodes images as an uncompressed IDX file (magic <c>0x00000803</c>).</summary>
/// <param name="images">The images; <c>Pixels</c> must hold <c>Count × Rows × Columns</c> bytes.</param>
/// <returns>The file's bytes: a 16-byte header, then the pixels.</returns>
let encodeImages (images: Images) : byte[] =
    if images.Count < 0 || images.Rows < 0 || images.Columns < 0 then
        invalidArg (nameof images) (sprintf "Expecting non-negative sizes but received %d × %d × %d" images.Count images.Rows images.Columns)
    let expected = int64 images.Count * int64 images.Rows * int64 images.Columns
    if isNull images.Pixels || int64 images.Pixels.Length <> expected then
        invalidArg (nameof images) (sprintf "Expecting %d pixels (%d × %d × %d) but received %d"
                                        expected images.Count images.Rows images.Columns (if isNull images.Pixels then 0 else images.Pixels.Length))
    Array.append (header ImagesMagic [| images.Count; images.Rows; images.Columns |]) images.Pixels

/// <summary>Encodes labels as an uncompressed IDX file (magic <c>0x00000801</c>).</summary>
/// <param name="labels">The labels; <c>Values</c> must hold <c>Count</c> bytes.</param>
/// <returns>The file's bytes: an 8-byte header, then the labels.</returns>
let encodeLabels (labels: Labels) : byte[] =
    if labels.Count < 0 then invalidArg (nameof labels) (sprintf "Expecting a non-negative count but received %d" labels.Count)
    if isNull labels.Values || labels.Values.Length <> labels.Count then
        invalidArg (nameof labels) (sprintf "Expecting %d label values but received %d" labels.Count (if isNull labels.Values then 0 else labels.Values.Length))
    Array.append (header LabelsMagic [| labels.Count |]) labels.Values

/// <summary>Compresses bytes with gzip (the format IDX files are usually distributed in).</summary>
/// <param name="bytes">The uncompressed bytes.</param>
/// <returns>The gzip stream's bytes.</returns>
let gzip (bytes: byte[]) : byte[] =
    use output = new MemoryStream()
    do
        use z = new GZipStream(output, CompressionLevel.Optimal, true)
        z.Write(bytes, 0, bytes.Length)
    output.ToArray()

/// <summary>Writes a file atomically: <see cref="M:Dtc.Runtime.AtomicFile.write(System.String,Microsoft.FSharp.Core.FSharpFunc{System.IO.Stream,Microsoft.FSharp.Core.Unit})"/>,
/// Dtc's one atomic writer (a temporary file beside the target, flushed, then renamed over it).</summary>
/// <param name="path">The target file.</param>
/// <param name="write">Writes the content to the stream it is given (flushed and closed afterwards).</param>
let writeAtomically (path: string) (write: Stream -> unit) : unit = Dtc.Runtime.AtomicFile.write path write

let private writeEncoded (path: string) (bytes: byte[]) =
    let content = if path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) then gzip bytes else bytes
    writeAtomically path (fun s -> s.Write(content, 0, content.Length))

/// <summary>Writes images as an IDX file, atomically (see <see cref="M:Dtc.Data.Idx.writeAtomically(System.String,Microsoft.FSharp.Core.FSharpFunc{System.IO.Stream,Microsoft.FSharp.Core.Unit})"/>).</summary>
/// <param name="path">The target file; gzip-compressed when its name ends with <c>.gz</c>, raw otherwise.</param>
/// <param name="images">The images.</param>
let writeImages (path: string) (images: Images) : unit = encodeImages images |> writeEncoded path

/// <summary>Writes labels as an IDX file, atomically (see <see cref="M:Dtc.Data.Idx.writeAtomically(System.String,Microsoft.FSharp.Core.FSharpFunc{System.IO.Stream,Microsoft.FSharp.Core.Unit})"/>).</summary>
/// <param name="path">The target file; gzip-compressed when its name ends with <c>.gz</c>, raw otherwise.</param>
/// <param name="labels">The labels.</param>
let writeLabels (path: string) (labels: Labels) : unit = encodeLabels labels |> writeEncoded path
