using static TorchSharp.torch;

namespace Hpt.Model.Checkpoints;

/// <summary>The safetensors dtype names and their TorchSharp element types.</summary>
public static class SafetensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Table =
    [
        ("F32", ScalarType.Float32, 4), ("BF16", ScalarType.BFloat16, 2), ("F16", ScalarType.Float16, 2),
        ("F64", ScalarType.Float64, 8), ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        foreach (var e in Table)
            if (e.Name == name) { type = e.Type; size = e.Size; return true; }
        type = default; size = 0;
        return false;
    }

    public static string NameOf(ScalarType type)
    {
        foreach (var e in Table) if (e.Type == type) return e.Name;
        throw new NotSupportedException($"safetensors: no dtype name for {type}");
    }

    public static int SizeOf(ScalarType type)
    {
        foreach (var e in Table) if (e.Type == type) return e.Size;
        throw new NotSupportedException($"safetensors: no dtype for {type}");
    }
}
