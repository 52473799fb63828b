module Dtc.Tests.Tomography.Profiles

open Expecto
open TorchSharp
open Dtc.Runtime
open Dtc.Tomography
open Dtc.Tests.Support

[<Tests>]
let tests =
    testList "Tomography.Profiles" [
        Combos.testCombos "a1 sums rows of the incoming weight, a2 sums columns of the outgoing weight" (fun c ->
            use w1 = torch.tensor(array2D [ [ 1.0; -2.0; 3.0 ]; [ 0.5; 0.5; -4.0 ] ], dtype = c.Dtype, device = c.Device) // 2 units × 3 inputs
            use w2 = torch.tensor(array2D [ [ 1.0; 2.0 ]; [ -3.0; 4.0 ]; [ 0.0; -1.0 ]; [ 2.0; 2.0 ] ], dtype = c.Dtype, device = c.Device) // 4 outputs × 2 units
            let acc = { absolute = c.Tolerance; relative = c.Tolerance }
            let check name (t: torch.Tensor) (expected: float list) =
                Expect.equal t.device.``type`` c.Device.``type`` (name + " device")
                Expect.equal t.dtype c.Dtype (name + " dtype")
                List.iteri2 (fun i a b -> Expect.floatClose acc a b (sprintf "%s[%d]" name i)) (Torch.toArray t |> List.ofArray) expected
            use a1 = Profiles.incoming Profiles.Sum w1
            use a2 = Profiles.outgoing Profiles.Sum w2
            check "a1" a1 [ 2.0; -3.0 ]
            check "a2" a2 [ 0.0; 7.0 ]
            use l1 = Profiles.incoming Profiles.L1 w1
            check "l1" l1 [ 6.0; 5.0 ]
            use l2 = Profiles.outgoing Profiles.L2 w2
            check "l2" l2 [ sqrt 14.0; 5.0 ]
            use both = Profiles.dual Profiles.Sum w1 w2
            Expect.sequenceEqual both.shape [| 2L; 2L |] "dual shape"
            check "dual" both [ 2.0; -3.0; 0.0; 7.0 ])

        testCase "mismatched layers are rejected with the shapes in the message" <| fun () ->
            use w1 = torch.zeros(5L, 3L)
            use w2 = torch.zeros(2L, 4L)
            let e = Expect.throwsC (fun () -> Profiles.dual Profiles.Sum w1 w2 |> ignore) id
            Expect.stringContains e.Message "5 inputs" "expected"
            Expect.stringContains e.Message "[2, 4]" "received"

        testCase "profiles do not track gradients and leave the weights untouched" <| fun () ->
            use w1 = torch.randn(4L, 3L, requires_grad = true)
            use a1 = Profiles.incoming Profiles.Sum w1
            Expect.isFalse a1.requires_grad "no gradient"
    ]
