//! The cascade's storage stories, each on both engines: launch, reports,
//! corrections, locking, restructuring during a campaign, and the kept
//! roll-ups against a full recount after every step.
use rand::{Rng, SeedableRng, rngs::StdRng};
use trienkhai_core::{Code, fmt};
use trienkhai_db::{
    Db, DbError, Engine,
    campaign::{
        self, NewCampaign,
        figures::Figures,
        obligation::{self, Action},
        reminder, tally,
    },
    document::{self, Filter},
    restructure::{self, Change, Order, Target},
    unit::{self, NewUnit},
    user,
};

use crate::{
    both_engines,
    support::{TestDb, setup_actor},
};

pub async fn any_document(db: &Db) -> i64 {
    let f = Filter {
        see_secret: true,
        ..Default::default()
    };
    document::list(db, &f, 1).await.unwrap()[0].id
}

/// A campaign of the demo's party committee (DCQD) launched on 10/01/2026.
pub async fn launch_demo(db: &Db) -> (i64, i64) {
    let dcqd = unit::by_code(db, "DCQD").await.unwrap().unwrap();
    let doc = any_document(db).await;
    let id = campaign::launch(
        db,
        &setup_actor(),
        NewCampaign {
            unit_id: dcqd.id,
            title: "Học tập, quán triệt Nghị quyết Đại hội".into(),
            documents: vec![doc],
            plan_document_id: None,
            launched_on: "10/01/2026".into(),
            session_due: "trong 30 ngày".into(),
            programme_due: "quý I/2026".into(),
            report_due: "30/06/2026".into(),
            remind_days: 3,
            ..Default::default()
        },
    )
    .await
    .expect("launch");
    (id, dcqd.id)
}

async fn assert_counts(db: &Db, campaign: i64, step: &str) {
    let kept = tally::kept(db, campaign).await.unwrap();
    let recount = tally::recount(db, campaign).await.unwrap();
    assert_eq!(kept, recount, "roll-ups differ from a recount after {step}");
}

fn figures(rng: &mut StdRng, roll: i64) -> Figures {
    let in_scope = roll.max(1);
    let present = rng.random_range(0..=in_scope);
    let excused = rng.random_range(0..=in_scope - present);
    let unexcused = in_scope - present - excused;
    let makeup = rng.random_range(0..=excused + unexcused);
    Figures {
        held_on: Some(format!("2026-01-{:02}", rng.random_range(11..=28))),
        form: Some("in_person".into()),
        in_scope,
        present,
        absent_excused: excused,
        absent_unexcused: unexcused,
        makeup,
        non_members: rng.random_range(0..5),
        reflections: rng.random_range(0..=present + makeup),
        ..Default::default()
    }
}

async fn cascade_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let actor = setup_actor();
    let (cid, dcqd) = launch_demo(db).await;
    assert_counts(db, cid, "launch").await;
    let c = campaign::get(db, cid).await.unwrap().unwrap();
    assert_eq!(
        (
            c.session_due.as_str(),
            c.programme_due.as_str(),
            c.report_due.as_str()
        ),
        ("2026-02-09", "2026-03-31", "2026-06-30")
    );
    let (top, children) = tally::board(db, &c, dcqd).await.unwrap();
    let top = top.expect("the committee's row");
    assert!(top.units >= 3, "grassroots units of the party committee");
    assert_eq!(children.iter().map(|l| l.units).sum::<i64>(), top.units);
    // The benchmark's baseline computes the same numbers from raw rows
    // (the roll column aside: it counts the whole subtree's members).
    let raw = tally::board_from_rows(db, cid, dcqd).await.unwrap();
    let mut from_rows = raw
        .iter()
        .find(|r| r.0 == dcqd)
        .expect("the committee's row")
        .1;
    let mut kept = top.share();
    from_rows[6] = 0;
    kept[6] = 0;
    assert_eq!(from_rows, kept);
    assert_eq!(raw.len(), children.len() + 1);
    let today = fmt::today_vn();
    let mut rng = StdRng::seed_from_u64(5);
    let mut day = time::macros::date!(2026 - 02 - 01);
    for step in 0..40 {
        let open = obligation::under(db, &c, &c.unit_path, None, "2026-01-11", None, 1000)
            .await
            .unwrap();
        let o = &open[rng.random_range(0..open.len())];
        let what = rng.random_range(0..10);
        let label = match what {
            0..=3 => {
                let f = figures(&mut rng, o.roll);
                let action = if rng.random_bool(0.5) {
                    Action::Submit
                } else {
                    Action::Save
                };
                match obligation::report(db, &actor, o.id, f, action, o.updated_at, today).await {
                    Ok(_) => {}
                    Err(DbError::Refused(Code::AlreadySubmitted)) => {
                        assert!(o.submitted_at.is_some())
                    }
                    Err(e) => panic!("report: {e:?}"),
                }
                "report"
            }
            4..=5 if o.submitted_at.is_some() => {
                let f = figures(&mut rng, o.roll + 1);
                obligation::correct(db, &actor, o.id, f, "Số liệu rà soát lại", o.version, today)
                    .await
                    .expect("correct");
                "correction"
            }
            6..=7 if open.len() > 3 => {
                let other = open.iter().find(|x| x.unit_id != o.unit_id).unwrap();
                day = day.next_day().unwrap();
                let merge = Change::Merge {
                    sources: vec![other.unit_id],
                    target: Target::Existing(o.unit_id),
                };
                apply(db, merge, day).await;
                "merge"
            }
            _ => {
                let kids = restructure::current_children(db, o.unit_id).await.unwrap();
                day = day.next_day().unwrap();
                let part = |i: usize| NewUnit {
                    code: format!("P{step}X{i}"),
                    name: format!("Chi bộ tách {step}-{i}"),
                    type_code: "chi_bo_co_so".into(),
                    ..Default::default()
                };
                let split = Change::Split {
                    source: o.unit_id,
                    parts: vec![part(0), part(1)],
                    children: kids.iter().enumerate().map(|(i, k)| (k.0, i % 2)).collect(),
                    members_to: rng.random_range(0..2),
                };
                apply(db, split, day).await;
                "split"
            }
        };
        assert_counts(db, cid, &format!("step {step} ({label})")).await;
    }
    // Nobody is counted twice: the committee's roll is what it was.
    let (after, _) = tally::board(db, &c, dcqd).await.unwrap();
    assert_eq!(after.unwrap().roll, top.roll);
    t.cleanup().await;
}
both_engines!(cascade_counters_equal_recount, cascade_story);

/// The committee's line is summed when read from its own row and its
/// sub-units' rows (reports never update one shared row): it counts an
/// obligation of the committee itself too, and the list shows the same.
async fn committee_line_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let dcqd = unit::by_code(db, "DCQD").await.unwrap().unwrap().id;
    let cid = campaign::launch(
        db,
        &setup_actor(),
        NewCampaign {
            unit_id: dcqd,
            title: "Quán triệt Chỉ thị, cả Đảng ủy cùng học".into(),
            documents: vec![any_document(db).await],
            launched_on: "10/01/2026".into(),
            session_due: "trong 30 ngày".into(),
            programme_due: "quý I/2026".into(),
            report_due: "30/06/2026".into(),
            add: vec![dcqd],
            ..Default::default()
        },
    )
    .await
    .expect("launch");
    let c = campaign::get(db, cid).await.unwrap().unwrap();
    let own = obligation::under(db, &c, &c.unit_path, None, "2026-01-11", None, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.unit_id == dcqd)
        .expect("the committee's own obligation");
    let f = figures(&mut StdRng::seed_from_u64(3), own.roll);
    let today = fmt::today_vn();
    obligation::report(
        db,
        &setup_actor(),
        own.id,
        f,
        Action::Submit,
        own.updated_at,
        today,
    )
    .await
    .expect("report");
    assert_counts(db, cid, "the committee's own report").await;
    let (top, children) = tally::board(db, &c, dcqd).await.unwrap();
    let top = top.expect("the committee's line");
    assert_eq!(top.units, children.iter().map(|l| l.units).sum::<i64>() + 1);
    assert_eq!(
        top.reported,
        children.iter().map(|l| l.reported).sum::<i64>() + 1
    );
    assert_eq!((top.unit_id, top.parent_id), (dcqd, None));
    assert_eq!(top.name, c.unit_name);
    let listed = campaign::list(db, None, 10).await.unwrap();
    let l = listed.iter().find(|l| l.campaign.id == cid).unwrap();
    assert_eq!(
        (l.units, l.held, l.reported),
        (top.units, top.held, top.reported)
    );

    // Migration 0013 turns a committee row kept the old way (its own part
    // plus its sub-units') into its own part: rebuild the old row, migrate.
    let migration = match engine {
        Engine::Sqlite => include_str!("../../crates/db/migrations/sqlite/0013_committee_line.sql"),
        Engine::Postgres => {
            include_str!("../../crates/db/migrations/postgres/0013_committee_line.sql")
        }
    };
    let old_way = migration.replace(" - (SELECT COALESCE", " + (SELECT COALESCE");
    assert_ne!(old_way, migration);
    exec(db, &old_way).await;
    let kept = tally::kept(db, cid).await.unwrap();
    assert_eq!(kept[&dcqd].1[0], top.units, "the old committee row");
    exec(db, migration).await;
    assert_counts(db, cid, "migration 0013").await;
    t.cleanup().await;
}

/// Runs SQL text (statements separated by `;`) on either engine.
async fn exec(db: &Db, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db {
        Db::Sqlite(p, ..) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p, _) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
    }
    .expect("sql");
}
both_engines!(committee_line_counts_its_own, committee_line_story);

async fn apply(db: &Db, change: Change, day: time::Date) {
    let order = Order {
        change,
        effective_on: fmt::iso(day),
        decision: "99-QĐ/ĐU".into(),
    };
    restructure::apply(db, &setup_actor(), order, None)
        .await
        .expect("restructure");
}

async fn refusals_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let actor = setup_actor();
    let (cid, _) = launch_demo(db).await;
    let c = campaign::get(db, cid).await.unwrap().unwrap();
    let list = obligation::under(db, &c, &c.unit_path, None, "2026-01-11", None, 10)
        .await
        .unwrap();
    let o = &list[0];
    let today = fmt::today_vn();
    let before = tally::kept(db, cid).await.unwrap();
    // Impossible figures: refused at the field, nothing written.
    let mut f = Figures {
        held_on: Some("15/01/2026".into()),
        form: Some("in_person".into()),
        in_scope: 10,
        present: 12,
        ..Default::default()
    };
    let e = obligation::report(
        db,
        &actor,
        o.id,
        f.clone(),
        Action::Submit,
        o.updated_at,
        today,
    )
    .await;
    assert!(
        matches!(e, Err(DbError::Invalid(ref v)) if v[0].code == Code::PresentOverScope),
        "{e:?}"
    );
    assert_eq!(tally::kept(db, cid).await.unwrap(), before);
    // A stale form (saved elsewhere since) is refused.
    f.present = 9;
    f.absent_excused = 1;
    let saved = obligation::report(
        db,
        &actor,
        o.id,
        f.clone(),
        Action::Save,
        o.updated_at,
        today,
    )
    .await
    .unwrap();
    let e = obligation::report(
        db,
        &actor,
        o.id,
        f.clone(),
        Action::Save,
        o.updated_at,
        today,
    )
    .await;
    assert!(matches!(e, Err(DbError::Refused(Code::StaleForm))), "{e:?}");
    // Two tabs submit the same form at once: exactly one goes through.
    let (a, b) = tokio::join!(
        obligation::report(
            db,
            &actor,
            o.id,
            f.clone(),
            Action::Submit,
            saved.updated_at,
            today
        ),
        obligation::report(
            db,
            &actor,
            o.id,
            f.clone(),
            Action::Submit,
            saved.updated_at,
            today
        ),
    );
    assert!(a.is_ok() != b.is_ok(), "one submit wins: {a:?} / {b:?}");
    let lost = if a.is_ok() { b } else { a };
    assert!(
        matches!(lost, Err(DbError::Refused(Code::AlreadySubmitted))),
        "{lost:?}"
    );
    assert_eq!(obligation::versions(db, o.id).await.unwrap().len(), 1);
    // A correction needs a reason, and then makes version 2.
    f.present = 10;
    f.absent_excused = 0;
    let e = obligation::correct(db, &actor, o.id, f.clone(), " ", 1, today).await;
    assert!(
        matches!(e, Err(DbError::Invalid(ref v)) if v[0].field == "reason"),
        "{e:?}"
    );
    obligation::correct(
        db,
        &actor,
        o.id,
        f.clone(),
        "Bổ sung người học bù",
        1,
        today,
    )
    .await
    .unwrap();
    assert_eq!(obligation::versions(db, o.id).await.unwrap().len(), 2);
    // After the period is locked nothing is taken.
    campaign::lock(db, &actor, cid).await.unwrap();
    let kept = tally::kept(db, cid).await.unwrap();
    let e = obligation::correct(db, &actor, o.id, f.clone(), "Lần nữa", 2, today).await;
    assert!(
        matches!(e, Err(DbError::Refused(Code::PeriodLocked))),
        "{e:?}"
    );
    let other = &list[1];
    let e = obligation::report(
        db,
        &actor,
        other.id,
        f,
        Action::Submit,
        other.updated_at,
        today,
    )
    .await;
    assert!(
        matches!(e, Err(DbError::Refused(Code::PeriodLocked))),
        "{e:?}"
    );
    assert_eq!(tally::kept(db, cid).await.unwrap(), kept);
    // Deadlines out of order or unreadable are refused at their field.
    let bad = NewCampaign {
        unit_id: c.unit_id,
        title: "Đợt thử".into(),
        documents: vec![any_document(db).await],
        launched_on: "10/01/2026".into(),
        session_due: "quý V/2026".into(),
        programme_due: "01/01/2026".into(),
        report_due: "trong 10 ngày".into(),
        ..Default::default()
    };
    let e = campaign::launch(db, &actor, bad).await;
    assert!(
        matches!(e, Err(DbError::Invalid(ref v)) if v[0].field == "session_due" && v[0].code == Code::InvalidDue),
        "{e:?}"
    );
    t.cleanup().await;
}
both_engines!(cascade_refusals_write_nothing, refusals_story);

async fn parts_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let actor = setup_actor();
    let sct = unit::by_code(db, "SCT").await.unwrap().unwrap();
    let o = obligation::mine(db, &sct.path).await.unwrap()[0].clone();
    let today = fmt::today_vn();
    campaign::part::set_collect(db, &actor, o.id, true)
        .await
        .unwrap();
    let part = |present: i64| Figures {
        held_on: Some(fmt::iso(today)),
        form: Some("in_person".into()),
        in_scope: 8,
        present,
        absent_excused: 8 - present,
        reflections: present,
        ..Default::default()
    };
    let cb1 = unit::by_code(db, "SCT-CB1").await.unwrap().unwrap();
    let cb2 = unit::by_code(db, "SCT-CB2").await.unwrap().unwrap();
    campaign::part::save(db, &actor, o.id, cb1.id, part(8), today)
        .await
        .unwrap();
    campaign::part::save(db, &actor, o.id, cb2.id, part(7), today)
        .await
        .unwrap();
    // A chi bộ's secretary finds the đảng bộ's obligation among theirs.
    let theirs = obligation::mine(db, &cb1.path).await.unwrap();
    assert!(theirs.iter().any(|x| x.id == o.id));
    let now = obligation::get(db, o.id).await.unwrap().unwrap();
    assert_eq!(
        (
            now.figures.in_scope,
            now.figures.present,
            now.figures.absent_excused
        ),
        (16, 15, 1)
    );
    assert_eq!(now.state, campaign::figures::HELD);
    let c = campaign::get(db, o.campaign_id).await.unwrap().unwrap();
    assert_counts(db, c.id, "parts").await;
    // A unit outside the đảng bộ files no part of it.
    let stc = unit::by_code(db, "STC").await.unwrap().unwrap();
    let e = campaign::part::save(db, &actor, o.id, stc.id, part(8), today).await;
    assert!(matches!(e, Err(DbError::Refused(Code::Forbidden))), "{e:?}");
    // The sum is submitted as the đảng bộ's report; parts are closed after.
    obligation::report(
        db,
        &actor,
        o.id,
        now.figures.clone(),
        Action::Submit,
        now.updated_at,
        today,
    )
    .await
    .unwrap();
    let e = campaign::part::save(db, &actor, o.id, cb1.id, part(6), today).await;
    assert!(
        matches!(e, Err(DbError::Refused(Code::AlreadySubmitted))),
        "{e:?}"
    );
    assert_counts(db, c.id, "submitted sum").await;
    t.cleanup().await;
}
both_engines!(cascade_chi_bo_parts_roll_up, parts_story);

/// A page writes nothing when the session counted no unread notification,
/// and otherwise marks read only up to the newest it read: one that
/// arrives while the page renders stays unread for the next.
async fn notifications_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let gov = unit::by_code(db, "DUBND").await.unwrap().unwrap().id;
    let doc = any_document(db).await;
    let today = fmt::today_vn();
    let bithu = user::by_username(db, "bithu").await.unwrap().unwrap().id;
    let launch = |title: &str| NewCampaign {
        unit_id: gov,
        title: title.into(),
        documents: vec![doc],
        launched_on: fmt::iso(today),
        session_due: "trong 2 ngày".into(),
        programme_due: "trong 20 ngày".into(),
        report_due: "trong 30 ngày".into(),
        remind_days: 3,
        ..Default::default()
    };
    campaign::launch(db, &setup_actor(), launch("Đợt một"))
        .await
        .unwrap();
    reminder::sweep(db, today).await.unwrap();
    let unread = || async {
        let all = reminder::notifications(db, bithu).await.unwrap();
        all.iter().filter(|n| n.read_at.is_none()).count() as i64
    };
    let n = unread().await;
    assert!(n > 0, "the session reminder reached bithu");
    // Counted none (a session read just before the sweep): nothing marked.
    assert!(
        reminder::for_page(db, bithu, 0, true)
            .await
            .unwrap()
            .is_empty()
    );
    let listed = reminder::for_page(db, bithu, 0, false).await.unwrap();
    assert_eq!(listed.len() as i64, n.min(10));
    assert_eq!(unread().await, n, "a page with none counted writes nothing");
    // Counted some: the page shows them and marks them read.
    let shown = reminder::for_page(db, bithu, n, true).await.unwrap();
    assert_eq!(shown.len() as i64, n.min(10));
    assert_eq!(unread().await, 0);
    let newest = shown[0].id;
    campaign::launch(db, &setup_actor(), launch("Đợt hai"))
        .await
        .unwrap();
    reminder::sweep(db, today).await.unwrap();
    reminder::mark_read(db, bithu, newest).await.unwrap();
    let now = reminder::notifications(db, bithu).await.unwrap();
    assert!(now.iter().any(|n| n.id > newest), "a second reminder came");
    for n in &now {
        assert_eq!(n.read_at.is_some(), n.id <= newest, "{n:?}");
    }
    t.cleanup().await;
}
both_engines!(notifications_read_up_to_the_shown, notifications_story);
