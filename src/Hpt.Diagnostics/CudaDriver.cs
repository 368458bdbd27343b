using System.Runtime.InteropServices;
using System.Text;
using Hpt.Model;

namespace Hpt.Diagnostics;

/// <summary>What the NVIDIA driver (libcuda.so.1) reports, independent of libtorch; all fields empty when there is no driver.</summary>
/// <param name="Error">Why nothing was read (no driver library, cuInit failed); null on success.</param>
public sealed record CudaDriverInfo(int DeviceCount, string? DriverVersion, IReadOnlyList<CudaDeviceInfo> Devices, string? Error)
{
    public bool HasDevice => DeviceCount > 0;
}

public sealed record CudaDeviceInfo(int Ordinal, string Name, long TotalMemoryBytes, int ComputeMajor, int ComputeMinor);

/// <summary>
/// The CUDA driver API's stable C entry points (they have not changed since CUDA 3.2), called directly so that
/// <c>gpu-check</c> can name the device and decide whether a missing libtorch CUDA backend is a failure or just a CPU host.
/// TorchSharp 0.107 binds no device name or properties.
/// </summary>
public static class CudaDriver
{
    private const string Lib = "libcuda.so.1";
    private const int AttrComputeMajor = 75, AttrComputeMinor = 76;

    [DllImport(Lib)] private static extern int cuInit(uint flags);
    [DllImport(Lib)] private static extern int cuDriverGetVersion(out int version);
    [DllImport(Lib)] private static extern int cuDeviceGetCount(out int count);
    [DllImport(Lib)] private static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(Lib)] private static extern int cuDeviceGetName(byte[] name, int length, int device);
    [DllImport(Lib, EntryPoint = "cuDeviceTotalMem_v2")] private static extern int cuDeviceTotalMem(out nuint bytes, int device);
    [DllImport(Lib)] private static extern int cuDeviceGetAttribute(out int value, int attribute, int device);

    public static CudaDriverInfo Probe()
    {
        if (!OperatingSystem.IsLinux()) return new(0, null, [], "not Linux");
        try
        {
            var rc = cuInit(0);
            string? version = null;
            if (cuDriverGetVersion(out var v) == 0) version = $"{v / 1000}.{v % 1000 / 10}";
            if (rc != 0) return new(0, version, [], $"cuInit returned CUDA error {rc} (100 = no device)");
            if (cuDeviceGetCount(out var count) != 0) return new(0, version, [], "cuDeviceGetCount failed");
            var devices = new List<CudaDeviceInfo>();
            for (var i = 0; i < count; i++)
            {
                if (cuDeviceGet(out var dev, i) != 0) continue;
                var buf = new byte[256];
                var name = cuDeviceGetName(buf, buf.Length, dev) == 0 ? Encoding.ASCII.GetString(buf, 0, Array.IndexOf(buf, (byte)0) is var z and >= 0 ? z : buf.Length) : "?";
                var mem = cuDeviceTotalMem(out var bytes, dev) == 0 ? (long)bytes : 0;
                cuDeviceGetAttribute(out var major, AttrComputeMajor, dev);
                cuDeviceGetAttribute(out var minor, AttrComputeMinor, dev);
                devices.Add(new CudaDeviceInfo(i, name, mem, major, minor));
            }
            return new(count, version, devices, null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return new(0, null, [], $"no NVIDIA driver ({Lib} not loadable)");
        }
    }
}
