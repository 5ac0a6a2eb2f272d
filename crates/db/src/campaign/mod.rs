//! Campaigns (đợt học tập, quán triệt, triển khai): a committee launches
//! one for documents, every target unit then owes an obligation (study
//! session by D1, its own action programme by D2, a report by D3), and the
//! board rolls the reports up level by level.
pub mod figures;
pub mod follow;
pub mod generate;
pub mod obligation;
pub mod part;
pub mod reminder;
pub mod tally;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use time::Date;
use trienkhai_core::{Code, FieldError, due, fmt, text};

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    now_ms,
    unit::path_upper,
};
use figures::{HELD, PROGRAMME, REPORTED};

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub title: String,
    pub plan_document_id: Option<i64>,
    pub plan_symbol: Option<String>,
    pub launched_on: String,
    pub session_due: String,
    pub programme_due: String,
    pub report_due: String,
    pub due_text: String,
    pub remind_days: i64,
    pub locked_at: Option<i64>,
    pub report_document_id: Option<i64>,
}

const SELECT: &str = "SELECT c.id, c.unit_id, u.name AS unit_name, u.path AS unit_path, c.title,
    c.plan_document_id, d.symbol AS plan_symbol, c.launched_on, c.session_due, c.programme_due,
    c.report_due, c.due_text, c.remind_days, c.locked_at, c.report_document_id
    FROM campaign c JOIN unit u ON u.id = c.unit_id LEFT JOIN document d ON d.id = c.plan_document_id";

impl Campaign {
    /// The state every unit should have reached by `today`: what makes it
    /// late (a step's deadline passed) or overdue (the report's passed).
    pub fn required(&self, today: &str) -> i64 {
        if today > self.report_due.as_str() {
            REPORTED
        } else if today > self.programme_due.as_str() {
            PROGRAMME
        } else if today > self.session_due.as_str() {
            HELD
        } else {
            0
        }
    }

    pub fn locked(&self) -> bool {
        self.locked_at.is_some()
    }
}

/// A campaign as the launch form sends it.
#[derive(Clone, Debug, Default)]
pub struct NewCampaign {
    pub unit_id: i64,
    pub title: String,
    pub documents: Vec<i64>,
    pub plan_document_id: Option<i64>,
    pub launched_on: String,
    /// As typed: a date, "trong 30 ngày", "quý I/2026".
    pub session_due: String,
    pub programme_due: String,
    pub report_due: String,
    /// Units added to, or taken out of, the default targets.
    pub add: Vec<i64>,
    pub remove: Vec<i64>,
    pub remind_days: i64,
}

struct Checked {
    launched: Date,
    dues: [Date; 3],
}

fn check(n: &mut NewCampaign) -> Result<Checked, DbError> {
    let mut errs = Vec::new();
    n.title = text::clean(&n.title);
    errs.extend(text::check("title", &n.title, 300));
    if n.documents.is_empty() {
        errs.push(FieldError::new("documents", Code::Required));
    }
    if !(0..=60).contains(&n.remind_days) {
        errs.push(FieldError::new("remind_days", Code::InvalidFigure));
    }
    let launched = fmt::parse_date(&n.launched_on);
    if launched.is_none() {
        errs.push(FieldError::new("launched_on", Code::InvalidDate));
    }
    let base = launched.unwrap_or(Date::MIN);
    let mut dues = [Date::MIN; 3];
    for (i, (field, typed)) in [
        ("session_due", &n.session_due),
        ("programme_due", &n.programme_due),
        ("report_due", &n.report_due),
    ]
    .into_iter()
    .enumerate()
    {
        match due::resolve(typed, base) {
            Some(d) => dues[i] = d,
            None if typed.trim().is_empty() => errs.push(FieldError::new(field, Code::Required)),
            None => errs.push(FieldError::new(field, Code::InvalidDue)),
        }
    }
    if errs.is_empty() && !(base <= dues[0] && dues[0] <= dues[1] && dues[1] <= dues[2]) {
        errs.push(FieldError::new("report_due", Code::DueOrder));
    }
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    Ok(Checked {
        launched: base,
        dues,
    })
}

/// The default targets: grassroots units under the committee as the tree
/// stood on the launch day. (unit id, current path)
pub async fn default_targets(
    db: &Db,
    unit_id: i64,
    on: &str,
) -> DbResult<Vec<(i64, String, String)>> {
    let mut tx = db.begin().await?;
    let t = targets_in(&mut tx, unit_id, on, &[], &[]).await;
    tx.rollback().await?;
    t
}

/// (unit id, current path, name) of every target.
async fn targets_in(
    tx: &mut Tx,
    unit_id: i64,
    on: &str,
    add: &[i64],
    remove: &[i64],
) -> DbResult<Vec<(i64, String, String)>> {
    let root: Option<(String,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT path FROM unit_version WHERE unit_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)")
        .bind(unit_id).bind(on).fetch_optional(&mut *c).await)?;
    let root = root
        .ok_or(DbError::field("unit_id", Code::UnitNotActive))?
        .0;
    let mut rows: Vec<(i64, String, String)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT u.id, u.path, v.name FROM unit_version v JOIN unit u ON u.id = v.unit_id
         JOIN unit_type t ON t.code = u.type_code
         WHERE v.path >= $1 AND v.path < $2 AND v.valid_from <= $3 AND (v.valid_to IS NULL OR v.valid_to >= $3)
           AND t.grassroots")
        .bind(&root).bind(path_upper(&root)).bind(on).fetch_all(&mut *c).await)?;
    rows.retain(|r| !remove.contains(&r.0));
    for id in add {
        if rows.iter().any(|r| r.0 == *id) {
            continue;
        }
        let row: Option<(i64, String, String)> = with_tx!(tx, c => sqlx::query_as(
            "SELECT u.id, u.path, v.name FROM unit_version v JOIN unit u ON u.id = v.unit_id
             WHERE u.id = $1 AND v.path >= $2 AND v.path < $3
               AND v.valid_from <= $4 AND (v.valid_to IS NULL OR v.valid_to >= $4)")
            .bind(id).bind(&root).bind(path_upper(&root)).bind(on).fetch_optional(&mut *c).await)?;
        rows.push(row.ok_or(DbError::field("add", Code::UnitNotFound))?);
    }
    Ok(rows)
}

/// Members on each unit's roll on a day, summed up each target's subtree.
async fn rolls_in(
    tx: &mut Tx,
    targets: &[(i64, String, String)],
    on: &str,
) -> DbResult<HashMap<i64, i64>> {
    // The kept roll sizes when exact that day: one row a unit, not a count
    // over every member (5,6 million at national size).
    let per_unit: Vec<(String, i64)> = if crate::roll::exact_in(tx, on).await? {
        with_tx!(tx, c => sqlx::query_as("SELECT path, members FROM unit WHERE members > 0")
            .fetch_all(&mut *c).await)?
    } else {
        with_tx!(tx, c => sqlx::query_as(
            "SELECT u.path, COUNT(*) FROM membership m JOIN unit u ON u.id = m.unit_id
             WHERE m.valid_from <= $1 AND (m.valid_to IS NULL OR m.valid_to >= $1) GROUP BY u.path")
            .bind(on).fetch_all(&mut *c).await)?
    };
    let by_path: HashMap<&str, i64> = targets.iter().map(|t| (t.1.as_str(), t.0)).collect();
    let mut rolls = HashMap::new();
    for (path, n) in per_unit {
        // The nearest target at or above the unit owns its members.
        let mut p = path.as_str();
        loop {
            if let Some(id) = by_path.get(p) {
                *rolls.entry(*id).or_insert(0) += n;
                break;
            }
            match p.trim_end_matches('/').rfind('/') {
                Some(i) if i > 0 => p = &p[..=i],
                _ => break,
            }
        }
    }
    Ok(rolls)
}

/// Launches a campaign: the campaign, one obligation per target unit with
/// its roll, and the roll-ups of every level, in one transaction.
pub async fn launch(db: &Db, actor: &Actor, mut n: NewCampaign) -> DbResult<i64> {
    let c = check(&mut n)?;
    let mut tx = db.begin().await?;
    let id = launch_checked(&mut tx, actor, &n, &c).await?;
    tx.commit().await?;
    Ok(id)
}

/// `launch` inside the caller's transaction (the demo loads this way).
pub async fn launch_in(tx: &mut Tx, actor: &Actor, mut n: NewCampaign) -> DbResult<i64> {
    let c = check(&mut n)?;
    launch_checked(tx, actor, &n, &c).await
}

async fn launch_checked(tx: &mut Tx, actor: &Actor, n: &NewCampaign, c: &Checked) -> DbResult<i64> {
    let on = fmt::iso(c.launched);
    for d in n.documents.iter().chain(n.plan_document_id.iter()) {
        let found: Option<(i64,)> = with_tx!(tx, x => sqlx::query_as("SELECT id FROM document WHERE id = $1")
            .bind(d).fetch_optional(&mut *x).await)?;
        if found.is_none() {
            return Err(DbError::field("documents", Code::DocumentNotFound));
        }
    }
    let targets = targets_in(tx, n.unit_id, &on, &n.add, &n.remove).await?;
    if targets.is_empty() {
        return Err(DbError::field("add", Code::NoTargets));
    }
    let remind = |d: Date| fmt::iso(d.saturating_sub(time::Duration::days(n.remind_days)));
    let due_text = json!([
        n.session_due.trim(),
        n.programme_due.trim(),
        n.report_due.trim()
    ])
    .to_string();
    let now = now_ms();
    let (id,): (i64,) = with_tx!(tx, x => sqlx::query_as(
        "INSERT INTO campaign (unit_id, title, plan_document_id, launched_on, session_due, programme_due,
            report_due, due_text, remind_days, session_remind, programme_remind, report_remind, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id")
        .bind(n.unit_id).bind(&n.title).bind(n.plan_document_id).bind(&on)
        .bind(fmt::iso(c.dues[0])).bind(fmt::iso(c.dues[1])).bind(fmt::iso(c.dues[2]))
        .bind(&due_text).bind(n.remind_days)
        .bind(remind(c.dues[0])).bind(remind(c.dues[1])).bind(remind(c.dues[2]))
        .bind(now).fetch_one(&mut *x).await)?;
    let mut docs = n.documents.clone();
    docs.sort_unstable();
    docs.dedup();
    for d in &docs {
        with_tx!(tx, x => sqlx::query("INSERT INTO campaign_document (campaign_id, document_id) VALUES ($1, $2)")
            .bind(id).bind(d).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    }
    let rolls = rolls_in(tx, &targets, &on).await?;
    let root_path: (String,) = with_tx!(tx, x => sqlx::query_as("SELECT path FROM unit WHERE id = $1")
        .bind(n.unit_id).fetch_one(&mut *x).await)?;
    let mut sums = tally::Sums::new();
    // Small statements: SQLite finds a `$N` by a linear scan of the
    // parameters, so a statement costs the square of its parameter count.
    for chunk in targets.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|k| format!("($1, ${}, ${}, ${}, $2)", 3 + k * 3, 4 + k * 3, 5 + k * 3))
            .collect();
        let sql = format!(
            "INSERT INTO obligation (campaign_id, unit_id, path, roll, updated_at) VALUES {}",
            values.join(", ")
        );
        with_tx!(tx, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id).bind(now);
            for (unit, path, _) in chunk {
                q = q.bind(*unit).bind(path).bind(rolls.get(unit).copied().unwrap_or(0));
            }
            q.execute(&mut *x).await.map(|r| r.rows_affected())
        })?;
        for (unit, path, _) in chunk {
            let o = tally::Counted {
                roll: rolls.get(unit).copied().unwrap_or(0),
                path: path.clone(),
                ..Default::default()
            };
            tally::sum_into(&mut sums, &root_path.0, path, &o.share());
        }
    }
    tally::insert_all(tx, id, &sums).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "launch",
            entity: "campaign",
            entity_id: Some(id.to_string()),
            summary: format!(
                "Triển khai đợt \"{}\" tới {} đơn vị",
                n.title,
                fmt::int(targets.len() as i64)
            ),
            before: None,
            after: Some(
                json!({"title": n.title, "unit_id": n.unit_id, "documents": docs,
            "plan_document_id": n.plan_document_id, "launched_on": on,
            "dues": [fmt::iso(c.dues[0]), fmt::iso(c.dues[1]), fmt::iso(c.dues[2])],
            "due_text": due_text, "units": targets.len(), "added": n.add, "removed": n.remove}),
            ),
        },
    )
    .await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Campaign>> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    crate::read::first(db, &sql, &[id.into()]).await
}

pub(crate) async fn get_in(tx: &mut Tx, id: i64) -> DbResult<Campaign> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    let c: Option<Campaign> = with_tx!(tx, x => sqlx::query_as::<_, Campaign>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id).fetch_optional(&mut *x).await)?;
    c.ok_or(DbError::Refused(Code::CampaignNotFound))
}

/// A campaign in a list, with its top-level roll-up.
#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub campaign: Campaign,
    pub units: i64,
    pub held: i64,
    pub reported: i64,
}

/// Newest first; keyset-paged by id.
pub async fn list(db: &Db, before: Option<i64>, limit: i64) -> DbResult<Vec<Listed>> {
    let sql = format!(
        "SELECT c.id, c.unit_id, u.name AS unit_name, u.path AS unit_path, c.title,
            c.plan_document_id, d.symbol AS plan_symbol, c.launched_on, c.session_due, c.programme_due,
            c.report_due, c.due_text, c.remind_days, c.locked_at, c.report_document_id,
            {units}, {held}, {reported}
         FROM campaign c JOIN unit u ON u.id = c.unit_id LEFT JOIN document d ON d.id = c.plan_document_id
         WHERE ($1 IS NULL OR c.id < $1) ORDER BY c.id DESC LIMIT {}",
        crate::pool::limit(limit),
        units = committee_sum("units"),
        held = committee_sum("held"),
        reported = committee_sum("reported"),
    );
    crate::read::all(db, &sql, &[before.into()]).await
}

/// A column of the committee's line (see `tally`): its own row and its
/// sub-units' rows, summed.
fn committee_sum(col: &str) -> String {
    format!(
        "(SELECT CAST(COALESCE(SUM(t.{col}), 0) AS BIGINT) FROM campaign_tally t
          WHERE t.campaign_id = c.id AND (t.unit_id = c.unit_id OR t.parent_id = c.unit_id)) AS {col}"
    )
}

/// The documents a campaign covers: (id, symbol, subject).
pub async fn documents(db: &Db, id: i64) -> DbResult<Vec<(i64, String, String)>> {
    crate::read::all(db,
        "SELECT d.id, d.symbol, d.subject FROM campaign_document cd JOIN document d ON d.id = cd.document_id
         WHERE cd.campaign_id = $1 ORDER BY d.issued_on, d.id",
        &[id.into()]).await
}

/// Closes the period: no report is taken or corrected after this.
pub async fn lock(db: &Db, actor: &Actor, id: i64) -> DbResult<()> {
    let mut tx = db.begin().await?;
    lock_in(&mut tx, actor, id).await?;
    tx.commit().await
}

pub async fn lock_in(tx: &mut Tx, actor: &Actor, id: i64) -> DbResult<()> {
    let c = get_in(tx, id).await?;
    if c.locked() {
        return Err(DbError::Refused(Code::PeriodLocked));
    }
    with_tx!(tx, x => sqlx::query("UPDATE campaign SET locked_at = $1 WHERE id = $2")
        .bind(now_ms()).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "lock",
            entity: "campaign",
            entity_id: Some(id.to_string()),
            summary: format!("Khóa sổ báo cáo đợt \"{}\"", c.title),
            before: None,
            after: None,
        },
    )
    .await
}
