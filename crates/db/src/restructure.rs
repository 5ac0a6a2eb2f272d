//! Restructuring with lineage: merge, split, rename, transfer, dissolve.
//! Nothing is deleted. An ended unit keeps its rows with `valid_to` set to
//! the day before the change, its members move to the successor in new
//! membership rows, and `unit_lineage` records who carries on for whom, so
//! reports for any date read the tree of that date and obligations follow
//! the successor.
//!
//! A preview runs the very same code in a transaction that is rolled back:
//! what the wizard shows is exactly what a commit would do.
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Date;
use trienkhai_core::{Code, fmt, text};

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change as AuditChange},
    now_ms,
    unit::{self, NewUnit, path_upper},
};

/// Where merged units go: a unit that exists, or one created by the decision.
#[derive(Clone, Debug)]
pub enum Target {
    Existing(i64),
    New(NewUnit),
}

#[derive(Clone, Debug)]
pub enum Change {
    Merge {
        sources: Vec<i64>,
        target: Target,
    },
    /// `children` assigns each sub-unit of `source` to a part (by index);
    /// the source's own members go to `parts[members_to]`.
    Split {
        source: i64,
        parts: Vec<NewUnit>,
        children: Vec<(i64, usize)>,
        members_to: usize,
    },
    Rename {
        unit: i64,
        name: String,
    },
    Transfer {
        unit: i64,
        parent: i64,
    },
    /// Every sub-unit needs a new parent; members need a receiving unit.
    Dissolve {
        unit: i64,
        children: Vec<(i64, i64)>,
        members_to: Option<i64>,
    },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Merge { .. } => "merge",
            Change::Split { .. } => "split",
            Change::Rename { .. } => "rename",
            Change::Transfer { .. } => "transfer",
            Change::Dissolve { .. } => "dissolve",
        }
    }
}

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "merge" => "Hợp nhất",
        "split" => "Chia tách",
        "rename" => "Đổi tên",
        "transfer" => "Chuyển đơn vị cấp trên",
        "dissolve" => "Giải thể",
        _ => "Thay đổi",
    }
}

#[derive(Clone, Debug)]
pub struct Order {
    pub change: Change,
    /// dd/mm/yyyy or ISO, as typed.
    pub effective_on: String,
    /// Symbol of the deciding document, e.g. "1100-QĐ/TU".
    pub decision: String,
}

/// What a change does, in the words the wizard shows. Holds no ids of
/// rows the change creates, so preview and commit hash the same.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub kind: &'static str,
    pub effective_on: String,
    pub decision: String,
    pub created: Vec<String>,
    pub ended: Vec<String>,
    pub renamed: Option<(String, String)>,
    /// (unit, from parent, to parent, sub-units moving with it)
    pub moved: Vec<(String, String, String, i64)>,
    /// (from unit, to unit, members)
    pub members: Vec<(String, String, i64)>,
    pub positions_closed: i64,
    pub boards_closed: i64,
}

impl Plan {
    pub fn fingerprint(&self) -> String {
        let body = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(&Sha256::digest(&body)[..12])
    }

    pub fn members_moved(&self) -> i64 {
        self.members.iter().map(|m| m.2).sum()
    }
}

#[derive(Debug)]
pub struct Done {
    pub plan: Plan,
    pub event_id: i64,
    /// The unit that carries on (merge target, first split part, the
    /// renamed or transferred unit, the dissolved unit's receiver).
    pub successor: Option<i64>,
}

/// Computes the plan by running the change and rolling it back.
pub async fn preview(db: &Db, actor: &Actor, order: Order) -> DbResult<Plan> {
    let mut tx = db.begin().await?;
    let done = apply_in(&mut tx, actor, order).await;
    tx.rollback().await?;
    Ok(done?.plan)
}

/// Commits the change. With `expect`, refuses if the plan differs from the
/// one the user confirmed (the tree changed since the preview).
pub async fn apply(db: &Db, actor: &Actor, order: Order, expect: Option<&str>) -> DbResult<Done> {
    let mut tx = db.begin().await?;
    let done = apply_in(&mut tx, actor, order).await?;
    if expect.is_some_and(|f| f != done.plan.fingerprint()) {
        tx.rollback().await?;
        return Err(DbError::Refused(Code::StaleForm));
    }
    tx.commit().await?;
    Ok(done)
}

/// The latest state of a unit, as the change sees it.
#[derive(sqlx::FromRow)]
struct Cur {
    id: i64,
    name: String,
    parent_id: Option<i64>,
    path: String,
    valid_from: String,
    valid_to: Option<String>,
    since: String,
}

async fn load(tx: &mut Tx, id: i64, day: &str, field: &'static str) -> DbResult<Cur> {
    let row: Option<Cur> = with_tx!(tx, c => sqlx::query_as(
        "SELECT u.id, u.name, u.parent_id, u.path, u.valid_from, u.valid_to,
                (SELECT MAX(v.valid_from) FROM unit_version v WHERE v.unit_id = u.id) AS since
         FROM unit u WHERE u.id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    let cur = row.ok_or(DbError::field(field, Code::UnitNotFound))?;
    if cur.valid_from.as_str() > day || cur.valid_to.as_deref().is_some_and(|t| t < day) {
        return Err(DbError::field(field, Code::UnitNotActive));
    }
    Ok(cur)
}

/// A unit whose state changes on `day` must have begun its current state
/// before it: changes are recorded in date order.
fn changeable(cur: &Cur, day: &str, field: &'static str) -> DbResult<()> {
    if cur.since.as_str() >= day {
        return Err(DbError::field(field, Code::EffectiveTooEarly));
    }
    Ok(())
}

async fn name_of(tx: &mut Tx, id: Option<i64>) -> DbResult<String> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    let row: Option<(String,)> = with_tx!(tx, c => sqlx::query_as("SELECT name FROM unit WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    Ok(row.map(|r| r.0).unwrap_or_default())
}

/// Sub-units of `id` in their current state (open version).
async fn children(tx: &mut Tx, id: i64) -> DbResult<Vec<(i64, String)>> {
    Ok(with_tx!(tx, c => sqlx::query_as(
        "SELECT unit_id, name FROM unit_version WHERE parent_id = $1 AND valid_to IS NULL ORDER BY unit_id")
        .bind(id).fetch_all(&mut *c).await)?)
}

fn day_before(day: Date) -> String {
    fmt::iso(day.previous_day().unwrap_or(day))
}

struct Ctx<'a> {
    day: String,
    before: String,
    event: i64,
    plan: &'a mut Plan,
}

/// Gives `unit` (and, through the paths, its whole subtree) a new state
/// from `day`: a new parent and/or a new name. Old versions are closed the
/// day before, never rewritten.
async fn restate(
    tx: &mut Tx,
    ctx: &mut Ctx<'_>,
    unit_id: i64,
    parent: Option<i64>,
    name: Option<&str>,
) -> DbResult<()> {
    let cur = load(tx, unit_id, &ctx.day, "unit_id").await?;
    changeable(&cur, &ctx.day, "effective_on")?;
    let new_parent = parent.or(cur.parent_id);
    let parent_path = match new_parent {
        None => "/".to_string(),
        Some(p) => load(tx, p, &ctx.day, "parent_id").await?.path,
    };
    if parent_path.starts_with(&cur.path) {
        return Err(DbError::field("parent_id", Code::TreeCycle));
    }
    let new_path = format!("{parent_path}{unit_id}/");
    let new_name = name.unwrap_or(&cur.name);
    let upper = path_upper(&cur.path);
    let cut = cur.path.len() as i32 + 1;
    // A rename keeps the path: only the unit itself gets a new state.
    let subtree = new_path != cur.path;
    // New open versions for the subtree, then close the old open ones.
    let moved = with_tx!(tx, c => sqlx::query(
        "INSERT INTO unit_version (unit_id, name, parent_id, path, valid_from, valid_to)
         SELECT unit_id,
                CASE WHEN unit_id = $1 THEN $2 ELSE name END,
                CASE WHEN unit_id = $1 THEN $3 ELSE parent_id END,
                $4 || substr(path, $5), $6, NULL
         FROM unit_version
         WHERE path >= $7 AND path < $8 AND valid_to IS NULL AND valid_from < $6
           AND (unit_id = $1 OR $9)")
        .bind(unit_id).bind(new_name).bind(new_parent).bind(&new_path).bind(cut)
        .bind(&ctx.day).bind(&cur.path).bind(&upper).bind(subtree)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query(
        "UPDATE unit_version SET valid_to = $1
         WHERE path >= $2 AND path < $3 AND valid_to IS NULL AND valid_from < $4
           AND (unit_id = $5 OR $6)")
        .bind(&ctx.before).bind(&cur.path).bind(&upper).bind(&ctx.day).bind(unit_id).bind(subtree)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    // `unit` mirrors the latest state, which scopes and lookups use.
    with_tx!(tx, c => sqlx::query(
        "UPDATE unit SET path = $1 || substr(path, $2) WHERE path >= $3 AND path < $4")
        .bind(&new_path).bind(cut).bind(&cur.path).bind(&upper)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query(
        "UPDATE unit SET parent_id = $1, name = $2, name_fold = $3 WHERE id = $4")
        .bind(new_parent).bind(new_name).bind(text::fold(new_name)).bind(unit_id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if new_parent != cur.parent_id {
        let from = name_of(tx, cur.parent_id).await?;
        let to = name_of(tx, new_parent).await?;
        ctx.plan
            .moved
            .push((new_name.to_string(), from, to, moved as i64 - 1));
    }
    if new_name != cur.name {
        ctx.plan.renamed = Some((cur.name.clone(), new_name.to_string()));
    }
    Ok(())
}

/// Moves the members `from` has on `day` into `to`: old rows end the day
/// before, new rows start that day and name the event.
async fn move_members(tx: &mut Tx, ctx: &mut Ctx<'_>, from: i64, to: i64) -> DbResult<()> {
    let n = with_tx!(tx, c => sqlx::query(
        "INSERT INTO membership (person_id, unit_id, status, valid_from, valid_to, event_id)
         SELECT person_id, $1, status, $2, NULL, $3 FROM membership
         WHERE unit_id = $4 AND valid_from < $2 AND (valid_to IS NULL OR valid_to >= $2)")
        .bind(to).bind(&ctx.day).bind(ctx.event).bind(from)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query(
        "UPDATE membership SET valid_to = $1
         WHERE unit_id = $2 AND valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $3)")
        .bind(&ctx.before).bind(from).bind(&ctx.day)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    // Rows that start on or after the day move as they are.
    let n = n + with_tx!(tx, c => sqlx::query(
        "UPDATE membership SET unit_id = $1 WHERE unit_id = $2 AND valid_from >= $3")
        .bind(to).bind(from).bind(&ctx.day)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for u in [from, to] {
        crate::roll::recount_in(tx, u, u).await?;
    }
    if n > 0 {
        let (a, b) = (name_of(tx, Some(from)).await?, name_of(tx, Some(to)).await?);
        ctx.plan.members.push((a, b, n as i64));
    }
    Ok(())
}

/// Memberships of a unit still in force on `day` or starting later: a
/// unit that ends the day before may keep none of them.
async fn members_from(tx: &mut Tx, unit_id: i64, day: &str) -> DbResult<i64> {
    let (n,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "SELECT COUNT(*) FROM membership WHERE unit_id = $1 AND (valid_to IS NULL OR valid_to >= $2)")
        .bind(unit_id).bind(day).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// Ends a unit the day before: its state, boards and positions close.
async fn end_unit(tx: &mut Tx, ctx: &mut Ctx<'_>, cur: &Cur) -> DbResult<()> {
    changeable(cur, &ctx.day, "effective_on")?;
    let close = |table: &'static str| {
        format!(
            "UPDATE {table} SET valid_to = $1 WHERE {} = $2 AND (valid_to IS NULL OR valid_to > $1)",
            if table == "unit" { "id" } else { "unit_id" }
        )
    };
    let mut counts = [0u64; 4];
    for (i, table) in ["unit", "unit_version", "board", "position"]
        .iter()
        .enumerate()
    {
        let sql = close(table);
        counts[i] = with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&ctx.before).bind(cur.id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    ctx.plan.boards_closed += counts[2] as i64;
    ctx.plan.positions_closed += counts[3] as i64;
    ctx.plan.ended.push(cur.name.clone());
    Ok(())
}

async fn lineage(tx: &mut Tx, event: i64, from: i64, to: Option<i64>, role: &str) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO unit_lineage (event_id, from_unit_id, to_unit_id, role) VALUES ($1, $2, $3, $4)")
        .bind(event).bind(from).bind(to).bind(role)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

async fn create_part(
    tx: &mut Tx,
    actor: &Actor,
    ctx: &mut Ctx<'_>,
    mut nu: NewUnit,
    default_parent: Option<i64>,
) -> DbResult<i64> {
    nu.valid_from = ctx.day.clone();
    nu.valid_to = None;
    if nu.parent_id.is_none() {
        nu.parent_id = default_parent;
    }
    if let Some(p) = nu.parent_id {
        load(tx, p, &ctx.day, "parent_id").await?;
    }
    ctx.plan.created.push(text::clean(&nu.name));
    Ok(unit::create_in(tx, actor, nu).await?.id)
}

pub async fn apply_in(tx: &mut Tx, actor: &Actor, order: Order) -> DbResult<Done> {
    let day = fmt::parse_date(&order.effective_on)
        .ok_or(DbError::field("effective_on", Code::InvalidDate))?;
    let decision = text::clean(&order.decision);
    if let Some(e) = text::check("decision", &decision, 64) {
        return Err(DbError::Invalid(vec![e]));
    }
    let kind = order.change.kind();
    let mut plan = Plan {
        kind,
        effective_on: fmt::iso(day),
        decision: decision.clone(),
        ..Default::default()
    };
    let (event,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO unit_event (kind, effective_on, decision, summary, created_at)
         VALUES ($1, $2, $3, '', $4) RETURNING id")
        .bind(kind).bind(fmt::iso(day)).bind(&decision).bind(now_ms())
        .fetch_one(&mut *c).await)?;
    // Rows start on the day and end the day before: the kept roll sizes
    // hold from the day on.
    crate::roll::dated(tx, &fmt::iso(day)).await?;
    let mut ctx = Ctx {
        day: fmt::iso(day),
        before: day_before(day),
        event,
        plan: &mut plan,
    };
    let successor = match order.change {
        Change::Merge { sources, target } => {
            let mut uniq = sources.clone();
            uniq.sort_unstable();
            uniq.dedup();
            let target = match target {
                Target::Existing(t) => {
                    uniq.retain(|&s| s != t);
                    if uniq.is_empty() {
                        return Err(DbError::field("sources", Code::NeedsTwoUnits));
                    }
                    load(tx, t, &ctx.day, "target_id").await?;
                    t
                }
                Target::New(nu) => {
                    if uniq.len() < 2 {
                        return Err(DbError::field("sources", Code::NeedsTwoUnits));
                    }
                    let first = load(tx, uniq[0], &ctx.day, "sources").await?;
                    create_part(tx, actor, &mut ctx, nu, first.parent_id).await?
                }
            };
            for s in uniq {
                let cur = load(tx, s, &ctx.day, "sources").await?;
                for (child, _) in children(tx, s).await? {
                    restate(tx, &mut ctx, child, Some(target), None).await?;
                }
                move_members(tx, &mut ctx, s, target).await?;
                end_unit(tx, &mut ctx, &cur).await?;
                lineage(tx, event, s, Some(target), "successor").await?;
            }
            Some(target)
        }
        Change::Split {
            source,
            parts,
            children: assign,
            members_to,
        } => {
            let cur = load(tx, source, &ctx.day, "source_id").await?;
            if parts.len() < 2 {
                return Err(DbError::field("parts", Code::NeedsTwoUnits));
            }
            let mut ids = Vec::new();
            for nu in parts {
                ids.push(create_part(tx, actor, &mut ctx, nu, cur.parent_id).await?);
            }
            for (child, _) in children(tx, source).await? {
                let part = assign
                    .iter()
                    .find(|(c, _)| *c == child)
                    .and_then(|(_, i)| ids.get(*i))
                    .ok_or(DbError::field("children", Code::NeedsReceiver))?;
                restate(tx, &mut ctx, child, Some(*part), None).await?;
            }
            let to = *ids
                .get(members_to)
                .ok_or(DbError::field("members_to", Code::InvalidChoice))?;
            move_members(tx, &mut ctx, source, to).await?;
            end_unit(tx, &mut ctx, &cur).await?;
            for id in &ids {
                lineage(tx, event, source, Some(*id), "successor").await?;
            }
            ids.first().copied()
        }
        Change::Rename { unit: id, name } => {
            let name = text::clean(&name);
            if let Some(e) = text::check("name", &name, 200) {
                return Err(DbError::Invalid(vec![e]));
            }
            let cur = load(tx, id, &ctx.day, "unit_id").await?;
            if cur.name == name {
                return Err(DbError::field("name", Code::NothingChanges));
            }
            restate(tx, &mut ctx, id, None, Some(&name)).await?;
            lineage(tx, event, id, Some(id), "same").await?;
            Some(id)
        }
        Change::Transfer { unit: id, parent } => {
            let cur = load(tx, id, &ctx.day, "unit_id").await?;
            if cur.parent_id == Some(parent) {
                return Err(DbError::field("parent_id", Code::NothingChanges));
            }
            restate(tx, &mut ctx, id, Some(parent), None).await?;
            lineage(tx, event, id, Some(id), "same").await?;
            Some(id)
        }
        Change::Dissolve {
            unit: id,
            children: assign,
            members_to,
        } => {
            let cur = load(tx, id, &ctx.day, "unit_id").await?;
            for (child, _) in children(tx, id).await? {
                let parent = assign
                    .iter()
                    .find(|(c, _)| *c == child)
                    .map(|(_, p)| *p)
                    .ok_or(DbError::field("children", Code::NeedsReceiver))?;
                restate(tx, &mut ctx, child, Some(parent), None).await?;
            }
            match members_to {
                Some(to) => {
                    load(tx, to, &ctx.day, "members_to").await?;
                    move_members(tx, &mut ctx, id, to).await?;
                }
                None if members_from(tx, id, &ctx.day).await? > 0 => {
                    return Err(DbError::field("members_to", Code::NeedsReceiver));
                }
                None => {}
            }
            end_unit(tx, &mut ctx, &cur).await?;
            lineage(tx, event, id, members_to, "successor").await?;
            members_to
        }
    };
    let summary = format!(
        "{} theo {} từ {}",
        kind_label(kind),
        decision,
        fmt::date(day)
    );
    // Open campaigns follow the change in this same transaction.
    crate::campaign::follow::after_change(tx, event, &fmt::iso(day), &summary).await?;
    let moved = plan.members_moved();
    with_tx!(tx, c => sqlx::query("UPDATE unit_event SET summary = $1, members_moved = $2 WHERE id = $3")
        .bind(&summary).bind(moved).bind(event).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    // The audit keeps the plan: names and counts, never member details.
    audit::record(
        tx,
        actor,
        AuditChange {
            action: kind,
            entity: "unit_event",
            entity_id: Some(event.to_string()),
            summary,
            before: None,
            after: Some(json!(plan)),
        },
    )
    .await?;
    Ok(Done {
        plan,
        event_id: event,
        successor,
    })
}

/// One line of a unit's restructuring history.
#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Event {
    pub event_id: i64,
    pub kind: String,
    pub effective_on: String,
    pub decision: String,
    pub summary: String,
    pub from_unit_id: i64,
    pub from_name: String,
    pub to_unit_id: Option<i64>,
    pub to_name: Option<String>,
    pub role: String,
}

/// Every change that touched the unit, as predecessor or successor, oldest first.
pub async fn history(db: &Db, unit_id: i64) -> DbResult<Vec<Event>> {
    crate::read::all(
        db,
        "SELECT e.id AS event_id, e.kind, e.effective_on, e.decision, e.summary,
                l.from_unit_id, f.name AS from_name, l.to_unit_id, t.name AS to_name, l.role
         FROM unit_lineage l JOIN unit_event e ON e.id = l.event_id
         JOIN unit f ON f.id = l.from_unit_id LEFT JOIN unit t ON t.id = l.to_unit_id
         WHERE l.from_unit_id = $1 OR l.to_unit_id = $1
         ORDER BY e.effective_on, e.id, l.from_unit_id",
        &[unit_id.into()],
    )
    .await
}

/// Sub-units a change of `id` would have to place, as they stand now.
pub async fn current_children(db: &Db, id: i64) -> DbResult<Vec<(i64, String)>> {
    crate::read::all(
        db,
        "SELECT unit_id, name FROM unit_version WHERE parent_id = $1 AND valid_to IS NULL ORDER BY unit_id",
        &[id.into()],
    )
    .await
}
