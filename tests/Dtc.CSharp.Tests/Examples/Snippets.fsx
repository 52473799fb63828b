/// The C# shown on the docs pages: the code between `#region docs:<name>` and `#endregion` in a file of this
/// folder (xunit facts, so the shown code runs with the tests), dedented, as an HTML code block.
let csharp (file: string) (region: string) =
    let lines = System.IO.File.ReadAllLines(System.IO.Path.Combine(__SOURCE_DIRECTORY__, file))
    let first = lines |> Array.findIndex (fun l -> l.Trim() = "#region docs:" + region)
    let last = first + 1 + (lines.[first + 1 ..] |> Array.findIndex (fun l -> l.Trim() = "#endregion"))
    let body = lines.[first + 1 .. last - 1]
    let indent = body |> Array.filter (fun l -> l.Trim() <> "") |> Array.map (fun l -> l.Length - l.TrimStart().Length) |> Array.min
    let code = body |> Array.map (fun l -> if l.Length >= indent then l.Substring indent else l.TrimStart()) |> String.concat "\n"
    sprintf "<pre><code class=\"language-csharp\">%s</code></pre>" (System.Net.WebUtility.HtmlEncode code)
