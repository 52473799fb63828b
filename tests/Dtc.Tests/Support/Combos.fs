/// The dtype × device combinations numeric tests run over (DiffSharp's "combos"): float32 and
/// float64 on the CPU, and on CUDA when TorchSharp reports it available.
module Dtc.Tests.Support.Combos

open TorchSharp

/// One combination, with a tolerance suited to the dtype.
type Combo =
    { Dtype: torch.ScalarType
      Device: torch.Device
      /// A relative accuracy this dtype can be held to in well-conditioned computations.
      Tolerance: float }
    override c.ToString() = sprintf "%O/%O" c.Dtype c.Device.``type``

/// Every available combination.
let all : Combo list =
    Dtc.Runtime.Torch.init ()
    let devices = [ yield torch.CPU; if torch.cuda.is_available () then yield torch.CUDA ]
    [ for d in devices do
        yield { Dtype = torch.float32; Device = d; Tolerance = 1e-5 }
        yield { Dtype = torch.float64; Device = d; Tolerance = 1e-12 } ]

/// Builds one Expecto test per combination.
let testCombos (name: string) (body: Combo -> unit) =
    Expecto.Tests.testList name [ for c in all -> Expecto.Tests.testCase (string c) (fun () -> body c) ]

/// Builds one FsCheck property test per combination.
let testPropertyCombos (name: string) (body: Combo -> 'property) =
    Expecto.Tests.testList name [ for c in all -> Expecto.ExpectoFsCheck.testProperty (string c) (body c) ]
