//! Member lists of a unit: read as of a day in the official name order,
//! keyset-paged, and the columns shared by import and export.
use serde::Serialize;
use time::Date;
use trienkhai_core::fmt;

use crate::{Db, DbResult, person::Person, unit::path_upper};

/// A person on a unit's roll on a given day.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Member {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub person: Person,
    pub status: String,
    pub since: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip)]
    pub sort_key: String,
}

impl Member {
    pub fn full_name(&self) -> String {
        self.person.full_name()
    }

    /// The keyset cursor after this row: "<sort key>~<id>".
    pub fn cursor(&self) -> String {
        format!("{}~{}", self.sort_key, self.person.id)
    }
}

pub fn status_label(status: &str) -> &'static str {
    if status == "probationary" {
        "Dự bị"
    } else {
        "Chính thức"
    }
}

/// Members of the subtree at `root_path` (that day's path) on `as_of`,
/// in name order, after the cursor of the previous page.
pub async fn list(
    db: &Db,
    root_path: &str,
    as_of: Date,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<Member>> {
    let (key, id) = match after.and_then(|a| a.rsplit_once('~')) {
        Some((k, i)) => (Some(k.to_string()), i.parse::<i64>().unwrap_or(0)),
        None => (None, 0),
    };
    let sql = format!(
        "SELECT p.id, p.family_name, p.middle_name, p.given_name, p.birth_date, p.gender,
                p.card_no, p.phone, p.email, p.address, p.admitted_on, p.official_on,
                m.status, m.valid_from AS since, u.id AS unit_id, u.code AS unit_code,
                v.name AS unit_name, p.sort_key
         FROM unit_version v JOIN unit u ON u.id = v.unit_id
         JOIN membership m ON m.unit_id = v.unit_id
         JOIN person p ON p.id = m.person_id
         WHERE v.path >= $1 AND v.path < $2
           AND v.valid_from <= $3 AND (v.valid_to IS NULL OR v.valid_to >= $3)
           AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to >= $3)
           AND ($4 IS NULL OR p.sort_key > $4 OR (p.sort_key = $4 AND p.id > $5))
         ORDER BY p.sort_key, p.id LIMIT {}",
        crate::pool::limit(limit)
    );
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(root_path).bind(path_upper(root_path)).bind(fmt::iso(as_of)).bind(&key).bind(id)
        .fetch_all(p).await)?,
    )
}

/// Column headings, shared by export and accepted back by import.
pub const COLUMNS: [&str; 14] = [
    "Họ",
    "Tên đệm",
    "Tên",
    "Ngày sinh",
    "Giới tính",
    "Số thẻ đảng viên",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Loại",
    "Mã đơn vị",
    "Từ ngày",
    "Điện thoại",
    "Email",
    "Địa chỉ",
];

/// One exported row, in `COLUMNS` order; dates as dd/mm/yyyy.
pub fn row(m: &Member) -> [String; 14] {
    let d = |s: &Option<String>| fmt::date_text(s.as_deref());
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    let p = &m.person;
    [
        p.family_name.clone(),
        p.middle_name.clone(),
        p.given_name.clone(),
        d(&p.birth_date),
        o(&p.gender),
        o(&p.card_no),
        d(&p.admitted_on),
        d(&p.official_on),
        status_label(&m.status).to_string(),
        m.unit_code.clone(),
        d(&Some(m.since.clone())),
        o(&p.phone),
        o(&p.email),
        o(&p.address),
    ]
}

/// Writes the members of the subtree at `root_path` on `as_of` to `out`,
/// page by page, so memory stays flat whatever the size. Returns the rows.
pub async fn export(
    db: &Db,
    root_path: &str,
    as_of: Date,
    out: &std::path::Path,
    format: trienkhai_sheet::OutFormat,
) -> DbResult<u64> {
    let sheet_err = |e: trienkhai_sheet::SheetError| crate::DbError::Other(anyhow::anyhow!(e));
    let mut w = trienkhai_sheet::Writer::create(out, format).map_err(sheet_err)?;
    w.write_row(&COLUMNS).map_err(sheet_err)?;
    let mut after: Option<String> = None;
    let mut n = 0;
    loop {
        let page = list(db, root_path, as_of, after.as_deref(), 1000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.cursor());
        for m in &page {
            w.write_row(&row(m)).map_err(sheet_err)?;
        }
        n += page.len() as u64;
    }
    w.finish().map_err(sheet_err)?;
    Ok(n)
}
