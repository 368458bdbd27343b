#!/usr/bin/env bash
# The README's test command. Installs what a fresh machine lacks (idempotent), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export HPT_TEST_POSTGRES="${HPT_TEST_POSTGRES:-Host=127.0.0.1;Port=5432;Database=hpt_test;Username=hpt;Password=hpt}"
dotnet test Actors.sln -c Release "$@"
# The `external` TorchSharp backend (libtorch found at run time, as on a GPU machine) builds and passes its smoke test.
bash tools/external-smoke.sh
