//! Totals kept in the writing transaction, so pages never count rows.
use std::collections::HashMap;

use crate::{Db, DbResult, Tx};

pub const UNITS: &str = "units";
pub const PERSONS: &str = "persons";
pub const DOCUMENTS: &str = "documents";
pub const USERS: &str = "users";

pub async fn add(tx: &mut Tx, key: &str, delta: i64) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO counter (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = counter.value + excluded.value")
        .bind(key).bind(delta).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn all(db: &Db) -> DbResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> =
        crate::read::all(db, "SELECT key, value FROM counter", &[]).await?;
    Ok(rows.into_iter().collect())
}

/// Recount from raw rows; tests compare it with the kept counters, which
/// have no row for a total that was never incremented, so zeros are left out.
pub async fn recount(db: &Db) -> DbResult<HashMap<String, i64>> {
    let sql = "SELECT 'units', COUNT(*) FROM unit
        UNION ALL SELECT 'persons', COUNT(*) FROM person
        UNION ALL SELECT 'documents', COUNT(*) FROM document
        UNION ALL SELECT 'users', COUNT(*) FROM app_user";
    let rows: Vec<(String, i64)> = with_db!(db, p => sqlx::query_as(sql).fetch_all(p).await)?;
    Ok(rows.into_iter().filter(|r| r.1 != 0).collect())
}
