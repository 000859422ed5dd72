# Azurite (the Azure Storage emulator) for the Functions tests and `func start`: installed from npm into
# .tools/azurite (git-ignored), never globally. The test fixture starts and stops its own instance.
# shellcheck shell=bash
AZURITE_VERSION=${AZURITE_VERSION:-3.37.0}
AZURITE_DIR="$ROOT/.tools/azurite"

# ensure_azurite: node + npm from Debian when missing, then azurite@$AZURITE_VERSION into .tools/azurite.
ensure_azurite() {
  command -v npm >/dev/null 2>&1 || apt_ensure nodejs npm
  if [ -x "$AZURITE_DIR/node_modules/.bin/azurite" ] \
     && grep -q "\"version\": \"$AZURITE_VERSION\"" "$AZURITE_DIR/node_modules/azurite/package.json" 2>/dev/null; then
    return 0
  fi
  log "npm install azurite@$AZURITE_VERSION (into .tools/azurite)"
  mkdir -p "$AZURITE_DIR"
  npm install --prefix "$AZURITE_DIR" --no-audit --no-fund --silent "azurite@$AZURITE_VERSION" >/dev/null
}

# azurite_bin: the installed executable.
azurite_bin() { echo "$AZURITE_DIR/node_modules/.bin/azurite"; }
