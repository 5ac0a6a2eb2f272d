//! A đảng bộ cơ sở with chi bộ trực thuộc may report as a whole, or collect
//! its chi bộ's reports: each chi bộ files its part, the đảng bộ's report
//! is their sum (kept in the same transaction, roll-ups included), and the
//! đảng bộ's secretary checks it and submits it once.
use serde_json::json;
use time::Date;
use trienkhai_core::{Code, fmt};

use super::{
    figures::Figures,
    obligation::{STAMP_ANY, Stage, invalid, open_in, write_in},
};
use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    now_ms,
};

/// Turns collecting on or off; only before the report is submitted.
pub async fn set_collect(db: &Db, actor: &Actor, id: i64, on: bool) -> DbResult<()> {
    let mut tx = db.begin().await?;
    let (o, c) = open_in(&mut tx, id, STAMP_ANY).await?;
    if o.submitted_at.is_some() {
        return Err(DbError::Refused(Code::AlreadySubmitted));
    }
    with_tx!(&mut tx, x => sqlx::query("UPDATE obligation SET collect = $2 WHERE id = $1")
        .bind(id).bind(on).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    if on {
        sum_in(&mut tx, id, &c.unit_path).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "collect",
            entity: "obligation",
            entity_id: Some(id.to_string()),
            summary: format!(
                "{} {} trong đợt \"{}\"",
                if on {
                    "Tổng hợp báo cáo từ các chi bộ của"
                } else {
                    "Báo cáo chung của"
                },
                o.unit_name,
                c.title
            ),
            before: None,
            after: Some(json!({"collect": on})),
        },
    )
    .await?;
    tx.commit().await
}

/// The parts filed so far: (unit id, unit name, figures, updated_at).
pub async fn parts(db: &Db, id: i64) -> DbResult<Vec<(i64, String, Figures, i64)>> {
    let rows: Vec<(i64, String, String, i64)> = crate::read::all(
        db,
        "SELECT p.unit_id, u.name, p.figures, p.updated_at FROM obligation_part p JOIN unit u ON u.id = p.unit_id
         WHERE p.obligation_id = $1 ORDER BY u.path",
        &[id.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(u, n, f, at)| (u, n, serde_json::from_str(&f).unwrap_or_default(), at))
        .collect())
}

/// Rewrites the obligation's figures as the sum of its parts, keeping its
/// own action programme and note.
async fn sum_in(tx: &mut Tx, id: i64, root: &str) -> DbResult<()> {
    let rows: Vec<(String,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT figures FROM obligation_part WHERE obligation_id = $1 ORDER BY unit_id")
        .bind(id).fetch_all(&mut *c).await)?;
    let (programme, note, version): (Option<i64>, String, i64) = with_tx!(tx, c => sqlx::query_as(
        "SELECT programme_document_id, note, version FROM obligation WHERE id = $1")
        .bind(id).fetch_one(&mut *c).await)?;
    let mut sum = rows
        .iter()
        .map(|r| serde_json::from_str::<Figures>(&r.0).unwrap_or_default())
        .fold(Figures::default(), |a, b| a.combine(&b));
    sum.programme_document_id = programme;
    sum.note = note;
    let stage = Stage {
        state: sum.state(),
        submitted: None,
        late: false,
        version,
    };
    write_in(tx, root, id, &sum, stage).await
}

/// A chi bộ's part: checked like a report, then summed into the đảng bộ's.
pub async fn save(
    db: &Db,
    actor: &Actor,
    id: i64,
    unit_id: i64,
    mut f: Figures,
    today: Date,
) -> DbResult<()> {
    let mut tx = db.begin().await?;
    let (o, c) = open_in(&mut tx, id, STAMP_ANY).await?;
    if !o.collect {
        return Err(DbError::Refused(Code::InvalidChoice));
    }
    if o.submitted_at.is_some() {
        return Err(DbError::Refused(Code::AlreadySubmitted));
    }
    let unit: Option<(String, String)> = with_tx!(&mut tx, x => sqlx::query_as(
        "SELECT path, name FROM unit WHERE id = $1 AND valid_to IS NULL").bind(unit_id).fetch_optional(&mut *x).await)?;
    let (path, name) = unit.ok_or(DbError::Refused(Code::UnitNotFound))?;
    if !path.starts_with(&o.path) || path == o.path {
        return Err(DbError::Refused(Code::Forbidden));
    }
    f.programme_document_id = None;
    let launched = fmt::parse_date(&c.launched_on).unwrap_or(today);
    invalid(f.check(launched, today))?;
    with_tx!(&mut tx, x => sqlx::query(
        "INSERT INTO obligation_part (obligation_id, unit_id, figures, user_id, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (obligation_id, unit_id) DO UPDATE SET figures = excluded.figures,
            user_id = excluded.user_id, updated_at = excluded.updated_at")
        .bind(id).bind(unit_id).bind(json!(f).to_string()).bind(actor.user_id).bind(now_ms())
        .execute(&mut *x).await.map(|r| r.rows_affected()))?;
    sum_in(&mut tx, id, &c.unit_path).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "part",
            entity: "obligation",
            entity_id: Some(id.to_string()),
            summary: format!(
                "Báo cáo của {name} gửi {} (đợt \"{}\")",
                o.unit_name, c.title
            ),
            before: None,
            after: Some(json!(f)),
        },
    )
    .await?;
    tx.commit().await
}
