#!/usr/bin/env bash
# The README's test command. Installs what a fresh machine lacks (idempotent), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export HPT_TEST_POSTGRES="${HPT_TEST_POSTGRES:-Host=127.0.0.1;Port=5432;Database=hpt_test;Username=hpt;Password=hpt}"
dotnet test Actors.sln -c Release "$@"
