//! A generated campaign over a generated org tree (`scale::org`), for
//! benchmarks and load tests: the documents it covers, the launch over the
//! whole tree, then progress and reports with a realistic mix (about 55%
//! reported, 15% action programme issued, 10% session held, 8% scheduled,
//! 12% not started; provinces differ in pace) and figures that pass the
//! report form's checks (in scope = the roll, 97–100% present, absences
//! split excused / unexcused, make-up sessions, reflections at most those
//! who attended).
//!
//! The launch goes through `campaign::launch`. The progress is then
//! written in bulk, in one transaction: many-row `UPDATE … FROM (VALUES …)`
//! (SQLite ≥ 3.33 and PostgreSQL alike; VALUES columns are `column1`… on
//! both), a `report_version` row for each submitted report, and the
//! campaign's roll-ups rebuilt from the obligations as written, so the kept
//! rows equal a recount (`tally::kept` == `tally::recount`).
//!
//! Deterministic: the same seed on the same tree gives the same figures.
use std::collections::HashMap;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use time::{Date, Duration, PrimitiveDateTime, Time, UtcOffset, macros::date};
use trienkhai_core::fmt;

use super::{
    NewCampaign,
    figures::{Figures, HELD, NOT_STARTED, PROGRAMME, REPORTED, SCHEDULED},
    tally::{self, COUNTED, Counted},
};
use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    document::{self, Common, Incoming},
};

/// Phases reported to `phase`, in order.
pub const PHASE_DOCUMENTS: &str = "Vào sổ văn bản của đợt";
pub const PHASE_LAUNCH: &str = "Triển khai đợt";
pub const PHASE_REPORTS: &str = "Ghi tiến độ và báo cáo";
pub const PHASE_TALLY: &str = "Tổng hợp số liệu";

pub const TITLE: &str = "Học tập, quán triệt, triển khai thực hiện Nghị quyết số 57-NQ/TW \
    và Nghị quyết số 66-NQ/TW của Bộ Chính trị";
const LAUNCHED: Date = date!(2026 - 01 - 10);
const REPORT_DUE: Date = date!(2026 - 06 - 30);

/// Rows a statement. Few: SQLite looks a `$N` parameter up by a linear
/// scan of the statement's parameters, when preparing and when sqlx binds,
/// so a statement costs the square of its parameters (1.000 rows of 20
/// took 2 s at province size, 100 rows a statement 0,1 s).
const BATCH: usize = 100;
const UPDATE_COLUMNS: usize = 20;
const _: () = assert!(BATCH * UPDATE_COLUMNS <= 32_766);

/// Shares of the states (not started is the rest), before the paces of
/// the top unit (±10%) and of the committee under it (±15%) move the
/// reported share.
const REPORTED_SHARE: f64 = 0.55;
const PROGRAMME_SHARE: f64 = 0.15;
const HELD_SHARE: f64 = 0.10;
const SCHEDULED_SHARE: f64 = 0.08;
/// Submitted reports that came after the report deadline.
const LATE_SHARE: f64 = 0.06;

const NOTES: [&str; 6] = [
    "Tổ chức học tập nghiêm túc, đúng kế hoạch.",
    "Đảng viên vắng có lý do đã học bù đầy đủ.",
    "Kết hợp học tập với sinh hoạt chi bộ thường kỳ.",
    "Một số đảng viên cao tuổi, sức khỏe yếu học tập qua tài liệu tại nhà.",
    "Chương trình hành động bám sát nhiệm vụ chính trị của đơn vị.",
    "Đảng viên viết bài thu hoạch, liên hệ với nhiệm vụ được giao.",
];

/// Launches one campaign over the newest generated tree (the root unit of
/// `scale::org`, code "TQ", "TQ2"…) and fills in its progress. Returns the
/// campaigns made. `phase` gets (phase, done, total); a total of 1 is a
/// step without a count.
pub async fn campaigns(
    db: &Db,
    actor: &Actor,
    seed: u64,
    mut phase: impl FnMut(&str, u64, u64),
) -> DbResult<Vec<i64>> {
    let (root_id, root_path) = generated_root(db).await?;
    phase(PHASE_DOCUMENTS, 0, 1);
    let nq57 = document_for(
        db,
        actor,
        "57-NQ/TW",
        "22/12/2024",
        "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    )
    .await?;
    let nq66 = document_for(
        db,
        actor,
        "66-NQ/TW",
        "30/04/2025",
        "Về đổi mới công tác xây dựng và thi hành pháp luật đáp ứng yêu cầu phát triển đất nước trong kỷ nguyên mới",
    )
    .await?;
    // The units' own action programmes would be as many documents again;
    // one shared, plainly named, stands for them.
    let programme = document_for(
        db,
        actor,
        "01-CTr/TW",
        "15/01/2026",
        "Chương trình hành động mẫu (dữ liệu sinh) thực hiện Nghị quyết số 57-NQ/TW và Nghị quyết số 66-NQ/TW",
    )
    .await?;
    phase(PHASE_DOCUMENTS, 1, 1);
    phase(PHASE_LAUNCH, 0, 1);
    let id = super::launch(
        db,
        actor,
        NewCampaign {
            unit_id: root_id,
            title: TITLE.into(),
            documents: vec![nq57, nq66],
            plan_document_id: None,
            launched_on: "10/01/2026".into(),
            session_due: "31/01/2026".into(),
            programme_due: "quý I/2026".into(),
            report_due: "30/06/2026".into(),
            remind_days: 3,
            ..Default::default()
        },
    )
    .await?;
    phase(PHASE_LAUNCH, 1, 1);
    let mut tx = db.begin().await?;
    match fill(&mut tx, actor, id, &root_path, programme, seed, &mut phase).await {
        Ok(()) => tx.commit().await?,
        Err(e) => {
            let _ = tx.rollback().await;
            return Err(e);
        }
    }
    crate::pool::settle(db, "obligation, campaign_tally").await?;
    phase(PHASE_TALLY, 1, 1);
    Ok(vec![id])
}

/// (id, path) of the newest root `scale::org` made.
async fn generated_root(db: &Db) -> DbResult<(i64, String)> {
    let root: Option<(i64, String)> = with_db!(db, p => sqlx::query_as(
        "SELECT id, path FROM unit WHERE parent_id IS NULL AND (code = 'TQ' OR code LIKE 'TQ%')
         ORDER BY id DESC LIMIT 1")
        .fetch_optional(p).await)?;
    root.ok_or_else(|| {
        DbError::Other(anyhow::anyhow!(
            "chưa có cây tổ chức sinh sẵn (mã TQ): chạy gen-data --scale trước"
        ))
    })
}

/// The document with this symbol and date, registered when missing.
async fn document_for(
    db: &Db,
    actor: &Actor,
    symbol: &str,
    issued_on: &str,
    subject: &str,
) -> DbResult<i64> {
    let iso = fmt::parse_date(issued_on).map(fmt::iso).unwrap_or_default();
    let found: Option<(i64,)> = with_db!(db, p => sqlx::query_as(
        "SELECT id FROM document WHERE symbol = $1 AND issued_on = $2 ORDER BY id LIMIT 1")
        .bind(symbol).bind(&iso).fetch_optional(p).await)?;
    if let Some((id,)) = found {
        return Ok(id);
    }
    let d = Incoming {
        symbol: symbol.into(),
        common: Common {
            issued_on: issued_on.into(),
            subject: subject.into(),
            ..Default::default()
        },
    };
    match document::register(db, actor, d).await {
        Ok(id) => Ok(id),
        // The same number in the same term under another date: use that one.
        Err(e) => {
            let other: Option<(i64,)> = with_db!(db, p => sqlx::query_as(
                "SELECT id FROM document WHERE symbol = $1 ORDER BY id DESC LIMIT 1")
                .bind(symbol).fetch_optional(p).await)?;
            other.map(|o| o.0).ok_or(e)
        }
    }
}

/// An obligation as launched.
#[derive(sqlx::FromRow)]
struct Launched {
    id: i64,
    path: String,
    roll: i64,
}

/// What the generator decided for one obligation.
struct Row {
    id: i64,
    state: i64,
    f: Figures,
    submitted_at: Option<i64>,
    late: bool,
    version: i64,
    updated_at: i64,
}

/// Milliseconds of a day's office time in Viet Nam.
fn at(rng: &mut StdRng, day: Date) -> i64 {
    let t =
        Time::from_hms(rng.random_range(7..=16), rng.random_range(0..60), 0).expect("a valid time");
    PrimitiveDateTime::new(day, t)
        .assume_offset(UtcOffset::from_hms(7, 0, 0).expect("UTC+7"))
        .unix_timestamp()
        * 1000
        + rng.random_range(0..60_000)
}

fn days(d: Date, n: i64) -> Date {
    d.saturating_add(Duration::days(n))
}

fn round(x: f64) -> i64 {
    x.round() as i64
}

/// One obligation's progress, drawn.
fn draw(rng: &mut StdRng, o: &Launched, pace: f64, programme: i64) -> Row {
    let u: f64 = rng.random();
    let reported = REPORTED_SHARE * pace;
    let state = if u < reported {
        REPORTED
    } else if u < reported + PROGRAMME_SHARE {
        PROGRAMME
    } else if u < reported + PROGRAMME_SHARE + HELD_SHARE {
        HELD
    } else if u < reported + PROGRAMME_SHARE + HELD_SHARE + SCHEDULED_SHARE {
        SCHEDULED
    } else {
        NOT_STARTED
    };
    let mut row = Row {
        id: o.id,
        state,
        f: Figures::default(),
        submitted_at: None,
        late: false,
        version: 0,
        updated_at: 0,
    };
    if state == NOT_STARTED {
        return row;
    }
    let f = &mut row.f;
    let scheduled = days(LAUNCHED, rng.random_range(2..=20));
    f.scheduled_on = Some(fmt::iso(scheduled));
    if state == SCHEDULED {
        let saved = days(
            LAUNCHED,
            rng.random_range(1..=(scheduled - LAUNCHED).whole_days()),
        );
        row.updated_at = at(rng, saved);
        return row;
    }
    // Most sessions on the day planned, some put off by up to three weeks.
    let held = if rng.random_bool(0.85) {
        scheduled
    } else {
        days(scheduled, rng.random_range(1..=21))
    };
    f.held_on = Some(fmt::iso(held));
    if rng.random_bool(0.15) {
        f.held_to = Some(fmt::iso(days(held, 1)));
    }
    let form = rng.random_range(0..100);
    f.form = Some(
        match form {
            0..80 => "in_person",
            80..92 => "mixed",
            _ => "online",
        }
        .into(),
    );
    if form >= 80 {
        f.points = Some(rng.random_range(2..=15));
    }
    let done = state == REPORTED;
    let in_scope = o.roll;
    let absent = round(in_scope as f64 * rng.random_range(0.0..0.03)).min(in_scope);
    let excused = round(absent as f64 * rng.random_range(0.6..0.95)).min(absent);
    let unexcused = absent - excused;
    // Make-up sessions: most of the absent by the report, fewer before.
    let makeup = if done {
        round(absent as f64 * rng.random_range(0.5..=1.0))
    } else {
        round(excused as f64 * rng.random_range(0.0..0.6))
    }
    .min(absent);
    f.in_scope = in_scope;
    f.present = in_scope - absent;
    f.absent_excused = excused;
    f.absent_unexcused = unexcused;
    f.makeup = makeup;
    if rng.random_bool(0.3) {
        f.non_members = rng.random_range(1..=(in_scope / 10).max(1));
    }
    let attended = f.present + makeup;
    f.reflections = if done {
        round(attended as f64 * rng.random_range(0.85..=1.0))
    } else {
        round(attended as f64 * rng.random_range(0.3..0.9))
    }
    .min(attended);
    let session_end = days(held, i64::from(f.held_to.is_some()));
    if state == HELD {
        row.updated_at = at(rng, session_end);
        return row;
    }
    let issued = days(session_end, rng.random_range(5..=45));
    if state == PROGRAMME || rng.random_bool(0.92) {
        f.programme_document_id = Some(programme);
    }
    if state == PROGRAMME {
        row.updated_at = at(rng, issued);
        return row;
    }
    if rng.random_bool(0.35) {
        f.note = NOTES[rng.random_range(0..NOTES.len())].into();
    }
    let ready = days(session_end, rng.random_range(7..=40));
    let day = if rng.random_bool(LATE_SHARE) {
        days(REPORT_DUE, rng.random_range(1..=50))
    } else {
        days(ready, rng.random_range(0..=60)).min(REPORT_DUE.max(ready))
    };
    let submitted = at(rng, day);
    row.submitted_at = Some(submitted);
    row.late = day > REPORT_DUE;
    row.version = 1;
    row.updated_at = submitted;
    row
}

/// The top unit and the committee under it that a path belongs to (the
/// two levels right under the root; 0 where the path has none).
fn levels_of(path: &str, root: &str) -> (i64, i64) {
    let a = tally::ancestors(path, root);
    let at = |i: usize| a.get(i).map(|u| u.0).unwrap_or(0);
    (at(1), at(2))
}

async fn fill(
    tx: &mut Tx,
    actor: &Actor,
    campaign: i64,
    root: &str,
    programme: i64,
    seed: u64,
    phase: &mut impl FnMut(&str, u64, u64),
) -> DbResult<()> {
    let launched: Vec<Launched> = with_tx!(tx, c => sqlx::query_as(
        "SELECT id, path, roll FROM obligation WHERE campaign_id = $1 AND active ORDER BY id")
        .bind(campaign).fetch_all(&mut *c).await)?;
    let total = launched.len() as u64;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x6361_6d70_6169_676e);
    // Each top unit keeps its own pace, and each committee under it its
    // own, drawn when first met (in id order): provinces differ on the
    // board, and a tree of one province still comes near the mix.
    let mut paces: HashMap<i64, f64> = HashMap::new();
    let rows: Vec<Row> = launched
        .iter()
        .map(|o| {
            let (top, committee) = levels_of(&o.path, root);
            let a = *paces
                .entry(top)
                .or_insert_with(|| rng.random_range(0.9..=1.1));
            let b = *paces
                .entry(committee)
                .or_insert_with(|| rng.random_range(0.85..=1.15));
            draw(&mut rng, o, a * b, programme)
        })
        .collect();
    phase(PHASE_REPORTS, 0, total);
    let mut done = 0u64;
    let changed: Vec<&Row> = rows.iter().filter(|r| r.state != NOT_STARTED).collect();
    for chunk in changed.chunks(BATCH) {
        update(tx, chunk).await?;
        versions(tx, actor, chunk).await?;
        done += chunk.len() as u64;
        phase(PHASE_REPORTS, done, total);
    }
    phase(PHASE_REPORTS, total, total);

    // The roll-ups again, from the obligations as now written.
    phase(PHASE_TALLY, 0, 1);
    let sql = format!("SELECT {COUNTED} FROM obligation o WHERE o.campaign_id = $1 AND o.active");
    let counted: Vec<Counted> = with_tx!(tx, c => sqlx::query_as::<_, Counted>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(campaign).fetch_all(&mut *c).await)?;
    let mut sums = tally::Sums::new();
    for o in &counted {
        tally::sum_into(&mut sums, root, &o.path, &o.share());
    }
    // The recount holds what this transaction's reports added: not written.
    tally::forget(tx, campaign);
    with_tx!(tx, c => sqlx::query("DELETE FROM campaign_tally WHERE campaign_id = $1")
        .bind(campaign).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    tally::insert_all(tx, campaign, &sums).await?;

    let count = |s: i64| rows.iter().filter(|r| r.state == s).count() as i64;
    let late = rows.iter().filter(|r| r.late).count() as i64;
    audit::record(
        tx,
        actor,
        Change {
            action: "generate",
            entity: "campaign",
            entity_id: Some(campaign.to_string()),
            summary: format!(
                "Sinh tiến độ và báo cáo thử (seed {seed}): {} đã báo cáo, {} đã có chương trình hành động, {} đã học tập, {} đã lên lịch, {} chưa triển khai",
                fmt::int(count(REPORTED)),
                fmt::int(count(PROGRAMME)),
                fmt::int(count(HELD)),
                fmt::int(count(SCHEDULED)),
                fmt::int(count(NOT_STARTED)),
            ),
            before: None,
            after: Some(json!({
                "seed": seed, "obligations": rows.len(), "reported": count(REPORTED),
                "programme": count(PROGRAMME), "held": count(HELD), "scheduled": count(SCHEDULED),
                "not_started": count(NOT_STARTED), "late": late,
            })),
        },
    )
    .await?;
    Ok(())
}

/// One many-row UPDATE … FROM (VALUES …) for a batch.
async fn update(tx: &mut Tx, chunk: &[&Row]) -> DbResult<()> {
    let values: Vec<String> = (0..chunk.len())
        .map(|k| {
            let base = 1 + k * UPDATE_COLUMNS;
            let ps: Vec<String> = (base..base + UPDATE_COLUMNS)
                .map(|i| format!("${i}"))
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    let sql = format!(
        "UPDATE obligation SET state = v.column2, scheduled_on = v.column3, held_on = v.column4,
            held_to = v.column5, form = v.column6, points = v.column7, in_scope = v.column8,
            present = v.column9, absent_excused = v.column10, absent_unexcused = v.column11,
            makeup = v.column12, non_members = v.column13, reflections = v.column14,
            programme_document_id = v.column15, note = v.column16, submitted_at = v.column17,
            late = v.column18, version = v.column19, updated_at = v.column20
         FROM (VALUES {}) AS v WHERE obligation.id = v.column1",
        values.join(", ")
    );
    with_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for r in chunk {
            let f = &r.f;
            q = q
                .bind(r.id)
                .bind(r.state)
                .bind(f.scheduled_on.clone())
                .bind(f.held_on.clone())
                .bind(f.held_to.clone())
                .bind(f.form.clone())
                .bind(f.points)
                .bind(f.in_scope)
                .bind(f.present)
                .bind(f.absent_excused)
                .bind(f.absent_unexcused)
                .bind(f.makeup)
                .bind(f.non_members)
                .bind(f.reflections)
                .bind(f.programme_document_id)
                .bind(f.note.clone())
                .bind(r.submitted_at)
                .bind(r.late)
                .bind(r.version)
                .bind(r.updated_at);
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The first version of each submitted report in the batch, as
/// `obligation::report` keeps it.
async fn versions(tx: &mut Tx, actor: &Actor, chunk: &[&Row]) -> DbResult<()> {
    let submitted: Vec<&&Row> = chunk.iter().filter(|r| r.state == REPORTED).collect();
    if submitted.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..submitted.len())
        .map(|k| {
            let b = 2 + k * 4;
            format!("(${}, ${}, ${}, '', $1, ${})", b, b + 1, b + 2, b + 3)
        })
        .collect();
    let sql = format!(
        "INSERT INTO report_version (obligation_id, version, figures, reason, user_id, submitted_at)
         VALUES {}",
        values.join(", ")
    );
    with_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(actor.user_id);
        for r in &submitted {
            q = q
                .bind(r.id)
                .bind(r.version)
                .bind(json!(r.f).to_string())
                .bind(r.submitted_at);
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every drawn report passes the form's own checks, and the mix is
    /// about the one asked for.
    #[test]
    fn drawn_figures_pass_the_form_checks() {
        let mut rng = StdRng::seed_from_u64(7);
        let today = date!(2026 - 11 - 21);
        let mut states = [0usize; 5];
        for i in 0..5000 {
            let o = Launched {
                id: i,
                path: format!("/1/2/{i}/"),
                roll: [3, 12, 40, 250, 8000][i as usize % 5],
            };
            let mut r = draw(&mut rng, &o, 1.0, 9);
            states[r.state as usize] += 1;
            let errs = if r.state == REPORTED {
                r.f.check_submit(LAUNCHED, today)
            } else {
                assert_eq!(r.f.state(), r.state, "state follows the figures");
                r.f.check(LAUNCHED, today)
            };
            assert!(errs.is_empty(), "{:?}: {errs:?}", r.f);
            if r.state >= HELD {
                assert!(r.f.present * 100 >= r.f.in_scope * 97);
            }
            if r.late {
                assert!(r.state == REPORTED && r.submitted_at.is_some());
            }
        }
        let share = |s: i64| states[s as usize] as f64 / 5000.0;
        assert!((share(REPORTED) - 0.55).abs() < 0.03, "{states:?}");
        assert!((share(NOT_STARTED) - 0.12).abs() < 0.03, "{states:?}");
    }
}
