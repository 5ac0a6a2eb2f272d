# Shared helpers for the benchmark scripts: build, start a server, gate on
# an idle machine, run wrk and read its figures. Sourced, not run.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# CARGO_TARGET_DIR (absolute) is honoured so a private build can be benchmarked.
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/trienkhai"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"

need() { command -v "$1" >/dev/null || { echo "bench: cần $1 (apt-get install $2)"; exit 2; }; }

# BENCH_NO_BUILD=1 uses the release binaries as they are (run-all builds
# once). One build for the server and bench/bare_list, so their shared
# dependencies are compiled once, with the same features.
build_bin() {
  if [ "${BENCH_NO_BUILD:-0}" = 1 ] && [ -x "$BIN" ]; then return 0; fi
  (cd "$ROOT" && cargo build --release --quiet --workspace --bins)
}

build() {
  need wrk wrk
  build_bin
}

# Waits until the machine is idle (< 15% busy over 2 s), at most IDLE_WAIT
# seconds (default 60; 0: no gate, for the CI smoke run, which checks ratios).
idle_gate() {
  [ "${IDLE_WAIT:-60}" = 0 ] && return 0
  for _ in $(seq 1 $(( ${IDLE_WAIT:-60} / 2 ))); do
    read -r _ u1 n1 s1 i1 w1 x1 y1 _ < /proc/stat
    sleep 2
    read -r _ u2 n2 s2 i2 w2 x2 y2 _ < /proc/stat
    local busy=$(( (u2+n2+s2+x2+y2) - (u1+n1+s1+x1+y1) ))
    local total=$(( busy + (i2+w2) - (i1+w1) ))
    if [ "$total" -gt 0 ] && [ $(( busy * 100 / total )) -lt 15 ]; then return 0; fi
  done
  echo "bench: máy không rảnh sau ${IDLE_WAIT:-60} s; kết quả có thể nhiễu" >&2
}

# start_server DIR PORT [extra args]: serves the demo committee on SQLite.
start_server() {
  local dir="$1" port="$2"; shift 2
  mkdir -p "$dir"
  pushd "$dir" >/dev/null
  TRIENKHAI_LOG=warn TRIENKHAI_LISTEN="127.0.0.1:$port" \
    TRIENKHAI_DATABASE_URL="${TRIENKHAI_DATABASE_URL:-sqlite://$dir/bench.db}" \
    taskset -c "$SERVER_CPU" "$BIN" serve "$@" >"$dir/server.log" 2>&1 &
  echo $! >"$dir/server.pid"
  popd >/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$(cat "$dir/server.pid")" 2>/dev/null || break
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: máy chủ không chạy"; cat "$dir/server.log"; exit 1
}

stop_server() { kill "$(cat "$1/server.pid")" 2>/dev/null || true; }

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$(cat "$1/server.pid")/status"; }

# login PORT USER PASSWORD → prints the session cookie value.
login() {
  local port="$1" jar; jar="$(mktemp)"
  local csrf
  csrf=$(curl -fs -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "username=$2" \
    --data-urlencode "password=$3" --data-urlencode "next=" "http://127.0.0.1:$port/login"
  awk '$6 == "tk_session" {print $7}' "$jar"
  rm -f "$jar"
}

# run_wrk URL SECONDS CONNS [header] → prints "rps p99_ms"
run_wrk() {
  local url="$1" secs="$2" conns="$3" hdr="${4:-}"
  local out
  if [ -n "$hdr" ]; then
    out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$hdr" "$url")
  else
    out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${secs}s" --latency "$url")
  fi
  if echo "$out" | grep -q "Non-2xx"; then echo "bench: lỗi HTTP trong khi đo $url" >&2; echo "$out" >&2; exit 1; fi
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
  echo "$rps $p99"
}

free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# The tools the HTTP benchmarks use, installed when missing.
need_tools() {
  for tool in wrk sqlite3; do
    command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
  done
  need curl curl
  need python3 python3
}

# gen_scale LOG: gen-data --scale $SCALE --seed $SEED --campaigns into the
# database; its output to LOG; sets GEN_S to its seconds.
gen_scale() {
  echo "sinh dữ liệu quy mô $SCALE (seed $SEED)…"
  local t0; t0=$(date +%s%N)
  "$BIN" gen-data --scale "$SCALE" --seed "$SEED" --campaigns >"$1" 2>&1 || { cat "$1"; exit 1; }
  GEN_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
}

# ── The engine ───────────────────────────────────────────────────────────
# use_engine SQLITE_FILE PG_NAME: with PG=1 the PostgreSQL database PG_DB
# (default PG_NAME) on PGHOST:PGPORT as PGUSER (default 127.0.0.1:5432,
# postgres), otherwise the SQLite file. Sets DB (the file's absolute path or
# the database's name), ENGINE, SQL_CLIENT (what sql_ms times through) and
# TRIENKHAI_DATABASE_URL, and TRIENKHAI_DATA_DIR beside the SQLite file
# (whichever the engine); q, db_mb, fresh_db, drop_db, sql_ms and plan
# then work on it.
use_engine() {
  mkdir -p "$(dirname "$1")"
  export TRIENKHAI_DATA_DIR="$(cd "$(dirname "$1")" && pwd)/data"
  if [ "${PG:-0}" = 1 ]; then
    need psql postgresql-client
    export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
    DB="${PG_DB:-$2}"; ENGINE=PostgreSQL; SQL_CLIENT="psql \\timing"
    export TRIENKHAI_DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
  else
    need sqlite3 sqlite3
    DB="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; ENGINE=SQLite; SQL_CLIENT="python3 sqlite3"
    export TRIENKHAI_DATABASE_URL="sqlite://$DB"
  fi
}
is_pg() { [ "$ENGINE" = PostgreSQL ]; }

# q SQL → its rows, fields separated by '|', through the engine's own CLI.
q() {
  if is_pg; then psql -qAtX -F '|' -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
  else sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$1"; fi
}

# db_mb → the database's size on disk, MB.
db_mb() {
  if is_pg; then q "SELECT pg_database_size(current_database()) / 1048576"; else du -m "$DB" | cut -f1; fi
}

# drop_db: removes a PostgreSQL database the script made for itself; one
# named by PG_DB is kept, as a SQLite file named by the caller is.
drop_db() {
  if is_pg && [ -z "${PG_DB:-}" ]; then dropdb --if-exists "$DB" 2>/dev/null || true; fi
}

# fresh_db PASSWORD: a new database at DB with the administrator quantri.
# With REUSE=1 and a database already set up there, it says so and
# returns 1: the caller uses that database as it is.
fresh_db() {
  local there=0
  if is_pg; then
    psql -qAtX -d "$DB" -c "SELECT 1 FROM unit LIMIT 1" >/dev/null 2>&1 && there=1
  elif [ -s "$DB" ]; then there=1; fi
  if [ "${REUSE:-0}" = 1 ] && [ "$there" = 1 ]; then
    echo "dùng lại CSDL $DB ($ENGINE, $(vn_int "$(db_mb)") MB)"
    return 1
  fi
  if is_pg; then dropdb --if-exists "$DB"; createdb "$DB"; else rm -f "$DB" "$DB-wal" "$DB-shm"; fi
  "$BIN" migrate >/dev/null
  echo "$1" | "$BIN" create-admin --username quantri --password-stdin >/dev/null
}

# sql_ms FILE REPS → the median ms of REPS runs of FILE's one statement
# (no trailing ';') after a warm-up, in one client session on CPU
# $LOAD_CPU, every row fetched: python3's sqlite3 module (the system
# SQLite) or psql's \timing.
sql_ms() {
  if is_pg; then
    { echo '\timing on'; for _ in $(seq 0 "$2"); do cat "$1"; echo ";"; done; } \
      | taskset -c "$LOAD_CPU" psql -qAtX -o /dev/null -v ON_ERROR_STOP=1 -d "$DB" \
      | awk '/^Time:/ {n++; if (n > 1) print $2}'
  else
    taskset -c "$LOAD_CPU" python3 -c '
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1])
sql = open(sys.argv[2], encoding="utf-8").read()
con.execute(sql).fetchall()
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); con.execute(sql).fetchall(); print((time.perf_counter() - t) * 1000)
' "$DB" "$1" "$2"
  fi | sort -g | awk '{a[NR] = $1} END {printf "%.4f\n", a[int((NR + 1) / 2)]}'
}

# plan FILE → the plan of FILE's statement on one line, its steps joined
# by " / " (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN).
plan() {
  # The sqlite3 CLI draws a tree ("QUERY PLAN", "|--SCAN t", "`--USE …").
  if is_pg; then q "EXPLAIN (COSTS OFF) $(cat "$1")"; else q "EXPLAIN QUERY PLAN $(cat "$1")" | grep -v '^QUERY PLAN$'; fi \
    | sed 's/^[|` -]*//; s/^> *//' | paste -sd'~' - | sed 's/~/ \/ /g'
}
# A plan step that sorts rows, which an index in the list's order avoids.
SORT_STEP='TEMP B-TREE|(^| / )(Incremental )?Sort( |$)'

# Vietnamese number formats: 35.599 and 99,16.
vn_int() { awk -v x="$1" 'BEGIN {s = sprintf("%d", x + 0.5); o = ""; while (length(s) > 3) {o = "." substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3)}; print s o}'; }
vn_dec() { awk -v x="$1" -v d="$2" 'BEGIN {s = sprintf("%." d "f", x); sub(/\./, ",", s); print s}'; }
verdict() { if awk "BEGIN {exit !($1)}"; then echo "ĐẠT"; else echo "CHƯA ĐẠT"; fi; }
# wrk's latency ("812.00us", "3.2ms", "1.01s") in milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}'; }
# figures WRK_OUTPUT WHAT → "rps p50_ms p99_ms"; an HTTP error stops the run.
figures() {
  if echo "$1" | grep -qE "Non-2xx|Socket errors"; then echo "bench: lỗi trong khi đo $2" >&2; echo "$1" >&2; exit 1; fi
  echo "$(echo "$1" | awk '/Requests\/sec/ {print $2}') $(echo "$1" | awk '$1 == "50%" {print $2}' | to_ms) $(echo "$1" | awk '$1 == "99%" {print $2}' | to_ms)"
}
