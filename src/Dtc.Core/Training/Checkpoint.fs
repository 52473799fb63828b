/// <summary>
/// Checkpoints of a compress-train run, written after every cycle: the model's parameters, the data
/// position, the cycles so far and a fingerprint of the protocol, in one file written to a temporary
/// name and renamed (a reader never sees a partial checkpoint).
/// </summary>
/// <remarks>
/// The random streams of a run are functions of its seeds and of the data position (Φ and the random
/// method reseed every cycle, shuffling draws the permutation of epoch e from seed + e), so the
/// position is the whole random state. Format 2: the bytes "DTCK", the format version (int32), the
/// length of a UTF-8 JSON header (int32), the header, the number of weights and of biases (int32 each),
/// then each parameter as rank (int32), dimensions (int64 each) and little-endian float32 data, and last
/// the SHA-256 of every byte before it. All integers are little-endian. A reader checks the checksum and
/// every length against the file's size before it allocates anything; version 1 (no checksum) is refused.
/// </remarks>
module Dtc.Training.Checkpoint

open System
open System.IO
open System.Text
open System.Text.Json
open TorchSharp
open TorchSharp.Modules
open Dtc.Training.Records

/// <summary>What a checkpoint holds besides the parameters.</summary>
type Header =
    { /// <summary>Method name.</summary>
      Method: string
      /// <summary>A fingerprint of the protocol and dataset; resuming under another one is refused.</summary>
      Fingerprint: string
      /// <summary>The next training batch's position.</summary>
      Position: int64
      /// <summary>Whether the model has biases.</summary>
      Bias: bool
      /// <summary>The log-softmax quirk flag.</summary>
      LogSoftmaxOverBatch: bool
      /// <summary>Accuracy of the initial model (see <see cref="T:Dtc.Training.Records.MethodRun"/>).</summary>
      InitialAccuracy: float
      /// <summary>The cycles completed so far.</summary>
      Cycles: CycleRecord[]
      /// <summary>Whether the method has finished.</summary>
      Finished: bool
      /// <summary>The protocol's settings as name/value pairs (<c>Protocol.describe</c>), to say which one differs on resume.</summary>
      Protocol: (string * string)[]
      /// <summary>The text that identifies the data (<c>RunOptions.DataFingerprint</c>).</summary>
      Data: string
      /// <summary>Wall-clock seconds of the run so far, over every session, when the checkpoint was written.</summary>
      WallSeconds: float }

let private magic = "DTCK"B
let private version = 2

/// The SHA-256 trailer's length in bytes.
let private checksumLength = 32

/// <summary>The format version this Dtc writes and reads (2: with a SHA-256 checksum).</summary>
let formatVersion = version

/// <summary>The bytes of a checkpoint file: header, parameters and the SHA-256 trailer.</summary>
/// <param name="header">Position, cycles and fingerprint.</param>
/// <param name="model">The model.</param>
/// <returns>The whole file's content.</returns>
let encode (header: Header) (model: Model.Mlp) : byte[] =
    use buffer = new MemoryStream()
    do
        use w = new BinaryWriter(buffer, Encoding.UTF8, true)
        w.Write magic
        w.Write version
        let json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header, jsonOptions))
        w.Write json.Length
        w.Write json
        w.Write model.Weights.Length
        w.Write model.Biases.Length
        for p in Array.append model.Weights model.Biases do
            use cpu = p.detach().cpu().to_type(torch.float32).contiguous()
            w.Write(int cpu.Dimensions)
            for d in cpu.shape do w.Write d
            let values = cpu.data<float32>().ToArray()
            let bytes = Array.zeroCreate<byte> (values.Length * 4)
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length)
            w.Write bytes
    let body = buffer.ToArray()
    Array.append body (Security.Cryptography.SHA256.HashData body)

/// <summary>Writes a checkpoint atomically.</summary>
/// <param name="path">The file.</param>
/// <param name="header">Position, cycles and fingerprint.</param>
/// <param name="model">The model.</param>
let write (path: string) (header: Header) (model: Model.Mlp) : unit =
    Dtc.Runtime.AtomicFile.writeBytes path (encode header model)

/// <summary>Reads a checkpoint, checking it whole before trusting any of it: the magic bytes, the format
/// version, the SHA-256 checksum, then every length and dimension against the bytes that remain (so nothing
/// is allocated from an unchecked size) and the parameters' shapes against one another.</summary>
/// <param name="device">Device for the parameters.</param>
/// <param name="path">The file.</param>
/// <returns>The header and the model (the caller disposes it).</returns>
/// <exception cref="T:System.IO.InvalidDataException">The file is not an intact Dtc checkpoint of this format
/// (the message names the file and what was expected).</exception>
let read (device: torch.Device) (path: string) : Header * Model.Mlp =
    let bad what = raise (InvalidDataException(sprintf "Expecting a Dtc checkpoint (format %d) at %s but %s" version path what))
    let info = FileInfo path
    if not info.Exists then raise (FileNotFoundException(sprintf "Expecting a Dtc checkpoint at %s but it does not exist" path, path))
    let size = info.Length
    // Checked before opening: a named pipe or a device reports a length of 0, and opening one would block.
    if size < 8L then bad (sprintf "it holds %d byte(s), fewer than the 8 of its magic and version (truncated, or not a regular file)" size)
    use file = File.OpenRead path
    use r = new BinaryReader(file)
    try
        if r.ReadBytes 4 <> magic then bad "the file does not start with the bytes DTCK (not a checkpoint)"
        let v = r.ReadInt32()
        if v <> version then
            bad (sprintf "its format version is %d, which this Dtc does not read (expected %d); delete the checkpoints folder and run again without --resume" v version)
        if size < 16L + int64 checksumLength then bad (sprintf "it holds only %d byte(s) (truncated)" size)
        // The checksum covers every byte before the trailer.
        let bodyLength = size - int64 checksumLength
        file.Position <- 0L
        let actual =
            use hash = Security.Cryptography.IncrementalHash.CreateHash Security.Cryptography.HashAlgorithmName.SHA256
            let chunk = Array.zeroCreate<byte> 65536
            let mutable left = bodyLength
            while left > 0L do
                let n = file.Read(chunk, 0, int (min left (int64 chunk.Length)))
                if n <= 0 then bad "it is truncated"
                hash.AppendData(chunk, 0, n)
                left <- left - int64 n
            hash.GetHashAndReset()
        let stored = r.ReadBytes checksumLength
        if stored <> actual then
            bad (sprintf "its SHA-256 checksum does not match its content (stored %s, computed %s): the file is corrupt or truncated; delete it to restart that method"
                     (Convert.ToHexString(stored).ToLowerInvariant().Substring(0, 16)) (Convert.ToHexString(actual).ToLowerInvariant().Substring(0, 16)))
        file.Position <- 8L
        let remaining () = bodyLength - file.Position
        let headerLength = r.ReadInt32()
        if headerLength < 2 || int64 headerLength > remaining () then
            bad (sprintf "its header length is %d, outside 2 to the %d byte(s) that remain" headerLength (remaining ()))
        let header = JsonSerializer.Deserialize<Header>(r.ReadBytes headerLength, jsonOptions)
        if isNull (box header) || isNull header.Cycles || isNull header.Protocol || isNull header.Method then
            bad "its header lacks the method, cycles or protocol"
        if remaining () < 8L then bad "it is truncated after its header"
        let nw, nb = r.ReadInt32(), r.ReadInt32()
        // Each parameter takes at least 4 + 8 bytes (rank and one dimension).
        if nw < 1 || int64 nw * 12L > remaining () then bad (sprintf "it declares %d weight matrices, expected 1 to %d" nw (remaining () / 12L))
        if nb <> 0 && nb <> nw then bad (sprintf "it declares %d bias vectors for %d weight matrices (expected 0 or %d)" nb nw nw)
        let readParameter (what: string) (expectedRank: int) =
            let rank = r.ReadInt32()
            if rank <> expectedRank then bad (sprintf "%s has rank %d (expected %d)" what rank expectedRank)
            if int64 rank * 8L > remaining () then bad (sprintf "%s is truncated" what)
            let shape = Array.init rank (fun _ -> r.ReadInt64())
            // Checked one dimension at a time, so that the product cannot overflow.
            let mutable count = 1L
            for d in shape do
                if d < 1L then bad (sprintf "%s has dimensions [%s] (expected positive sizes)" what (String.Join(", ", shape)))
                if d > remaining () / 4L || count * d > remaining () / 4L then
                    bad (sprintf "%s has dimensions [%s], which need more than the %d byte(s) that remain (expected sizes that fit the file)"
                             what (String.Join(", ", shape)) (remaining ()))
                count <- count * d
            let bytes = r.ReadBytes(int (count * 4L))
            let values = Array.zeroCreate<float32> (int count)
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length)
            use flat = torch.tensor(values)
            use t = flat.reshape(shape)
            new Parameter(t.``to``(device), true)
        let parameters = ResizeArray<Parameter>()
        try
            for i in 0 .. nw - 1 do parameters.Add(readParameter (sprintf "weight %d" i) 2)
            for i in 0 .. nb - 1 do parameters.Add(readParameter (sprintf "bias %d" i) 1)
            if remaining () <> 0L then bad (sprintf "%d byte(s) follow its last parameter (expected none)" (remaining ()))
            let weights, biases = parameters.ToArray() |> Array.splitAt nw
            for i in 1 .. nw - 1 do
                if weights.[i].shape.[1] <> weights.[i - 1].shape.[0] then
                    bad (sprintf "weight %d takes %d inputs but weight %d gives %d outputs" i weights.[i].shape.[1] (i - 1) weights.[i - 1].shape.[0])
            for i in 0 .. nb - 1 do
                if biases.[i].shape.[0] <> weights.[i].shape.[0] then
                    bad (sprintf "bias %d has %d values for the %d outputs of weight %d" i biases.[i].shape.[0] weights.[i].shape.[0] i)
            header, { Model.Weights = weights; Model.Biases = biases; Model.LogSoftmaxOverBatch = header.LogSoftmaxOverBatch }
        with _ ->
            for p in parameters do p.Dispose()
            reraise ()
    with
    | :? EndOfStreamException -> bad "it is truncated"
    | :? JsonException as e -> bad (sprintf "its header is invalid (%s)" e.Message)
