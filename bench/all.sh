#!/usr/bin/env bash
# Every benchmark scenario in turn, on one release build; each script's
# table goes to bench/out/<name>.md and a summary line to the terminal.
#   bash bench/all.sh                 the province tier (SCALE=province)
#   SCALE=nation bash bench/all.sh    the national tier (takes hours)
#   PG=1 SCALE=nation bash bench/all.sh
#                                     the national tier on PostgreSQL: one
#                                     database (PG_DB, default
#                                     tk_bench_nation) generated once with
#                                     DOCS documents (default 1.000.000) and
#                                     used by every script (REUSE=1); it is
#                                     kept for the next run, but the burst
#                                     submits every unreported obligation, so
#                                     to run mixed and cascade again drop it
#                                     first (dropdb tk_bench_nation)
#   SMOKE=1 bash bench/all.sh         the CI tier: ratios only, no idle
#                                     gates, about a minute (.ci/run)
# ONLY="mixed cascade" runs a subset. BENCH_STRICT=1 (set by SMOKE=1)
# stops at the first script that misses a target.
source "$(dirname "$0")/lib.sh"
SMOKE="${SMOKE:-0}"
if [ "$SMOKE" = 1 ]; then
  export SMOKE BENCH_STRICT=1
  # What SMOKE=1 covers: the scripts with a CI tier of their own.
  ALL="lists search export mixed cascade"
else
  export SCALE="${SCALE:-province}"
  # mixed before cascade: the burst submits most unreported obligations,
  # and the mix's writes need some left.
  ALL="dashboard lists search import export mixed cascade"
fi
ONLY="${ONLY:-$ALL}"
OUT="$BENCH_DIR/out"
mkdir -p "$OUT"
build
export BENCH_NO_BUILD=1

# PG=1 SMOKE=1: each script on a small database of its own, dropped after.
if [ "${PG:-0}" = 1 ]; then export PG; fi
if [ "${PG:-0}" = 1 ] && [ "$SMOKE" != 1 ]; then
  export PG_DB="${PG_DB:-tk_bench_$SCALE}" REUSE=1
  DOCS="${DOCS:-1000000}"
  use_engine "$OUT/unused.db" "$PG_DB"
  if fresh_db matkhau-do-hieu-nang; then
    echo "sinh dữ liệu quy mô $SCALE và $(vn_int "$DOCS") văn bản vào $PG_DB…"
    "$BIN" gen-data --scale "$SCALE" --campaigns --documents "$DOCS"
  fi
fi

failed=()
for name in $ONLY; do
  echo "── $name ──"
  t0=$(date +%s)
  if bash "$BENCH_DIR/$name.sh" >"$OUT/$name.log" 2>&1; then
    status="xong"
  else
    status="LỖI hoặc CHƯA ĐẠT"; failed+=("$name")
  fi
  # The result table: the last block of lines starting with "|".
  awk '/^\|/ {if (!t) {buf = ""}; t = 1; buf = buf $0 "\n"; next} {t = 0} END {printf "%s", buf}' \
    "$OUT/$name.log" >"$OUT/$name.md"
  cat "$OUT/$name.md"
  echo "$name: $status trong $(( $(date +%s) - t0 )) s (nhật ký: bench/out/$name.log)"
  if [ "${#failed[@]}" -gt 0 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
    tail -n 30 "$OUT/$name.log" >&2
    exit 1
  fi
done
[ "${#failed[@]}" = 0 ] || { echo "chưa đạt: ${failed[*]}" >&2; exit 1; }
