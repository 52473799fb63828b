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
`mnist-sample` as `CompressTrain.run` runs it, and a memory soak of 1,000 compress steps — each as the
median of repeated timings after a warm-up. Micro-benchmarks of single
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

What the recorded run below shows (2 cores, no GPU, a shared virtual machine: the hypervisor took
0.6 % of the CPU time during the run, yet timings still vary by up to 25 % from run to run — the
training step's median was 6.22 ms in one run and 7.72 ms in the next, the protocol has taken between
36 and 44 s — so compare within one run; medians are reported, and for the ceiling and the training
step also the best of the repetitions). The ceiling and the training step are timed in the steady
state: the VM's cores ran at about 145 GFLOP/s for the first seconds of load before reaching their
sustained rate, and the first 150 steps of a process run at half speed (tiered compilation, the
allocator and the thread pool warming up), so the bench warms both up first.

| Target (issue 5) | Recorded | Met? |
|---|---|---|
| Training step 784-512-10, batch 512, within 1.6× of the GEMM ceiling's time for its FLOPs | median 7.72 ms = 2.07× (ceiling 225 GFLOP/s); best 6.17 ms = 1.90× the best GEMM (258 GFLOP/s); the previous run: median 6.22 ms = 1.53× (ceiling 207 GFLOP/s) | in one run of two |
| Compress step below 5 % of a cycle at width 512 | 31 ms, 2.7 % (2048: 0.28 s, 5.9 %; 8192: 5.5 s, 17 %) | yes |
| Paper protocol on `mnist-sample`, three methods, within 30 s | 37.6 s; its matrix products alone need 19.5 s at the ceiling (1.93×) | no |
| Batched solver at least 10× one at a time | `solveOnDevice`: 9.9× at m = 256 and 32 problems, 15× at 128; 5.3× at m = 512. `solve` (host): 1.5–1.9× | at m = 256, 128 problems, device path only |
| Protocol peak memory below 1.5 GiB | 822 MiB | yes |
| Native memory flat over 1,000 compress steps | 830 → 818 MiB resident, 66 live tensors throughout | yes |

**The protocol.** `CompressTrain.run` trains the first cycle once (it is the same for every method:
same initial model, same mini-batches), then runs the three methods at the same time, one thread each
with one TorchSharp intra-op thread: on two cores a single-threaded matrix product runs near a core's
peak, and each step's fixed cost (operator dispatch, autograd) overlaps with the other methods' work.
Adam's update is PyTorch's fused kernel (`Adam.create`; TorchSharp does not bind it, so a small
TorchScript function calls it): one pass over each parameter instead of about eight, about 15 % of a
cycle at width 512 and 5 % at widths below 100. Together this took the protocol from 61 s (methods one
after another, two threads each, TorchSharp's Adam) to 36–44 s. `dtc bench` also counts the protocol's
matrix-product FLOPs as the run does them (every cycle's training at the width it trained, every
evaluation, the shared first cycle once): 4.37 × 10¹² FLOP, which the ceiling alone needs 19.5 s for.
Meeting 30 s would need the whole protocol, activations, the late cycles' small widths and the compress
steps included, to run at 65 % of the ceiling; the recorded run is at 52 %. Two other ideas were
measured and left out: training the three methods as one stacked model (their widths are equal every
cycle) was slower, and letting only two methods train at a time on two cores, to avoid time-slicing,
made no measurable difference. The fused update orders Adam's arithmetic differently, so runs differ
from the earlier TorchSharp-Adam runs beyond the last bits (see [Reproducing the paper](reproducing.html)).

**The solver.** The paper's problems are small (n ≈ 0.1 m ≤ 102 measurements for m ≤ 1024), and
`Lasso.solve` solves them on the host, in managed float64 with an incrementally updated Cholesky
factor, about 120–180 problems/s one at a time at 51×512 — already 25–35× the device path's
one-at-a-time rate. Batching the host path only adds the second core (about 2×): each problem is a sequence of about
330 dependent active-set steps, and nothing in one step is shared with another problem. The batched
tensor path (`solveOnDevice`) is where batching pays, because one problem alone is dominated by
per-operation overhead: 9–10× at 32 problems and 15–16× at 128 for m = 256, 5–6× at m = 512. Large problems
start from a semismooth Newton augmented-Lagrangian point (Li, Sun and Toh 2018) and finish with the
active set, which brought the compress step at width 8192 (two 819×8192 problems) from about 2 minutes
to 8 s; beyond 1,024 units the basis is applied by FFT (`Basis.analyse` for Θ = ΦΨ,
`Basis.synthesise` for Ψs) instead of forming the m×m matrix, which took it to 5.5 s (17–19 % of a
cycle) and its own peak memory to about 1.4 GiB; up to 1,024 units the matrix is kept,
so the paper's runs keep the supplement's arithmetic.
The process's peak working set at the end of the bench (4.6 GiB in the recorded run, 1.5–2.7 GiB in
others) is reached after the protocol, in the width-8192 measurements; a compress step at that width
alone peaks at about 1.4 GiB, and the same measurements without the protocol before them end at
1.7–2.4 GiB, so the rest appears only after the three concurrent methods have run (memory kept by the
allocator for their threads would explain it; this is not verified).

```bash
dotnet run -c Release --project bench/Dtc.Benchmarks -- --filter '*'
dotnet run -c Release --project bench/Dtc.Benchmarks -- --throughput 512 256   # batched vs one at a time
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
        let title = if name = "Benchmarks" then "" else sprintf "<h3>%s</h3>" (enc name)
        title + head + (nested |> List.map (fun p -> render p.Name p.Value) |> String.concat "")
    | _ -> ""

if File.Exists benchFile then
    use doc = JsonDocument.Parse(File.ReadAllText benchFile)
    sprintf "<p>From <code>docs/data/bench.json</code>:</p>%s" (render "Benchmarks" doc.RootElement)
else
    "<p><em>No benchmark has been recorded yet</em>: <code>docs/data/bench.json</code> does not exist. Run the commands above to record one.</p>"
(*** include-it-raw ***)
