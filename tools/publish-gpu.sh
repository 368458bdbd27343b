#!/usr/bin/env bash
# Packs `hpt` for a GPU machine that has no .NET: a self-contained, trimmed (partial) linux-x64 publish with the
# `external` TorchSharp backend (the TorchSharp shim, no libtorch: the machine's own libtorch, e.g. PyTorch's torch/lib,
# is found through LD_LIBRARY_PATH), invariant globalization (no ICU needed) and the GLIBCXX_3.4.32 weak patch forced
# (the target's libstdc++ is unknown). Writes artifacts/gpu/hpt-linux-x64.tgz (git-ignored) and prints its size;
# fails above 64 MiB (the most that can be sent to the GPU machine). See docs/gpu.md for running it there.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=artifacts/gpu
app="$dest/hpt"
tarball="$dest/hpt-linux-x64.tgz"
limit_mib=64
rm -rf "$app" "$tarball"
mkdir -p "$dest"

dotnet publish src/Hpt.Cli -c Release -r linux-x64 --self-contained \
  -p:TorchBackend=external -p:PublishTrimmed=true -p:TrimMode=partial -p:InvariantGlobalization=true \
  -p:HptForceGlibcxxWeak=true -p:DebugType=none -p:SatelliteResourceLanguages=en \
  -o "$app" --nologo -v q -clp:ErrorsOnly

# .NET probes the app folder before LD_LIBRARY_PATH: a libtorch copied in here would shadow the machine's.
if find "$app" \( -name 'libtorch*' -o -name 'libc10*' \) | grep .; then
  echo "publish-gpu: the publish must not contain libtorch (above)" >&2; exit 1
fi
[ -f "$app/libLibTorchSharp.so" ] || { echo "publish-gpu: libLibTorchSharp.so missing from $app" >&2; exit 1; }
if command -v readelf >/dev/null && ! readelf -V "$app/libLibTorchSharp.so" | grep 'GLIBCXX_3.4.32' | grep -q WEAK; then
  echo "publish-gpu: GLIBCXX_3.4.32 is not marked weak in libLibTorchSharp.so" >&2; exit 1
fi

tar -C "$dest" -czf "$tarball" hpt
folder_mib=$(du -sm "$app" | cut -f1)
bytes=$(stat -c %s "$tarball")
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "publish-gpu: $tarball $mib MiB ($bytes bytes; folder $folder_mib MiB, $(find "$app" -type f | wc -l) files)"
if [ "$bytes" -gt $((limit_mib * 1048576)) ]; then
  echo "publish-gpu: over the $limit_mib MiB limit" >&2; exit 1
fi
