module Dtc.Tests.Runtime.AtomicFile

open System
open System.IO
open Expecto
open Dtc.Runtime

/// Runs f on a fresh temporary folder and deletes it afterwards.
let private withTempDir (f: string -> unit) =
    let dir = Path.Combine(Path.GetTempPath(), "dtc-tests-atomic-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory dir |> ignore
    try f dir finally Directory.Delete(dir, true)

let private namesIn (dir: string) = Directory.GetFiles dir |> Array.map Path.GetFileName |> Array.sort

[<Tests>]
let tests =
    testList "Runtime.AtomicFile" [
        testCase "the content is complete, in a folder created when missing, and replaces an existing file" <| fun () ->
            withTempDir (fun dir ->
                let path = Path.Combine(dir, "sub", "results.json")
                let bytes = Array.init 1_000_000 (fun i -> byte (i % 251))
                AtomicFile.writeBytes path bytes
                Expect.sequenceEqual (File.ReadAllBytes path) bytes "every byte"
                AtomicFile.writeText path "é, then more"
                Expect.equal (File.ReadAllText path) "é, then more" "the text replaces the bytes"
                Expect.sequenceEqual (File.ReadAllBytes path |> Array.take 2) [| 0xC3uy; 0xA9uy |] "UTF-8 without a byte-order mark"
                AtomicFile.write path (fun s -> s.Write([| 1uy; 2uy; 3uy |], 0, 3))
                Expect.sequenceEqual (File.ReadAllBytes path) [| 1uy; 2uy; 3uy |] "through a stream"
                Expect.sequenceEqual (namesIn (Path.GetDirectoryName path)) [| "results.json" |] "no temporary left")

        testCase "a failing write leaves the old file as it was and no temporary" <| fun () ->
            withTempDir (fun dir ->
                let path = Path.Combine(dir, "report.html")
                AtomicFile.writeText path "old"
                let failing () =
                    AtomicFile.write path (fun s ->
                        s.Write([| 1uy; 2uy |], 0, 2)
                        Expect.isTrue (File.Exists(AtomicFile.temporaryOf path)) "the content goes to the temporary first"
                        raise (IOException "disk full"))
                Expect.throwsT<IOException> failing "the write's own exception propagates"
                Expect.equal (File.ReadAllText path) "old" "the old file is intact"
                Expect.sequenceEqual (namesIn dir) [| "report.html" |] "no temporary left")

        testCase "the temporary is <file>.<process id>.tmp beside the target, a name RunFolder recognises" <| fun () ->
            let temp = AtomicFile.temporaryOf (Path.Combine("runs", "results.json"))
            Expect.equal (Path.GetFileName temp) (sprintf "results.json.%d.tmp" Environment.ProcessId) "the name"
            Expect.equal (Path.GetDirectoryName temp) (Path.GetFullPath "runs") "the folder"
            Expect.isTrue (Dtc.Training.RunFolder.isTemporary (Path.GetFileName temp)) "recognised as a temporary"

        testCase "an empty path is refused with one line naming it" <| fun () ->
            let e = Expect.throwsC (fun () -> AtomicFile.writeText " " "x") id
            Expect.isTrue (e :? ArgumentException && e.Message.StartsWith "Expecting a file path but received \" \"") e.Message
    ]
