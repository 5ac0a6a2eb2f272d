//! People, their membership and positions.
use serde_json::json;
use trienkhai_core::{
    name::{self, NameOrder},
    text,
};

use crate::{
    Actor, Db, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms,
};

#[derive(Clone, Debug, Default)]
pub struct NewPerson {
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub card_no: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub admitted_on: Option<String>,
    pub official_on: Option<String>,
}

impl NewPerson {
    /// What makes two records the same person: the party card number when
    /// known, else the folded full name (either tone placement) and birth date.
    pub fn dedupe_key(&self) -> String {
        match self.card_no.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => format!("c:{}", c.to_uppercase().replace(' ', "")),
            None => format!(
                "n:{}|{}",
                text::fold(&self.full_name()),
                self.birth_date.as_deref().unwrap_or("")
            ),
        }
    }

    pub fn full_name(&self) -> String {
        name::full(&self.family_name, &self.middle_name, &self.given_name)
    }

    pub fn sort_key(&self, order: NameOrder) -> String {
        name::sort_key(
            order,
            &self.family_name,
            &self.middle_name,
            &self.given_name,
            self.birth_date.as_deref(),
        )
    }
}

pub const NAME_ORDER: &str = "name_order";

/// The configured list order, kept in the database so every instance agrees.
pub async fn name_order_in(tx: &mut Tx) -> DbResult<NameOrder> {
    let row: Option<(String,)> = with_tx!(tx, c => sqlx::query_as("SELECT value FROM setting WHERE key = $1")
        .bind(NAME_ORDER).fetch_optional(&mut *c).await)?;
    Ok(row.and_then(|r| NameOrder::parse(&r.0)).unwrap_or_default())
}

/// Applies the configured order: when it differs from the stored one (or
/// keys are missing), sort keys are rebuilt in batches.
pub async fn sync_name_order(db: &Db, order: NameOrder) -> DbResult<u64> {
    let stored = crate::setting::get(db, NAME_ORDER).await?;
    let all = stored.as_deref() != Some(order.as_str());
    let mut done = 0;
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, String, String, String, Option<String>)> = with_db!(db, p => sqlx::query_as(
            "SELECT id, family_name, middle_name, given_name, birth_date FROM person
             WHERE id > $1 AND ($2 OR sort_key = '') ORDER BY id LIMIT 1000")
            .bind(after).bind(all).fetch_all(p).await)?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let mut tx = db.begin().await?;
        for (id, f, m, g, b) in &rows {
            let key = name::sort_key(order, f, m, g, b.as_deref());
            with_tx!(&mut tx, c => sqlx::query("UPDATE person SET sort_key = $1 WHERE id = $2")
                .bind(&key).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        done += rows.len() as u64;
        tx.commit().await?;
    }
    if all {
        let mut tx = db.begin().await?;
        crate::setting::set(&mut tx, NAME_ORDER, order.as_str()).await?;
        tx.commit().await?;
    }
    Ok(done)
}

pub async fn create_in(tx: &mut Tx, actor: &Actor, mut p: NewPerson) -> DbResult<i64> {
    for s in [&mut p.family_name, &mut p.middle_name, &mut p.given_name] {
        *s = text::clean(s);
    }
    let order = name_order_in(tx).await?;
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO person (family_name, middle_name, given_name, name_fold, birth_date, created_at,
             sort_key, dedupe_key, card_no, gender, phone, email, address, admitted_on, official_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id")
        .bind(&p.family_name).bind(&p.middle_name).bind(&p.given_name).bind(text::fold(&p.full_name()))
        .bind(&p.birth_date).bind(now_ms()).bind(p.sort_key(order)).bind(p.dedupe_key())
        .bind(&p.card_no).bind(&p.gender).bind(&p.phone).bind(&p.email).bind(&p.address)
        .bind(&p.admitted_on).bind(&p.official_on)
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
    crate::roll::add(tx, unit, 1).await?;
    crate::roll::dated(tx, from).await?;
    Ok(())
}

#[derive(Clone, Copy)]
pub struct NewTerm<'a> {
    pub unit_id: i64,
    pub ordinal: &'a str,
    pub year_from: i32,
    pub year_to: i32,
    pub opened_on: Option<&'a str>,
    pub closed_on: Option<&'a str>,
    /// Appointed (chỉ định) until a first congress, rather than elected.
    pub appointed: bool,
}

pub async fn add_term_in(tx: &mut Tx, actor: &Actor, t: NewTerm<'_>) -> DbResult<i64> {
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO term (unit_id, ordinal, year_from, year_to, opened_on, closed_on, appointed)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(t.unit_id).bind(t.ordinal).bind(t.year_from).bind(t.year_to).bind(t.opened_on).bind(t.closed_on)
        .bind(t.appointed)
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

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub card_no: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub admitted_on: Option<String>,
    pub official_on: Option<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        name::full(&self.family_name, &self.middle_name, &self.given_name)
    }
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Person>> {
    Ok(with_db!(db, p => sqlx::query_as::<_, Person>(
        "SELECT id, family_name, middle_name, given_name, birth_date, gender, card_no, phone, email,
                address, admitted_on, official_on FROM person WHERE id = $1")
        .bind(id).fetch_optional(p).await)?)
}

/// One stretch of membership in one unit.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Stint {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub status: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Set when a restructuring moved the member here.
    pub event_id: Option<i64>,
}

pub async fn memberships(db: &Db, person_id: i64) -> DbResult<Vec<Stint>> {
    Ok(with_db!(db, p => sqlx::query_as::<_, Stint>(
        "SELECT m.unit_id, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, m.status,
                m.valid_from, m.valid_to, m.event_id
         FROM membership m JOIN unit u ON u.id = m.unit_id
         WHERE m.person_id = $1 ORDER BY m.valid_from, m.id")
        .bind(person_id).fetch_all(p).await)?)
}

/// A dated position, with who held it and where.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Held {
    pub person_id: i64,
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub board_name: Option<String>,
    pub term_id: Option<i64>,
    pub title: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

impl Held {
    pub fn full_name(&self) -> String {
        name::full(&self.family_name, &self.middle_name, &self.given_name)
    }
}

const HELD: &str = "SELECT ps.person_id, p.family_name, p.middle_name, p.given_name, ps.unit_id,
        u.name AS unit_name, b.name AS board_name, ps.term_id, ps.title, ps.valid_from, ps.valid_to
    FROM position ps JOIN person p ON p.id = ps.person_id JOIN unit u ON u.id = ps.unit_id
    LEFT JOIN board b ON b.id = ps.board_id";

pub async fn positions_in_unit(db: &Db, unit_id: i64) -> DbResult<Vec<Held>> {
    let sql = format!("{HELD} WHERE ps.unit_id = $1 ORDER BY ps.valid_from, ps.id");
    crate::read::all(db, &sql, &[unit_id.into()]).await
}

pub async fn positions_of(db: &Db, person_id: i64) -> DbResult<Vec<Held>> {
    let sql = format!("{HELD} WHERE ps.person_id = $1 ORDER BY ps.valid_from, ps.id");
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Held>(sqlx::AssertSqlSafe(sql.as_str())).bind(person_id).fetch_all(p).await)?,
    )
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Term {
    pub id: i64,
    pub ordinal: String,
    pub year_from: i32,
    pub year_to: i32,
    pub opened_on: Option<String>,
    pub closed_on: Option<String>,
    pub appointed: bool,
}

impl Term {
    /// "Khóa VI (2020-2025)" or "Chỉ định (2020-2025)", the ordinal as written.
    pub fn label(&self) -> String {
        let years = format!("nhiệm kỳ {}-{}", self.year_from, self.year_to);
        match (self.appointed, self.ordinal.is_empty()) {
            (true, _) | (false, true) => format!("Cấp ủy chỉ định, {years}"),
            (false, false) => format!("Khóa {}, {years}", self.ordinal),
        }
    }
}

pub async fn terms(db: &Db, unit_id: i64) -> DbResult<Vec<Term>> {
    crate::read::all(
        db,
        "SELECT id, ordinal, year_from, year_to, opened_on, closed_on, appointed FROM term
         WHERE unit_id = $1 ORDER BY year_from, id",
        &[unit_id.into()],
    )
    .await
}
