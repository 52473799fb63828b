module Dtc.Tests.Runtime.Torch

open System
open System.IO
open System.Reflection.Metadata
open System.Reflection.Metadata.Ecma335
open System.Reflection.PortableExecutable
open Expecto
open TorchSharp
open Dtc.Runtime

/// A TorchSharp member called from IL: its declaring type's name, its name, and whether a parameter is a .NET
/// number (a primitive, which TorchSharp turns into a temporary Scalar).
type private Callee = { Owner: string; Name: string; Parameters: int; NumberParameter: bool }

/// The members an assembly calls (call and callvirt of member references), by calling method. The IL is
/// scanned at every offset for the two call opcodes, and a candidate counts only when its operand is a
/// member reference token; an offset that is not an instruction can at worst add a spurious candidate.
let private calls (path: string) : (string * Callee) list =
    use pe = new PEReader(File.OpenRead path)
    let md = pe.GetMetadataReader()
    let callee (token: int) =
        let row = token &&& 0xFFFFFF
        // Member references only (table 0x0A), with a row that exists.
        if token >>> 24 <> 0x0A || row = 0 || row > md.GetTableRowCount(TableIndex.MemberRef) then None
        else
            let m = md.GetMemberReference(MetadataTokens.MemberReferenceHandle row)
            let owner =
                match m.Parent.Kind with
                | HandleKind.TypeReference -> md.GetString(md.GetTypeReference(TypeReferenceHandle.op_Explicit m.Parent).Name)
                | _ -> ""
            let mutable blob = md.GetBlobReader m.Signature
            let header = blob.ReadSignatureHeader()
            if header.Kind <> SignatureKind.Method then None
            else
                if header.IsGeneric then blob.ReadCompressedInteger() |> ignore
                let count = blob.ReadCompressedInteger()
                // Element types 0x04 (int8) to 0x0D (float64) are .NET numbers; a class or value type carries a token.
                let readType () =
                    let code = blob.ReadByte()
                    if code = 0x11uy || code = 0x12uy then blob.ReadCompressedInteger() |> ignore
                    code
                let numbers =
                    try
                        readType () |> ignore
                        [ for _ in 1 .. count -> let c = readType () in c >= 0x04uy && c <= 0x0Duy ] |> List.exists id
                    with _ -> false
                Some { Owner = owner; Name = md.GetString m.Name; Parameters = count; NumberParameter = numbers }
    [ for typeHandle in md.TypeDefinitions do
        let t = md.GetTypeDefinition typeHandle
        for methodHandle in t.GetMethods() do
            let m = md.GetMethodDefinition methodHandle
            if m.RelativeVirtualAddress <> 0 then
                let il = pe.GetMethodBody(m.RelativeVirtualAddress).GetILBytes()
                for i in 0 .. il.Length - 5 do
                    if il.[i] = 0x28uy || il.[i] = 0x6Fuy then
                        match callee (BitConverter.ToInt32(il, i + 1)) with
                        | Some c -> yield sprintf "%s.%s" (md.GetString t.Name) (md.GetString m.Name), c
                        | None -> () ]

/// TorchSharp members that create a Scalar and drop it during their own native call: add and add_ without a
/// scale, the + operator, any tensor operator with a .NET number, Scalar's implicit conversions (a
/// conversion at a call site makes a Scalar that nothing holds) and the tensor-to-number conversions.
let private createsTemporaryScalar (c: Callee) =
    (c.Owner = "Tensor" && (c.Name = "add" || c.Name = "add_" || c.Name = "addcdiv" || c.Name = "addcdiv_") && c.Parameters = 1)
    || (c.Owner = "Tensor" && c.Name = "op_Addition")
    || (c.Owner = "Tensor" && c.Name.StartsWith "op_" && c.NumberParameter)
    || (c.Owner = "Scalar" && c.Name = "op_Implicit")
    // tensor.ToDouble() and the like read the value through a Scalar that nothing holds (item<T>() does not).
    || (c.Owner = "TensorExtensionMethods" && c.Name.StartsWith "To" && c.Parameters = 1 && c.Name <> "ToTensor")

[<Tests>]
let tests =
    testList "Runtime.Torch" [
        testCase "add, addInPlace, addScalar and addScalarInPlace compute TorchSharp's add for float32, float64 and int64" <| fun () ->
            use scope = torch.NewDisposeScope()
            for dtype in [ torch.float32; torch.float64; torch.int64 ] do
                let a = torch.tensor([| 1.0; -2.0; 3.5 |]).to_type(dtype)
                let b = torch.tensor([| 0.5; 4.0; -1.0 |]).to_type(dtype)
                use s = (2L).ToScalar()
                let same (x: torch.Tensor) (y: torch.Tensor) = x.dtype = y.dtype && x.eq(y).all().item<bool>()
                Expect.isTrue (same (Torch.add a b) (a.add(b))) (sprintf "add, %O" dtype)
                Expect.isTrue (same (Torch.addScalar a s) (a.add(s))) (sprintf "addScalar, %O" dtype)
                let c = a.clone()
                let returned = Torch.addInPlace c b
                Expect.isTrue (same c (a.add(b)) && Object.ReferenceEquals(returned, c)) (sprintf "addInPlace updates and returns its first operand, %O" dtype)
                let d = a.clone()
                Torch.addScalarInPlace d s |> ignore
                Expect.isTrue (same d (a.add(s))) (sprintf "addScalarInPlace, %O" dtype)

        testCase "Dtc.Core calls no TorchSharp member that creates a temporary Scalar" <| fun () ->
            // The finalizer thread can free such a Scalar while libtorch reads it: one concurrent protocol run in
            // about ten failed so in Adam's step ("Expected false to be true" from c10::Scalar::toFloat).
            let path = typeof<Dtc.Training.Model.Mlp>.Assembly.Location
            let all = calls path
            Expect.isTrue (all |> List.exists (fun (_, c) -> c.Owner = "Tensor" && c.Name = "add" && c.Parameters = 2)) "the scan sees Torch.add's call of Tensor.add(Tensor, Scalar)"
            let offenders =
                all |> List.filter (snd >> createsTemporaryScalar) |> List.map (fun (caller, c) -> sprintf "%s calls %s.%s" caller c.Owner c.Name) |> List.distinct
            Expect.equal offenders [] "calls that create a temporary Scalar (use Torch.add, Torch.addInPlace or a Scalar held by the caller)"

        testCase "device names: parsed, checked against the machine, errors name the value" <| fun () ->
            Expect.equal (Torch.device "cpu").``type`` DeviceType.CPU "cpu"
            let message (name: string) =
                try
                    Torch.device name |> ignore
                    None
                with :? ArgumentException as e -> Some e.Message
            for bad in [ "gpu"; "" ] do
                Expect.isSome (message bad) (sprintf "\"%s\" is not a device name" bad)
            Expect.stringContains (message "gpu").Value "\"gpu\"" "the message names the value"
            if torch.cuda.is_available () then
                Expect.equal (Torch.device "cuda").``type`` DeviceType.CUDA "cuda where it is available"
                let count = torch.cuda.device_count ()
                Expect.stringContains (message (sprintf "cuda:%d" count)).Value "index below" "an index past the last GPU"
            else
                // This machine (TorchSharp-cpu): a CUDA device is refused at once, saying why.
                let m = message "cuda"
                Expect.isSome m "cuda without CUDA"
                Expect.stringContains m.Value "\"cuda\"" "names the value"
                Expect.stringContains m.Value "TorchSharp-cuda" "says what it needs"
                match Native.cudaPackage () with
                | Some package ->
                    Expect.stringContains m.Value (sprintf "reference %s in place of TorchSharp-cpu" package) "names the exact package for this OS"
                | None -> ()
    ]
