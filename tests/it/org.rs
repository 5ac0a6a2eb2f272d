//! The org tree over time on both engines: the demo's real history (the
//! 2019 merger, the 2025 dissolution), each kind of restructuring, name
//! order, and member import.
use time::{Date, macros::date};
use trienkhai_core::{Code, name::NameOrder};
use trienkhai_db::{
    Actor, Db, DbError, Engine, counter, member,
    person::{self, NewPerson},
    restructure::{self, Change, Order, Target},
    unit::{self, NewUnit},
};

use crate::{
    both_engines,
    support::{Client, TestApp, TestDb, assert_roll_kept, top_unit},
};

fn actor() -> Actor {
    Actor::system("test")
}

async fn codes_under(db: &Db, code: &str, day: Date) -> Vec<String> {
    let Some(u) = unit::by_code(db, code).await.unwrap() else {
        return vec![];
    };
    let Some(then) = unit::at(db, u.id, day).await.unwrap() else {
        return vec![];
    };
    let mut out: Vec<String> = unit::list(db, Some(&then.path), day, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|x| x.parent_id == Some(u.id))
        .map(|x| x.code)
        .collect();
    out.sort();
    out
}

async fn members_on(db: &Db, code: &str, day: Date) -> usize {
    let u = unit::by_code(db, code).await.unwrap().unwrap();
    match unit::at(db, u.id, day).await.unwrap() {
        Some(then) => member::list(db, &then.path, day, None, 1000)
            .await
            .unwrap()
            .len(),
        None => 0,
    }
}

/// On a day the kept roll sizes are exact for, each sub-unit's total (a sum
/// of kept sizes) equals its roll counted member by member.
async fn assert_subtrees_counted(db: &Db, root_code: &str) {
    let day = trienkhai_core::fmt::today_vn();
    let root = unit::by_code(db, root_code).await.unwrap().unwrap();
    let root = unit::at(db, root.id, day).await.unwrap().unwrap();
    for u in unit::list(db, Some(&root.path), day, None, 1000)
        .await
        .unwrap()
    {
        for c in unit::children(db, &u, day, unit::Members::Subtree)
            .await
            .unwrap()
        {
            let counted = members_on(db, &c.unit.code, day).await as i64;
            assert_eq!(c.members, counted, "{} under {}", c.unit.code, u.code);
        }
    }
}

async fn demo_history_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let top = top_unit(db).await.unwrap();
    let before = date!(2019 - 07 - 31);
    let between = date!(2020 - 06 - 30);
    let after = date!(2025 - 03 - 01);

    // Before the merger: two blocs side by side.
    let blocs = codes_under(db, "TINH", before).await;
    assert_eq!(blocs, ["DKDN", "DUK"]);
    assert_eq!(
        codes_under(db, "DKDN", before).await,
        ["CAPNUOC", "DIENLUC", "XSKT"]
    );
    assert_eq!(codes_under(db, "DUK", before).await.len(), 8);
    let enterprise_members = members_on(db, "DKDN", before).await;
    let agency_members = members_on(db, "DUK", before).await;
    assert!(enterprise_members > 3 && agency_members > 100);

    // Between: one bloc holds both, no member counted twice or lost.
    assert_eq!(codes_under(db, "TINH", between).await, ["DUK"]);
    assert_eq!(codes_under(db, "DUK", between).await.len(), 11);
    assert_eq!(
        members_on(db, "DUK", between).await,
        agency_members + enterprise_members
    );
    assert_eq!(members_on(db, "DKDN", between).await, 0);
    assert_eq!(
        members_on(db, "TINH", between).await,
        agency_members + enterprise_members
    );
    let dkdn = unit::by_code(db, "DKDN").await.unwrap().unwrap();
    assert_eq!(dkdn.valid_to.as_deref(), Some("2019-07-31"));
    assert!(unit::at(db, dkdn.id, between).await.unwrap().is_none());
    // A unit that moved keeps its identity and its members.
    let dl_before = members_on(db, "DIENLUC", before).await;
    assert_eq!(members_on(db, "DIENLUC", between).await, dl_before);

    // After the 2025 dissolution: the two new committees share the units.
    assert_eq!(codes_under(db, "TINH", after).await, ["DCQD", "DUBND"]);
    assert_eq!(
        codes_under(db, "DCQD", after).await,
        ["BAOTINH", "BTGTU", "HNBT", "VPTU"]
    );
    assert_eq!(codes_under(db, "DUBND", after).await.len(), 7);
    assert_eq!(
        members_on(db, "TINH", after).await,
        agency_members + enterprise_members,
        "every member still counted once"
    );
    assert_eq!(members_on(db, "DUK", after).await, 0);
    // The bloc's own roll (the enterprise bloc's office, moved in 2019) went on.
    let sct = unit::by_code(db, "SCT").await.unwrap().unwrap();
    let sct_2019 = unit::at(db, sct.id, between).await.unwrap().unwrap();
    let sct_now = unit::at(db, sct.id, after).await.unwrap().unwrap();
    assert_ne!(
        sct_2019.path, sct_now.path,
        "the same unit under a new parent"
    );
    assert_eq!(
        sct.path, sct_now.path,
        "the unit row mirrors the latest state"
    );

    // Lineage on both sides of each change.
    let duk = unit::by_code(db, "DUK").await.unwrap().unwrap();
    let h = restructure::history(db, duk.id).await.unwrap();
    assert_eq!(
        h.iter().map(|e| e.decision.as_str()).collect::<Vec<_>>(),
        ["1100-QĐ/TU", "215-QĐ/TU"]
    );
    assert_eq!(h[0].kind, "merge");
    assert_eq!(h[0].from_unit_id, dkdn.id);
    assert_eq!(h[1].kind, "dissolve");
    assert_eq!(
        h[1].to_name.as_deref(),
        Some("Đảng bộ các cơ quan Đảng tỉnh")
    );
    // Positions of the dissolved bloc ended with it.
    let secretaries = |d: &'static str| {
        let db = db.clone();
        async move {
            trienkhai_db::dashboard::panels(&db, duk.id, d, false)
                .await
                .unwrap()
                .leaders
        }
    };
    assert!(!secretaries("2025-01-31").await.is_empty());
    assert!(secretaries("2025-02-01").await.is_empty());
    assert!(top.valid_to.is_none());
    assert_eq!(
        counter::all(db).await.unwrap(),
        counter::recount(db).await.unwrap()
    );
    assert_roll_kept(&t.db).await;
    assert_subtrees_counted(db, &top.code).await;
    t.cleanup().await;
}
both_engines!(demo_history, demo_history_story);

fn new_unit(code: &str, name: &str, parent: Option<i64>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        type_code: "dang_bo_co_so".into(),
        parent_id: parent,
        issuer_code: None,
        valid_from: "2010-01-01".into(),
        valid_to: None,
    }
}

async fn add_unit(db: &Db, code: &str, parent: Option<i64>) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = unit::create_in(
        &mut tx,
        &actor(),
        new_unit(code, &format!("Đảng bộ {code}"), parent),
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    id
}

async fn add_members(db: &Db, unit_id: i64, names: &[(&str, &str, &str, Option<&str>)]) {
    let mut tx = db.begin().await.unwrap();
    for (f, m, g, b) in names {
        let p = NewPerson {
            family_name: f.to_string(),
            middle_name: m.to_string(),
            given_name: g.to_string(),
            birth_date: b.map(Into::into),
            ..Default::default()
        };
        let id = person::create_in(&mut tx, &actor(), p).await.unwrap();
        person::add_membership_in(&mut tx, id, unit_id, "official", "2010-01-01")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn order(change: Change, day: &str) -> Order {
    Order {
        change,
        effective_on: day.into(),
        decision: "12-QĐ/ĐUK".into(),
    }
}

/// The indexes of `person` and `membership`, by name.
async fn indexes(db: &Db) -> Vec<String> {
    let mut names: Vec<String> = match db {
        Db::Sqlite(p, ..) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index'
             AND tbl_name IN ('person', 'membership')",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Db::Postgres(p, _) => sqlx::query_scalar(
            "SELECT indexname::text FROM pg_indexes
             WHERE tablename IN ('person', 'membership')",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    names.sort();
    names
}

async fn row_count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        Db::Sqlite(p, ..) => {
            sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
        }
        Db::Postgres(p, _) => {
            sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
        }
    }
    .unwrap()
    .0
}

async fn restructure_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = &t.db;
    let top = add_unit(db, "TOP", None).await;
    let a = add_unit(db, "KA", Some(top)).await;
    let b = add_unit(db, "KB", Some(top)).await;
    let a1 = add_unit(db, "KA1", Some(a)).await;
    let a2 = add_unit(db, "KA2", Some(a)).await;
    add_members(
        db,
        a,
        &[("Lê", "Văn", "An", None), ("Trần", "Thị", "Bình", None)],
    )
    .await;
    add_members(db, a1, &[("Phạm", "Văn", "Cường", None)]).await;
    let rows_before = row_count(db, "membership").await;

    // Preview is the commit, rolled back; a stale fingerprint is refused.
    let split = || Change::Split {
        source: a,
        parts: vec![
            new_unit("AX", "Đảng bộ AX", None),
            new_unit("AY", "Đảng bộ AY", None),
        ],
        children: vec![(a1, 0), (a2, 1)],
        members_to: 1,
    };
    let plan = restructure::preview(db, &actor(), order(split(), "01/03/2021"))
        .await
        .unwrap();
    assert_eq!(plan.created, ["Đảng bộ AX", "Đảng bộ AY"]);
    assert_eq!(plan.ended, ["Đảng bộ KA"]);
    assert_eq!(plan.members_moved(), 2);
    assert_eq!(plan.moved.len(), 2);
    assert!(
        unit::by_code(db, "AX").await.unwrap().is_none(),
        "preview wrote nothing"
    );
    let stale = restructure::apply(db, &actor(), order(split(), "01/03/2021"), Some("abc")).await;
    assert!(matches!(stale, Err(DbError::Refused(Code::StaleForm))));
    let done = restructure::apply(
        db,
        &actor(),
        order(split(), "01/03/2021"),
        Some(&plan.fingerprint()),
    )
    .await
    .unwrap();
    let ax = unit::by_code(db, "AX").await.unwrap().unwrap();
    let ay = unit::by_code(db, "AY").await.unwrap().unwrap();
    assert_eq!(done.successor, Some(ax.id));
    assert_eq!(codes_under(db, "AX", date!(2021 - 03 - 01)).await, ["KA1"]);
    assert_eq!(codes_under(db, "AY", date!(2021 - 03 - 01)).await, ["KA2"]);
    assert_eq!(
        codes_under(db, "KA", date!(2021 - 02 - 28)).await,
        ["KA1", "KA2"]
    );
    assert_eq!(
        members_on(db, "AY", date!(2021 - 03 - 01)).await,
        2,
        "A's own two members; A2 has none"
    );
    assert_eq!(members_on(db, "AX", date!(2021 - 03 - 01)).await, 1);
    assert_eq!(members_on(db, "KA", date!(2021 - 02 - 28)).await, 3);
    assert_eq!(
        row_count(db, "membership").await,
        rows_before + 2,
        "old rows kept, closed"
    );

    // Rename: one unit, new name from the day; the old name stays in history.
    restructure::apply(
        db,
        &actor(),
        order(
            Change::Rename {
                unit: ay.id,
                name: "Đảng bộ Ngân hàng".into(),
            },
            "2022-01-01",
        ),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        unit::at(db, ay.id, date!(2021 - 12 - 31))
            .await
            .unwrap()
            .unwrap()
            .name,
        "Đảng bộ AY"
    );
    assert_eq!(
        unit::at(db, ay.id, date!(2022 - 01 - 01))
            .await
            .unwrap()
            .unwrap()
            .name,
        "Đảng bộ Ngân hàng"
    );
    assert_eq!(
        codes_under(db, "AY", date!(2022 - 01 - 01)).await,
        ["KA2"],
        "children keep their parent"
    );

    // Transfer: the subtree moves; a cycle and an out-of-order date are refused.
    let cycle = restructure::apply(
        db,
        &actor(),
        order(
            Change::Transfer {
                unit: ax.id,
                parent: a1,
            },
            "2022-06-01",
        ),
        None,
    )
    .await;
    assert!(
        matches!(cycle, Err(DbError::Invalid(ref e)) if e[0].code == Code::TreeCycle),
        "{cycle:?}"
    );
    let early = restructure::apply(
        db,
        &actor(),
        order(
            Change::Transfer {
                unit: ay.id,
                parent: b,
            },
            "2021-06-01",
        ),
        None,
    )
    .await;
    assert!(
        matches!(early, Err(DbError::Invalid(ref e)) if e[0].code == Code::EffectiveTooEarly),
        "{early:?}"
    );
    restructure::apply(
        db,
        &actor(),
        order(
            Change::Transfer {
                unit: ay.id,
                parent: b,
            },
            "2022-06-01",
        ),
        None,
    )
    .await
    .unwrap();
    assert_eq!(codes_under(db, "KB", date!(2022 - 06 - 01)).await, ["AY"]);
    let a2_now = unit::at(db, a2, date!(2022 - 06 - 01))
        .await
        .unwrap()
        .unwrap();
    assert!(
        a2_now.path.starts_with(&format!("/{top}/{b}/{}/", ay.id)),
        "{}",
        a2_now.path
    );
    let a2_then = unit::at(db, a2, date!(2022 - 05 - 31))
        .await
        .unwrap()
        .unwrap();
    assert!(a2_then.path.starts_with(&format!("/{top}/{}/", ay.id)));

    // Merge into a new unit; a dissolve that would strand members is refused.
    let merge = Change::Merge {
        sources: vec![ax.id, b],
        target: Target::New(new_unit("KC", "Đảng bộ KC", None)),
    };
    restructure::apply(db, &actor(), order(merge, "2023-01-01"), None)
        .await
        .unwrap();
    assert_eq!(
        codes_under(db, "KC", date!(2023 - 01 - 01)).await,
        ["AY", "KA1"]
    );
    assert_eq!(members_on(db, "KC", date!(2023 - 01 - 01)).await, 3);
    let c = unit::by_code(db, "KC").await.unwrap().unwrap();
    let stranded = restructure::apply(
        db,
        &actor(),
        order(
            Change::Dissolve {
                unit: c.id,
                children: vec![],
                members_to: None,
            },
            "2024-01-01",
        ),
        None,
    )
    .await;
    assert!(matches!(stranded, Err(DbError::Invalid(ref e)) if e[0].code == Code::NeedsReceiver));
    // Nor may a unit end with someone joining it after the day.
    let kf = add_unit(db, "KF", Some(ay.id)).await;
    let mut tx = db.begin().await.unwrap();
    let p = NewPerson {
        family_name: "Lê".into(),
        given_name: "Hòa".into(),
        ..Default::default()
    };
    let pid = person::create_in(&mut tx, &actor(), p).await.unwrap();
    person::add_membership_in(&mut tx, pid, kf, "official", "2024-06-01")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let dissolve = Change::Dissolve {
        unit: kf,
        children: vec![],
        members_to: None,
    };
    let later = restructure::apply(db, &actor(), order(dissolve, "2024-01-01"), None).await;
    assert!(matches!(later, Err(DbError::Invalid(ref e)) if e[0].code == Code::NeedsReceiver));
    restructure::apply(
        db,
        &actor(),
        order(
            Change::Dissolve {
                unit: c.id,
                children: vec![(a1, top), (ay.id, top)],
                members_to: Some(ay.id),
            },
            "2024-01-01",
        ),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        codes_under(db, "TOP", date!(2024 - 01 - 01)).await,
        ["AY", "KA1"]
    );
    assert_eq!(members_on(db, "TOP", date!(2024 - 01 - 01)).await, 3);
    assert_eq!(members_on(db, "TOP", date!(2015 - 01 - 01)).await, 3);
    let lineage = restructure::history(db, ay.id).await.unwrap();
    assert_eq!(
        lineage.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["split", "rename", "transfer", "dissolve"]
    );
    assert_roll_kept(&t.db).await;
    assert_subtrees_counted(db, "TOP").await;
    t.cleanup().await;
}
both_engines!(restructuring, restructure_story);

async fn name_order_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = &t.db;
    let u = add_unit(db, "UU", None).await;
    let nfd = |s: &str| {
        use unicode_normalization::UnicodeNormalization;
        s.nfd().collect::<String>()
    };
    let (hoa_nfd, thuy_nfd) = (nfd("Hoà"), nfd("Thủy"));
    add_members(
        db,
        u,
        &[
            ("Nguyễn", "Văn", "Hoà", Some("1980-01-01")),
            ("Lê", "Thị", &hoa_nfd, Some("1975-05-05")),
            ("Tôn Nữ", "Thị", "Ánh", None),
            ("Âu Dương", "Minh", "Anh", None),
            ("Đặng", "Văn", "Anh", None),
            ("Dương", "Văn", "Anh", None),
            ("Nguyễn", "Văn", "Hòa", Some("1970-01-01")),
            ("Trần", "Thị", &thuy_nfd, None),
            ("Trần", "Thị", "Thuỷ", Some("1960-01-01")),
            ("Phạm", "Thị", "Ước", None),
            ("Bùi", "Thị", "Uyên", None),
        ],
    )
    .await;
    let path = unit::get(db, u).await.unwrap().unwrap().path;
    let today = trienkhai_core::fmt::today_vn();
    let names = |list: Vec<member::Member>| {
        list.iter()
            .map(|m| {
                format!(
                    "{} {}",
                    m.full_name(),
                    m.person.birth_date.as_deref().unwrap_or("")
                )
                .trim()
                .to_string()
            })
            .collect::<Vec<_>>()
    };
    let all = member::list(db, &path, today, None, 100).await.unwrap();
    let expected = [
        "Âu Dương Minh Anh",
        "Dương Văn Anh",
        "Đặng Văn Anh",
        "Tôn Nữ Thị Ánh",
        "Lê Thị Hoà 1975-05-05",
        "Nguyễn Văn Hòa 1970-01-01",
        "Nguyễn Văn Hoà 1980-01-01",
        "Trần Thị Thuỷ 1960-01-01",
        "Trần Thị Thủy",
        "Bùi Thị Uyên",
        "Phạm Thị Ước",
    ];
    assert_eq!(names(all.clone()), expected);
    assert!(
        all.iter()
            .all(|m| m.person.given_name == trienkhai_core::text::nfc(&m.person.given_name)),
        "stored as NFC"
    );
    // Keyset pages of 4 give the same order.
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = member::list(db, &path, today, after.as_deref(), 4)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.cursor());
        paged.extend(page);
    }
    assert_eq!(names(paged), expected);
    // The other configured order: tên, tên đệm, họ.
    person::sync_name_order(db, NameOrder::GivenMiddleFamily)
        .await
        .unwrap();
    let other = names(member::list(db, &path, today, None, 100).await.unwrap());
    assert_eq!(
        other[..3],
        ["Âu Dương Minh Anh", "Dương Văn Anh", "Đặng Văn Anh"].map(String::from)
    );
    person::sync_name_order(db, NameOrder::Official)
        .await
        .unwrap();
    assert_roll_kept(&t.db).await;
    t.cleanup().await;
}
both_engines!(name_order, name_order_story);

fn temp_file(dir: &crate::support::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.0.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const MAX: u64 = 20 * 1024 * 1024;

async fn import_story(engine: Engine) {
    use trienkhai_db::member_import::{self, ImportError, Limits};
    let t = TestDb::new(engine).await;
    let db = &t.db;
    let u = add_unit(db, "SO", None).await;
    let mut tx = db.begin().await.unwrap();
    for (code, name) in [("SO-CB1", "Chi bộ 1"), ("SO-CB2", "Chi bộ 2")] {
        unit::create_in(&mut tx, &actor(), new_unit(code, name, Some(u)))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let dir = crate::support::TempDir::new();
    let persons = || row_count(db, "person");

    // 10.000 rows with one bad date: refused whole, the row named, nothing written.
    let mut csv = String::from("STT;Họ và tên;Ngày sinh;Loại;Mã đơn vị\n");
    for i in 1..=10_000 {
        let birth = if i == 5_000 {
            "31/02/1980".to_string()
        } else {
            format!("{:02}/{:02}/{}", 1 + i % 28, 1 + i % 12, 1950 + i % 50)
        };
        let unit = if i % 2 == 0 { "SO-CB1" } else { "" };
        let name = letters(i);
        csv.push_str(&format!(
            "{i};Nguyễn Văn {name};{birth};Chính thức;{unit}\n"
        ));
    }
    let before = persons().await;
    let indexes_before = indexes(db).await;
    // Loaded in bulk (indexes set aside, put back before the commit).
    let bulk = Limits {
        bulk_from_rows: 1,
        ..Limits::new(MAX)
    };
    let bad = temp_file(&dir, "bad.csv", csv.as_bytes());
    let r = member_import::run(db, &actor(), &bad, "SO", bulk, true)
        .await
        .unwrap();
    assert!(!r.written);
    assert_eq!(r.error_count, 1);
    assert_eq!(r.errors[0].row, 5_001, "row numbers count the header line");
    assert!(
        r.errors[0].message.contains("Ngày sinh"),
        "{}",
        r.errors[0].message
    );
    assert_eq!(persons().await, before, "nothing written");
    assert_eq!(indexes(db).await, indexes_before, "indexes rolled back");

    // The same file with the row fixed imports; importing it again adds nothing.
    let good = temp_file(
        &dir,
        "good.csv",
        csv.replace("31/02/1980", "28/02/1980").as_bytes(),
    );
    let preview = member_import::run(db, &actor(), &good, "SO", bulk, false)
        .await
        .unwrap();
    assert!(!preview.written && preview.error_count == 0 && preview.new_people == 10_000);
    assert_eq!(persons().await, before, "a preview writes nothing");
    let r = member_import::run(db, &actor(), &good, "SO", bulk, true)
        .await
        .unwrap();
    assert!(r.written, "{:?}", r.errors.first());
    assert_eq!((r.new_people, r.new_members), (10_000, 10_000));
    assert_eq!(indexes(db).await, indexes_before, "indexes put back");
    // Again, row by row against who is on file held in memory, then with
    // every batch looked up (as with a national roll on file).
    for limits in [
        Limits {
            bulk_from_rows: u64::MAX,
            ..Limits::new(MAX)
        },
        Limits {
            hold_on_file: 0,
            ..Limits::new(MAX)
        },
    ] {
        let again = member_import::run(db, &actor(), &good, "SO", limits, true)
            .await
            .unwrap();
        assert_eq!(
            (again.new_people, again.new_members, again.unchanged),
            (0, 0, 10_000),
            "{limits:?}"
        );
    }
    assert_eq!(persons().await, before + 10_000, "no duplicates");
    let path = unit::get(db, u).await.unwrap().unwrap().path;
    let today = trienkhai_core::fmt::today_vn();
    let cb = unit::by_code(db, "SO-CB1").await.unwrap().unwrap();
    assert_eq!(
        member::list(db, &cb.path, today, None, 1000)
            .await
            .unwrap()
            .len(),
        1000
    );
    assert_eq!(
        member::list(db, &path, today, None, 1000)
            .await
            .unwrap()
            .len(),
        1000,
        "a page"
    );
    assert_eq!(
        counter::all(db).await.unwrap(),
        counter::recount(db).await.unwrap()
    );

    // A file in TCVN3 (.VnTime) imports as correct Unicode.
    let tcvn3: Vec<u8> = [
        &b"H\xe4,T\xaan \xae\xd6m,T\xaan,Ng\xb5y sinh\r\n"[..],
        b"Nguy\xd4n,V\xa8n,H\xdfa,01/02/1980\r\n",
        b"Tr\xc7n,Th\xde,Th\xf1y,03/04/1975\r\n",
        b"\xa7\xc6ng,\xa7\xf8c,\xa6\xedc,05/06/1990\r\n",
    ]
    .concat();
    let f = temp_file(&dir, "vntime.csv", &tcvn3);
    let r = member_import::run(db, &actor(), &f, "SO-CB2", Limits::new(MAX), true)
        .await
        .unwrap();
    assert!(r.written, "{:?}", r.errors);
    assert_eq!(r.encoding, "TCVN3 (ABC)");
    let cb2 = unit::by_code(db, "SO-CB2").await.unwrap().unwrap();
    let names: Vec<String> = member::list(db, &cb2.path, today, None, 1000)
        .await
        .unwrap()
        .iter()
        .map(|m| m.full_name())
        .collect();
    assert_eq!(
        names,
        ["Nguyễn Văn Hòa", "Trần Thị Thủy", "Đặng Đức Ước"],
        "by tên"
    );

    // Files that are not member lists get a clear message, never a crash.
    let empty = temp_file(&dir, "empty.csv", b"");
    let png = temp_file(&dir, "anh.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    let big = dir.0.join("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    for (f, expect) in [(empty, "rỗng"), (png, "không phải"), (big, "20 MB")] {
        let e = member_import::run(db, &actor(), &f, "SO", Limits::new(MAX), true)
            .await
            .unwrap_err();
        assert!(matches!(e, ImportError::Sheet(_)));
        assert!(e.to_string().contains(expect), "{}: {e}", f.display());
    }
    assert_eq!(persons().await, before + 10_003);
    assert_roll_kept(&t.db).await;
    t.cleanup().await;
}
both_engines!(member_import, import_story);

/// 1 → "Ba", 2 → "Bb", …: distinct letter-only given names.
fn letters(mut n: usize) -> String {
    let mut s = String::from("B");
    while n > 0 {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}

async fn upload(c: &Client, unit_id: i64, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let token = c.csrf(&format!("/units/{unit_id}/import")).await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = c
        .http
        .post(format!("{}/units/{unit_id}/import?_csrf={token}", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn pages_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let app = TestApp::spawn(db).await;
    let c = app.client();
    c.login_ok("canbo", trienkhai_db::demo::PASSWORD).await;

    // The tree as of a day, before the merger and after the dissolution.
    let (s, html) = c.text("/units?as_of=31/07/2019").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Đảng bộ Khối Doanh nghiệp tỉnh")
            && !html.contains("Đảng bộ các cơ quan Đảng tỉnh")
    );
    let (_, html) = c.text("/units?as_of=2026-01-01").await;
    assert!(
        !html.contains("Đảng bộ Khối Doanh nghiệp tỉnh")
            && html.contains("Đảng bộ các cơ quan Đảng tỉnh")
    );
    let (s, html) = c.text("/units?as_of=31/02/2020").await;
    assert_eq!(s, 200, "a bad date is a field message, not an error page");
    assert!(html.contains(Code::InvalidDate.message()));

    // The bloc's page: lineage both ways, terms with the ordinal as written.
    let duk = unit::by_code(db, "DUK").await.unwrap().unwrap();
    let (_, html) = c.text(&format!("/units/{}?as_of=01/01/2020", duk.id)).await;
    assert!(
        html.contains("Tiếp nhận từ Đảng bộ Khối Doanh nghiệp tỉnh"),
        "{html}"
    );
    assert!(html.contains("Chuyển sang Đảng bộ các cơ quan Đảng tỉnh"));
    assert!(html.contains("Khóa VI, nhiệm kỳ 2020-2025") && html.contains("Trần Xuân Hựu"));
    let (_, html) = c.text(&format!("/units/{}?as_of=01/03/2025", duk.id)).await;
    assert!(html.contains("Đơn vị không tồn tại vào ngày 01/03/2025"));
    // Today's total is the whole roll below the bloc of agencies (DUK's
    // successor), summed from its sub-units' kept roll sizes (exact today),
    // and equal to a count.
    let today = trienkhai_core::fmt::today_vn();
    let exact = trienkhai_db::setting::get(db, trienkhai_db::roll::EXACT_FROM)
        .await
        .unwrap()
        .unwrap();
    assert!(exact <= trienkhai_core::fmt::iso(today), "{exact}");
    let bloc = unit::by_code(db, "DCQD").await.unwrap().unwrap();
    let (_, html) = c.text(&format!("/units/{}", bloc.id)).await;
    let total = trienkhai_core::fmt::int(members_on(db, "DCQD", today).await as i64);
    assert!(
        total != "0" && html.contains(&format!("· {total} đảng viên")),
        "{total}: {html}"
    );
    // Its parent that day, by name, from the same statement as the unit.
    let top = unit::get(db, bloc.parent_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        html.contains(&format!(
            "trực thuộc <a href=\"/units/{}?as_of={}\">{}</a>",
            top.id,
            trienkhai_core::fmt::iso(today),
            top.name
        )),
        "{html}"
    );

    // The wizard's code picker: units by folded name as one types, the
    // codes already typed kept; LIKE's wildcards are plain characters.
    let (s, html) = c
        .text("/restructure/units?source_codes=SCT,%20T%C3%A0i%20ch")
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("value=\"SCT, STC\""), "{html}");
    let (_, html) = c.text("/restructure/units?unit_code=%25").await;
    assert!(!html.contains("<option"), "{html}");

    // Export, then import the export back: nothing changes.
    let sct = unit::by_code(db, "SCT").await.unwrap().unwrap();
    let r = c.get(&format!("/units/{}/export?format=csv", sct.id)).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("dang-vien-sct-")
    );
    let csv = r.bytes().await.unwrap().to_vec();
    assert!(String::from_utf8_lossy(&csv).starts_with("\u{feff}Họ,Tên đệm,Tên,Ngày sinh"));
    let r = c
        .get(&format!("/units/{}/export?format=xlsx", sct.id))
        .await;
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    let (s, html) = upload(&c, sct.id, "sct.csv", csv.clone()).await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("0 người mới") && html.contains("confirm-form"),
        "{html}"
    );

    // A new member: preview, confirm, then on the roll.
    let mut one = b"H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan;Ng\xc3\xa0y sinh\n".to_vec();
    one.extend_from_slice("Tôn Nữ Thị Hoà;02/08/1990\n".as_bytes());
    let (s, html) = upload(&c, sct.id, "moi.csv", one).await;
    assert_eq!(s, 200, "{html}");
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .submit(
            &format!("/units/{}/import", sct.id),
            &format!("/units/{}/import/confirm", sct.id),
            &[("token", &token)],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("import-done"), "{html}");
    let (_, page) = c.text(&format!("/units/{}", sct.id)).await;
    assert!(page.contains("Tôn Nữ Thị Hoà"));
    // The same token again is stale: the upload is gone once written.
    let r = c
        .submit(
            &format!("/units/{}/import", sct.id),
            &format!("/units/{}/import/confirm", sct.id),
            &[("token", &token)],
        )
        .await;
    assert_eq!(r.status(), 409);

    // Bad files: a clear message on the form, nothing written, never a 500.
    let people = row_count(db, "person").await;
    for (name, bytes, expect) in [
        (
            "anh.xlsx",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "không phải",
        ),
        ("rong.csv", Vec::new(), "rỗng"),
        (
            "sai.csv",
            "Họ và tên;Ngày sinh\nLê Văn An;99/99/1990\n"
                .as_bytes()
                .to_vec(),
            "99/99/1990",
        ),
    ] {
        let (s, html) = upload(&c, sct.id, name, bytes).await;
        assert_eq!(s, 422, "{name}");
        assert!(html.contains(expect), "{name}: {html}");
    }
    let big = vec![b'a'; 21 * 1024 * 1024];
    let (s, html) = upload(&c, sct.id, "lon.csv", big).await;
    assert_eq!(s, 413);
    assert!(html.contains("Tệp quá lớn: tối đa 20 MB"), "{html}");
    assert_eq!(row_count(db, "person").await, people);

    // A member sees their unit but not its roll.
    let m = app.client();
    m.login_ok("dangvien", trienkhai_db::demo::PASSWORD).await;
    let (s, html) = m.text(&format!("/units/{}", sct.id)).await;
    assert_eq!(s, 200);
    assert!(!html.contains("member-list"));
    assert_eq!(
        m.get(&format!("/units/{}/export", sct.id)).await.status(),
        403
    );

    // The API covers the same ground.
    let admin = trienkhai_db::user::by_username(db, "quantri")
        .await
        .unwrap()
        .unwrap();
    let tok = trienkhai_db::token::create(db, &actor(), admin.id, "t")
        .await
        .unwrap();
    let u = app
        .api_json(&tok, &format!("/api/v1/units/{}?as_of=2020-01-01", duk.id))
        .await;
    assert_eq!(u["lineage"][0]["kind"], "merge");
    assert_eq!(u["children"].as_array().unwrap().len(), 11);
    // Each child with its own roll, as the tree page counts it.
    let day = date!(2020 - 01 - 01);
    let then = unit::at(db, duk.id, day).await.unwrap().unwrap();
    let own: Vec<i64> = unit::tree(db, &then.path, day, 1000)
        .await
        .unwrap()
        .unwrap()
        .into_iter()
        .filter(|n| n.unit.parent_id == Some(duk.id))
        .map(|n| n.members)
        .collect();
    let got: Vec<i64> = u["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["members"].as_i64().unwrap())
        .collect();
    assert_eq!(got, own);
    assert!(own.iter().sum::<i64>() > 0);
    let list = app
        .api_json(&tok, &format!("/api/v1/units/{}/members?limit=5", sct.id))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    let next = list["next"].as_str().unwrap().to_string();
    let more = app
        .api_json(
            &tok,
            &format!(
                "/api/v1/units/{}/members?limit=5&after={}",
                sct.id,
                urlencode(&next)
            ),
        )
        .await;
    assert_ne!(more["items"][0]["id"], list["items"][0]["id"]);
    let pid = list["items"][0]["id"].as_i64().unwrap();
    let p = app.api_json(&tok, &format!("/api/v1/people/{pid}")).await;
    assert!(!p["memberships"].as_array().unwrap().is_empty());
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/restructure"))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"kind": "rename", "unit_code": "SCT", "name": "Đảng bộ Sở Công Thương tỉnh",
            "effective_on": "01/06/2026", "decision": "50-QĐ/ĐU", "dry_run": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let plan: serde_json::Value = r.json().await.unwrap();
    assert_eq!(plan["plan"]["renamed"][1], "Đảng bộ Sở Công Thương tỉnh");
    assert_eq!(
        unit::get(db, sct.id).await.unwrap().unwrap().name,
        "Đảng bộ Sở Công Thương",
        "dry run"
    );
    assert_roll_kept(&t.db).await;
    t.cleanup().await;
}
both_engines!(pages, pages_story);

/// Past `TREE_WHOLE` units the tree page shows the root's sub-units with
/// their subtree totals, and ▸ opens a level (an htmx partial); a small
/// tree is shown whole. Opening a unit outside one's scope is refused.
async fn tree_by_level_story(engine: Engine) {
    use trienkhai_web::TREE_WHOLE;
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let app = TestApp::spawn(db).await;
    let c = app.client();
    c.login_ok("canbo", trienkhai_db::demo::PASSWORD).await;
    let (_, whole) = c.text("/units").await;
    assert!(!whole.contains("class=\"toggle\""), "a small tree is whole");
    let members = whole
        .split(" đơn vị, ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_string();

    let dcqd = unit::by_code(db, "DCQD").await.unwrap().unwrap();
    let chi_bo = "chi_bo_co_so";
    crate::support::add_units(db, dcqd.id, TREE_WHOLE, "CBT", "Chi bộ thôn Đông", chi_bo).await;

    let (s, html) = c.text("/units").await;
    assert_eq!(s, 200);
    assert!(html.contains("Cây lớn nên mở từng cấp"), "{html}");
    assert!(
        html.contains(&format!("{members} đảng viên, ")),
        "the same total, from the sub-units' counts: {members}: {html}"
    );
    assert!(!html.contains("Chi bộ thôn Đông 017"), "not read yet");
    let open = format!("/units/{}/children?as_of=", dcqd.id);
    assert!(html.contains(&open), "DCQD opens: {html}");

    let day = trienkhai_core::fmt::iso(trienkhai_core::fmt::today_vn());
    let path = format!("{open}{day}&depth=1");
    let part = |c: &Client, path: String| {
        let r = c.http.get(app.url(&path)).header("hx-request", "true");
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, rows) = part(&c, path.clone()).await;
    assert_eq!(s, 200);
    assert!(!rows.contains("<html"), "a partial");
    assert!(rows.contains("Chi bộ thôn Đông 017") && rows.contains("▾"));
    assert!(
        rows.contains("padding-left: 80px"),
        "one level deeper: {rows}"
    );
    let r = c.get(&path).await;
    assert_eq!(r.status().as_u16(), 303, "without htmx: the unit's page");
    assert!(crate::support::location(&r).starts_with(&format!("/units/{}?", dcqd.id)));

    let sec = app.client();
    sec.login_ok("bithu", trienkhai_db::demo::PASSWORD).await;
    let top = top_unit(db).await.unwrap();
    let (s, _) = part(&sec, format!("/units/{}/children?depth=0", top.id)).await;
    assert_eq!(s, 403);
    assert_roll_kept(&t.db).await;
    t.cleanup().await;
}
both_engines!(tree_by_level, tree_by_level_story);

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
