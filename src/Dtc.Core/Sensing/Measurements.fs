/// <summary>Placeholder.</summary>
module Dtc.Sensing.Measurements

/// <summary>Placeholder.</summary>
let placeholder = ()
