/// What a test expects an action to throw.
module Dtc.Tests.Support.Thrown

open Expecto

/// The message of the exception of type 'E that `action` throws; the test fails when it throws none
/// (an exception of another type propagates and fails it too).
let messageOf<'E when 'E :> exn> (action: unit -> unit) : string =
    try
        action ()
        failtestf "Expecting %s but none was thrown" typeof<'E>.Name
    with :? 'E as e -> e.Message
