//! The cascade over HTTP: refusals a secretary can meet (another unit's
//! report, impossible figures, a bad date, two tabs, a locked period), and
//! the reminder job run by two instances on one PostgreSQL.
use std::time::Duration;

use trienkhai_core::{Code, fmt};
use trienkhai_db::{
    Db, Engine,
    campaign::{self, NewCampaign, obligation, tally},
    demo, unit, user,
};

use crate::{
    both_engines,
    campaign::any_document,
    smtp_sink::Sink,
    support::{TestApp, TestDb, setup_actor},
};

/// The demo's running campaign: the secretary's own obligation and another unit's.
async fn own_and_other(db: &Db) -> (obligation::Obligation, obligation::Obligation) {
    let s = user::by_username(db, "bithu").await.unwrap().unwrap();
    let path = unit::get(db, s.unit_id.unwrap())
        .await
        .unwrap()
        .unwrap()
        .path;
    let own = obligation::mine(db, &path).await.unwrap()[0].clone();
    let c = campaign::get(db, own.campaign_id).await.unwrap().unwrap();
    let other = obligation::under(db, &c, &c.unit_path, None, "2000-01-01", None, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|o| !o.path.starts_with(&path))
        .unwrap();
    (own, other)
}

async fn refusals_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let app = TestApp::spawn(&t.db).await;
    let (own, other) = own_and_other(&t.db).await;
    let kept = tally::kept(&t.db, own.campaign_id).await.unwrap();
    let sec = app.client();
    sec.login_ok("bithu", demo::PASSWORD).await;
    let today = fmt::iso(fmt::today_vn());
    let page = format!("/obligations/{}", own.id);
    let stamp = own.updated_at.to_string();
    let good = |present: &'static str| {
        vec![
            ("held_on", today.clone()),
            ("form", "in_person".to_string()),
            ("in_scope", "10".to_string()),
            ("present", present.to_string()),
            ("absent_excused", "1".to_string()),
            ("stamp", stamp.clone()),
        ]
    };
    let send =
        |page: String, path: String, mut f: Vec<(&'static str, String)>, action: &'static str| {
            let sec = &sec;
            f.push(("action", action.to_string()));
            async move {
                let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = sec.submit(&page, &path, &form).await;
                let s = r.status().as_u16();
                (s, r.text().await.unwrap())
            }
        };
    // Another unit's report: 403, nothing written.
    let other_page = format!("/obligations/{}", other.id);
    assert_eq!(sec.text(&other_page).await.0, 403);
    let (s, _) = send(page.clone(), other_page.clone(), good("9"), "submit").await;
    assert_eq!(s, 403);
    // Impossible figures and a bad date: 422, the reason at the field.
    let (s, body) = send(page.clone(), page.clone(), good("11"), "submit").await;
    assert_eq!(s, 422);
    assert!(body.contains(Code::PresentOverScope.message()), "{body}");
    assert!(body.contains("value=\"11\""), "what was typed comes back");
    let mut bad = good("9");
    bad[0].1 = "31/02/2026".into();
    let (s, body) = send(page.clone(), page.clone(), bad, "submit").await;
    assert_eq!(s, 422);
    assert!(body.contains(Code::InvalidDate.message()), "{body}");
    assert_eq!(
        tally::kept(&t.db, own.campaign_id).await.unwrap(),
        kept,
        "nothing half-written"
    );
    // Two tabs submit the same form: the first is taken, the second told why.
    let (s, _) = send(page.clone(), page.clone(), good("9"), "submit").await;
    assert_eq!(s, 303);
    let (s, body) = send(page.clone(), page.clone(), good("9"), "submit").await;
    assert_eq!(s, 409);
    assert!(body.contains(Code::AlreadySubmitted.message()), "{body}");
    assert_eq!(obligation::versions(&t.db, own.id).await.unwrap().len(), 1);
    // The office locks the period: a correction is then refused.
    let staff = app.client();
    staff.login_ok("canbo", demo::PASSWORD).await;
    let r = staff
        .submit(
            &format!("/campaigns/{}", own.campaign_id),
            &format!("/campaigns/{}/lock", own.campaign_id),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let mut fix = good("9");
    fix.push(("reason", "Rà soát lại".into()));
    fix.push(("version", "1".into()));
    let (s, body) = send(page.clone(), page.clone(), fix, "correct").await;
    assert_eq!(s, 409);
    assert!(body.contains(Code::PeriodLocked.message()), "{body}");
    assert_eq!(obligation::versions(&t.db, own.id).await.unwrap().len(), 1);
    // The API answers the same refusals as JSON.
    t.cleanup().await;
}
both_engines!(cascade_http_refusals, refusals_story);

/// Past 200 committees the launch form offers a code picker, not a list
/// (3.641 at national size made a 245 KB page): it starts at the top
/// committee, suggests committees only, and refuses an unknown code at the
/// field with nothing written.
async fn committee_picker_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let app = TestApp::spawn(&t.db).await;
    let staff = app.client();
    staff.login_ok("canbo", demo::PASSWORD).await;
    let (_, form) = staff.text("/campaigns/new").await;
    assert!(
        form.contains("<select id=\"unit_id\""),
        "a few committees are listed"
    );
    let top = crate::support::top_unit(&t.db).await.unwrap();
    let commune = "cap_tren_co_so";
    crate::support::add_units(&t.db, top.id, 200, "XA", "Đảng bộ xã Hòa Bình", commune).await;
    let (s, form) = staff.text("/campaigns/new").await;
    assert_eq!(s, 200);
    assert!(!form.contains("<select id=\"unit_id\""), "no list of 200+");
    assert!(
        form.contains(&format!("name=\"unit_code\" value=\"{}\"", top.code)),
        "the picker starts at the top committee"
    );
    // Typed without marks, a committee is found; a grassroots unit is not.
    let (s, opts) = staff
        .text("/campaigns/committees?unit_code=hoa%20binh%20017")
        .await;
    assert_eq!(s, 200);
    assert!(opts.contains("value=\"XA017\""), "{opts}");
    let (_, opts) = staff.text("/campaigns/committees?unit_code=HNBT").await;
    assert!(
        !opts.contains("value=\"HNBT\""),
        "a chi bộ is no committee: {opts}"
    );
    let doc = any_document(&t.db).await.to_string();
    let launch = |code: &'static str| {
        let staff = &staff;
        let doc = doc.clone();
        async move {
            let f = [
                ("unit_code", code),
                ("title", "Quán triệt Nghị quyết (chọn theo mã)"),
                ("documents", doc.as_str()),
                ("launched_on", "2026-01-10"),
                ("session_due", "trong 30 ngày"),
                ("programme_due", "trong 45 ngày"),
                ("report_due", "trong 60 ngày"),
            ];
            staff.submit("/campaigns/new", "/campaigns", &f).await
        }
    };
    let before = campaign::list(&t.db, None, 100).await.unwrap().len();
    let r = launch("KHONGCO").await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains(Code::UnitNotFound.message()), "{body}");
    assert!(
        body.contains("value=\"KHONGCO\""),
        "what was typed comes back"
    );
    assert_eq!(
        campaign::list(&t.db, None, 100).await.unwrap().len(),
        before
    );
    let r = launch("dcqd").await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let made = &campaign::list(&t.db, None, 1).await.unwrap()[0];
    let dcqd = unit::by_code(&t.db, "DCQD").await.unwrap().unwrap();
    assert_eq!(made.campaign.unit_id, dcqd.id, "a code typed in lower case");
    t.cleanup().await;
}
both_engines!(campaign_committee_picker, committee_picker_story);

async fn set_email(db: &Db, username: &str, email: &str) {
    let Db::Postgres(p, _) = db else {
        unreachable!()
    };
    sqlx::query(
        "UPDATE app_user SET person_id = COALESCE(person_id, (SELECT MIN(id) FROM person)) WHERE username = $1",
    )
    .bind(username)
    .execute(p)
    .await
    .unwrap();
    sqlx::query("UPDATE person SET email = $1 WHERE id = (SELECT person_id FROM app_user WHERE username = $2)")
        .bind(email)
        .bind(username)
        .execute(p)
        .await
        .unwrap();
}

/// Two instances sweep and send at once, five rounds each: every reminder
/// is claimed once and every e-mail reaches the sink once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_go_out_once_from_two_instances() {
    let t = TestDb::demo(Engine::Postgres).await;
    let db = &t.db;
    set_email(db, "bithu", "bithu@example.vn").await;
    set_email(db, "canbo", "canbo@example.vn").await;
    let gov = unit::by_code(db, "DUBND").await.unwrap().unwrap().id;
    let doc = any_document(db).await;
    let today = fmt::today_vn();
    let launch = |title: &str, launched: time::Date, dues: [&str; 3]| NewCampaign {
        unit_id: gov,
        title: title.into(),
        documents: vec![doc],
        launched_on: fmt::iso(launched),
        session_due: dues[0].into(),
        programme_due: dues[1].into(),
        report_due: dues[2].into(),
        remind_days: 3,
        ..Default::default()
    };
    // Session due in two days: every unit's secretary is reminded.
    let soon = campaign::launch(
        db,
        &setup_actor(),
        launch(
            "Đợt sắp đến hạn",
            today,
            ["trong 2 ngày", "trong 20 ngày", "trong 30 ngày"],
        ),
    )
    .await
    .unwrap();
    // Report overdue: the office hears of the units once, in one line.
    let late = today.saturating_sub(time::Duration::days(40));
    campaign::launch(
        db,
        &setup_actor(),
        launch(
            "Đợt quá hạn",
            late,
            ["trong 10 ngày", "trong 20 ngày", "trong 30 ngày"],
        ),
    )
    .await
    .unwrap();
    let c = campaign::get(db, soon).await.unwrap().unwrap();
    let units = tally::board(db, &c, gov).await.unwrap().0.unwrap().units;

    let sink = Sink::start().await;
    let smtp = trienkhai_web::mail::SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        from: "Văn phòng Đảng ủy <vanphong@example.vn>".into(),
        ..Default::default()
    };
    let second = trienkhai_db::connect(&t.url).await.unwrap();
    let (m1, m2) = (
        trienkhai_web::mail::Mailer::new(&smtp).unwrap(),
        trienkhai_web::mail::Mailer::new(&smtp).unwrap(),
    );
    let instance = |db: Db, m: trienkhai_web::mail::Mailer, who: &'static str| async move {
        let mut sent = 0;
        for _ in 0..5 {
            sent += trienkhai_web::reminder::run_once(&db, Some(&m), who)
                .await
                .unwrap();
        }
        sent
    };
    let (a, b) = tokio::join!(
        instance(db.clone(), m1, "a"),
        instance(second.clone(), m2, "b")
    );
    // bithu's unit's session reminder, and the office's overdue line to canbo.
    assert_eq!(
        a + b,
        2,
        "each e-mail sent by exactly one instance ({a} + {b})"
    );
    let got = sink.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2);
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["bithu@example.vn", "canbo@example.vn"]);
    let Db::Postgres(p, _) = db else {
        unreachable!()
    };
    let (reminders,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reminder")
        .fetch_one(p)
        .await
        .unwrap();
    let (overdue_units,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM obligation o JOIN campaign c ON c.id = o.campaign_id WHERE c.title = 'Đợt quá hạn'")
        .fetch_one(p).await.unwrap();
    assert_eq!(
        reminders,
        units + overdue_units,
        "one reminder per obligation and kind"
    );
    let (notes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notification")
        .fetch_one(p)
        .await
        .unwrap();
    // One to the secretary, one overdue line to each of the two office accounts.
    assert_eq!(notes, 3);
    // Nothing more on another round.
    assert_eq!(
        trienkhai_web::reminder::run_once(db, None, "a")
            .await
            .unwrap(),
        0
    );
    let (again,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notification")
        .fetch_one(p)
        .await
        .unwrap();
    assert_eq!(again, 3);
    // Each account's navigation counts its unread notifications until the
    // page that lists them is opened.
    let app = TestApp::spawn(db).await;
    for (user, page) in [("bithu", "/obligations"), ("canbo", "/campaigns")] {
        let c = app.client();
        c.login_ok(user, demo::PASSWORD).await;
        let badge = "<span class=\"unread\" title=\"Thông báo chưa đọc\">1</span>";
        assert!(c.text("/account").await.1.contains(badge), "{user}");
        assert!(
            !c.text(page).await.1.contains("class=\"unread\""),
            "{user}: read on {page}"
        );
        assert!(
            !c.text("/account").await.1.contains("class=\"unread\""),
            "{user}"
        );
    }
    second.close().await;
    t.cleanup().await;
}
