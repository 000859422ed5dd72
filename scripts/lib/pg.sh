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
