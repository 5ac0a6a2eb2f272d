//! Login throttling per account and per source address. Kept in the database
//! so every instance behind a load balancer sees the same count.
use crate::{Db, DbResult, now_ms};

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const PER_ACCOUNT: i64 = 5;
pub const PER_ADDRESS: i64 = 20;

fn account_key(username: &str) -> String {
    format!("u:{}", username.to_lowercase())
}

fn address_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// True when either the account or the address has too many recent failures.
pub async fn is_throttled(db: &Db, username: &str, ip: &str) -> DbResult<bool> {
    let since = now_ms() - WINDOW_MS;
    let (acc, addr): (i64, i64) = with_db!(db, p => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM login_failure WHERE key = $1 AND at > $3),
                (SELECT COUNT(*) FROM login_failure WHERE key = $2 AND at > $3)")
        .bind(account_key(username)).bind(address_key(ip)).bind(since)
        .fetch_one(p).await)?;
    Ok(acc >= PER_ACCOUNT || addr >= PER_ADDRESS)
}

pub async fn record_failure(db: &Db, username: &str, ip: &str) -> DbResult<()> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM login_failure WHERE at <= $1")
            .bind(now - WINDOW_MS).execute(&mut *c).await.map(|r| r.rows_affected())?;
        sqlx::query("INSERT INTO login_failure (key, at) VALUES ($1, $2), ($3, $2)")
            .bind(account_key(username)).bind(now).bind(address_key(ip))
            .execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await
}

/// A successful login clears the account's failures, not the address's.
pub async fn clear_account(db: &Db, username: &str) -> DbResult<()> {
    with_db!(db, p => sqlx::query("DELETE FROM login_failure WHERE key = $1")
        .bind(account_key(username)).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
