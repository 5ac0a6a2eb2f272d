#!/usr/bin/env bash
# List-page benchmark (issue #6 "Lists") on SQLite or PostgreSQL (PG=1):
# the document register
# GET /documents, keyset-paged on (issued_on, id), 50 rows a page.
# `trienkhai gen-data --documents $DOCS` fills a fresh register (default
# 200.000; 1.000.000 takes 2–3,5 minutes to generate on the 2-core bench
# machine and 7,5 GB of disk). LISTS_DB=/path/bench.db keeps the database
# after the run; with REUSE=1 an existing one (made by this script: its
# admin password) is used as it is. Then, signed in as the office admin:
#   (a) page 1 and page $DEEP_PAGE (default 1.000: the cursor after=
#       issued_on~id of row (1.000 − 1) × 50 = 49.950, found by one SQL
#       query with the list's ORDER BY) as the htmx partial (HX-Request:
#       true, rows only), and page 1 as the full page (filters, total);
#   (b) the baselines: /livez (the server's static handler) and
#       bench/bare_list, the same SQL behind a bare axum handler (no
#       session, no template engine), for page 1 and page $DEEP_PAGE;
#   (c) filtered: the commonest type (index type_code, issued_on, id) and
#       the fullest year (an issued_on range), page 1 and the last full page
#       (at most $DEEP_PAGE) of each, judged against the same 1,2× but not
#       under BENCH_STRICT (issue #6 sets the target for the whole list);
#   (d) the same SQL straight through the driver (one client session:
#       python3's sqlite3, or psql's \timing; median of SQL_RUNS runs),
#       with what OFFSET paging and a COUNT(*) total would cost instead,
#       and the query plans.
# Rows are checked: app, bare handler and SQL return the same ids. The
# total on the full page must come from the kept counter: the counter row
# is bumped for one request and the page must show the bumped number.
# Targets: page $DEEP_PAGE within 1,2× of page 1 (median latency); the
# app's list ≥ 0,5× the throughput of the bare handler; no sort step
# (SQLite's TEMP B-TREE, PostgreSQL's Sort) in the list's plans; the
# total from the counter.
# PG=1: a fresh PostgreSQL database tk_lists_<pid> on PGHOST:PGPORT
# (default 127.0.0.1:5432, user postgres), dropped after; PG_DB=name keeps
# it, and with REUSE=1 an existing one is used as it is (the national one
# of bench/all.sh, say).
#
# HTTP: both servers pinned to CPU $SERVER_CPU, wrk on CPU $LOAD_CPU, CONNS
# connections (default 8), SECS seconds a run (default 10), a warm-up, an
# idle gate before each run, the median of RUNS (default 3), the pages
# interleaved in each round. Then page 1 and page $DEEP_PAGE at a constant
# rate (bench/pace.lua, PACED_CONNS connections, default 64) of PACED_RATE
# requests/s (default half of page 1's flat-out rate in this run): p99.
# About 11 minutes after the data when the machine is idle.
#
# SMOKE=1 (CI, on a shared busy machine): DOCS 20.000, so the deep page is
# the last one (page 400, rows 19.951–20.000); SECS 2, one run, one idle
# gate (IDLE_WAIT, default 0), no filters and no paced runs; about 30 s after
# the data. Only floors that catch real regressions are judged: the deep
# page ≤ 2× page 1 (OFFSET paging, or a cursor the index cannot seek,
# skips 19.950 rows: about 0,6 ms of SQL on a request that costs 0,2 ms
# of server time, so the last page would be about 4× page 1), the app ≥
# 0,2× the bare handler (an N+1 query per row adds 50 queries of about
# 50 µs each: 0,1× or less), no TEMP B-TREE, the total
# from the counter. BENCH_STRICT=1 makes a missed target exit non-zero.
source "$(dirname "$0")/lib.sh"
SMOKE="${SMOKE:-0}"
if [ "$SMOKE" = 1 ]; then
  DOCS="${DOCS:-20000}"; SECS="${SECS:-2}"; RUNS="${RUNS:-1}"; export IDLE_WAIT="${IDLE_WAIT:-0}"
  SQL_RUNS="${SQL_RUNS:-51}"; DEEP_MAX=2; BARE_MIN=0.2
else
  DOCS="${DOCS:-200000}"; SECS="${SECS:-10}"; RUNS="${RUNS:-3}"
  SQL_RUNS="${SQL_RUNS:-201}"; DEEP_MAX=1.2; BARE_MIN=0.5
fi
DEEP_PAGE="${DEEP_PAGE:-1000}"
CONNS="${CONNS:-8}"
PACED_CONNS="${PACED_CONNS:-64}"
REUSE="${REUSE:-0}"
PORT="${PORT:-$(free_port)}"
BARE_PORT="${BARE_PORT:-$(free_port)}"
PASSWORD="matkhau-do-hieu-nang"
PAGE=50
BARE="${CARGO_TARGET_DIR:-$ROOT/target}/release/bare_list"

need_tools
build

WORK="$(mktemp -d /tmp/trienkhai-lists.XXXXXX)"
use_engine "${LISTS_DB:-$WORK/bench.db}" "tk_lists_$$"
SRV=""; BARE_PID=""
trap '[ -n "$SRV" ] && stop_server "$SRV"; [ -n "$BARE_PID" ] && kill "$BARE_PID" 2>/dev/null; drop_db; rm -rf "$WORK"' EXIT
export TRIENKHAI_LOG=warn
unset TRIENKHAI_CONFIG

# ── 1. Data ──────────────────────────────────────────────────────────────
GEN_RATE=""
if fresh_db "$PASSWORD"; then
  echo "sinh $(vn_int "$DOCS") văn bản…"
  t0=$(date +%s%N)
  "$BIN" gen-data --documents "$DOCS" >"$WORK/gen.out" 2>&1 || { cat "$WORK/gen.out"; exit 1; }
  t1=$(date +%s%N)
  GEN_RATE=$(awk -v n="$DOCS" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / ((b - a) / 1e9)}')
  echo "  $(tail -1 "$WORK/gen.out")"
fi
DOCS=$(q "SELECT COUNT(*) FROM document")
KEPT=$(q "SELECT value FROM counter WHERE key = 'documents'")
[ "$DOCS" -gt $((2 * PAGE)) ] || { echo "bench: cần hơn $((2 * PAGE)) văn bản, có $DOCS" >&2; exit 1; }
[ "$KEPT" = "$DOCS" ] || { echo "bench: bộ đếm văn bản ($KEPT) khác số dòng ($DOCS)" >&2; exit 1; }
echo "CSDL: $(vn_int "$DOCS") văn bản, $(vn_int "$(db_mb)") MB ($ENGINE)"

# The cursor of page P is the (issued_on, id) of the last row of page P - 1,
# i.e. row (P - 1) × 50 in the list's order; a page past the end becomes
# the last full one (a shorter last page would be cheaper than page 1).
# cursor PAGE_NO [WHERE …] → "issued_on~id".
LIST_ORDER="ORDER BY issued_on DESC, id DESC"
full_pages() { echo $(( $1 / PAGE )); }
cursor() {
  q "SELECT issued_on || '~' || id FROM document ${2:-} $LIST_ORDER LIMIT 1 OFFSET $(( ($1 - 1) * PAGE - 1 ))"
}
[ "$DEEP_PAGE" -le "$(full_pages "$DOCS")" ] || DEEP_PAGE=$(full_pages "$DOCS")
DEEP=$(cursor "$DEEP_PAGE")
# Filtered variants: the commonest type and the fullest year.
FILTERS=0
if [ "$SMOKE" != 1 ]; then
  IFS='|' read -r TYPE N_TYPE < <(q "SELECT type_code, COUNT(*) FROM document GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
  IFS='|' read -r YEAR N_YEAR < <(q "SELECT substr(issued_on, 1, 4), COUNT(*) FROM document WHERE issued_on <> '' GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
  TYPE_PAGE=$(full_pages "$N_TYPE"); [ "$TYPE_PAGE" -le "$DEEP_PAGE" ] || TYPE_PAGE=$DEEP_PAGE
  YEAR_PAGE=$(full_pages "$N_YEAR"); [ "$YEAR_PAGE" -le "$DEEP_PAGE" ] || YEAR_PAGE=$DEEP_PAGE
  if [ "$TYPE_PAGE" -ge 3 ] && [ "$YEAR_PAGE" -ge 3 ]; then
    FILTERS=1
    TYPE_DEEP=$(cursor "$TYPE_PAGE" "WHERE type_code = '$TYPE'")
    YEAR_DEEP=$(cursor "$YEAR_PAGE" "WHERE issued_on >= '$YEAR-01-01' AND issued_on < '$((YEAR + 1))-01-01'")
    TYPE_ENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$TYPE")
  fi
fi

# ── 2. SQL straight through the driver ───────────────────────────────────
# document::list's SQL as it runs for the office (no secrecy filter), and
# with a member's `secrecy = ''`, the cursors written in: one file a case.
mkdir -p "$WORK/sql"
S="SELECT id, direction, symbol, type_name, issued_on, subject, secrecy FROM document"
O="ORDER BY issued_on DESC, id DESC LIMIT $((PAGE + 1))"
after() { echo "(issued_on, id) < ('${1%~*}', ${1#*~})"; }
case_sql() { echo "$2" >"$WORK/sql/$1.sql"; CASES+=("$1"); }
CASES=()
case_sql p1 "$S $O"
case_sql deep "$S WHERE $(after "$DEEP") $O"
case_sql member_p1 "$S WHERE secrecy = '' $O"
case_sql member_deep "$S WHERE secrecy = '' AND $(after "$DEEP") $O"
# What OFFSET paging and a counted total would cost instead.
case_sql offset "$S $O OFFSET $(( (DEEP_PAGE - 1) * PAGE ))"
case_sql count "SELECT COUNT(*) FROM document"
if [ "$FILTERS" = 1 ]; then
  Y="issued_on >= '$YEAR-01-01' AND issued_on < '$((YEAR + 1))-01-01'"
  case_sql type_p1 "$S WHERE type_code = '$TYPE' $O"
  case_sql type_deep "$S WHERE type_code = '$TYPE' AND $(after "$TYPE_DEEP") $O"
  case_sql year_p1 "$S WHERE $Y $O"
  case_sql year_deep "$S WHERE $Y AND $(after "$YEAR_DEEP") $O"
  # An outgoing-only filter: no index has direction; gen-data's register
  # has none, so every row is read.
  case_sql out_p1 "$S WHERE direction = 'out' $O"
fi
# Only the list's own cases count for sorts: OFFSET, COUNT(*) and the
# outgoing filter are shown for what they would cost.
echo
echo "kế hoạch truy vấn ($ENGINE):"
TEMP_SORTS=0
for c in "${CASES[@]}"; do
  pl=$(plan "$WORK/sql/$c.sql")
  echo "  $c: $pl"
  case "$c" in offset | count | out_p1) ;; *) echo "$pl" | grep -qE "$SORT_STEP" && TEMP_SORTS=$((TEMP_SORTS + 1)) ;; esac
done

idle_gate
echo "đo SQL ($SQL_CLIENT, trung vị $SQL_RUNS lần)…"
declare -A SQL_MS SQL_IDS
for c in "${CASES[@]}"; do
  reps=$SQL_RUNS
  case "$c" in offset | count | out_p1) reps=$(( SQL_RUNS / 20 > 3 ? SQL_RUNS / 20 : 3 )) ;; esac
  SQL_MS[$c]=$(sql_ms "$WORK/sql/$c.sql" "$reps")
  SQL_IDS[$c]=$(q "$(cat "$WORK/sql/$c.sql")" | cut -d'|' -f1 | awk -v n="$PAGE" 'NR <= n' | paste -sd, -)
done

# ── 3. Servers ───────────────────────────────────────────────────────────
SRV="$WORK"
start_server "$WORK" "$PORT"
taskset -c "$SERVER_CPU" "$BARE" "$TRIENKHAI_DATABASE_URL" "127.0.0.1:$BARE_PORT" >"$WORK/bare.log" 2>&1 &
BARE_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$BARE_PORT/livez" >/dev/null 2>&1 && break
  kill -0 "$BARE_PID" 2>/dev/null || { cat "$WORK/bare.log"; exit 1; }
  sleep 0.1
done
APP="http://127.0.0.1:$PORT"
BASE_BARE="http://127.0.0.1:$BARE_PORT"
COOKIE="Cookie: tk_session=$(login "$PORT" quantri "$PASSWORD")"
HX="HX-Request: true"

# ids URL [headers…] → the document ids of the page's rows, comma-separated.
ids() {
  local url="$1"; shift
  local args=() h
  for h in "$@"; do args+=(-H "$h"); done
  curl -fs "${args[@]}" "$url" | grep -o 'href="/documents/[0-9]*"' | grep -o '[0-9]*' | paste -sd, -
}
same() {
  if [ -z "$2" ] || [ "$2" != "${SQL_IDS[$3]}" ]; then
    echo "bench: $1: các dòng khác SQL ($(echo "$2" | tr ',' '\n' | grep -c .) dòng)" >&2; exit 1
  fi
}
same "trang 1 (ứng dụng)" "$(ids "$APP/documents" "$COOKIE" "$HX")" p1
same "trang $DEEP_PAGE (ứng dụng)" "$(ids "$APP/documents?after=$DEEP" "$COOKIE" "$HX")" deep
same "trang 1 (bare)" "$(ids "$BASE_BARE/documents")" p1
same "trang $DEEP_PAGE (bare)" "$(ids "$BASE_BARE/documents?after=$DEEP")" deep
DEEP_ROWS=$(echo "${SQL_IDS[deep]}" | tr ',' '\n' | grep -c .)
if [ "$FILTERS" = 1 ]; then
  same "loại $TYPE, trang 1" "$(ids "$APP/documents?type=$TYPE_ENC" "$COOKIE" "$HX")" type_p1
  same "loại $TYPE, trang $TYPE_PAGE" "$(ids "$APP/documents?type=$TYPE_ENC&after=$TYPE_DEEP" "$COOKIE" "$HX")" type_deep
  same "năm $YEAR, trang 1" "$(ids "$APP/documents?year=$YEAR" "$COOKIE" "$HX")" year_p1
  same "năm $YEAR, trang $YEAR_PAGE" "$(ids "$APP/documents?year=$YEAR&after=$YEAR_DEEP" "$COOKIE" "$HX")" year_deep
fi
echo "trang $DEEP_PAGE: after=$DEEP, $DEEP_ROWS dòng, như SQL (ứng dụng và bare)"

# The total on the full page: the counter row, bumped by 7 for one request.
total_shown() { curl -fs -H "$COOKIE" "$APP/documents" | grep -o '([0-9.]* văn bản)' | head -1 | tr -dc '0-9'; }
SHOWN=$(total_shown || true)
q "UPDATE counter SET value = value + 7 WHERE key = 'documents'"
BUMPED=$(total_shown || true)
q "UPDATE counter SET value = value - 7 WHERE key = 'documents'"
COUNTER_OK=0
[ "$SHOWN" = "$DOCS" ] && [ "$BUMPED" = "$((DOCS + 7))" ] && COUNTER_OK=1
echo "tổng trên trang: $SHOWN; khi bộ đếm +7: $BUMPED"

# ── 4. Load ──────────────────────────────────────────────────────────────
# Each scenario: "label|url|headers" (headers separated by ';').
SCEN=(
  "livez|$APP/livez|"
  "app_p1|$APP/documents|$COOKIE;$HX"
  "app_deep|$APP/documents?after=$DEEP|$COOKIE;$HX"
  "bare_p1|$BASE_BARE/documents|"
  "bare_deep|$BASE_BARE/documents?after=$DEEP|"
  "app_full|$APP/documents|$COOKIE"
)
if [ "$FILTERS" = 1 ]; then
  SCEN+=(
    "type_p1|$APP/documents?type=$TYPE_ENC|$COOKIE;$HX"
    "type_deep|$APP/documents?type=$TYPE_ENC&after=$TYPE_DEEP|$COOKIE;$HX"
    "year_p1|$APP/documents?year=$YEAR|$COOKIE;$HX"
    "year_deep|$APP/documents?year=$YEAR&after=$YEAR_DEEP|$COOKIE;$HX"
  )
fi

# wrk_run SECONDS SCENARIO [lua rate] → "rps p50_ms p99_ms"
wrk_run() {
  local label url hdrs args=() h out
  IFS='|' read -r label url hdrs <<<"$2"
  IFS=';' read -ra hs <<<"$hdrs"
  for h in "${hs[@]}"; do [ -n "$h" ] && args+=(-H "$h"); done
  if [ -n "${3:-}" ]; then
    local path="/${url#http://*/}"
    out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$PACED_CONNS" -d"${1}s" --latency -s "$3" "${args[@]}" "$url" -- "$4" "$path")
  else
    out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${1}s" --latency "${args[@]}" "$url")
  fi
  figures "$out" "$label"
}

declare -A R P50 P99
echo "đo ($CONNS kết nối, $SECS s mỗi lần, $RUNS lần)…"
for s in "${SCEN[@]}"; do wrk_run 1 "$s" >/dev/null; done
[ "$SMOKE" = 1 ] && idle_gate
for i in $(seq 1 "$RUNS"); do
  line="lần $i:"
  for s in "${SCEN[@]}"; do
    label="${s%%|*}"
    [ "$SMOKE" = 1 ] || idle_gate
    read -r r a b < <(wrk_run "$SECS" "$s")
    [ -n "${b:-}" ] || exit 1
    R[$label]+="$r "; P50[$label]+="$a "; P99[$label]+="$b "
    line+=" $label $r rps ($a / $b ms)"
  done
  echo "$line"
done
# med LIST → the median of a space-separated list.
med() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A r p50 p99
for s in "${SCEN[@]}"; do
  label="${s%%|*}"
  r[$label]=$(med "${R[$label]}"); p50[$label]=$(med "${P50[$label]}"); p99[$label]=$(med "${P99[$label]}")
done

PACED=0
if [ "$SMOKE" != 1 ]; then
  PACED=1
  PACED_RATE="${PACED_RATE:-$(awk -v r="${r[app_p1]}" 'BEGIN {printf "%d", r / 2}')}"
  { echo "dofile(\"$BENCH_DIR/pace.lua\")"
    echo 'function init(args) pace_init(args[1]); path = args[2] end'
    echo 'request = function() return wrk.format("GET", path) end'
    echo 'delay = pace'; } >"$WORK/paced.lua"
  echo "nhịp đều $PACED_RATE yêu cầu/s ($PACED_CONNS kết nối, $SECS s mỗi lần)…"
  declare -A PR PP50 PP99
  for i in $(seq 1 "$RUNS"); do
    line="lần $i:"
    for s in "${SCEN[1]}" "${SCEN[2]}"; do
      label="${s%%|*}"
      idle_gate
      read -r a b c < <(wrk_run "$SECS" "$s" "$WORK/paced.lua" "$PACED_RATE")
      [ -n "${c:-}" ] || exit 1
      PR[$label]+="$a "; PP50[$label]+="$b "; PP99[$label]+="$c "
      line+=" $label $a rps ($b / $c ms)"
    done
    echo "$line"
  done
  declare -A pr pp50 pp99
  for label in app_p1 app_deep; do
    pr[$label]=$(med "${PR[$label]}"); pp50[$label]=$(med "${PP50[$label]}"); pp99[$label]=$(med "${PP99[$label]}")
  done
fi

# ── 5. Report ────────────────────────────────────────────────────────────
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
per_req() { awk -v x="$1" 'BEGIN {printf "%.3f", 1000 / x}'; }
DEEP_RATIO=$(ratio "${p50[app_deep]}" "${p50[app_p1]}")
BARE_RATIO=$(ratio "${r[app_p1]}" "${r[bare_p1]}")
BARE_DEEP_RATIO=$(ratio "${r[app_deep]}" "${r[bare_deep]}")
LIVEZ_RATIO=$(ratio "${r[app_p1]}" "${r[livez]}")
SQL_DEEP_RATIO=$(ratio "${SQL_MS[deep]}" "${SQL_MS[p1]}")
OFFSET_RATIO=$(ratio "${SQL_MS[offset]}" "${SQL_MS[deep]}")

declare -A NAME=(
  [livez]="/livez (tĩnh)" [app_p1]="ứng dụng, trang 1 (htmx)" [app_deep]="ứng dụng, trang $DEEP_PAGE (htmx)"
  [bare_p1]="bare, trang 1" [bare_deep]="bare, trang $DEEP_PAGE" [app_full]="ứng dụng, trang 1 (cả trang)"
  [type_p1]="loại ${TYPE:-}, trang 1" [type_deep]="loại ${TYPE:-}, trang ${TYPE_PAGE:-}"
  [year_p1]="năm ${YEAR:-}, trang 1" [year_deep]="năm ${YEAR:-}, trang ${YEAR_PAGE:-}"
)
declare -A SQL_OF=([app_p1]=p1 [app_deep]=deep [bare_p1]=p1 [bare_deep]=deep [app_full]=p1
  [type_p1]=type_p1 [type_deep]=type_deep [year_p1]=year_p1 [year_deep]=year_deep)
echo
echo "| trang ($ENGINE, $CONNS kết nối, trung vị $RUNS lần) | rps | trung vị, ms | p99, ms | ms mỗi yêu cầu (1000 ÷ rps, 1 lõi) | SQL riêng ($SQL_CLIENT), ms |"
echo "|---|---:|---:|---:|---:|---:|"
for s in "${SCEN[@]}"; do
  label="${s%%|*}"
  sql="${SQL_OF[$label]:-}"
  echo "| ${NAME[$label]} | $(vn_int "${r[$label]}") | $(vn_dec "${p50[$label]}" 2) | $(vn_dec "${p99[$label]}" 2) | $(vn_dec "$(per_req "${r[$label]}")" 3) | ${sql:+$(vn_dec "${SQL_MS[$sql]}" 3)} |"
done
echo
echo "| SQL ($SQL_CLIENT, một phiên, trung vị) | ms |"
echo "|---|---:|"
echo "| trang 1 (văn phòng) | $(vn_dec "${SQL_MS[p1]}" 3) |"
echo "| trang $DEEP_PAGE, con trỏ after= | $(vn_dec "${SQL_MS[deep]}" 3) |"
echo "| trang 1, đảng viên (secrecy = '') | $(vn_dec "${SQL_MS[member_p1]}" 3) |"
echo "| trang $DEEP_PAGE, đảng viên | $(vn_dec "${SQL_MS[member_deep]}" 3) |"
echo "| trang $DEEP_PAGE bằng OFFSET $(vn_int $(( (DEEP_PAGE - 1) * PAGE ))) (không dùng) | $(vn_dec "${SQL_MS[offset]}" 3) |"
echo "| COUNT(*) cả sổ (không dùng: tổng lấy từ bộ đếm) | $(vn_dec "${SQL_MS[count]}" 3) |"
if [ "$FILTERS" = 1 ]; then
  echo "| loại $TYPE ($(vn_int "$N_TYPE") văn bản), trang 1 / trang $TYPE_PAGE | $(vn_dec "${SQL_MS[type_p1]}" 3) / $(vn_dec "${SQL_MS[type_deep]}" 3) |"
  echo "| năm $YEAR ($(vn_int "$N_YEAR") văn bản), trang 1 / trang $YEAR_PAGE | $(vn_dec "${SQL_MS[year_p1]}" 3) / $(vn_dec "${SQL_MS[year_deep]}" 3) |"
  echo "| chỉ văn bản đi (direction = 'out'), trang 1 | $(vn_dec "${SQL_MS[out_p1]}" 1) |"
fi

echo
echo "| phép đo ($ENGINE, $(vn_int "$DOCS") văn bản$([ "$SMOKE" = 1 ] && echo ", SMOKE: một lần ${SECS} s")) | giá trị | mục tiêu | kết quả |"
echo "|---|---:|---:|---|"
[ -n "$GEN_RATE" ] && echo "| \`gen-data\`, văn bản/s | $(vn_int "$GEN_RATE") | — | |"
echo "| trang $DEEP_PAGE ÷ trang 1, trung vị độ trễ (HTTP, htmx) | $(vn_dec "$DEEP_RATIO" 2)× | ≤ $(vn_dec "$DEEP_MAX" 1)× | $(verdict "$DEEP_RATIO <= $DEEP_MAX") |"
echo "| ứng dụng ÷ bare, thông lượng trang 1 | $(vn_dec "$BARE_RATIO" 2)× | ≥ $(vn_dec "$BARE_MIN" 1)× | $(verdict "$BARE_RATIO >= $BARE_MIN") |"
echo "| ứng dụng ÷ bare, thông lượng trang $DEEP_PAGE | $(vn_dec "$BARE_DEEP_RATIO" 2)× | ≥ $(vn_dec "$BARE_MIN" 1)× | $(verdict "$BARE_DEEP_RATIO >= $BARE_MIN") |"
echo "| kế hoạch truy vấn của danh sách có bước sắp xếp (TEMP B-TREE, Sort) | $TEMP_SORTS | 0 | $(verdict "$TEMP_SORTS == 0") |"
echo "| tổng trên trang lấy từ bộ đếm (bộ đếm +7 → trang +7) | $(vn_int "$SHOWN") → $(vn_int "${BUMPED:-0}") | từ bộ đếm | $(verdict "$COUNTER_OK == 1") |"
echo "| ứng dụng trang 1 ÷ /livez, thông lượng | $(vn_dec "$LIVEZ_RATIO" 2)× | — | |"
echo "| SQL trang $DEEP_PAGE ÷ trang 1 ($SQL_CLIENT) | $(vn_dec "$SQL_DEEP_RATIO" 2)× | — | OFFSET thay con trỏ: $(vn_dec "$OFFSET_RATIO" 0)× chậm hơn |"
if [ "$PACED" = 1 ]; then
  echo "| nhịp đều $PACED_RATE/s, trang 1 (đạt $(vn_int "${pr[app_p1]}")/s): trung vị / p99, ms | $(vn_dec "${pp50[app_p1]}" 2) / $(vn_dec "${pp99[app_p1]}" 2) | — | |"
  echo "| nhịp đều $PACED_RATE/s, trang $DEEP_PAGE (đạt $(vn_int "${pr[app_deep]}")/s): trung vị / p99, ms | $(vn_dec "${pp50[app_deep]}" 2) / $(vn_dec "${pp99[app_deep]}" 2) | — | p99 $(vn_dec "$(ratio "${pp99[app_deep]}" "${pp99[app_p1]}")" 2)× trang 1 |"
fi
if [ "$FILTERS" = 1 ]; then
  TYPE_RATIO=$(ratio "${p50[type_deep]}" "${p50[type_p1]}")
  YEAR_RATIO=$(ratio "${p50[year_deep]}" "${p50[year_p1]}")
  echo "| lọc loại $TYPE: trang $TYPE_PAGE ÷ trang 1, trung vị độ trễ | $(vn_dec "$TYPE_RATIO" 2)× | ≤ 1,2× | $(verdict "$TYPE_RATIO <= 1.2") |"
  echo "| lọc năm $YEAR: trang $YEAR_PAGE ÷ trang 1, trung vị độ trễ | $(vn_dec "$YEAR_RATIO" 2)× | ≤ 1,2× | $(verdict "$YEAR_RATIO <= 1.2") |"
fi
if [ "${BENCH_STRICT:-0}" = 1 ] && ! awk "BEGIN {exit !($DEEP_RATIO <= $DEEP_MAX && $BARE_RATIO >= $BARE_MIN \
    && $BARE_DEEP_RATIO >= $BARE_MIN && $TEMP_SORTS == 0 && $COUNTER_OK == 1)}"; then
  exit 1
fi
