(**
---
title: C# API reference
category: Reference
categoryindex: 3
index: 1
---
*)
(*** hide ***)
// This page is generated from Dtc.CSharp.dll and its XML docs when the site is built, so it lists the facade
// as it is. Signatures are written in C#; the F# API reference covers Dtc.Core and Dtc.Data.
#I "../src/Dtc.Cli/bin/Release/net10.0"
#r "Dtc.CSharp.dll"
open System
open System.IO
open System.Net
open System.Reflection
open System.Text.RegularExpressions
open System.Xml.Linq

let assembly = typeof<Dtc.CSharp.Runtime.AtomicFile>.Assembly
let xml = XDocument.Load(Path.ChangeExtension(assembly.Location, ".xml"))
let docs =
    xml.Descendants(XName.Get "member")
    |> Seq.map (fun m -> m.Attribute(XName.Get "name").Value, m)
    |> dict
let nullability = NullabilityInfoContext()

/// The C# keyword of a built-in type, or None.
let keyword (t: Type) =
    match t.FullName with
    | "System.Int32" -> Some "int" | "System.Int64" -> Some "long" | "System.Double" -> Some "double"
    | "System.Single" -> Some "float" | "System.Boolean" -> Some "bool" | "System.String" -> Some "string"
    | "System.Byte" -> Some "byte" | "System.Object" -> Some "object" | "System.Void" -> Some "void"
    | "System.Int16" -> Some "short" | "System.UInt64" -> Some "ulong" | "System.Char" -> Some "char"
    | "System.Decimal" -> Some "decimal" | _ -> None

/// A type as C# writes it; nullable references from the compiler's annotations.
let rec typeName (t: Type) (n: NullabilityInfo option) : string =
    let q = match n with Some n when n.ReadState = NullabilityState.Nullable && not t.IsValueType -> "?" | _ -> ""
    if t.IsByRef then typeName (t.GetElementType()) n
    elif t.IsArray then
        let elem = n |> Option.bind (fun n -> Option.ofObj n.ElementType)
        typeName (t.GetElementType()) elem + "[" + String(',', t.GetArrayRank() - 1) + "]" + q
    elif t.IsGenericParameter then t.Name + q
    elif t.IsGenericType then
        let args = t.GetGenericArguments()
        let argNull i = n |> Option.bind (fun n -> if i < n.GenericTypeArguments.Length then Some n.GenericTypeArguments.[i] else None)
        let argNames = args |> Array.mapi (fun i a -> typeName a (argNull i))
        let def = t.GetGenericTypeDefinition()
        if def = typedefof<Nullable<_>> then argNames.[0] + "?"
        elif def.FullName.StartsWith "System.ValueTuple`" then "(" + String.Join(", ", argNames) + ")" + q
        else
            let name = t.Name.Substring(0, t.Name.IndexOf '`')
            let name = if isNull t.DeclaringType then name else typeName t.DeclaringType None + "." + name
            name + "<" + String.Join(", ", argNames) + ">" + q
    else
        match keyword t with
        | Some k -> k + q
        | None when t.IsNested && not t.DeclaringType.IsGenericType -> typeName t.DeclaringType None + "." + t.Name + q
        | None -> t.Name + q

let literal (p: ParameterInfo) =
    match p.DefaultValue with
    | null when p.ParameterType.IsValueType && not (p.ParameterType.IsGenericType) -> "default"
    | null -> "null"
    | :? string as s -> "\"" + s + "\""
    | :? bool as b -> if b then "true" else "false"
    | v when p.ParameterType.IsEnum || (Nullable.GetUnderlyingType p.ParameterType |> isNull |> not && (Nullable.GetUnderlyingType p.ParameterType).IsEnum) ->
        let e = if p.ParameterType.IsEnum then p.ParameterType else Nullable.GetUnderlyingType p.ParameterType
        e.Name + "." + Enum.GetName(e, v)
    | :? double as d -> d.ToString("R", Globalization.CultureInfo.InvariantCulture)
    | v -> Convert.ToString(v, Globalization.CultureInfo.InvariantCulture)

let parameter (p: ParameterInfo) =
    let prefix =
        if p.IsDefined(typeof<ParamArrayAttribute>) then "params "
        elif p.IsOut then "out "
        elif p.ParameterType.IsByRef && p.IsIn then "in "
        elif p.ParameterType.IsByRef then "ref "
        else ""
    let this = if p.Position = 0 && p.Member.IsDefined(typeof<Runtime.CompilerServices.ExtensionAttribute>) then "this " else ""
    let def = if p.HasDefaultValue then " = " + literal p else ""
    this + prefix + typeName p.ParameterType (Some(nullability.Create p)) + " " + p.Name + def

let parameters (ps: ParameterInfo[]) = String.Join(", ", ps |> Array.map parameter)

let genericSuffix (m: MethodInfo) =
    if m.IsGenericMethodDefinition then "<" + String.Join(", ", m.GetGenericArguments() |> Array.map (fun a -> a.Name)) + ">" else ""

let isRecord (t: Type) = not (isNull (t.GetMethod("<Clone>$")))
let isStaticClass (t: Type) = t.IsClass && t.IsAbstract && t.IsSealed

let declaration (t: Type) =
    let ctors = t.GetConstructors()
    if t.IsEnum then sprintf "public enum %s" t.Name
    elif isStaticClass t then sprintf "public static class %s" t.Name
    else
        let kind = if isRecord t then (if t.IsValueType then "record struct" else "record") elif t.IsValueType then "struct" elif t.IsInterface then "interface" else "class"
        let modifier = if t.IsValueType || t.IsInterface then "" elif t.IsSealed then "sealed " elif t.IsAbstract then "abstract " else ""
        // A positional record: its primary constructor's parameters are its properties.
        let positional =
            if isRecord t then
                ctors |> Array.tryFind (fun c ->
                    let ps = c.GetParameters()
                    ps.Length > 0 && ps |> Array.forall (fun p -> not (isNull (t.GetProperty p.Name))))
            else None
        let name = if t.IsGenericType then t.Name.Substring(0, t.Name.IndexOf '`') + "<" + String.Join(", ", t.GetGenericArguments() |> Array.map (fun a -> a.Name)) + ">" else t.Name
        let baseType =
            if isNull t.BaseType || t.BaseType = typeof<obj> || t.BaseType = typeof<ValueType> then ""
            else " : " + typeName t.BaseType None
        match positional with
        | Some c -> sprintf "public %s%s %s(%s)%s" modifier kind name (parameters (c.GetParameters())) baseType
        | None -> sprintf "public %s%s %s%s" modifier kind name baseType

/// The XML doc id of a member, as the C# compiler writes it.
let rec idType (t: Type) : string =
    if t.IsByRef then idType (t.GetElementType()) + "@"
    elif t.IsArray then idType (t.GetElementType()) + (if t.GetArrayRank() = 1 then "[]" else "[" + String.Join(",", Array.create (t.GetArrayRank()) "0:") + "]")
    elif t.IsGenericParameter then (if isNull t.DeclaringMethod then "`" else "``") + string t.GenericParameterPosition
    elif t.IsGenericType then
        let def = t.GetGenericTypeDefinition().FullName
        def.Substring(0, def.IndexOf '`').Replace('+', '.') + "{" + String.Join(",", t.GetGenericArguments() |> Array.map idType) + "}"
    else t.FullName.Replace('+', '.')
let idParams (ps: ParameterInfo[]) = if ps.Length = 0 then "" else "(" + String.Join(",", ps |> Array.map (fun p -> idType p.ParameterType)) + ")"
let typeId (t: Type) = "T:" + t.FullName.Replace('+', '.')
let memberId (m: MemberInfo) =
    let owner = m.DeclaringType.FullName.Replace('+', '.')
    match m with
    | :? ConstructorInfo as c -> sprintf "M:%s.#ctor%s" owner (idParams (c.GetParameters()))
    | :? MethodInfo as mi ->
        let generic = if mi.IsGenericMethodDefinition then "``" + string (mi.GetGenericArguments().Length) else ""
        let conversion = if mi.Name = "op_Implicit" || mi.Name = "op_Explicit" then "~" + idType mi.ReturnType else ""
        sprintf "M:%s.%s%s%s%s" owner mi.Name generic (idParams (mi.GetParameters())) conversion
    | :? PropertyInfo as p -> sprintf "P:%s.%s%s" owner p.Name (idParams (p.GetIndexParameters()))
    | :? FieldInfo as f -> sprintf "F:%s.%s" owner f.Name
    | :? EventInfo as e -> sprintf "E:%s.%s" owner e.Name
    | _ -> ""

/// The text of a doc element as HTML: code in <code>, references by their short name.
let rec render (e: XElement) : string =
    e.Nodes()
    |> Seq.map (fun node ->
        match node with
        | :? XText as t -> WebUtility.HtmlEncode(Regex.Replace(t.Value, @"\s+", " "))
        | :? XElement as c ->
            match c.Name.LocalName with
            | "c" | "code" -> "<code>" + render c + "</code>"
            | "see" | "seealso" ->
                let cref = c.Attribute(XName.Get "cref")
                let lang = c.Attribute(XName.Get "langword")
                if not (isNull lang) then "<code>" + lang.Value + "</code>"
                elif isNull cref then render c
                elif c.Nodes() |> Seq.isEmpty |> not then render c
                else
                    let target = Regex.Replace(cref.Value.Substring(2), @"\(.*$", "")
                    let parts = target.Split('.')
                    let short = if cref.Value.StartsWith "T:" then parts.[parts.Length - 1] else String.Join(".", parts |> Array.skip (max 0 (parts.Length - 2)))
                    "<code>" + WebUtility.HtmlEncode(short.Replace("`", "")) + "</code>"
            | "paramref" | "typeparamref" -> "<code>" + c.Attribute(XName.Get "name").Value + "</code>"
            | "para" -> "<br/>" + render c
            | "list" | "item" | "description" | "term" -> " " + render c
            | "namespacedoc" -> ""
            | _ -> render c
        | _ -> "")
    |> String.concat ""

let summaryOf (id: string) =
    match docs.TryGetValue id with
    | true, m ->
        let s = m.Element(XName.Get "summary")
        let r = m.Element(XName.Get "returns")
        let summary = if isNull s then "" else (render s).Trim()
        if isNull r || summary.Contains "<br/>" then summary else summary + " <em>Returns</em> " + (render r).Trim()
    | _ -> ""

let namespaceSummary (types: Type list) =
    types |> List.tryPick (fun t ->
        match docs.TryGetValue(typeId t) with
        | true, m -> m.Descendants(XName.Get "namespacedoc") |> Seq.tryHead |> Option.map (fun n -> (render (n.Element(XName.Get "summary"))).Trim())
        | _ -> None)
    |> Option.defaultValue ""

let code (s: string) = "<code>" + WebUtility.HtmlEncode s + "</code>"
let compilerMade = set [ "Equals"; "GetHashCode"; "ToString"; "PrintMembers"; "Deconstruct"; "op_Equality"; "op_Inequality"; "<Clone>$"; "GetType" ]

/// The rows of a type's member table: (C# signature, summary).
let members (t: Type) =
    let flags = BindingFlags.Public ||| BindingFlags.Instance ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly
    if t.IsEnum then
        [ for f in t.GetFields(BindingFlags.Public ||| BindingFlags.Static) -> code f.Name, summaryOf (memberId f) ]
    else
        let record = isRecord t
        let ctors =
            if isStaticClass t || t.IsAbstract then []
            else [ for c in t.GetConstructors() do
                     let ps = c.GetParameters()
                     // A record's copy constructor is the compiler's.
                     if not (record && ps.Length = 1 && ps.[0].ParameterType = t) then
                         yield code (sprintf "new %s(%s)" t.Name (parameters ps)), summaryOf (memberId c) ]
        let props =
            [ for p in t.GetProperties(flags) do
                if p.Name <> "EqualityContract" then
                    let getter = p.GetMethod
                    let setter = p.SetMethod
                    let isStatic = not (isNull getter) && getter.IsStatic
                    let init =
                        not (isNull setter) && setter.IsPublic
                        && setter.ReturnParameter.GetRequiredCustomModifiers() |> Array.exists (fun m -> m.Name = "IsExternalInit")
                    let accessors = if init then "{ get; init; }" elif not (isNull setter) && setter.IsPublic then "{ get; set; }" else "{ get; }"
                    let indexes = p.GetIndexParameters()
                    let name = if indexes.Length = 0 then p.Name else "this[" + parameters indexes + "]"
                    let signature = sprintf "%s%s %s %s" (if isStatic then "static " else "") (typeName p.PropertyType (Some(nullability.Create p))) name accessors
                    yield code signature, summaryOf (memberId p) ]
        let methods =
            [ for m in t.GetMethods(flags) do
                if not m.IsSpecialName && not (compilerMade.Contains m.Name) then
                    let signature =
                        sprintf "%s%s %s%s(%s)" (if m.IsStatic then "static " else "") (typeName m.ReturnType (Some(nullability.Create m.ReturnParameter)))
                            m.Name (genericSuffix m) (parameters (m.GetParameters()))
                    yield code signature, summaryOf (memberId m)
                elif m.IsSpecialName && (m.Name = "op_Implicit" || m.Name = "op_Explicit") then
                    let kind = if m.Name = "op_Implicit" then "implicit" else "explicit"
                    yield code (sprintf "static %s operator %s(%s)" kind (typeName m.ReturnType None) (parameters (m.GetParameters()))), summaryOf (memberId m) ]
        ctors @ props @ methods

let table (rows: (string * string) list) =
    if rows.IsEmpty then ""
    else
        "<table class=\"csharp-members\"><thead><tr><th>Member</th><th>Description</th></tr></thead><tbody>"
        + (rows |> List.map (fun (s, d) -> sprintf "<tr><td>%s</td><td>%s</td></tr>" s d) |> String.concat "")
        + "</tbody></table>"

let anchor (t: Type) = t.FullName.Replace('.', '-').Replace('+', '-')

let publicTypes =
    assembly.GetExportedTypes()
    |> Array.filter (fun t -> not (t.Name.StartsWith "<"))
    |> Array.sortBy (fun t -> t.Namespace, t.FullName)
    |> List.ofArray
let byNamespace = publicTypes |> List.groupBy (fun t -> t.Namespace)
(**
# C# API reference

Every public type and member of `Dtc.CSharp`, the facade for C# projects, with its signature in C#.
The page is generated from the assembly and its XML docs when the site is built. [Using Dtc from C#](csharp.html)
shows the facade at work in a complete program.

The facade holds no algorithm: each member calls the F# core function of the same name, which the
[F# API reference](reference/index.html) documents.
*)
(*** hide ***)
let contents =
    "<table><thead><tr><th>Namespace</th><th>What it holds</th></tr></thead><tbody>"
    + (byNamespace
       |> List.map (fun (ns, types) -> sprintf "<tr><td><a href=\"#%s\"><code>%s</code></a></td><td>%s</td></tr>" (ns.Replace('.', '-')) ns (namespaceSummary types))
       |> String.concat "")
    + "</tbody></table>"
contents
(*** include-it-raw ***)
(*** hide ***)
let body =
    byNamespace
    |> List.map (fun (ns, types) ->
        let section =
            types
            |> List.map (fun t ->
                sprintf "<h3 id=\"%s\"><code>%s</code></h3><pre class=\"csharp-declaration\"><code>%s</code></pre><p>%s</p>%s"
                    (anchor t) (WebUtility.HtmlEncode(typeName t None)) (WebUtility.HtmlEncode(declaration t)) (summaryOf (typeId t)) (table (members t)))
            |> String.concat ""
        sprintf "<h2 id=\"%s\"><code>%s</code></h2><p>%s</p>%s" (ns.Replace('.', '-')) ns (namespaceSummary types) section)
    |> String.concat ""
body
(*** include-it-raw ***)
