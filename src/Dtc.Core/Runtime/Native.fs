/// <summary>
/// Portable loading of TorchSharp's native wrapper on Linux systems whose C++ runtime is older than
/// the one the wrapper was built against.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for the symbol version <c>GLIBCXX_3.4.32</c>
/// (GCC 13's libstdc++), which Debian 12 and Ubuntu 22.04 do not have, so the first use of
/// <c>torch</c> fails there. The only symbol behind that version is <c>std::ios_base_library_init</c>,
/// an iostream initialisation hook that the wrapper never relocates against; marking the version
/// requirement weak (<c>VER_FLG_WEAK</c> in its <c>.gnu.version_r</c> entry) lets the dynamic linker
/// accept the older runtime. This module does that by itself, without root, environment variables or
/// a build step: when (and only when) the running system's libstdc++ lacks exactly such versions, it
/// writes a patched copy of the wrapper into a per-user cache directory
/// (<c>$XDG_CACHE_HOME/dtc/native</c> or <c>~/.cache/dtc/native</c>) and loads it, with its libtorch
/// dependencies, before TorchSharp initialises; TorchSharp then finds the wrapper already loaded.
/// Opt out by setting the environment variable <c>DTC_NATIVE_PATCH=0</c>.
/// This is written by hand because no served package edits ELF symbol-version tables.
/// </remarks>
/// <namespacedoc><summary>Process-level concerns: native libraries and TorchSharp set-up.</summary></namespacedoc>
module Dtc.Runtime.Native

open System
open System.IO
open System.Runtime.InteropServices
open System.Security.Cryptography

/// <summary>What <see cref="M:Dtc.Runtime.Native.ensure"/> found and did.</summary>
type Outcome =
    /// <summary>The system's C++ runtime satisfies the wrapper (or the OS is not Linux): nothing was done.</summary>
    | NotNeeded of reason: string
    /// <summary>A patched copy of the wrapper was loaded from the given path; <c>written</c> when this process
    /// wrote it into the cache (the first use on this system), false when it was there already.</summary>
    | Patched of path: string * weakened: string list * written: bool
    /// <summary>The user opted out with <c>DTC_NATIVE_PATCH=0</c>.</summary>
    | OptedOut
    /// <summary>The wrapper needs versions that cannot safely be weakened, or a file was not found; TorchSharp's own error will follow.</summary>
    | Unsupported of reason: string

/// <summary>Symbol versions that are safe to mark weak: each guards only symbols the wrapper never binds.</summary>
let weakenable = set [ "GLIBCXX_3.4.32" ]

/// <summary>Name of the environment variable that disables the patch when set to <c>0</c>.</summary>
[<Literal>]
let OptOutVariable = "DTC_NATIVE_PATCH"

// ---------------------------------------------------------------------------------------------
// A minimal ELF64 little-endian reader for the symbol-version sections.

[<Literal>]
let private ShtGnuVerdef = 0x6ffffffd

[<Literal>]
let private ShtGnuVerneed = 0x6ffffffe

[<Literal>]
let private VerFlgWeak = 0x2

type private Section = { Type: int; Offset: int; Size: int; Link: int; Info: int }

let private u16 (b: byte[]) o = int (BitConverter.ToUInt16(b, o))
let private u32 (b: byte[]) o = int (BitConverter.ToUInt32(b, o))
let private u64 (b: byte[]) o = int (BitConverter.ToUInt64(b, o))

let private isElf64Le (b: byte[]) =
    b.Length > 0x40 && b.[0] = 0x7Fuy && b.[1] = byte 'E' && b.[2] = byte 'L' && b.[3] = byte 'F'
    && b.[4] = 2uy && b.[5] = 1uy

let private sections (b: byte[]) =
    let shoff, shentsize, shnum = u64 b 0x28, u16 b 0x3A, u16 b 0x3C
    [| for i in 0 .. shnum - 1 ->
           let o = shoff + i * shentsize
           { Type = u32 b (o + 4); Offset = u64 b (o + 0x18); Size = u64 b (o + 0x20)
             Link = u32 b (o + 0x28); Info = u32 b (o + 0x2C) } |]

let private cstring (b: byte[]) (start: int) =
    let e = Array.IndexOf(b, 0uy, start)
    Text.Encoding.ASCII.GetString(b, start, e - start)

/// Version requirements: (file, version name, byte offset of the vna_flags field, flags).
let private versionNeeds (b: byte[]) =
    let secs = sections b
    match secs |> Array.tryFind (fun s -> s.Type = ShtGnuVerneed) with
    | None -> []
    | Some vr ->
        let strtab = secs.[vr.Link]
        [ let mutable vn = vr.Offset
          for _ in 1 .. vr.Info do
              let file = cstring b (strtab.Offset + u32 b (vn + 4))
              let mutable aux = vn + u32 b (vn + 8)
              for _ in 1 .. u16 b (vn + 2) do
                  yield file, cstring b (strtab.Offset + u32 b (aux + 8)), aux + 4, u16 b (aux + 4)
                  aux <- aux + u32 b (aux + 12)
              vn <- vn + u32 b (vn + 12) ]

/// Version definitions of a shared library (its .gnu.version_d names).
let private versionDefinitions (b: byte[]) =
    let secs = sections b
    match secs |> Array.tryFind (fun s -> s.Type = ShtGnuVerdef) with
    | None -> Set.empty
    | Some vd ->
        let strtab = secs.[vd.Link]
        set [ let mutable d = vd.Offset
              for _ in 1 .. vd.Info do
                  let aux = d + u32 b (d + 12)
                  yield cstring b (strtab.Offset + u32 b aux)
                  d <- d + u32 b (d + 16) ]

/// <summary>Returns a copy of an ELF image in which the given required versions are marked weak.</summary>
/// <param name="versions">Version names (e.g. <c>GLIBCXX_3.4.32</c>) to weaken.</param>
/// <param name="image">The bytes of an ELF64 little-endian shared library.</param>
/// <returns>The patched bytes; the input is not modified.</returns>
let weakenVersions (versions: Set<string>) (image: byte[]) : byte[] =
    if not (isElf64Le image) then
        invalidArg (nameof image) "Expecting an ELF64 little-endian image but received something else"
    let b = Array.copy image
    for _, name, flagsAt, flags in versionNeeds b do
        if versions.Contains name then
            let f = flags ||| VerFlgWeak
            b.[flagsAt] <- byte f
            b.[flagsAt + 1] <- byte (f >>> 8)
    b

/// <summary>The symbol versions an ELF image requires from a given library, with their weak flag.</summary>
/// <param name="library">The needed library's file name, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="image">The ELF image's bytes.</param>
/// <returns>Pairs of version name and whether it is already weak.</returns>
let requiredVersions (library: string) (image: byte[]) : (string * bool) list =
    if not (isElf64Le image) then []
    else
        versionNeeds image
        |> List.filter (fun (file, _, _, _) -> file = library)
        |> List.map (fun (_, name, _, flags) -> name, flags &&& VerFlgWeak <> 0)

// ---------------------------------------------------------------------------------------------
// Locating files.

let private libstdcxxPath () =
    // The running process already maps the system's libstdc++ (the .NET host links it).
    try
        File.ReadLines "/proc/self/maps"
        |> Seq.map (fun l -> l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        |> Seq.filter (fun f -> f.Length >= 6)
        |> Seq.map (fun f -> f.[5])
        |> Seq.tryFind (fun p -> Path.GetFileName(p).StartsWith "libstdc++.so")
    with _ -> None
    |> Option.orElse (
        [ "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"; "/lib/x86_64-linux-gnu/libstdc++.so.6"
          "/usr/lib/aarch64-linux-gnu/libstdc++.so.6"; "/usr/lib64/libstdc++.so.6" ]
        |> List.tryFind File.Exists)

let private nativeRid =
    if RuntimeInformation.ProcessArchitecture = Architecture.Arm64 then "linux-arm64" else "linux-x64"

let private nugetRoot () =
    match Environment.GetEnvironmentVariable "NUGET_PACKAGES" with
    | null | "" -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".nuget", "packages")
    | p -> p

/// Directories where the original wrapper may be: beside the application, in its runtimes folder,
/// or in the TorchSharp package (scripts and notebooks load TorchSharp from the NuGet cache).
let private wrapperCandidates () =
    let torchSharpDir =
        try Path.GetDirectoryName(typeof<TorchSharp.torch>.Assembly.Location) with _ -> null
    [ AppContext.BaseDirectory
      Path.Combine(AppContext.BaseDirectory, "runtimes", nativeRid, "native")
      if not (String.IsNullOrEmpty torchSharpDir) then
          torchSharpDir
          Path.Combine(torchSharpDir, "runtimes", nativeRid, "native")
          Path.Combine(torchSharpDir, "..", "..", "runtimes", nativeRid, "native") ]
    |> List.map (fun d -> Path.GetFullPath(Path.Combine(d, "libLibTorchSharp.so")))
    |> List.distinct

/// Directories that may hold libtorch.so: beside the wrapper, or a libtorch package in the NuGet cache.
let private libtorchCandidates (wrapper: string) =
    let beside = Path.GetDirectoryName wrapper
    let fromPackages =
        let root = nugetRoot ()
        if Directory.Exists root then
            Directory.GetDirectories(root, "libtorch-*" + nativeRid + "*")
            |> Array.sortDescending
            |> Array.collect (fun pkg ->
                Directory.GetDirectories pkg
                |> Array.sortDescending
                |> Array.map (fun v -> Path.Combine(v, "runtimes", nativeRid, "native")))
            |> Array.toList
        else []
    beside :: fromPackages |> List.map (fun d -> Path.Combine(d, "libtorch.so")) |> List.filter File.Exists

let private cacheDirectory () =
    let baseDir =
        match Environment.GetEnvironmentVariable "XDG_CACHE_HOME" with
        | null | "" -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".cache")
        | d -> d
    Path.Combine(baseDir, "dtc", "native")

// ---------------------------------------------------------------------------------------------

/// <summary>The package that gives an application TorchSharp's CUDA back-end on this operating system, in place
/// of <c>TorchSharp-cpu</c>: <c>TorchSharp-cuda-linux</c> or <c>TorchSharp-cuda-windows</c>; none elsewhere.</summary>
/// <returns>The package id, or None where TorchSharp has no CUDA back-end (macOS).</returns>
let cudaPackage () : string option =
    if RuntimeInformation.IsOSPlatform OSPlatform.Linux then Some "TorchSharp-cuda-linux"
    elif RuntimeInformation.IsOSPlatform OSPlatform.Windows then Some "TorchSharp-cuda-windows"
    else None

/// The one line an application without a back-end gets: Dtc's libraries reference only TorchSharp's bindings.
let private noBackend =
    "Expecting a TorchSharp back-end package in the application (TorchSharp-cpu, or for a GPU "
    + (cudaPackage () |> Option.defaultValue "a TorchSharp-cuda package")
    + ") but received none: libtorch was not found beside the application or in its packages"

let private run () : Outcome =
    // The reproducibility mode's settings reach the native libraries only before they load and compute.
    Reproducibility.apply (Reproducibility.seal ())
    if Environment.GetEnvironmentVariable OptOutVariable = "0" then OptedOut
    elif not (RuntimeInformation.IsOSPlatform OSPlatform.Linux) then NotNeeded "not Linux"
    else
        match wrapperCandidates () |> List.tryFind File.Exists, libstdcxxPath () with
        | None, _ -> Unsupported "libLibTorchSharp.so was not found beside the application or in the TorchSharp package"
        | _, None -> NotNeeded "no libstdc++ is loaded or installed"
        | Some wrapper, Some cxx ->
            let image = File.ReadAllBytes wrapper
            let provided = versionDefinitions (File.ReadAllBytes cxx)
            let missing =
                requiredVersions "libstdc++.so.6" image
                |> List.filter (fun (v, weak) -> not weak && not (provided.Contains v))
                |> List.map fst
                |> Set.ofList
            if missing.IsEmpty then NotNeeded(sprintf "%s provides every version %s needs" cxx wrapper)
            elif not (Set.isSubset missing weakenable) then
                Unsupported(sprintf "%s needs %s from libstdc++, which %s lacks and which cannot safely be weakened"
                                wrapper (String.Join(", ", missing)) cxx)
            else
                let hash = Convert.ToHexString(SHA256.HashData image).Substring(0, 16).ToLowerInvariant()
                let patched = Path.Combine(cacheDirectory (), hash, "libLibTorchSharp.so")
                let written = not (File.Exists patched)
                if written then AtomicFile.writeBytes patched (weakenVersions missing image)
                // The copy's RUNPATH ($ORIGIN) no longer reaches libtorch: load it from where it is first,
                // so that the copy's dependencies are satisfied by the already-loaded libraries.
                match libtorchCandidates wrapper with
                | libtorch :: _ -> NativeLibrary.Load libtorch |> ignore
                | [] -> raise (InvalidOperationException noBackend)
                NativeLibrary.Load patched |> ignore
                Patched(patched, Set.toList missing, written)

let private once =
    lazy
        (let outcome = run ()
         // libtorch itself comes from the application's back-end package; without one, TorchSharp's own error
         // is a page of load attempts, so say it in one line here.
         let loaded = try TorchSharp.torch.TryInitializeDeviceType TorchSharp.DeviceType.CPU with _ -> false
         if not loaded then
             raise (InvalidOperationException noBackend)
         outcome)

/// <summary>
/// Makes TorchSharp's native wrapper loadable on this system, once per process; call it before the
/// first use of <c>torch</c> (every Dtc entry point that creates tensors calls it for you). It first sets
/// the native environment of the process's reproducibility mode (see <c>Dtc.Runtime.Reproducibility</c>).
/// </summary>
/// <returns>What was found and done; repeated calls return the first outcome.</returns>
/// <exception cref="T:System.InvalidOperationException">The application has no TorchSharp back-end package
/// (<c>TorchSharp-cpu</c>, <c>TorchSharp-cuda-linux</c> or <c>TorchSharp-cuda-windows</c>): Dtc's libraries
/// reference only TorchSharp's bindings, and the application chooses the back-end.</exception>
/// <example><code>
/// Dtc.Runtime.Native.ensure () |> printfn "%A"
/// let t = TorchSharp.torch.ones(3L)
/// </code></example>
let ensure () : Outcome = once.Force()
