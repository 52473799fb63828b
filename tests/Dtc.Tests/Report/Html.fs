module Dtc.Tests.Report.Html

open System
open System.IO
open System.Text.RegularExpressions
open Expecto
open Dtc.Entropy
open Dtc.Report
open Dtc.Training.Records

let private paper () =
    let results = Dtc.Tests.Entropy.Analysis.paperResults ()
    results, Analysis.analyze Analysis.paper results

let private tempDir () =
    let d = Path.Combine(Path.GetTempPath(), "dtc-report-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

let private opts = RegexOptions.IgnoreCase ||| RegexOptions.Singleline

/// The page with the contents of every <script> element removed (tags kept): what remains is the
/// markup a browser reads for resources to fetch.
let private markup (html: string) = Regex.Replace(html, "(<script\\b[^>]*>).*?(</script>)", "$1$2", opts)

/// Every URL the markup asks a browser to fetch: src, href (except on <a>), srcset, poster, data
/// attributes, CSS url(...) and @import.
let private fetched (html: string) =
    let m = markup html
    [ for t in Regex.Matches(m, "<(\\w+)\\b([^>]*)>", opts) do
        let tag = t.Groups.[1].Value.ToLowerInvariant()
        for a in Regex.Matches(t.Groups.[2].Value, "\\b(src|href|srcset|poster|data|action|background)\\s*=\\s*(\"[^\"]*\"|'[^']*'|[^\\s>]+)", opts) do
            let name = a.Groups.[1].Value.ToLowerInvariant()
            if not (tag = "a" && name = "href") then yield sprintf "<%s %s=%s>" tag name a.Groups.[2].Value
      for u in Regex.Matches(m, "url\\(([^)]*)\\)", opts) -> "url(" + u.Groups.[1].Value + ")"
      for i in Regex.Matches(m, "@import[^;]*", opts) -> i.Value ]

/// The paper's run cut off after the cycles up to 86 % removed: a run that stops early.
let private shortRun () =
    let results = Dtc.Tests.Entropy.Analysis.paperResults ()
    let cut (m: MethodRun) = { m with Cycles = m.Cycles |> Array.filter (fun c -> c.FractionRemoved <= 0.86) }
    let results = { results with Methods = results.Methods |> Array.map cut }
    results, Analysis.analyze Analysis.paper results

let private at (html: string) (what: string) =
    let i = html.IndexOf(what, StringComparison.Ordinal)
    Expect.isGreaterThanOrEqual i 0 (sprintf "the page holds %s" what)
    i

let private headers (table: string) = [ for m in Regex.Matches(table, "<th>(.*?)</th>", opts) -> m.Groups.[1].Value ]

let private tableOf (html: string) (cls: string) =
    let i = at html (sprintf "<table class=\"%s\">" cls)
    html.Substring(i, html.IndexOf("</table>", i, StringComparison.Ordinal) - i)

[<Tests>]
let tests =
    testList "Report.Html" [
        test "the report loads nothing from the network" {
            let results, analysis = paper ()
            let html = Html.render Html.defaults analysis results
            Expect.isEmpty (fetched html) "no src/href/url()/@import that a browser would fetch"
            let m = markup html
            Expect.isFalse (Regex.IsMatch(m, "<script[^>]*\\bsrc\\s*=", opts)) "no <script src=>"
            Expect.isFalse (Regex.IsMatch(m, "<link[^>]*http", opts)) "no <link> to http"
            Expect.isFalse (m.Contains "@import") "no @import"
            Expect.isFalse (m.Contains "cdn.") "no CDN in the markup"
            // The chart scripts (all but plotly.js itself) neither load require.js nor name a CDN.
            let scripts = [ for s in Regex.Matches(html, "<script\\b[^>]*>(.*?)</script>", opts) -> s.Groups.[1].Value ]
            for s in scripts |> List.skip 1 do
                Expect.isFalse (s.Contains "http") "a chart script without URLs"
                Expect.isFalse (s.Contains "require") "a chart script without require.js"
        }

        test "plotly.js is embedded once, inline, and first" {
            let results, analysis = paper ()
            let html = Html.render Html.defaults analysis results
            let version, js = Html.plotlyJs ()
            Expect.isGreaterThan js.Length 1_000_000 "the full library (> 1 MB)"
            Expect.stringStarts version "2." "plotly.js 2.x"
            let first = html.IndexOf(js.Substring(0, 200), StringComparison.Ordinal)
            Expect.isGreaterThan first 0 "the library is in the page"
            Expect.equal (html.IndexOf(js.Substring(0, 200), first + 1, StringComparison.Ordinal)) -1 "only once"
            Expect.isLessThan first (html.IndexOf "</head>") "in the head"
            let body = html.Substring(html.IndexOf "</head>")
            Expect.equal (Regex.Matches(body, "Plotly\\.newPlot\\(", opts).Count) 6 "five figures and one histogram grid"
        }

        test "the report holds the five figures, the histograms, the tables and the note" {
            let results, analysis = paper ()
            let html = Html.render Html.defaults analysis results
            for id in [ "fig-accuracy"; "fig-accuracy-zoom"; "fig-weight-rays"; "fig-entropy-y1"; "fig-entropy-y2"; "fig-histograms-dtc" ] do
                Expect.stringContains html (sprintf "<figure id=\"%s\"" id) (sprintf "figure container %s" id)
            for cls in [ "metadata"; "accuracy"; "correlations"; "correlations verdict" ] do
                Expect.stringContains html (sprintf "<table class=\"%s\">" cls) (sprintf "%s table" cls)
            Expect.stringContains html "0.917 (p = " "the paper's r against the dtc curve"
            Expect.stringContains html "0.941 (p = " "the paper's r against the random curve"
            Expect.stringContains html "log(n) (control)" "the log(n) control rows"
            Expect.stringContains html "partial r given log n" "the partial correlation column"
            Expect.stringContains html "What the proposition claims" "the note"
            Expect.stringContains html "MNIST" "the metadata"
        }

        test "the verdict comes first and the settings last, in a collapsed section" {
            let results, analysis = paper ()
            let html = Html.render Html.defaults analysis results
            let body = html.Substring(html.IndexOf "<body>")
            let order =
                [ "<h1>"; "<section id=\"verdict\">"; "<p class=\"lead\">"; "<table class=\"accuracy\">"; "<table class=\"correlations verdict\">"
                  "<p class=\"verdict\"><b>Conclusion.</b>"; "</section>"; "<h2 id=\"figures\">"; "<figure id=\"fig-accuracy\""
                  "<h2 id=\"correlations\">"; "<details id=\"settings\">"; "<table class=\"metadata\">"; "</details>" ]
            let positions = order |> List.map (at body)
            Expect.equal positions (List.sort positions) (sprintf "in the order %A" order)
            Expect.isGreaterThan (at body "<h2") (at body "<p class=\"verdict\">") "no section heading before the conclusion"
            let details = body.Substring(at body "<details id=\"settings\">")
            Expect.isFalse (details.Contains "<figure") "no figure after the settings"
            Expect.isFalse (details.Contains "<h2") "no section after the settings"
            Expect.stringContains (body.Substring(at body "<section id=\"verdict\">", at body "</section>")) "34 compress-train cycles" "says what was run"
        }

        test "the conclusion follows the partial correlations given log(n)" {
            let results, analysis = paper ()
            let rows = Verdict.rows analysis
            Expect.equal (rows |> Array.map (fun (r, _) -> r.Curve)) [| "magnitude"; "random"; "dtc" |] "one entropy(y2) row per curve"
            Expect.isTrue (rows |> Array.forall (fun (_, l) -> l.IsSome)) "each with its log(n) row"
            let significant = rows |> Array.filter (fun (r, _) -> r.PartialGivenLogN.PValue < 0.05) |> Array.length
            let sentence = Verdict.conclusion analysis
            let expected =
                if significant = 0 then "none of the 3 partial correlations is significant"
                elif significant = 3 then "all 3 partial correlations remain significant"
                else sprintf "%d of 3 partial correlations remain significant" significant
            Expect.stringContains sentence expected "the sentence counts the significant partial correlations"
            Expect.stringContains (Html.render Html.defaults analysis results) (Net.WebUtility.HtmlEncode sentence) "the page shows it"
            let r (q: string) = analysis.Correlations |> Array.find (fun c -> c.Source = "dtc" && c.Curve = "dtc" && c.Quantity = q)
            Expect.stringContains sentence ((r "entropy(y2)").Pearson.Coefficient.ToString("0.000", Globalization.CultureInfo.InvariantCulture)) "quotes the entropy's r"
            Expect.stringContains sentence ((r "log(n)").Pearson.Coefficient.ToString("0.000", Globalization.CultureInfo.InvariantCulture)) "quotes the control's r"
            let none = Analysis.analyze Analysis.defaults { results with Methods = results.Methods |> Array.filter (fun m -> m.Method = "magnitude") }
            Expect.stringStarts (Verdict.conclusion none) "No method recorded measurements" "without measurements it says so"
        }

        test "accuracy headers say what their cells hold; a short run repeats no column" {
            let results, analysis = paper ()
            let table = tableOf (Html.render Html.defaults analysis results) "accuracy"
            let hs = headers table |> List.tail
            Expect.equal hs.Length 3 "three fractions"
            for h in hs do Expect.isTrue (Regex.IsMatch(h, "^at \\d+\\.\\d % removed$")) (sprintf "a header with the fraction the cells hold: %s" h)
            let shortResults, shortAnalysis = shortRun ()
            let table = tableOf (Html.render Html.defaults shortAnalysis shortResults) "accuracy"
            let last = shortResults.Methods.[0].Cycles |> Array.last
            let hs = headers table |> List.tail
            Expect.equal (List.last hs) (sprintf "at %.1f %% removed" (100.0 * last.FractionRemoved)) "the last column is where the run stopped"
            Expect.isFalse (hs |> List.exists (fun h -> h.Contains "98.2")) "no column claims 98.2 %"
            Expect.equal (List.distinct hs) hs "no repeated column"
            let md = Analysis.accuracyMarkdown shortAnalysis
            Expect.stringContains md (sprintf "| at %.1f %% removed |" (100.0 * last.FractionRemoved)) "Markdown: the same header"
            Expect.isFalse (md.Contains "98.2") "Markdown: no column claims 98.2 %"
        }

        test "an empty note column is dropped, in the page and in Markdown" {
            let results, analysis = paper ()
            Expect.isTrue (analysis.Correlations |> Array.forall (fun r -> r.Note = "")) "the paper's correlations have no notes"
            Expect.isFalse (headers (tableOf (Html.render Html.defaults analysis results) "correlations") |> List.contains "note") "no note column"
            Expect.isFalse ((Analysis.correlationMarkdown analysis).Contains "| note |") "no note column in Markdown"
            let noted = { analysis with Correlations = analysis.Correlations |> Array.mapi (fun i r -> if i = 0 then { r with Note = "a remark" } else r) }
            Expect.isTrue (headers (tableOf (Html.render Html.defaults noted results) "correlations") |> List.contains "note") "a note column when a note exists"
            Expect.stringContains (Analysis.correlationMarkdown noted) "| a remark |" "and in Markdown"
        }

        test "figures: fitted zoom, no mode bar, legends below, clean log ticks" {
            let _, analysis = paper ()
            Expect.equal (Figures.zoomWindow analysis) (0.8, analysis.Methods.[0].Cycles |> Array.map (fun c -> c.FractionRemoved) |> Array.max) "the paper's window from 80 %"
            let _, shortAnalysis = shortRun ()
            let lo, hi = Figures.zoomWindow shortAnalysis
            Expect.isLessThanOrEqual hi 0.86 "the window ends where the run stopped"
            Expect.isLessThan lo (hi - 0.1) "and spans its last third"
            let zoom = Figures.accuracyZoom Figures.defaults shortAnalysis |> Plotly.NET.GenericChart.toChartHTML
            Expect.isFalse (zoom.Contains "80–100") "the title names the window shown"
            Expect.stringContains zoom "\"displayModeBar\":false" "no mode bar over the plot"
            Expect.isTrue (Regex.IsMatch(zoom, "\"legend\":\\{[^}]*\"y\":-")) "the legend below the plot"
            let ticks, labels = Figures.logTicks 1.0 1000.0
            Expect.equal ticks [| 1.0; 10.0; 100.0; 1000.0 |] "decades"
            Expect.equal labels [| "1"; "10"; "100"; "1000" |] "labelled in full"
            let _, labels = Figures.logTicks 0.004 0.3
            Expect.equal labels [| "0.005"; "0.01"; "0.02"; "0.05"; "0.1"; "0.2" |] "1-2-5 within less than two decades"
            let _, labels = Figures.logTicks 1e-5 3e-4
            Expect.equal labels [| "10⁻⁵"; "2×10⁻⁵"; "5×10⁻⁵"; "10⁻⁴"; "2×10⁻⁴" |] "powers of ten outside 0.001–10 000"
            let rays = Figures.weightRays Figures.defaults analysis |> Plotly.NET.GenericChart.toChartHTML
            Expect.stringContains rays "\"tickvals\":" "Fig. 3 sets its log ticks"
            Expect.throws (fun () -> Figures.logTicks 0.0 1.0 |> ignore) "a range that is not positive is refused"
        }

        test "the report is written atomically (no temporary file left) and replaces an old one" {
            let results, analysis = paper ()
            let dir = tempDir ()
            try
                let path = Path.Combine(dir, "out", "report.html")
                Html.write Html.defaults path analysis results
                File.WriteAllText(path, "old")
                Html.write Html.defaults path analysis results
                Expect.stringStarts (File.ReadAllText path) "<!DOCTYPE html>" "the page replaced the old file"
                Expect.isEmpty (Directory.GetFiles(Path.GetDirectoryName path, "*.tmp")) "no .tmp left"
                Expect.equal (Directory.GetFiles(Path.GetDirectoryName path)).Length 1 "only report.html"
            finally
                Directory.Delete(dir, true)
        }

        test "a run without measurements still gives a complete page" {
            let m : MethodRun =
                { Method = "magnitude"; InitialAccuracy = nan
                  Cycles =
                    Array.init 5 (fun i ->
                        { Cycle = i + 1; Widths = [| 9 - i |]; FractionRemoved = 0.1 * float (i + 1); TestAccuracy = 0.9 - 0.01 * float i
                          TestAccuracyBatchMean = nan; TrainLoss = 0.3; TrainSeconds = 1.0; CompressSeconds = 0.5; EvalSeconds = 0.1
                          Layers =
                            [| { Layer = 0; WidthBefore = 10 - i; WidthAfter = 9 - i; Measurements = 0; Ray = [| 1.0; -2.0 |]
                                 RayMeanAbsPerLength = nan; Y1 = [||]; Y2 = [||]; SolverGaps = [||]; SolverIterations = [||]
                                 ReconstructionErrors = [||]; Kept = [||] } |] }) }
            let results = { (Dtc.Tests.Entropy.Analysis.paperResults ()) with Methods = [| m |] }
            let analysis = Analysis.analyze Analysis.defaults results
            let html = Html.render Html.defaults analysis results
            for id in [ "fig-accuracy"; "fig-accuracy-zoom"; "fig-weight-rays"; "fig-entropy-y1"; "fig-entropy-y2" ] do
                Expect.stringContains html (sprintf "<figure id=\"%s\"" id) (sprintf "figure container %s" id)
            Expect.stringContains html "No correlations" "says why there is no correlation table"
            Expect.isEmpty (fetched html) "still offline"
        }
    ]
