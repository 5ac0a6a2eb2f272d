//! Generated org trees (`trienkhai_db::scale`): the CI size on both
//! engines, checked against recounts of the raw rows, the same seed giving
//! the same people, and a second run beside the first.
use trienkhai_db::{
    Actor, Db, Engine, counter, member,
    person::{self, NewPerson},
    scale::{self, Scale},
    unit::{self, NewUnit},
};
use unicode_normalization::{UnicodeNormalization, is_nfc};

use crate::{both_engines, support::TestDb};

fn actor() -> Actor {
    Actor::system("test")
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    match db {
        Db::Sqlite(p, ..) => sqlx::query_scalar(sql).fetch_one(p).await,
        Db::Postgres(p, _) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

type PersonRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

async fn people(db: &Db) -> Vec<PersonRow> {
    const SQL: &str = "SELECT id, family_name, middle_name, given_name, birth_date, card_no,
        name_fold, sort_key, dedupe_key FROM person ORDER BY id";
    match db {
        Db::Sqlite(p, ..) => sqlx::query_as(SQL).fetch_all(p).await,
        Db::Postgres(p, _) => sqlx::query_as(SQL).fetch_all(p).await,
    }
    .expect("people")
}

/// (person id, sort key, unit path) of every membership.
async fn rolls(db: &Db) -> Vec<(i64, String, String)> {
    const SQL: &str = "SELECT p.id, p.sort_key, u.path FROM person p
        JOIN membership m ON m.person_id = p.id JOIN unit u ON u.id = m.unit_id";
    match db {
        Db::Sqlite(p, ..) => sqlx::query_as(SQL).fetch_all(p).await,
        Db::Postgres(p, _) => sqlx::query_as(SQL).fetch_all(p).await,
    }
    .expect("rolls")
}

/// Units whose path starts with `path`.
async fn units_under(db: &Db, path: &str) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM unit WHERE path LIKE $1";
    let like = format!("{path}%");
    match db {
        Db::Sqlite(p, ..) => sqlx::query_scalar(SQL).bind(like).fetch_one(p).await,
        Db::Postgres(p, _) => sqlx::query_scalar(SQL).bind(like).fetch_one(p).await,
    }
    .expect("units under")
}

/// A subtree's roll read page by page, as the unit page's "Xem thêm" does.
async fn paged_roll(db: &Db, path: &str) -> Vec<i64> {
    let today = trienkhai_core::fmt::today_vn();
    let (mut ids, mut after) = (Vec::new(), None::<String>);
    loop {
        let page = member::list(db, path, today, after.as_deref(), 128)
            .await
            .unwrap();
        ids.extend(page.iter().map(|m| m.person.id));
        match page.last() {
            Some(m) if page.len() == 128 => after = Some(m.cursor()),
            _ => return ids,
        }
    }
}

/// The first `n` people of the run whose first person id is `from`.
fn names(rows: &[PersonRow], from: i64, n: usize) -> Vec<String> {
    rows.iter()
        .filter(|r| r.0 >= from)
        .take(n)
        .map(|r| format!("{} {} {} {:?}", r.1, r.2, r.3, r.4))
        .collect()
}

async fn check_counters(db: &Db, units: i64, persons: i64) {
    let kept = counter::all(db).await.unwrap();
    let recount = counter::recount(db).await.unwrap();
    for (key, want) in [(counter::UNITS, units), (counter::PERSONS, persons)] {
        assert_eq!(kept.get(key), Some(&want), "counter {key}");
        assert_eq!(recount.get(key), Some(&want), "recount {key}");
    }
}

async fn ci_story(engine: Engine) {
    let shape = Scale::Ci.shape();
    let units = 1 + shape.top + shape.intermediate + shape.grassroots + shape.cells;
    let t = TestDb::new(engine).await;
    let db = &t.db;
    let mut phases: Vec<String> = Vec::new();
    let stats = scale::org(db, &actor(), Scale::Ci, 7, |p, done, total| {
        assert!(done <= total, "{p}: {done} / {total}");
        if phases.last().map(String::as_str) != Some(p) {
            phases.push(p.to_string());
        }
    })
    .await
    .expect("generate");
    assert_eq!((stats.units, stats.members), (units, shape.members));
    assert_eq!(phases.first().map(String::as_str), Some(scale::PHASE_UNITS));
    assert!(phases.iter().any(|p| p == scale::PHASE_MEMBERS));

    // Counts by level, and the counters agree with a recount.
    assert_eq!(count(db, "SELECT COUNT(*) FROM unit").await, units as i64);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM unit WHERE parent_id IS NULL").await,
        1
    );
    // A fresh database is set up with the generated root as its committee.
    let root = count(db, "SELECT id FROM unit WHERE parent_id IS NULL").await;
    assert!(trienkhai_db::setup::is_done(db).await.unwrap());
    assert_eq!(trienkhai_db::unit::top_id(db).await.unwrap(), Some(root));
    let by_type = [
        (
            "SELECT COUNT(*) FROM unit WHERE type_code = 'dang_bo_tinh'",
            1 + shape.top,
        ),
        (
            "SELECT COUNT(*) FROM unit WHERE type_code = 'cap_tren_co_so'",
            shape.intermediate,
        ),
        (
            "SELECT COUNT(*) FROM unit WHERE type_code IN ('dang_bo_co_so', 'chi_bo_co_so')",
            shape.grassroots,
        ),
        (
            "SELECT COUNT(*) FROM unit WHERE type_code = 'chi_bo_truc_thuoc'",
            shape.cells,
        ),
        (
            "SELECT COUNT(*) FROM unit WHERE type_code = 'dang_bo_co_so'",
            shape.grassroots * 6 / 10,
        ),
    ];
    for (sql, want) in by_type {
        assert_eq!(count(db, sql).await, want as i64, "{sql}");
    }
    let members = shape.members as i64;
    assert_eq!(count(db, "SELECT COUNT(*) FROM person").await, members);
    assert_eq!(count(db, "SELECT COUNT(*) FROM membership").await, members);
    check_counters(db, units as i64, members).await;

    // The roll in name order, paged: the root holds most units, so it is
    // read from the person index; an intermediate committee holds few and
    // is sorted. Both give exactly the members below, in (sort key, id).
    let all = rolls(db).await;
    let root_path = format!("/{root}/");
    let inter = count(
        db,
        "SELECT MIN(id) FROM unit WHERE type_code = 'cap_tren_co_so'",
    )
    .await;
    let inter_path = unit::get(db, inter).await.unwrap().expect("unit").path;
    assert!(
        units_under(db, &root_path).await >= 64i64,
        "the root takes the index walk"
    );
    assert!(
        units_under(db, &inter_path).await < 64i64,
        "a committee is sorted"
    );
    for path in [&root_path, &inter_path] {
        let mut want: Vec<_> = all
            .iter()
            .filter(|r| r.2.starts_with(path.as_str()))
            .collect();
        want.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
        let want: Vec<i64> = want.iter().map(|r| r.0).collect();
        assert!(want.len() > 128, "{path}: more than one page");
        assert_eq!(paged_roll(db, path).await, want, "{path}");
    }

    // The tree: one open version per unit, the same as the unit, and every
    // path its parent's path and its own id.
    let zero = [
        "SELECT COUNT(*) FROM unit u WHERE (SELECT COUNT(*) FROM unit_version v
           WHERE v.unit_id = u.id AND v.valid_to IS NULL) <> 1",
        "SELECT COUNT(*) FROM unit u JOIN unit_version v ON v.unit_id = u.id
         WHERE v.path <> u.path OR v.name <> u.name OR v.valid_from <> u.valid_from
            OR COALESCE(v.parent_id, 0) <> COALESCE(u.parent_id, 0)",
        "SELECT COUNT(*) FROM unit c LEFT JOIN unit p ON p.id = c.parent_id
         WHERE c.path <> COALESCE(p.path, '/') || CAST(c.id AS TEXT) || '/'",
        "SELECT COUNT(*) FROM unit WHERE valid_from <> '2020-01-01' OR valid_to IS NOT NULL",
        // Chi bộ trực thuộc only under đảng bộ cơ sở; committees under tops.
        "SELECT COUNT(*) FROM unit c JOIN unit p ON p.id = c.parent_id
         WHERE (c.type_code = 'chi_bo_truc_thuoc' AND p.type_code <> 'dang_bo_co_so')
            OR (c.type_code = 'cap_tren_co_so' AND p.type_code <> 'dang_bo_tinh')",
        // Each person in exactly one unit, from 2020.
        "SELECT COUNT(*) FROM person p WHERE (SELECT COUNT(*) FROM membership m
           WHERE m.person_id = p.id AND m.valid_to IS NULL AND m.valid_from = '2020-01-01') <> 1",
        // Members sit in chi bộ, or in a grassroots unit that has none.
        "SELECT COUNT(*) FROM membership m JOIN unit u ON u.id = m.unit_id
         WHERE u.type_code NOT IN ('chi_bo_truc_thuoc', 'chi_bo_co_so', 'dang_bo_co_so')
            OR EXISTS (SELECT 1 FROM unit c WHERE c.parent_id = u.id)",
        "SELECT COUNT(*) FROM membership WHERE status NOT IN ('official', 'probationary')",
        "SELECT COUNT(*) FROM (SELECT card_no FROM person GROUP BY card_no HAVING COUNT(*) > 1) d",
    ];
    for sql in zero {
        assert_eq!(count(db, sql).await, 0, "{sql}");
    }
    assert!(
        count(
            db,
            "SELECT COUNT(*) FROM membership WHERE status = 'probationary'"
        )
        .await
            > 0
    );

    // Names are stored NFC, with the keys the normal path computes.
    let rows = people(db).await;
    assert_eq!(rows.len() as i64, members);
    for (_, family, middle, given, birth, card, fold, sort_key, dedupe) in &rows {
        for part in [family, middle, given] {
            assert!(is_nfc(part), "{part:?} is not NFC");
        }
        let p = NewPerson {
            family_name: family.clone(),
            middle_name: middle.clone(),
            given_name: given.clone(),
            birth_date: birth.clone(),
            card_no: card.clone(),
            ..Default::default()
        };
        assert_eq!(fold, &trienkhai_core::text::fold(&p.full_name()));
        assert_eq!(
            sort_key,
            &p.sort_key(trienkhai_core::name::NameOrder::Official)
        );
        assert_eq!(dedupe, &p.dedupe_key());
    }

    // The same seed on another database: the same people.
    let other = TestDb::new(engine).await;
    scale::org(&other.db, &actor(), Scale::Ci, 7, |_, _, _| {})
        .await
        .expect("generate again");
    let again = people(&other.db).await;
    let first = names(&rows, 1, 20);
    assert_eq!(first.len(), 20);
    assert_eq!(names(&again, 1, 20), first);

    // A second run beside the first: a new root, other people, ids and
    // counters carried on.
    let stats = scale::org(&other.db, &actor(), Scale::Ci, 8, |_, _, _| {})
        .await
        .expect("second run");
    assert_eq!(stats.members, shape.members);
    let both = people(&other.db).await;
    assert_eq!(both.len() as i64, 2 * members);
    assert_ne!(names(&both, members + 1, 20), first);
    check_counters(&other.db, 2 * units as i64, 2 * members).await;
    let roots = unit::by_code(&other.db, "TQ2").await.unwrap().expect("TQ2");
    assert_eq!(roots.parent_id, None);

    // Ordinary writes after the run get fresh ids (PostgreSQL's sequences
    // were moved past the generated rows).
    let mut tx = other.db.begin().await.unwrap();
    let u = unit::create_in(
        &mut tx,
        &actor(),
        NewUnit {
            code: "SAU-SINH".into(),
            name: "Chi bộ Kiểm tra".into(),
            type_code: "chi_bo_co_so".into(),
            parent_id: Some(roots.id),
            valid_from: "2021-01-01".into(),
            ..Default::default()
        },
    )
    .await
    .expect("unit after the run");
    let p = person::create_in(
        &mut tx,
        &actor(),
        NewPerson {
            family_name: "Lê".into(),
            given_name: "Minh".into(),
            ..Default::default()
        },
    )
    .await
    .expect("person after the run");
    tx.commit().await.unwrap();
    assert!(u.id > 2 * units as i64 && p > 2 * members);

    other.cleanup().await;
    crate::support::assert_roll_kept(&t.db).await;
    t.cleanup().await;
}

both_engines!(ci, ci_story);

#[test]
fn nfd_matches_unicode() {
    let letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
    let upper = letters.to_uppercase();
    for s in [
        letters,
        upper.as_str(),
        "Nguyễn Thị Ngọc Huyền",
        "Đặng Quốc Thắng",
        "Thuỷ Hoà",
    ] {
        assert_eq!(scale::nfd(s), s.nfd().collect::<String>(), "{s}");
    }
}

#[test]
fn scale_names_parse() {
    assert_eq!("ci".parse::<Scale>(), Ok(Scale::Ci));
    assert_eq!("province".parse::<Scale>(), Ok(Scale::Province));
    assert_eq!("nation".parse::<Scale>(), Ok(Scale::Nation));
    assert!("world".parse::<Scale>().is_err());
    let n = Scale::Nation.shape();
    assert_eq!(
        (n.top, n.intermediate, n.grassroots, n.cells, n.members),
        (40, 3_600, 52_000, 270_000, 5_600_000)
    );
}
