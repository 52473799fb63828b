/// Reads the reference fixtures generated once by tests/fixtures/*.py (SciPy, scikit-learn,
/// statsmodels, NumPy) and copied next to the test assembly.
module Dtc.Tests.Support.Fixtures

open System
open System.IO
open System.Text.Json

/// The folder that holds the fixture JSON files at run time.
let folder = Path.Combine(AppContext.BaseDirectory, "fixtures")

/// Parses a fixture file.
let load (name: string) : JsonElement =
    let path = Path.Combine(folder, name)
    if not (File.Exists path) then failwithf "Fixture %s is missing: run tests/fixtures/generate.sh and rebuild" path
    use doc = JsonDocument.Parse(File.ReadAllText path)
    doc.RootElement.Clone()

let private num (e: JsonElement) =
    match e.ValueKind with
    | JsonValueKind.Number -> e.GetDouble()
    | JsonValueKind.String ->
        match e.GetString() with
        | "NaN" -> nan
        | "Infinity" -> infinity
        | "-Infinity" -> -infinity
        | s -> Double.Parse(s, Globalization.CultureInfo.InvariantCulture)
    | JsonValueKind.Null -> nan
    | k -> failwithf "Expecting a number but received %O" k

/// A property as a float (NaN may be written as null or "NaN").
let float (name: string) (e: JsonElement) = num (e.GetProperty name)
/// A property as an int.
let int (name: string) (e: JsonElement) = e.GetProperty(name).GetInt32()
/// A property as a string.
let string (name: string) (e: JsonElement) = e.GetProperty(name).GetString()
/// A property as a float array.
let floats (name: string) (e: JsonElement) = [| for x in e.GetProperty(name).EnumerateArray() -> num x |]
/// A property as an int array.
let ints (name: string) (e: JsonElement) = [| for x in e.GetProperty(name).EnumerateArray() -> x.GetInt32() |]
/// A property as a matrix (array of rows).
let matrix (name: string) (e: JsonElement) =
    let rows = [| for r in e.GetProperty(name).EnumerateArray() -> [| for x in r.EnumerateArray() -> num x |] |]
    if rows.Length = 0 then Array2D.zeroCreate 0 0
    else Array2D.init rows.Length rows.[0].Length (fun i j -> rows.[i].[j])
/// A property as an array of objects.
let items (name: string) (e: JsonElement) = [| for x in e.GetProperty(name).EnumerateArray() -> x |]

/// Finds shared/paper-data/supplement-mnist.json (the paper's published results, kept outside the
/// repository) in a parent of the working directory or of the test assembly's folder: CI has a copy of
/// shared/ beside its clone. None when it is absent (the tests that need it are then skipped).
let paperFile () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then None
        else
            let candidate = Path.Combine(dir.FullName, "shared", "paper-data", "supplement-mnist.json")
            if File.Exists candidate then Some candidate else up dir.Parent
    [ Directory.GetCurrentDirectory(); AppContext.BaseDirectory ]
    |> List.tryPick (fun d -> up (DirectoryInfo d))
