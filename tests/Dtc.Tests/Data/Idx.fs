module Dtc.Tests.Data.Idx

open Expecto

[<Tests>]
let tests = testList "Data.Idx" []
