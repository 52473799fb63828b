/// <summary>
/// The data sets by name: the embedded sample, Fashion-MNIST, the downloaded MNIST or a folder.
/// </summary>
module Dtc.Data.Catalog

open System
open Dtc.Data.Idx
open Dtc.Data.Datasets
open Dtc.Data.Download

let private fail (path: string) (message: string) : 'a = raise (DataException(message, path))

/// <summary>The data set names <see cref="M:Dtc.Data.Catalog.byName(System.String,Microsoft.FSharp.Core.FSharpOption{System.String})"/> accepts.</summary>
let names : string list = [ "mnist-sample"; "fashion-mnist"; "mnist"; "folder" ]

/// <summary>A data set by name: <c>mnist-sample</c> (embedded), <c>fashion-mnist</c>, <c>mnist</c> or
/// <c>folder</c>.</summary>
/// <param name="name">The name (case-insensitive); empty with a folder means <c>folder</c>.</param>
/// <param name="dataDir">A folder of IDX files. With <c>mnist</c> or <c>fashion-mnist</c> it is read instead of
/// the download cache or the Debian package; <c>folder</c> requires it; <c>mnist-sample</c> refuses it.
/// Default <c>None</c>.</param>
/// <returns>The validated data set.</returns>
/// <exception cref="T:Dtc.Data.Idx.DataException">For an unknown name (the message lists the valid ones) or any
/// problem getting the data.</exception>
let byName (name: string) (dataDir: string option) : Dataset =
    let key = if isNull name then "" else name.Trim().ToLowerInvariant()
    match key, dataDir with
    | "mnist-sample", None -> mnistSample ()
    | "mnist-sample", Some d ->
        fail d (sprintf "Expecting no data folder with the embedded mnist-sample but received %s: use --dataset folder (or mnist) to read a folder" d)
    | "fashion-mnist", _ -> fashionMnist dataDir
    | "mnist", Some d -> fromFolderNamed "mnist" d
    | "mnist", None -> mnist None
    | ("folder" | ""), Some d -> fromFolder d
    | "folder", None -> fail "folder" "Expecting a data folder with the folder data set (--data DIR) but received none"
    | _ ->
        fail (string name) (sprintf "Expecting a data set name among %s but received \"%s\"" (String.Join(", ", names)) name)

