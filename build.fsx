// Dtc build script: plain F#, no dependencies. Run with `dotnet fsi build.fsx <target> [-- args]`.
//
//   restore   restore local tools and packages
//   build     build the solution (Release)
//   test      build, run every test project, print "N passed, N failed"
//   replicate build and run `dtc replicate` (the paper's experiment on the embedded mnist-sample;
//             arguments after `--` are passed on, e.g. `-- --dataset fashion-mnist --out runs/fm`)
//   demo      build and run the `dtc demo` command (the transforms alone, no training)
//   docs      build and generate the documentation site into output/ (examples evaluated; `-- --root URL` to publish)
//   fixtures  regenerate the reference fixtures with Debian's NumPy/SciPy/scikit-learn/statsmodels
//   ci        restore, build, test (what .ci/run calls)
//
// Each step is printed; the first failing step stops the script with a non-zero exit code.

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions

let root = __SOURCE_DIRECTORY__
let configuration = Environment.GetEnvironmentVariable "CONFIGURATION" |> Option.ofObj |> Option.defaultValue "Release"

exception StepFailed of string

let step (name: string) =
    printfn ""
    printfn "==> %s" name

/// Runs a command in the repository root, streaming its output; returns the exit code and the output lines.
let run (capture: bool) (program: string) (args: string) =
    printfn "    $ %s %s" program args
    let psi = ProcessStartInfo(program, args, WorkingDirectory = root, UseShellExecute = false)
    psi.RedirectStandardOutput <- capture
    psi.RedirectStandardError <- capture
    psi.Environment.["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    psi.Environment.["DOTNET_NOLOGO"] <- "1"
    use p = new Process(StartInfo = psi)
    let lines = Collections.Concurrent.ConcurrentQueue<string>()
    if capture then
        p.OutputDataReceived.Add(fun e -> if not (isNull e.Data) then (lines.Enqueue e.Data; Console.WriteLine e.Data))
        p.ErrorDataReceived.Add(fun e -> if not (isNull e.Data) then (lines.Enqueue e.Data; Console.Error.WriteLine e.Data))
    p.Start() |> ignore
    if capture then
        p.BeginOutputReadLine()
        p.BeginErrorReadLine()
    p.WaitForExit()
    p.ExitCode, List.ofSeq lines

let exec program args =
    match run false program args with
    | 0, _ -> ()
    | code, _ -> raise (StepFailed(sprintf "%s %s exited with %d" program args code))

let restore () =
    step "restore"
    exec "dotnet" "tool restore"
    exec "dotnet" "restore Dtc.sln"

let build () =
    step "build"
    exec "dotnet" (sprintf "build Dtc.sln -c %s --no-restore -nologo" configuration)

/// Expecto's closing line: "… – 46 passed, 0 ignored, 1 failed, 8 errored."
let expectoSummary = Regex(@"(\d+) passed, (\d+) ignored, (\d+) failed, (\d+) errored")

let test () =
    step "test: tests/Dtc.Tests (Expecto)"
    let dll = Path.Combine("tests", "Dtc.Tests", "bin", configuration, "net10.0", "Dtc.Tests.dll")
    let code, lines = run true "dotnet" (sprintf "%s --no-spinner --colours 0" dll)
    let passed, failed =
        lines
        |> List.tryPick (fun l ->
            let m = expectoSummary.Match l
            if m.Success then Some(int m.Groups.[1].Value, int m.Groups.[3].Value + int m.Groups.[4].Value) else None)
        |> Option.defaultValue (0, 1) // no summary: the runner itself failed
    printfn ""
    printfn "%d passed, %d failed" passed failed
    if code <> 0 || failed > 0 then raise (StepFailed(sprintf "tests failed (exit code %d)" code))

let dtc (command: string) (args: string list) =
    step ("dtc " + command)
    let dll = Path.Combine("src", "Dtc.Cli", "bin", configuration, "net10.0", "dtc.dll")
    exec "dotnet" (sprintf "%s %s %s" dll command (String.Join(" ", args |> List.map (fun a -> if a.Contains ' ' then "\"" + a + "\"" else a))))

let fixtures () =
    step "fixtures (Debian's python3-numpy, python3-scipy, python3-sklearn, python3-statsmodels)"
    exec "bash" "tests/fixtures/generate.sh"

/// The documentation site: fsdocs over docs/ with every example evaluated (--eval --strict), into output/.
/// `-- --root URL` sets the site's root for publishing (default: the output folder as a file:// URL, so the
/// built site opens offline from disk).
let docs (args: string list) =
    step "docs: plotly.js for the charts (the copy bundled in Plotly.NET) -> docs/content/plotly.min.js"
    let plotlyDll = Path.Combine(root, "src", "Dtc.Cli", "bin", configuration, "net10.0", "Plotly.NET.dll")
    let assembly = Reflection.Assembly.LoadFrom plotlyDll
    let resource =
        assembly.GetManifestResourceNames()
        |> Array.tryFind (fun n -> n.StartsWith "Plotly.NET.plotly-" && n.EndsWith ".min.js")
        |> Option.defaultWith (fun () -> raise (StepFailed(sprintf "no plotly.js resource in %s" plotlyDll)))
    do
        use input = assembly.GetManifestResourceStream resource
        use output = File.Create(Path.Combine(root, "docs", "content", "plotly.min.js"))
        input.CopyTo output
    step "docs: fsdocs build --eval --strict"
    let siteRoot =
        match args with
        | [ "--root"; url ] -> url
        | [] -> Uri(Path.Combine(root, "output") + string Path.DirectorySeparatorChar).AbsoluteUri
        | _ -> raise (StepFailed(sprintf "Expecting no arguments or --root URL but received %s" (String.Join(" ", args))))
    let sw = Stopwatch.StartNew()
    exec "dotnet" (sprintf "fsdocs build --eval --strict --clean --properties Configuration=%s --output output --parameters root \"%s\"" configuration siteRoot)
    printfn "    site in output/ (%.0f s); open output/index.html" sw.Elapsed.TotalSeconds

let targets : Map<string, string list -> unit> =
    Map [ "restore", (fun _ -> restore ())
          "build", (fun _ -> restore (); build ())
          "test", (fun _ -> restore (); build (); test ())
          "replicate", (fun args -> restore (); build (); dtc "replicate" args)
          "demo", (fun args -> restore (); build (); dtc "demo" args)
          "docs", (fun args -> restore (); build (); docs args)
          "fixtures", (fun _ -> fixtures ())
          "ci", (fun _ -> restore (); build (); test ()) ]

let args = fsi.CommandLineArgs |> Array.toList |> List.tail
let target, rest =
    match args with
    | [] -> "build", []
    | t :: rest -> t, (rest |> List.skipWhile ((=) "--"))

match targets.TryFind target with
| None ->
    eprintfn "Unknown target '%s'. Expecting one of: %s" target (String.Join(", ", targets.Keys))
    exit 2
| Some f ->
    let sw = Stopwatch.StartNew()
    try
        f rest
        printfn ""
        printfn "Target '%s' succeeded in %.1f s" target sw.Elapsed.TotalSeconds
        exit 0
    with StepFailed msg ->
        eprintfn ""
        eprintfn "Target '%s' FAILED after %.1f s: %s" target sw.Elapsed.TotalSeconds msg
        exit 1
