module Dtc.Tests.Models.Safetensors

open System
open System.IO
open Expecto
open TorchSharp
open Dtc.Models
open Dtc.Tests.Support
open Dtc.Tests.Networks.Nets

/// Runs f on a fresh temporary folder and deletes it afterwards.
let private withTempDir (f: string -> unit) =
    let dir = Path.Combine(Path.GetTempPath(), "dtc-tests-safetensors-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory dir |> ignore
    try f dir finally Directory.Delete(dir, true)

let private disposeAll (tensors: (string * torch.Tensor) list) = for _, t in tensors do t.Dispose()

/// A tensor of the given dtype and shape with distinct, non-round values (seeded).
let private sample (seed: int) (dtype: torch.ScalarType) (shape: int64[]) : torch.Tensor =
    use g = new torch.Generator(uint64 seed, torch.CPU)
    if dtype = torch.int64 then torch.randint(-1_000_000_000_000L, 1_000_000_000_000L, shape, dtype = torch.int64, generator = g)
    else torch.randn(shape, dtype = torch.float64, generator = g).``to``(dtype)

let private sameTensors (expected: (string * torch.Tensor) list) (actual: (string * torch.Tensor) list) (what: string) =
    let byName = dict actual
    Expect.equal (List.map fst actual |> List.sort) (List.map fst expected |> List.sort) (what + ": the names")
    for n, e in expected do
        let a = byName.[n]
        Expect.equal a.dtype e.dtype (sprintf "%s: dtype of %s" what n)
        Expect.equal a.shape e.shape (sprintf "%s: shape of %s" what n)
        Expect.isTrue (a.device_type = DeviceType.CPU) (sprintf "%s: %s on the CPU" what n)
        use ec = e.cpu().contiguous()
        Expect.sequenceEqual (a.bytes.ToArray()) (ec.bytes.ToArray()) (sprintf "%s: every value of %s, bit for bit" what n)

/// The message of the ArgumentException that reading a file with these bytes throws.
let private refusal (bytes: byte[]) : string =
    let mutable message = ""
    withTempDir (fun dir ->
        let path = Path.Combine(dir, "bad.safetensors")
        File.WriteAllBytes(path, bytes)
        message <- Thrown.messageOf<ArgumentException> (fun () -> Safetensors.read path |> snd |> disposeAll))
    Expect.isFalse (message.Contains '\n') "one line"
    message

let private headerOf (json: string) (data: byte[]) : byte[] =
    let h = Text.Encoding.UTF8.GetBytes json
    Array.concat [ BitConverter.GetBytes(uint64 h.Length); h; data ]

[<Tests>]
let tests =
    testList "Models.Safetensors" [
        testCase "reads the NumPy-written reference file: metadata, dtypes, shapes and values" <| fun () ->
            let fixture = Fixtures.load "safetensors.json"
            let metadata, tensors = Safetensors.read (Path.Combine(Fixtures.folder, "reference.safetensors"))
            try
                let expectedMeta =
                    [ for p in fixture.GetProperty("metadata").EnumerateObject() -> p.Name, p.Value.GetString() ] |> List.sort
                Expect.equal metadata expectedMeta "the metadata"
                let byName = dict tensors
                let items = [ for e in fixture.GetProperty("tensors").EnumerateArray() -> e ]
                Expect.equal tensors.Length items.Length "every tensor"
                for e in items do
                    let name = Fixtures.string "name" e
                    let t = byName.[name]
                    Expect.equal t.shape (Fixtures.ints "shape" e |> Array.map int64) (name + ": shape")
                    match Fixtures.string "dtype" e with
                    | "I64" ->
                        Expect.equal t.dtype torch.int64 (name + ": dtype")
                        let expected = [| for v in e.GetProperty("values").EnumerateArray() -> Int64.Parse(v.GetString()) |]
                        Expect.sequenceEqual (if t.numel() = 0L then [||] else t.data<int64>().ToArray()) expected (name + ": values")
                    | d ->
                        Expect.equal t.dtype (if d = "F32" then torch.float32 else torch.float64) (name + ": dtype")
                        use t64 = t.``to``(torch.float64)
                        let actual = if t.numel() = 0L then [||] else t64.data<float>().ToArray()
                        let expected = Fixtures.floats "values" e
                        Expect.sequenceEqual (actual |> Array.map BitConverter.DoubleToInt64Bits)
                            (expected |> Array.map BitConverter.DoubleToInt64Bits) (name + ": values, bit for bit")
            finally disposeAll tensors

        testCase "round trips F32, F64 and I64 of rank 0 to 4, empty tensors, with and without metadata" <| fun () ->
            withTempDir (fun dir ->
                let shapes = [ [||]; [| 5L |]; [| 3L; 4L |]; [| 2L; 3L; 4L |]; [| 2L; 1L; 3L; 2L |]; [| 0L; 3L |] ]
                let tensors =
                    [ for i, dtype in List.indexed [ torch.float32; torch.float64; torch.int64 ] do
                          for j, shape in List.indexed shapes ->
                              sprintf "t%O.r%d.%d" dtype shape.Length j, sample (10 * i + j) dtype shape ]
                try
                    for metadata in [ []; [ "format", "pt"; "dtc", "é ✓ \"quoted\"" ] ] do
                        let path = Path.Combine(dir, "m.safetensors")
                        Safetensors.write path metadata tensors
                        let m, back = Safetensors.read path
                        try
                            Expect.equal m (List.sort metadata) "the metadata"
                            sameTensors tensors back "round trip"
                        finally disposeAll back
                finally disposeAll tensors)

        testCase "the same tensors give the same bytes, whatever their order; the header is padded to 8" <| fun () ->
            let a = [ "b.weight", sample 1 torch.float32 [| 3L; 2L |]; "a.bias", sample 2 torch.float64 [| 3L |]; "n", sample 3 torch.int64 [||] ]
            try
                let one = Safetensors.encode [ "k", "v"; "a", "b" ] a
                let two = Safetensors.encode [ "a", "b"; "k", "v" ] (List.rev a)
                Expect.sequenceEqual two one "the same bytes"
                let n = BitConverter.ToUInt64(one, 0)
                Expect.equal (n % 8UL) 0UL "a header length that is a multiple of 8"
                Expect.equal (uint64 one.Length) (8UL + n + 24UL + 24UL + 8UL) "the data follows the header"
                let header = Text.Encoding.UTF8.GetString(one, 8, int n)
                Expect.isLessThan (header.IndexOf "a.bias") (header.IndexOf "b.weight") "names in ordinal order"
                Expect.isTrue (header.EndsWith " " || header.EndsWith "}") "padded with spaces"
            finally disposeAll a

        testCase "corrupt and truncated files are refused in one line saying what is wrong" <| fun () ->
            let good = Safetensors.encode [] [ "w", torch.arange(6L, dtype = torch.float32).reshape(2L, 3L) ]
            Expect.stringContains (refusal good.[.. good.Length - 2]) "within the 23 data bytes" "a truncated data section"
            Expect.stringContains (refusal good.[.. 5]) "at least 8 bytes" "no header length"
            let huge = Array.copy good
            huge.[6] <- 1uy
            Expect.stringContains (refusal huge) "header length" "a header longer than the file"
            Expect.stringContains (refusal (headerOf "{\"w\": {\"dtype\": \"F32\"" [||])) "does not parse" "broken JSON"
            Expect.stringContains (refusal (headerOf """{"w":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}""" [| 0uy |])) "\"Q8\"" "an unknown dtype"
            Expect.stringContains (refusal (headerOf """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""" (Array.zeroCreate 4))) "8 data bytes" "offsets that do not match the shape"
            Expect.stringContains (refusal (headerOf """{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""" (Array.zeroCreate 8))) "start at byte 0" "a gap"
            Expect.stringContains (refusal (headerOf """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""" (Array.zeroCreate 4))) "non-negative" "a negative size"
            Expect.stringContains (refusal (headerOf """{"__metadata__":{"a":1}}""" [||])) "metadata \"a\"" "metadata that is not a string"
            Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Safetensors.encode [] [ "x", torch.zeros(2L, dtype = torch.complex64) ] |> ignore))
                "ComplexFloat32" "a dtype safetensors does not store"
            Expect.stringContains (Thrown.messageOf<ArgumentException> (fun () -> Safetensors.encode [ "a", "1"; "a", "2" ] [] |> ignore))
                "\"a\" twice" "repeated metadata"

        testCase "a compressed CNN's state dictionary, BatchNorm counters included, loads into a fresh CNN" <| fun () ->
            withTempDir (fun dir ->
                use s = cnn torch.float32 6L 4L
                randomiseNorms 3 s
                let network = Dtc.Networks.Network.ofSequential [| 1; 6; 6 |] s
                Dtc.Networks.Network.compressOnce protocol Dtc.Training.Protocol.Magnitude network |> ignore
                use g = new torch.Generator(5UL)
                use x = torch.randn([| 3L; 1L; 6L; 6L |], generator = g)
                s.eval()
                use expected = s.forward x
                let path = Path.Combine(dir, "cnn.safetensors")
                let state = Safetensors.ofModule s
                try
                    Expect.equal (state |> List.find (fun (n, _) -> n = "bn1.num_batches_tracked") |> snd).dtype torch.int64 "an int64 counter"
                    Safetensors.write path [ "format", "pt" ] state
                finally disposeAll state
                let arch = Architecture.ofSequential [| 1; 6; 6 |] s
                use fresh = Architecture.build torch.CPU arch
                let _, back = Safetensors.read path
                try
                    let struct (missing, unexpected) = fresh.load_state_dict(Collections.Generic.Dictionary(dict back))
                    Expect.isEmpty missing "no missing key"
                    Expect.isEmpty unexpected "no unexpected key"
                finally disposeAll back
                use actual = fresh.forward x
                Expect.sequenceEqual (actual.bytes.ToArray()) (expected.bytes.ToArray()) "the same logits, bit for bit")

        testCase "reads the .pt state dictionary that PyTorch's torch.save wrote" <| fun () ->
            let fixture = Fixtures.load "pytorch_file.json"
            let named (n: string) (m: torch.nn.Module<torch.Tensor, torch.Tensor>) = struct (n, m)
            use s = torch.nn.Sequential(named "fc1" (torch.nn.Linear(3L, 4L)), named "act" (torch.nn.ReLU()), named "fc2" (torch.nn.Linear(4L, 2L, hasBias = false)))
            s.``to``(torch.float64) |> ignore
            PyTorchFile.read (Path.Combine(Fixtures.folder, "reference.pt")) s
            let state = Safetensors.ofModule s
            try
                let byName = dict state
                let items = [ for e in fixture.GetProperty("tensors").EnumerateArray() -> e ]
                Expect.equal state.Length items.Length "every tensor"
                for e in items do
                    let name = Fixtures.string "name" e
                    let t = byName.[name]
                    Expect.equal t.shape (Fixtures.ints "shape" e |> Array.map int64) (name + ": shape")
                    Expect.sequenceEqual (t.data<float>().ToArray()) (Fixtures.floats "values" e) (name + ": values")
            finally disposeAll state

        testCase "a .pt state dictionary written through PyBridge reads back into a fresh network" <| fun () ->
            withTempDir (fun dir ->
                use s = cnn torch.float64 6L 4L
                randomiseNorms 4 s
                let network = Dtc.Networks.Network.ofSequential [| 1; 6; 6 |] s
                Dtc.Networks.Network.compressOnce protocol Dtc.Training.Protocol.Magnitude network |> ignore
                s.eval()
                let path = Path.Combine(dir, "cnn.pt")
                PyTorchFile.write path s
                Expect.sequenceEqual (Directory.GetFiles dir |> Array.map Path.GetFileName) [| "cnn.pt" |] "no temporary left"
                use fresh = Architecture.build torch.CPU (Architecture.ofSequential [| 1; 6; 6 |] s)
                PyTorchFile.read path fresh
                let expected = Safetensors.ofModule s
                let actual = Safetensors.ofModule fresh
                try sameTensors expected actual ".pt round trip"
                finally
                    disposeAll expected
                    disposeAll actual)
    ]
