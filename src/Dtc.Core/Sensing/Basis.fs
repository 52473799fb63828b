/// <summary>Placeholder.</summary>
module Dtc.Sensing.Basis

/// <summary>Placeholder.</summary>
let placeholder = ()
