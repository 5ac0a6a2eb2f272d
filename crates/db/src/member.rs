//! Member lists of a unit: read as of a day in the official name order,
//! keyset-paged, and the columns shared by import and export.
use serde::Serialize;
use time::Date;
use trienkhai_core::fmt;

use crate::{Db, DbResult, person::Person, read, unit::path_upper};

/// A person on a unit's roll on a given day.
#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Member {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub person: Person,
    pub status: String,
    pub since: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip_serializing)]
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
///
/// A large subtree is read in name order from the person index, keeping
/// those on its roll: a first page then costs a few thousand probes
/// instead of sorting the whole roll (10 pages/s for a province of
/// 140.000). A small subtree is sorted, since probing would pass over
/// everyone else. Both plans give the same rows.
pub async fn list(
    db: &Db,
    root_path: &str,
    as_of: Date,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<Member>> {
    let (key, id) = match after.and_then(|a| a.rsplit_once('~')) {
        Some((k, i)) => (k.to_string(), i.parse::<i64>().unwrap_or(0)),
        None => (String::new(), 0),
    };
    let upper = path_upper(root_path);
    // SQLite's CROSS JOIN keeps the written order (person first, in index
    // order); PostgreSQL plans it as a plain join.
    let from = if dense(db, root_path, &upper).await? {
        "person p CROSS JOIN membership m CROSS JOIN unit_version v CROSS JOIN unit u"
    } else {
        SORTED
    };
    let sql = format!(
        "SELECT p.id, p.family_name, p.middle_name, p.given_name, p.birth_date, p.gender,
            p.card_no, p.phone, p.email, p.address, p.admitted_on, p.official_on,
            m.status, m.valid_from AS since, u.id AS unit_id, u.code AS unit_code,
            v.name AS unit_name, p.sort_key
         FROM {from} {ROLL} LIMIT {}",
        crate::pool::limit(limit)
    );
    let day = fmt::iso(as_of);
    let args = [
        root_path.into(),
        upper.as_str().into(),
        day.as_str().into(),
        key.as_str().into(),
        id.into(),
    ];
    read::all(db, &sql, &args).await
}

/// Whether the subtree holds at least 1/32 of all units (of any day), so
/// that a name-ordered walk meets one of its members every few dozen
/// persons. Counting stops at that share, so a national root costs no
/// more than a province. One statement: the share comes from the counter.
async fn dense(db: &Db, root_path: &str, upper: &str) -> DbResult<bool> {
    const SQL: &str = "WITH k AS (SELECT CASE WHEN n / 32 > 64 THEN n / 32 ELSE 64 END AS share
           FROM (SELECT COALESCE((SELECT value FROM counter WHERE key = $3), 0) AS n) c)
         SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM unit_version
                  WHERE path >= $1 AND path < $2 LIMIT (SELECT share FROM k)) s)
              >= (SELECT share FROM k)";
    let args = [root_path.into(), upper.into(), crate::counter::UNITS.into()];
    let row: Option<(bool,)> = read::first(db, SQL, &args).await?;
    Ok(row.is_some_and(|r| r.0))
}

/// The small-subtree plan: the subtree's units, their rolls, then sorted.
const SORTED: &str =
    "unit_version v JOIN membership m ON TRUE JOIN person p ON TRUE JOIN unit u ON TRUE";

/// The roll of a subtree on a day in name order, after a keyset cursor
/// ($4 sort key, $5 id; '' and 0 before the first row). The range on the
/// sort key lets the name-ordered plan seek to the cursor.
const ROLL: &str = "WHERE m.person_id = p.id AND v.unit_id = m.unit_id AND u.id = m.unit_id
       AND v.path >= $1 AND v.path < $2
       AND v.valid_from <= $3 AND (v.valid_to IS NULL OR v.valid_to >= $3)
       AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to >= $3)
       AND p.sort_key >= $4 AND (p.sort_key > $4 OR p.id > $5)
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
    let sql = format!("SELECT {EXPORTED} FROM {SORTED} {ROLL}");
    let mut write = |c: [Option<&str>; 14]| w.write_row(&cells(c)).map_err(sheet_err);
    let n = match db {
        Db::Sqlite(p, ..) => {
            let mut conn = p.acquire().await?;
            let params = [
                Value::Text(root_path),
                Value::Text(&upper),
                Value::Text(&day),
                Value::Text(""),
                Value::Int(0),
            ];
            sqlite_rows::select(&mut conn, &sql, &params, write).await?
        }
        Db::Postgres(p, _) => {
            use sqlx::Row;
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(root_path)
                .bind(&upper)
                .bind(&day)
                .bind("")
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
