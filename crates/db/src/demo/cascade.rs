//! Demo campaigns after the seed articles: the bloc committee's 2020
//! study of the congress period's resolutions (finished, locked, one unit
//! late), and the government bloc committee's campaign running now, with units at
//! every step.
use time::macros::date;
use trienkhai_core::fmt;

use crate::{
    Actor, DbResult, Tx,
    campaign::{
        self, NewCampaign,
        figures::Figures,
        obligation::{self, Action},
    },
};

async fn doc(tx: &mut Tx, symbol: &str) -> DbResult<i64> {
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as("SELECT id FROM document WHERE symbol = $1")
        .bind(symbol).fetch_one(&mut *c).await)?;
    Ok(id)
}

async fn obligations(tx: &mut Tx, campaign: i64) -> DbResult<Vec<(i64, i64, i64)>> {
    Ok(with_tx!(tx, c => sqlx::query_as(
        "SELECT id, roll, updated_at FROM obligation WHERE campaign_id = $1 AND active ORDER BY path")
        .bind(campaign).fetch_all(&mut *c).await)?)
}

/// A session held on `held` by nearly everyone on the roll.
fn held(roll: i64, held: &str, k: i64) -> Figures {
    let excused = (k % 3).min(roll);
    let makeup = excused.min(1);
    Figures {
        held_on: Some(held.into()),
        form: Some(if k % 4 == 0 { "mixed" } else { "in_person" }.into()),
        points: (k % 4 == 0).then_some(2),
        in_scope: roll,
        present: roll - excused,
        absent_excused: excused,
        makeup,
        non_members: k % 5,
        reflections: roll - excused + makeup,
        ..Default::default()
    }
}

pub async fn load_in(tx: &mut Tx, actor: &Actor, duk: i64, gov: i64) -> DbResult<()> {
    // 2020: the bloc committee, before the 2025 restructuring.
    let documents = vec![doc(tx, "35-NQ/TW").await?, doc(tx, "05-CT/TW").await?];
    let past = campaign::launch_in(
        tx,
        actor,
        NewCampaign {
            unit_id: duk,
            title: "Học tập, quán triệt Nghị quyết 35-NQ/TW và Chỉ thị 05-CT/TW của Bộ Chính trị"
                .into(),
            documents,
            plan_document_id: None,
            launched_on: "2020-11-10".into(),
            session_due: "31/12/2020".into(),
            programme_due: "quý I/2021".into(),
            report_due: "15/04/2021".into(),
            remind_days: 3,
            ..Default::default()
        },
    )
    .await?;
    let rows = obligations(tx, past).await?;
    let last = rows.len() as i64 - 1;
    for (k, (id, roll, stamp)) in rows.into_iter().enumerate() {
        let k = k as i64;
        let day = format!("2020-12-{:02}", 10 + k % 18);
        // The last unit reports after the deadline.
        let today = if k == last {
            date!(2021 - 04 - 28)
        } else {
            date!(2021 - 04 - 10)
        };
        obligation::report_in(
            tx,
            actor,
            id,
            held(roll.max(1), &day, k),
            Action::Submit,
            stamp,
            today,
        )
        .await?;
    }
    campaign::lock_in(tx, actor, past).await?;

    // Now: the government bloc committee's campaign, session deadline passed.
    let today = fmt::today_vn();
    let documents = vec![doc(tx, "42-CT/TW").await?, doc(tx, "44-CT/TW").await?];
    let now = campaign::launch_in(
        tx,
        actor,
        NewCampaign {
            unit_id: gov,
            title: "Học tập, quán triệt Chỉ thị 42-CT/TW và 44-CT/TW của Ban Bí thư".into(),
            documents,
            plan_document_id: None,
            launched_on: fmt::iso(today.saturating_sub(time::Duration::days(50))),
            session_due: "trong 30 ngày".into(),
            programme_due: "trong 60 ngày".into(),
            report_due: "trong 75 ngày".into(),
            remind_days: 5,
            ..Default::default()
        },
    )
    .await?;
    let held_on = fmt::iso(today.saturating_sub(time::Duration::days(30)));
    for (k, (id, roll, stamp)) in obligations(tx, now).await?.into_iter().enumerate() {
        let k = k as i64;
        let (f, action) = match k % 6 {
            0 | 1 => (held(roll.max(1), &held_on, k), Action::Submit),
            2 => (held(roll.max(1), &held_on, k), Action::Save),
            3 => (
                Figures {
                    scheduled_on: Some(fmt::iso(today)),
                    ..Default::default()
                },
                Action::Save,
            ),
            _ => continue,
        };
        obligation::report_in(tx, actor, id, f, action, stamp, today).await?;
    }
    Ok(())
}
