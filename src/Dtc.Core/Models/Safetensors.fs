/// <summary>
/// The safetensors format, written and read without a third-party library: an 8-byte little-endian header
/// length N, N bytes of UTF-8 JSON (<c>{"__metadata__": {string: string}, name: {"dtype", "shape",
/// "data_offsets": [begin, end]}}</c>) padded with spaces to a multiple of 8, then the tensors' raw
/// little-endian bytes, row-major, one after the other. Names are written in ordinal order, so the same
/// tensors and metadata always give the same bytes.
/// </summary>
module Dtc.Models.Safetensors

open System
open System.IO
open System.Text
open System.Text.Json
open TorchSharp

/// <summary>The dtypes Dtc reads and writes, with their safetensors names and sizes in bytes.</summary>
let dtypes : (string * torch.ScalarType * int) list =
    [ "F64", torch.float64, 8; "F32", torch.float32, 4; "F16", torch.float16, 2; "BF16", torch.bfloat16, 2
      "I64", torch.int64, 8; "I32", torch.int32, 4; "I16", torch.int16, 2; "I8", torch.int8, 1
      "U8", torch.uint8, 1; "BOOL", torch.ScalarType.Bool, 1 ]

/// <summary>The largest header Dtc reads, in bytes (as the reference implementation: 100 MB).</summary>
let maxHeaderBytes = 100_000_000L

let private known = String.Join(", ", dtypes |> List.map (fun (n, _, _) -> n))

let private checkEndianness () =
    if not BitConverter.IsLittleEndian then
        raise (PlatformNotSupportedException "Expecting a little-endian machine but received a big-endian one")

let private nameOf (t: torch.ScalarType) : string * int =
    match dtypes |> List.tryFind (fun (_, s, _) -> s = t) with
    | Some(n, _, size) -> n, size
    | None -> invalidArg "tensors" (sprintf "Expecting tensors of a dtype safetensors stores (%s) but received %O" known t)

/// <summary>The bytes of a safetensors file holding the tensors and the metadata.</summary>
/// <param name="metadata">String pairs written as <c>__metadata__</c> (left out when empty); keys distinct.</param>
/// <param name="tensors">Named tensors on any device, of a dtype in <see cref="P:Dtc.Models.Safetensors.dtypes"/>;
/// names distinct, non-empty and not <c>__metadata__</c>. Not modified or disposed.</param>
/// <returns>The file's content: the same inputs give the same bytes.</returns>
/// <exception cref="T:System.ArgumentException">A repeated or reserved name, or a dtype safetensors does not store.</exception>
let encode (metadata: (string * string) list) (tensors: (string * torch.Tensor) list) : byte[] =
    checkEndianness ()
    let repeated (what: string) (names: string list) =
        match names |> List.countBy id |> List.tryFind (fun (_, c) -> c > 1) with
        | Some(n, _) -> invalidArg what (sprintf "Expecting distinct %s names but received \"%s\" twice" what n)
        | None -> ()
    repeated "metadata" (List.map fst metadata)
    repeated "tensors" (List.map fst tensors)
    for n, t in tensors do
        if String.IsNullOrEmpty n || n = "__metadata__" then
            invalidArg (nameof tensors) (sprintf "Expecting a tensor name other than \"\" and \"__metadata__\" but received \"%s\"" n)
        if isNull t then invalidArg (nameof tensors) (sprintf "Expecting a tensor but received null for \"%s\"" n)
    let sorted = tensors |> List.sortWith (fun (a, _) (b, _) -> String.CompareOrdinal(a, b))
    let blobs =
        [ for n, t in sorted do
              let dtype, _ = nameOf t.dtype
              use scope = torch.NewDisposeScope()
              let cpu = t.detach().cpu().contiguous()
              yield n, dtype, t.shape, cpu.bytes.ToArray() ]
    use json = new MemoryStream()
    do
        use w = new Utf8JsonWriter(json)
        w.WriteStartObject()
        if not metadata.IsEmpty then
            w.WriteStartObject "__metadata__"
            for k, v in metadata |> List.sortWith (fun (a, _) (b, _) -> String.CompareOrdinal(a, b)) do
                w.WriteString(k, v)
            w.WriteEndObject()
        let mutable offset = 0L
        for n, dtype, shape, bytes in blobs do
            w.WriteStartObject n
            w.WriteString("dtype", dtype)
            w.WriteStartArray "shape"
            for s in shape do w.WriteNumberValue s
            w.WriteEndArray()
            w.WriteStartArray "data_offsets"
            w.WriteNumberValue offset
            offset <- offset + int64 bytes.Length
            w.WriteNumberValue offset
            w.WriteEndArray()
            w.WriteEndObject()
        w.WriteEndObject()
    let header = json.ToArray()
    let padded = (header.Length + 7) / 8 * 8
    use out = new MemoryStream()
    out.Write(BitConverter.GetBytes(uint64 padded), 0, 8)
    out.Write(header, 0, header.Length)
    for _ in header.Length .. padded - 1 do out.WriteByte(byte ' ')
    for _, _, _, bytes in blobs do out.Write(bytes, 0, bytes.Length)
    out.ToArray()

/// <summary>Writes tensors and metadata to a safetensors file, atomically (see
/// <see cref="M:Dtc.Models.Safetensors.encode(Microsoft.FSharp.Collections.FSharpList{System.Tuple{System.String,System.String}},Microsoft.FSharp.Collections.FSharpList{System.Tuple{System.String,TorchSharp.torch.Tensor}})"/>).</summary>
/// <param name="path">The file; its folder is created when missing.</param>
/// <param name="metadata">String pairs written as <c>__metadata__</c>.</param>
/// <param name="tensors">The named tensors (not modified or disposed).</param>
let write (path: string) (metadata: (string * string) list) (tensors: (string * torch.Tensor) list) : unit =
    let bytes = encode metadata tensors
    Dtc.Runtime.AtomicFile.writeBytes path bytes

/// One tensor's entry in a header, checked.
type private Entry = { Name: string; DType: torch.ScalarType; Shape: int64[]; Begin: int64; End: int64 }

let private refuse (path: string) (what: string) (received: string) : 'a =
    raise (ArgumentException(sprintf "Expecting %s in the safetensors file %s but received %s" what path received))

let private entryOf (path: string) (dataBytes: int64) (name: string) (e: JsonElement) : Entry =
    let bad what received = refuse path (sprintf "%s for tensor \"%s\"" what name) received
    if e.ValueKind <> JsonValueKind.Object then bad "an object" (e.GetRawText())
    let field (k: string) =
        match e.TryGetProperty k with
        | true, v -> v
        | _ -> bad (sprintf "a field \"%s\"" k) "none"
    let dtypeText = let d = field "dtype" in if d.ValueKind = JsonValueKind.String then d.GetString() else d.GetRawText()
    let dtype, size =
        match dtypes |> List.tryFind (fun (n, _, _) -> n = dtypeText) with
        | Some(_, s, size) -> s, size
        | None -> bad (sprintf "a dtype among %s" known) (sprintf "\"%s\"" dtypeText)
    let naturals (k: string) =
        let a = field k
        if a.ValueKind <> JsonValueKind.Array then bad (sprintf "an array \"%s\"" k) (a.GetRawText())
        [| for x in a.EnumerateArray() ->
               match x.ValueKind, (if x.ValueKind = JsonValueKind.Number then x.TryGetInt64() else (false, 0L)) with
               | JsonValueKind.Number, (true, v) when v >= 0L -> v
               | _ -> bad (sprintf "non-negative integers in \"%s\"" k) (a.GetRawText()) |]
    let shape = naturals "shape"
    let offsets = naturals "data_offsets"
    if offsets.Length <> 2 || offsets.[0] > offsets.[1] || offsets.[1] > dataBytes then
        bad (sprintf "data_offsets [begin, end] within the %d data bytes" dataBytes) ((field "data_offsets").GetRawText())
    let elements =
        try shape |> Array.fold (fun acc s -> Checked.(*) acc s) 1L
        with :? OverflowException -> bad "a shape of fewer than 2^63 elements" ((field "shape").GetRawText())
    let expected = try Checked.(*) elements (int64 size) with :? OverflowException -> Int64.MaxValue
    if offsets.[1] - offsets.[0] <> expected then
        bad (sprintf "%d data bytes for %s of shape [%s]" expected dtypeText (String.Join(", ", shape)))
            (sprintf "%d (data_offsets [%d, %d])" (offsets.[1] - offsets.[0]) offsets.[0] offsets.[1])
    if expected > int64 Array.MaxLength then bad (sprintf "at most %d data bytes per tensor" Array.MaxLength) (string expected)
    { Name = name; DType = dtype; Shape = shape; Begin = offsets.[0]; End = offsets.[1] }

let private readExactly (path: string) (stream: Stream) (buffer: byte[]) (what: string) =
    let mutable got = 0
    while got < buffer.Length do
        let n = stream.Read(buffer, got, buffer.Length - got)
        if n = 0 then refuse path what (sprintf "the end of the file after %d of %d bytes" got buffer.Length)
        got <- got + n

/// <summary>Reads a safetensors file: its metadata and its tensors, on the CPU, in the file's order of data.
/// The header is checked against the file's size before any tensor is allocated.</summary>
/// <param name="path">The file.</param>
/// <returns>The metadata pairs (ordinal order of keys) and the named tensors; the caller disposes the tensors.</returns>
/// <exception cref="T:System.IO.FileNotFoundException">A missing file.</exception>
/// <exception cref="T:System.ArgumentException">A file that is not valid safetensors, in one line saying what is wrong:
/// a header longer than the file, JSON that does not parse, an unknown dtype, offsets that do not match the shape,
/// data that do not tile the data section exactly.</exception>
let read (path: string) : (string * string) list * (string * torch.Tensor) list =
    checkEndianness ()
    if not (File.Exists path) then raise (FileNotFoundException(sprintf "Expecting a safetensors file but received a missing path %s" path, path))
    use stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)
    let length = stream.Length
    if length < 8L then refuse path "at least 8 bytes (the header length)" (sprintf "%d bytes" length)
    let prefix = Array.zeroCreate<byte> 8
    readExactly path stream prefix "an 8-byte header length"
    let n = BitConverter.ToUInt64(prefix, 0)
    if n > uint64 (length - 8L) || int64 n > maxHeaderBytes then
        refuse path (sprintf "a header length within the file's %d bytes after the prefix (and at most %d)" (length - 8L) maxHeaderBytes) (string n)
    let headerBytes = Array.zeroCreate<byte> (int n)
    readExactly path stream headerBytes "the header"
    let dataBytes = length - 8L - int64 n
    let root =
        try
            use doc = JsonDocument.Parse(ReadOnlyMemory(headerBytes))
            doc.RootElement.Clone()
        with :? JsonException as e -> refuse path "a JSON header" (sprintf "text that does not parse (%s)" (e.Message.Split('\n').[0]))
    if root.ValueKind <> JsonValueKind.Object then refuse path "a JSON object as header" (string root.ValueKind)
    let mutable metadata = []
    let entries = ResizeArray<Entry>()
    for p in root.EnumerateObject() do
        if p.Name = "__metadata__" then
            if p.Value.ValueKind <> JsonValueKind.Object then refuse path "__metadata__ as an object of strings" (p.Value.GetRawText())
            metadata <-
                [ for m in p.Value.EnumerateObject() ->
                      if m.Value.ValueKind <> JsonValueKind.String then
                          refuse path (sprintf "a string for metadata \"%s\"" m.Name) (m.Value.GetRawText())
                      m.Name, m.Value.GetString() ]
        else
            if entries.Exists(fun e -> e.Name = p.Name) then refuse path "distinct tensor names" (sprintf "\"%s\" twice" p.Name)
            entries.Add(entryOf path dataBytes p.Name p.Value)
    let ordered = entries |> Seq.sortBy (fun e -> e.Begin, e.End) |> List.ofSeq
    let mutable at = 0L
    for e in ordered do
        if e.Begin <> at then
            refuse path (sprintf "tensor \"%s\" to start at byte %d of the data (no gap, no overlap)" e.Name at) (string e.Begin)
        at <- e.End
    if at <> dataBytes then refuse path (sprintf "tensors that fill all %d data bytes" dataBytes) (sprintf "%d bytes used" at)
    let tensors =
        [ for e in ordered do
              let bytes = Array.zeroCreate<byte> (int (e.End - e.Begin))
              readExactly path stream bytes (sprintf "the data of tensor \"%s\"" e.Name)
              let t = torch.empty(e.Shape, dtype = e.DType, device = torch.CPU)
              if bytes.Length > 0 then t.bytes <- Span(bytes)
              yield e.Name, t ]
    metadata |> List.sortWith (fun (a, _) (b, _) -> String.CompareOrdinal(a, b)), tensors

/// <summary>A module's state dictionary (parameters and buffers, named as PyTorch names them) as copies on the CPU.</summary>
/// <param name="m">The module (not modified).</param>
/// <returns>The named tensors, in the state dictionary's order; the caller disposes them.</returns>
let ofModule (m: torch.nn.Module) : (string * torch.Tensor) list =
    if isNull m then raise (ArgumentNullException(nameof m))
    use _ = torch.no_grad ()
    use scope = torch.NewDisposeScope()
    [ for KeyValue(name, t) in m.state_dict() -> name, t.detach().cpu().clone().MoveToOuterDisposeScope() ]
