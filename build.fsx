// Dtc build script: plain F#, no dependencies. Run with `dotnet fsi build.fsx <target> [-- args]`.
//
//   restore   restore local tools and packages
//   build     build the solution (Release)
//   test      build, run every test project (Expecto, then the C# facade's xunit tests), print one
//             line summing both: "N passed, N failed"
//   pack      build and pack Dtc.Core, Dtc.Data, Dtc.CSharp and the dtc tool (Dtc.Cli: a pointer package and
//             one package per platform, Dtc.Cli.linux-x64) into artifacts/packages; print each package's
//             size and fail when one is over its limit (the tool's: nuget.org's 250 MB)
//   consumer  pack, then build and run samples/CSharpConsumer against those packages (local folder feed)
//   tool      pack, install the dtc tool from artifacts/packages into a temporary folder, run
//             `dtc --help` and a short `dtc replicate`
//   packages  pack once, then consumer and tool (what .ci/run calls before the tests)
//   replicate build and run `dtc replicate` (the paper's experiment on the embedded mnist-sample;
//             arguments after `--` are passed on, e.g. `-- --dataset fashion-mnist --out runs/fm`)
//   demo      build and run the `dtc demo` command (the transforms alone, no training)
//   docs      build and generate the documentation site into output/ (examples evaluated; `-- --root URL` to publish)
//   notebook  build, execute samples/notebooks/dtc-walkthrough.ipynb with the .NET Interactive kernel (any
//             cell error fails) and write it back with its outputs (charts as PNG)
//   readme    build, then run README.md's ```fsharp blocks with `dotnet fsi` (from the repository root)
//   fixtures  regenerate the reference fixtures with Debian's NumPy/SciPy/scikit-learn/statsmodels
//   ci        restore, build, test (what .ci/run calls)
//
// Each step is printed; the first failing step stops the script with a non-zero exit code.

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open System.Text.RegularExpressions

let root = __SOURCE_DIRECTORY__
let configuration = Environment.GetEnvironmentVariable "CONFIGURATION" |> Option.ofObj |> Option.defaultValue "Release"

exception StepFailed of string

/// The test summary "N passed, N failed", printed as the script's very last line (CI reads the last line).
let mutable closingLine: string option = None

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

/// Runs the Expecto project; returns (passed, failed) from its closing summary (errored counts as failed).
let testExpecto () =
    step "test: tests/Dtc.Tests (Expecto)"
    let dll = Path.Combine("tests", "Dtc.Tests", "bin", configuration, "net10.0", "Dtc.Tests.dll")
    let code, lines = run true "dotnet" (sprintf "%s --no-spinner --colours 0" dll)
    let passed, failed =
        lines
        |> List.tryPick (fun l ->
            let m = expectoSummary.Match l
            if m.Success then Some(int m.Groups.[1].Value, int m.Groups.[3].Value + int m.Groups.[4].Value) else None)
        |> Option.defaultValue (0, 1) // no summary: the runner itself failed
    passed, (if code <> 0 && failed = 0 then 1 else failed)

/// Runs the C# facade's xunit project through `dotnet test` with a TRX logger; returns (passed, failed)
/// from the TRX counters (a runner that wrote no TRX counts as one failure).
let testCSharp () =
    step "test: tests/Dtc.CSharp.Tests (xunit)"
    let results = Path.Combine(root, "artifacts", "test-results")
    let trx = Path.Combine(results, "csharp.trx")
    if File.Exists trx then File.Delete trx
    let code, _ =
        run false "dotnet"
            (sprintf "test tests/Dtc.CSharp.Tests -c %s --no-build --nologo --logger \"trx;LogFileName=csharp.trx\" --logger \"console;verbosity=minimal\" --results-directory \"%s\"" configuration results)
    if File.Exists trx then
        let counters = Xml.Linq.XDocument.Load(trx).Descendants() |> Seq.find (fun e -> e.Name.LocalName = "Counters")
        let count (name: string) = match counters.Attribute(Xml.Linq.XName.Get name) with null -> 0 | a -> int a.Value
        let passed, failed = count "passed", count "failed" + count "error" + count "timeout" + count "aborted"
        passed, (if code <> 0 && failed = 0 then 1 else failed)
    else 0, 1

let test () =
    let ep, ef = testExpecto ()
    let cp, cf = testCSharp ()
    printfn ""
    printfn "    Expecto counted %d passed and %d failed; xunit counted %d passed and %d failed." ep ef cp cf
    closingLine <- Some(sprintf "%d passed, %d failed" (ep + cp) (ef + cf))
    if ef + cf > 0 then raise (StepFailed(sprintf "tests failed (Expecto %d, xunit %d)" ef cf))

let dtc (command: string) (args: string list) =
    step ("dtc " + command)
    // At most two glibc malloc arenas unless the caller chose: the methods' training threads then reuse each
    // other's freed memory (replicate on mnist-sample: about 500 MB at its peak instead of 830 MB; no effect
    // on the timings beyond noise; ignored by other C libraries). See the performance page.
    if String.IsNullOrEmpty(Environment.GetEnvironmentVariable "MALLOC_ARENA_MAX") then
        Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", "2")
    let dll = Path.Combine("src", "Dtc.Cli", "bin", configuration, "net10.0", "dtc.dll")
    exec "dotnet" (sprintf "%s %s %s" dll command (String.Join(" ", args |> List.map (fun a -> if a.Contains ' ' then "\"" + a + "\"" else a))))

let fixtures () =
    step "fixtures (Debian's python3-numpy, python3-scipy, python3-sklearn, python3-statsmodels)"
    exec "bash" "tests/fixtures/generate.sh"

/// Writes plotly.js (the copy bundled in Plotly.NET, for the docs and the notebook's charts) to a file.
let writePlotlyJs (path: string) =
    let plotlyDll = Path.Combine(root, "src", "Dtc.Cli", "bin", configuration, "net10.0", "Plotly.NET.dll")
    let assembly = Reflection.Assembly.LoadFrom plotlyDll
    let resource =
        assembly.GetManifestResourceNames()
        |> Array.tryFind (fun n -> n.StartsWith "Plotly.NET.plotly-" && n.EndsWith ".min.js")
        |> Option.defaultWith (fun () -> raise (StepFailed(sprintf "no plotly.js resource in %s" plotlyDll)))
    use input = assembly.GetManifestResourceStream resource
    use output = File.Create path
    input.CopyTo output

/// The documentation site: fsdocs over docs/ with every example evaluated (--eval --strict), into output/.
/// `-- --root URL` sets the site's root for publishing (default: the output folder as a file:// URL, so the
/// built site opens offline from disk).
let docs (args: string list) =
    step "docs: plotly.js for the charts (the copy bundled in Plotly.NET) -> docs/content/plotly.min.js"
    writePlotlyJs (Path.Combine(root, "docs", "content", "plotly.min.js"))
    step "docs: fsdocs build --eval --strict"
    let siteRoot =
        match args with
        | [ "--root"; url ] -> url
        | [] -> Uri(Path.Combine(root, "output") + string Path.DirectorySeparatorChar).AbsoluteUri
        | _ -> raise (StepFailed(sprintf "Expecting no arguments or --root URL but received %s" (String.Join(" ", args))))
    let sw = Stopwatch.StartNew()
    // The F# reference covers the F# assemblies; the C# facade has its own page with C# signatures
    // (docs/csharp-api.fsx), since fsdocs would write its members in F# syntax.
    let apiProjects = "src/Dtc.Core/Dtc.Core.fsproj src/Dtc.Data/Dtc.Data.fsproj src/Dtc.Bench/Dtc.Bench.fsproj"
    exec "dotnet" (sprintf "fsdocs build --eval --strict --clean --projects %s --properties Configuration=%s --output output --parameters root \"%s\" fsdocs-collection-name Dtc" apiProjects configuration siteRoot)
    // fsdocs copies its own extras into the site, among them a NuGet.config naming package feeds: the
    // site has no use for it, and a published site should not carry one.
    let feedConfig = Path.Combine(root, "output", "NuGet.config")
    if File.Exists feedConfig then File.Delete feedConfig
    printfn "    site in output/ (%.0f s); open output/index.html" sw.Elapsed.TotalSeconds

/// The packages' version, from Directory.Build.props.
let version () =
    let m = Regex.Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props")), @"<Version>([^<]+)</Version>")
    if m.Success then m.Groups.[1].Value else raise (StepFailed "Expecting a <Version> in Directory.Build.props but found none")

let packageDir = Path.Combine(root, "artifacts", "packages")

/// The .NET Interactive tool that executes the notebook (its kernel ships FSharp.Core 10.0).
let dotnetInteractiveVersion = "1.0.712001"
let packageIds = [ "Dtc.Core"; "Dtc.Data"; "Dtc.CSharp"; "Dtc.Cli" ]

/// The platforms the dtc tool is packed for, one package each (Dtc.Cli.<rid>, with that platform's libtorch
/// only); DTC_TOOL_RIDS="linux-x64;win-x64;osx-arm64" packs the others too.
let toolRids =
    match Environment.GetEnvironmentVariable "DTC_TOOL_RIDS" with
    | null | "" -> [ "linux-x64" ]
    | rids -> rids.Split(';', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray

/// Size limits in bytes (1 MB = 10^6 bytes): nuget.org refuses a package over 250 MB; the libraries carry no
/// native code, so a few MB more than they hold today means something was packed by mistake.
let sizeLimit (file: string) =
    if file.StartsWith "Dtc.Cli." then 250e6
    elif file.StartsWith "Dtc.Core." then 10e6
    else 2e6

/// The entries of a .nupkg (a zip file).
let nupkgEntries (path: string) =
    use zip = IO.Compression.ZipFile.OpenRead path
    zip.Entries |> Seq.map (fun e -> e.FullName) |> Set.ofSeq

/// Packs Dtc.Core, Dtc.Data, Dtc.CSharp and the dtc tool (already built) into artifacts/packages and checks what they hold.
let pack () =
    step "pack (artifacts/packages)"
    let v = version ()
    Directory.CreateDirectory packageDir |> ignore
    for f in Directory.GetFiles(packageDir) do
        if packageIds |> List.exists (fun id -> Path.GetFileName(f).StartsWith(id + ".", StringComparison.OrdinalIgnoreCase)) then File.Delete f
    for project in [ "src/Dtc.Core/Dtc.Core.fsproj"; "src/Dtc.Data/Dtc.Data.fsproj"; "src/Dtc.CSharp/Dtc.CSharp.csproj" ] do
        exec "dotnet" (sprintf "pack %s -c %s --no-build --nologo -o \"%s\"" project configuration packageDir)
    // The tool is published once per platform by the pack itself (so not --no-build).
    // The project's own list (linux-x64) unless DTC_TOOL_RIDS asks for more: a global property would also
    // rebuild every referenced project.
    let rids = if toolRids = [ "linux-x64" ] then "" else sprintf " -p:ToolPackageRuntimeIdentifiers=\"%s\"" (String.Join(";", toolRids))
    exec "dotnet" (sprintf "pack src/Dtc.Cli/Dtc.Cli.csproj -c %s --nologo%s -o \"%s\"" configuration rids packageDir)
    let expect (id: string) (entries: string list) =
        let path = Path.Combine(packageDir, sprintf "%s.%s.nupkg" id v)
        if not (File.Exists path) then raise (StepFailed(sprintf "Expecting %s but it was not written" path))
        let has = nupkgEntries path
        match entries |> List.filter (fun e -> not (has.Contains e)) with
        | [] -> ()
        | missing -> raise (StepFailed(sprintf "Expecting %s in %s but it lacks them" (String.Join(", ", missing)) path))
        // A library leaves the choice of TorchSharp's back-end to the application: no native code in it.
        if id.StartsWith "Dtc.Cli." |> not && has |> Seq.exists (fun e -> e.StartsWith "runtimes/") then
            raise (StepFailed(sprintf "Expecting no native libraries in %s (the application chooses its back-end) but it carries some" path))
    expect "Dtc.Core" [ "lib/net10.0/Dtc.Core.dll"; "lib/net10.0/Dtc.Core.xml"; "README.md" ]
    expect "Dtc.Data" [ "lib/net10.0/Dtc.Data.dll"; "lib/net10.0/Dtc.Data.xml"; "README.md" ]
    expect "Dtc.CSharp" [ "lib/net10.0/Dtc.CSharp.dll"; "lib/net10.0/Dtc.CSharp.xml"; "README.md" ]
    expect "Dtc.Cli" [ "tools/any/any/DotnetToolSettings.xml"; "README.md" ]
    // The bench harness ships inside the tool only; each platform's package carries its own libtorch.
    let nativeLibrary (rid: string) = if rid.StartsWith "win" then "torch_cpu.dll" elif rid.StartsWith "osx" then "libtorch_cpu.dylib" else "libtorch_cpu.so"
    for rid in toolRids do
        let dir = sprintf "tools/net10.0/%s/" rid
        expect ("Dtc.Cli." + rid) [ dir + "dtc.dll"; dir + "Dtc.Bench.dll"; dir + "Dtc.Data.dll"; dir + "DotnetToolSettings.xml"; dir + nativeLibrary rid ]
    for id in [ "Dtc.Core"; "Dtc.Data"; "Dtc.CSharp" ] do
        let symbols = Path.Combine(packageDir, sprintf "%s.%s.snupkg" id v)
        if not (File.Exists symbols) then raise (StepFailed(sprintf "Expecting the symbol package %s but it was not written" symbols))
    // Every package's size against its limit: printed, and the step fails on the first one over.
    printfn ""
    printfn "    %-32s %10s %10s" "package" "MB" "limit MB"
    let sizes =
        Directory.GetFiles(packageDir, "*.nupkg")
        |> Array.filter (fun f -> packageIds |> List.exists (fun id -> Path.GetFileName(f).StartsWith(id + ".")))
        |> Array.sort
        |> Array.map (fun f -> Path.GetFileName f, float (FileInfo(f).Length), sizeLimit (Path.GetFileName f))
    for name, size, limit in sizes do
        printfn "    %-32s %10.1f %10.0f%s" name (size / 1e6) (limit / 1e6) (if size > limit then "  OVER" else "")
    match sizes |> Array.filter (fun (_, size, limit) -> size > limit) with
    | [||] -> ()
    | over ->
        let name, size, limit = over.[0]
        raise (StepFailed(sprintf "Expecting every package within its limit but %s is %.1f MB (limit %.0f MB)" name (size / 1e6) (limit / 1e6)))

/// NuGet's global packages folder ($NUGET_PACKAGES or ~/.nuget/packages).
let globalPackages () =
    match Environment.GetEnvironmentVariable "NUGET_PACKAGES" with
    | null | "" -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".nuget", "packages")
    | p -> p

/// Drops this repository's own packages (same version, just re-packed) from NuGet's global packages folder,
/// so that a restore takes the fresh ones from artifacts/packages rather than a stale extracted copy.
let forgetPackedPackages () =
    let v = version ()
    for id in packageIds @ (toolRids |> List.map (fun rid -> "Dtc.Cli." + rid)) do
        let dir = Path.Combine(globalPackages (), id.ToLowerInvariant(), v)
        if Directory.Exists dir then Directory.Delete(dir, true)

/// Builds and runs samples/CSharpConsumer against the packed packages; checks that Dtc.CSharp came from the local folder.
let consumer () =
    step "consumer: samples/CSharpConsumer against artifacts/packages"
    forgetPackedPackages ()
    // Hard links instead of copies of TorchSharp's native libraries (about 1 GB), as the repository's own
    // projects do (Directory.Build.props, which the sample does not import): a copy per application filled
    // the CI machine's disk.
    exec "dotnet" (sprintf "run --project samples/CSharpConsumer -c %s -p:DtcVersion=%s -p:CreateHardLinksForCopyLocalIfPossible=true -- \"%s\"" configuration (version ()) (Path.Combine(root, "artifacts", "consumer")))
    let metadata = Path.Combine(globalPackages (), "dtc.csharp", version (), ".nupkg.metadata")
    let source = if File.Exists metadata then File.ReadAllText metadata else ""
    if not (source.Contains "artifacts") then
        raise (StepFailed(sprintf "Expecting Dtc.CSharp to be restored from artifacts/packages but %s says otherwise" metadata))

/// Installs the dtc tool from artifacts/packages only (a temporary nuget.config with that one folder) and runs it.
let tool () =
    step "tool: dotnet tool install Dtc.Cli from artifacts/packages, dtc --help, dtc replicate"
    forgetPackedPackages ()
    let dir = Path.Combine(Path.GetTempPath(), sprintf "dtc-tool-%d" Environment.ProcessId)
    if Directory.Exists dir then Directory.Delete(dir, true)
    Directory.CreateDirectory dir |> ignore
    try
        let config = Path.Combine(dir, "nuget.config")
        File.WriteAllText(config, sprintf "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n    <add key=\"dtc-local\" value=\"%s\" />\n  </packageSources>\n</configuration>\n" packageDir)
        let toolPath = Path.Combine(dir, "bin")
        exec "dotnet" (sprintf "tool install Dtc.Cli --version %s --tool-path \"%s\" --configfile \"%s\"" (version ()) toolPath config)
        let dtcExe = Path.Combine(toolPath, "dtc")
        exec dtcExe "--help"
        let out = Path.Combine(dir, "run")
        exec dtcExe (sprintf "replicate --hidden 32 --batches-per-cycle 5 --out \"%s\"" out)
        for f in [ "results.json"; "results.csv"; "analysis.json"; "report.html" ] do
            if not (File.Exists(Path.Combine(out, f))) then raise (StepFailed(sprintf "Expecting the installed dtc to write %s but it did not" f))
    finally
        if Directory.Exists dir then Directory.Delete(dir, true)

/// Renders one Plotly.NET chart output (HTML whose script calls Plotly.newPlot) to PNG with headless
/// Chromium and plotly.js from disk; returns the PNG's bytes.
let renderChart (work: string) (plotlyJs: string) (index: int) (html: string) =
    let part name =
        let m = Regex.Match(html, @"var " + name + @" = (.*);\r?\n")
        if m.Success then m.Groups.[1].Value else raise (StepFailed(sprintf "Expecting a chart's '%s' in a notebook output but found none" name))
    let size name fallback =
        let m = Regex.Match(part "layout", "\"" + name + "\":(\\d+)")
        if m.Success then int m.Groups.[1].Value else fallback
    let width, height = size "width" 900, size "height" 450
    let page = Path.Combine(work, sprintf "chart-%d.html" index)
    let png = Path.Combine(work, sprintf "chart-%d.png" index)
    File.WriteAllText(page,
        sprintf "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script src=\"%s\"></script></head><body style=\"margin:0\"><div id=\"chart\"></div><script>var layout = %s; layout.width = %d; layout.height = %d; Plotly.newPlot('chart', %s, layout, {staticPlot: true});</script></body></html>"
            (Uri(plotlyJs).AbsoluteUri) (part "layout") width height (part "data"))
    let profile = Path.Combine(work, sprintf "profile-%d" index)
    let args =
        sprintf "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars --user-data-dir=\"%s\" --window-size=%d,%d --screenshot=\"%s\" \"%s\""
            profile width height png (Uri(page).AbsoluteUri)
    // Quiet: headless Chromium logs D-Bus errors on a machine without a session bus; printed only on failure.
    let psi = ProcessStartInfo("chromium", args, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    use p = Process.Start psi
    let output = Threading.Tasks.Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync())
    p.WaitForExit()
    if p.ExitCode <> 0 || not (File.Exists png) then
        eprintfn "%s" (String.Join("\n", output.Result))
        raise (StepFailed(sprintf "Expecting chromium to write %s but it did not (exit code %d)" png p.ExitCode))
    printfn "    chart %d: %d × %d px" (index + 1) width height
    File.ReadAllBytes png

/// The walkthrough notebook, samples/notebooks/dtc-walkthrough.ipynb: executed top to bottom with the .NET
/// Interactive kernel (jupyter nbconvert; any cell error fails the step), then written back with its
/// outputs. Charts become static PNGs (GitHub shows no scripts); the kernel's own start-up outputs go.
/// Installs what is missing: Debian's jupyter-nbconvert and chromium, Microsoft.dotnet-interactive.
let notebook () =
    step "notebook: jupyter nbconvert --execute samples/notebooks/dtc-walkthrough.ipynb (.NET Interactive, F#)"
    let onPath (name: string) =
        (Environment.GetEnvironmentVariable "PATH").Split(Path.PathSeparator)
        |> Array.exists (fun d -> File.Exists(Path.Combine(d, name)))
    let toolDir = Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".dotnet", "tools")
    Environment.SetEnvironmentVariable("PATH", Environment.GetEnvironmentVariable "PATH" + string Path.PathSeparator + toolDir)
    if not (onPath "jupyter-nbconvert" && onPath "chromium") then
        exec "apt-get" "update -q"
        exec "apt-get" "install -y -q jupyter-nbconvert jupyter-client chromium"
    if not (onPath "dotnet-interactive") then
        exec "dotnet" (sprintf "tool install -g Microsoft.dotnet-interactive --version %s" dotnetInteractiveVersion)
    let kernelSpec = Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".local", "share", "jupyter", "kernels", ".net-fsharp")
    if not (Directory.Exists kernelSpec) then exec "dotnet" "interactive jupyter install"
    let notebookPath = Path.Combine(root, "samples", "notebooks", "dtc-walkthrough.ipynb")
    let work = Path.Combine(Path.GetTempPath(), sprintf "dtc-notebook-%d" Environment.ProcessId)
    Directory.CreateDirectory work |> ignore
    try
        let executed = Path.Combine(work, "executed.ipynb")
        let sw = Stopwatch.StartNew()
        exec "jupyter"
            (sprintf "nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1200 --ExecutePreprocessor.kernel_name=.net-fsharp --output \"%s\" \"%s\"" executed notebookPath)
        printfn "    executed in %.0f s" sw.Elapsed.TotalSeconds
        let plotlyJs = Path.Combine(work, "plotly.min.js")
        writePlotlyJs plotlyJs
        let nb = Nodes.JsonNode.Parse(File.ReadAllText executed).AsObject()
        let mutable charts = 0
        for cell in nb.["cells"].AsArray() do
            let cell = cell.AsObject()
            if cell.ContainsKey "outputs" then
                let text (node: Nodes.JsonNode) =
                    match node with
                    | :? Nodes.JsonArray as a -> String.Join("", a |> Seq.map (fun l -> l.GetValue<string>()))
                    | null -> ""
                    | n -> n.GetValue<string>()
                let kept = Nodes.JsonArray()
                for output in List.ofSeq (cell.["outputs"].AsArray()) do
                    let output = output.AsObject()
                    let data = match output.["data"] with null -> null | d -> d.AsObject()
                    let html = if isNull data then "" else text data.["text/html"]
                    let plain = if isNull data then "" else text data.["text/plain"]
                    // The kernel's start-up script (it probes this machine's addresses) and extension banner.
                    let noise = html.Contains "dotnet-interactive-this-cell" || plain.StartsWith "Loading extensions from"
                    output.Parent.AsArray().Remove output |> ignore
                    if not noise then
                        if html.Contains "Plotly.newPlot(" then
                            let png = renderChart work plotlyJs charts html
                            charts <- charts + 1
                            data.Remove "text/html" |> ignore
                            data.["image/png"] <- Nodes.JsonValue.Create(Convert.ToBase64String png)
                            if not (data.ContainsKey "text/plain") then data.["text/plain"] <- Nodes.JsonValue.Create "<Plotly.NET chart>"
                        kept.Add output
                cell.["outputs"] <- kept
        let options = Text.Json.JsonSerializerOptions(WriteIndented = true, Encoder = Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)
        let temp = notebookPath + ".tmp"
        File.WriteAllText(temp, nb.ToJsonString options + "\n")
        File.Move(temp, notebookPath, true)
        printfn "    wrote %s with its outputs (%d charts as PNG)" notebookPath charts
    finally
        if Directory.Exists work then Directory.Delete(work, true)

/// README.md's code blocks that CI runs: every ```fsharp block (with `dotnet fsi`) and every ```csharp block
/// that is a file-based app (its first line a `#:` directive; with `dotnet run`). Each is written to a file
/// in the repository root, so that its relative paths read as they do for a user there, run, and removed.
/// C# blocks that are fragments of a program are listed as such.
let readme () =
    step "readme: README.md's F# snippets (dotnet fsi) and C# file-based apps (dotnet run)"
    let blocks =
        Regex.Matches(File.ReadAllText(Path.Combine(root, "README.md")), @"(?m)^```(fsharp|csharp)[ \t]*\r?\n(.*?)^```", RegexOptions.Singleline)
        |> Seq.map (fun m -> m.Groups.[1].Value, m.Groups.[2].Value)
        |> List.ofSeq
    let mutable ran = 0
    blocks
    |> List.iteri (fun i (language, code) ->
        match language with
        | "fsharp" ->
            let file = Path.Combine(root, sprintf "readme-snippet-%d.fsx" (i + 1))
            File.WriteAllText(file, code)
            try exec "dotnet" (sprintf "fsi --quiet %s" (Path.GetFileName file)) finally File.Delete file
            ran <- ran + 1
        | _ when code.TrimStart().StartsWith "#:" ->
            let file = Path.Combine(root, sprintf "readme-snippet-%d.cs" (i + 1))
            File.WriteAllText(file, code)
            try exec "dotnet" (sprintf "run %s" (Path.GetFileName file)) finally File.Delete file
            ran <- ran + 1
        | _ -> printfn "    block %d (C#) is a fragment of a program: not run" (i + 1))
    printfn "    ran %d of README.md's %d F#/C# blocks" ran blocks.Length

let targets : Map<string, string list -> unit> =
    Map [ "restore", (fun _ -> restore ())
          "build", (fun _ -> restore (); build ())
          "test", (fun _ -> restore (); build (); test ())
          "replicate", (fun args -> restore (); build (); dtc "replicate" args)
          "demo", (fun args -> restore (); build (); dtc "demo" args)
          "docs", (fun args -> restore (); build (); docs args)
          "fixtures", (fun _ -> fixtures ())
          "notebook", (fun _ -> restore (); build (); notebook ())
          "readme", (fun _ -> restore (); build (); readme ())
          "pack", (fun _ -> restore (); build (); pack ())
          "consumer", (fun _ -> restore (); build (); pack (); consumer ())
          "tool", (fun _ -> restore (); build (); pack (); tool ())
          "packages", (fun _ -> restore (); build (); pack (); consumer (); tool ())
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
        closingLine |> Option.iter (printfn "%s")
        exit 0
    with StepFailed msg ->
        printfn ""
        printfn "Target '%s' FAILED after %.1f s: %s" target sw.Elapsed.TotalSeconds msg
        closingLine |> Option.iter (printfn "%s")
        exit 1
