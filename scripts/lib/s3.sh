# The throwaway S3 server for tests: Ceph's RADOS Gateway as a single-node cluster (1 mon, 1 OSD, radosgw),
# no cephx auth, 127.0.0.1 only. Why Ceph and how: docs/storage.md and /work/shared/docs/local-s3.md.
# shellcheck shell=bash

S3_TEST_ACCESS_KEY=${S3_ACCESS_KEY:-ib-test-access-key}
S3_TEST_SECRET_KEY=${S3_SECRET_KEY:-ib-test-secret-key}

# ensure_ceph: the Debian packages (no mgr needed). Another apt may hold the lock, so retry for a while.
ensure_ceph() {
  local pkgs=(radosgw ceph-mon ceph-osd ceph-common) i
  for i in $(seq 1 20); do
    if apt_ensure "${pkgs[@]}"; then return 0; fi
    [ "$(id -u)" -ne 0 ] && return 1
    log "apt busy or failed; retrying in 10 s ($i/20)"; sleep 10
  done
  return 1
}

port_is_free() { ! ss -Hltn "( sport = :$1 )" 2>/dev/null | grep -q .; }

# free_port [PREFERRED]: PREFERRED when nobody listens on it, else a random free port in 20000-59999.
free_port() {
  local p
  if [ -n "${1:-}" ] && port_is_free "$1"; then echo "$1"; return; fi
  for _ in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if port_is_free "$p"; then echo "$p"; return; fi
  done
  echo "no free TCP port found" >&2; return 1
}

# s3_dir PORT: where a server on that port keeps its state unless S3_CEPH_DIR says otherwise.
s3_dir() { echo "${S3_CEPH_DIR:-${TMPDIR:-/tmp}/ib-s3-$1}"; }

# s3_stop DIR: stops only the daemons whose pids DIR records (rgw, osd, mon), then deletes DIR.
s3_stop() {
  local d=$1 n f p
  [ -d "$d" ] || return 0
  for n in rgw osd mon; do
    f="$d/pids/$n"; [ -f "$f" ] || continue; p=$(cat "$f")
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    # Throwaway data: a hard kill after 5 s is fine.
    kill -KILL "$p" 2>/dev/null || true
    rm -f "$f"
  done
  rm -rf "$d"
}

# s3_start PORT DIR: writes the cluster config, starts mon, osd and rgw, creates the test user.
s3_start() {
  local port=$1 d=$2 mon_port fsid c osd_uuid osd_id store
  mon_port=$(free_port "")
  rm -rf "$d"; mkdir -p "$d"/{run,log,mon,osd,pids}
  fsid=$(cat /proc/sys/kernel/random/uuid); c="$d/ceph.conf"
  if [ "${OSD_STORE:-bluestore}" = bluestore ]; then
    # Bounded RSS: data goes to a sparse 10 GiB file, the cache is capped at 64 MiB.
    store="osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
bluestore fsck on mount = false
bluestore cache autotune = false
bluestore cache size = 67108864"
  else
    # Fastest start, but RSS grows with what is stored.
    store="osd objectstore = memstore
memstore device bytes = 2147483648"
  fi
  cat >"$c" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
run dir = $d/run
admin socket = $d/run/\$name.asok
log file = $d/log/\$name.log
pid file = $d/run/\$name.pid
mon data = $d/mon/\$id
osd data = $d/osd/\$id
$store
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon max pg per osd = 1000
paxos propose interval = 0.1
paxos min wait = 0.01
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
# Without these two the OSD dies with "wrong fsid"; it is placed in the CRUSH map by hand below.
osd crush update on start = false
osd class update on start = false
log to stderr = false
err to stderr = false
[client.rgw.s3]
rgw frontends = beast endpoint=127.0.0.1:$port
# SSE-S3 (AES256) over plain http would be a 400 otherwise.
rgw crypt require ssl = false
rgw thread pool size = 64
CONF
  monmaptool --create --fsid "$fsid" --add a "v1:127.0.0.1:$mon_port" "$d/monmap" >/dev/null
  ceph-mon -c "$c" --mkfs -i a --monmap "$d/monmap"
  # Daemon stdout/stderr go to files: an inherited pipe would keep a caller's $(...) open forever.
  ceph-mon -c "$c" -i a -f >"$d/log/mon.out" 2>&1 </dev/null & echo $! >"$d/pids/mon"
  timeout 60 bash -c "until ceph -c '$c' mon stat >/dev/null 2>&1; do sleep 0.3; done" \
    || { echo "ceph-mon did not come up; see $d/log" >&2; return 1; }
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  # A freshly elected mon can refuse or time out the first commands on a loaded machine: retry.
  osd_id=""
  for _ in $(seq 1 20); do
    osd_id=$(ceph -c "$c" --connect-timeout 15 osd new "$osd_uuid" 2>>"$d/log/osd-new.err" || true)
    [[ "$osd_id" =~ ^[0-9]+$ ]] && break
    sleep 1
  done
  [[ "$osd_id" =~ ^[0-9]+$ ]] || { echo "ceph osd new failed; see $d/log/osd-new.err" >&2; return 1; }
  mkdir -p "$d/osd/$osd_id"
  ceph-osd -c "$c" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >"$d/log/osd-mkfs.out" 2>&1 </dev/null
  for _ in $(seq 1 20); do
    ceph -c "$c" --connect-timeout 15 osd crush add "osd.$osd_id" 1.0 root=default >/dev/null 2>&1 && break
    sleep 1
  done
  ceph-osd -c "$c" -i "$osd_id" -f >"$d/log/osd.out" 2>&1 </dev/null & echo $! >"$d/pids/osd"
  timeout 60 bash -c "until ceph -c '$c' osd stat 2>/dev/null | grep -q '1 up'; do sleep 0.3; done" \
    || { echo "ceph-osd did not come up; see $d/log" >&2; return 1; }
  radosgw -c "$c" -n client.rgw.s3 -f >"$d/log/rgw.out" 2>&1 </dev/null & echo $! >"$d/pids/rgw"
  timeout 90 bash -c "until curl -sf -o /dev/null http://127.0.0.1:$port/; do sleep 0.3; done" \
    || { echo "radosgw did not answer on 127.0.0.1:$port; see $d/log" >&2; return 1; }
  radosgw-admin -c "$c" user create --uid=test --display-name=test \
    --access-key="$S3_TEST_ACCESS_KEY" --secret-key="$S3_TEST_SECRET_KEY" >/dev/null
  # A second user whose requests are denied on the first user's buckets (access-denied tests).
  radosgw-admin -c "$c" user create --uid=other --display-name=other \
    --access-key="${S3_TEST_ACCESS_KEY}-other" --secret-key="${S3_TEST_SECRET_KEY}-other" >/dev/null
  cat >"$d/env" <<ENV
export IB_S3_ENDPOINT=http://127.0.0.1:$port
export IB_S3_DIR=$d
export AWS_ACCESS_KEY_ID=$S3_TEST_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_TEST_SECRET_KEY
ENV
}
