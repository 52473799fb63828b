module Dtc.Tests.Data.Datasets

open Expecto

[<Tests>]
let tests = testList "Data.Datasets" []
