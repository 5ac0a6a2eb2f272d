//! The document register, minimal until issue #4 (numbering, citations, search).
use trienkhai_core::text;

use crate::{
    Actor, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms,
};

pub struct NewDocument<'a> {
    pub system: &'a str,
    pub issuer_code: &'a str,
    pub issuer_unit_id: Option<i64>,
    pub type_code: &'a str,
    pub number: &'a str,
    pub issued_on: Option<&'a str>,
    pub subject: &'a str,
}

/// Party style "41-CT/TW"; state style "08/NQ-CP".
pub fn symbol(system: &str, number: &str, type_code: &str, issuer: &str) -> String {
    if system == "state" {
        format!("{number}/{type_code}-{issuer}")
    } else {
        format!("{number}-{type_code}/{issuer}")
    }
}

pub async fn create_in(tx: &mut Tx, actor: &Actor, d: NewDocument<'_>) -> DbResult<i64> {
    let subject = text::clean(d.subject);
    let sym = symbol(d.system, d.number, d.type_code, d.issuer_code);
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO document (system, issuer_code, issuer_unit_id, type_code, number, symbol, issued_on,
            subject, subject_fold, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(d.system).bind(d.issuer_code).bind(d.issuer_unit_id).bind(d.type_code).bind(d.number)
        .bind(&sym).bind(d.issued_on).bind(&subject).bind(text::fold(&subject)).bind(now_ms())
        .fetch_one(&mut *c).await)?;
    counter::add(tx, counter::DOCUMENTS, 1).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "document",
            entity_id: Some(id.to_string()),
            summary: format!("Vào sổ văn bản {sym}"),
            before: None,
            after: Some(
                serde_json::json!({"symbol": sym, "issued_on": d.issued_on, "subject": subject}),
            ),
        },
    )
    .await?;
    Ok(id)
}
