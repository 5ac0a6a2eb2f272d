//! Login throttling, kept in the database so every instance sees the same
//! counts. An attempt is counted *before* the password is checked, with an
//! atomic upsert per key, so parallel guesses cannot slip past the limit.
//!
//! Limits per 15-minute window: 5 for one account from one address (the
//! "ten wrong passwords in a row" case), 20 from one address over all
//! accounts, and 50 for one account from all addresses (slows distributed
//! guessing). An attacker elsewhere therefore cannot lock the real user out.
use crate::{Db, DbResult, now_ms};

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const PER_PAIR: i64 = 5;
pub const PER_ADDRESS: i64 = 20;
pub const PER_ACCOUNT: i64 = 50;

fn keys(username: &str, ip: &str) -> [String; 3] {
    let u = username.to_lowercase();
    [format!("p:{u}|{ip}"), format!("ip:{ip}"), format!("u:{u}")]
}

/// One login attempt, already counted.
pub struct Attempt {
    pub throttled: bool,
    username: String,
    ip: String,
}

/// Counts the attempt and says whether it is over a limit (counting itself).
pub async fn attempt(db: &Db, username: &str, ip: &str) -> DbResult<Attempt> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let mut counts = [0i64; 3];
    for (i, key) in keys(username, ip).iter().enumerate() {
        // A window older than WINDOW_MS starts over at 1.
        let (n,): (i64,) = with_tx!(&mut tx, c => sqlx::query_as(
            "INSERT INTO login_throttle (key, window_start, count) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.count + 1 END,
                window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END
             RETURNING count")
            .bind(key).bind(now).bind(now - WINDOW_MS).fetch_one(&mut *c).await)?;
        counts[i] = n;
    }
    tx.commit().await?;
    let throttled = counts[0] > PER_PAIR || counts[1] > PER_ADDRESS || counts[2] > PER_ACCOUNT;
    Ok(Attempt {
        throttled,
        username: username.to_string(),
        ip: ip.to_string(),
    })
}

/// A successful login forgets the account's failures and takes this attempt
/// back from the address; the address keeps its other failures.
pub async fn succeeded(db: &Db, a: Attempt) -> DbResult<()> {
    let [pair, address, account] = keys(&a.username, &a.ip);
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query("DELETE FROM login_throttle WHERE key = $1 OR key = $2")
        .bind(&pair).bind(&account).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    with_tx!(&mut tx, c => sqlx::query("UPDATE login_throttle SET count = count - 1 WHERE key = $1 AND count > 0")
        .bind(&address).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Housekeeping: windows that have run out.
pub async fn purge(db: &Db) -> DbResult<u64> {
    Ok(
        write_one!(db, c => sqlx::query("DELETE FROM login_throttle WHERE window_start <= $1")
        .bind(now_ms() - WINDOW_MS).execute(&mut *c).await.map(|r| r.rows_affected())),
    )
}
