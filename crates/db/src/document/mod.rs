//! The document register: what comes down from above ('in') and what the
//! committee issues ('out'). Identity is (issuer, type, term, number), never
//! the symbol alone: 35-CT/TW exists in khóa XII and XIII.
pub mod citation;
pub mod file;
pub mod generate;
pub mod kind;
pub mod number;
pub mod relation;
pub mod search;

use serde::Serialize;
use serde_json::json;
use trienkhai_core::{Code, FieldError, cite, fmt, term, text};

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms,
    read::{self, Arg},
};

/// Secrecy and urgency marks as printed (36-HD element 10).
pub const SECRECY: [&str; 3] = ["Mật", "Tối mật", "Tuyệt mật"];
pub const URGENCY: [&str; 3] = ["Khẩn", "Thượng khẩn", "Hỏa tốc"];
/// Issuing bodies: BCH, BTV, a board, a congress (which numbers all types in one series).
pub const BODIES: [(&str, &str); 6] = [
    ("BCH", "Ban Chấp hành"),
    ("BTV", "Ban Thường vụ"),
    ("TT", "Thường trực"),
    ("VP", "Văn phòng"),
    ("BAN", "Ban tham mưu"),
    ("ĐH", "Đại hội"),
];

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub direction: String,
    pub system: String,
    pub issuer_code: String,
    pub issuer_unit_id: Option<i64>,
    pub body: String,
    pub type_code: String,
    pub type_name: String,
    pub number: String,
    pub symbol: String,
    pub issued_on: Option<String>,
    pub term_key: String,
    pub subject: String,
    pub content: String,
    pub place: String,
    pub authority: String,
    pub signer_title: String,
    pub signer: String,
    pub urgency: String,
    pub secrecy: String,
    pub circulation: String,
    pub recipients: String,
    pub manual_number: bool,
    pub version: i64,
}

const SELECT: &str = "SELECT id, direction, system, issuer_code, issuer_unit_id, body, type_code,
    type_name, number, symbol, issued_on, term_key, subject, content, place, authority,
    signer_title, signer, urgency, secrecy, circulation, recipients, manual_number, version
    FROM document";

/// A row of the register list (no body text).
#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub direction: String,
    pub symbol: String,
    pub type_name: String,
    pub issued_on: Option<String>,
    pub subject: String,
    pub secrecy: String,
}

/// Fields shared by both ways into the register, as typed in a form (or
/// sent as JSON: unknown fields are ignored, missing ones are empty).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Common {
    pub issued_on: String,
    pub body: String,
    pub subject: String,
    pub content: String,
    pub term_key: String,
    pub secrecy: String,
    pub urgency: String,
    /// Phạm vi lưu hành, e.g. "Lưu hành nội bộ".
    pub circulation: String,
}

/// A document received from elsewhere, identified by its printed symbol.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Incoming {
    pub symbol: String,
    #[serde(flatten)]
    pub common: Common,
}

/// A document the committee issues; the number is allocated unless given.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    pub unit_id: i64,
    pub type_code: String,
    pub type_kind: String,
    pub manual_number: String,
    pub place: String,
    pub authority: String,
    pub signer_title: String,
    pub signer: String,
    pub recipients: String,
    pub common: Common,
}

/// Checked and normalised values, ready to write.
struct Record {
    direction: &'static str,
    system: String,
    issuer_code: String,
    issuer_unit_id: Option<i64>,
    type_code: String,
    type_name: String,
    number: String,
    /// The year part of a state symbol ("114/2014/NĐ-CP").
    year: Option<i32>,
    issued_on: Option<String>,
    term_key: String,
    manual_number: bool,
    c: Common,
    place: String,
    authority: String,
    signer_title: String,
    signer: String,
    recipients: String,
}

/// Party style "41-CT/TW"; state style "08/NQ-CP", or "114/2014/NĐ-CP"
/// when the number carries its year.
pub fn symbol(system: &str, number: &str, type_code: &str, issuer: &str) -> String {
    if system == "state" {
        format!("{number}/{type_code}-{issuer}")
    } else {
        format!("{number}-{type_code}/{issuer}")
    }
}

fn printed_symbol(r: &Record) -> String {
    match (r.system.as_str(), r.year) {
        ("state", Some(y)) => format!("{}/{y}/{}-{}", r.number, r.type_code, r.issuer_code),
        _ => symbol(&r.system, &r.number, &r.type_code, &r.issuer_code),
    }
}

/// "01" and "1" are one number.
pub fn number_key(number: &str) -> String {
    let t = number.trim_start_matches('0');
    if t.is_empty() { number } else { t }.to_string()
}

/// An optional free-text field: at most `max` characters, no control characters.
fn limited(errs: &mut Vec<FieldError>, field: &'static str, v: &str, max: usize) {
    if v.chars().count() > max {
        errs.push(FieldError::new(field, Code::TooLong));
    } else if text::has_control(v) {
        errs.push(FieldError::new(field, Code::InvalidText));
    }
}

fn choice(errs: &mut Vec<FieldError>, field: &'static str, v: &str, allowed: &[&str]) {
    if !v.is_empty() && !allowed.contains(&v) {
        errs.push(FieldError::new(field, Code::InvalidChoice));
    }
}

/// Cleans the shared fields; returns the ISO date when one was given.
fn check_common(c: &mut Common, errs: &mut Vec<FieldError>) -> Option<String> {
    c.body = text::clean(&c.body);
    c.subject = text::clean(&c.subject);
    c.content = text::clean_block(&c.content);
    c.term_key = text::clean(&c.term_key);
    c.secrecy = text::clean(&c.secrecy);
    c.urgency = text::clean(&c.urgency);
    c.circulation = text::clean(&c.circulation);
    limited(errs, "circulation", &c.circulation, 100);
    errs.extend(text::check("subject", &c.subject, 1000));
    limited(errs, "content", &c.content, 500_000);
    limited(errs, "term_key", &c.term_key, 20);
    choice(errs, "secrecy", &c.secrecy, &SECRECY);
    choice(errs, "urgency", &c.urgency, &URGENCY);
    let bodies: Vec<&str> = BODIES.iter().map(|b| b.0).collect();
    choice(errs, "body", &c.body, &bodies);
    let date = c.issued_on.trim();
    if date.is_empty() {
        return None;
    }
    match fmt::parse_date(date) {
        Some(d) => Some(fmt::iso(d)),
        None => {
            errs.push(FieldError::new("issued_on", Code::InvalidDate));
            None
        }
    }
}

fn invalid(errs: Vec<FieldError>) -> DbResult<()> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DbError::Invalid(errs))
    }
}

/// Registers a document received from elsewhere. Needs its symbol, and a
/// date or a term to tell 35-CT/TW of 2019 from that of 2024.
pub async fn register_in(tx: &mut Tx, actor: &Actor, mut d: Incoming) -> DbResult<i64> {
    let mut errs = Vec::new();
    let date = check_common(&mut d.common, &mut errs);
    let parsed = cite::parse_symbol(&text::clean(&d.symbol));
    if d.symbol.trim().is_empty() {
        errs.push(FieldError::new("symbol", Code::Required));
    } else if parsed.is_none() {
        errs.push(FieldError::new("symbol", Code::InvalidSymbol));
    }
    if date.is_none()
        && d.common.term_key.is_empty()
        && !errs.iter().any(|e| e.field == "issued_on")
    {
        errs.push(FieldError::new("issued_on", Code::Required));
    }
    invalid(errs)?;
    let c = parsed.expect("checked above");
    let system = c.system.as_str().to_string();
    let issuer = c.issuer.clone().unwrap_or_default();
    let Some(type_name) = kind::name_in(tx, &system, &c.kind, None, date.as_deref()).await? else {
        return Err(DbError::field("symbol", Code::UnknownDocType));
    };
    let term_key = match (&d.common.term_key, &date, c.year) {
        (t, _, _) if !t.is_empty() => t.clone(),
        (_, _, Some(y)) if system == "state" => y.to_string(),
        (_, Some(iso), _) => term::key(&system, &issuer, iso),
        _ => String::new(),
    };
    let rec = Record {
        direction: "in",
        system,
        issuer_code: issuer,
        issuer_unit_id: None,
        type_code: c.kind,
        type_name,
        number: c.number,
        year: c.year,
        issued_on: date,
        term_key,
        manual_number: false,
        c: d.common,
        place: String::new(),
        authority: String::new(),
        signer_title: String::new(),
        signer: String::new(),
        recipients: String::new(),
    };
    insert(tx, actor, rec, "Vào sổ văn bản đến").await
}

/// Issues a document of the committee `unit_id` under the next number of
/// its series, or under a manual number (audited as such).
pub async fn issue_in(tx: &mut Tx, actor: &Actor, mut d: Outgoing) -> DbResult<i64> {
    let mut errs = Vec::new();
    let date = check_common(&mut d.common, &mut errs);
    if d.common.issued_on.trim().is_empty() {
        errs.push(FieldError::new("issued_on", Code::Required));
    }
    for (field, v) in [
        ("place", &mut d.place),
        ("signer_title", &mut d.signer_title),
        ("signer", &mut d.signer),
    ] {
        *v = text::clean(v);
        errs.extend(text::check(field, v, 100));
    }
    // A head signing directly has no T/M, K/T or T/L line.
    d.authority = text::clean(&d.authority);
    limited(&mut errs, "authority", &d.authority, 100);
    d.recipients = text::clean_block(&d.recipients);
    limited(&mut errs, "recipients", &d.recipients, 4000);
    let manual = text::clean(&d.manual_number);
    let digits = manual.len() <= 6 && manual.bytes().all(|b| b.is_ascii_digit());
    if !manual.is_empty() && !digits {
        errs.push(FieldError::new("manual_number", Code::InvalidNumber));
    }
    invalid(errs)?;
    let iso = date.expect("checked above");
    let issuer = number::issuer_of(tx, d.unit_id).await?;
    let kind_filter = Some(d.type_kind.as_str()).filter(|k| !k.is_empty());
    let type_name = kind::name_in(tx, "party", &d.type_code, kind_filter, Some(&iso)).await?;
    let Some(type_name) = type_name else {
        return Err(DbError::field("type_code", Code::UnknownDocType));
    };
    let term_key = if d.common.term_key.is_empty() {
        number::term_of(tx, d.unit_id, &issuer, &iso).await?
    } else {
        d.common.term_key.clone()
    };
    let series = number::series(&d.common.body, &d.type_code);
    let number = if manual.is_empty() {
        number::next_in(tx, &issuer, &d.type_code, &series, &term_key).await?
    } else {
        number::claim_in(tx, &issuer, &series, &term_key, &manual).await?
    };
    let rec = Record {
        direction: "out",
        system: "party".into(),
        issuer_code: issuer,
        issuer_unit_id: Some(d.unit_id),
        type_code: d.type_code,
        type_name,
        number,
        year: None,
        issued_on: Some(iso),
        term_key,
        manual_number: !manual.is_empty(),
        c: d.common,
        place: d.place,
        authority: d.authority,
        signer_title: d.signer_title,
        signer: d.signer,
        recipients: d.recipients,
    };
    let summary = if rec.manual_number {
        "Ban hành văn bản (số nhập tay)"
    } else {
        "Ban hành văn bản"
    };
    insert(tx, actor, rec, summary).await
}

async fn insert(tx: &mut Tx, actor: &Actor, r: Record, what: &str) -> DbResult<i64> {
    let sym = printed_symbol(&r);
    let key = number_key(&r.number);
    let (taken,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "SELECT COUNT(*) FROM document
         WHERE issuer_code = $1 AND type_code = $2 AND term_key = $3 AND number_key = $4")
        .bind(&r.issuer_code).bind(&r.type_code).bind(&r.term_key).bind(&key)
        .fetch_one(&mut *c).await)?;
    if taken > 0 {
        return Err(DbError::field("symbol", Code::DocumentExists));
    }
    let now = now_ms();
    let row: Result<(i64,), sqlx::Error> = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO document (system, issuer_code, issuer_unit_id, type_code, number, symbol,
            issued_on, subject, subject_fold, created_at, direction, body, type_name, term_key,
            number_key, place, content, authority, signer_title, signer, urgency, secrecy,
            circulation, recipients, manual_number, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, $21, $22, $25, $23, $24, $10) RETURNING id")
        .bind(&r.system).bind(&r.issuer_code).bind(r.issuer_unit_id).bind(&r.type_code)
        .bind(&r.number).bind(&sym).bind(r.issued_on.as_deref().unwrap_or(""))
        .bind(&r.c.subject)
        .bind(text::fold(&r.c.subject)).bind(now).bind(r.direction).bind(&r.c.body)
        .bind(&r.type_name).bind(&r.term_key).bind(&key).bind(&r.place).bind(&r.c.content)
        .bind(&r.authority).bind(&r.signer_title).bind(&r.signer).bind(&r.c.urgency)
        .bind(&r.c.secrecy).bind(&r.recipients).bind(r.manual_number).bind(&r.c.circulation)
        .fetch_one(&mut *c).await);
    let (id,) = match row.map_err(DbError::from) {
        // Two clerks registering the same document at once: the index decides.
        Err(e) if e.is_unique_violation() => {
            return Err(DbError::field("symbol", Code::DocumentExists));
        }
        r => r?,
    };
    keep_issuers(tx, &[&r.issuer_code]).await?;
    search::index_in(tx, id).await?;
    citation::record_in(tx, id).await?;
    citation::resolve_waiting_in(tx, id).await?;
    counter::add(tx, counter::DOCUMENTS, 1).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "document",
            entity_id: Some(id.to_string()),
            summary: format!("{what} {sym}"),
            before: None,
            after: Some(json!({
                "symbol": sym, "term": r.term_key, "issued_on": r.issued_on,
                "subject": r.c.subject, "manual_number": r.manual_number,
            })),
        },
    )
    .await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Document>> {
    let sql = format!("{SELECT} WHERE id = $1");
    crate::read::first(db, &sql, &[id.into()]).await
}

/// Register filters; unused ones bind NULL so the SQL text stays fixed.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub direction: Option<String>,
    pub type_code: Option<String>,
    pub issuer_code: Option<String>,
    pub year: Option<i32>,
    /// Members and secretaries do not see documents marked secret.
    pub see_secret: bool,
    /// Keyset cursor: the (issued_on, id) of the last row shown.
    pub after: Option<(String, i64)>,
}

/// Newest first, keyset-paged on (issued_on, id). Only the filters in use
/// reach the SQL, so each engine can pick the index that fits them.
pub async fn list(db: &Db, f: &Filter, limit: i64) -> DbResult<Vec<Listed>> {
    let mut conds: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let mut bind = |sql: &str, v: String| {
        binds.push(v);
        conds.push(sql.replace('?', &format!("${}", binds.len())));
    };
    if let Some(v) = &f.direction {
        bind("direction = ?", v.clone());
    }
    if let Some(v) = &f.type_code {
        bind("type_code = ?", v.clone());
    }
    if let Some(v) = &f.issuer_code {
        bind("issuer_code = ?", v.clone());
    }
    if let Some(y) = f.year {
        bind("issued_on >= ?", format!("{y:04}-01-01"));
        // Below a cursor inside the year the upper bound says nothing more,
        // and SQLite would seek from it rather than from the cursor: page N
        // read every row of the N - 1 pages above it.
        let upper = format!("{:04}-01-01", y + 1);
        if f.after.as_ref().is_none_or(|(on, _)| *on >= upper) {
            bind("issued_on < ?", upper);
        }
    }
    if !f.see_secret {
        conds.push("secrecy = ''".into());
    }
    let after_id = f.after.as_ref().map(|a| a.1);
    if let Some((on, _)) = &f.after {
        binds.push(on.clone());
        let n = binds.len();
        conds.push(format!("(issued_on, id) < (${n}, ${})", n + 1));
    }
    let sql = format!(
        "SELECT id, direction, symbol, type_name, issued_on, subject, secrecy FROM document
         {} ORDER BY issued_on DESC, id DESC LIMIT {}",
        if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        },
        crate::pool::limit(limit)
    );
    let mut args: Vec<Arg> = binds.iter().map(|b| Arg::Text(b)).collect();
    args.extend(after_id.map(Arg::Int));
    read::all(db, &sql, &args).await
}

/// Issuer codes in the register, for the filter drop-down: kept by `keep_issuers`.
pub async fn issuers(db: &Db) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> =
        read::all(db, "SELECT code FROM document_issuer ORDER BY code", &[]).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Records the issuers of documents written in this transaction. DO NOTHING
/// takes no lock on a code already there, so clerks registering documents
/// of one issuer at once do not wait for each other.
pub(crate) async fn keep_issuers(tx: &mut Tx, codes: &[&str]) -> DbResult<()> {
    let mut codes = codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    if codes.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (1..=codes.len()).map(|n| format!("(${n})")).collect();
    let sql = format!(
        "INSERT INTO document_issuer (code) VALUES {} ON CONFLICT (code) DO NOTHING",
        marks.join(", ")
    );
    with_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for code in &codes {
            q = q.bind(*code);
        }
        q.execute(&mut *c).await.map(|_| ())
    })?;
    Ok(())
}

pub async fn register(db: &Db, actor: &Actor, d: Incoming) -> DbResult<i64> {
    let mut tx = db.begin().await?;
    let id = register_in(&mut tx, actor, d).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn issue(db: &Db, actor: &Actor, d: Outgoing) -> DbResult<i64> {
    let mut tx = db.begin().await?;
    let id = issue_in(&mut tx, actor, d).await?;
    tx.commit().await?;
    Ok(id)
}

const COLUMNS: [&str; 5] = ["Số và ký hiệu", "Loại", "Ngày", "Trích yếu", "Độ mật"];

/// The filtered register as a sheet, page by page: memory stays flat.
pub async fn export(
    db: &Db,
    f: &Filter,
    out: &std::path::Path,
    format: trienkhai_sheet::OutFormat,
) -> DbResult<u64> {
    let sheet_err = |e: trienkhai_sheet::SheetError| DbError::Other(anyhow::anyhow!(e));
    let mut w = trienkhai_sheet::Writer::create(out, format).map_err(sheet_err)?;
    w.write_row(&COLUMNS).map_err(sheet_err)?;
    let mut f = f.clone();
    let mut n = 0;
    loop {
        let page = list(db, &f, 1000).await?;
        let Some(last) = page.last() else { break };
        f.after = Some((last.issued_on.clone().unwrap_or_default(), last.id));
        for d in &page {
            let date = fmt::date_text(d.issued_on.as_deref());
            let row = [&d.symbol, &d.type_name, &date, &d.subject, &d.secrecy];
            w.write_row(&row).map_err(sheet_err)?;
        }
        n += page.len() as u64;
    }
    w.finish().map_err(sheet_err)?;
    Ok(n)
}

/// Registered documents printed with this symbol, newest first (one symbol
/// may name a document in each term).
pub async fn by_symbol(db: &Db, symbol: &str) -> DbResult<Vec<Listed>> {
    let Some(c) = cite::parse_symbol(&text::clean(symbol)) else {
        return Ok(Vec::new());
    };
    Ok(with_db!(db, p => sqlx::query_as::<_, Listed>(
        "SELECT id, direction, symbol, type_name, issued_on, subject, secrecy FROM document
         WHERE type_code = $1 AND number_key = $2 AND issuer_code = $3
         ORDER BY issued_on DESC, id DESC")
        .bind(&c.kind).bind(number_key(&c.number)).bind(c.issuer.unwrap_or_default())
        .fetch_all(p).await)?)
}

/// A unit that may issue documents: active, with an issuer code.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Issuer {
    pub id: i64,
    pub name: String,
    pub issuer_code: String,
    pub parent_name: Option<String>,
}

pub async fn issuers_units(db: &Db) -> DbResult<Vec<Issuer>> {
    Ok(with_db!(db, p => sqlx::query_as::<_, Issuer>(
        "SELECT u.id, u.name, u.issuer_code, p.name AS parent_name
         FROM unit u LEFT JOIN unit p ON p.id = u.parent_id
         WHERE u.issuer_code IS NOT NULL AND u.issuer_code <> '' AND u.valid_to IS NULL
         ORDER BY u.path").fetch_all(p).await)?)
}

/// The issuing unit of an issued document, or the committee of a campaign
/// report, for its letterhead. A unit without an issuer code reads as ""
/// (sqlx's SQLite decoder did so already; PostgreSQL's refused the NULL).
pub async fn issuer_unit(db: &Db, unit_id: i64) -> DbResult<Option<Issuer>> {
    Ok(with_db!(db, p => sqlx::query_as::<_, Issuer>(
        "SELECT u.id, u.name, COALESCE(u.issuer_code, '') AS issuer_code, p.name AS parent_name
         FROM unit u LEFT JOIN unit p ON p.id = u.parent_id WHERE u.id = $1")
        .bind(unit_id).fetch_optional(p).await)?)
}
