/// <summary>
/// Bit-reproducible numbers: the process-wide settings of libtorch's math libraries that decide whether
/// the same inputs and seeds give the same bits — MKL's conditional numerical reproducibility (CNR), the
/// instruction set of ATen's CPU kernels, and oneDNN's.
/// </summary>
/// <remarks>
/// <para>libtorch's MKL chooses its matrix-product code path by the processor and by the memory alignment
/// of the operands, so two runs of the same seed on one machine can differ in the last bits, and a few
/// cycles of compress-train amplify that into different accuracies. Three modes:</para>
/// <list type="table">
/// <listheader><term>mode</term><description>what is the same to the bit, and how</description></listheader>
/// <item><term><c>machine</c> (default)</term><description>every run on one machine (any alignment, any
/// thread count for the matrix products): MKL's CNR <c>AUTO,STRICT</c>; ATen's best kernels.</description></item>
/// <item><term><c>portable</c></term><description>every x86-64 machine with AVX2, Intel or AMD, whatever its
/// cores: MKL's CNR <c>COMPATIBLE,STRICT</c> (MKL accepts no other fixed code path on AMD processors), ATen's
/// and oneDNN's kernels capped at AVX2, one intra-op thread per computation (see <see cref="M:Dtc.Runtime.Reproducibility.intraOpThreads(System.Int32)"/>).
/// Matrix products are slower (the docs' performance page gives the factor).</description></item>
/// <item><term><c>fastest</c></term><description>nothing is set: the libraries' own choices, which may
/// differ from run to run.</description></item>
/// </list>
/// <para>The settings are read by the native libraries before their first computation, once per process,
/// so the mode is chosen once, before TorchSharp's first use: by <see cref="M:Dtc.Runtime.Reproducibility.configure(Dtc.Runtime.Reproducibility.Mode)"/>,
/// else by the environment variable <c>DTC_REPRODUCIBLE</c>, else <c>machine</c>. Dtc sets the native
/// environment itself (through the C library, which .NET's <c>Environment.SetEnvironmentVariable</c> does
/// not reach on Linux); the user exports nothing. Results record the mode and what was found in force.</para>
/// </remarks>
module Dtc.Runtime.Reproducibility

open System
open System.IO
open System.Runtime.InteropServices
open System.Runtime.Intrinsics

/// <summary>What is the same to the bit from run to run (see the module's remarks).</summary>
type Mode =
    /// <summary>Every run on one machine: MKL's CNR <c>AUTO,STRICT</c>. The default.</summary>
    | Machine
    /// <summary>Every x86-64 machine with AVX2: MKL's CNR <c>COMPATIBLE,STRICT</c>, ATen and oneDNN capped at AVX2.</summary>
    | Portable
    /// <summary>Nothing is set: the libraries' fastest choices, which may differ from run to run.</summary>
    | Fastest

/// <summary>The environment variable that chooses the mode when <c>configure</c> was not called: <c>DTC_REPRODUCIBLE</c>.</summary>
[<Literal>]
let EnvironmentVariable = "DTC_REPRODUCIBLE"

/// <summary>The mode's name: <c>machine</c>, <c>portable</c> or <c>fastest</c>.</summary>
/// <param name="mode">The mode.</param>
/// <returns>Its lower-case name.</returns>
let name (mode: Mode) : string =
    match mode with
    | Machine -> "machine"
    | Portable -> "portable"
    | Fastest -> "fastest"

/// <summary>Parses <c>machine</c>, <c>portable</c> or <c>fastest</c> (case and surrounding spaces ignored).</summary>
/// <param name="text">The name.</param>
/// <returns>The mode.</returns>
/// <exception cref="T:System.ArgumentException">Any other text, named in the message.</exception>
let parse (text: string) : Mode =
    match (if isNull text then "" else text.Trim().ToLowerInvariant()) with
    | "machine" -> Machine
    | "portable" -> Portable
    | "fastest" -> Fastest
    | _ -> invalidArg (nameof text) (sprintf "Expecting a reproducibility mode machine, portable or fastest but received \"%s\"" text)

/// <summary>The native environment variables a mode sets, as (name, value) pairs; none for <c>fastest</c>.</summary>
/// <param name="mode">The mode.</param>
/// <returns>The variables, in the order they are set.</returns>
let variables (mode: Mode) : (string * string) list =
    match mode with
    | Machine -> [ "MKL_CBWR", "AUTO,STRICT" ]
    | Portable ->
        [ "MKL_CBWR", "COMPATIBLE,STRICT"
          "ATEN_CPU_CAPABILITY", "avx2"
          "ONEDNN_MAX_CPU_ISA", "AVX2"
          "DNNL_MAX_CPU_ISA", "AVX2" ]
    | Fastest -> []

// ---------------------------------------------------------------------------------------------
// The process's choice. The native libraries read their settings once per process, so the mode is
// process-wide by nature: chosen once, then sealed when the libraries load.

let private gate = obj ()
let mutable private requested: Mode option = None
let mutable private sealedMode: Mode option = None

/// <summary>Chooses the mode for this process; call it before TorchSharp's first use (before any Dtc call
/// that creates tensors). Choosing the mode already in force again is allowed.</summary>
/// <param name="mode">The mode.</param>
/// <exception cref="T:System.InvalidOperationException">TorchSharp was already initialised with another mode.</exception>
let configure (mode: Mode) : unit =
    lock gate (fun () ->
        match sealedMode with
        | Some m when m <> mode ->
            invalidOp (sprintf "Expecting the reproducibility mode to be chosen before TorchSharp's first use but it is already in force as %s (asked for %s); choose it first in the process"
                           (name m) (name mode))
        | Some _ -> ()
        | None -> requested <- Some mode)

/// <summary>The mode this process runs with, fixing it if it is not fixed yet: the configured one, else
/// <c>DTC_REPRODUCIBLE</c>, else <c>machine</c>. Called by <c>Native.ensure</c> before the libraries load.</summary>
/// <returns>The mode.</returns>
/// <exception cref="T:System.ArgumentException"><c>DTC_REPRODUCIBLE</c> holds something else than a mode's name.</exception>
let seal () : Mode =
    lock gate (fun () ->
        match sealedMode with
        | Some m -> m
        | None ->
            let m =
                match requested with
                | Some m -> m
                | None ->
                    match Environment.GetEnvironmentVariable EnvironmentVariable with
                    | null | "" -> Machine
                    | text ->
                        try parse text
                        with :? ArgumentException ->
                            invalidArg EnvironmentVariable (sprintf "Expecting %s to be machine, portable or fastest but received \"%s\"" EnvironmentVariable text)
            sealedMode <- Some m
            m)

/// <summary>The intra-op threads a computation may use in this process's mode: <paramref name="requested"/>,
/// except in the portable mode, where it is 1. MKL's strict mode gives the same bits for every thread count
/// on most matrix shapes but not all (a 64×784 by 784×316 float32 product differs between one and two
/// threads), and the portable mode promises the same bits whatever the machine's cores.</summary>
/// <param name="requested">The threads asked for (TorchSharp's setting, or an option's).</param>
/// <returns>The threads to use.</returns>
let intraOpThreads (requested: int) : int =
    if seal () = Portable then 1 else requested

// ---------------------------------------------------------------------------------------------
// The native environment.

[<UnmanagedFunctionPointer(CallingConvention.Cdecl)>]
type private SetEnv = delegate of string * string * int -> int

[<UnmanagedFunctionPointer(CallingConvention.Cdecl)>]
type private IntToInt = delegate of int -> int

[<UnmanagedFunctionPointer(CallingConvention.Cdecl)>]
type private StringOut = delegate of nativeint -> nativeint

let private tryExport (libraries: string list) (symbol: string) : nativeint option =
    libraries
    |> List.tryPick (fun lib ->
        match NativeLibrary.TryLoad lib with
        | true, h ->
            match NativeLibrary.TryGetExport(h, symbol) with
            | true, f -> Some f
            | _ -> None
        | _ -> None)

/// Sets a variable in the C library's environment (which the native libraries read) and in .NET's.
let private setNative (variable: string) (value: string) =
    Environment.SetEnvironmentVariable(variable, value)
    if not (RuntimeInformation.IsOSPlatform OSPlatform.Windows) then
        match tryExport [ "libc.so.6"; "libc"; "/usr/lib/libSystem.dylib" ] "setenv" with
        | Some f -> Marshal.GetDelegateForFunctionPointer<SetEnv>(f).Invoke(variable, value, 1) |> ignore
        | None -> ()

/// <summary>Sets the mode's native environment variables (see <see cref="M:Dtc.Runtime.Reproducibility.variables(Dtc.Runtime.Reproducibility.Mode)"/>)
/// in the C library's environment; called by <c>Native.ensure</c> before the native libraries load.</summary>
/// <param name="mode">The mode.</param>
let apply (mode: Mode) : unit =
    for variable, value in variables mode do setNative variable value

// ---------------------------------------------------------------------------------------------
// What is in force.

/// <summary>What a process's numbers depend on: the mode and what the libraries and the processor report.</summary>
type State =
    { /// <summary>The mode: <c>machine</c>, <c>portable</c> or <c>fastest</c>.</summary>
      Mode: string
      /// <summary>MKL's CNR setting as MKL reports it, e.g. <c>AUTO,STRICT</c>; <c>none</c> without MKL.</summary>
      Mkl: string
      /// <summary>The instruction set of ATen's CPU kernels as libtorch reports it (<c>AVX2</c>, <c>AVX512</c>, <c>DEFAULT</c>), or <c>unknown</c>.</summary>
      CpuCapability: string
      /// <summary>The processor's widest vector instruction set that .NET sees: <c>avx512</c>, <c>avx2</c>, <c>sse2</c> or the architecture.</summary>
      CpuIsa: string
      /// <summary>The processor's model name (from <c>/proc/cpuinfo</c> on Linux), or the architecture.</summary>
      CpuModel: string
      /// <summary>Empty, or why the mode's promise does not hold here.</summary>
      Note: string }

let private cbwrBranches =
    Map [ 1, "OFF"; 2, "AUTO"; 3, "COMPATIBLE"; 4, "SSE2"; 6, "SSSE3"; 7, "SSE4_1"; 8, "SSE4_2"; 9, "AVX"; 10, "AVX2"
          11, "AVX512_MIC"; 12, "AVX512"; 13, "AVX512_MIC_E1"; 14, "AVX512_E1" ]

/// <summary>MKL's CNR setting as text, from the value <c>mkl_cbwr_get(MKL_CBWR_ALL)</c> returns.</summary>
/// <param name="value">The value: a branch code, with <c>0x10000</c> for strict mode.</param>
/// <returns>For example <c>AUTO,STRICT</c> or <c>COMPATIBLE</c>.</returns>
let describeCbwr (value: int) : string =
    let branch = cbwrBranches |> Map.tryFind (value &&& 0xFFFF) |> Option.defaultValue (sprintf "0x%X" (value &&& 0xFFFF))
    if value &&& 0x10000 <> 0 then branch + ",STRICT" else branch

let private torchCpu = [ "libtorch_cpu.so"; "libtorch_cpu.dylib"; "torch_cpu.dll" ]

let private mklInForce () =
    match tryExport torchCpu "mkl_serv_cbwr_get" with
    | Some f -> describeCbwr (Marshal.GetDelegateForFunctionPointer<IntToInt>(f).Invoke(-1))
    | None -> "none"

/// ATen's `at::get_cpu_capability()` returns a std::string (libstdc++'s layout: pointer, length, 16-byte
/// inline buffer); its values are short, so they sit in the inline buffer of the returned object.
let private atenCapability () =
    match tryExport torchCpu "_ZN2at18get_cpu_capabilityB5cxx11Ev" with
    | Some f when RuntimeInformation.IsOSPlatform OSPlatform.Linux ->
        let buffer = Marshal.AllocHGlobal 64
        try
            Marshal.GetDelegateForFunctionPointer<StringOut>(f).Invoke(buffer) |> ignore
            let data, length = Marshal.ReadIntPtr buffer, Marshal.ReadInt64(buffer, 8)
            if data = buffer + 16n && length > 0L && length < 16L then Marshal.PtrToStringAnsi(data, int length)
            else "unknown"
        finally
            Marshal.FreeHGlobal buffer
    | _ -> "unknown"

let private cpuIsa () =
    if X86.Avx512F.IsSupported then "avx512"
    elif X86.Avx2.IsSupported then "avx2"
    elif X86.Sse2.IsSupported then "sse2"
    else RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()

let private cpuModel () =
    let fromProc =
        try
            if File.Exists "/proc/cpuinfo" then
                File.ReadLines "/proc/cpuinfo"
                |> Seq.tryFind (fun l -> l.StartsWith "model name")
                |> Option.map (fun l -> l.Substring(l.IndexOf ':' + 1).Trim())
            else None
        with _ -> None
    defaultArg fromProc (RuntimeInformation.ProcessArchitecture.ToString())

/// <summary>Reads what is in force: the mode, MKL's CNR setting, ATen's kernels and the processor. Call it
/// once the native libraries are loaded (<c>Torch.reproducibility</c> does both).</summary>
/// <returns>The state.</returns>
let inForce () : State =
    let mode = seal ()
    let mkl, capability, isa = mklInForce (), atenCapability (), cpuIsa ()
    let note =
        match mode with
        | Portable when isa <> "avx2" && isa <> "avx512" ->
            sprintf "portable identity needs AVX2, which this processor (%s) lacks" isa
        | Portable when mkl <> "none" && mkl <> "COMPATIBLE,STRICT" ->
            sprintf "MKL runs %s, not COMPATIBLE,STRICT: the native libraries were used before Dtc set them up" mkl
        | Portable when capability <> "unknown" && capability <> "AVX2" ->
            sprintf "ATen's kernels run %s, not AVX2: the native libraries were used before Dtc set them up" capability
        | Machine when mkl <> "none" && mkl <> "AUTO,STRICT" ->
            sprintf "MKL runs %s, not AUTO,STRICT: the native libraries were used before Dtc set them up" mkl
        | _ -> ""
    { Mode = name mode; Mkl = mkl; CpuCapability = capability; CpuIsa = isa; CpuModel = cpuModel (); Note = note }
