#!/usr/bin/env bash
# CI smoke test of the `external` TorchSharp backend (-p:TorchBackend=external: TorchSharp only, libtorch found at run
# time). Builds hpt into artifacts/external/, checks that no libtorch was copied into the output, then runs
# `hpt gpu-check --quick` and the full CPU `hpt gpu-check --device cpu` with the loader pointed at a libtorch folder:
# $HPT_LIBTORCH_DIR if set (e.g. PyTorch's torch/lib), else the NuGet libtorch-cpu-linux-x64 package's native folder.
# Exit code non-zero on any failure. About 1-2 minutes on 2 cores with a warm NuGet cache.
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts/external/bin/Hpt.Cli/Release/net10.0
echo "== build (TorchBackend=external)"
dotnet build src/Hpt.Cli -c Release -p:TorchBackend=external --nologo -v q -clp:ErrorsOnly

if find "$out" \( -name 'libtorch*' -o -name 'libc10*' \) | grep .; then
  echo "external-smoke: the external build must not contain libtorch (above)" >&2; exit 1
fi
[ -f "$out/runtimes/linux-x64/native/libLibTorchSharp.so" ] || { echo "external-smoke: libLibTorchSharp.so missing" >&2; exit 1; }

libtorch="${HPT_LIBTORCH_DIR:-}"
if [ -z "$libtorch" ]; then
  packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  find_native() { find "$packages/libtorch-cpu-linux-x64" -path '*/runtimes/linux-x64/native' -type d 2>/dev/null | sort -V | tail -1; }
  libtorch="$(find_native)"
  if [ -z "$libtorch" ]; then
    dotnet restore src/Hpt.Model --nologo -v q   # the default cpu backend's restore fetches the package
    libtorch="$(find_native)"
  fi
fi
[ -f "$libtorch/libtorch_cpu.so" ] || { echo "external-smoke: no libtorch_cpu.so in '$libtorch'" >&2; exit 1; }
libtorch="$(cd "$libtorch" && pwd -P)"   # /proc/self/maps shows the resolved path
export LD_LIBRARY_PATH="$libtorch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "== libtorch from $libtorch"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for args in "--quick" "--device cpu"; do
  echo "== hpt gpu-check $args"
  dotnet "$out/hpt.dll" gpu-check $args | tee "$log"
  json="$(tail -1 "$log")"
  # The binary says which backend it was built with and where libtorch came from: both must be the external ones.
  case "$json" in *'"backend":"external"'*) ;; *) echo "external-smoke: backend is not external" >&2; exit 1 ;; esac
  case "$json" in *"\"libtorch_path\":\"$libtorch/libtorch_cpu.so\""*) ;; *) echo "external-smoke: libtorch not loaded from $libtorch" >&2; exit 1 ;; esac
done
echo "external-smoke: ok"
