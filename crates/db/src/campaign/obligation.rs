//! A unit's obligation in a campaign and its report: progress saved as it
//! happens, then submitted once (locked), then only corrected, each
//! correction a new version with its reason, all audited.
use serde::Serialize;
use serde_json::json;
use time::Date;
use trienkhai_core::{Code, FieldError, fmt, text};

use super::{
    Campaign,
    figures::{Figures, REPORTED},
    get_in,
    tally::{self, COUNTED, Counted},
};
use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    now_ms, read,
};

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Obligation {
    pub id: i64,
    pub campaign_id: i64,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub path: String,
    pub active: bool,
    pub carried_to: Option<i64>,
    pub state: i64,
    pub roll: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub figures: Figures,
    pub programme_symbol: Option<String>,
    pub submitted_at: Option<i64>,
    pub late: bool,
    pub version: i64,
    pub updated_at: i64,
    pub launched_on: String,
    pub session_due: String,
    pub programme_due: String,
    pub report_due: String,
    pub locked: bool,
    pub collect: bool,
}

const SELECT: &str = "SELECT o.id, o.campaign_id, c.title, o.unit_id, u.name AS unit_name, o.path, o.active,
    o.carried_to, o.state, o.roll, o.scheduled_on, o.held_on, o.held_to, o.form, o.points, o.in_scope,
    o.present, o.absent_excused, o.absent_unexcused, o.makeup, o.non_members, o.reflections,
    o.programme_document_id, o.note, d.symbol AS programme_symbol, o.submitted_at, o.late, o.version,
    o.updated_at, c.launched_on, c.session_due, c.programme_due, c.report_due,
    c.locked_at IS NOT NULL AS locked, o.collect
    FROM obligation o JOIN campaign c ON c.id = o.campaign_id JOIN unit u ON u.id = o.unit_id
    LEFT JOIN document d ON d.id = o.programme_document_id";

impl Obligation {
    /// The status the board shows: the step reached, or late / overdue.
    pub fn status(&self, today: &str) -> &'static str {
        status(
            self.state,
            required(
                &self.session_due,
                &self.programme_due,
                &self.report_due,
                today,
            ),
        )
    }
}

fn required(session: &str, programme: &str, report: &str, today: &str) -> i64 {
    if today > report {
        4
    } else if today > programme {
        3
    } else if today > session {
        2
    } else {
        0
    }
}

/// Status code for a state against what is required by now.
pub fn status(state: i64, required: i64) -> &'static str {
    match state {
        s if s < required && required == REPORTED => "overdue",
        s if s < required => "late",
        0 => "not_started",
        1 => "scheduled",
        2 => "held",
        3 => "programme",
        _ => "reported",
    }
}

pub const STATUSES: [(&str, &str); 7] = [
    ("not_started", "Chưa triển khai"),
    ("scheduled", "Đã lên lịch học tập"),
    ("held", "Đã tổ chức học tập"),
    ("programme", "Đã ban hành chương trình hành động"),
    ("reported", "Đã báo cáo"),
    ("late", "Chậm tiến độ"),
    ("overdue", "Quá hạn báo cáo"),
];

pub fn status_label(code: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|s| s.0 == code)
        .map(|s| s.1)
        .unwrap_or("")
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Obligation>> {
    let sql = format!("{SELECT} WHERE o.id = $1");
    crate::read::first(db, &sql, &[id.into()]).await
}

async fn get_in_tx(tx: &mut Tx, id: i64) -> DbResult<Obligation> {
    let sql = format!("{SELECT} WHERE o.id = $1");
    let o: Option<Obligation> = with_tx!(tx, c => sqlx::query_as::<_, Obligation>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id).fetch_optional(&mut *c).await)?;
    o.ok_or(DbError::Refused(Code::ObligationNotFound))
}

/// Active obligations of the units under `path` in campaigns still open,
/// nearest report deadline first: a secretary's "my obligations".
/// A chi bộ's secretary also sees the obligations of the đảng bộ above
/// that collect their chi bộ's parts.
pub async fn mine(db: &Db, path: &str) -> DbResult<Vec<Obligation>> {
    let above: Vec<String> = path
        .split('/')
        .filter_map(|s| s.parse::<i64>().ok())
        .map(|i| i.to_string())
        .collect();
    let above = above[..above.len().saturating_sub(1)].join(", ");
    let collecting = if above.is_empty() {
        String::new()
    } else {
        format!("OR (o.collect AND o.unit_id IN ({above}))")
    };
    let sql = format!(
        "{SELECT} WHERE ((o.path >= $1 AND o.path < $2) {collecting}) AND o.active AND c.locked_at IS NULL
         ORDER BY c.report_due, o.path LIMIT 200"
    );
    let upper = crate::unit::path_upper(path);
    read::all(db, &sql, &[path.into(), upper.as_str().into()]).await
}

/// Every obligation a unit has had, carried ones included, newest campaign first.
pub async fn of_unit(db: &Db, unit_id: i64) -> DbResult<Vec<Obligation>> {
    let sql = format!(
        "{SELECT} WHERE o.id IN (SELECT id FROM obligation WHERE unit_id = $1
           UNION ALL SELECT f.id FROM obligation t JOIN obligation f ON f.carried_to = t.id
           WHERE t.unit_id = $1)
         ORDER BY o.campaign_id DESC, o.id"
    );
    crate::read::all(db, &sql, &[unit_id.into()]).await
}

/// The units × status matrix under a unit: keyset-paged by path; `status`
/// filters on the state against what is required today.
pub async fn under(
    db: &Db,
    c: &Campaign,
    path: &str,
    status: Option<&str>,
    today: &str,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<Obligation>> {
    let req = c.required(today);
    let cond = match status {
        Some("not_started") => "o.state = 0",
        Some("scheduled") => "o.state = 1",
        Some("held") => "o.state = 2",
        Some("programme") => "o.state = 3",
        Some("reported") => "o.state = 4",
        Some("late") if req < REPORTED => "o.state < $5",
        Some("overdue") if req == REPORTED => "o.state < $5",
        Some(_) => "1 = 0",
        None => "1 = 1",
    };
    let sql = format!(
        "{SELECT} WHERE o.campaign_id = $1 AND o.active AND o.path >= $2 AND o.path < $3
           AND ($4 IS NULL OR o.path > $4) AND {cond} AND $5 >= 0
         ORDER BY o.path LIMIT {}",
        crate::pool::limit(limit)
    );
    let upper = crate::unit::path_upper(path);
    let args = [
        c.id.into(),
        path.into(),
        upper.as_str().into(),
        after.into(),
        req.into(),
    ];
    read::all(db, &sql, &args).await
}

async fn counted(tx: &mut Tx, id: i64) -> DbResult<Counted> {
    let sql = format!("SELECT {COUNTED} FROM obligation o WHERE o.id = $1");
    Ok(
        with_tx!(tx, c => sqlx::query_as::<_, Counted>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id).fetch_one(&mut *c).await)?,
    )
}

/// Rewrites an obligation's report columns and moves its roll-up share
/// from what it was to what it is, in the caller's transaction.
/// Where a report stands after a write.
pub(crate) struct Stage {
    pub state: i64,
    pub submitted: Option<i64>,
    pub late: bool,
    pub version: i64,
}

pub(crate) async fn write_in(
    tx: &mut Tx,
    root: &str,
    id: i64,
    f: &Figures,
    st: Stage,
) -> DbResult<()> {
    let Stage {
        state,
        submitted,
        late,
        version,
    } = st;
    let before = counted(tx, id).await?;
    let b = before.share();
    with_tx!(tx, c => sqlx::query(
        "UPDATE obligation SET scheduled_on = $2, held_on = $3, held_to = $4, form = $5, points = $6,
            in_scope = $7, present = $8, absent_excused = $9, absent_unexcused = $10, makeup = $11,
            non_members = $12, reflections = $13, programme_document_id = $14, note = $15, state = $16,
            submitted_at = $17, late = $18, version = $19,
            updated_at = CASE WHEN updated_at >= $20 THEN updated_at + 1 ELSE $20 END
         WHERE id = $1")
        .bind(id).bind(&f.scheduled_on).bind(&f.held_on).bind(&f.held_to).bind(&f.form).bind(f.points)
        .bind(f.in_scope).bind(f.present).bind(f.absent_excused).bind(f.absent_unexcused).bind(f.makeup)
        .bind(f.non_members).bind(f.reflections).bind(f.programme_document_id).bind(&f.note).bind(state)
        .bind(submitted).bind(late).bind(version).bind(now_ms())
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    // The row as just written: its share moves by the difference, in one
    // statement over the ancestors.
    let after = Counted {
        state,
        late,
        in_scope: f.in_scope,
        present: f.present,
        absent_excused: f.absent_excused,
        absent_unexcused: f.absent_unexcused,
        makeup: f.makeup,
        non_members: f.non_members,
        reflections: f.reflections,
        ..before
    };
    let a = after.share();
    let diff = std::array::from_fn(|i| a[i] - b[i]);
    tally::add(tx, after.campaign_id, root, &after.path, diff, 1).await
}

pub(crate) async fn version_in(
    tx: &mut Tx,
    id: i64,
    version: i64,
    f: &Figures,
    reason: &str,
    user: Option<i64>,
) -> DbResult<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO report_version (obligation_id, version, figures, reason, user_id, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id).bind(version).bind(json!(f).to_string()).bind(reason).bind(user).bind(now_ms())
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the form sends besides the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Progress so far (session scheduled or held, programme issued).
    Save,
    /// The report, once: locked afterwards.
    Submit,
}

async fn programme_exists(tx: &mut Tx, f: &Figures) -> DbResult<()> {
    if let Some(d) = f.programme_document_id {
        let found: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as("SELECT id FROM document WHERE id = $1")
            .bind(d).fetch_optional(&mut *c).await)?;
        if found.is_none() {
            return Err(DbError::field(
                "programme_document_id",
                Code::DocumentNotFound,
            ));
        }
    }
    Ok(())
}

/// Loads the obligation and campaign, refusing a locked period, a carried
/// obligation or a form older than the row (`stamp` is its updated_at).
pub(crate) async fn open_in(tx: &mut Tx, id: i64, stamp: i64) -> DbResult<(Obligation, Campaign)> {
    // Takes the row's lock first, so two submits from two tabs queue up
    // and the second sees the first (PostgreSQL reads committed rows).
    // SQLite's BEGIN IMMEDIATE already holds its one write lock.
    if let Tx::Postgres(t, _) = tx {
        sqlx::query("SELECT id FROM obligation WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut **t)
            .await?;
    }
    let o = get_in_tx(tx, id).await?;
    let c = get_in(tx, o.campaign_id).await?;
    if !o.active {
        return Err(DbError::Refused(Code::ObligationNotFound));
    }
    if c.locked() {
        return Err(DbError::Refused(Code::PeriodLocked));
    }
    if o.submitted_at.is_none() && stamp != STAMP_ANY && o.updated_at != stamp {
        return Err(DbError::Refused(Code::StaleForm));
    }
    Ok((o, c))
}

/// For changes that do not rewrite the report (attachments, corrections,
/// which check the version instead).
pub(crate) const STAMP_ANY: i64 = -1;

pub(crate) fn invalid(errs: Vec<FieldError>) -> DbResult<()> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DbError::Invalid(errs))
    }
}

/// Saves progress or submits the report. A second submit (another tab, a
/// resent form) is refused, never applied twice.
pub async fn report(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: Figures,
    action: Action,
    stamp: i64,
    today: Date,
) -> DbResult<Obligation> {
    let mut tx = db.begin().await?;
    let out = report_in(&mut tx, actor, id, f, action, stamp, today).await?;
    tx.commit().await?;
    Ok(out)
}

/// `report` inside the caller's transaction.
pub async fn report_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    mut f: Figures,
    action: Action,
    stamp: i64,
    today: Date,
) -> DbResult<Obligation> {
    let (o, c) = open_in(tx, id, stamp).await?;
    if o.submitted_at.is_some() {
        return Err(DbError::Refused(Code::AlreadySubmitted));
    }
    let launched = fmt::parse_date(&c.launched_on).unwrap_or(today);
    let errs = match action {
        Action::Save => f.check(launched, today),
        Action::Submit => f.check_submit(launched, today),
    };
    invalid(errs)?;
    programme_exists(tx, &f).await?;
    let iso = fmt::iso(today);
    let (state, submitted, late, version) = match action {
        Action::Save => (f.state(), None, false, o.version),
        Action::Submit => (REPORTED, Some(now_ms()), iso > c.report_due, o.version + 1),
    };
    write_in(
        tx,
        &c.unit_path,
        id,
        &f,
        Stage {
            state,
            submitted,
            late,
            version,
        },
    )
    .await?;
    if action == Action::Submit {
        version_in(tx, id, version, &f, "", actor.user_id).await?;
    }
    if let Some(u) = actor.user_id {
        with_tx!(tx, c => sqlx::query("DELETE FROM report_draft WHERE obligation_id = $1 AND user_id = $2")
            .bind(id).bind(u).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: if action == Action::Submit {
                "submit"
            } else {
                "progress"
            },
            entity: "obligation",
            entity_id: Some(id.to_string()),
            summary: format!(
                "{} của {} trong đợt \"{}\"",
                if action == Action::Submit {
                    "Gửi báo cáo"
                } else {
                    "Cập nhật tiến độ"
                },
                o.unit_name,
                c.title
            ),
            before: Some(json!(o.figures)),
            after: Some(json!(f)),
        },
    )
    .await?;
    get_in_tx(tx, id).await
}

/// Corrects a submitted report: a new version, with its reason, audited.
/// `version` is the version the corrector saw.
pub async fn correct(
    db: &Db,
    actor: &Actor,
    id: i64,
    mut f: Figures,
    reason: &str,
    version: i64,
    today: Date,
) -> DbResult<Obligation> {
    let reason = text::clean(reason);
    let mut tx = db.begin().await?;
    let (o, c) = open_in(&mut tx, id, STAMP_ANY).await?;
    if o.submitted_at.is_none() {
        return Err(DbError::Refused(Code::NotSubmitted));
    }
    if o.version != version {
        return Err(DbError::Refused(Code::StaleForm));
    }
    let launched = fmt::parse_date(&c.launched_on).unwrap_or(today);
    let mut errs = f.check_submit(launched, today);
    if reason.is_empty() {
        errs.push(FieldError::new("reason", Code::Required));
    }
    errs.extend(text::check("reason", &reason, 500));
    invalid(errs)?;
    programme_exists(&mut tx, &f).await?;
    if f == o.figures {
        return Err(DbError::field("reason", Code::NothingChanges));
    }
    let v = o.version + 1;
    write_in(
        &mut tx,
        &c.unit_path,
        id,
        &f,
        Stage {
            state: REPORTED,
            submitted: o.submitted_at,
            late: o.late,
            version: v,
        },
    )
    .await?;
    version_in(&mut tx, id, v, &f, &reason, actor.user_id).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "correct",
            entity: "obligation",
            entity_id: Some(id.to_string()),
            summary: format!(
                "Đính chính báo cáo của {} (lần {}): {}",
                o.unit_name,
                v - 1,
                reason
            ),
            before: Some(json!(o.figures)),
            after: Some(json!(f)),
        },
    )
    .await?;
    let out = get_in_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Version {
    pub version: i64,
    pub figures: String,
    pub reason: String,
    pub user_name: Option<String>,
    pub submitted_at: i64,
}

pub async fn versions(db: &Db, id: i64) -> DbResult<Vec<Version>> {
    read::all(
        db,
        "SELECT r.version, r.figures, r.reason, a.display_name AS user_name, r.submitted_at
         FROM report_version r LEFT JOIN app_user a ON a.id = r.user_id
         WHERE r.obligation_id = $1 ORDER BY r.version DESC",
        &[id.into()],
    )
    .await
}

/// A report being typed, kept per account so it survives a reload.
pub async fn save_draft(db: &Db, id: i64, user: i64, body: &str) -> DbResult<()> {
    write_one!(db, c => sqlx::query(
        "INSERT INTO report_draft (obligation_id, user_id, body, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (obligation_id, user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at")
        .bind(id).bind(user).bind(body).bind(now_ms()).execute(&mut *c).await.map(|r| r.rows_affected()));
    Ok(())
}

pub async fn draft(db: &Db, id: i64, user: i64) -> DbResult<Option<(String, i64)>> {
    read::first(
        db,
        "SELECT body, updated_at FROM report_draft WHERE obligation_id = $1 AND user_id = $2",
        &[id.into(), user.into()],
    )
    .await
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct File {
    pub id: i64,
    pub obligation_id: i64,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub store_key: String,
    pub created_at: i64,
}

pub struct NewFile<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub size: i64,
    pub store_key: &'a str,
}

/// Evidence (a photo of the sign-in sheet, minutes): allowed while the period is open.
pub async fn add_file(db: &Db, actor: &Actor, id: i64, f: NewFile<'_>) -> DbResult<i64> {
    let mut tx = db.begin().await?;
    let (o, _) = open_in(&mut tx, id, STAMP_ANY).await?;
    let name = text::clean(f.name);
    let (fid,): (i64,) = with_tx!(&mut tx, c => sqlx::query_as(
        "INSERT INTO obligation_file (obligation_id, name, kind, size, store_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(id).bind(&name).bind(f.kind).bind(f.size).bind(f.store_key).bind(now_ms())
        .fetch_one(&mut *c).await)?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "attach",
            entity: "obligation",
            entity_id: Some(id.to_string()),
            summary: format!(
                "Đính kèm minh chứng \"{name}\" cho báo cáo của {}",
                o.unit_name
            ),
            before: None,
            after: Some(json!({"file_id": fid, "name": name, "size": f.size})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(fid)
}

pub async fn files(db: &Db, id: i64) -> DbResult<Vec<File>> {
    read::all(
        db,
        "SELECT id, obligation_id, name, kind, size, store_key, created_at FROM obligation_file
         WHERE obligation_id = $1 ORDER BY id",
        &[id.into()],
    )
    .await
}

pub async fn file(db: &Db, file_id: i64) -> DbResult<Option<File>> {
    Ok(with_db!(db, p => sqlx::query_as::<_, File>(
        "SELECT id, obligation_id, name, kind, size, store_key, created_at FROM obligation_file WHERE id = $1")
        .bind(file_id).fetch_optional(p).await)?)
}
