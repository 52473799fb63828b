module Dtc.Tests.Training.Records

open System
open System.IO
open System.Text.Json.Nodes
open Expecto
open Dtc.Training
open Dtc.Tests.Support

/// The repository's root: the first parent of the test assembly's folder that holds Dtc.sln.
let private repository () =
    let rec up (d: DirectoryInfo) =
        if isNull d then failwith "Expecting Dtc.sln above the test assembly"
        elif File.Exists(Path.Combine(d.FullName, "Dtc.sln")) then d.FullName
        else up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// A small results document as Dtc writes it: two methods of two cycles.
let private good () : JsonNode =
    let layer = JsonObject()
    for k, v in [ "layer", 0.0; "widthBefore", 16.0; "widthAfter", 14.0; "measurements", 1.0; "rayMeanAbsPerLength", 0.25 ] do
        layer.[k] <- JsonValue.Create v
    let cycle (n: int) =
        let c = JsonObject()
        c.["cycle"] <- JsonValue.Create n
        c.["widths"] <- JsonArray(JsonValue.Create 14)
        for k in [ "fractionRemoved"; "testAccuracy"; "testAccuracyBatchMean"; "trainLoss"; "trainSeconds"; "compressSeconds"; "evalSeconds" ] do
            c.[k] <- JsonValue.Create 0.5
        c.["layers"] <- JsonArray(layer.DeepClone())
        c
    let methodRun (name: string) =
        let m = JsonObject()
        m.["method"] <- JsonValue.Create name
        m.["initialAccuracy"] <- JsonValue.Create "NaN"
        m.["cycles"] <- JsonArray(cycle 1, cycle 2)
        m
    let metadata = JsonObject()
    for k in [ "dtcVersion"; "torchSharpVersion"; "runtime"; "os"; "device"; "dataset"; "startedUtc" ] do
        metadata.[k] <- JsonValue.Create "x"
    for k in [ "threads"; "trainSize"; "testSize"; "wallSeconds" ] do
        metadata.[k] <- JsonValue.Create 1
    metadata.["protocol"] <- JsonObject()
    let root = JsonObject()
    root.["schema"] <- JsonValue.Create "1"
    root.["metadata"] <- metadata
    root.["methods"] <- JsonArray(methodRun "magnitude", methodRun "dtc")
    root

let private refusal (change: JsonNode -> unit) =
    let doc = good ()
    change doc
    Thrown.messageOf<InvalidDataException> (fun () -> Records.ofJson (doc.ToJsonString()) |> ignore)

[<Tests>]
let tests =
    testList "Training.Records" [
        testCase "files written by Dtc read: the docs' results and a document with every field" <| fun () ->
            Records.ofJson ((good ()).ToJsonString()) |> ignore
            let files = Directory.GetFiles(Path.Combine(repository (), "docs", "data"), "*-results.json")
            Expect.isNonEmpty files "the docs' results files"
            for f in files do
                let r = Records.read f
                Expect.isNonEmpty r.Methods (sprintf "%s reads" f)

        testCase "a missing or unknown schema version is refused, naming the version found and those known" <| fun () ->
            let missing = refusal (fun d -> d.AsObject().Remove "schema" |> ignore)
            Expect.stringContains missing "\"schema\"" "names the field"
            Expect.stringContains missing "1" "the versions known"
            let unknown = refusal (fun d -> d.["schema"] <- JsonValue.Create "7")
            Expect.stringContains unknown "\"7\"" "the version found"
            Expect.stringContains unknown "(1)" "the versions known"

        testCase "a missing required field is named, with its method and cycle" <| fun () ->
            let cycle2 (d: JsonNode) = d.["methods"].[1].["cycles"].[1].AsObject()
            for field in [ "testAccuracy"; "fractionRemoved"; "testAccuracyBatchMean"; "trainLoss" ] do
                let message = refusal (fun d -> (cycle2 d).Remove field |> ignore)
                Expect.stringContains message (sprintf "\"%s\"" field) (sprintf "%s: names the field" field)
                Expect.stringContains message "method \"dtc\", cycle 2" (sprintf "%s: names the method and the cycle" field)
            let nulled = refusal (fun d -> (cycle2 d).["testAccuracy"] <- null)
            Expect.stringContains nulled "received null" "a null number"
            Expect.stringContains (refusal (fun d -> d.["methods"].[0].AsObject().Remove "method" |> ignore)) "\"method\"" "method"
            Expect.stringContains (refusal (fun d -> d.["methods"].[0].AsObject().Remove "cycles" |> ignore)) "\"cycles\"" "cycles"
            Expect.stringContains (refusal (fun d -> d.AsObject().Remove "metadata" |> ignore)) "\"metadata\"" "metadata"
            Expect.stringContains (refusal (fun d -> d.AsObject().Remove "methods" |> ignore)) "\"methods\"" "methods"

        testCase "optional parts stay optional: new metadata fields, and a layer's vectors" <| fun () ->
            let doc = good ()
            doc.["metadata"].["commit"] <- JsonValue.Create "abc123"
            doc.["metadata"].["libtorchVersion"] <- JsonValue.Create "2.7.1"
            let r = Records.ofJson (doc.ToJsonString())
            Expect.equal r.Methods.[1].Cycles.[1].TestAccuracy 0.5 "read"
    ]
