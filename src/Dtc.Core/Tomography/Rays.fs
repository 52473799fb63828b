/// <summary>Placeholder.</summary>
module Dtc.Tomography.Rays

/// <summary>Placeholder.</summary>
let placeholder = ()
