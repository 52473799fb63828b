module Dtc.Tests.Training.RunFolder

open System
open System.IO
open Expecto
open Dtc.Training
open Dtc.Tests.Support

/// A fresh temporary folder for one test, removed afterwards.
let private withFolder (f: string -> unit) =
    let root = Directory.CreateTempSubdirectory("dtc-runfolder-").FullName
    try f root finally Directory.Delete(root, true)

let private write (path: string) (text: string) =
    Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore
    File.WriteAllText(path, text)

[<Tests>]
let tests =
    testList "Training.RunFolder" [
        test "check refuses an empty or blank path, and a file, naming what was expected" {
            for bad in [ ""; "   " ] do
                let m = Thrown.messageOf<ArgumentException> (fun () -> RunFolder.check bad 0L |> ignore)
                Expect.stringContains m "Expecting an output folder" (sprintf "the message for %A says what was expected" bad)
            withFolder (fun root ->
                let file = Path.Combine(root, "taken")
                File.WriteAllText(file, "a file")
                let m = Thrown.messageOf<ArgumentException> (fun () -> RunFolder.check file 0L |> ignore)
                Expect.stringContains m (file + " is a file") "the message names the file")
        }

        test "check probes a missing folder and leaves nothing behind" {
            withFolder (fun root ->
                let target = Path.Combine(root, "a", "b", "run")
                Expect.equal (RunFolder.check target 1024L) target "the full path is returned"
                Expect.isEmpty (Directory.GetFileSystemEntries root) "the folders the probe created are removed again")
        }

        test "check refuses a folder without the free space the run needs, naming it" {
            withFolder (fun root ->
                let m = Thrown.messageOf<ArgumentException> (fun () -> RunFolder.check root Int64.MaxValue |> ignore)
                Expect.stringContains m "Expecting at least" "the message says what was expected"
                Expect.stringContains m root "the message names the folder")
        }

        test "requiredBytes counts two copies of each method's checkpoint and room for the results" {
            let p = { Protocol.Protocol.paper with Hidden = [| 512 |]; Bias = false }
            let mib = 1048576L
            let parameters = 784L * 512L + 512L * 10L
            Expect.equal (RunFolder.requiredBytes p 784 10 3) (3L * 2L * (4L * parameters + mib) + 16L * mib) "the paper's model, three methods"
            Expect.isGreaterThan (RunFolder.requiredBytes { p with Hidden = [| Int32.MaxValue |] } 784 10 3) 0L "a huge width does not overflow"
        }

        test "isTemporary recognises the names of every atomic writer's temporaries, and nothing else" {
            for name in [ "dtc.ckpt.4242.tmp"; "results.json.7.tmp"; "libLibTorchSharp.so.12.tmp"; ".dtc-probe.5.tmp"
                          ".train-images-idx3-ubyte.gz.0123456789abcdef0123456789abcdef.tmp" ] do
                Expect.isTrue (RunFolder.isTemporary name) (sprintf "%s is a temporary" name)
            for name in [ "notes.tmp"; "results.json"; "dtc.ckpt"; "x.12a.tmp"; ".tmp"; "train.0123456789abcdef0123456789abcdef.tmp" ] do
                Expect.isFalse (RunFolder.isTemporary name) (sprintf "%s is not a temporary" name)
        }

        test "acquire takes a new folder, names this process in the lock and removes all on release" {
            withFolder (fun root ->
                let target = Path.Combine(root, "run")
                let lock = RunFolder.acquire target
                Expect.isTrue lock.Found.Created "the folder was created"
                Expect.isNone lock.Found.StaleLock "no stale lock"
                Expect.isEmpty lock.Found.Outputs "no outputs"
                Expect.equal (RunFolder.holder target) (Some Environment.ProcessId) "the lock file names the holder"
                (lock :> IDisposable).Dispose()
                Expect.isFalse (Directory.Exists target) "a folder the run created and left empty is removed")
        }

        test "a held folder is refused, naming the holder's process id" {
            withFolder (fun root ->
                use first = RunFolder.acquire root
                let m = Thrown.messageOf<ArgumentException> (fun () -> RunFolder.acquire root |> ignore)
                Expect.stringContains m (string Environment.ProcessId) "the message names the holder's process id"
                Expect.stringContains m root "the message names the folder"
                (first :> IDisposable).Dispose()
                use again = RunFolder.acquire root
                Expect.isNone again.Found.StaleLock "a released lock is not stale"
                Expect.isTrue (File.Exists(Path.Combine(root, RunFolder.LockFileName))) "the lock file exists while held")
        }

        test "a stale lock file is taken over and its process id reported" {
            withFolder (fun root ->
                write (Path.Combine(root, RunFolder.LockFileName)) "999999\n"
                use lock = RunFolder.acquire root
                Expect.equal lock.Found.StaleLock (Some 999999) "the stale lock's process id"
                Expect.isFalse lock.Found.Created "the folder existed")
        }

        test "acquire removes every temporary of the folder and of its checkpoints, and nothing else" {
            withFolder (fun root ->
                let temporaries = [ "results.json.77.tmp"; Path.Combine("checkpoints", "dtc.ckpt.77.tmp")
                                    ".report.html.0123456789abcdef0123456789abcdef.tmp" ]
                let kept = [ "notes.tmp"; "notes.txt"; Path.Combine("checkpoints", "notes.txt") ]
                for f in temporaries @ kept do write (Path.Combine(root, f)) "x"
                use lock = RunFolder.acquire root
                Expect.equal (Set.ofArray lock.Found.RemovedTemporaries) (Set.ofList temporaries) "the temporaries removed"
                for f in temporaries do Expect.isFalse (File.Exists(Path.Combine(root, f))) (sprintf "%s is gone" f)
                for f in kept do Expect.isTrue (File.Exists(Path.Combine(root, f))) (sprintf "%s is kept" f))
        }

        test "another run's outputs are listed, and clearOutputs removes only them" {
            withFolder (fun root ->
                let outputs = [ "results.json"; "report.html"; Path.Combine("checkpoints", "dtc.ckpt") ]
                for f in outputs @ [ "notes.txt" ] do write (Path.Combine(root, f)) "x"
                use lock = RunFolder.acquire root
                Expect.equal (Set.ofArray lock.Found.Outputs) (Set.ofList outputs) "the outputs found"
                Expect.equal (Set.ofArray (RunFolder.clearOutputs lock)) (Set.ofList outputs) "the outputs cleared"
                Expect.equal (Directory.GetFileSystemEntries root |> Array.map Path.GetFileName |> Set.ofArray)
                             (set [ "notes.txt"; RunFolder.LockFileName ]) "only the outputs (and the empty checkpoints folder) are gone")
        }

        test "isDiskFull is true for no space left and a used-up quota only" {
            Expect.isTrue (RunFolder.isDiskFull (IOException("No space left on device", 28))) "ENOSPC"
            Expect.isTrue (RunFolder.isDiskFull (IOException("Disk quota exceeded", 122))) "EDQUOT"
            Expect.isFalse (RunFolder.isDiskFull (IOException("Input/output error", 5))) "EIO"
            Expect.isFalse (RunFolder.isDiskFull (IOException("Directory not empty", 39))) "ENOTEMPTY"
            Expect.isFalse (RunFolder.isDiskFull (ArgumentException "no")) "not an IOException"
        }
    ]
