//! Member list import: one path for the web upload and the command line.
//! The file is read once, row by row. Rows are checked and written in
//! batches inside one transaction, which is committed only when every row
//! is valid (and the caller asked to commit), so a refused file leaves
//! nothing behind and a preview is the same run rolled back.
use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::json;
use trienkhai_core::{fmt, name, text};
use trienkhai_sheet as sheet;

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms,
    person::{NewPerson, name_order_in},
    unit,
};

/// Rows checked against the database together: one lookup per batch.
const BATCH: usize = 250;
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
}

impl Layout {
    fn from_header(cells: &[String], report: &mut Report) -> Result<Layout, ImportError> {
        let cols: Vec<Option<Col>> = cells.iter().map(|c| column(c)).collect();
        for (c, h) in cols.iter().zip(cells) {
            let h = h.trim();
            if c.is_none() && !h.is_empty() && text::fold(h) != "stt" {
                report.ignored_columns.push(h.to_string());
            }
        }
        let has = |x: Col| cols.contains(&Some(x));
        if !(has(Col::Full) || (has(Col::Family) && has(Col::Given))) {
            return Err(ImportError::Header(
                "Dòng 1 phải là dòng tiêu đề có cột \"Họ và tên\", hoặc các cột \"Họ\", \"Tên đệm\", \"Tên\"."
                    .into(),
            ));
        }
        Ok(Layout { cols })
    }

    fn get<'a>(&self, cells: &'a [String], col: Col) -> &'a str {
        self.cols
            .iter()
            .position(|c| *c == Some(col))
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

fn date_field(v: &str, label: &str, problems: &mut Vec<String>) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    match fmt::parse_date(v) {
        Some(d) if d.year() >= 1890 && d <= fmt::today_vn() => Some(fmt::iso(d)),
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
    units: &HashMap<String, i64>,
    default_unit: (i64, &str),
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
    let birth_date = date_field(g(Col::Birth), "Ngày sinh", &mut problems);
    let admitted_on = date_field(g(Col::Admitted), "Ngày vào Đảng", &mut problems);
    let official_on = date_field(g(Col::Official), "Ngày chính thức", &mut problems);
    let since = date_field(g(Col::Since), "Từ ngày", &mut problems)
        .unwrap_or_else(|| fmt::iso(fmt::today_vn()));
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
        (default_unit.0, default_unit.1.to_string())
    } else {
        match units.get(&code) {
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
    Ok(Parsed {
        row,
        person,
        status,
        unit_id,
        unit_code,
        since,
        key,
    })
}

/// Reads `path` into the unit `unit_code` (rows may name its sub-units).
/// Commits only when `commit` is set and every row is valid.
pub async fn run(
    db: &Db,
    actor: &Actor,
    path: &Path,
    unit_code: &str,
    max_bytes: u64,
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

    let (tx_rows, mut rx_rows) =
        tokio::sync::mpsc::channel::<Result<Vec<(u64, Vec<String>)>, sheet::SheetError>>(4);
    let path = path.to_path_buf();
    let (meta_tx, meta_rx) = tokio::sync::oneshot::channel();
    // Parsing runs on a blocking thread while the previous batch is written.
    let reader = tokio::task::spawn_blocking(move || {
        let mut r = match sheet::open(&path, max_bytes) {
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
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            match r.next_row() {
                Ok(Some(row)) => {
                    batch.push((row.number, row.cells));
                    if batch.len() == BATCH
                        && tx_rows
                            .blocking_send(Ok(std::mem::take(&mut batch)))
                            .is_err()
                    {
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx_rows.blocking_send(Err(e));
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx_rows.blocking_send(Ok(batch));
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
    let order = name_order_in(&mut tx).await?;
    let mut layout: Option<Layout> = None;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let result: Result<(), ImportError> = async {
        while let Some(batch) = rx_rows.recv().await {
            let mut good = Vec::with_capacity(BATCH);
            for (n, cells) in batch? {
                let Some(l) = &layout else {
                    layout = Some(Layout::from_header(&cells, &mut report)?);
                    continue;
                };
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                report.rows += 1;
                match parse_row(l, n, &cells, &units, (root.id, &root.code)) {
                    Ok(p) => {
                        if let Some(first) = seen.get(&p.key) {
                            report.fail(n, format!("trùng với dòng {first}"));
                            continue;
                        }
                        seen.insert(p.key.clone(), n);
                        if report.sample.len() < SAMPLE {
                            report.sample.push(Preview {
                                row: n,
                                name: p.person.full_name(),
                                birth_date: p
                                    .person
                                    .birth_date
                                    .as_deref()
                                    .and_then(fmt::parse_date)
                                    .map(fmt::date)
                                    .unwrap_or_default(),
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
                write_batch(&mut tx, order, good, &mut report).await?;
            } else {
                check_batch(&mut tx, &good, &mut report).await?;
            }
        }
        if layout.is_none() {
            return Err(ImportError::Sheet(sheet::SheetError::Empty));
        }
        Ok(())
    }
    .await;
    drop(rx_rows);
    let _ = reader.await;
    if let Err(e) = result {
        tx.rollback().await?;
        return Err(e);
    }
    if report.rows == 0 {
        tx.rollback().await?;
        return Err(ImportError::Sheet(sheet::SheetError::Empty));
    }
    if commit && report.error_count == 0 {
        counter::add(&mut tx, counter::PERSONS, report.new_people as i64).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                action: "import",
                entity: "unit",
                entity_id: Some(root.id.to_string()),
                summary: format!(
                    "Nhập danh sách đảng viên vào {}: {} người mới, {} lượt sinh hoạt mới",
                    root.name,
                    fmt::int(report.new_people as i64),
                    fmt::int(report.new_members as i64)
                ),
                before: None,
                after: Some(json!({"rows": report.rows, "new_people": report.new_people,
                    "new_members": report.new_members, "unchanged": report.unchanged})),
            },
        )
        .await?;
        tx.commit().await?;
        report.written = true;
    } else {
        tx.rollback().await?;
    }
    Ok(report)
}

/// People already on file for these rows: dedupe key → (id, open unit ids).
async fn known(tx: &mut Tx, rows: &[Parsed]) -> DbResult<HashMap<String, (i64, Vec<i64>)>> {
    let mut out: HashMap<String, (i64, Vec<i64>)> = HashMap::new();
    if rows.is_empty() {
        return Ok(out);
    }
    let marks = placeholders(rows.len(), 1, 0);
    let sql = format!(
        "SELECT p.dedupe_key, p.id, m.unit_id FROM person p
         LEFT JOIN membership m ON m.person_id = p.id AND m.valid_to IS NULL
         WHERE p.dedupe_key IN ({marks})"
    );
    let found: Vec<(String, i64, Option<i64>)> = with_tx!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
        for r in rows {
            q = q.bind(&r.key);
        }
        q.fetch_all(&mut *c).await
    })?;
    for (key, id, unit) in found {
        let e = out.entry(key).or_insert((id, Vec::new()));
        e.1.extend(unit);
    }
    Ok(out)
}

/// "($1, $2), ($3, $4)": `rows` groups of `width` placeholders from `start`.
fn placeholders(rows: usize, width: usize, start: usize) -> String {
    let mut s = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        if width > 1 {
            s.push('(');
        }
        for c in 0..width {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(start + r * width + c + 1).to_string());
        }
        if width > 1 {
            s.push(')');
        }
    }
    s
}

/// Sorts rows into new people, new memberships and unchanged; a person on
/// another unit's roll is an error (a transfer is not an import).
fn classify(
    rows: Vec<Parsed>,
    known: &HashMap<String, (i64, Vec<i64>)>,
    report: &mut Report,
) -> (Vec<Parsed>, Vec<(i64, Parsed)>) {
    let mut fresh = Vec::new();
    let mut join = Vec::new();
    for p in rows {
        match known.get(&p.key) {
            None => fresh.push(p),
            Some((_, units)) if units.contains(&p.unit_id) => report.unchanged += 1,
            Some((id, units)) if units.is_empty() => join.push((*id, p)),
            Some(_) => report.fail(
                p.row,
                "đảng viên này đang sinh hoạt ở đơn vị khác; hãy làm thủ tục chuyển sinh hoạt"
                    .into(),
            ),
        }
    }
    (fresh, join)
}

async fn check_batch(tx: &mut Tx, rows: &[Parsed], report: &mut Report) -> DbResult<()> {
    let k = known(tx, rows).await?;
    for p in rows {
        if let Some((_, units)) = k.get(&p.key)
            && !units.is_empty()
            && !units.contains(&p.unit_id)
        {
            report.fail(
                p.row,
                "đảng viên này đang sinh hoạt ở đơn vị khác; hãy làm thủ tục chuyển sinh hoạt"
                    .into(),
            );
        }
    }
    Ok(())
}

async fn write_batch(
    tx: &mut Tx,
    order: name::NameOrder,
    rows: Vec<Parsed>,
    report: &mut Report,
) -> DbResult<()> {
    let k = known(tx, &rows).await?;
    let (fresh, mut join) = classify(rows, &k, report);
    if report.error_count > 0 {
        return Ok(());
    }
    if !fresh.is_empty() {
        const W: usize = 15;
        let sql = format!(
            "INSERT INTO person (family_name, middle_name, given_name, name_fold, birth_date, created_at,
                 sort_key, dedupe_key, card_no, gender, phone, email, address, admitted_on, official_on)
             VALUES {} RETURNING id, dedupe_key",
            placeholders(fresh.len(), W, 0)
        );
        let now = now_ms();
        let ids: Vec<(i64, String)> = with_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for r in &fresh {
                let p = &r.person;
                q = q.bind(&p.family_name).bind(&p.middle_name).bind(&p.given_name)
                    .bind(text::fold(&p.full_name())).bind(&p.birth_date).bind(now)
                    .bind(p.sort_key(order)).bind(&r.key).bind(&p.card_no).bind(&p.gender)
                    .bind(&p.phone).bind(&p.email).bind(&p.address).bind(&p.admitted_on)
                    .bind(&p.official_on);
            }
            q.fetch_all(&mut *c).await
        })?;
        let by_key: HashMap<String, i64> = ids.into_iter().map(|(id, k)| (k, id)).collect();
        report.new_people += fresh.len() as u64;
        for p in fresh {
            let id = by_key.get(&p.key).copied().unwrap_or_default();
            join.push((id, p));
        }
    }
    if !join.is_empty() {
        let sql = format!(
            "INSERT INTO membership (person_id, unit_id, status, valid_from) VALUES {}",
            placeholders(join.len(), 4, 0)
        );
        with_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (id, p) in &join {
                q = q.bind(id).bind(p.unit_id).bind(p.status).bind(&p.since);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        report.new_members += join.len() as u64;
    }
    Ok(())
}
