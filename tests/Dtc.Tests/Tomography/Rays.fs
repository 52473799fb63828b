module Dtc.Tests.Tomography.Rays

open Expecto

[<Tests>]
let tests = testList "Tomography.Rays" []
