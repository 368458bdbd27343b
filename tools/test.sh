#!/usr/bin/env bash
# The README's test command. Installs what a fresh machine lacks (idempotent), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
dotnet test Actors.sln -c Release "$@"
