using System.Reflection;
using Xunit;

namespace Dtc.CSharp.Tests;

/// <summary>The facade's public API holds no F# type: nothing from FSharp.Core (list, option, function, unit, …),
/// no type from Dtc.Core at all (F# unions, records, tuples of its modules), and no System.Tuple.</summary>
public class ApiSurfaceTests
{
    static readonly Assembly Facade = typeof(Dtc.CSharp.Runtime.Native).Assembly;
    static readonly Assembly FSharpCore = typeof(Microsoft.FSharp.Core.Unit).Assembly;
    static readonly Assembly Core = typeof(Dtc.Training.Records.Results).Assembly;

    const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type that a public or protected signature of the facade mentions, with where.</summary>
    public static IEnumerable<(Type Type, string Where)> Mentions()
    {
        foreach (var t in Facade.GetExportedTypes())
        {
            if (t.BaseType is { } b) yield return (b, $"{t} : base");
            foreach (var i in t.GetInterfaces()) yield return (i, $"{t} : interface");
            foreach (var g in t.GetGenericArguments()) yield return (g, $"{t} generic argument");
            foreach (var m in t.GetMembers(Declared | BindingFlags.NonPublic))
            {
                var visible = m switch
                {
                    MethodBase mb => mb.IsPublic || mb.IsFamily || mb.IsFamilyOrAssembly,
                    FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
                    PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
                    EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
                    Type nested => nested.IsNestedPublic || nested.IsNestedFamily,
                    _ => false,
                };
                if (!visible) continue;
                var where = $"{t}.{m.Name}";
                switch (m)
                {
                    case MethodInfo mi:
                        yield return (mi.ReturnType, where + " returns");
                        foreach (var p in mi.GetParameters()) yield return (p.ParameterType, $"{where}({p.Name})");
                        foreach (var g in mi.GetGenericArguments()) yield return (g, where + " generic argument");
                        break;
                    case ConstructorInfo ci:
                        foreach (var p in ci.GetParameters()) yield return (p.ParameterType, $"{where}({p.Name})");
                        break;
                    case PropertyInfo pi:
                        yield return (pi.PropertyType, where);
                        foreach (var p in pi.GetIndexParameters()) yield return (p.ParameterType, $"{where}[{p.Name}]");
                        break;
                    case FieldInfo fi:
                        yield return (fi.FieldType, where);
                        break;
                    case EventInfo ei:
                        yield return (ei.EventHandlerType!, where);
                        break;
                }
            }
        }
    }

    /// <summary>The type and every type it is built from (element types, generic arguments).</summary>
    static IEnumerable<Type> Parts(Type t)
    {
        yield return t;
        if (t.HasElementType)
            foreach (var p in Parts(t.GetElementType()!)) yield return p;
        if (t.IsGenericType && !t.IsGenericTypeDefinition)
        {
            yield return t.GetGenericTypeDefinition();
            foreach (var a in t.GetGenericArguments())
                foreach (var p in Parts(a)) yield return p;
        }
    }

    static string? Offence(Type t)
    {
        if (t.IsGenericParameter) return null;
        if (t.Assembly == FSharpCore) return "a FSharp.Core type";
        if (t.Assembly == Core) return "a Dtc.Core (F#) type";
        if (t.Namespace == "System" && t.Name.StartsWith("Tuple", StringComparison.Ordinal)) return "a System.Tuple";
        if (t.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "Microsoft.FSharp.Core.CompilationMappingAttribute"))
            return "an F# union, record or module";
        return null;
    }

    [Fact]
    public void NoFSharpTypeInThePublicApi()
    {
        var offences = Mentions()
            .SelectMany(m => Parts(m.Type).Select(p => (Part: p, m.Where)))
            .Select(m => Offence(m.Part) is { } why ? $"{m.Where}: {m.Part} is {why}" : null)
            .OfType<string>()
            .Distinct()
            .ToList();
        Assert.True(offences.Count == 0, "F# types in the facade's public API:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void TheCheckSeesTheWholeSurface()
    {
        var mentions = Mentions().ToList();
        // Sanity: the walk reaches nested generic arguments, return types, parameters and properties.
        Assert.Contains(mentions, m => m.Where.Contains("RunResults.Methods") && m.Type == typeof(IReadOnlyList<Dtc.CSharp.Training.MethodResults>));
        Assert.Contains(mentions, m => m.Where.Contains("CompressTrain.Run(progress)"));
        Assert.Contains(Parts(typeof(IReadOnlyList<int[]>)), p => p == typeof(int));
        // And it would catch the F# types the facade wraps.
        Assert.NotNull(Offence(typeof(Microsoft.FSharp.Core.FSharpOption<int>)));
        Assert.NotNull(Offence(typeof(Dtc.Sensing.Basis.Kind)));
        Assert.NotNull(Offence(typeof(Dtc.Training.Records.Results)));
        Assert.NotNull(Offence(typeof(Tuple<int, int>)));
        Assert.Contains(Parts(typeof(IReadOnlyList<Microsoft.FSharp.Collections.FSharpList<int>>)), p => Offence(p) is not null);
        Assert.True(Facade.GetExportedTypes().Length >= 40, "exported types");
    }
}
