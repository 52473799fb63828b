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
            for cls in [ "metadata"; "accuracy"; "correlations" ] do
                Expect.stringContains html (sprintf "<table class=\"%s\">" cls) (sprintf "%s table" cls)
            Expect.stringContains html "0.917 (p = " "the paper's r against the dtc curve"
            Expect.stringContains html "0.941 (p = " "the paper's r against the random curve"
            Expect.stringContains html "log(n) (control)" "the log(n) control rows"
            Expect.stringContains html "partial r given log n" "the partial correlation column"
            Expect.stringContains html "What the proposition claims" "the note"
            Expect.stringContains html "MNIST" "the metadata"
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
