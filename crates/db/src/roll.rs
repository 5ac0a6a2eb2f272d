//! Roll sizes kept per unit (`unit.members`: its own open memberships),
//! so a subtree's members are a sum over its units, not a count over its
//! members (5,6 million at the national root: 2,4 s on PostgreSQL).
//!
//! The kept sizes hold for any day on or after `EXACT_FROM`, the latest
//! day on which a membership or a unit's place starts or stops changing:
//! from then on a membership is on a roll exactly when it is open, and a
//! unit stands where `unit.path` says. Earlier days are counted.
use time::Date;
use trienkhai_core::fmt;

use crate::{Db, DbResult, Tx};

/// The setting that holds the first day the kept sizes are exact for.
pub const EXACT_FROM: &str = "roll_exact_from";

/// Records that rows dated `day` were written: the kept sizes hold from
/// that day on. The row is written only when the day moves forward.
pub async fn dated(tx: &mut Tx, day: &str) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO setting (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE setting.value < excluded.value")
        .bind(EXACT_FROM).bind(day).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The same for a row that ends on `day`: it is on the roll that day.
pub async fn ended(tx: &mut Tx, day: &str) -> DbResult<()> {
    match fmt::parse_date(day).and_then(Date::next_day) {
        Some(next) => dated(tx, &fmt::iso(next)).await,
        None => Ok(()),
    }
}

/// Whether the kept sizes are exact on `day`.
pub async fn exact_in(tx: &mut Tx, day: &str) -> DbResult<bool> {
    let from: Option<(String,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT value FROM setting WHERE key = $1").bind(EXACT_FROM).fetch_optional(&mut *c).await)?;
    Ok(from.is_some_and(|(f,)| day >= f.as_str()))
}

/// The same outside a transaction, for a page.
pub async fn exact(db: &Db, day: &str) -> DbResult<bool> {
    let from = crate::setting::get(db, EXACT_FROM).await?;
    Ok(from.is_some_and(|f| day >= f.as_str()))
}

/// Adds `delta` to a unit's own roll size.
pub async fn add(tx: &mut Tx, unit_id: i64, delta: i64) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query("UPDATE unit SET members = members + $1 WHERE id = $2")
        .bind(delta).bind(unit_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Recounts the own roll of units `first..=last` from their open
/// memberships (after moves between rolls, or a bulk load).
pub async fn recount_in(tx: &mut Tx, first: i64, last: i64) -> DbResult<()> {
    if let Tx::Postgres(t, _) = tx {
        // The count below sees what was committed when it starts: locking
        // the rows first waits for another writer of these units to
        // commit, so its members are counted (SQLite writes one at a time).
        sqlx::query(
            "SELECT COUNT(*) FROM (SELECT id FROM unit WHERE id >= $1 AND id <= $2 FOR UPDATE) s",
        )
        .bind(first)
        .bind(last)
        .fetch_one(&mut **t)
        .await?;
    }
    with_tx!(tx, c => sqlx::query(
        "UPDATE unit SET members = (SELECT COUNT(*) FROM membership m
           WHERE m.unit_id = unit.id AND m.valid_to IS NULL)
         WHERE id >= $1 AND id <= $2")
        .bind(first).bind(last).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// After a bulk load: the latest start or end of any membership or unit
/// state becomes the first exact day.
pub async fn rebase_in(tx: &mut Tx) -> DbResult<()> {
    for table in ["membership", "unit_version"] {
        let sql = format!("SELECT MAX(valid_from), MAX(valid_to) FROM {table}");
        let (from, to): (Option<String>, Option<String>) = with_tx!(tx, c =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(&mut *c).await)?;
        if let Some(d) = from {
            dated(tx, &d).await?;
        }
        if let Some(d) = to {
            ended(tx, &d).await?;
        }
    }
    Ok(())
}

/// Units whose kept size differs from a count of their open memberships:
/// (unit id, kept, counted). Empty when the roll-up is right.
pub async fn drift(db: &Db) -> DbResult<Vec<(i64, i64, i64)>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, members, n FROM (SELECT u.id, u.members, (SELECT COUNT(*) FROM membership m
           WHERE m.unit_id = u.id AND m.valid_to IS NULL) AS n FROM unit u) s
         WHERE members <> n ORDER BY id").fetch_all(p).await)?)
}
