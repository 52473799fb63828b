module Dtc.Tests.Training.Checkpoint

open System
open System.Buffers.Binary
open System.IO
open System.Security.Cryptography
open Expecto
open TorchSharp
open Dtc.Training
open Dtc.Tests.Support

let private header : Checkpoint.Header =
    { Method = "dtc"; Fingerprint = "0123456789ABCDEF"; Position = 12L; Bias = true; LogSoftmaxOverBatch = true
      InitialAccuracy = 0.5; Cycles = [||]; Finished = false
      Protocol = [| "keep", "0.9"; "hidden", "16" |]; Data = "synthetic-300-130"; WallSeconds = 42.5 }

/// A checkpoint of a 20-16-10 model with biases, as bytes, and the model.
let private sample () =
    let model = Model.create 7L true true torch.float32 torch.CPU [| 20; 16; 10 |]
    Checkpoint.encode header model, model

/// Bytes with a recomputed SHA-256 trailer: the structure, not the checksum, must catch what is wrong.
let private withChecksum (body: byte[]) = Array.append body (SHA256.HashData body)

let private withFile (bytes: byte[]) (body: string -> unit) =
    let dir = Directory.CreateTempSubdirectory("dtc-ckpt-").FullName
    try
        let path = Path.Combine(dir, "dtc.ckpt")
        File.WriteAllBytes(path, bytes)
        body path
    finally
        Directory.Delete(dir, true)

/// The message of the InvalidDataException that reading the bytes raises; it must name the file.
let private refusal (bytes: byte[]) : string =
    let mutable message = ""
    withFile bytes (fun path ->
        message <- Thrown.messageOf<InvalidDataException> (fun () -> Checkpoint.read torch.CPU path |> snd |> (fun m -> (m :> IDisposable).Dispose()))
        Expect.stringContains message path "the message names the file")
    message

/// Offsets in a checkpoint: the header length, the weight count, the first rank and the first dimension.
let private offsets (bytes: byte[]) =
    let headerLength = BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(bytes, 8, 4))
    let counts = 12 + headerLength
    counts, counts + 8, counts + 12

let private allocatedWhile (f: unit -> unit) =
    let before = GC.GetAllocatedBytesForCurrentThread()
    f ()
    GC.GetAllocatedBytesForCurrentThread() - before

[<Tests>]
let tests =
    testList "Training.Checkpoint" [
        testCase "a checkpoint reads back: header and parameters" <| fun () ->
            let bytes, model = sample ()
            use model = model
            withFile bytes (fun path ->
                let h, m = Checkpoint.read torch.CPU path
                use m = m
                Expect.equal h header "the header, with the protocol's pairs, the data and the wall time"
                for a, b in Seq.zip model.Parameters m.Parameters do
                    Expect.isTrue (a.eq(b).all().item<bool>()) "parameters bit for bit")

        testCase "every one-bit flip is refused, naming the file" <| fun () ->
            let bytes, model = sample ()
            (model :> IDisposable).Dispose()
            for i in 0 .. 61 .. bytes.Length - 1 do
                let flipped = Array.copy bytes
                flipped.[i] <- flipped.[i] ^^^ 0x08uy
                refusal flipped |> ignore
            // A weight's bit, checksum left alone: refused by the checksum.
            let flipped = Array.copy bytes
            flipped.[bytes.Length - 100] <- flipped.[bytes.Length - 100] ^^^ 1uy
            Expect.stringContains (refusal flipped) "checksum" "the checksum catches it"

        testCase "every truncation is refused, naming the file" <| fun () ->
            let bytes, model = sample ()
            (model :> IDisposable).Dispose()
            for n in [ 0; 3; 4; 7; 8; 11; 12; 40; 47; bytes.Length / 2; bytes.Length - 33; bytes.Length - 1 ] do
                refusal bytes.[.. n - 1] |> ignore

        testCase "huge or negative lengths, counts, ranks and dimensions are refused before allocating" <| fun () ->
            let bytes, model = sample ()
            (model :> IDisposable).Dispose()
            let body = bytes.[.. bytes.Length - 33]
            let counts, rank, dim = offsets bytes
            let variant (write: byte[] -> unit) =
                let b = Array.copy body
                write b
                withChecksum b
            let cases =
                [ "header length", variant (fun b -> BinaryPrimitives.WriteInt32LittleEndian(Span(b, 8, 4), 0x7FFFFFF0)), "header length is 2147483632"
                  "negative header length", variant (fun b -> BinaryPrimitives.WriteInt32LittleEndian(Span(b, 8, 4), -4)), "header length is -4"
                  "weight count", variant (fun b -> BinaryPrimitives.WriteInt32LittleEndian(Span(b, counts, 4), Int32.MaxValue)), "2147483647 weight matrices"
                  "bias count", variant (fun b -> BinaryPrimitives.WriteInt32LittleEndian(Span(b, counts + 4, 4), -1)), "-1 bias vectors"
                  "negative rank", variant (fun b -> BinaryPrimitives.WriteInt32LittleEndian(Span(b, rank, 4), -5)), "rank -5"
                  "huge rank", variant (fun b -> BinaryPrimitives.WriteInt32LittleEndian(Span(b, rank, 4), Int32.MaxValue)), "rank 2147483647"
                  "huge dimension", variant (fun b -> BinaryPrimitives.WriteInt64LittleEndian(Span(b, dim, 8), 1L <<< 40)), "1099511627776"
                  "overflowing dimensions", variant (fun b ->
                      BinaryPrimitives.WriteInt64LittleEndian(Span(b, dim, 8), 1L <<< 32)
                      BinaryPrimitives.WriteInt64LittleEndian(Span(b, dim + 8, 8), 1L <<< 32)), "4294967296"
                  "negative dimension", variant (fun b -> BinaryPrimitives.WriteInt64LittleEndian(Span(b, dim, 8), -16L)), "-16" ]
            for what, bytes, fragment in cases do
                let mutable message = ""
                let allocated = allocatedWhile (fun () -> message <- refusal bytes)
                Expect.stringContains message fragment (sprintf "%s: the message says what was found" what)
                Expect.isLessThan allocated (16L <<< 20) (sprintf "%s: no allocation from the unchecked size" what)

        testCase "a named pipe in place of a checkpoint is refused, not waited on" <| fun () ->
            let dir = Directory.CreateTempSubdirectory("dtc-ckpt-").FullName
            try
                let pipe = Path.Combine(dir, "dtc.ckpt")
                (Diagnostics.Process.Start("mkfifo", [ pipe ])).WaitForExit()
                let read = Threading.Tasks.Task.Run(fun () -> try Checkpoint.read torch.CPU pipe |> ignore; None with e -> Some e)
                Expect.isTrue (read.Wait(TimeSpan.FromSeconds 20.0)) "returns instead of blocking on the pipe"
                match read.Result with
                | Some(:? InvalidDataException as e) -> Expect.stringContains e.Message pipe "names the pipe"
                | other -> failtestf "Expecting an InvalidDataException but received %A" other
            finally
                Directory.Delete(dir, true)

        testCase "a checkpoint of format 1 or with another magic is refused with a clear message" <| fun () ->
            let bytes, model = sample ()
            (model :> IDisposable).Dispose()
            let v1 = bytes.[.. bytes.Length - 33]
            BinaryPrimitives.WriteInt32LittleEndian(Span(v1, 4, 4), 1)
            let message = refusal v1
            Expect.stringContains message "format version is 1" "the version found"
            Expect.stringContains message (sprintf "expected %d" Checkpoint.formatVersion) "the version read"
            let other = Array.copy bytes
            other.[0] <- byte 'X'
            Expect.stringContains (refusal other) "DTCK" "wrong magic"
    ]
