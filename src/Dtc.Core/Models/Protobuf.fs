/// <summary>
/// A minimal writer of the protocol buffers wire format, enough to encode a message whose schema the caller
/// knows (such as ONNX's <c>ModelProto</c>): each function returns the bytes of one field (its tag and its
/// value), and <see cref="M:Dtc.Models.Protobuf.message(System.Collections.Generic.IEnumerable{System.Byte[]})"/>
/// joins fields into a message, which is itself the value of a length-delimited field of its parent.
/// </summary>
/// <remarks>Fields are written in the order given, so equal inputs give equal bytes. Integers are varints
/// (negative values as ten-byte two's complement, as protobuf's <c>int32</c>/<c>int64</c>), floats and doubles
/// little-endian fixed width, repeated scalars packed.</remarks>
module Dtc.Models.Protobuf

open System
open System.Buffers.Binary
open System.IO
open System.Text

/// <summary>The wire types this writer uses.</summary>
type WireType =
    /// <summary>A base-128 varint (int32, int64, uint64, bool, enum).</summary>
    | Varint = 0
    /// <summary>Eight little-endian bytes (double, fixed64).</summary>
    | Fixed64 = 1
    /// <summary>A varint length, then that many bytes (string, bytes, message, packed repeated).</summary>
    | LengthDelimited = 2
    /// <summary>Four little-endian bytes (float, fixed32).</summary>
    | Fixed32 = 5

let private writeVarint (s: Stream) (value: uint64) =
    let mutable v = value
    while v >= 0x80UL do
        s.WriteByte(byte (v &&& 0x7FUL) ||| 0x80uy)
        v <- v >>> 7
    s.WriteByte(byte v)

let private build (write: Stream -> unit) : byte[] =
    use s = new MemoryStream()
    write s
    s.ToArray()

/// <summary>A value as a base-128 varint (seven bits a byte, least significant group first).</summary>
/// <param name="value">The value.</param>
/// <returns>One to ten bytes.</returns>
let varint (value: uint64) : byte[] = build (fun s -> writeVarint s value)

/// <summary>A field's key: <c>(field number &lt;&lt;&lt; 3) ||| wire type</c> as a varint.</summary>
/// <param name="field">The field number, positive.</param>
/// <param name="wire">The wire type.</param>
/// <returns>The key's bytes.</returns>
/// <exception cref="T:System.ArgumentException">A field number below 1.</exception>
let key (field: int) (wire: WireType) : byte[] =
    if field < 1 then invalidArg (nameof field) (sprintf "Expecting a positive field number but received %d" field)
    varint ((uint64 field <<< 3) ||| uint64 (int wire))

/// <summary>An <c>int64</c> (or <c>int32</c>, <c>enum</c>, <c>bool</c> as 0/1) field.</summary>
/// <param name="field">The field number.</param>
/// <param name="value">The value; negative values take ten bytes, as protobuf encodes them.</param>
/// <returns>The field's bytes.</returns>
let int64 (field: int) (value: int64) : byte[] =
    Array.append (key field WireType.Varint) (varint (uint64 value))

/// <summary>A <c>float</c> field (four little-endian bytes).</summary>
/// <param name="field">The field number.</param>
/// <param name="value">The value.</param>
/// <returns>The field's bytes.</returns>
let float32 (field: int) (value: float32) : byte[] =
    let b = Array.zeroCreate<byte> 4
    BinaryPrimitives.WriteSingleLittleEndian(Span b, value)
    Array.append (key field WireType.Fixed32) b

/// <summary>A <c>double</c> field (eight little-endian bytes).</summary>
/// <param name="field">The field number.</param>
/// <param name="value">The value.</param>
/// <returns>The field's bytes.</returns>
let float64 (field: int) (value: float) : byte[] =
    let b = Array.zeroCreate<byte> 8
    BinaryPrimitives.WriteDoubleLittleEndian(Span b, value)
    Array.append (key field WireType.Fixed64) b

/// <summary>A length-delimited field: <c>bytes</c>, or an embedded message's encoding.</summary>
/// <param name="field">The field number.</param>
/// <param name="value">The bytes.</param>
/// <returns>The field's bytes: key, length, value.</returns>
let bytes (field: int) (value: byte[]) : byte[] =
    build (fun s ->
        s.Write(ReadOnlySpan(key field WireType.LengthDelimited))
        writeVarint s (uint64 value.Length)
        s.Write(ReadOnlySpan value))

/// <summary>A <c>string</c> field, in UTF-8.</summary>
/// <param name="field">The field number.</param>
/// <param name="value">The text.</param>
/// <returns>The field's bytes.</returns>
let string (field: int) (value: string) : byte[] = bytes field (Encoding.UTF8.GetBytes value)

/// <summary>Joins fields into a message's encoding, in the order given.</summary>
/// <param name="fields">The fields' bytes.</param>
/// <returns>The message's bytes (without a key: embed it with <see cref="M:Dtc.Models.Protobuf.bytes(System.Int32,System.Byte[])"/>).</returns>
let message (fields: byte[] seq) : byte[] = Array.concat fields

/// <summary>A packed repeated <c>int64</c> field: one length-delimited field of varints. Empty values give no bytes.</summary>
/// <param name="field">The field number.</param>
/// <param name="values">The values.</param>
/// <returns>The field's bytes.</returns>
let packedInt64s (field: int) (values: int64[]) : byte[] =
    if values.Length = 0 then [||]
    else bytes field (build (fun s -> for v in values do writeVarint s (uint64 v)))

/// <summary>A packed repeated <c>float</c> field. Empty values give no bytes.</summary>
/// <param name="field">The field number.</param>
/// <param name="values">The values.</param>
/// <returns>The field's bytes.</returns>
let packedFloat32s (field: int) (values: float32[]) : byte[] =
    if values.Length = 0 then [||]
    else
        let b = Array.zeroCreate<byte> (4 * values.Length)
        values |> Array.iteri (fun i v -> BinaryPrimitives.WriteSingleLittleEndian(Span(b, 4 * i, 4), v))
        bytes field b

/// <summary>A packed repeated <c>double</c> field. Empty values give no bytes.</summary>
/// <param name="field">The field number.</param>
/// <param name="values">The values.</param>
/// <returns>The field's bytes.</returns>
let packedFloat64s (field: int) (values: float[]) : byte[] =
    if values.Length = 0 then [||]
    else
        let b = Array.zeroCreate<byte> (8 * values.Length)
        values |> Array.iteri (fun i v -> BinaryPrimitives.WriteDoubleLittleEndian(Span(b, 8 * i, 8), v))
        bytes field b
