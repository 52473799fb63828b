/// <summary>
/// Checkpoints of a compress-train run, written after every cycle: the model's parameters, the data
/// position, the cycles so far and a fingerprint of the protocol, in one file written to a temporary
/// name and renamed (a reader never sees a partial checkpoint).
/// </summary>
/// <remarks>
/// The random streams of a run are functions of its seeds and of the data position (Φ and the random
/// method reseed every cycle, shuffling draws the permutation of epoch e from seed + e), so the
/// position is the whole random state. Format: the bytes "DTCK", a format version, the length of a
/// UTF-8 JSON header, the header, then each parameter as rank, dimensions and little-endian float32 data.
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
      Finished: bool }

let private magic = "DTCK"B
let private version = 1

/// <summary>Writes a checkpoint atomically.</summary>
/// <param name="path">The file.</param>
/// <param name="header">Position, cycles and fingerprint.</param>
/// <param name="model">The model.</param>
let write (path: string) (header: Header) (model: Model.Mlp) : unit =
    let full = Path.GetFullPath path
    Directory.CreateDirectory(Path.GetDirectoryName full) |> ignore
    let tmp = full + "." + string Environment.ProcessId + ".tmp"
    try
        do
            use file = File.Create tmp
            use w = new BinaryWriter(file)
            w.Write magic
            w.Write version
            let json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header, jsonOptions))
            w.Write json.Length
            w.Write json
            let parameters = Array.append model.Weights model.Biases
            w.Write model.Weights.Length
            w.Write model.Biases.Length
            for p in parameters do
                use cpu = p.detach().cpu().to_type(torch.float32).contiguous()
                w.Write(int cpu.Dimensions)
                for d in cpu.shape do w.Write d
                let values = cpu.data<float32>().ToArray()
                let bytes = Array.zeroCreate<byte> (values.Length * 4)
                Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length)
                w.Write bytes
        File.Move(tmp, full, true)
    finally
        if File.Exists tmp then File.Delete tmp

/// <summary>Reads a checkpoint.</summary>
/// <param name="device">Device for the parameters.</param>
/// <param name="path">The file.</param>
/// <returns>The header and the model (the caller disposes it).</returns>
let read (device: torch.Device) (path: string) : Header * Model.Mlp =
    let bad what = raise (InvalidDataException(sprintf "Expecting a Dtc checkpoint at %s but %s" path what))
    use file = File.OpenRead path
    use r = new BinaryReader(file)
    try
        if r.ReadBytes 4 <> magic then bad "the file does not start with DTCK"
        let v = r.ReadInt32()
        if v <> version then bad (sprintf "its format version is %d (expected %d)" v version)
        let header = JsonSerializer.Deserialize<Header>(r.ReadBytes(r.ReadInt32()), jsonOptions)
        let nw, nb = r.ReadInt32(), r.ReadInt32()
        let readParameter () =
            let rank = r.ReadInt32()
            let shape = Array.init rank (fun _ -> r.ReadInt64())
            let count = Array.fold (*) 1L shape |> int
            let bytes = r.ReadBytes(count * 4)
            if bytes.Length <> count * 4 then bad "it is truncated"
            let values = Array.zeroCreate<float32> count
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length)
            use flat = torch.tensor(values)
            use t = flat.reshape(shape)
            new Parameter(t.``to``(device), true)
        let weights = Array.init nw (fun _ -> readParameter ())
        let biases = Array.init nb (fun _ -> readParameter ())
        header, { Model.Weights = weights; Model.Biases = biases; Model.LogSoftmaxOverBatch = header.LogSoftmaxOverBatch }
    with
    | :? EndOfStreamException -> bad "it is truncated"
    | :? JsonException as e -> bad (sprintf "its header is invalid (%s)" e.Message)
