module Dtc.Tests.Tomography.Profiles

open Expecto

[<Tests>]
let tests = testList "Tomography.Profiles" []
