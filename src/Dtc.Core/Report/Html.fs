/// <summary>Placeholder.</summary>
module Dtc.Report.Html

/// <summary>Placeholder.</summary>
let placeholder = ()
