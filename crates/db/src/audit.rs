//! Append-only audit log, always written inside the transaction of the change.
use serde::Serialize;
use serde_json::Value;

use crate::{DbResult, Tx, now_ms};

/// Who made a change. `user_id` is None for the command line and first-start setup.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
            ip: None,
        }
    }
}

pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(tx: &mut Tx, actor: &Actor, change: Change<'_>) -> DbResult<()> {
    let before = change.before.map(|v| v.to_string());
    let after = change.after.map(|v| v.to_string());
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, ip, action, entity, entity_id, summary, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(now_ms())
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(&actor.ip)
        .bind(change.action)
        .bind(change.entity)
        .bind(&change.entity_id)
        .bind(&change.summary)
        .bind(&before)
        .bind(&after)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub action: Option<String>,
    /// Inclusive bounds in unix ms.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Keyset cursor: entries with id below this.
    pub before_id: Option<i64>,
}

/// Newest first, keyset-paged by id. Unused filters bind NULL so the SQL text is fixed.
pub async fn list(db: &crate::Db, f: &Filter, limit: i64) -> DbResult<Vec<Entry>> {
    let sql = format!("SELECT id, at, actor_id, actor, ip, action, entity, entity_id, summary, before_json, after_json
        FROM audit_log
        WHERE ($1 IS NULL OR actor = $1)
          AND ($2 IS NULL OR entity = $2)
          AND ($3 IS NULL OR action = $3)
          AND ($4 IS NULL OR at >= $4)
          AND ($5 IS NULL OR at <= $5)
          AND ($6 IS NULL OR id < $6)
        ORDER BY id DESC LIMIT {}", crate::pool::limit(limit));
    let rows = with_db!(db, p => sqlx::query_as::<_, Entry>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(&f.actor)
        .bind(&f.entity)
        .bind(&f.action)
        .bind(f.from_ms)
        .bind(f.to_ms)
        .bind(f.before_id)
        .fetch_all(p).await)?;
    Ok(rows)
}

/// Distinct values for the filter drop-downs.
pub async fn distinct(db: &crate::Db) -> DbResult<(Vec<String>, Vec<String>)> {
    let entities: Vec<(String,)> = with_db!(db, p =>
        sqlx::query_as("SELECT DISTINCT entity FROM audit_log ORDER BY entity").fetch_all(p).await)?;
    let actions: Vec<(String,)> = with_db!(db, p =>
        sqlx::query_as("SELECT DISTINCT action FROM audit_log ORDER BY action").fetch_all(p).await)?;
    Ok((
        entities.into_iter().map(|r| r.0).collect(),
        actions.into_iter().map(|r| r.0).collect(),
    ))
}
