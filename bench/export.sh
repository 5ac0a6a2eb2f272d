#!/usr/bin/env bash
# Report export benchmark (issue #6; performance.md §6, scenario 5), on
# SQLite or PostgreSQL (PG=1), on a generated tree: `trienkhai gen-data --scale $SCALE
# --campaigns` (default province: 140.000 members, one campaign). Then,
# signed in as quantri, against the server pinned to CPU $SERVER_CPU (curl
# on CPU $LOAD_CPU):
#   (a) the member roster of the whole tree (at nation, of a province),
#       GET /units/{id}/export as XLSX and as CSV: one warm-up, then RUNS
#       repetitions (median), an idle gate before each request; rows =
#       data records of the CSV. The XLSX time also as time to first byte
#       (the file is written whole before it is sent). During each XLSX
#       export the server's VmRSS is sampled every 20 ms (and its VmHWM
#       reset before and read after); the figure is the peak minus the RSS
#       just before the request.
#   (b) in-run baselines on the same rows: the export's SELECT, unpaged,
#       streamed to CSV by the engine's CLI (sqlite3, or psql's COPY …
#       TO STDOUT; same core as the server); and
#       openpyxl (write_only, bold header, frozen pane) writing the rows of
#       the CSV just exported, already in memory, on the same core, once.
#       Each run times XLSX, CSV and sqlite3 back to back; a ratio is taken
#       within a run, and the median of the runs' ratios is reported.
#   (c) the committee's report, GET /campaigns/{id}/report.docx and
#       report.xlsx (median of RUNS), each checked to be a sound zip.
# Targets: XLSX ≥ 150.000 rows/s; server RSS ≤ 64 MB above its level
# before the export; XLSX time ≤ 4× the CSV export's time and ≤ 4× the
# time to stream the same SELECT to CSV (sqlite3); ≥ 30× faster than
# openpyxl; DOCX ≤ 1 s.
#
# SMOKE=1 (CI, a busy shared 2-core machine): SCALE=ci (3.000 rows), no
# idle gate,
# the median of 3 runs (a run takes about 0,1 s; single
# runs here swung 0,8–2,9× on the first ratio), no absolute targets, only
# floors a real regression crosses while fixed costs (HTTP, the zip
# container, sqlite3's and python's start-up) dominate:
#   XLSX ≤ 5× the CSV export (about 1,7× on the ci tier): a per-row cost
#   in the XLSX writer alone (shared strings, a second pass, a formatter
#   per cell) shows up here, as both share the query;
#   XLSX ≤ 8× the unpaged SELECT through sqlite3 (about 2–3,5×): a query
#   per row (3.000 × ≥ 40 µs) or a page of one crosses it;
#   not slower than openpyxl (about 5–6× faster on the ci tier);
#   RSS ≤ 64 MB above its level before the export (about 4 MB here; only
#   a gross leak shows at 3.000 rows, a writer holding the whole file in
#   memory would not).
# The ci tier is too small to show a cost that grows with the square of
# the rows (every page re-sorting the subtree); the province run shows it.
# DOCX and the campaign's XLSX are only checked to be sound there.
#
# SCALE=ci|province|nation. EXPORT_DB=/path/bench.db keeps the database
# after the run; with REUSE=1 an existing one is used as it is (its admin
# quantri must have the password EXPORT_PASSWORD, by default the one
# cascade.sh sets). The server writes sessions into it: use a copy, never a
# pristine file. An XLSX sheet holds 1.048.576 rows, so when the tree has
# more members (nation) the largest top-level unit is exported instead;
# EXPORT_UNIT=id picks another. RUNS (default 3) repetitions.
# PG=1: a fresh PostgreSQL database tk_export_<pid> on PGHOST:PGPORT
# (default 127.0.0.1:5432, user postgres), dropped after; PG_DB=name keeps
# it, and with REUSE=1 an existing one is used as it is.
# BENCH_STRICT=1 makes a missed target exit non-zero.
source "$(dirname "$0")/lib.sh"
SMOKE="${SMOKE:-0}"
if [ "$SMOKE" = 1 ]; then
  SCALE="${SCALE:-ci}"; export IDLE_WAIT="${IDLE_WAIT:-0}"; RUNS="${RUNS:-3}"
else
  SCALE="${SCALE:-province}"; RUNS="${RUNS:-3}"
fi
SEED="${SEED:-1}"
REUSE="${REUSE:-0}"
PORT="${PORT:-$(free_port)}"
PASSWORD="${EXPORT_PASSWORD:-matkhau-do-hieu-nang}"
SHEET_ROWS=1048575 # data rows under the header

need curl curl
need python3 python3
need taskset util-linux
build_bin

WORK="$(mktemp -d /tmp/trienkhai-export.XXXXXX)"
SRV=""
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$SRV" ] && stop_server "$SRV"
  drop_db
  rm -rf "$WORK"
}
trap cleanup EXIT
use_engine "${EXPORT_DB:-$WORK/bench.db}" "tk_export_$$"
case "$(basename "$DB")" in
  pristine*) echo "bench: không dùng $DB (bản gốc); hãy chép ra một bản và đặt EXPORT_DB" >&2; exit 2 ;;
esac
export TRIENKHAI_LOG=warn
unset TRIENKHAI_CONFIG
# A gate before each request, but in smoke mode only one, before the runs.
gate() { [ "$SMOKE" = 1 ] || idle_gate; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", (b - a) / 1e9}'; }

# ── 1. Data ──────────────────────────────────────────────────────────────
GEN_S=""
if fresh_db "$PASSWORD"; then
  gen_scale "$WORK/gen.out"
  sed 's/^/  /' "$WORK/gen.out"
fi
ROOT_ID=$(q "SELECT id FROM unit WHERE parent_id IS NULL AND code LIKE 'TQ%' ORDER BY id LIMIT 1")
[ -n "$ROOT_ID" ] || { echo "bench: không thấy cây sinh sẵn (đơn vị gốc TQ)" >&2; exit 1; }
CID=$(q "SELECT id FROM campaign WHERE unit_id = $ROOT_ID ORDER BY id DESC LIMIT 1")
if [ -n "${EXPORT_UNIT:-}" ]; then
  UNIT="$EXPORT_UNIT"
elif [ "$(q "SELECT COUNT(*) FROM membership WHERE valid_to IS NULL")" -le "$SHEET_ROWS" ]; then
  UNIT="$ROOT_ID"
elif [ -n "$CID" ]; then
  # The campaign's kept roll-up has each unit's roll: the largest province.
  UNIT=$(q "SELECT unit_id FROM campaign_tally WHERE campaign_id = $CID AND parent_id = $ROOT_ID ORDER BY roll DESC LIMIT 1")
else
  UNIT=$(q "SELECT c.id FROM unit c WHERE c.parent_id = $ROOT_ID ORDER BY (SELECT COUNT(*) FROM unit d
    JOIN membership m ON m.unit_id = d.id AND m.valid_to IS NULL
    WHERE d.path >= c.path AND d.path < rtrim(c.path, '/') || '0') DESC LIMIT 1")
fi
IFS='|' read -r UNIT_CODE UNIT_PATH < <(q "SELECT u.code, v.path FROM unit u JOIN unit_version v ON v.unit_id = u.id
  WHERE u.id = $UNIT AND v.valid_to IS NULL ORDER BY v.valid_from DESC LIMIT 1")
[ -n "${UNIT_PATH:-}" ] || { echo "bench: không thấy đơn vị $UNIT" >&2; exit 1; }
TODAY=$(date +%F)
# member::list's SELECT (crates/db/src/member.rs) without its keyset cursor
# and page limit: one statement for the whole subtree, in the same order.
SELECT_SQL="SELECT p.id, p.family_name, p.middle_name, p.given_name, p.birth_date, p.gender,
    p.card_no, p.phone, p.email, p.address, p.admitted_on, p.official_on,
    m.status, m.valid_from AS since, u.id AS unit_id, u.code AS unit_code,
    v.name AS unit_name, p.sort_key
  FROM unit_version v JOIN unit u ON u.id = v.unit_id
  JOIN membership m ON m.unit_id = v.unit_id
  JOIN person p ON p.id = m.person_id
  WHERE v.path >= '$UNIT_PATH' AND v.path < rtrim('$UNIT_PATH', '/') || '0'
    AND v.valid_from <= '$TODAY' AND (v.valid_to IS NULL OR v.valid_to >= '$TODAY')
    AND m.valid_from <= '$TODAY' AND (m.valid_to IS NULL OR m.valid_to >= '$TODAY')
  ORDER BY p.sort_key, p.id"

# ── 2. Helpers ───────────────────────────────────────────────────────────
# Peak VmRSS (kB) of a process, sampled every 20 ms until SIGTERM.
cat >"$WORK/rss.py" <<'PY'
import signal, sys, time
pid, ready = sys.argv[1], sys.argv[2]
peak = 0
def rss():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
def stop(*_):
    print(max(peak, rss()), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
peak = rss()
open(ready, "w").close()
while True:
    time.sleep(0.02)
    peak = max(peak, rss())
PY
# Data records of an exported CSV (BOM, CRLF, quoted fields), header excluded.
cat >"$WORK/count.py" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    print(sum(1 for _ in csv.reader(f)) - 1)
PY
# A sound zip; for a workbook, the number of its sheet's last row; for a
# document, whether the roll-up's total line is in it.
cat >"$WORK/check.py" <<'PY'
import re, sys, zipfile
path, kind = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path) as z:
    bad = z.testzip()
    if bad is not None:
        sys.exit(f"bad member {bad}")
    if kind == "sheet":
        tail = b""
        with z.open("xl/worksheets/sheet1.xml") as f:
            while chunk := f.read(1 << 20):
                tail = (tail + chunk)[-8192:]
        rows = re.findall(rb'<row r="(\d+)"', tail)
        print(int(rows[-1]) if rows else 0)
    else:
        doc = z.read("word/document.xml").decode("utf-8")
        print("ok" if "Tổng cộng" in doc else "no-total")
PY
# openpyxl, write_only: the rows of the CSV, read beforehand, to an XLSX.
cat >"$WORK/openpyxl_bench.py" <<'PY'
import csv, sys, time
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
t = time.perf_counter()
wb = Workbook(write_only=True)
ws = wb.create_sheet("Đảng viên")
ws.freeze_panes = "A2"
bold = Font(bold=True)
head = []
for v in rows[0]:
    c = WriteOnlyCell(ws, value=v)
    c.font = bold
    head.append(c)
ws.append(head)
for r in rows[1:]:
    ws.append([v if v else None for v in r])
wb.save(sys.argv[2])
print("%.4f" % (time.perf_counter() - t))
PY

SRV="$WORK"
start_server "$WORK" "$PORT"
SPID=$(cat "$WORK/server.pid")
BASE="http://127.0.0.1:$PORT"
COOKIE="Cookie: tk_session=$(login "$PORT" quantri "$PASSWORD")"

# fetch PATH OUT → F_T (time_total, s) and F_TTFB (time_starttransfer, s);
# a non-200 answer stops the run. Called directly, never in $( ): the
# globals and the exit must reach the script.
fetch() {
  local out code
  out=$(taskset -c "$LOAD_CPU" curl -s -o "$2" -w '%{http_code} %{time_total} %{time_starttransfer}' -H "$COOKIE" "$BASE$1") || true
  read -r code F_T F_TTFB <<<"$out"
  if [ "$code" != 200 ]; then
    echo "bench: GET $1 trả về ${code:-lỗi}" >&2; tail -5 "$WORK/server.log" >&2; exit 1
  fi
}
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# export_xlsx OUT → F_T, F_TTFB and X_DELTA (MB: peak VmRSS, sampled and
# VmHWM, minus VmRSS just before the request).
export_xlsx() {
  local before hwm_ok=0 peak hwm
  rm -f "$WORK/rss.ready"
  taskset -c "$LOAD_CPU" python3 "$WORK/rss.py" "$SPID" "$WORK/rss.ready" >"$WORK/rss.out" &
  SAMPLER=$!
  while [ ! -e "$WORK/rss.ready" ]; do sleep 0.01; done
  before=$(kb "$SPID" VmRSS)
  if echo 5 2>/dev/null >"/proc/$SPID/clear_refs"; then hwm_ok=1; fi
  fetch "/units/$UNIT/export?format=xlsx" "$1"
  hwm=$(kb "$SPID" VmHWM)
  kill -TERM "$SAMPLER"; wait "$SAMPLER" || true; SAMPLER=""
  peak=$(cat "$WORK/rss.out")
  if [ "$hwm_ok" = 1 ] && [ "$hwm" -gt "$peak" ]; then peak="$hwm"; fi
  X_DELTA=$(awk -v p="$peak" -v b="$before" 'BEGIN {printf "%.1f", (p - b) / 1024}')
}

# sql_csv OUT → S_SECS: the engine's CLI streaming SELECT_SQL to a CSV file.
if is_pg; then CSV_CLIENT="psql COPY"; else CSV_CLIENT="sqlite3"; fi
sql_csv() {
  local t0 t1
  t0=$(date +%s%N)
  if is_pg; then
    taskset -c "$SERVER_CPU" psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "COPY ($SELECT_SQL) TO STDOUT WITH (FORMAT csv, HEADER)" >"$1"
  else
    taskset -c "$SERVER_CPU" sqlite3 -readonly -batch "$DB" ".headers on" ".mode csv" ".once $1" "$SELECT_SQL;"
  fi
  t1=$(date +%s%N)
  S_SECS=$(secs "$t0" "$t1")
}

# ── 3. Roster export ─────────────────────────────────────────────────────
echo "xuất danh sách đảng viên của $UNIT_CODE (đơn vị $UNIT): khởi động…"
gate
fetch "/units/$UNIT/export?format=csv" "$WORK/roster.csv"
ROWS=$(python3 "$WORK/count.py" "$WORK/roster.csv")
[ "$ROWS" -gt 0 ] || { echo "bench: bản xuất CSV không có dòng nào" >&2; exit 1; }
export_xlsx "$WORK/roster.xlsx"
XROWS=$(python3 "$WORK/check.py" "$WORK/roster.xlsx" sheet) || { echo "bench: tệp XLSX hỏng" >&2; exit 1; }
[ "$XROWS" = $((ROWS + 1)) ] || { echo "bench: XLSX có $XROWS dòng, CSV có $ROWS dòng + tiêu đề" >&2; exit 1; }
sql_csv "$WORK/select.csv"
SROWS=$(( $(python3 "$WORK/count.py" "$WORK/select.csv") ))
[ "$SROWS" = "$ROWS" ] || echo "bench: cảnh báo: câu SELECT cho $SROWS dòng, bản xuất $ROWS dòng" >&2
echo "  $(vn_int "$ROWS") dòng; CSV $(vn_dec "$(awk -v b="$(stat -c %s "$WORK/roster.csv")" 'BEGIN {print b / 1048576}')" 1) MiB," \
  "XLSX $(vn_dec "$(awk -v b="$(stat -c %s "$WORK/roster.xlsx")" 'BEGIN {print b / 1048576}')" 1) MiB"

[ "$SMOKE" = 1 ] && idle_gate
X_T=(); X_TTFB=(); X_RSS=(); C_T=(); S_T=(); XC=(); XS=()
for i in $(seq 1 "$RUNS"); do
  gate
  export_xlsx "$WORK/roster.xlsx"; X_T+=("$F_T"); X_TTFB+=("$F_TTFB"); X_RSS+=("$X_DELTA")
  gate
  fetch "/units/$UNIT/export?format=csv" "$WORK/roster.csv"; C_T+=("$F_T")
  gate
  sql_csv "$WORK/select.csv"; S_T+=("$S_SECS")
  # Ratios per run (the three measured back to back), then their median.
  XC+=("$(awk -v a="${X_T[-1]}" -v b="${C_T[-1]}" 'BEGIN {printf "%.3f", a / b}')")
  XS+=("$(awk -v a="${X_T[-1]}" -v b="$S_SECS" 'BEGIN {printf "%.3f", a / b}')")
  echo "lần $i: XLSX $(vn_dec "${X_T[-1]}" 3) s (byte đầu $(vn_dec "${X_TTFB[-1]}" 3) s, RSS +$(vn_dec "${X_RSS[-1]}" 1) MB)" \
    "· CSV $(vn_dec "${C_T[-1]}" 3) s · $CSV_CLIENT SELECT → CSV $(vn_dec "${S_T[-1]}" 3) s"
done
x_t=$(median "${X_T[@]}"); x_ttfb=$(median "${X_TTFB[@]}"); c_t=$(median "${C_T[@]}"); s_t=$(median "${S_T[@]}")
x_rss=$(printf '%s\n' "${X_RSS[@]}" | sort -g | tail -1)
x_rate=$(awk -v n="$ROWS" -v s="$x_t" 'BEGIN {printf "%.0f", n / s}')
c_rate=$(awk -v n="$ROWS" -v s="$c_t" 'BEGIN {printf "%.0f", n / s}')
s_rate=$(awk -v n="$ROWS" -v s="$s_t" 'BEGIN {printf "%.0f", n / s}')
xc=$(median "${XC[@]}"); xs=$(median "${XS[@]}")
cs=$(awk -v a="$c_t" -v b="$s_t" 'BEGIN {printf "%.1f", a / b}')

# ── 4. openpyxl ──────────────────────────────────────────────────────────
OPX_T=""; OPX_NOTE=""
if ! python3 -c "import openpyxl" 2>/dev/null; then
  python3 -m pip install --quiet openpyxl >/dev/null 2>&1 \
    || python3 -m pip install --quiet --break-system-packages openpyxl >/dev/null 2>&1 || true
fi
if python3 -c "import openpyxl" 2>/dev/null; then
  echo "openpyxl $(python3 -c 'import openpyxl; print(openpyxl.__version__)') ghi cùng $(vn_int "$ROWS") dòng…"
  gate
  OPX_T=$(taskset -c "$SERVER_CPU" python3 "$WORK/openpyxl_bench.py" "$WORK/roster.csv" "$WORK/openpyxl.xlsx")
  OROWS=$(python3 "$WORK/check.py" "$WORK/openpyxl.xlsx" sheet) || true
  [ "$OROWS" = $((ROWS + 1)) ] || echo "bench: cảnh báo: tệp của openpyxl có ${OROWS:-?} dòng" >&2
  opx=$(awk -v a="$OPX_T" -v b="$x_t" 'BEGIN {printf "%.1f", a / b}')
  echo "  openpyxl $(vn_dec "$OPX_T" 2) s"
else
  OPX_NOTE="bỏ qua: không cài được openpyxl (pip install openpyxl)"
  echo "bench: $OPX_NOTE" >&2
fi

# ── 5. The committee's report ────────────────────────────────────────────
D_T=(); R_T=(); REPORT_ROWS=""
if [ -n "$CID" ]; then
  REPORT_ROWS=$(q "SELECT COUNT(*) FROM campaign_tally WHERE campaign_id = $CID AND parent_id = $ROOT_ID AND units > 0")
  echo "báo cáo kết quả đợt $CID ($(vn_int "$REPORT_ROWS") dòng đơn vị + dòng tổng)…"
  fetch "/campaigns/$CID/report.docx" "$WORK/report.docx"
  fetch "/campaigns/$CID/report.xlsx" "$WORK/report.xlsx"
  [ "$(python3 "$WORK/check.py" "$WORK/report.docx" doc)" = ok ] || { echo "bench: report.docx hỏng hoặc thiếu dòng tổng" >&2; exit 1; }
  python3 "$WORK/check.py" "$WORK/report.xlsx" sheet >/dev/null || { echo "bench: report.xlsx hỏng" >&2; exit 1; }
  gate
  for i in $(seq 1 "$RUNS"); do
    fetch "/campaigns/$CID/report.docx" "$WORK/report.docx"; D_T+=("$F_T")
    fetch "/campaigns/$CID/report.xlsx" "$WORK/report.xlsx"; R_T+=("$F_T")
  done
  d_ms=$(awk -v s="$(median "${D_T[@]}")" 'BEGIN {printf "%.2f", s * 1000}')
  r_ms=$(awk -v s="$(median "${R_T[@]}")" 'BEGIN {printf "%.2f", s * 1000}')
  echo "  DOCX $(vn_dec "$d_ms" 1) ms · XLSX $(vn_dec "$r_ms" 1) ms"
else
  echo "bench: CSDL không có đợt nào trên đơn vị gốc; bỏ qua báo cáo (sinh lại với --campaigns)" >&2
fi

# ── 6. Table ─────────────────────────────────────────────────────────────
MISSED=0
# row LABEL VALUE TARGET CONDITION [NOTE]: a gated line of the table.
row() {
  local v; v=$(verdict "$4")
  [ "$v" = "ĐẠT" ] || MISSED=1
  echo "| $1 | $2 | $3 | $v${5:+ ($5)} |"
}
if [ "$SMOKE" = 1 ]; then
  HOW="kiểm tra nhanh, trung vị $RUNS lần, chỉ tỉ lệ"
else
  HOW="trung vị $RUNS lần"
fi
echo
echo "| phép đo ($ENGINE, quy mô $SCALE, $UNIT_CODE: $(vn_int "$ROWS") dòng × 14 cột; $HOW) | giá trị | mục tiêu | kết quả |"
echo "|---|---:|---:|---|"
[ -n "$GEN_S" ] && echo "| sinh dữ liệu, s | $(vn_dec "$GEN_S" 1) | — | |"
if [ "$SMOKE" = 1 ]; then
  echo "| xuất XLSX, dòng/s | $(vn_int "$x_rate") | — | $(vn_dec "$x_t" 3) s |"
else
  row "xuất XLSX, dòng/s" "$(vn_int "$x_rate")" "≥ 150.000" "$x_rate >= 150000" "$(vn_dec "$x_t" 2) s"
fi
echo "| xuất XLSX, byte đầu tiên sau, s | $(vn_dec "$x_ttfb" 3) | — | tệp ghi xong rồi mới gửi |"
echo "| xuất CSV, dòng/s | $(vn_int "$c_rate") | — | $(vn_dec "$c_t" 3) s |"
echo "| cùng câu SELECT (không phân trang) qua $CSV_CLIENT → CSV, dòng/s | $(vn_int "$s_rate") | — | $(vn_dec "$s_t" 3) s; xuất CSV chậm hơn $(vn_dec "$cs" 1)× |"
if [ "$SMOKE" = 1 ]; then
  row "thời gian XLSX ÷ CSV (cùng máy chủ)" "$(vn_dec "$xc" 2)×" "≤ 5×" "$xc <= 5"
  row "thời gian XLSX ÷ SELECT qua $CSV_CLIENT → CSV" "$(vn_dec "$xs" 2)×" "≤ 8×" "$xs <= 8"
else
  row "thời gian XLSX ÷ CSV (cùng máy chủ)" "$(vn_dec "$xc" 2)×" "≤ 4×" "$xc <= 4"
  row "thời gian XLSX ÷ SELECT qua $CSV_CLIENT → CSV" "$(vn_dec "$xs" 2)×" "≤ 4×" "$xs <= 4"
fi
row "RSS máy chủ khi xuất XLSX, đỉnh − trước, MB" "$(vn_dec "$x_rss" 1)" "≤ 64" "$x_rss <= 64" "lớn nhất $RUNS lần"
if [ -n "$OPX_T" ]; then
  if [ "$SMOKE" = 1 ]; then
    row "openpyxl write_only, cùng các dòng: s; nhanh hơn" "$(vn_dec "$OPX_T" 2)" "≥ 1×" "$opx >= 1" "$(vn_dec "$opx" 1)×"
  else
    row "openpyxl write_only, cùng các dòng: s; nhanh hơn" "$(vn_dec "$OPX_T" 2)" "≥ 30×" "$opx >= 30" "$(vn_dec "$opx" 1)×"
  fi
else
  echo "| openpyxl write_only | — | ≥ 30× | $OPX_NOTE |"
fi
if [ -n "$CID" ]; then
  if [ "$SMOKE" = 1 ]; then
    echo "| báo cáo kết quả DOCX ($(vn_int "$REPORT_ROWS") dòng + tổng), ms | $(vn_dec "$d_ms" 1) | — | tệp hợp lệ |"
  else
    row "báo cáo kết quả DOCX ($(vn_int "$REPORT_ROWS") dòng + tổng), ms" "$(vn_dec "$d_ms" 1)" "≤ 1.000" "$d_ms <= 1000"
  fi
  echo "| bảng tổng hợp XLSX của đợt, ms | $(vn_dec "$r_ms" 1) | — | tệp hợp lệ |"
fi
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$MISSED" = 1 ]; then exit 1; fi
