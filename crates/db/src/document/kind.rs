//! The registry of document types, read from data (doc_regulation, doc_type).
use serde::Serialize;

use crate::{Db, DbResult, Tx, read};

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Kind {
    pub regulation: String,
    pub code: String,
    pub kind: String,
    pub name: String,
}

/// The name of a type code, preferring the regulation in force on `iso`.
/// `kind` picks between types sharing a code (QĐ: quyết định, quy định);
/// without it Quyết định comes first.
pub async fn name_in(
    tx: &mut Tx,
    system: &str,
    code: &str,
    kind: Option<&str>,
    iso: Option<&str>,
) -> DbResult<Option<String>> {
    let row: Option<(String,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT t.name FROM doc_type t JOIN doc_regulation r ON r.code = t.regulation
         WHERE r.system = $1 AND t.code = $2 AND ($3 IS NULL OR t.kind = $3)
         ORDER BY CASE WHEN r.valid_from <= $4 AND (r.valid_to IS NULL OR r.valid_to > $4)
                  THEN 0 ELSE 1 END, r.valid_from DESC, t.kind DESC
         LIMIT 1")
        .bind(system).bind(code).bind(kind).bind(iso.unwrap_or("9999"))
        .fetch_optional(&mut *c).await)?;
    Ok(row.map(|r| r.0))
}

/// Types of the Party regulation in force on an ISO date, for the issue
/// form and the register's filter: one statement, since both pages ask
/// on every view.
pub async fn in_force(db: &Db, iso: &str) -> DbResult<Vec<Kind>> {
    read::all(db,
        "SELECT regulation, code, kind, name FROM doc_type
         WHERE regulation = (SELECT code FROM doc_regulation WHERE system = 'party' AND valid_from <= $1
                             ORDER BY valid_from DESC LIMIT 1)
         ORDER BY name, code",
        &[iso.into()]).await
}
