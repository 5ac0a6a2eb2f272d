//! Sessions live in the database so any instance can serve any request.
use crate::{Db, DbResult, Tx, now_ms, password, read};

/// Sliding idle expiry is refreshed at most this often, to keep reads read-only.
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;
/// However active, a session ends this long after login.
pub const ABSOLUTE_MS: i64 = 24 * 3600 * 1000;

/// The signed-in user as every request sees it: one query, joined.
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct Current {
    pub session_id: String,
    pub csrf: String,
    pub last_seen_at: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub unit_path: Option<String>,
    pub board_id: Option<i64>,
    pub must_change_password: bool,
    /// Unread notifications, for the navigation (none through the API).
    #[sqlx(default)]
    #[serde(default)]
    pub unread: i64,
}

impl Current {
    pub fn role(&self) -> Option<trienkhai_core::Role> {
        trienkhai_core::Role::parse(&self.role)
    }
}

/// Creates a session inside the login transaction; returns the cookie token.
pub async fn create_in(tx: &mut Tx, user_id: i64, idle_ms: i64) -> DbResult<String> {
    let token = password::random_hex(32);
    let csrf = password::random_hex(32);
    let now = now_ms();
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO session (id, user_id, csrf, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(password::sha256_hex(&token)).bind(user_id).bind(&csrf).bind(now).bind(now + idle_ms)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(token)
}

pub async fn lookup(db: &Db, token: &str, idle_ms: i64) -> DbResult<Option<Current>> {
    let id = password::sha256_hex(token);
    let now = now_ms();
    let row: Option<Current> = read::first(db,
        "SELECT s.id AS session_id, s.csrf, s.last_seen_at, u.id AS user_id, u.username, u.display_name,
                u.role, u.unit_id, un.path AS unit_path, u.board_id, u.must_change_password,
                (SELECT COUNT(*) FROM notification n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread
         FROM session s
         JOIN app_user u ON u.id = s.user_id
         LEFT JOIN unit un ON un.id = u.unit_id
         WHERE s.id = $1 AND s.expires_at > $2 AND s.created_at > $3 AND u.disabled = FALSE",
        &[id.as_str().into(), now.into(), (now - ABSOLUTE_MS).into()]).await?;
    if let Some(cur) = &row
        && now - cur.last_seen_at > TOUCH_EVERY_MS
    {
        write_one!(db, c => sqlx::query(
            "UPDATE session SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
            .bind(now).bind(now + idle_ms).bind(&cur.session_id)
            .execute(&mut *c).await.map(|r| r.rows_affected()));
    }
    Ok(row)
}

pub async fn revoke_in(tx: &mut Tx, session_id: &str) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM session WHERE id = $1")
        .bind(session_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn revoke_all_in(tx: &mut Tx, user_id: i64) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM session WHERE user_id = $1")
        .bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn revoke_others_in(tx: &mut Tx, user_id: i64, keep: &str) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM session WHERE user_id = $1 AND id <> $2")
        .bind(user_id).bind(keep).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Housekeeping, run periodically by the server.
pub async fn purge_expired(db: &Db) -> DbResult<u64> {
    let now = now_ms();
    Ok(
        write_one!(db, c => sqlx::query("DELETE FROM session WHERE expires_at <= $1 OR created_at <= $2")
        .bind(now).bind(now - ABSOLUTE_MS).execute(&mut *c).await.map(|r| r.rows_affected())),
    )
}
