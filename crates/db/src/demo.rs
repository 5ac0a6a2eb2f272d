//! Demo data built from the facts in the seed articles (../shared/seeds) and
//! the domain reference: a provincial committee whose bloc of agencies
//! (Đảng bộ Khối các cơ quan tỉnh) absorbs the bloc of enterprises on
//! 01/8/2019 (as Bà Rịa–Vũng Tàu did under 1100-QĐ/TU) and is dissolved on
//! 01/02/2025, its units moving to the two new committees (Đảng bộ các cơ
//! quan Đảng tỉnh, Đảng bộ Ủy ban nhân dân tỉnh). The bloc's boards, the
//! 2019 congress subcommittee, the people the articles name with their
//! positions and the documents they cite come from the seeds; the seeds come
//! from several provinces, so their secretaries share one timeline here.
use trienkhai_core::Role;

mod cascade;
mod register;

use crate::{
    Actor, DbResult, Tx,
    person::{self, NewPerson, NewPosition, NewTerm},
    restructure::{self, Change, Order, Target},
    setting,
    unit::{self, NewBoard, NewUnit},
    user::{self, NewUser},
};

pub const PASSWORD: &str = "trienkhai-demo";
pub const ADMIN: &str = "quantri";
/// (username, display name, role) of the demo accounts besides the administrator.
pub const ACCOUNTS: [(&str, &str, Role); 3] = [
    ("canbo", "Nguyễn Đức Phương", Role::Staff),
    ("bithu", "Phạm Thị Lan", Role::Secretary),
    ("dangvien", "Lê Văn Hùng", Role::Member),
];

/// Grassroots units: (code, name, type, chi bộ trực thuộc, goes to the
/// committee of Party bodies in 2025 rather than the government's).
type Grassroots = (&'static str, &'static str, &'static str, u32);
const GRASSROOTS: [Grassroots; 8] = [
    ("SCT", "Đảng bộ Sở Công Thương", "dang_bo_co_so", 4),
    (
        "SGDDT",
        "Đảng bộ Sở Giáo dục và Đào tạo",
        "dang_bo_co_so",
        5,
    ),
    ("STC", "Đảng bộ Sở Tài chính", "dang_bo_co_so", 3),
    ("VPTU", "Đảng bộ Văn phòng Tỉnh ủy", "dang_bo_co_so", 3),
    ("BTGTU", "Chi bộ Ban Tuyên giáo Tỉnh ủy", "chi_bo_co_so", 0),
    ("BAOTINH", "Đảng bộ Báo tỉnh", "dang_bo_co_so", 2),
    ("HNBT", "Chi bộ Hội Nhà báo tỉnh", "chi_bo_co_so", 0),
    (
        "STTTT",
        "Chi bộ Sở Thông tin và Truyền thông",
        "chi_bo_co_so",
        0,
    ),
];
/// Units of the bloc of enterprises until the 2019 merger.
const ENTERPRISES: [Grassroots; 3] = [
    (
        "DIENLUC",
        "Đảng bộ Công ty Điện lực tỉnh",
        "dang_bo_co_so",
        2,
    ),
    (
        "CAPNUOC",
        "Đảng bộ Công ty Cổ phần Cấp nước tỉnh",
        "dang_bo_co_so",
        1,
    ),
    (
        "XSKT",
        "Chi bộ Công ty Xổ số kiến thiết tỉnh",
        "chi_bo_co_so",
        0,
    ),
];
/// These follow the Party bodies in 2025; the rest go to the UBND committee.
const PARTY_BODIES: [&str; 4] = ["VPTU", "BTGTU", "BAOTINH", "HNBT"];

/// The two restructurings the demo replays: (effective date, decision).
pub const MERGER_2019: (&str, &str) = ("2019-08-01", "1100-QĐ/TU");
/// The decision number is illustrative: the reference gives the pattern
/// of early 2025, not one province's decision.
pub const DISSOLUTION_2025: (&str, &str) = ("2025-02-01", "215-QĐ/TU");

const FAMILY: [&str; 12] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
];
const MIDDLE: [&str; 10] = [
    "Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Quang", "Ngọc", "Xuân", "Hồng",
];
const GIVEN: [&str; 16] = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hòa", "Hoà", "Hùng", "Khánh", "Lan", "Long",
    "Mai", "Nga", "Phương", "Thủy",
];

/// The people the seed articles name: (family, middle, given, title, from, to).
type Secretary = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);
const SECRETARIES: [Secretary; 5] = [
    (
        "Trần",
        "Đình",
        "Quế",
        "Bí thư Đảng ủy Khối",
        "2015-10-01",
        Some("2019-08-31"),
    ),
    (
        "Lê",
        "Hồng",
        "Quân",
        "Bí thư Đảng ủy Khối",
        "2019-09-01",
        Some("2020-06-30"),
    ),
    (
        "Trần",
        "Xuân",
        "Hựu",
        "Bí thư Đảng ủy Khối",
        "2020-07-01",
        Some("2020-10-31"),
    ),
    (
        "Hoàng",
        "Anh",
        "Trung",
        "Bí thư Đảng ủy Khối",
        "2020-11-01",
        Some("2023-12-31"),
    ),
    (
        "Đỗ",
        "Quang",
        "Minh",
        "Bí thư Đảng ủy Khối",
        "2024-01-01",
        None,
    ),
];

/// Small deterministic generator so the demo is the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn unit_new(
    code: &str,
    name: &str,
    type_code: &str,
    parent: Option<i64>,
    issuer: Option<&str>,
    from: &str,
) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        type_code: type_code.into(),
        parent_id: parent,
        issuer_code: issuer.map(Into::into),
        valid_from: from.into(),
        valid_to: None,
    }
}

async fn board(
    tx: &mut Tx,
    actor: &Actor,
    unit_id: i64,
    name: &str,
    kind: &'static str,
    span: (&str, Option<&str>),
) -> DbResult<i64> {
    unit::create_board_in(
        tx,
        actor,
        NewBoard {
            unit_id,
            name: name.into(),
            kind,
            valid_from: span.0.into(),
            valid_to: span.1.map(Into::into),
        },
    )
    .await
}

async fn named(tx: &mut Tx, actor: &Actor, f: &str, m: &str, g: &str) -> DbResult<i64> {
    let p = NewPerson {
        family_name: f.into(),
        middle_name: m.into(),
        given_name: g.into(),
        ..Default::default()
    };
    person::create_in(tx, actor, p).await
}

async fn position(
    tx: &mut Tx,
    actor: &Actor,
    at: (i64, Option<i64>, i64),
    person_id: i64,
    title: &str,
    span: (&str, Option<&str>),
) -> DbResult<()> {
    let p = NewPosition {
        person_id,
        unit_id: at.0,
        board_id: at.1,
        term_id: Some(at.2),
        title,
        valid_from: span.0,
        valid_to: span.1,
    };
    person::add_position_in(tx, actor, p).await
}

/// `count` generated members of `unit_id` from 2010 on.
async fn members(
    tx: &mut Tx,
    actor: &Actor,
    rng: &mut Lcg,
    unit_id: i64,
    count: usize,
) -> DbResult<Option<i64>> {
    let mut first = None;
    for _ in 0..count {
        let p = NewPerson {
            family_name: FAMILY[rng.next(FAMILY.len())].into(),
            middle_name: MIDDLE[rng.next(MIDDLE.len())].into(),
            given_name: GIVEN[rng.next(GIVEN.len())].into(),
            birth_date: Some(format!(
                "{}-{:02}-{:02}",
                1965 + rng.next(35),
                1 + rng.next(12),
                1 + rng.next(28)
            )),
            ..Default::default()
        };
        let pid = person::create_in(tx, actor, p).await?;
        let status = if rng.next(20) == 0 {
            "probationary"
        } else {
            "official"
        };
        person::add_membership_in(tx, pid, unit_id, status, "2010-01-01").await?;
        first.get_or_insert(pid);
    }
    Ok(first)
}

/// Grassroots units with their chi bộ and members; returns (code, id) and
/// the first member created.
async fn grassroots(
    tx: &mut Tx,
    actor: &Actor,
    rng: &mut Lcg,
    parent: i64,
    list: &[Grassroots],
) -> DbResult<(Vec<(&'static str, i64)>, Option<i64>)> {
    let mut out = Vec::new();
    let mut first = None;
    for &(code, name, kind, cells) in list {
        let new = unit_new(code, name, kind, Some(parent), Some("ĐU"), "2005-01-01");
        let gid = unit::create_in(tx, actor, new).await?.id;
        out.push((code, gid));
        // A đảng bộ cơ sở's own roll holds its committee; chi bộ hold the rest.
        let own = if cells > 0 { 2 } else { 6 + rng.next(10) };
        let m = members(tx, actor, rng, gid, own).await?;
        first = first.or(m);
        for i in 1..=cells {
            let new = unit_new(
                &format!("{code}-CB{i}"),
                &format!("Chi bộ {i}"),
                "chi_bo_truc_thuoc",
                Some(gid),
                None,
                "2005-01-01",
            );
            let cid = unit::create_in(tx, actor, new).await?.id;
            let n = 6 + rng.next(10);
            members(tx, actor, rng, cid, n).await?;
        }
    }
    Ok((out, first))
}

/// Loads everything inside the caller's transaction; returns the top unit id.
pub async fn load_in(tx: &mut Tx, actor: &Actor) -> DbResult<i64> {
    let new = unit_new(
        "TINH",
        "Đảng bộ tỉnh",
        "dang_bo_tinh",
        None,
        Some("TU"),
        "1989-07-01",
    );
    let top = unit::create_in(tx, actor, new).await?.id;
    let new = unit_new(
        "DUK",
        "Đảng bộ Khối các cơ quan tỉnh",
        "cap_tren_co_so",
        Some(top),
        Some("ĐUK"),
        "2000-01-01",
    );
    let duk = unit::create_in(tx, actor, new).await?.id;
    let mut boards = Vec::new();
    for name in [
        "Văn phòng Đảng ủy Khối",
        "Ban Tổ chức",
        "Ban Tuyên giáo",
        "Ủy ban Kiểm tra",
    ] {
        boards.push(board(tx, actor, duk, name, "board", ("2000-01-01", None)).await?);
    }
    let tuyen_giao = boards[2];
    let subcommittee = "Tiểu ban tuyên truyền Đại hội đại biểu Đảng bộ Khối lần thứ VI";
    let span = ("2019-09-15", Some("2020-10-31"));
    board(tx, actor, duk, subcommittee, "subcommittee", span).await?;

    let term = |ordinal, years: (i32, i32), open, close, appointed| NewTerm {
        unit_id: duk,
        ordinal,
        year_from: years.0,
        year_to: years.1,
        opened_on: open,
        closed_on: close,
        appointed,
    };
    let t = term(
        "V",
        (2015, 2020),
        Some("2015-07-20"),
        Some("2020-07-15"),
        false,
    );
    let term_v = person::add_term_in(tx, actor, t).await?;
    let t = term("VI", (2020, 2025), Some("2020-07-15"), None, false);
    let term_vi = person::add_term_in(tx, actor, t).await?;

    let mut minh = 0;
    for (f, m, g, title, from, to) in SECRETARIES {
        let pid = named(tx, actor, f, m, g).await?;
        minh = pid; // the last one leads the new committee in 2025
        let term = if from < "2020-07-15" { term_v } else { term_vi };
        position(tx, actor, (duk, None, term), pid, title, (from, to)).await?;
    }
    let phuong = named(tx, actor, "Nguyễn", "Đức", "Phương").await?;
    let span = ("2020-07-15", None);
    position(
        tx,
        actor,
        (duk, None, term_vi),
        phuong,
        "Ủy viên Ban Thường vụ",
        span,
    )
    .await?;
    let at = (duk, Some(tuyen_giao), term_vi);
    position(tx, actor, at, phuong, "Trưởng Ban Tuyên giáo", span).await?;

    let mut rng = Lcg(20191);
    let (agencies, first_member) = grassroots(tx, actor, &mut rng, duk, &GRASSROOTS).await?;

    // The bloc of enterprises, with the bloc office's own members.
    let new = unit_new(
        "DKDN",
        "Đảng bộ Khối Doanh nghiệp tỉnh",
        "cap_tren_co_so",
        Some(top),
        Some("ĐUK"),
        "2000-01-01",
    );
    let dkdn = unit::create_in(tx, actor, new).await?.id;
    members(tx, actor, &mut rng, dkdn, 3).await?;
    let (enterprises, _) = grassroots(tx, actor, &mut rng, dkdn, &ENTERPRISES).await?;

    let (day, decision) = MERGER_2019;
    let merge = Change::Merge {
        sources: vec![dkdn],
        target: Target::Existing(duk),
    };
    restructure::apply_in(tx, actor, order(merge, day, decision)).await?;

    // Early 2025: the bloc ends; two committees take its units.
    let (day, decision) = DISSOLUTION_2025;
    let committee =
        |code: &str, name: &str| unit_new(code, name, "cap_tren_co_so", Some(top), Some("ĐU"), day);
    let party = committee("DCQD", "Đảng bộ các cơ quan Đảng tỉnh");
    let party = unit::create_in(tx, actor, party).await?.id;
    let gov = committee("DUBND", "Đảng bộ Ủy ban nhân dân tỉnh");
    let gov = unit::create_in(tx, actor, gov).await?.id;
    let mut xdd = 0;
    for name in ["Văn phòng Đảng ủy", "Ban Xây dựng Đảng", "Ủy ban Kiểm tra"] {
        let id = board(tx, actor, party, name, "board", (day, None)).await?;
        if name == "Ban Xây dựng Đảng" {
            xdd = id;
        }
    }
    let t = NewTerm {
        unit_id: party,
        ordinal: "",
        year_from: 2020,
        year_to: 2025,
        opened_on: Some(day),
        closed_on: Some("2025-08-14"),
        appointed: true,
    };
    let appointed = person::add_term_in(tx, actor, t).await?;
    let t = NewTerm {
        ordinal: "I",
        year_from: 2025,
        year_to: 2030,
        opened_on: Some("2025-08-15"),
        closed_on: None,
        appointed: false,
        ..t
    };
    let term_i = person::add_term_in(tx, actor, t).await?;
    for (term, span) in [
        (appointed, (day, Some("2025-08-14"))),
        (term_i, ("2025-08-15", None)),
    ] {
        position(tx, actor, (party, None, term), minh, "Bí thư Đảng ủy", span).await?;
        let at = (party, Some(xdd), term);
        position(tx, actor, at, phuong, "Trưởng Ban Xây dựng Đảng", span).await?;
    }
    let children = agencies
        .iter()
        .chain(&enterprises)
        .map(|&(code, id)| {
            (
                id,
                if PARTY_BODIES.contains(&code) {
                    party
                } else {
                    gov
                },
            )
        })
        .collect();
    let dissolve = Change::Dissolve {
        unit: duk,
        children,
        members_to: Some(party),
    };
    restructure::apply_in(tx, actor, order(dissolve, day, decision)).await?;

    register::load_in(tx, actor, duk).await?;
    cascade::load_in(tx, actor, duk, gov).await?;

    let secretary_unit = agencies.first().map(|a| a.1);
    for (username, display, role) in ACCOUNTS {
        let (unit_id, board_id, person_id) = match role {
            Role::Staff => (Some(party), Some(xdd), Some(phuong)),
            Role::Secretary => (secretary_unit, None, None),
            _ => (secretary_unit, None, first_member),
        };
        let account = user::prepare(NewUser {
            username: username.into(),
            display_name: display.into(),
            password: PASSWORD.into(),
            role: role.as_str().into(),
            unit_id,
            board_id,
            person_id,
            must_change_password: false,
        })
        .await?;
        user::create_in(tx, actor, account).await?;
    }
    setting::set(tx, setting::DEMO, "1").await?;
    Ok(top)
}

fn order(change: Change, day: &str, decision: &str) -> Order {
    Order {
        change,
        effective_on: day.into(),
        decision: decision.into(),
    }
}
