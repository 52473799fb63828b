module Dtc.Tests.Report.Html

open Expecto

[<Tests>]
let tests = testList "Report.Html" []
