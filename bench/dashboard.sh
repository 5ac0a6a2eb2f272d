#!/usr/bin/env bash
# Issue #2 benchmark: a logged-in dashboard against the server's own static
# handler (/livez), same process, same run. Targets: dashboard ≥ 0.05×
# static throughput, dashboard p99 < 20 ms at 32 connections, idle RSS < 50 MB.
# SCALE=demo (default: the demo committee) or ci|province|nation (a
# generated tree with its campaign, the office's dashboard at its root).
# PG=1: on PostgreSQL, a fresh database tk_dashboard_<pid> on PGHOST:PGPORT
# (default 127.0.0.1:5432, user postgres), dropped after; PG_DB=name keeps
# it, and with REUSE=1 an existing one is used as it is.
source "$(dirname "$0")/lib.sh"
SECS="${SECS:-10}"
CONNS="${CONNS:-32}"
SCALE="${SCALE:-demo}"
SEED="${SEED:-1}"
PORT="${PORT:-$(free_port)}"
build
DIR="$(mktemp -d /tmp/trienkhai-bench.XXXXXX)"
use_engine "$DIR/bench.db" "tk_dashboard_$$"
trap 'stop_server "$DIR"; drop_db; rm -rf "$DIR"' EXIT
export TRIENKHAI_LOG=warn
unset TRIENKHAI_CONFIG
if [ "$SCALE" = demo ]; then
  # `serve --demo` sets up an empty database with its own administrator.
  if is_pg; then dropdb --if-exists "$DB"; createdb "$DB"; fi
  PASSWORD=trienkhai-demo
  start_server "$DIR" "$PORT" --demo
else
  PASSWORD=matkhau-do-hieu-nang
  if fresh_db "$PASSWORD"; then gen_scale "$DIR/gen.out"; fi
  start_server "$DIR" "$PORT"
fi
sleep 1
RSS_START=$(rss_mb "$DIR")
COOKIE="tk_session=$(login "$PORT" quantri "$PASSWORD")"
curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/dashboard" | grep -q 'dashboard-title' || { echo "bench: chưa đăng nhập được"; exit 1; }

idle_gate
run_wrk "http://127.0.0.1:$PORT/livez" 3 "$CONNS" >/dev/null
run_wrk "http://127.0.0.1:$PORT/dashboard" 3 "$CONNS" "Cookie: $COOKIE" >/dev/null
S_RPS=(); S_P99=(); D_RPS=(); D_P99=()
for i in 1 2 3; do
  idle_gate
  read -r r p < <(run_wrk "http://127.0.0.1:$PORT/livez" "$SECS" "$CONNS"); S_RPS+=("$r"); S_P99+=("$p")
  read -r r p < <(run_wrk "http://127.0.0.1:$PORT/dashboard" "$SECS" "$CONNS" "Cookie: $COOKIE"); D_RPS+=("$r"); D_P99+=("$p")
  echo "lần $i: tĩnh ${S_RPS[-1]} rps (p99 ${S_P99[-1]} ms) · tổng quan ${D_RPS[-1]} rps (p99 ${D_P99[-1]} ms)"
done
sleep 3
RSS_IDLE=$(rss_mb "$DIR")
s_rps=$(median3 "${S_RPS[@]}"); d_rps=$(median3 "${D_RPS[@]}")
s_p99=$(median3 "${S_P99[@]}"); d_p99=$(median3 "${D_P99[@]}")
ratio=$(awk -v a="$d_rps" -v b="$s_rps" 'BEGIN {printf "%.3f", a/b}')
echo
echo "| phép đo ($ENGINE, quy mô $SCALE, $CONNS kết nối, trung vị 3 lần) | giá trị | mục tiêu | kết quả |"
echo "|---|---:|---:|---|"
echo "| /livez (tĩnh), rps | $s_rps | — | p99 $s_p99 ms |"
echo "| /dashboard đã đăng nhập, rps | $d_rps | ≥ 0,05× tĩnh | $(verdict "$ratio >= 0.05") ($ratio×) |"
echo "| /dashboard p99, ms | $d_p99 | < 20 | $(verdict "$d_p99 < 20") |"
echo "| RSS lúc mới chạy, MB | $RSS_START | < 50 | $(verdict "$RSS_START < 50") |"
echo "| RSS nghỉ sau tải, MB | $RSS_IDLE | < 50 | $(verdict "$RSS_IDLE < 50") |"
