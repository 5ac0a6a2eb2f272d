//! Restructuring during a campaign: obligations follow the lineage. An
//! ended unit's obligation is carried to its successor (merged into the
//! successor's own if it has one), split parts get their own, and units
//! that moved take their roll-up share with them. Runs inside the
//! restructuring's transaction, so counters never see a half-done change.
use std::collections::BTreeMap;

use super::{
    figures::Figures,
    obligation::{Stage, version_in, write_in},
    tally::{self, COUNTED, Counted},
};
use crate::{DbResult, Tx, now_ms};

/// An obligation as the carrying needs it.
#[derive(sqlx::FromRow)]
struct Carried {
    #[sqlx(flatten)]
    counted: Counted,
    #[sqlx(flatten)]
    figures: Figures,
    root: String,
    submitted_at: Option<i64>,
    version: i64,
}

async fn active(tx: &mut Tx, unit: i64) -> DbResult<Vec<Carried>> {
    let sql = format!(
        "SELECT {COUNTED}, o.scheduled_on, o.held_on, o.held_to, o.form, o.points,
            o.programme_document_id, o.note, r.path AS root, o.submitted_at, o.version
         FROM obligation o JOIN campaign c ON c.id = o.campaign_id JOIN unit r ON r.id = c.unit_id
         WHERE o.unit_id = $1 AND o.active AND c.locked_at IS NULL"
    );
    Ok(
        with_tx!(tx, c => sqlx::query_as::<_, Carried>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(unit).fetch_all(&mut *c).await)?,
    )
}

async fn active_of(tx: &mut Tx, campaign: i64, unit: i64) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT id FROM obligation WHERE campaign_id = $1 AND unit_id = $2 AND active")
        .bind(campaign).bind(unit).fetch_optional(&mut *c).await)?;
    Ok(row.map(|r| r.0))
}

async fn unit_path(tx: &mut Tx, unit: i64) -> DbResult<String> {
    let (p,): (String,) = with_tx!(tx, c => sqlx::query_as("SELECT path FROM unit WHERE id = $1")
        .bind(unit).fetch_one(&mut *c).await)?;
    Ok(p)
}

/// Members on a unit's subtree roll on `day`.
async fn roll_of(tx: &mut Tx, path: &str, day: &str) -> DbResult<i64> {
    let (n,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "SELECT COUNT(*) FROM membership m JOIN unit u ON u.id = m.unit_id
         WHERE u.path >= $1 AND u.path < $2 AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to >= $3)")
        .bind(path).bind(crate::unit::path_upper(path)).bind(day).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// A new, empty obligation for a unit; its share goes into the roll-ups.
async fn open_for(tx: &mut Tx, campaign: i64, root: &str, unit: i64, roll: i64) -> DbResult<i64> {
    let path = unit_path(tx, unit).await?;
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO obligation (campaign_id, unit_id, path, roll, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(campaign).bind(unit).bind(&path).bind(roll).bind(now_ms()).fetch_one(&mut *c).await)?;
    let share = Counted {
        roll,
        path: path.clone(),
        ..Default::default()
    }
    .share();
    tally::add(tx, campaign, root, &path, share, 1).await?;
    Ok(id)
}

async fn retire(tx: &mut Tx, o: &Carried, to: Option<i64>) -> DbResult<()> {
    tally::add(
        tx,
        o.counted.campaign_id,
        &o.root,
        &o.counted.path,
        o.counted.share(),
        -1,
    )
    .await?;
    with_tx!(tx, c => sqlx::query("UPDATE obligation SET active = FALSE, carried_to = $2, updated_at = $3 WHERE id = $1")
        .bind(o.counted.id).bind(to).bind(now_ms()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Carries `o` into `target`'s obligation in the same campaign: the two
/// reports become one (figures summed, the earlier step kept), so nobody
/// is counted twice and nothing reported is lost.
/// `roll` is the part of `o`'s roll that goes with it.
async fn carry(tx: &mut Tx, o: &Carried, target: i64, roll: i64, why: &str) -> DbResult<i64> {
    let campaign = o.counted.campaign_id;
    let (into, fresh) = match active_of(tx, campaign, target).await? {
        Some(id) => (id, false),
        None => (open_for(tx, campaign, &o.root, target, 0).await?, true),
    };
    let sql = format!(
        "SELECT {COUNTED}, o.scheduled_on, o.held_on, o.held_to, o.form, o.points,
            o.programme_document_id, o.note, r.path AS root, o.submitted_at, o.version
         FROM obligation o JOIN campaign c ON c.id = o.campaign_id JOIN unit r ON r.id = c.unit_id WHERE o.id = $1"
    );
    let t: Carried = with_tx!(tx, c => sqlx::query_as::<_, Carried>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(into).fetch_one(&mut *c).await)?;
    retire(tx, o, Some(into)).await?;
    // A new successor takes over the carried report as it is.
    let f = if fresh {
        o.figures.clone()
    } else {
        t.figures.combine(&o.figures)
    };
    let state = if fresh {
        o.counted.state
    } else {
        t.counted.state.min(o.counted.state)
    };
    let submitted = if state >= super::figures::REPORTED {
        t.submitted_at.max(o.submitted_at)
    } else {
        None
    };
    let version = if t.version > 0 || o.version > 0 {
        t.version.max(o.version) + 1
    } else {
        0
    };
    let late = t.counted.late || o.counted.late;
    // write_in moves the share from the row as it reads it, so the roll
    // added here goes into the roll-ups on its own.
    let more = roll;
    with_tx!(tx, c => sqlx::query("UPDATE obligation SET roll = roll + $2 WHERE id = $1")
        .bind(into).bind(more).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    tally::add(
        tx,
        campaign,
        &o.root,
        &t.counted.path,
        tally::roll_share(more),
        1,
    )
    .await?;
    write_in(
        tx,
        &o.root,
        into,
        &f,
        Stage {
            state,
            submitted,
            late,
            version,
        },
    )
    .await?;
    if version > 0 {
        version_in(tx, into, version, &f, why, None).await?;
    }
    Ok(into)
}

/// Follows one restructuring (`event`, effective `day`) through every open
/// campaign. Called by `restructure::apply_in` after the tree has changed.
pub async fn after_change(tx: &mut Tx, event: i64, day: &str, why: &str) -> DbResult<()> {
    let edges: Vec<(i64, Option<i64>)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT from_unit_id, to_unit_id FROM unit_lineage WHERE event_id = $1 AND role = 'successor'
         ORDER BY from_unit_id, to_unit_id").bind(event).fetch_all(&mut *c).await)?;
    let mut by_source: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (from, to) in edges {
        let e = by_source.entry(from).or_default();
        e.extend(to);
    }
    for (from, tos) in by_source {
        // The part that received the members carries the report on.
        let heir: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as(
            "SELECT m.unit_id FROM membership m WHERE m.event_id = $1 AND m.unit_id IN
               (SELECT to_unit_id FROM unit_lineage WHERE event_id = $1 AND from_unit_id = $2)
             ORDER BY m.unit_id LIMIT 1").bind(event).bind(from).fetch_optional(&mut *c).await)?;
        let heir = heir.map(|h| h.0).or(tos.first().copied());
        for o in active(tx, from).await? {
            let Some(heir) = heir else {
                retire(tx, &o, None).await?;
                continue;
            };
            // Other parts of a split owe their own report, for their own members.
            let mut others = 0;
            for &part in tos.iter().filter(|&&t| t != heir) {
                if active_of(tx, o.counted.campaign_id, part).await?.is_none() {
                    let path = unit_path(tx, part).await?;
                    let roll = roll_of(tx, &path, day).await?.min(o.counted.roll - others);
                    others += roll;
                    open_for(tx, o.counted.campaign_id, &o.root, part, roll).await?;
                }
            }
            carry(tx, &o, heir, o.counted.roll - others, why).await?;
        }
    }
    // Units that moved (transfer, or a parent merged away) take their share along.
    let sql = format!(
        "SELECT {COUNTED}, u.path AS now_path, r.path AS root FROM obligation o
         JOIN unit u ON u.id = o.unit_id JOIN campaign c ON c.id = o.campaign_id JOIN unit r ON r.id = c.unit_id
         WHERE o.active AND c.locked_at IS NULL AND o.path <> u.path"
    );
    #[derive(sqlx::FromRow)]
    struct Moved {
        #[sqlx(flatten)]
        counted: Counted,
        now_path: String,
        root: String,
    }
    let moved: Vec<Moved> = with_tx!(tx, c => sqlx::query_as::<_, Moved>(sqlx::AssertSqlSafe(sql.as_str()))
        .fetch_all(&mut *c).await)?;
    for m in moved {
        let share = m.counted.share();
        tally::add(
            tx,
            m.counted.campaign_id,
            &m.root,
            &m.counted.path,
            share,
            -1,
        )
        .await?;
        tally::add(tx, m.counted.campaign_id, &m.root, &m.now_path, share, 1).await?;
        with_tx!(tx, c => sqlx::query("UPDATE obligation SET path = $2 WHERE id = $1")
            .bind(m.counted.id).bind(&m.now_path).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}
