//! The document register on both engines: numbering under concurrency,
//! search without diacritics, citations, and refusals that write nothing.
use std::collections::BTreeSet;

use trienkhai_core::Code;
use trienkhai_db::{
    Actor, Db, DbError, Engine, audit, counter,
    document::{self, Common, Incoming, Outgoing, citation, search},
    unit,
};

use crate::{both_engines, support::TestDb};

fn clerk() -> Actor {
    Actor::system("văn thư")
}

fn incoming(symbol: &str, date: &str, subject: &str) -> Incoming {
    Incoming {
        symbol: symbol.into(),
        common: Common {
            issued_on: date.into(),
            subject: subject.into(),
            ..Common::default()
        },
    }
}

fn report(unit_id: i64, subject: String) -> Outgoing {
    Outgoing {
        unit_id,
        type_code: "BC".into(),
        place: "Phan Thiết".into(),
        signer_title: "Bí thư".into(),
        signer: "Trần Đình Quế".into(),
        common: Common {
            issued_on: "2026-03-02".into(),
            body: "BTV".into(),
            subject,
            ..Common::default()
        },
        ..Outgoing::default()
    }
}

fn field_code(e: DbError) -> (&'static str, Code) {
    match e {
        DbError::Invalid(f) => (f[0].field, f[0].code),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn audit_len(db: &Db) -> usize {
    audit::list(db, &audit::Filter::default(), 10_000)
        .await
        .unwrap()
        .len()
}

async fn numbering_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let duk = unit::by_code(&t.db, "DUK").await.unwrap().unwrap().id;
    let mut tasks = Vec::new();
    for task in 0..8 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..25 {
                let d = report(duk, format!("Báo cáo số liệu đợt {task}-{i}"));
                let id = document::issue(&db, &clerk(), d).await.expect("issue");
                got.push(document::get(&db, id).await.unwrap().unwrap().number);
            }
            got
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.extend(task.await.unwrap());
    }
    let distinct: BTreeSet<i64> = numbers.iter().map(|n| n.parse().unwrap()).collect();
    assert_eq!(numbers.len(), 200);
    // The register's filter offers the new issuer, each code once, in order.
    let issuers = document::issuers(&t.db).await.unwrap();
    assert!(issuers.iter().any(|c| c == "ĐUK"), "{issuers:?}");
    assert!(issuers.windows(2).all(|w| w[0] < w[1]), "{issuers:?}");
    assert_eq!(distinct, (1..=200).collect(), "no duplicates, no gaps");
    assert!(
        numbers.contains(&"07".to_string()),
        "numbers below 10 padded"
    );

    // A manual number is audited and the series moves past it.
    let mut d = report(duk, "Báo cáo nhập số tay".into());
    d.manual_number = "250".into();
    let id = document::issue(&t.db, &clerk(), d).await.unwrap();
    let doc = document::get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(doc.symbol, "250-BC/ĐUK");
    assert!(doc.manual_number);
    let entries = audit::list(&t.db, &audit::Filter::default(), 1)
        .await
        .unwrap();
    assert!(entries[0].summary.contains("số nhập tay"), "{entries:?}");
    let id = document::issue(&t.db, &clerk(), report(duk, "Tiếp theo".into()))
        .await
        .unwrap();
    let next = document::get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(next.number, "251");
    // The same manual number again is refused, and nothing is written.
    let before = audit_len(&t.db).await;
    let mut d = report(duk, "Trùng số".into());
    d.manual_number = "0250".into();
    let e = document::issue(&t.db, &clerk(), d).await.unwrap_err();
    assert_eq!(field_code(e), ("symbol", Code::DocumentExists));
    assert_eq!(audit_len(&t.db).await, before);
    // Congress documents share one series across types; a number the
    // type's own series reaches later is passed over, never stuck on.
    let mut d = report(duk, "Nghị quyết Đại hội".into());
    d.type_code = "NQ".into();
    d.common.body = "ĐH".into();
    let id = document::issue(&t.db, &clerk(), d).await.unwrap();
    assert_eq!(
        document::get(&t.db, id).await.unwrap().unwrap().number,
        "01"
    );
    let mut d = report(duk, "Nghị quyết của Ban Chấp hành".into());
    d.type_code = "NQ".into();
    let id = document::issue(&t.db, &clerk(), d).await.unwrap();
    assert_eq!(
        document::get(&t.db, id).await.unwrap().unwrap().number,
        "02"
    );
    assert_eq!(
        counter::all(&t.db).await.unwrap(),
        counter::recount(&t.db).await.unwrap()
    );
    t.cleanup().await;
}
both_engines!(numbering, numbering_story);

async fn search_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = &t.db;
    let a = clerk();
    let reg = |s: &'static str, d: &'static str, subj: &'static str| {
        let db = db.clone();
        let a = a.clone();
        async move { document::register(&db, &a, incoming(s, d, subj)).await }
    };
    let quan = reg(
        "12-KH/ĐUK",
        "2020-01-10",
        "Học tập, quán triệt Nghị quyết của Đảng ủy",
    )
    .await
    .unwrap();
    // Old tone placement, typed as NFD.
    let old = reg(
        "13-KH/ĐUK",
        "2020-01-11",
        "Hoa\u{300} Bi\u{300}nh: kế hoạch tuyên truyền",
    )
    .await
    .unwrap();
    let new = reg("14-KH/ĐUK", "2020-01-12", "Hòa Bình: báo cáo sơ kết")
        .await
        .unwrap();
    let dang = reg(
        "15-TB/ĐUK",
        "2020-01-13",
        "Thông báo về việc đăng ký dự thi",
    )
    .await
    .unwrap();
    let mut secret = incoming("16-CV/ĐUK", "2020-01-14", "Đảng ủy: công văn mật");
    secret.common.secrecy = "Mật".into();
    let secret = document::register(db, &a, secret).await.unwrap();

    let ids = |q: &'static str, see: bool| {
        let db = db.clone();
        async move {
            search::search(&db, q, see, 50)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("quan triet", false).await, [quan]);
    assert_eq!(ids("quán triệt", false).await, [quan]);
    assert_eq!(ids("qua\u{301}n trie\u{323}\u{302}t", false).await, [quan]);
    assert_eq!(ids("dang uy", false).await, [quan]);
    assert_eq!(ids("dang uy", true).await, [secret, quan]);
    assert_eq!(ids("ĐẢNG ỦY", false).await, [quan]);
    assert_eq!(ids("Ðảng ủy", false).await, [quan], "Ð look-alike");
    assert_eq!(ids("hoa binh", false).await, [new, old]);
    assert_eq!(ids("Hoà Bình", false).await, [new, old]);
    assert_eq!(ids("Hòa Bình", false).await, [new, old]);
    // Exact diacritics first: "đảng" is in one subject, "đăng" folds the same.
    assert_eq!(ids("đăng", false).await, [dang, quan]);
    assert_eq!(ids("đảng", false).await, [quan, dang]);
    assert_eq!(ids("dang", false).await, [dang, quan]);
    // By symbol, and the last word as a prefix.
    assert_eq!(ids("12-KH/ĐUK", false).await, [quan]);
    assert_eq!(ids("tuyen tru", false).await, [old]);
    assert_eq!(
        ids("quán t", false).await,
        [quan],
        "a short last word is dropped"
    );
    assert!(ids("", false).await.is_empty());
    assert!(
        ids("\"*:()", false).await.is_empty(),
        "syntax is not passed on"
    );
    t.cleanup().await;
}
both_engines!(search_docs, search_story);

async fn citation_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let db = &t.db;
    let by = |sym: &str| {
        let db = db.clone();
        let sym = sym.to_string();
        async move {
            let list = document::list(
                &db,
                &document::Filter {
                    see_secret: true,
                    ..Default::default()
                },
                1000,
            )
            .await
            .unwrap();
            list.into_iter().find(|d| d.symbol == sym).map(|d| d.id)
        }
    };
    // Every numbered document the seeds cite is registered.
    for sym in [
        "41-CT/TW",
        "42-CT/TW",
        "43-CT/TW",
        "44-CT/TW",
        "102-KL/TW",
        "05-CT/TW",
        "04-NQ/TW",
        "01-NQ/ĐUK",
        "35-NQ/TW",
    ] {
        assert!(by(sym).await.is_some(), "{sym} in the demo register");
    }
    // The bloc's 2019 report cites 35-NQ/TW with its date: resolved.
    let nq35 = by("35-NQ/TW").await.unwrap();
    let cited_by = citation::by(db, nq35, true).await.unwrap();
    assert_eq!(cited_by.len(), 1);
    assert!(cited_by[0].symbol.ends_with("-BC/ĐUK"));
    let cites = citation::of(db, cited_by[0].id, true).await.unwrap();
    assert!(
        cites
            .iter()
            .any(|c| c.target_id == Some(nq35) && c.issued_on.as_deref() == Some("2018-10-22"))
    );
    // A citation of a document not yet registered resolves when it is.
    let a = clerk();
    let plan = document::register(
        db,
        &a,
        Incoming {
            symbol: "20-KH/ĐUK".into(),
            common: Common {
                issued_on: "2024-07-02".into(),
                subject: "Thực hiện Chỉ thị số 35-CT/TW ngày 14/6/2024 của Bộ Chính trị".into(),
                ..Common::default()
            },
        },
    )
    .await
    .unwrap();
    assert_eq!(
        citation::of(db, plan, true).await.unwrap()[0].target_id,
        None
    );
    let ct35_2019 = document::register(db, &a, incoming("35-CT/TW", "2019-05-30", "Về đại hội"))
        .await
        .unwrap();
    assert_eq!(
        citation::of(db, plan, true).await.unwrap()[0].target_id,
        None
    );
    let ct35 = document::register(db, &a, incoming("35-CT/TW", "2024-06-14", "Về đại hội XIV"))
        .await
        .unwrap();
    assert_ne!(ct35, ct35_2019, "one symbol in two terms");
    assert_eq!(
        citation::of(db, plan, true).await.unwrap()[0].target_id,
        Some(ct35)
    );
    // "Chỉ thị 35" alone is ambiguous: no target, both are candidates.
    let mut d = incoming("21-KH/ĐUK", "2024-07-01", "Kế hoạch thực hiện Chỉ thị 35");
    d.common.content = "Theo Chỉ thị 35 của Bộ Chính trị.".into();
    let short = document::register(db, &a, d).await.unwrap();
    let cites = citation::of(db, short, true).await.unwrap();
    assert!(cites.iter().all(|c| c.short && c.target_id.is_none()));
    let cands = citation::candidates(db, &cites, true).await.unwrap();
    let ids: BTreeSet<i64> = cands.iter().map(|c| c.id).collect();
    assert_eq!(ids, BTreeSet::from([ct35, ct35_2019]));
    // A text of 2020 cannot cite the directive of 2024: only one fits.
    let mut d = incoming("22-KH/ĐUK", "2020-01-06", "Kế hoạch tổng kết");
    d.common.content = "Theo Chỉ thị 35 của Bộ Chính trị.".into();
    let early = document::register(db, &a, d).await.unwrap();
    let cites = citation::of(db, early, true).await.unwrap();
    assert_eq!(cites[0].target_id, Some(ct35_2019));
    // A state symbol keeps its year.
    let nd = document::register(
        db,
        &a,
        incoming("114/2014/NĐ-CP", "2014-11-26", "Quy định về đối thoại"),
    )
    .await
    .unwrap();
    let nd = document::get(db, nd).await.unwrap().unwrap();
    assert_eq!(nd.symbol, "114/2014/NĐ-CP");
    assert_eq!(nd.term_key, "2014");
    t.cleanup().await;
}
both_engines!(citations, citation_story);

async fn refusal_story(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = &t.db;
    let a = clerk();
    document::register(db, &a, incoming("35-CT/TW", "2019-05-30", "Về đại hội"))
        .await
        .unwrap();
    let before = (audit_len(db).await, counter::all(db).await.unwrap());
    for (symbol, date, want) in [
        ("35-CT/TW", "2019-05-30", ("symbol", Code::DocumentExists)),
        ("035-CT/TW", "2019-06-30", ("symbol", Code::DocumentExists)),
        ("35/CT", "2019-05-30", ("symbol", Code::InvalidSymbol)),
        ("Chỉ thị 35", "2019-05-30", ("symbol", Code::InvalidSymbol)),
        ("35-XYZ/TW", "2019-05-30", ("symbol", Code::InvalidSymbol)),
        (
            "35-CT/TW và 36-CT/TW",
            "2019-05-30",
            ("symbol", Code::InvalidSymbol),
        ),
        ("", "2019-05-30", ("symbol", Code::Required)),
        ("36-CT/TW", "31/02/2019", ("issued_on", Code::InvalidDate)),
        ("36-CT/TW", "", ("issued_on", Code::Required)),
    ] {
        let e = document::register(db, &a, incoming(symbol, date, "Trích yếu"))
            .await
            .unwrap_err();
        assert_eq!(field_code(e), want, "{symbol} {date}");
    }
    let e = document::register(db, &a, incoming("36-CT/TW", "2019-06-01", "  "))
        .await
        .unwrap_err();
    assert_eq!(field_code(e), ("subject", Code::Required));
    let mut bad = incoming("36-CT/TW", "2019-06-01", "Trích yếu");
    bad.common.secrecy = "Bí mật lắm".into();
    let e = document::register(db, &a, bad).await.unwrap_err();
    assert_eq!(field_code(e), ("secrecy", Code::InvalidChoice));
    // The same symbol in the next khóa is another document.
    document::register(db, &a, incoming("35-CT/TW", "2024-06-14", "Về đại hội XIV"))
        .await
        .unwrap();
    let after = (audit_len(db).await, counter::all(db).await.unwrap());
    assert_eq!(after.0, before.0 + 1, "refusals wrote nothing");
    assert_eq!(after.1["documents"], before.1["documents"] + 1);
    t.cleanup().await;
}
both_engines!(document_refusals, refusal_story);

/// A unit without an issuer code (a chi bộ, or a generated committee) still
/// heads a letter: its code reads as empty on both engines. PostgreSQL
/// refused the NULL, so a campaign report of such a committee answered 500.
async fn issuer_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let cell = unit::by_code(&t.db, "SCT-CB1").await.unwrap().unwrap();
    assert_eq!(cell.issuer_code, None);
    let u = document::issuer_unit(&t.db, cell.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((u.id, u.issuer_code.as_str()), (cell.id, ""));
    let top = unit::by_code(&t.db, "TINH").await.unwrap().unwrap();
    let u = document::issuer_unit(&t.db, top.id).await.unwrap().unwrap();
    assert_eq!(u.issuer_code, "TU");
    t.cleanup().await;
}
both_engines!(issuer_without_code, issuer_story);
