/// <summary>Placeholder.</summary>
module Dtc.Tomography.Profiles

/// <summary>Placeholder.</summary>
let placeholder = ()
