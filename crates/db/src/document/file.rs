//! Attachments: the bytes live in the file store (trienkhai_office::store),
//! the row keeps name, sniffed kind, size and the extracted text.
use serde::Serialize;
use serde_json::json;
use trienkhai_core::{Code, text};

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    now_ms,
};

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct File {
    pub id: i64,
    pub document_id: i64,
    pub name: String,
    pub kind: String,
    pub size: i64,
    /// Where the bytes are; not for clients.
    #[serde(skip_serializing)]
    pub store_key: String,
    pub created_at: i64,
}

pub struct NewFile<'a> {
    pub document_id: i64,
    pub name: &'a str,
    pub kind: &'a str,
    pub size: i64,
    pub store_key: &'a str,
    pub text: &'a str,
}

/// Keeps the last path part of a browser-sent name, cleaned, at most 200 chars.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = text::clean(base)
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if name.is_empty() {
        "tep-dinh-kem".into()
    } else {
        name
    }
}

pub async fn add_in(tx: &mut Tx, actor: &Actor, f: NewFile<'_>) -> DbResult<i64> {
    let exists: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT id FROM document WHERE id = $1").bind(f.document_id).fetch_optional(&mut *c).await)?;
    if exists.is_none() {
        return Err(DbError::Refused(Code::NotFound));
    }
    let name = clean_name(f.name);
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO document_file (document_id, name, kind, size, store_key, text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(f.document_id).bind(&name).bind(f.kind).bind(f.size).bind(f.store_key)
        .bind(f.text).bind(now_ms()).fetch_one(&mut *c).await)?;
    super::search::index_in(tx, f.document_id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "attach",
            entity: "document",
            entity_id: Some(f.document_id.to_string()),
            summary: format!("Đính kèm tệp {name}"),
            before: None,
            after: Some(json!({"file_id": id, "name": name, "kind": f.kind, "size": f.size})),
        },
    )
    .await?;
    Ok(id)
}

pub async fn of(db: &Db, document_id: i64) -> DbResult<Vec<File>> {
    crate::read::all(
        db,
        "SELECT id, document_id, name, kind, size, store_key, created_at FROM document_file
         WHERE document_id = $1 ORDER BY id",
        &[document_id.into()],
    )
    .await
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<File>> {
    Ok(with_db!(db, p => sqlx::query_as::<_, File>(
        "SELECT id, document_id, name, kind, size, store_key, created_at FROM document_file
         WHERE id = $1").bind(id).fetch_optional(p).await)?)
}

pub async fn add(db: &Db, actor: &Actor, f: NewFile<'_>) -> DbResult<i64> {
    let mut tx = db.begin().await?;
    let id = add_in(&mut tx, actor, f).await?;
    tx.commit().await?;
    Ok(id)
}
