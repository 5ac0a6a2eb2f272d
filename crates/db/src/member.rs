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
         {ROLL} LIMIT {}",
        crate::pool::limit(limit)
    );
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(root_path).bind(path_upper(root_path)).bind(fmt::iso(as_of)).bind(&key).bind(id)
        .fetch_all(p).await)?,
    )
}

/// The roll of a subtree on a day in name order, after a keyset cursor
/// ($4 sort key, $5 id; none when $4 is NULL).
const ROLL: &str = "FROM unit_version v JOIN unit u ON u.id = v.unit_id
     JOIN membership m ON m.unit_id = v.unit_id
     JOIN person p ON p.id = m.person_id
     WHERE v.path >= $1 AND v.path < $2
       AND v.valid_from <= $3 AND (v.valid_to IS NULL OR v.valid_to >= $3)
       AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to >= $3)
       AND ($4 IS NULL OR p.sort_key > $4 OR (p.sort_key = $4 AND p.id > $5))
     ORDER BY p.sort_key, p.id";

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
/// The export's columns, in the order of `COLUMNS`.
const EXPORTED: &str = "p.family_name, p.middle_name, p.given_name, p.birth_date, p.gender,
    p.card_no, p.admitted_on, p.official_on, m.status, u.code, m.valid_from, p.phone, p.email,
    p.address";

/// One exported row from the `EXPORTED` columns: dates as dd/mm/yyyy, the
/// status in words.
fn cells(c: [Option<&str>; 14]) -> [std::borrow::Cow<'_, str>; 14] {
    std::array::from_fn(|i| match (i, c[i]) {
        (3 | 6 | 7 | 10, d) => fmt::date_text(d).into(),
        (8, s) => status_label(s.unwrap_or_default()).into(),
        (_, s) => s.unwrap_or_default().into(),
    })
}

/// Writes the members of the subtree at `root_path` on `as_of` to `out`
/// from one query: the subtree is sorted once (paging would sort it again
/// for every page), and rows are written as they come, so memory stays
/// flat whatever the size. On SQLite the rows are read on this thread
/// (`sqlite_rows::select`). Returns the rows.
pub async fn export(
    db: &Db,
    root_path: &str,
    as_of: Date,
    out: &std::path::Path,
    format: trienkhai_sheet::OutFormat,
) -> DbResult<u64> {
    use crate::member_import::sqlite_rows::{self, Value};
    use futures_util::TryStreamExt;
    let sheet_err = |e: trienkhai_sheet::SheetError| crate::DbError::Other(anyhow::anyhow!(e));
    let mut w = trienkhai_sheet::Writer::create(out, format).map_err(sheet_err)?;
    w.write_row(&COLUMNS).map_err(sheet_err)?;
    let upper = path_upper(root_path);
    let day = fmt::iso(as_of);
    let sql = format!("SELECT {EXPORTED} {ROLL}");
    let mut write = |c: [Option<&str>; 14]| w.write_row(&cells(c)).map_err(sheet_err);
    let n = match db {
        Db::Sqlite(p, _) => {
            let mut conn = p.acquire().await?;
            let params = [
                Value::Text(root_path),
                Value::Text(&upper),
                Value::Text(&day),
                Value::Null,
                Value::Int(0),
            ];
            sqlite_rows::select(&mut conn, &sql, &params, write).await?
        }
        Db::Postgres(p) => {
            use sqlx::Row;
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(root_path)
                .bind(&upper)
                .bind(&day)
                .bind(None::<String>)
                .bind(0_i64)
                .fetch(p);
            let mut n = 0;
            while let Some(r) = rows.try_next().await? {
                let mut c: [Option<String>; 14] = Default::default();
                for (i, v) in c.iter_mut().enumerate() {
                    *v = r.try_get(i)?;
                }
                write(std::array::from_fn(|i| c[i].as_deref()))?;
                n += 1;
            }
            n
        }
    };
    w.finish().map_err(sheet_err)?;
    Ok(n)
}
