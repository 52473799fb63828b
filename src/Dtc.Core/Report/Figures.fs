/// <summary>Placeholder.</summary>
module Dtc.Report.Figures

/// <summary>Placeholder.</summary>
let placeholder = ()
