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

Speed is measured by the `dtc bench` command: in
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

What the recorded run below shows (2 cores, no GPU; timings on this machine kind vary by up to 2× from
run to run, so compare within one run): the training step of 784-512-10 at batch 512 takes 7.0 ms,
1.65× the time the GEMM ceiling needs for its FLOPs; the compress step at width 512 (profiles, both
LASSO solves to a 1e-6 relative duality gap, scores, selection, slicing) takes 27 ms, 2 % of a cycle;
at width 2048 it takes 0.94 s, 17 % of a cycle. The paper protocol on `mnist-sample` takes 61 s for the
three methods (about 20 s each, almost all of it training: the first layer's GEMMs at the ceiling's
rate plus about 1 ms of fixed cost per step), with a peak working set of 625 MiB.

The LASSO runs the paper's small problems (n ≤ 1024 measurements) on the host, in managed float64 with
an incrementally updated Cholesky factor: 117 problems/s at 51×512, against 18 problems/s for the
batched tensor path and 3 problems/s for the tensor path one problem at a time (5.7×). Micro-benchmarks:

```bash
dotnet run -c Release --project bench/Dtc.Benchmarks -- --filter '*'
```

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
