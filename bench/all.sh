#!/usr/bin/env bash
# Every benchmark scenario in turn, on one release build; each script's
# table goes to bench/out/<name>.md and a summary line to the terminal.
#   bash bench/all.sh                 the province tier (SCALE=province)
#   SCALE=nation bash bench/all.sh    the national tier (takes hours)
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
  ALL="dashboard lists search import export mixed cascade"
fi
ONLY="${ONLY:-$ALL}"
OUT="$BENCH_DIR/out"
mkdir -p "$OUT"
build
export BENCH_NO_BUILD=1

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
