module Dtc.Tests.Pruning.Slicing

open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Pruning
open Dtc.Tests.Support

/// Output of Linear → ReLU → Linear for a pair of parameters.
let private forward (p: Slicing.LinearPair) (x: torch.Tensor) =
    use h0 = x.matmul(p.IncomingWeight.T)
    use h1 = match p.IncomingBias with Some b -> h0 + b | None -> h0.alias()
    use h = torch.nn.functional.relu(h1)
    use o = h.matmul(p.OutgoingWeight.T)
    match p.OutgoingBias with Some b -> o + b | None -> o.alias()

let private dispose (p: Slicing.LinearPair) =
    p.IncomingWeight.Dispose(); p.OutgoingWeight.Dispose()
    p.IncomingBias |> Option.iter (fun t -> t.Dispose()); p.OutgoingBias |> Option.iter (fun t -> t.Dispose())

let private randomPair (c: Combos.Combo) seed bias units inputs outputs =
    use g = new torch.Generator(uint64 seed, torch.CPU)
    let r (shape: int64[]) = torch.randn(shape, dtype = torch.float64, generator = g).``to``(c.Dtype, c.Device)
    { Slicing.IncomingWeight = r [| units; inputs |]
      Slicing.IncomingBias = (if bias then Some(r [| units |]) else None)
      Slicing.OutgoingWeight = r [| outputs; units |]
      Slicing.OutgoingBias = (if bias then Some(r [| outputs |]) else None) }

[<Tests>]
let tests =
    testList "Pruning.Slicing" [
        Combos.testPropertyCombos "slicing gives exactly the output of zeroing the removed units (property)" (fun c (seed: uint16) (bias: bool) (units': byte) (mask: uint64) ->
            let units = 1 + int units' % 40
            let kept = [| for i in 0 .. units - 1 do if (mask >>> (i % 64)) &&& 1UL = 1UL then yield i |]
            let kept = if kept.Length = 0 then [| units / 2 |] else kept
            let pair = randomPair c (int seed) bias (int64 units) 7L 3L
            let sliced = Slicing.slice kept pair
            // Zero the removed units' incoming row, bias and outgoing column.
            use keepMask = torch.zeros(int64 units, dtype = c.Dtype, device = c.Device)
            for k in kept do keepMask.[int64 k] <- torch.tensor(1.0, dtype = c.Dtype, device = c.Device)
            let zeroed =
                { Slicing.IncomingWeight = pair.IncomingWeight * keepMask.unsqueeze(1L)
                  Slicing.IncomingBias = pair.IncomingBias |> Option.map (fun b -> b * keepMask)
                  Slicing.OutgoingWeight = pair.OutgoingWeight * keepMask.unsqueeze(0L)
                  Slicing.OutgoingBias = pair.OutgoingBias |> Option.map (fun b -> b.clone()) }
            use x = torch.randn(5L, 7L, dtype = torch.float64).``to``(c.Dtype, c.Device)
            use a = forward sliced x
            use b = forward zeroed x
            let ok =
                sliced.Units = kept.Length
                && sliced.IncomingWeight.shape = [| int64 kept.Length; 7L |]
                && sliced.OutgoingWeight.shape = [| 3L; int64 kept.Length |]
                && (a - b).abs().max().ToDouble() <= (if c.Dtype = torch.float32 then 1e-5 else 1e-12)
            dispose pair; dispose sliced; dispose zeroed
            ok)

        Combos.testCombos "sliceLinear builds smaller TorchSharp Linear layers with copied parameters" (fun c ->
            let prev = torch.nn.Linear(6L, 5L, true, c.Device, c.Dtype)
            let next = torch.nn.Linear(5L, 2L, false, c.Device, c.Dtype)
            let p2, n2 = Slicing.sliceLinear [| 4; 1 |] prev next
            Expect.sequenceEqual p2.weight.shape [| 2L; 6L |] "previous weight"
            Expect.sequenceEqual n2.weight.shape [| 2L; 2L |] "next weight"
            Expect.isNull n2.bias "no bias stays no bias"
            Expect.sequenceEqual (Torch.toArray p2.weight.[0L]) (Torch.toArray prev.weight.[4L]) "row 4 first (order kept)"
            Expect.sequenceEqual (Torch.toArray (n2.weight.select(1L, 1L))) (Torch.toArray (next.weight.select(1L, 1L))) "column 1 second"
            Expect.equal (p2.bias.[1L].ToDouble()) (prev.bias.[1L].ToDouble()) "bias entry follows its unit"
            Expect.isTrue p2.weight.requires_grad "trainable"
            Expect.equal p2.weight.device.``type`` c.Device.``type`` "device"
            Expect.equal p2.weight.dtype c.Dtype "dtype"
            for m in [ prev :> torch.nn.Module; next; p2; n2 ] do m.Dispose())

        testCase "bad indices are rejected with the value in the message" <| fun () ->
            let c = Combos.all.Head
            let pair = randomPair c 1 false 4L 3L 2L
            let e = Expect.throwsC (fun () -> Slicing.slice [| 0; 4 |] pair |> ignore) id
            Expect.stringContains e.Message "received 4" "out of range"
            Expect.throwsT<System.ArgumentException> (fun () -> Slicing.slice [| 1; 1 |] pair |> ignore) "duplicates"
            Expect.throwsT<System.ArgumentException> (fun () -> Slicing.slice [||] pair |> ignore) "empty"
            dispose pair

        testCase "slicing does not modify or dispose its inputs" <| fun () ->
            let c = Combos.all.Head
            let pair = randomPair c 2 true 6L 3L 2L
            let before = Torch.toArray pair.IncomingWeight
            let sliced = Slicing.slice [| 0; 2 |] pair
            Expect.sequenceEqual (Torch.toArray pair.IncomingWeight) before "unchanged"
            Expect.isFalse pair.IncomingWeight.IsInvalid "still alive"
            dispose pair; dispose sliced
    ]
