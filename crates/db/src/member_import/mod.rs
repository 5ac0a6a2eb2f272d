//! Member list import: one path for the web upload and the command line.
//! The file is read once, row by row. Rows are checked and written in
//! batches inside one transaction, which is committed only when every row
//! is valid (and the caller asked to commit), so a refused file leaves
//! nothing behind and a preview is the same run rolled back.
//!
//! Reading and checking rows (normalising, splitting names, sort keys) runs
//! on a blocking thread while the database writes the previous batch.
use std::collections::{HashMap, hash_map::Entry};

pub(crate) mod pg_copy;
pub(crate) mod sqlite_rows;
mod write;
use std::path::Path;

use serde::Serialize;
use serde_json::json;
use trienkhai_core::{fmt, name, text};
use trienkhai_sheet as sheet;

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    counter,
    person::{NewPerson, name_order_in},
    unit,
};

/// Rows checked against the database together: one lookup per batch, and
/// one INSERT per table. 15 values a person: SQLite takes at most 32.766
/// bound values a statement.
const BATCH: usize = 2000;
const _: () = assert!(BATCH * 15 <= 32_766);
/// The report lists this many bad rows; the rest are counted.
const MAX_ERRORS: usize = 200;
const SAMPLE: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Family,
    Middle,
    Given,
    Full,
    Birth,
    Gender,
    Card,
    Admitted,
    Official,
    Status,
    Unit,
    Since,
    Phone,
    Email,
    Address,
}

/// Headings as clerks write them, folded (no marks, lower case).
fn column(heading: &str) -> Option<Col> {
    let h = text::fold(heading);
    let h = h.trim_end_matches(['.', ':', '*']).trim();
    Some(match h {
        "ho" => Col::Family,
        "ten dem" | "dem" | "ten lot" => Col::Middle,
        "ten" => Col::Given,
        "ho va ten" | "ho ten" | "ho va ten dang vien" | "ho ten dang vien" => Col::Full,
        "ngay sinh" | "ngay thang nam sinh" | "sinh ngay" => Col::Birth,
        "gioi tinh" | "gioi" => Col::Gender,
        "so the" | "so the dang vien" | "so the dang" => Col::Card,
        "ngay vao dang" | "ngay ket nap" => Col::Admitted,
        "ngay chinh thuc" | "ngay dang chinh thuc" => Col::Official,
        "loai" | "loai dang vien" | "tinh trang" => Col::Status,
        "ma don vi" | "ma chi bo" => Col::Unit,
        "tu ngay" | "ngay sinh hoat" => Col::Since,
        "dien thoai" | "so dien thoai" | "sdt" => Col::Phone,
        "email" | "thu dien tu" => Col::Email,
        "dia chi" | "noi o" | "cho o hien nay" => Col::Address,
        _ => return None,
    })
}

/// Family names of two words; "Họ và tên" in one cell is split with these.
const COMPOUND_FAMILY: [&str; 8] = [
    "ton nu",
    "ton that",
    "au duong",
    "cong ton",
    "tu ma",
    "gia cat",
    "thuong quan",
    "nguyen phuc",
];

#[derive(Clone, Debug, Serialize)]
pub struct RowError {
    pub row: u64,
    pub message: String,
}

/// A row as the preview shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Preview {
    pub row: u64,
    pub name: String,
    pub birth_date: String,
    pub unit_code: String,
    pub status: &'static str,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub format: String,
    pub encoding: String,
    pub rows: u64,
    pub new_people: u64,
    pub new_members: u64,
    /// Already on the unit's roll: re-importing a file changes nothing.
    pub unchanged: u64,
    pub errors: Vec<RowError>,
    pub error_count: u64,
    pub ignored_columns: Vec<String>,
    pub sample: Vec<Preview>,
    pub written: bool,
}

impl Report {
    fn fail(&mut self, row: u64, message: String) {
        self.error_count += 1;
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(RowError { row, message });
        }
    }
}

struct Parsed {
    row: u64,
    person: NewPerson,
    status: &'static str,
    unit_id: i64,
    unit_code: String,
    since: String,
    key: String,
    /// `name_fold` and `sort_key` of the person row.
    fold: String,
    sort_key: String,
}

/// What the reader thread sends: the ignored headings once, then rows,
/// each checked (`Err` carries the row's problems).
enum Chunk {
    Header(Vec<String>),
    Rows(Vec<(u64, Result<Parsed, String>)>),
}

/// What a row is checked against; owned by the reader thread.
struct Context {
    units: HashMap<String, i64>,
    default_unit: (i64, String),
    names: NameKeys,
    today: time::Date,
    /// ISO form of `today`, the default "Từ ngày".
    today_iso: String,
}

/// `name_fold` and `sort_key` of people, built from the keys of their name
/// parts. A list repeats the same few hundred họ and tên đệm and a few
/// thousand tên, and the collation key was the larger part of checking a
/// row. Both are per part by construction: `sort_key` is the parts' keys
/// in the list order, each followed by a space, then the birth date, and
/// folding works letter by letter. Every 1024th row (the first included)
/// is also computed directly; should they ever differ, every row from
/// then on is.
struct NameKeys {
    order: name::NameOrder,
    /// Part → (collation key, folded form).
    parts: HashMap<String, (String, String)>,
    rows: u64,
    cached: bool,
}

/// Parts remembered per file, at most: a bound on memory for odd files.
const NAME_PARTS: usize = 20_000;

impl NameKeys {
    fn new(order: name::NameOrder) -> Self {
        NameKeys {
            order,
            parts: HashMap::new(),
            rows: 0,
            cached: true,
        }
    }

    /// (`name_fold`, `sort_key`) of `p`.
    fn of(&mut self, p: &NewPerson) -> (String, String) {
        if !self.cached {
            return (text::fold(&p.full_name()), p.sort_key(self.order));
        }
        let parts = match self.order {
            name::NameOrder::Official => [&p.given_name, &p.family_name, &p.middle_name],
            name::NameOrder::GivenMiddleFamily => [&p.given_name, &p.middle_name, &p.family_name],
        };
        let birth = p.birth_date.as_deref().unwrap_or("9999-99-99");
        let mut key = String::with_capacity(100);
        for part in parts {
            key.push_str(&self.part(part).0);
            key.push(' ');
        }
        key.push_str(birth);
        let mut fold = String::with_capacity(
            p.family_name.len() + p.middle_name.len() + p.given_name.len() + 2,
        );
        for part in [&p.family_name, &p.middle_name, &p.given_name] {
            if !part.is_empty() {
                if !fold.is_empty() {
                    fold.push(' ');
                }
                fold.push_str(&self.part(part).1);
            }
        }
        if self.rows.is_multiple_of(1024) {
            let direct = (text::fold(&p.full_name()), p.sort_key(self.order));
            if direct.0 != fold || direct.1 != key {
                self.cached = false;
                return direct;
            }
        }
        self.rows += 1;
        (fold, key)
    }

    fn part(&mut self, part: &str) -> &(String, String) {
        if !self.parts.contains_key(part) {
            // The given name comes first in either order; keys are hex, so
            // the first word of the key is the part's own.
            let full = name::sort_key(self.order, "", "", part, None);
            let key = full.split(' ').next().unwrap_or_default().to_string();
            if self.parts.len() >= NAME_PARTS {
                self.parts.clear();
            }
            self.parts.insert(part.to_string(), (key, text::fold(part)));
        }
        &self.parts[part]
    }
}

/// Why a file could not be read at all (rows are reported in `Report`).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Sheet(#[from] sheet::SheetError),
    #[error("{0}")]
    Header(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

struct Layout {
    cols: Vec<Option<Col>>,
    /// Cell index of each column (the first one with that heading).
    at: [Option<usize>; COLS],
}

/// Number of `Col` variants.
const COLS: usize = Col::Address as usize + 1;

impl Layout {
    fn from_header(cells: &[String], ignored: &mut Vec<String>) -> Result<Layout, ImportError> {
        let cols: Vec<Option<Col>> = cells.iter().map(|c| column(c)).collect();
        for (c, h) in cols.iter().zip(cells) {
            let h = h.trim();
            if c.is_none() && !h.is_empty() && text::fold(h) != "stt" {
                ignored.push(h.to_string());
            }
        }
        let has = |x: Col| cols.contains(&Some(x));
        if !(has(Col::Full) || (has(Col::Family) && has(Col::Given))) {
            return Err(ImportError::Header(
                "Dòng 1 phải là dòng tiêu đề có cột \"Họ và tên\", hoặc các cột \"Họ\", \"Tên đệm\", \"Tên\"."
                    .into(),
            ));
        }
        let mut at = [None; COLS];
        for (i, c) in cols.iter().enumerate() {
            if let Some(c) = c {
                at[*c as usize].get_or_insert(i);
            }
        }
        Ok(Layout { cols, at })
    }

    fn get<'a>(&self, cells: &'a [String], col: Col) -> &'a str {
        self.at[col as usize]
            .and_then(|i| cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

fn split_full(full: &str) -> Option<(String, String, String)> {
    let words: Vec<&str> = full.split_whitespace().collect();
    if words.len() < 2 {
        return None;
    }
    let two =
        words.len() >= 3 && COMPOUND_FAMILY.contains(&text::fold(&words[..2].join(" ")).as_str());
    let nf = if two { 2 } else { 1 };
    Some((
        words[..nf].join(" "),
        words[nf..words.len() - 1].join(" "),
        words[words.len() - 1].to_string(),
    ))
}

fn date_field(
    v: &str,
    label: &str,
    today: time::Date,
    problems: &mut Vec<String>,
) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    match fmt::parse_date(v) {
        Some(d) if d.year() >= 1890 && d <= today => Some(fmt::iso(d)),
        _ => {
            problems.push(format!("{label} \"{v}\" không hợp lệ (dd/mm/yyyy)"));
            None
        }
    }
}

fn optional(v: &str, label: &str, max: usize, problems: &mut Vec<String>) -> Option<String> {
    let v = text::clean(v);
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max || text::has_control(&v) {
        problems.push(format!("{label} quá dài hoặc có ký tự không hợp lệ"));
    }
    Some(v)
}

/// Checks one data row; Err carries every problem of the row in one message.
fn parse_row(
    layout: &Layout,
    row: u64,
    cells: &[String],
    cx: &mut Context,
) -> Result<Parsed, String> {
    let mut problems = Vec::new();
    let g = |c| layout.get(cells, c);
    let (family, middle, given) =
        if layout.cols.contains(&Some(Col::Full)) && !g(Col::Full).is_empty() {
            match split_full(&text::clean(g(Col::Full))) {
                Some(parts) => parts,
                None => {
                    problems.push("\"Họ và tên\" cần có cả họ và tên".to_string());
                    Default::default()
                }
            }
        } else {
            (
                text::clean(g(Col::Family)),
                text::clean(g(Col::Middle)),
                text::clean(g(Col::Given)),
            )
        };
    if problems.is_empty() && (family.is_empty() || given.is_empty()) {
        problems.push("thiếu họ hoặc tên".to_string());
    }
    for (v, label) in [(&family, "Họ"), (&middle, "Tên đệm"), (&given, "Tên")] {
        if v.chars().count() > 40 || text::has_control(v) || v.chars().any(|c| c.is_ascii_digit()) {
            problems.push(format!("{label} \"{v}\" không hợp lệ"));
        }
    }
    let today = cx.today;
    let birth_date = date_field(g(Col::Birth), "Ngày sinh", today, &mut problems);
    let admitted_on = date_field(g(Col::Admitted), "Ngày vào Đảng", today, &mut problems);
    let official_on = date_field(g(Col::Official), "Ngày chính thức", today, &mut problems);
    let since = date_field(g(Col::Since), "Từ ngày", today, &mut problems)
        .unwrap_or_else(|| cx.today_iso.clone());
    let status = match text::fold(g(Col::Status)).as_str() {
        "" | "chinh thuc" | "ct" => "official",
        "du bi" | "db" => "probationary",
        other => {
            problems.push(format!("Loại \"{other}\" phải là Chính thức hoặc Dự bị"));
            "official"
        }
    };
    let gender = match text::fold(g(Col::Gender)).as_str() {
        "" => None,
        "nam" => Some("Nam".to_string()),
        "nu" => Some("Nữ".to_string()),
        _ => {
            problems.push(format!(
                "Giới tính \"{}\" phải là Nam hoặc Nữ",
                g(Col::Gender)
            ));
            None
        }
    };
    let card_no = optional(g(Col::Card), "Số thẻ đảng viên", 20, &mut problems);
    let phone = optional(g(Col::Phone), "Điện thoại", 20, &mut problems);
    if phone.as_deref().is_some_and(|p| {
        !p.chars()
            .all(|c| c.is_ascii_digit() || " +.()-".contains(c))
    }) {
        problems.push("Điện thoại chỉ gồm chữ số".to_string());
    }
    let email = optional(g(Col::Email), "Email", 120, &mut problems);
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.contains(' '))
    {
        problems.push("Email không hợp lệ".to_string());
    }
    let address = optional(g(Col::Address), "Địa chỉ", 300, &mut problems);
    let code = g(Col::Unit).to_uppercase();
    let (unit_id, unit_code) = if code.is_empty() {
        (cx.default_unit.0, cx.default_unit.1.clone())
    } else {
        match cx.units.get(&code) {
            Some(&id) => (id, code),
            None => {
                problems.push(format!("Mã đơn vị \"{code}\" không thuộc đơn vị đang nhập"));
                (0, code)
            }
        }
    };
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let person = NewPerson {
        family_name: family,
        middle_name: middle,
        given_name: given,
        birth_date,
        gender,
        card_no,
        phone,
        email,
        address,
        admitted_on,
        official_on,
    };
    let key = person.dedupe_key();
    let (fold, sort_key) = cx.names.of(&person);
    Ok(Parsed {
        row,
        person,
        status,
        unit_id,
        unit_code,
        since,
        key,
        fold,
        sort_key,
    })
}

/// Reads `path` into the unit `unit_code` (rows may name its sub-units).
/// Commits only when `commit` is set and every row is valid.
/// What an import may take on.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file accepted.
    pub max_bytes: u64,
    /// Up to this many people on file (by the highest id) are held in
    /// memory for the whole import; above it, each batch looks its rows up.
    pub hold_on_file: i64,
    /// A file of at least this many rows (estimated from its size) is
    /// loaded in bulk, when what is on file is held and no larger.
    pub bulk_from_rows: u64,
}

impl Limits {
    pub fn new(max_bytes: u64) -> Self {
        Limits {
            max_bytes,
            hold_on_file: 100_000,
            bulk_from_rows: 10_000,
        }
    }
}

pub async fn run(
    db: &Db,
    actor: &Actor,
    path: &Path,
    unit_code: &str,
    limits: Limits,
    commit: bool,
) -> Result<Report, ImportError> {
    let root = unit::by_code(db, unit_code).await?.ok_or(DbError::field(
        "unit_code",
        trienkhai_core::Code::UnitNotFound,
    ))?;
    let today = fmt::today_vn();
    if root
        .valid_to
        .as_deref()
        .is_some_and(|t| t < fmt::iso(today).as_str())
    {
        return Err(DbError::field("unit_code", trienkhai_core::Code::UnitNotActive).into());
    }
    let units: HashMap<String, i64> = unit::list(db, Some(&root.path), today, None, 1000)
        .await?
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();

    // The file's size tells whether this is a bulk load (`write::bulk_worth`).
    let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let (tx_rows, mut rx_rows) = tokio::sync::mpsc::channel::<Result<Chunk, ImportError>>(4);
    let path = path.to_path_buf();
    let (meta_tx, meta_rx) = tokio::sync::oneshot::channel();
    // The name order is read inside the transaction, once it has begun.
    let (order_tx, order_rx) = tokio::sync::oneshot::channel();
    let today_iso = fmt::iso(today);
    let default_unit = (root.id, root.code.clone());
    // Reading and checking run on a blocking thread while the previous
    // batch is written.
    let reader = tokio::task::spawn_blocking(move || {
        let mut r = match sheet::open(&path, limits.max_bytes) {
            Ok(r) => r,
            Err(e) => {
                let _ = meta_tx.send(Err(e));
                return;
            }
        };
        let format = match r.format() {
            sheet::Format::Csv => "CSV",
            sheet::Format::Xlsx => "XLSX",
        };
        let _ = meta_tx.send(Ok((format.to_string(), r.encoding().label().to_string())));
        let Ok(order) = order_rx.blocking_recv() else {
            return;
        };
        let mut cx = Context {
            units,
            default_unit,
            names: NameKeys::new(order),
            today,
            today_iso,
        };
        let mut layout: Option<Layout> = None;
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let row = match r.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) => {
                    let _ = tx_rows.blocking_send(Err(e.into()));
                    return;
                }
            };
            let Some(l) = &layout else {
                let mut ignored = Vec::new();
                let header = Layout::from_header(&row.cells, &mut ignored);
                let sent = match header {
                    Ok(l) => {
                        layout = Some(l);
                        tx_rows.blocking_send(Ok(Chunk::Header(ignored)))
                    }
                    Err(e) => {
                        let _ = tx_rows.blocking_send(Err(e));
                        return;
                    }
                };
                if sent.is_err() {
                    return;
                }
                continue;
            };
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let n = row.number;
            // Each person once per file: a repeat is refused, naming the
            // row that came first.
            let parsed = parse_row(l, n, &row.cells, &mut cx).and_then(|p| {
                match seen.entry(p.key.clone()) {
                    Entry::Occupied(first) => Err(format!("trùng với dòng {}", first.get())),
                    Entry::Vacant(e) => {
                        e.insert(n);
                        Ok(p)
                    }
                }
            });
            batch.push((n, parsed));
            if batch.len() == BATCH
                && tx_rows
                    .blocking_send(Ok(Chunk::Rows(std::mem::take(&mut batch))))
                    .is_err()
            {
                return;
            }
        }
        if !batch.is_empty() {
            let _ = tx_rows.blocking_send(Ok(Chunk::Rows(batch)));
        }
    });
    let (format, encoding) = meta_rx
        .await
        .map_err(|_| DbError::Other(anyhow::anyhow!("reader stopped")))??;
    let mut report = Report {
        format,
        encoding,
        ..Default::default()
    };

    let mut tx = db.begin().await?;
    let on_file = write::on_file(&mut tx, limits.hold_on_file).await?;
    let bulk = write::bulk_worth(&on_file, file_bytes, limits.bulk_from_rows);
    let tuned = write::tune(&mut tx, bulk).await?;
    let bulk = if bulk {
        Some(write::set_aside(&mut tx).await?)
    } else {
        None
    };
    let mut header = false;
    let result: Result<(), ImportError> = async {
        let _ = order_tx.send(name_order_in(&mut tx).await?);
        while let Some(chunk) = rx_rows.recv().await {
            let rows = match chunk? {
                Chunk::Header(ignored) => {
                    report.ignored_columns = ignored;
                    header = true;
                    continue;
                }
                Chunk::Rows(rows) => rows,
            };
            let mut good = Vec::with_capacity(rows.len());
            for (n, parsed) in rows {
                report.rows += 1;
                match parsed {
                    Ok(p) => {
                        if report.sample.len() < SAMPLE {
                            report.sample.push(Preview {
                                row: n,
                                name: p.person.full_name(),
                                birth_date: fmt::date_text(p.person.birth_date.as_deref()),
                                unit_code: p.unit_code.clone(),
                                status: crate::member::status_label(p.status),
                            });
                        }
                        good.push(p);
                    }
                    Err(m) => report.fail(n, m),
                }
            }
            // Once a row is bad nothing will be committed: keep checking
            // rows for the report, but stop writing.
            if report.error_count == 0 {
                write::write_batch(&mut tx, &on_file, good, &mut report).await?;
            } else {
                write::check_batch(&mut tx, &on_file, &good, &mut report).await?;
            }
        }
        if !header {
            return Err(ImportError::Sheet(sheet::SheetError::Empty));
        }
        Ok(())
    }
    .await;
    drop(rx_rows);
    let _ = reader.await;
    let result: Result<bool, ImportError> = match result {
        Err(e) => Err(e),
        Ok(()) if report.rows == 0 => Err(ImportError::Sheet(sheet::SheetError::Empty)),
        Ok(()) if commit && report.error_count == 0 => {
            let done = match bulk {
                Some(b) => write::put_back(&mut tx, b).await,
                None => Ok(()),
            };
            let logged = match done {
                Ok(()) => record(&mut tx, actor, (root.id, &root.name), &report).await,
                Err(e) => Err(e),
            };
            logged.map(|()| true).map_err(ImportError::from)
        }
        Ok(()) => Ok(false),
    };
    write::untune(&mut tx, tuned).await;
    match result {
        Ok(true) => {
            tx.commit().await?;
            report.written = true;
            Ok(report)
        }
        Ok(false) => {
            tx.rollback().await?;
            Ok(report)
        }
        Err(e) => {
            tx.rollback().await?;
            Err(e)
        }
    }
}

/// Counts the new people and logs the import, in its transaction.
async fn record(tx: &mut Tx, actor: &Actor, unit: (i64, &str), report: &Report) -> DbResult<()> {
    counter::add(tx, counter::PERSONS, report.new_people as i64).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "import",
            entity: "unit",
            entity_id: Some(unit.0.to_string()),
            summary: format!(
                "Nhập danh sách đảng viên vào {}: {} người mới, {} lượt sinh hoạt mới",
                unit.1,
                fmt::int(report.new_people as i64),
                fmt::int(report.new_members as i64)
            ),
            before: None,
            after: Some(json!({"rows": report.rows, "new_people": report.new_people,
                "new_members": report.new_members, "unchanged": report.unchanged})),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(family: &str, middle: &str, given: &str, birth: Option<&str>) -> NewPerson {
        NewPerson {
            family_name: family.into(),
            middle_name: middle.into(),
            given_name: given.into(),
            birth_date: birth.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn name_keys_from_parts_match_direct() {
        let people = [
            ("Nguyễn", "Văn", "An", Some("1980-01-02")),
            ("Nguyễn", "", "Khuê", None),
            ("Tôn Nữ", "Thị Thu", "Thuỵ", Some("1975-09-19")),
            ("Tôn Nữ", "Thị Thu", "Thủy", Some("1975-09-19")),
            ("TRẦN", "ĐÌNH", "HOÀ", None),
            ("Lê", "Hồng", "Hòa", Some("2001-12-31")),
            ("Đặng", "Ngọc", "Quý", None),
            ("Ngô", "Quang", "Khoẻ", Some("1990-05-05")),
        ];
        for order in [
            name::NameOrder::Official,
            name::NameOrder::GivenMiddleFamily,
        ] {
            let mut keys = NameKeys::new(order);
            for _ in 0..2 {
                for (f, m, g, b) in people {
                    let p = person(f, m, g, b);
                    let direct = (text::fold(&p.full_name()), p.sort_key(order));
                    keys.rows = 1; // no self-check: compare here
                    assert_eq!(keys.of(&p), direct, "{f} {m} {g} {b:?} {order:?}");
                }
            }
            assert!(keys.cached);
        }
    }
}
