using System.Runtime.CompilerServices;
using Xunit;

// Torch state (threads, generators) is global: run the test classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Dtc.CSharp.Tests;

static class Setup
{
    /// <summary>The outcome of native loading, once per test process, before any test touches <c>torch</c>.</summary>
    internal static string NativeOutcome { get; private set; } = "";

#pragma warning disable CA2255 // a module initializer in a test assembly is the point here
    [ModuleInitializer]
    internal static void Init() => NativeOutcome = Dtc.CSharp.Runtime.Native.Ensure();
#pragma warning restore CA2255
}

static class Close
{
    internal static void Equal(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R} ± {tolerance:R} but received {actual:R}");
}
