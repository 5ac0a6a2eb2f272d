#!/usr/bin/env bash
# Member import benchmark: `trienkhai import members` of a 100.000-row CSV
# against the engine's own bulk path on the same file in the same run
# (sqlite3 `.import`, PostgreSQL `\copy`). Targets: ≥ 100.000 rows/s,
# ≥ 0,3× the bulk path, peak RSS < 150 MB. PostgreSQL is measured when it
# answers on PGHOST:PGPORT (default 127.0.0.1:5432, user postgres).
# Each repetition starts from fresh databases (the demo committee for
# trienkhai, an empty staging table for the bulk path), both processes
# timed by wall clock with their peak RSS from /usr/bin/time; one warm-up,
# an idle gate before each run, the median of three. Nothing is pinned:
# the import uses both cores (a reader thread and SQLite's worker).
# BENCH_STRICT=1 makes a missed target exit non-zero; ROWS changes the size.
source "$(dirname "$0")/lib.sh"
ROWS="${ROWS:-100000}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
PG_BASE="postgres://$PGUSER@$PGHOST:$PGPORT"

need sqlite3 sqlite3
need python3 python3
[ -x /usr/bin/time ] || { echo "bench: cần /usr/bin/time (apt-get install time)"; exit 2; }
build_bin

DIR="$(mktemp -d /tmp/trienkhai-import.XXXXXX)"
PG_USED=0
cleanup() {
  if [ "$PG_USED" = 1 ]; then
    for db in "tk_bench_tpl_$$" "tk_bench_base_$$_"{0..3} "tk_bench_$$_"{0..3}; do
      dropdb --if-exists "$db" 2>/dev/null || true
    done
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
cd "$DIR"
export TRIENKHAI_LOG=warn TRIENKHAI_DATA_DIR="$DIR/data"
unset TRIENKHAI_CONFIG TRIENKHAI_NAME_ORDER


# A deterministic list: common family names weighted, male and female
# middle and given names, distinct 8-digit card numbers, sub-units of SCT.
CSV="$DIR/members.csv"
python3 - "$ROWS" "$CSV" <<'PY'
import csv, random, sys
rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20250701)
FAM = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
       ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
       ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trương", 1), ("Lương", 1),
       ("Mai", 1), ("Tôn Nữ", 1), ("Tạ", 1), ("Châu", 1), ("Quách", 1)]
FAMS = [f for f, w in FAM for _ in range(w)]
MID_M = ["Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Xuân", "Công", "Bá", "Trọng",
         "Ngọc", "Quốc", "Anh", "Đình", "Văn Hoàng", "Hoàng Minh", ""]
MID_F = ["Thị", "Thị Thu", "Thị Thanh", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Bích",
         "Thị Hồng", "Diệu", "Mỹ", "Phương", ""]
GIV_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh",
         "Khoa", "Long", "Lâm", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tâm",
         "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Vũ", "Hòa",
         "Thuỵ", "Khiêm", "Lộc", "Nguyên", "Quý", "Tùng"]
GIV_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hoà", "Hương",
         "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung",
         "Oanh", "Phương", "Quyên", "Thảo", "Thủy", "Thuỷ", "Trang", "Tuyết", "Uyên",
         "Vân", "Xuân", "Yến", "Ngọc", "Diệp", "Khuê", "Nguyệt"]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt",
           "Phan Đình Phùng", "Quang Trung", "Hùng Vương", "Nguyễn Trãi", "Điện Biên Phủ"]
WARDS = ["phường Phú Hội", "phường Vĩnh Ninh", "phường Thuận Hòa", "xã Hương Long",
         "phường Tây Lộc", "xã Thủy Bằng", "phường An Cựu", "thị trấn Phú Đa"]
cards = rng.sample(range(10_000_000, 100_000_000), rows)
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["Họ", "Tên đệm", "Tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên",
                "Loại", "Mã đơn vị", "Điện thoại", "Email", "Địa chỉ"])
    for i in range(rows):
        female = rng.random() < 0.45
        mid = rng.choice(MID_F if female else MID_M)
        giv = rng.choice(GIV_F if female else GIV_M)
        birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1955, 2004)}"
        phone = f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.8 else ""
        email = f"dv{cards[i]}@sct.gov.vn" if rng.random() < 0.3 else ""
        addr = (f"Số {rng.randint(1, 300)} {rng.choice(STREETS)}, {rng.choice(WARDS)}"
                if rng.random() < 0.5 else "")
        w.writerow([rng.choice(FAMS), mid, giv, birth, "Nữ" if female else "Nam", cards[i],
                    "Dự bị" if rng.random() < 0.08 else "Chính thức", f"SCT-CB{i % 4 + 1}",
                    phone, email, addr])
PY
# The default limit (20 MiB) unless the file needs more (large ROWS).
MB=$(( $(stat -c %s "$CSV") / 1048576 + 1 ))
export TRIENKHAI_MAX_IMPORT_MB="${TRIENKHAI_MAX_IMPORT_MB:-$(( MB > 20 ? MB : 20 ))}"
echo "tệp: $(vn_int "$ROWS") dòng, $(vn_dec "$(awk -v b="$(stat -c %s "$CSV")" 'BEGIN {print b/1048576}')" 1) MiB"

STAGING="CREATE TABLE staging (ho TEXT, ten_dem TEXT, ten TEXT, ngay_sinh TEXT, gioi_tinh TEXT,
  so_the TEXT, loai TEXT, ma_don_vi TEXT, dien_thoai TEXT, email TEXT, dia_chi TEXT);"

# timed LABEL CMD… → runs CMD, prints "seconds peak_rss_kb"; fails loudly.
timed() {
  local label="$1"; shift
  local t0 t1
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%M' -o "$DIR/$label.rss" "$@" >"$DIR/$label.out" 2>&1; then
    echo "bench: $label thất bại" >&2; tail -20 "$DIR/$label.out" >&2; exit 1
  fi
  t1=$(date +%s%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b-a)/1e9}') $(tail -1 "$DIR/$label.rss")"
}

# demo_db URL: a fresh demo committee (`serve --demo`, stopped once it serves).
demo_db() {
  TRIENKHAI_DATABASE_URL="$1" TRIENKHAI_LISTEN=127.0.0.1:0 "$BIN" serve --demo >"$DIR/demo.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    grep -q "đang phục vụ" "$DIR/demo.log" && break
    kill -0 "$pid" 2>/dev/null || { echo "bench: không tạo được CSDL mẫu"; cat "$DIR/demo.log"; exit 1; }
    sleep 0.1
  done
  kill "$pid"; wait "$pid" || true
}

count() { # count ENGINE TARGET SQL
  case "$1" in
    sqlite) sqlite3 "$2" "$3" ;;
    pg) psql -qtAX -d "$2" -c "$3" ;;
  esac
}

# One repetition: the bulk path, then trienkhai, on fresh databases.
# rep ENGINE I → "base_s base_kb tk_s tk_kb"
rep() {
  local engine="$1" i="$2" base tk url target btarget
  if [ "$engine" = sqlite ]; then
    # The same journal and sync settings as trienkhai's own connections.
    btarget="$DIR/base$i.db"
    base=$(timed "sqlite-base$i" sqlite3 "$btarget" \
      "PRAGMA journal_mode=WAL;" "PRAGMA synchronous=NORMAL;" "$STAGING" ".import --csv --skip 1 $CSV staging")
    target="$DIR/tk$i.db"
    for f in "$DIR"/template.db*; do cp "$f" "$target${f#"$DIR"/template.db}"; done
    url="sqlite://$target"
  else
    btarget="tk_bench_base_$$_$i"; target="tk_bench_$$_$i"
    createdb "$btarget" && psql -qX -d "$btarget" -c "$STAGING"
    base=$(timed "pg-base$i" psql -qX -v ON_ERROR_STOP=1 -d "$btarget" -c "\\copy staging FROM '$CSV' CSV HEADER")
    createdb -T "tk_bench_tpl_$$" "$target"
    url="$PG_BASE/$target"
  fi
  idle_gate
  tk=$(TRIENKHAI_DATABASE_URL="$url" timed "$engine-tk$i" "$BIN" import members "$CSV" --unit SCT)
  local nb nt
  nb=$(count "$engine" "$btarget" "SELECT count(*) FROM staging")
  nt=$(count "$engine" "${url#sqlite://}" "SELECT count(*) FROM person WHERE card_no IS NOT NULL")
  if [ "$nb" != "$ROWS" ] || [ "$nt" != "$ROWS" ]; then
    echo "bench: $engine lần $i nạp $nb / $nt dòng, cần $ROWS" >&2; cat "$DIR/$engine-tk$i.out" >&2; exit 1
  fi
  echo "$base $tk"
}


MISSED=0
TABLE=()
bench_engine() {
  local engine="$1" label="$2"
  local B=() T=() R=() line b bk t tk
  rep "$engine" 0 >/dev/null # warm-up: page cache, binary, catalog
  for i in 1 2 3; do
    idle_gate
    line=$(rep "$engine" "$i")
    read -r b bk t tk <<<"$line"
    B+=("$(awk -v n="$ROWS" -v s="$b" 'BEGIN {printf "%.0f", n/s}')")
    T+=("$(awk -v n="$ROWS" -v s="$t" 'BEGIN {printf "%.0f", n/s}')")
    R+=("$tk")
    echo "$label lần $i: nạp sẵn $(vn_int "${B[-1]}") dòng/s ($(vn_dec "$b" 2) s) · trienkhai $(vn_int "${T[-1]}") dòng/s ($(vn_dec "$t" 2) s, RSS $(vn_dec "$(awk -v k="$tk" 'BEGIN {print k/1024}')" 1) MB)"
  done
  local bm tm ratio rss
  bm=$(median3 "${B[@]}"); tm=$(median3 "${T[@]}")
  ratio=$(awk -v a="$tm" -v b="$bm" 'BEGIN {printf "%.3f", a/b}')
  rss=$(printf '%s\n' "${R[@]}" | sort -g | tail -1 | awk '{printf "%.1f", $1/1024}')
  TABLE+=("| $label: nạp sẵn ($3), dòng/s | $(vn_int "$bm") | — | |")
  TABLE+=("| $label: \`trienkhai import members\`, dòng/s | $(vn_int "$tm") | ≥ 100.000 | $(verdict "$tm >= 100000") |")
  TABLE+=("| $label: tỉ lệ so với nạp sẵn | $(vn_dec "$ratio" 2)× | ≥ 0,3× | $(verdict "$ratio >= 0.3") |")
  TABLE+=("| $label: RSS đỉnh của trienkhai, MB | $(vn_dec "$rss" 1) | < 150 | $(verdict "$rss < 150") |")
  awk "BEGIN {exit !($tm >= 100000 && $ratio >= 0.3 && $rss < 150)}" || MISSED=1
}

demo_db "sqlite://$DIR/template.db"
bench_engine sqlite SQLite "sqlite3 .import"

if pg_isready -q && psql -qtAX -d postgres -c "SELECT 1" >/dev/null 2>&1; then
  PG_USED=1
  createdb "tk_bench_tpl_$$"
  demo_db "$PG_BASE/tk_bench_tpl_$$"
  bench_engine pg PostgreSQL 'psql \copy'
else
  echo "bench: PostgreSQL không trả lời ở $PGHOST:$PGPORT; bỏ qua" >&2
fi

echo
echo "| phép đo ($(vn_int "$ROWS") dòng CSV, trung vị 3 lần) | giá trị | mục tiêu | kết quả |"
echo "|---|---:|---:|---|"
printf '%s\n' "${TABLE[@]}"
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$MISSED" = 1 ]; then exit 1; fi
