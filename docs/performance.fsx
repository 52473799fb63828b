(**
---
title: Performance
category: Reference
categoryindex: 3
index: 2
---
*)
(*** hide ***)
open System.IO
open System.Text.Json
(**
# Performance

## How it is measured

Speed is measured by the `dtc bench` command (being added to the CLI in parallel with this page): in
one process it times the stages of a compress-train cycle against what the machine allows — a
large matrix product as the machine's ceiling, one training step, the compression step (profiles,
the batched LASSO of the inverse compressed sensing, scores, selection, slicing) at several layer
widths, the batched against the one-by-one solver, optionally the whole paper protocol on
`mnist-sample` — each as the median of repeated timings after a warm-up. Micro-benchmarks of single
kernels use BenchmarkDotNet (pinned in `Directory.Packages.props`).

```bash
dotnet build -c Release
dotnet src/Dtc.Cli/bin/Release/net10.0/dtc.dll bench --help
dotnet src/Dtc.Cli/bin/Release/net10.0/dtc.dll bench --threads 2 --out docs/data/bench.json
```

The command writes a JSON file; committed as `docs/data/bench.json`, it becomes the tables below the
next time the site is built (`dotnet fsi build.fsx docs`). Numbers depend on the machine: the file
records the machine, threads and device alongside the timings (times in milliseconds unless the
field name says otherwise).

For orientation, the README's end-to-end figure: the paper's whole experiment on the embedded
`mnist-sample` (three methods, 34 cycles each, 200 mini-batches per cycle) takes 77 s on a 2-core
machine without GPU, of which training takes 23–25 s per method and DTC's compression 3.8 s over
its 34 cycles.

## Recorded numbers
*)
(*** hide ***)
let benchFile = Path.Combine(__SOURCE_DIRECTORY__, "data", "bench.json")

/// Renders any JSON array of flat objects (or an object holding such arrays) as HTML tables.
let rec render (name: string) (e: JsonElement) : string =
    let enc (s: string) = System.Net.WebUtility.HtmlEncode s
    let text (v: JsonElement) =
        match v.ValueKind with
        | JsonValueKind.Number ->
            let x = v.GetDouble()
            if abs x >= 100.0 || x = floor x then x.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)
            else x.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)
        | JsonValueKind.String -> v.GetString()
        | JsonValueKind.Array | JsonValueKind.Object -> v.GetRawText()
        | _ -> string v
    match e.ValueKind with
    | JsonValueKind.Array when e.GetArrayLength() > 0 && e.[0].ValueKind = JsonValueKind.Object ->
        let rows = [ for r in e.EnumerateArray() -> r ]
        let columns =
            rows |> List.collect (fun r -> [ for p in r.EnumerateObject() do
                                               if p.Value.ValueKind <> JsonValueKind.Array && p.Value.ValueKind <> JsonValueKind.Object then yield p.Name ])
            |> List.distinct
        let cell (r: JsonElement) c = match r.TryGetProperty(c: string) with | true, v -> enc (text v) | _ -> ""
        sprintf "<h3>%s</h3><table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" (enc name)
            (columns |> List.map (fun c -> "<th>" + enc c + "</th>") |> String.concat "")
            (rows |> List.map (fun r -> "<tr>" + (columns |> List.map (fun c -> "<td>" + cell r c + "</td>") |> String.concat "") + "</tr>") |> String.concat "")
    | JsonValueKind.Object ->
        let scalars = [ for p in e.EnumerateObject() do if p.Value.ValueKind <> JsonValueKind.Array && p.Value.ValueKind <> JsonValueKind.Object then yield p ]
        let nested = [ for p in e.EnumerateObject() do if p.Value.ValueKind = JsonValueKind.Array || p.Value.ValueKind = JsonValueKind.Object then yield p ]
        let head =
            if scalars.IsEmpty then ""
            else sprintf "<table><tbody>%s</tbody></table>" (scalars |> List.map (fun p -> sprintf "<tr><th>%s</th><td>%s</td></tr>" (enc p.Name) (enc (text p.Value))) |> String.concat "")
        head + (nested |> List.map (fun p -> render p.Name p.Value) |> String.concat "")
    | _ -> ""

if File.Exists benchFile then
    use doc = JsonDocument.Parse(File.ReadAllText benchFile)
    sprintf "<p>From <code>docs/data/bench.json</code>:</p>%s" (render "Benchmarks" doc.RootElement)
else
    "<p><em>No benchmark has been recorded yet</em>: <code>docs/data/bench.json</code> does not exist. Run the commands above to record one.</p>"
(*** include-it-raw ***)
