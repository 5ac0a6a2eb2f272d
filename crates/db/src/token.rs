//! Personal API tokens, sent as `Authorization: Bearer tk_…`. Only a hash is stored.
use serde::Serialize;

use crate::{
    Actor, Db, DbResult, Tx,
    audit::{self, Change},
    now_ms, password,
    session::Current,
};

pub const PREFIX: &str = "tk_";

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Returns the plain token once; it cannot be shown again.
pub async fn create(db: &Db, actor: &Actor, user_id: i64, name: &str) -> DbResult<String> {
    let token = format!("{PREFIX}{}", password::random_hex(24));
    let mut tx = db.begin().await?;
    let (id,): (i64,) = with_tx!(&mut tx, c => sqlx::query_as(
        "INSERT INTO api_token (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(user_id).bind(name).bind(password::sha256_hex(&token)).bind(now_ms())
        .fetch_one(&mut *c).await)?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "create",
            entity: "api_token",
            entity_id: Some(id.to_string()),
            summary: format!("Tạo khóa API \"{name}\" cho tài khoản #{user_id}"),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Resolves a bearer token to the same view of the user a session gives.
pub async fn lookup(db: &Db, token: &str) -> DbResult<Option<Current>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = password::sha256_hex(token);
    crate::read::first(
        db,
        "SELECT '' AS session_id, '' AS csrf, CAST(0 AS BIGINT) AS last_seen_at, u.id AS user_id,
                u.username, u.display_name, u.role, u.unit_id, un.path AS unit_path, u.board_id, u.must_change_password
         FROM api_token t
         JOIN app_user u ON u.id = t.user_id
         LEFT JOIN unit un ON un.id = u.unit_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE
           AND u.must_change_password = FALSE",
        &[hash.as_str().into()],
    )
    .await
}

pub async fn list(db: &Db, user_id: i64) -> DbResult<Vec<TokenInfo>> {
    crate::read::all(
        db,
        "SELECT id, name, created_at, revoked_at FROM api_token WHERE user_id = $1 ORDER BY id",
        &[user_id.into()],
    )
    .await
}

/// Revokes one of the user's own tokens; false when it is not theirs.
pub async fn revoke(db: &Db, actor: &Actor, user_id: i64, id: i64) -> DbResult<bool> {
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, c => sqlx::query(
        "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now_ms()).bind(id).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 1 {
        audit::record(
            &mut tx,
            actor,
            Change {
                action: "revoke",
                entity: "api_token",
                entity_id: Some(id.to_string()),
                summary: format!("Thu hồi khóa API #{id}"),
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

pub async fn revoke_all_in(tx: &mut Tx, user_id: i64) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_ms()).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
