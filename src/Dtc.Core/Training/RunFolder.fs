/// <summary>
/// The output folder of a run, made safe before any work: checked (it can be created and written, and has
/// room), held by one run at a time (a lock file holding the holder's process id), cleared of the
/// temporaries that killed runs leave behind, and surveyed for another run's outputs, so that a folder
/// never mixes two runs' files and a killed run loses no completed cycle.
/// </summary>
/// <remarks>
/// The lock is <c>.dtc.lock</c> opened exclusively (on Linux and macOS .NET takes an advisory
/// <c>flock</c>, which the kernel releases when the process dies, however it dies). A lock file that
/// still names a process once the lock is taken was left by a run that did not finish: it is stale,
/// and taken over. Temporaries are recognised by the names that Dtc's atomic writers give them:
/// <c>&lt;file&gt;.&lt;process id&gt;.tmp</c> and <c>.&lt;file&gt;.&lt;32 hex digits&gt;.tmp</c>.
/// </remarks>
module Dtc.Training.RunFolder

open System
open System.IO
open System.Runtime.InteropServices
open System.Text
open System.Text.RegularExpressions

/// <summary>The lock file's name in the folder.</summary>
[<Literal>]
let LockFileName = ".dtc.lock"

/// <summary>The subfolder that holds a run's checkpoints (<c>&lt;method&gt;.ckpt</c>).</summary>
[<Literal>]
let CheckpointsFolderName = "checkpoints"

/// <summary>The subfolder that holds a run's saved networks (<c>&lt;method&gt;.dat</c> with <c>&lt;method&gt;.architecture.json</c>).</summary>
[<Literal>]
let ModelsFolderName = "models"

/// <summary>The files a finished run writes at the top of its folder.</summary>
let outputFileNames : string list = [ "results.json"; "results.csv"; "analysis.json"; "report.html" ]

/// <summary>What <see cref="M:Dtc.Training.RunFolder.acquire(System.String)"/> found when it took a folder.</summary>
type Found =
    { /// <summary>The folder's full path.</summary>
      Folder: string
      /// <summary>Whether the folder did not exist before.</summary>
      Created: bool
      /// <summary>The process id named by a stale lock file (left by a run that did not finish), if any.</summary>
      StaleLock: int option
      /// <summary>The temporaries of killed runs that were removed, relative to the folder.</summary>
      RemovedTemporaries: string[]
      /// <summary>The outputs of a run found in the folder (results files, report, checkpoints), relative to it.</summary>
      Outputs: string[] }

/// <summary>The exclusive hold of a run on its folder; disposing it releases the lock.</summary>
[<Sealed>]
type Lock internal (found: Found, stream: FileStream) =
    let mutable released = false
    /// <summary>What was found when the folder was taken.</summary>
    member _.Found = found
    /// <summary>The folder's full path.</summary>
    member _.Folder = found.Folder
    /// <summary>Releases the lock: the lock file is deleted (while still held), and a folder that this run
    /// created and left empty is removed.</summary>
    member _.Release() =
        if not released then
            released <- true
            try
                try
                    File.Delete(Path.Combine(found.Folder, LockFileName))
                finally
                    stream.Dispose()
                if found.Created && Seq.isEmpty (Directory.EnumerateFileSystemEntries found.Folder) then Directory.Delete found.Folder
            with :? IOException | :? UnauthorizedAccessException -> ()
    interface IDisposable with
        /// <summary>Releases the lock (see <c>Release</c>).</summary>
        member this.Dispose() = this.Release()

/// Reads a file without .NET's advisory lock (which the holder's exclusive lock would refuse); None where
/// libc is not there (Windows, whose share modes refuse every reader).
module private Raw =
    [<DllImport("libc", EntryPoint = "open", SetLastError = true)>]
    extern int openFile(string path, int flags)

    [<DllImport("libc", EntryPoint = "read", SetLastError = true)>]
    extern nativeint readFile(int fd, byte[] buffer, nativeint count)

    [<DllImport("libc", EntryPoint = "close")>]
    extern int closeFile(int fd)

    let readStart (path: string) : string option =
        try
            let fd = openFile(path, 0)
            if fd < 0 then None
            else
                try
                    let buffer = Array.zeroCreate<byte> 64
                    let n = int (readFile(fd, buffer, nativeint buffer.Length))
                    if n < 0 then None else Some(Encoding.UTF8.GetString(buffer, 0, n))
                finally
                    closeFile fd |> ignore
        with :? DllNotFoundException | :? EntryPointNotFoundException -> None

let private processId (text: string) =
    match Int32.TryParse(text.Trim()) with
    | true, pid when pid > 0 -> Some pid
    | _ -> None

let private errno (e: exn) = e.HResult &&& 0xFFFF

/// <summary>Whether an exception says that a file system is full (no space left, or the disk quota used up).</summary>
/// <param name="e">The exception.</param>
/// <returns>True for an <see cref="T:System.IO.IOException"/> with ENOSPC (Linux, macOS), EDQUOT (Linux) or ERROR_DISK_FULL (Windows).</returns>
let isDiskFull (e: exn) : bool =
    match e with
    | :? IOException when OperatingSystem.IsWindows() -> (match errno e with 0x27 | 0x70 -> true | _ -> false) // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
    | :? IOException -> (match errno e with 28 | 122 -> true | _ -> false) // ENOSPC, and EDQUOT on Linux
    | _ -> false

/// Why a folder could not be written, in a few words.
let private reason (e: exn) =
    let inner = match e with :? UnauthorizedAccessException when not (isNull e.InnerException) -> e.InnerException | _ -> e
    if isDiskFull inner then "its file system is full"
    else
        match inner with
        | :? IOException when errno inner = 30 -> "its file system is read-only"
        | :? UnauthorizedAccessException -> "writing there is not permitted"
        | _ -> inner.Message.TrimEnd('.')

let private mebibytes (bytes: int64) = sprintf "%.1f MB" (float bytes / 1048576.0)

/// <summary>A sensible minimum of free space for a run's outputs: two copies of each method's checkpoint
/// (the checkpoint and its temporary) with the cycles' records, and the results files and report.</summary>
/// <param name="protocol">The protocol (its hidden widths and biases set the checkpoint's size).</param>
/// <param name="inputs">Inputs per sample (784 for 28×28 images).</param>
/// <param name="classes">Classes (10).</param>
/// <param name="methods">Methods in the run.</param>
/// <returns>Bytes.</returns>
let requiredBytes (protocol: Protocol.Protocol) (inputs: int) (classes: int) (methods: int) : int64 =
    let widths = Array.concat [ [| inputs |]; protocol.Hidden; [| classes |] ] |> Array.map float
    let parameters = Array.pairwise widths |> Array.sumBy (fun (a, b) -> a * b + (if protocol.Bias then b else 0.0))
    let mib = 1048576.0
    let checkpoint = 4.0 * parameters + mib // float32 parameters, then the cycles' records
    let results = 16.0 * mib // results.json, results.csv, analysis.json and report.html (3.6 MB), each with its temporary
    int64 (min 9.0e18 (float (max 1 methods) * 2.0 * checkpoint + results))

/// <summary>Checks that a folder can be created and written and has room, before any work: a probe file
/// is created and deleted, and the file system's free space compared with the minimum. Whatever the
/// check created is removed again.</summary>
/// <param name="path">The folder (created if missing).</param>
/// <param name="minimumFreeBytes">Free space it needs (see <see cref="M:Dtc.Training.RunFolder.requiredBytes(Dtc.Training.Protocol.Protocol,System.Int32,System.Int32,System.Int32)"/>); 0 checks none.</param>
/// <returns>The folder's full path.</returns>
/// <exception cref="T:System.ArgumentException">An empty path, a file, or a folder that cannot be created or
/// written or lacks the space (the message names the folder and what was expected).</exception>
let check (path: string) (minimumFreeBytes: int64) : string =
    if String.IsNullOrWhiteSpace path then
        invalidArg (nameof path) (sprintf "Expecting an output folder but received \"%s\"" (if isNull path then "" else path))
    let folder = Path.GetFullPath path
    if File.Exists folder then invalidArg (nameof path) (sprintf "Expecting an output folder but %s is a file" folder)
    let rec firstMissing (d: string) =
        let parent = Path.GetDirectoryName d
        if isNull parent || Directory.Exists parent then d else firstMissing parent
    let created = if Directory.Exists folder then None else Some(firstMissing folder)
    let unwritable (e: exn) =
        ArgumentException(sprintf "Expecting a folder that can be written at %s but %s" folder (reason e), e)
    try
        try
            Directory.CreateDirectory folder |> ignore
            let probe = Path.Combine(folder, sprintf ".dtc-probe.%d.tmp" Environment.ProcessId)
            try
                do
                    use f = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None)
                    f.Write([| 1uy |], 0, 1)
                    f.Flush true
            finally
                if File.Exists probe then File.Delete probe
        with
        | :? IOException | :? UnauthorizedAccessException as e -> raise (unwritable e)
        let free = try Some (DriveInfo(folder).AvailableFreeSpace) with _ -> None
        match free with
        | Some bytes when bytes < minimumFreeBytes ->
            raise (ArgumentException(sprintf "Expecting at least %s free for the outputs in %s but its file system has %s free"
                                        (mebibytes minimumFreeBytes) folder (mebibytes bytes)))
        | _ -> folder
    finally
        created |> Option.iter (fun d -> try Directory.Delete(d, true) with _ -> ())

/// Whether a file name is one of the temporaries of Dtc's atomic writers.
let private temporary = Regex(@"^(.+\.[0-9]+|\..+\.[0-9a-f]{32})\.tmp$", RegexOptions.Compiled)

/// <summary>Whether a file name is a temporary of one of Dtc's atomic writers
/// (<c>&lt;file&gt;.&lt;process id&gt;.tmp</c>, or <c>.&lt;file&gt;.&lt;32 hex digits&gt;.tmp</c>).</summary>
/// <param name="name">A file name (without folder).</param>
/// <returns>True for a temporary's name.</returns>
let isTemporary (name: string) : bool = not (isNull name) && temporary.IsMatch name

/// The folder and its checkpoints and models subfolders: where a run writes.
let private places (folder: string) =
    [ folder; Path.Combine(folder, CheckpointsFolderName); Path.Combine(folder, ModelsFolderName) ] |> List.filter Directory.Exists

let private relative (folder: string) (path: string) = Path.GetRelativePath(folder, path)

/// The outputs of a run in the folder: results files, report, checkpoints and saved networks.
let private outputsIn (folder: string) =
    let top = outputFileNames |> List.map (fun n -> Path.Combine(folder, n)) |> List.filter File.Exists
    let inside (sub: string) (patterns: string list) =
        let d = Path.Combine(folder, sub)
        if Directory.Exists d then patterns |> List.collect (fun p -> Directory.GetFiles(d, p) |> List.ofArray) |> List.sort else []
    top @ inside CheckpointsFolderName [ "*.ckpt" ] @ inside ModelsFolderName [ "*.dat"; "*.architecture.json" ]
    |> List.map (relative folder) |> Array.ofList

/// <summary>The process id that a folder's lock file names: the holder's while the folder is held, else
/// that of a run that stopped without releasing it.</summary>
/// <param name="path">The folder.</param>
/// <returns>The process id; None without a lock file (or where it cannot be read while held).</returns>
let holder (path: string) : int option =
    Raw.readStart (Path.Combine(Path.GetFullPath path, LockFileName)) |> Option.bind processId

/// <summary>Takes a folder for one run: creates it if missing, takes its lock (a lock file naming this
/// process), removes the temporaries that killed runs left (with the lock held, every temporary there is
/// stale) and lists the outputs of a run already there.</summary>
/// <param name="path">The folder (check it first with <see cref="M:Dtc.Training.RunFolder.check(System.String,System.Int64)"/>).</param>
/// <returns>The lock; dispose it when the run ends. Its <c>Found</c> says what was there.</returns>
/// <exception cref="T:System.ArgumentException">Another process holds the folder (the message names its process id).</exception>
let acquire (path: string) : Lock =
    if String.IsNullOrWhiteSpace path then
        invalidArg (nameof path) (sprintf "Expecting an output folder but received \"%s\"" (if isNull path then "" else path))
    let folder = Path.GetFullPath path
    let created = not (Directory.Exists folder)
    Directory.CreateDirectory folder |> ignore
    let lockPath = Path.Combine(folder, LockFileName)
    let mine = string Environment.ProcessId + "\n"
    // A holder deletes the lock file before it lets go, so a run may lock a file that is no longer at the
    // path (it opened the file just before the deletion): then the path names another file, or none, and
    // the run tries again.
    let rec take attempt =
        let stream =
            try
                new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
            with :? IOException as e when File.Exists lockPath && not (isDiskFull e) ->
                let holder =
                    match Raw.readStart lockPath |> Option.bind processId with
                    | Some pid when pid = Environment.ProcessId -> sprintf "this process (%d)" pid
                    | Some pid -> sprintf "process %d" pid
                    | None -> "another process"
                raise (ArgumentException(sprintf "Expecting %s to be free for this run but %s is writing it (its lock: %s)" folder holder lockPath, e))
        try
            let buffer = Array.zeroCreate<byte> 64
            let n = stream.Read(buffer, 0, buffer.Length)
            let previous = Encoding.UTF8.GetString(buffer, 0, n) |> processId
            stream.SetLength 0L
            let bytes = Encoding.UTF8.GetBytes mine
            stream.Write(bytes, 0, bytes.Length)
            stream.Flush true
            match (if File.Exists lockPath then Raw.readStart lockPath else Some "") with
            | Some text when text <> mine && attempt < 20 ->
                stream.Dispose()
                take (attempt + 1)
            | _ -> stream, previous
        with _ ->
            stream.Dispose()
            reraise ()
    let stream, previous = take 0
    try
        let removed =
            places folder
            |> List.collect (fun d -> Directory.GetFiles d |> Array.filter (Path.GetFileName >> isTemporary) |> List.ofArray)
            |> List.map (fun f -> File.Delete f; relative folder f)
            |> Array.ofList
        new Lock({ Folder = folder; Created = created; StaleLock = previous; RemovedTemporaries = removed; Outputs = outputsIn folder }, stream)
    with _ ->
        stream.Dispose()
        reraise ()

/// <summary>Removes the outputs of the run found in a held folder (results files, report, checkpoints, saved networks),
/// so that a fresh run does not mix its files with another run's. Nothing else in the folder is touched.</summary>
/// <param name="lock">The folder's lock.</param>
/// <returns>The removed outputs, relative to the folder.</returns>
let clearOutputs (lock: Lock) : string[] =
    let folder = lock.Folder
    let outputs = outputsIn folder
    for o in outputs do File.Delete(Path.Combine(folder, o))
    for sub in [ CheckpointsFolderName; ModelsFolderName ] do
        let d = Path.Combine(folder, sub)
        if Directory.Exists d && Seq.isEmpty (Directory.EnumerateFileSystemEntries d) then Directory.Delete d
    outputs
