//! Typed links between documents: a plan implements a resolution, a
//! guidance guides it, a new text replaces or amends an old one, a review
//! report reviews it.
use serde::Serialize;
use serde_json::json;
use trienkhai_core::Code;

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
};

/// Each kind with its label seen from both ends.
pub const KINDS: [(&str, &str, &str); 5] = [
    ("implements", "Thực hiện", "Được thực hiện bởi"),
    ("guides", "Hướng dẫn", "Được hướng dẫn bởi"),
    ("replaces", "Thay thế", "Bị thay thế bởi"),
    ("amends", "Sửa đổi, bổ sung", "Được sửa đổi, bổ sung bởi"),
    ("reviews", "Sơ kết, tổng kết", "Được sơ kết, tổng kết bởi"),
];

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Related {
    pub kind: String,
    /// True when this document is the `from` end.
    pub outgoing: bool,
    pub id: i64,
    pub symbol: String,
    pub issued_on: Option<String>,
    pub subject: String,
}

impl Related {
    pub fn label(&self) -> &'static str {
        KINDS
            .iter()
            .find(|k| k.0 == self.kind)
            .map(|k| if self.outgoing { k.1 } else { k.2 })
            .unwrap_or("")
    }
}

pub async fn add_in(tx: &mut Tx, actor: &Actor, from: i64, kind: &str, to: i64) -> DbResult<()> {
    if !KINDS.iter().any(|k| k.0 == kind) {
        return Err(DbError::field("kind", Code::InvalidChoice));
    }
    if from == to {
        return Err(DbError::field("to", Code::InvalidChoice));
    }
    let found: Vec<(i64,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT id FROM document WHERE id = $1 OR id = $2").bind(from).bind(to).fetch_all(&mut *c).await)?;
    if found.len() != 2 {
        return Err(DbError::Refused(Code::NotFound));
    }
    let added = with_tx!(tx, c => sqlx::query(
        "INSERT INTO document_relation (from_id, kind, to_id) VALUES ($1, $2, $3)
         ON CONFLICT (from_id, kind, to_id) DO NOTHING")
        .bind(from).bind(kind).bind(to).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if added == 0 {
        return Ok(());
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "relate",
            entity: "document",
            entity_id: Some(from.to_string()),
            summary: format!("Liên kết văn bản ({kind})"),
            before: None,
            after: Some(json!({"from": from, "kind": kind, "to": to})),
        },
    )
    .await
}

pub async fn add(db: &Db, actor: &Actor, from: i64, kind: &str, to: i64) -> DbResult<()> {
    let mut tx = db.begin().await?;
    add_in(&mut tx, actor, from, kind, to).await?;
    tx.commit().await
}

/// Both directions, in one query; secret documents only for those who may see them.
pub async fn of(db: &Db, id: i64, see_secret: bool) -> DbResult<Vec<Related>> {
    crate::read::all(
        db,
        "SELECT r.kind, TRUE AS outgoing, d.id, d.symbol, d.issued_on, d.subject
         FROM document_relation r JOIN document d ON d.id = r.to_id
         WHERE r.from_id = $1 AND ($2 OR d.secrecy = '')
         UNION ALL
         SELECT r.kind, FALSE AS outgoing, d.id, d.symbol, d.issued_on, d.subject
         FROM document_relation r JOIN document d ON d.id = r.from_id
         WHERE r.to_id = $1 AND ($2 OR d.secrecy = '')
         ORDER BY 2 DESC, 5",
        &[id.into(), see_secret.into()],
    )
    .await
}
