# Shared by scripts/test and scripts/demo: installs what is missing, never upgrades what is there.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

_apt_updated=0
# apt_ensure PKG...: installs the packages that dpkg does not know, so an existing PostgreSQL is not upgraded.
apt_ensure() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them)" >&2; return 1
  fi
  if [ $_apt_updated -eq 0 ]; then
    log "apt-get update"; DEBIAN_FRONTEND=noninteractive apt-get update -qq; _apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_postgres: server binaries for the throwaway clusters (any installed major is used; 15 is installed when none is).
ensure_postgres() {
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt_ensure postgresql-client-common
  else
    apt_ensure postgresql-15 postgresql-client-15
  fi
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { echo "dotnet SDK 10 is required (https://dot.net)" >&2; return 1; }
}

pg_bin_dir() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# free_port START: the first port from START up that nothing listens on (127.0.0.1).
free_port() {
  local p=$1
  while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
