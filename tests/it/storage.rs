//! Storage stories, each run on SQLite and on PostgreSQL.
use trienkhai_core::{Code, Role};
use trienkhai_db::{
    Actor, DbError, Engine, audit, counter, dashboard, session, setup, throttle, token, unit,
    user::{self, Edit, NewUser},
};

use crate::{
    both_engines,
    support::{TestDb, demo_setup, plain_setup, setup_actor, top_unit},
};

#[test]
fn migration_trees_are_in_lock_step() {
    let s = trienkhai_db::migration_versions(Engine::Sqlite);
    let p = trienkhai_db::migration_versions(Engine::Postgres);
    assert!(!s.is_empty());
    assert_eq!(
        s, p,
        "migrations/sqlite and migrations/postgres must list the same versions"
    );
}

fn admin_actor(id: i64) -> Actor {
    Actor {
        user_id: Some(id),
        name: "admin".into(),
        ip: Some("127.0.0.1".into()),
    }
}

async fn accounts_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = &t.db;
    assert!(!setup::is_done(db).await.unwrap());
    let admin = setup::run(db, &setup_actor(), plain_setup())
        .await
        .expect("setup")
        .admin
        .expect("admin");
    assert_eq!(admin.role(), Role::Admin);
    assert!(setup::is_done(db).await.unwrap());
    let again = setup::run(db, &setup_actor(), plain_setup()).await;
    assert!(matches!(again, Err(DbError::Refused(Code::AlreadySetUp))));
    let top = top_unit(db).await.expect("top unit");
    assert_eq!(top.name, "Đảng bộ Khối các cơ quan tỉnh");
    let actor = admin_actor(admin.id);

    // Validation: every problem reported at once, nothing written.
    let before = audit::list(db, &Default::default(), 1000)
        .await
        .unwrap()
        .len();
    let bad = user::create(
        db,
        &actor,
        NewUser {
            username: "A B".into(),
            display_name: "".into(),
            password: "short".into(),
            role: "secretary".into(),
            ..Default::default()
        },
    )
    .await;
    let Err(DbError::Invalid(errs)) = bad else {
        panic!("expected field errors")
    };
    let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["username", "display_name", "password", "unit_id"]);
    let dangling = user::create(
        db,
        &actor,
        NewUser {
            username: "lac".into(),
            display_name: "Lạc".into(),
            password: "mat-khau-dai-1".into(),
            role: "secretary".into(),
            unit_id: Some(999_999),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(dangling, Err(DbError::Invalid(ref e)) if e[0].code == Code::UnitNotFound));
    assert_eq!(
        audit::list(db, &Default::default(), 1000)
            .await
            .unwrap()
            .len(),
        before,
        "nothing half-written"
    );

    // NFD input is stored as NFC.
    let nfd = "Nguye\u{302}\u{303}n Thi\u{323} Hoa\u{300}";
    let staff = user::create(
        db,
        &actor,
        NewUser {
            username: "CanBo".into(),
            display_name: nfd.into(),
            password: "mat-khau-dai-2".into(),
            role: "staff".into(),
            ..Default::default()
        },
    )
    .await
    .expect("staff");
    assert_eq!(staff.username, "canbo");
    assert_eq!(staff.display_name, "Nguyễn Thị Hoà");
    let dup = user::create(
        db,
        &actor,
        NewUser {
            username: "canbo".into(),
            display_name: "X".into(),
            password: "mat-khau-dai-2".into(),
            role: "staff".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(dup, Err(DbError::Invalid(ref e)) if e[0].code == Code::UsernameTaken));

    // Passwords, sessions and tokens.
    assert!(
        user::authenticate(db, "canbo", "sai-mat-khau")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        user::authenticate(db, "khong-co", "mat-khau-dai-2")
            .await
            .unwrap()
            .is_none()
    );
    let u = user::authenticate(db, " CANBO ", "mat-khau-dai-2")
        .await
        .unwrap()
        .expect("login");
    let mut tx = db.begin().await.unwrap();
    let cookie = session::create_in(&mut tx, u.id, 60_000).await.unwrap();
    tx.commit().await.unwrap();
    let cur = session::lookup(db, &cookie, 60_000)
        .await
        .unwrap()
        .expect("session");
    assert_eq!(cur.username, "canbo");
    assert_eq!(cur.csrf.len(), 64);
    assert!(
        session::lookup(db, "not-a-session", 60_000)
            .await
            .unwrap()
            .is_none()
    );
    let tok = token::create(db, &actor, u.id, "máy chủ báo cáo")
        .await
        .unwrap();
    assert!(tok.starts_with("tk_"));
    assert_eq!(
        token::lookup(db, &tok)
            .await
            .unwrap()
            .expect("token")
            .user_id,
        u.id
    );
    assert!(token::lookup(db, "tk_wrong").await.unwrap().is_none());
    let tid = token::list(db, u.id).await.unwrap()[0].id;
    assert!(
        !token::revoke(db, &actor, admin.id, tid).await.unwrap(),
        "not the admin's token"
    );
    assert!(token::revoke(db, &actor, u.id, tid).await.unwrap());
    assert!(token::lookup(db, &tok).await.unwrap().is_none());

    // Password change: wrong current password writes nothing.
    let wrong = user::change_password(
        db,
        &actor,
        u.id,
        &cur.session_id,
        "sai",
        "mat-khau-moi-3",
        "mat-khau-moi-3",
    )
    .await;
    assert!(matches!(wrong, Err(DbError::Invalid(ref e)) if e[0].code == Code::WrongPassword));
    assert_eq!(
        user::get(db, u.id).await.unwrap().unwrap().version,
        u.version
    );
    user::change_password(
        db,
        &actor,
        u.id,
        &cur.session_id,
        "mat-khau-dai-2",
        "mat-khau-moi-3",
        "mat-khau-moi-3",
    )
    .await
    .unwrap();
    assert!(
        session::lookup(db, &cookie, 60_000)
            .await
            .unwrap()
            .is_some(),
        "own session kept"
    );
    assert!(
        user::authenticate(db, "canbo", "mat-khau-moi-3")
            .await
            .unwrap()
            .is_some()
    );

    // Passwords compare as NFC: set with precomposed text, typed decomposed.
    user::reset_password(db, &actor, u.id, "Mật khẩu Đảng ủy")
        .await
        .unwrap();
    let typed_nfd = "Ma\u{323}\u{302}t kha\u{302}\u{309}u \u{110}a\u{309}ng u\u{309}y";
    assert!(
        user::authenticate(db, "canbo", typed_nfd)
            .await
            .unwrap()
            .is_some()
    );

    // Administrator reset ends every session and every token, and forces a change.
    let tok2 = token::create(db, &actor, u.id, "tích hợp").await.unwrap();
    user::reset_password(db, &actor, u.id, "tam-thoi-12345")
        .await
        .unwrap();
    assert!(
        session::lookup(db, &cookie, 60_000)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        token::lookup(db, &tok2).await.unwrap().is_none(),
        "tokens stop too"
    );
    assert!(
        user::get(db, u.id)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );

    // Stale forms: an edit made against an old version is refused.
    let fresh = user::get(db, u.id).await.unwrap().unwrap();
    let edit = |v: i64| Edit {
        display_name: "Trần Văn Bình".into(),
        role: "staff".into(),
        unit_id: None,
        board_id: None,
        disabled: false,
        version: v,
    };
    user::update(db, &actor, u.id, edit(fresh.version))
        .await
        .unwrap();
    let stale = user::update(db, &actor, u.id, edit(fresh.version)).await;
    assert!(matches!(stale, Err(DbError::Refused(Code::StaleForm))));
    let self_lock = user::update(
        db,
        &actor,
        admin.id,
        Edit {
            disabled: true,
            role: "admin".into(),
            ..edit(admin.version)
        },
    )
    .await;
    assert!(
        matches!(self_lock, Err(DbError::Invalid(_))),
        "an admin cannot disable themselves"
    );

    // Audit: who, what, before and after; append-only at the database.
    let upd = audit::list(
        db,
        &audit::Filter {
            action: Some("update".into()),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(upd.len(), 1);
    assert_eq!(upd[0].actor_id, Some(admin.id));
    assert!(
        upd[0]
            .before_json
            .as_deref()
            .unwrap()
            .contains("Nguyễn Thị Hoà")
    );
    assert!(
        upd[0]
            .after_json
            .as_deref()
            .unwrap()
            .contains("Trần Văn Bình")
    );
    let all = audit::list(db, &Default::default(), 1000).await.unwrap();
    assert!(
        all.iter().all(
            |e| !format!("{e:?}").contains("$argon2") && !format!("{e:?}").contains("mat-khau")
        ),
        "no secrets in the audit log"
    );
    let tamper = match db {
        trienkhai_db::Db::Sqlite(p, ..) => sqlx::query("UPDATE audit_log SET summary = 'x'")
            .execute(p)
            .await
            .map(|_| ()),
        trienkhai_db::Db::Postgres(p, _) => sqlx::query("DELETE FROM audit_log")
            .execute(p)
            .await
            .map(|_| ()),
    };
    assert!(tamper.is_err(), "audit_log must refuse updates and deletes");

    // Keyset paging of the log.
    let page1 = audit::list(db, &Default::default(), 3).await.unwrap();
    let page2 = audit::list(
        db,
        &audit::Filter {
            before_id: Some(page1[2].id),
            ..Default::default()
        },
        3,
    )
    .await
    .unwrap();
    assert!(page2[0].id < page1[2].id);

    assert_eq!(
        counter::all(db).await.unwrap(),
        counter::recount(db).await.unwrap()
    );
    t.cleanup().await;
}
both_engines!(accounts, accounts_story);

async fn throttle_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = &t.db;
    let tries = |user: &'static str, ip: &'static str, n: i64| async move {
        let mut last = false;
        for _ in 0..n {
            last = throttle::attempt(db, user, ip).await.unwrap().throttled;
        }
        last
    };
    // One account from one address: the sixth try in the window is refused.
    assert!(!tries("a", "10.0.0.1", throttle::PER_PAIR).await);
    assert!(
        tries("A", "10.0.0.1", 1).await,
        "per account and address, case-folded"
    );
    // The real user elsewhere is not locked out by that attacker.
    assert!(!tries("a", "10.0.0.2", 1).await);
    // A success forgets the account's failures.
    let ok = throttle::attempt(db, "a", "10.0.0.1").await.unwrap();
    throttle::succeeded(db, ok).await.unwrap();
    assert!(!tries("a", "10.0.0.1", 1).await);
    // One address over many accounts.
    for i in 0..throttle::PER_ADDRESS {
        throttle::attempt(db, &format!("u{i}"), "10.0.0.9")
            .await
            .unwrap();
    }
    assert!(
        tries("fresh", "10.0.0.9", 1).await,
        "per address, any account"
    );
    // Many addresses against one account: the account-wide ceiling.
    for i in 0..throttle::PER_ACCOUNT {
        throttle::attempt(db, "target", &format!("10.1.{}.{}", i / 250, i % 250))
            .await
            .unwrap();
    }
    assert!(
        tries("target", "10.2.0.1", 1).await,
        "distributed guessing is capped"
    );
    t.cleanup().await;
}

/// Parallel guesses are counted before any password is checked.
async fn throttle_race_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            throttle::attempt(&db, "x", "10.0.0.1")
                .await
                .unwrap()
                .throttled
        }));
    }
    let mut passed = 0;
    for task in tasks {
        if !task.await.unwrap() {
            passed += 1;
        }
    }
    assert!(
        passed <= throttle::PER_PAIR + 1,
        "{passed} of 12 parallel guesses got through"
    );
    t.cleanup().await;
}
both_engines!(throttle_race, throttle_race_story);

both_engines!(throttling, throttle_story);

async fn concurrent_setup_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let mut tasks = Vec::new();
    for i in 0..4 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = plain_setup();
            s.admin.as_mut().unwrap().username = format!("admin{i}");
            s.unit.code = format!("DUK{i}");
            setup::run(&db, &setup_actor(), s).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(DbError::Refused(Code::AlreadySetUp)) => {}
            Err(DbError::Sqlx(e))
                if engine == Engine::Sqlite && e.to_string().contains("locked") =>
            {
                panic!("SQLite lock error reached the caller: {e}")
            }
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one setup wins");
    assert_eq!(
        counter::all(&t.db).await.unwrap(),
        counter::recount(&t.db).await.unwrap()
    );
    t.cleanup().await;
}
both_engines!(concurrent_setup, concurrent_setup_story);

async fn demo_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = &t.db;
    setup::run(db, &setup_actor(), demo_setup())
        .await
        .expect("demo");
    let top = top_unit(db).await.unwrap();
    assert_eq!(top.issuer_code.as_deref(), Some("TU"));
    let duk = unit::by_code(db, "DUK").await.unwrap().unwrap();
    assert_eq!(duk.issuer_code.as_deref(), Some("ĐUK"));
    let names: Vec<_> = unit::boards(db, duk.id)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(names.iter().any(|n| n == "Ban Tuyên giáo"));
    assert!(names.iter().any(|n| n.starts_with("Tiểu ban tuyên truyền")));
    // The seed articles' secretaries, each on their own dates.
    let sec = |d: &'static str| {
        let db = db.clone();
        async move {
            dashboard::panels(&db, duk.id, d, false)
                .await
                .unwrap()
                .leaders
                .into_iter()
                .filter(|(title, _)| title == "Bí thư Đảng ủy Khối")
                .map(|(_, name)| name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(sec("2019-08-02").await, ["Trần Đình Quế"]);
    assert_eq!(sec("2019-10-01").await, ["Lê Hồng Quân"]);
    assert_eq!(sec("2020-07-03").await, ["Trần Xuân Hựu"]);
    assert_eq!(sec("2020-12-04").await, ["Hoàng Anh Trung"]);
    assert_eq!(sec("2024-07-25").await, ["Đỗ Quang Minh"]);
    // Scope lists: a secretary's subtree, as of a date.
    let sct = unit::by_code(db, "SCT").await.unwrap().unwrap();
    let today = trienkhai_core::fmt::today_vn();
    let sub = unit::list(db, Some(&sct.path), today, None, 100)
        .await
        .unwrap();
    assert_eq!(sub.len(), 5, "the unit and its four chi bộ");
    assert!(sub.iter().all(|u| u.path.starts_with(&sct.path)));
    let early = unit::list(db, None, time::macros::date!(1980 - 01 - 01), None, 100)
        .await
        .unwrap();
    assert!(early.is_empty(), "nothing existed before 1989");
    let all = unit::list(db, None, today, None, 1000).await.unwrap();
    let page = unit::list(db, None, today, Some(&all[9].path), 1000)
        .await
        .unwrap();
    assert_eq!(page.len(), all.len() - 10, "keyset paging by path");
    assert_eq!(
        counter::all(db).await.unwrap(),
        counter::recount(db).await.unwrap()
    );
    t.cleanup().await;
}
both_engines!(demo_data, demo_story);

#[test]
fn no_bound_limits_in_sql() {
    // SQLite recompiles a statement after every re-bind of a LIMIT parameter;
    // page sizes are written as literals (see trienkhai_db::pool::limit).
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/db/src"
    ))];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("member_import/write.rs")));
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let offending = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .any(|l| l.contains("LIMIT $"));
        assert!(!offending, "{} binds a LIMIT parameter", path.display());
    }
}

/// PostgreSQL only: its page reads go through connections the server keeps
/// without sqlx's pings (trienkhai_db::read::pg), so a read dropped halfway
/// or a backend killed under it must not leave a broken one for the next
/// page. SQLite's reads run to the end on the calling thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reads_survive_cancel_and_kill() {
    let t = TestDb::new(Engine::Postgres).await;
    let db = &t.db;
    let trienkhai_db::Db::Postgres(p, _) = db else {
        unreachable!()
    };
    let lookup = || session::lookup(db, "no-such-session", 60_000);
    assert!(lookup().await.unwrap().is_none());

    // A read that waits on a lock is dropped by its request's timeout.
    let mut lock = p.begin().await.unwrap();
    sqlx::query("LOCK TABLE session IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let cut = tokio::time::timeout(std::time::Duration::from_millis(200), lookup()).await;
    assert!(cut.is_err(), "the read should still be waiting on the lock");
    lock.rollback().await.unwrap();
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), lookup()).await;
    assert!(
        next.expect("no leftover answer to wait for")
            .unwrap()
            .is_none()
    );

    // A backend killed between reads fails at most the one read that meets it.
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(p)
    .await
    .unwrap();
    let first = lookup().await;
    let second = lookup().await;
    assert!(second.unwrap().is_none(), "first after the kill: {first:?}");
    t.cleanup().await;
}
