/// <summary>Placeholder.</summary>
module Dtc.Pruning.Selection

/// <summary>Placeholder.</summary>
let placeholder = ()
