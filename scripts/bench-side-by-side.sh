#!/usr/bin/env bash
# The project's measuring stick: raftkv side by side with etcd 3.4 and Redis 7, one run, one
# machine, the same client for each pair:
#   etcd (3 members) vs raftkv (3 nodes) over HTTP, driven by wrk (C, one thread) at C=1, 64, 256;
#   Redis (one node, appendfsync always) vs raftkv over RESP, driven by redis-benchmark.
# Every write is durable in both systems (fsync on a majority for raftkv and etcd, fsync per write
# for Redis). Compare the ratios within one run, not absolute numbers across runs.
# Usage: npm run bench:side-by-side [-- SECONDS=10 ROUNDS=2]   (builds first; from the project root)
# Uses: apt-get install -y wrk etcd-server etcd-client redis-server redis-tools. A missing tool
# skips the comparisons that need it, with a message: the script reports, it never fails.
# Each round ends with the ratios raftkv / reference of that round (compare within a round).
# Ports: etcd 2379x/2380x, raftkv redis 2638x http 2808x peer 2908x, redis 26999: all below
# Linux's ephemeral range (32768-60999), where a client connection of an earlier row can hold one.
set -uo pipefail
command -v node >/dev/null || { echo "node not found"; exit 0; }
RK="$(pwd)"; DUR="${1:-10}"; ROUNDS="${2:-2}"
TMP="$(mktemp -d)"; OUT="$RK/bench-results-side-by-side-$(date -u +%Y%m%dT%H%M%S).txt"
trap 'rm -rf "$TMP"' EXIT
log() { echo "$*" | tee -a "$OUT"; }
busy_pct() {
  local a b; read -r -a a < <(head -1 /proc/stat); sleep 3; read -r -a b < <(head -1 /proc/stat)
  local ta=0 tb=0 i; for i in "${a[@]:1}"; do ta=$((ta+i)); done; for i in "${b[@]:1}"; do tb=$((tb+i)); done
  echo $(( 100 - 100*((b[4]+b[5])-(a[4]+a[5]))/(tb-ta) ))
}
wait_quiet() { local s=$SECONDS p; while :; do p=$(busy_pct); [ "$p" -lt 15 ] && { echo "[quiet] busy ${p}%"; return; }
  [ $((SECONDS-s)) -ge 120 ] && { echo "[quiet] WARNING: still ${p}% busy; measuring anyway"; return; }; sleep 5; done; }
EPS=127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793
etcd_start() {
  local i; ETCD_PIDS=()
  for i in 1 2 3; do
    etcd --name "n$i" --data-dir "$TMP/etcd/n$i" \
      --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
      --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
      --initial-cluster n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23802,n3=http://127.0.0.1:23803 \
      --initial-cluster-state new --initial-cluster-token bench --logger zap --log-level warn \
      --quota-backend-bytes 8589934592 >"$TMP/etcd-n$i.log" 2>&1 &
    ETCD_PIDS+=($!)
  done
  for i in $(seq 1 60); do ETCDCTL_API=3 etcdctl --endpoints $EPS endpoint health >/dev/null 2>&1 && break; sleep 0.5; done
  ETCDL=$(ETCDCTL_API=3 etcdctl --endpoints $EPS endpoint status -w json | node -e \
    'const a=JSON.parse(require("fs").readFileSync(0));const l=a.find(s=>s.Status.leader===s.Status.header.member_id);console.log("http://"+l.Endpoint)')
}
etcd_stop() { kill "${ETCD_PIDS[@]}" 2>/dev/null; sleep 1; kill -9 "${ETCD_PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP/etcd"; }

cat > "$TMP/etcd-put.lua" <<'LUA'
-- etcd v3 HTTP gateway PUT: 8-byte key out of 10,000, 256-byte value (base64 in JSON)
local b64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
local enc = function(s) local t = {} ; local chars='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  return ((s:gsub('.', function(x) local r,b='',x:byte() for i=8,1,-1 do r=r..(b%2^i-b%2^(i-1)>0 and '1' or '0') end return r end)..'0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if (#x < 6) then return '' end local c=0 for i=1,6 do c=c+(x:sub(i,i)=='1' and 2^(6-i) or 0) end return chars:sub(c+1,c+1) end)..({ '', '==', '=' })[#s%3+1]) end
request = function()
  local k = enc(string.format("k%07d", math.random(0, 9999)))
  return wrk.format("POST", "/v3/kv/put", {["Content-Type"]="application/json"}, '{"key":"'..k..'","value":"'..b64..'"}')
end
LUA
cat > "$TMP/etcd-range.lua" <<'LUA'
local chars='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local enc = function(s) return ((s:gsub('.', function(x) local r,b='',x:byte() for i=8,1,-1 do r=r..(b%2^i-b%2^(i-1)>0 and '1' or '0') end return r end)..'0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if (#x < 6) then return '' end local c=0 for i=1,6 do c=c+(x:sub(i,i)=='1' and 2^(6-i) or 0) end return chars:sub(c+1,c+1) end)..({ '', '==', '=' })[#s%3+1]) end
request = function()
  return wrk.format("POST", "/v3/kv/range", {["Content-Type"]="application/json"}, '{"key":"'..enc(string.format("k%07d", math.random(0, 9999)))..'"}')
end
LUA
cat > "$TMP/rk-put.lua" <<'LUA'
-- raftkv HTTP PUT: same 8-byte keys, 256-byte raw value
local v = string.rep("A", 256)
request = function()
  return wrk.format("PUT", string.format("/v1/kv/k%07d", math.random(0, 9999)), {["Content-Type"]="application/octet-stream"}, v)
end
LUA
cat > "$TMP/rk-get.lua" <<'LUA'
request = function() return wrk.format("GET", string.format("/v1/kv/k%07d", math.random(0, 9999))) end
LUA

# wrk_row LABEL URL SCRIPT C -> "LABEL C ops/s p50 p99" (errors noted)
wrk_row() {
  local label=$1 url=$2 script=$3 c=$4 o
  o=$(wrk -t1 -c"$c" -d"${DUR}s" --timeout 10s --latency -s "$script" "$url" 2>&1)
  local rps p50 p99 err
  rps=$(echo "$o" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$o" | awk '$1=="50%" {print $2}'); p99=$(echo "$o" | awk '$1=="99%" {print $2}')
  err=$(echo "$o" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ')
  log "$(printf '%-22s C=%-4s %10s req/s  p50 %-9s p99 %-9s %s' "$label" "$c" "$rps" "$p50" "$p99" "$err")"
}

etcd_round() {
  etcd_start; local L=$ETCDL
  for c in 1 64 256; do wrk_row "etcd put" "$L" "$TMP/etcd-put.lua" $c; done
  for c in 1 64; do wrk_row "etcd range(lin)" "$L" "$TMP/etcd-range.lua" $c; done
  etcd_stop
}

rk_start() {
  rm -rf "$TMP/rk-data"
  # the cluster command is the parent of every node; SIGINT to it stops them all
  ( exec node bin/raftkv cluster --nodes 3 --data-dir "$TMP/rk-data" \
      --redis-port-base 26380 --http-port-base 28080 --peer-port-base 29080 >"$TMP/rk.log" 2>&1 ) &
  RKPID=$!
  local i j; RKL=""
  for ((i=0; i<300; i++)); do [ -n "$RKL" ] && break
    sleep 0.1
    for j in 1 2 3; do
      curl -s --max-time 1 "127.0.0.1:2808$j/v1/status" 2>/dev/null | grep -q '"role":"leader"' \
        && RKL="http://127.0.0.1:2808$j" && RKLR=$((26380+j))
    done
  done
  [ -n "$RKL" ] || { log "raftkv: no leader found"; tail -5 "$TMP/rk.log"; rk_stop; return 1; }
  [ $HAVE_RB = 1 ] || return 0
  for ((i=0; i<100; i++)); do [ "$(timeout 2 redis-cli -p $RKLR SET probe x 2>/dev/null)" = OK ] && break; sleep 0.1; done
}
rk_stop() {
  kill -INT "$RKPID" 2>/dev/null
  local i; for ((i=0; i<100; i++)); do kill -0 "$RKPID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$RKPID" 2>/dev/null; wait "$RKPID" 2>/dev/null; sleep 1; rm -rf "$TMP/rk-data"
}

rk_round() {
  rk_start || return 1
  for c in 1 64 256; do wrk_row "raftkv put" "$RKL" "$TMP/rk-put.lua" $c; done
  for c in 1 64; do wrk_row "raftkv get(lin)" "$RKL" "$TMP/rk-get.lua" $c; done
  rk_stop
}

rb_row() { # LABEL PORT ARGS...
  local label=$1 port=$2; shift 2; local o
  o=$(redis-benchmark -p "$port" -q -d 256 -r 10000 -n "$RB_N" "$@" --csv 2>&1 | tail -1)
  log "$(printf '%-22s %s' "$label" "$o")"
}
RB_N=${RB_N:-60000}
resp_round() {
  rk_start || return 1
  rb_row "raftkv SET c1" $RKLR -c 1 -n 5000 -t set
  rb_row "raftkv SET c64" $RKLR -c 64 -t set
  rb_row "raftkv SET c64 P16" $RKLR -c 64 -P 16 -t set
  rb_row "raftkv GET c64" $RKLR -c 64 -t get
  rk_stop
  [ $HAVE_REDIS = 1 ] || return 0
  rm -rf "$TMP/redis"; mkdir -p "$TMP/redis"
  redis-server --port 26999 --dir "$TMP/redis" --appendonly yes --appendfsync always --save '' --daemonize no >"$TMP/redis.log" 2>&1 &
  local rp=$!; sleep 1
  rb_row "redis(always) SET c1" 26999 -c 1 -n 5000 -t set
  rb_row "redis(always) SET c64" 26999 -c 64 -t set
  rb_row "redis(always) SET c64 P16" 26999 -c 64 -P 16 -t set
  rb_row "redis(always) GET c64" 26999 -c 64 -t get
  kill $rp; wait $rp 2>/dev/null
}

# ratios ROUND: raftkv / reference for every row pair of this round in $OUT
ratios() {
  awk -v round="--- round $1" '
    $0 == round { on = 1; next } /^--- round/ { on = 0 } !on { next }
    /req\/s/ { name = $1 " " $2; c = $3; v[name c] = $4; p50[name c] = $7; p99[name c] = $9 }
    /^(raftkv|redis\(always\)) / && /"/ { split($0, a, "\""); lab = $0; sub(/ *".*/, "", lab); v[lab] = a[4] }
    END {
      printf "ratios, round %s (raftkv / reference, same round)\n", substr(round, 11)
      split("put put range(lin) get(lin)", _, " ")
      n = split("C=1 C=64 C=256", cs, " ")
      for (i = 1; i <= n; i++) { k = "raftkv put" cs[i]; e = "etcd put" cs[i]
        if ((k in v) && (e in v) && v[e] > 0) printf "  HTTP write %-6s %.2fx etcd  (p50 %s vs %s, p99 %s vs %s)\n", cs[i], v[k] / v[e], p50[k], p50[e], p99[k], p99[e] }
      for (i = 1; i <= 2; i++) { k = "raftkv get(lin)" cs[i]; e = "etcd range(lin)" cs[i]
        if ((k in v) && (e in v) && v[e] > 0) printf "  lin. read  %-6s %.2fx etcd  (p50 %s vs %s, p99 %s vs %s)\n", cs[i], v[k] / v[e], p50[k], p50[e], p99[k], p99[e] }
      split("SET c1|SET c64|SET c64 P16|GET c64", rs, "|")
      for (i = 1; i <= 4; i++) { k = "raftkv " rs[i]; e = "redis(always) " rs[i]
        if ((k in v) && (e in v) && v[e] > 0) printf "  RESP %-12s %.3fx redis appendfsync always\n", rs[i], v[k] / v[e] }
    }' "$OUT" | tee -a "$OUT"
}
have() { command -v "$1" >/dev/null 2>&1; }
HAVE_WRK=0; HAVE_ETCD=0; HAVE_RB=0; HAVE_REDIS=0
have wrk && HAVE_WRK=1 || log "skip: wrk not installed (apt-get install -y wrk): no HTTP comparisons"
have etcd && have etcdctl && HAVE_ETCD=1 || log "skip: etcd/etcdctl not installed (apt-get install -y etcd-server etcd-client): no etcd rows"
have redis-benchmark && have redis-cli && HAVE_RB=1 || log "skip: redis-benchmark/redis-cli not installed (apt-get install -y redis-tools): no RESP rows"
have redis-server && HAVE_REDIS=1 || log "skip: redis-server not installed (apt-get install -y redis-server): no Redis rows"
[ -f "$RK/dist/cli/main.js" ] || { log "skip: the project is not built (npm run build)"; exit 0; }
log "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
log "side-by-side $(date -u +%FT%TZ) raftkv $(cd "$RK" && git rev-parse --short HEAD) dur=${DUR}s rounds=$ROUNDS"
for ((r=1; r<=ROUNDS; r++)); do
  wait_quiet | tee -a "$OUT"
  log "--- round $r"
  [ $HAVE_WRK = 1 ] && [ $HAVE_ETCD = 1 ] && etcd_round
  [ $HAVE_WRK = 1 ] && rk_round
  [ $HAVE_RB = 1 ] && resp_round
  ratios "$r"
done
log "results in $(basename "$OUT")"
