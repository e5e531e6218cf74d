#!/usr/bin/env bash
# Runs Redis's own test suite (external-server mode) against a local 3-node raftkv cluster and
# prints ok/err/exception counts per unit and in total.
#
#   npm run test:redis-suite                    # fetches Debian's redis source once (apt-get source)
#   REDIS_SRC=/path/to/redis-7.x npm run test:redis-suite
#
# Needs tclsh (apt-get install -y tcl). The source comes from Debian's `redis` source package
# (7.0.15 on bookworm); fetching it adds a deb-src entry for the duration of the download (root).
# Units: the ones the issue names (strings, incr, keyspace, expire, multi, hash, list without
# blocking commands, set, zset, scan, info-command, protocol); tests that need DEBUG,
# replication or encoding tuning are left out by their tags. A test whose command raftkv does
# not have fails that test (runtest --durable), and the unit carries on.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/raftkv"
src="${REDIS_SRC:-}"
if [[ -z "$src" ]]; then
  src="$(ls -d "$cache"/redis-src/redis-*/ 2>/dev/null | head -1 || true)"
  if [[ -z "$src" ]]; then
    mkdir -p "$cache/redis-src"
    list=/etc/apt/sources.list.d/raftkv-redis-src.sources
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$list"
    trap 'rm -f "$list"' EXIT
    apt-get update -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- >/dev/null
    (cd "$cache/redis-src" && apt-get source --download-only redis >/dev/null 2>&1 && tar xzf redis_*.orig.tar.gz)
    rm -f "$list"
    src="$(ls -d "$cache"/redis-src/redis-*/ | head -1)"
  fi
fi
command -v tclsh >/dev/null || { echo "tclsh is missing: apt-get install -y tcl" >&2; exit 2; }

data="$(mktemp -d)"
port_base=26380
node "$root/bin/raftkv" cluster --nodes 3 --data-dir "$data" --redis-port-base $port_base \
  --http-port-base 28080 --peer-port-base 29080 --log-level warn > "$data/cluster.log" 2>&1 &
cluster=$!
cleanup() { kill -INT $cluster 2>/dev/null || true; wait $cluster 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
port=$((port_base + 1))
for _ in $(seq 1 100); do
  redis-cli -p $port SET raftkv:suite:probe 1 2>/dev/null | grep -q OK && break
  sleep 0.2
done

units=(unit/type/string unit/type/incr unit/keyspace unit/expire unit/multi unit/type/hash
  unit/type/list unit/type/set unit/type/zset unit/scan unit/info-command unit/protocol)
skip=(--tags -needs:debug --tags -needs:repl --tags -needs:config-maxmemory --tags -needs:save
  --skiptest "/.*BLPOP.*" --skiptest "/.*BRPOP.*" --skiptest "/.*BLMOVE.*" --skiptest "/.*BLMPOP.*"
  --skiptest "/.*BRPOPLPUSH.*" --skiptest "/.*BZPOP.*" --skiptest "/.*BZMPOP.*" --skiptest "/.*blocking.*")
# The denominator: what a real redis-server passes with the same selection.
ref_port=26999
redis-server --port $ref_port --save '' --appendonly no --daemonize yes --dir "$data" >/dev/null
trap 'redis-cli -p $ref_port shutdown nosave >/dev/null 2>&1 || true; cleanup' EXIT
run_unit() { # port unit
  (cd "$src" && timeout 600 ./runtest --host 127.0.0.1 --port "$1" --single "$2" --clients 1 --durable \
    --timeout 60 "${skip[@]}" 2>&1 || true) | sed 's/\x1b\[[0-9;]*m//g'
}
total_ok=0; total_err=0; total_exc=0; total_ref=0
for unit in "${units[@]}"; do
  ref=$(run_unit $ref_port "$unit" | grep -c '^\[ok\]:' || true)
  out="$(run_unit $port "$unit")"
  ok=$(grep -c '^\[ok\]:' <<<"$out" || true)
  err=$(grep -c '^\[err\]:' <<<"$out" || true)
  exc=$(grep -c '^\[exception\]:' <<<"$out" || true)
  printf '%-22s ok %4d of %4d (redis-server)  err %4d  exception %d\n' "$unit" "$ok" "$ref" "$err" "$exc"
  { grep -E '^\[(err|exception)\]:' <<<"$out" | sed 's/^/    /' || true; } | awk 'NR <= 40'
  total_ok=$((total_ok + ok)); total_err=$((total_err + err)); total_exc=$((total_exc + exc))
  total_ref=$((total_ref + ref))
done
echo "total: ok $total_ok of $total_ref that redis-server passes ($((100 * total_ok / (total_ref > 0 ? total_ref : 1)))%), err $total_err, exceptions $total_exc"
