// MSBuild inline task (RoslynCodeTaskFactory, compiled against netstandard2.0). Marks one ELF version-need entry weak (VER_FLG_WEAK) in copies of
// libLibTorchSharp.so, so the loader accepts a libstdc++ without that version. Idempotent; writes through a temp
// file + rename so a hard-linked NuGet cache file is never modified.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class HptWeakenGlibcxx : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;
    private static bool s_loggedOnce;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string VersionName { get; set; } = "";
    /// <summary>Patch even when the build host has the version (for publishing to other machines).</summary>
    public bool Force { get; set; }

    public override bool Execute()
    {
        if (!Force && HostProvides(VersionName)) return true;
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var outcome = Patch(path, VersionName);
                if (outcome == "patched")
                {
                    var importance = s_loggedOnce ? MessageImportance.Low : MessageImportance.High;
                    s_loggedOnce = true;
                    Log.LogMessage(importance, $"hpt: marked {VersionName} weak in {path} (host libstdc++ lacks it)");
                }
            }
            catch (Exception e)
            {
                Log.LogError($"hpt: could not patch {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool HostProvides(string version)
    {
        var dirs = new System.Collections.Generic.List<string>();
        var ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ld)) dirs.AddRange(ld.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
        dirs.AddRange(new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
                              "/usr/lib/aarch64-linux-gnu" });
        foreach (var dir in dirs)
        {
            var lib = Path.Combine(dir, "libstdc++.so.6");
            if (!File.Exists(lib)) continue;
            var needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(File.ReadAllBytes(lib), needle) >= 0;
        }
        return true; // no libstdc++ found where we look: not a glibc host we know how to judge; leave the file alone
    }

    private static int IndexOf(byte[] hay, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= hay.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    /// <returns>"patched", "already" or "absent".</returns>
    private static string Patch(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2)
            throw new InvalidDataException("not an ELF64 file");
        var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            var offset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
            var link = BitConverter.ToUInt32(elf, (int)sh + 40);
            var count = BitConverter.ToUInt32(elf, (int)sh + 44);
            var strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + link * shentsize + 24));
            var vn = offset;
            for (var n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                var aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadCString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (name == version)
                    {
                        var flagsAt = (int)aux + 4;
                        var flags = BitConverter.ToUInt16(elf, flagsAt);
                        if ((flags & VerFlgWeak) != 0) return "already";
                        var patched = (ushort)(flags | VerFlgWeak);
                        elf[flagsAt] = (byte)(patched & 0xff);
                        elf[flagsAt + 1] = (byte)(patched >> 8);
                        var temp = path + ".hpt-tmp";
                        File.WriteAllBytes(temp, elf);
                        File.Delete(path); // unlink first: a hard-linked cache copy keeps its original bytes
                        File.Move(temp, path);
                        return "patched";
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(elf, (int)vn + 12);
            }
        }
        return "absent";
    }

    private static string ReadCString(byte[] data, long at)
    {
        var end = (int)at;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)at, end - (int)at);
    }
}
