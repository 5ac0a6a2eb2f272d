//! People, their membership and positions. Issue #3 adds the screens,
//! collation and import; this is the storage the demo and accounts need.
use serde_json::json;
use trienkhai_core::text;

use crate::{
    Actor, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms,
};

#[derive(Clone, Debug, Default)]
pub struct NewPerson {
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub birth_date: Option<String>,
}

pub async fn create_in(tx: &mut Tx, actor: &Actor, p: NewPerson) -> DbResult<i64> {
    let (f, m, g) = (
        text::clean(&p.family_name),
        text::clean(&p.middle_name),
        text::clean(&p.given_name),
    );
    let full = [f.as_str(), m.as_str(), g.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO person (family_name, middle_name, given_name, name_fold, birth_date, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(&f).bind(&m).bind(&g).bind(text::fold(&full)).bind(&p.birth_date)
        .bind(now_ms())
        .fetch_one(&mut *c).await)?;
    counter::add(tx, counter::PERSONS, 1).await?;
    // Member data is sensitive: the audit names the record, not its contents.
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "person",
            entity_id: Some(id.to_string()),
            summary: format!("Thêm hồ sơ người #{id}"),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(id)
}

pub async fn add_membership_in(
    tx: &mut Tx,
    person: i64,
    unit: i64,
    status: &str,
    from: &str,
) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO membership (person_id, unit_id, status, valid_from) VALUES ($1, $2, $3, $4)")
        .bind(person).bind(unit).bind(status).bind(from)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct NewTerm<'a> {
    pub unit_id: i64,
    pub ordinal: &'a str,
    pub year_from: i32,
    pub year_to: i32,
    pub opened_on: Option<&'a str>,
    pub closed_on: Option<&'a str>,
}

pub async fn add_term_in(tx: &mut Tx, actor: &Actor, t: NewTerm<'_>) -> DbResult<i64> {
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO term (unit_id, ordinal, year_from, year_to, opened_on, closed_on)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(t.unit_id).bind(t.ordinal).bind(t.year_from).bind(t.year_to).bind(t.opened_on).bind(t.closed_on)
        .fetch_one(&mut *c).await)?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "term",
            entity_id: Some(id.to_string()),
            summary: format!(
                "Nhiệm kỳ {}-{} (lần thứ {})",
                t.year_from, t.year_to, t.ordinal
            ),
            before: None,
            after: Some(json!({"unit_id": t.unit_id, "ordinal": t.ordinal})),
        },
    )
    .await?;
    Ok(id)
}

pub struct NewPosition<'a> {
    pub person_id: i64,
    pub unit_id: i64,
    pub board_id: Option<i64>,
    pub term_id: Option<i64>,
    pub title: &'a str,
    pub valid_from: &'a str,
    pub valid_to: Option<&'a str>,
}

pub async fn add_position_in(tx: &mut Tx, actor: &Actor, p: NewPosition<'_>) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO position (person_id, unit_id, board_id, term_id, title, valid_from, valid_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(p.person_id).bind(p.unit_id).bind(p.board_id).bind(p.term_id).bind(p.title)
        .bind(p.valid_from).bind(p.valid_to)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "position",
            entity_id: Some(p.person_id.to_string()),
            summary: format!("Phân công chức vụ {}", p.title),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}
