#!/usr/bin/env bash
# Search benchmark on SQLite or PostgreSQL (PG=1): `trienkhai gen-data` fills a fresh register
# (DOCS documents, default 100.000) and its full-text index; then
# GET /api/v1/search with a bearer token, wrk rotating over 21 realistic
# queries (without diacritics, with them, symbols, rare words, common
# words), against the naive way in the same run: LIKE '%…%' over the same
# folded text. A LIKE scan (count of matches: every row read) is the
# baseline; LIKE … ORDER BY rowid DESC LIMIT 20 is shown too, since it stops
# early on common words.
# Targets: indexing ≥ 5.000 documents/s; search p99 ≤ 50 ms; the median
# LIKE scan ≥ 50× the median search request.
#
# Indexing: GEN_RUNS fresh databases (default 3; migrate, create-admin,
# gen-data), wall clock of gen-data, median; the last one is searched.
# HTTP: the server pinned to CPU $SERVER_CPU, wrk on CPU $LOAD_CPU, one
# connection (the latency one person sees) and CONNS connections (default
# 8: a committee office at once), SECS seconds each, an idle gate before
# each, the median of three. SQL level: each query as search.rs runs it
# (whole words exact, then folded, then with the last word as a prefix) and
# as LIKE, timed in one
# process by python3's sqlite3 module (the system SQLite; the server has
# its own bundled copy), the median of 5 (LIKE: of 3) after one warm-up.
# Last, words typed so far (search-as-you-type sends them) are timed.
# BENCH_STRICT=1 makes a missed target exit non-zero.
# PG=1: fresh PostgreSQL databases tk_search_<pid>_<run> on PGHOST:PGPORT
# (default 127.0.0.1:5432, user postgres), dropped after; PG_DB=name keeps
# the last, and with REUSE=1 an existing one is searched as it is (no
# indexing measured). There the baseline is ILIKE over each document's own
# text (symbol, subject and content; PostgreSQL keeps no folded copy of
# it) with the query as typed, each form timed once by psql's \timing
# after a scan that warms the cache; the SQL column of search.rs (a Python
# port of its SQLite queries) stays empty.
# SMOKE=1 (CI): 5.000 documents, one generation, 1 s runs, no idle gate;
# only the LIKE ratio is checked, with a floor of 5× (a LIKE scan of 5.000
# rows is short: a search that scans rows itself falls below it).
source "$(dirname "$0")/lib.sh"
SMOKE="${SMOKE:-0}"
if [ "$SMOKE" = 1 ]; then
  DOCS="${DOCS:-5000}"; GEN_RUNS="${GEN_RUNS:-1}"; SECS="${SECS:-1}"; export IDLE_WAIT="${IDLE_WAIT:-0}"
fi
RATIO_MIN=$([ "$SMOKE" = 1 ] && echo 5 || echo 50)
DOCS="${DOCS:-100000}"
GEN_RUNS="${GEN_RUNS:-3}"
SECS="${SECS:-10}"
CONNS="${CONNS:-8}"
PORT="${PORT:-$(free_port)}"

need_tools
build

DIR="$(mktemp -d /tmp/trienkhai-search.XXXXXX)"
SRV=""
trap '[ -n "$SRV" ] && stop_server "$SRV"; drop_db; rm -rf "$DIR"' EXIT
export TRIENKHAI_LOG=warn
unset TRIENKHAI_CONFIG


# ── 1. Indexing ──────────────────────────────────────────────────────────
RATES=()
for i in $(seq 1 "$GEN_RUNS"); do
  RUN="$DIR/run$i"; mkdir -p "$RUN"
  use_engine "$RUN/bench.db" "tk_search_$$_$i"
  fresh_db "matkhau-do-hieu-nang" || break
  idle_gate
  t0=$(date +%s%N)
  "$BIN" gen-data --documents "$DOCS" >"$RUN/gen.out" || { cat "$RUN/gen.out"; exit 1; }
  t1=$(date +%s%N)
  n=$(q "SELECT count(*) FROM document_fts")
  [ "$n" = "$DOCS" ] || { echo "bench: chỉ mục có $n dòng, cần $DOCS" >&2; exit 1; }
  RATES+=("$(awk -v n="$DOCS" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / ((b - a) / 1e9)}')")
  echo "sinh dữ liệu lần $i: $(vn_int "${RATES[-1]}") văn bản/s — $(tail -1 "$RUN/gen.out")"
  # Only the last database is searched; the others free their space.
  if [ "$i" -lt "$GEN_RUNS" ]; then drop_db; rm -rf "$RUN"; fi
done
GEN_RATE=""
[ "${#RATES[@]}" -gt 0 ] && GEN_RATE=$(printf '%s\n' "${RATES[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
DOCS=$(q "SELECT count(*) FROM document_fts")
echo "CSDL: $(vn_int "$DOCS") văn bản, $(vn_int "$(db_mb)") MB ($ENGINE)"

# ── 2. Queries ───────────────────────────────────────────────────────────
QUERIES=(
  "quan triet nghi quyet" "Hòa Bình" "Hoà Bình" "12-NQ/TW" "102-KL/TW" "dang vien"
  "chi bộ" "thực hiện" "Đảng uỷ" "lu quet" "chè Shan tuyết" "khảm trai" "trống đồng"
  "xã Pà Cò" "chuyen doi so" "phòng, chống tham nhũng" "so ket" "cán bộ chủ chốt"
  "bao ve nen tang tu tuong" "kinh tế tập thể" "Mường Chiềng"
)
# What search-as-you-type sends while "nghị quyết" and "thực hiện" are typed.
TYPING=("t" "th" "thu" "n" "ng" "ngh" "nghi" "nghị q")
printf '%s\n' "${QUERIES[@]}" >"$DIR/queries.txt"
printf '%s\n' "${TYPING[@]}" >"$DIR/typing.txt"
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# The SQL of search.rs and its LIKE equivalent, with the fold and exact
# forms of trienkhai_core::text ported to Python (checked below against
# what the server answers).
cat >"$DIR/sql.py" <<'PY'
import re, sqlite3, statistics, sys, time, unicodedata
db, qfile, reps_match, reps_like = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
TONES = "\u0300\u0301\u0303\u0309\u0323"
def fold(s):
    out = []
    for c in unicodedata.normalize("NFD", s):
        if unicodedata.category(c).startswith("M"):
            continue
        out.append("d" if c in "đĐÐðƉɖ" else c.lower())
    return "".join(out)
def canonical(w):
    d = unicodedata.normalize("NFD", w)
    tone = next((c for c in d if c in TONES), None)
    if tone is None:
        return unicodedata.normalize("NFC", w)
    base = [c for c in d if c not in TONES]
    n = len(base)
    low = lambda i: base[i].lower()[0]
    open_pair = (n >= 2 and (low(n - 2), low(n - 1)) in {("o", "a"), ("o", "e"), ("u", "y")}
        and not (n >= 3 and low(n - 2) == "u" and low(n - 3) == "q")
        and not (n >= 3 and low(n - 3) in "aăâeêioôơuưy")
        and not any(unicodedata.category(c).startswith("M") for c in base))
    if not open_pair:
        return unicodedata.normalize("NFC", w)
    base.insert(n - 1, tone)
    return unicodedata.normalize("NFC", "".join(base))
def exact(s):
    s = "".join({"Ð": "Đ", "Ɖ": "Đ", "ð": "đ", "ɖ": "đ"}.get(c, c) for c in s)
    s = unicodedata.normalize("NFC", s).lower()
    return re.sub(r"[^\W\d_]+", lambda m: canonical(m.group(0)), s)
def words(s):
    return re.findall(r"[^\W_]+", s)
def match(ws, prefix):
    return " ".join('"%s"' % w for w in ws) + ("*" if prefix else "")
SQL = """SELECT d.id, d.symbol, d.type_name, d.issued_on, d.subject
  FROM document_fts JOIN document d ON d.id = document_fts.rowid
  WHERE document_fts MATCH ? AND (? OR d.secrecy = '')
  ORDER BY document_fts.rowid DESC LIMIT 20"""
LIKE = "SELECT rowid FROM document_fts WHERE folded LIKE ? ORDER BY rowid DESC LIMIT 20"
# A LIKE scan proper: every row is read (what LIKE costs whenever fewer
# than 20 rows match, and what any ranking over LIKE would cost).
SCAN = "SELECT count(*) FROM document_fts WHERE folded LIKE ?"
con = sqlite3.connect(db)
def search(q):
    # search.rs: whole words (exact, then folded), then the last word as a
    # prefix when it has 3 or more characters and the page is not full.
    fw = words(fold(q))[:8]
    ew = words(exact(q))[:8]
    if not fw:
        return []
    phases = []
    for prefix in ([False, True] if len(fw[-1]) >= 3 else [False]):
        if ew != fw:
            phases.append(("exact", ew, prefix))
        phases.append(("folded", fw, prefix))
    hits, seen = [], set()
    def run(phases):
        for col, ws, prefix in phases:
            if len(hits) >= 20:
                break
            for h in con.execute(SQL, ("%s : (%s)" % (col, match(ws, prefix)), 1)).fetchall():
                if h[0] not in seen:
                    seen.add(h[0]); hits.append(h)
    run(phases)
    if not hits and len(fw[-1]) < 3 and len(fw) > 1:
        run(([("exact", ew[:-1], False)] if ew != fw else []) + [("folded", fw[:-1], False)])
    return hits[:20]
def timed(f, reps):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); r = f(); ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts), r
if reps_match == 0:  # plan only
    print("\n".join(" ".join(map(str, r)) for r in
        con.execute("EXPLAIN QUERY PLAN " + SQL, ('folded : ("thuc" "hien")', 1))))
    sys.exit()
for q in open(qfile, encoding="utf-8").read().splitlines():
    m_ms, hits = timed(lambda: search(q), reps_match)
    like = "%" + " ".join(words(fold(q))) + "%"
    l_ms, lhits = timed(lambda: con.execute(LIKE, (like,)).fetchall(), reps_like) if reps_like else (0, [])
    s_ms, _ = timed(lambda: con.execute(SCAN, (like,)).fetchall(), 1) if reps_like else (0, [])
    # ids last: an empty field would merge with the next in bash's read.
    print("%s\t%d\t%.3f\t%d\t%.3f\t%.3f\t%s" % (q, len(hits), m_ms, len(lhits), l_ms, s_ms, ",".join(str(h[0]) for h in hits)))
PY

TOKEN=$("$BIN" token create --username quantri --name bench)
SRV="$RUN"
start_server "$RUN" "$PORT"
AUTH="Authorization: Bearer $TOKEN"
BASE="http://127.0.0.1:$PORT/api/v1/search"

# http_ms QUERY → "median_ms hits ids" of 5 requests after one warm-up.
http_ms() {
  local enc out ts=() t
  enc=$(urlenc "$1")
  curl -fs -o /dev/null -H "$AUTH" "$BASE?q=$enc&limit=20"
  for _ in 1 2 3 4 5; do
    t=$(curl -fs -o "$DIR/r.json" -w '%{time_total}' -H "$AUTH" "$BASE?q=$enc&limit=20") || { echo "bench: /api/v1/search lỗi với \"$1\"" >&2; exit 1; }
    ts+=("$t")
  done
  out=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"]; print(len(r), ",".join(str(h["id"]) for h in r))' "$DIR/r.json")
  echo "$(printf '%s\n' "${ts[@]}" | sort -g | sed -n 3p | awk '{printf "%.3f", $1 * 1000}') $out"
}

# pg_like FILE → on PostgreSQL, sql.py's lines without search.rs's SQL:
# "query - - hits like_ms scan_ms", the baseline ILIKE over each
# document's own text. At a million documents a scan takes seconds, so
# each form runs once, after one scan that brings the table into memory.
pg_like() {
  local q like text="(symbol || ' ' || subject || ' ' || content)" out
  q "SELECT count(*) FROM document WHERE $text ILIKE '%khởi động%'" >/dev/null
  while IFS= read -r q; do
    like="'%$(echo "$q" | sed "s/'/''/g")%'"
    out=$(printf '%s\n' '\timing on' \
      "SELECT id FROM document WHERE $text ILIKE $like ORDER BY id DESC LIMIT 20;" \
      "SELECT count(*) FROM document WHERE $text ILIKE $like;" \
      | taskset -c "$LOAD_CPU" psql -qAtX -v ON_ERROR_STOP=1 -d "$DB")
    # The ids, a Time: line, the count, a Time: line.
    printf '%s\t-\t-\t%s\n' "$q" "$(echo "$out" | awk '/^Time:/ {t[++n] = $2; next} n == 0 {h++}
      END {printf "%d\t%s\t%s\t", h, t[1], t[2]}')"
  done <"$1"
}

echo
if is_pg; then
  echo "kế hoạch truy vấn của search.rs: không đo ở SQL trên PostgreSQL (xem HTTP)"
  idle_gate
  echo "đo từng truy vấn (HTTP, LIKE)…"
  pg_like "$DIR/queries.txt" >"$DIR/sql.tsv"
else
  echo "kế hoạch truy vấn của search.rs (SQLite):"
  python3 "$DIR/sql.py" "$DB" /dev/null 0 0 | sed 's/^/  /'
  idle_gate
  echo "đo từng truy vấn (HTTP, SQL, LIKE)…"
  taskset -c "$LOAD_CPU" python3 "$DIR/sql.py" "$DB" "$DIR/queries.txt" 5 3 >"$DIR/sql.tsv"
fi
# ms_cell MS [DECIMALS] → the figure, or — where it was not measured.
ms_cell() { if [ "$1" = - ]; then echo "—"; else vn_dec "$1" "${2:-2}"; fi; }
ROWS=()
H_MS=(); L_MS=(); M_MS=(); S_MS=(); PER_Q=()
while IFS=$'\t' read -r q mh m_ms lh l_ms s_ms ids; do
  read -r h_ms hh hids < <(http_ms "$q")
  [ -n "$h_ms" ] || exit 1
  # The Python port of the query must agree with the server's answer.
  if ! is_pg && [ "$hids" != "$ids" ]; then echo "bench: \"$q\": máy chủ trả $hh kết quả, SQL $mh — khác nhau" >&2; exit 1; fi
  H_MS+=("$h_ms"); L_MS+=("$l_ms"); S_MS+=("$s_ms")
  is_pg || M_MS+=("$m_ms")
  PER_Q+=("$(awk -v l="$l_ms" -v h="$h_ms" 'BEGIN {printf "%.1f", l / h}')")
  ROWS+=("| $q | $hh | $(vn_dec "$h_ms" 1) | $(ms_cell "$m_ms") | $lh | $(vn_dec "$l_ms" 1) | $(vn_dec "${PER_Q[-1]}" 1)× | $(vn_dec "$s_ms" 1) |")
done <"$DIR/sql.tsv"
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
H_MED=$(median "${H_MS[@]}"); L_MED=$(median "${L_MS[@]}"); M_MED=-; M_SUM=-
PERQ_MED=$(median "${PER_Q[@]}"); S_MED=$(median "${S_MS[@]}")
total() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.3f", s}'; }
H_SUM=$(total "${H_MS[@]}"); L_SUM=$(total "${L_MS[@]}")
if ! is_pg; then M_MED=$(median "${M_MS[@]}"); M_SUM=$(total "${M_MS[@]}"); fi
# The whole set once each way: LIKE's cost is in its full scans.
SUM_RATIO=$(awk -v l="$L_SUM" -v h="$H_SUM" 'BEGIN {printf "%.1f", l / h}')

TYPING_ROWS=()
if is_pg; then
  sed 's/$/\t-\t-\t\t\t/' "$DIR/typing.txt" >"$DIR/typing.tsv"
else
  taskset -c "$LOAD_CPU" python3 "$DIR/sql.py" "$DB" "$DIR/typing.txt" 3 0 >"$DIR/typing.tsv"
fi
while IFS=$'\t' read -r q mh m_ms _ _ _; do
  read -r h_ms hh _ < <(http_ms "$q")
  [ -n "$h_ms" ] || exit 1
  TYPING_ROWS+=("| $q | $hh | $(vn_dec "$h_ms" 1) | $(ms_cell "$m_ms" 1) |")
done <"$DIR/typing.tsv"

# ── 3. Load: wrk rotating over the queries ───────────────────────────────
{
  echo 'local paths = {'
  for q in "${QUERIES[@]}"; do echo "  \"/api/v1/search?q=$(urlenc "$q")&limit=20\","; done
  echo '}'
  echo 'local i = 0'
  echo 'request = function()'
  echo '  i = i % #paths + 1'
  echo '  return wrk.format("GET", paths[i])'
  echo 'end'
} >"$DIR/rotate.lua"

# wrk_rotate SECONDS CONNS → "rps p50_ms p99_ms"
wrk_rotate() {
  local out
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$2" -d"${1}s" --latency -s "$DIR/rotate.lua" -H "$AUTH" "http://127.0.0.1:$PORT")
  if echo "$out" | grep -qE "Non-2xx|Socket errors"; then echo "bench: lỗi trong khi đo" >&2; echo "$out" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "50%" {print $2}' | to_ms) $(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms)"
}

wrk_rotate 3 "$CONNS" >/dev/null
R1=(); P50_1=(); P99_1=(); RN=(); P50_N=(); P99_N=()
for i in 1 2 3; do
  idle_gate
  read -r r a b < <(wrk_rotate "$SECS" 1); R1+=("$r"); P50_1+=("$a"); P99_1+=("$b")
  idle_gate
  read -r r a b < <(wrk_rotate "$SECS" "$CONNS"); RN+=("$r"); P50_N+=("$a"); P99_N+=("$b")
  [ -n "${R1[-1]}" ] && [ -n "${RN[-1]}" ] || exit 1
  echo "lần $i: 1 kết nối ${R1[-1]} rps (trung vị ${P50_1[-1]} ms, p99 ${P99_1[-1]} ms) · $CONNS kết nối ${RN[-1]} rps (trung vị ${P50_N[-1]} ms, p99 ${P99_N[-1]} ms)"
done
r1=$(median3 "${R1[@]}"); p50_1=$(median3 "${P50_1[@]}"); p99_1=$(median3 "${P99_1[@]}")
rn=$(median3 "${RN[@]}"); p50_n=$(median3 "${P50_N[@]}"); p99_n=$(median3 "${P99_N[@]}")
RATIO=$(awk -v l="$L_MED" -v h="$p50_1" 'BEGIN {printf "%.1f", l / h}')
SQL_RATIO=-
is_pg || SQL_RATIO=$(awk -v l="$L_MED" -v m="$M_MED" 'BEGIN {printf "%.1f", l / m}')
SCAN_RATIO=$(awk -v l="$S_MED" -v h="$p50_1" 'BEGIN {printf "%.1f", l / h}')

echo
echo "| truy vấn | kết quả | HTTP, ms | SQL search.rs, ms | kết quả LIKE | LIKE … LIMIT 20, ms | LIKE ÷ HTTP | quét LIKE (count), ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo "| **trung vị** | | $(vn_dec "$H_MED" 1) | $(ms_cell "$M_MED" 2) | | $(vn_dec "$L_MED" 1) | $(vn_dec "$PERQ_MED" 1)× | $(vn_dec "$S_MED" 1) |"
echo "| **tổng** | | $(vn_dec "$H_SUM" 1) | $(ms_cell "$M_SUM" 1) | | $(vn_dec "$L_SUM" 1) | $(vn_dec "$SUM_RATIO" 1)× |"
echo
echo "Đang gõ (tìm khi gõ gửi cả từ dở):"
echo
echo "| đã gõ | kết quả | HTTP, ms | SQL search.rs, ms |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${TYPING_ROWS[@]}"
echo
echo "| phép đo ($ENGINE, $(vn_int "$DOCS") văn bản, trung vị 3 lần) | giá trị | mục tiêu | kết quả |"
echo "|---|---:|---:|---|"
if [ -n "$GEN_RATE" ]; then
  echo "| \`gen-data\` (ghi + lập chỉ mục), văn bản/s | $(vn_int "$GEN_RATE") | ≥ 5.000 | $(verdict "$GEN_RATE >= 5000") |"
fi
echo "| tìm kiếm, 1 kết nối: rps | $(vn_dec "$r1" 0) | — | |"
echo "| tìm kiếm, 1 kết nối: trung vị, ms | $(vn_dec "$p50_1" 2) | — | |"
echo "| tìm kiếm, 1 kết nối: p99, ms | $(vn_dec "$p99_1" 1) | ≤ 50 | $(verdict "$p99_1 <= 50") |"
echo "| tìm kiếm, $CONNS kết nối: rps | $(vn_dec "$rn" 0) | — | |"
echo "| tìm kiếm, $CONNS kết nối: trung vị, ms | $(vn_dec "$p50_n" 1) | — | |"
echo "| tìm kiếm, $CONNS kết nối: p99, ms | $(vn_dec "$p99_n" 1) | ≤ 50 | $(verdict "$p99_n <= 50") |"
echo "| LIKE '%…%', trung vị theo truy vấn, ms | $(vn_dec "$L_MED" 1) | — | |"
echo "| quét LIKE (count), trung vị, ms | $(vn_dec "$S_MED" 1) | — | |"
echo "| quét LIKE ÷ tìm kiếm trung vị (HTTP, 1 kết nối) | $(vn_dec "$SCAN_RATIO" 1)× | ≥ $RATIO_MIN× | $(verdict "$SCAN_RATIO >= $RATIO_MIN") |"
echo "| LIKE … LIMIT 20 (dừng sớm) ÷ tìm kiếm (HTTP) | $(vn_dec "$RATIO" 1)× | — | |"
is_pg || echo "| LIKE trung vị ÷ SQL của search.rs trung vị | $(vn_dec "$SQL_RATIO" 1)× | — | |"
echo "| cả bộ truy vấn một lượt: LIKE ÷ tìm kiếm (HTTP) | $(vn_dec "$SUM_RATIO" 1)× | — | |"
if [ "${BENCH_STRICT:-0}" = 1 ]; then
  if [ "$SMOKE" = 1 ]; then
    awk "BEGIN {exit !($SCAN_RATIO >= $RATIO_MIN)}" || exit 1
  else
    awk "BEGIN {exit !(${GEN_RATE:-5000} >= 5000 && $p99_1 <= 50 && $p99_n <= 50 && $SCAN_RATIO >= 50)}" || exit 1
  fi
fi
