use crate::{Db, DbResult, Tx};

pub const DEMO: &str = "demo";

pub async fn get(db: &Db, key: &str) -> DbResult<Option<String>> {
    let row: Option<(String,)> = crate::read::first(
        db,
        "SELECT value FROM setting WHERE key = $1",
        &[key.into()],
    )
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn set(tx: &mut Tx, key: &str, value: &str) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO setting (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key).bind(value).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Inserts only if absent; false when the key already existed.
pub async fn set_once_in(tx: &mut Tx, key: &str, value: &str) -> DbResult<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key).bind(value).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
