//! Demo data built from the facts in the seed articles (../shared/seeds): a bloc committee
//! (Đảng ủy Khối các cơ quan tỉnh), its boards, the 2019 congress
//! subcommittee, grassroots units, the people the articles name with their
//! positions, and the documents they cite. The seed articles come from
//! several provinces; their secretaries are placed on one timeline here.
use trienkhai_core::Role;

use crate::{
    Actor, DbResult, Tx,
    document::{self, NewDocument},
    person::{self, NewPerson, NewPosition, NewTerm},
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

/// Grassroots units: (code, name, type, chi bộ trực thuộc).
const GRASSROOTS: [(&str, &str, &str, u32); 8] = [
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

/// Documents cited in the seeds: (system, issuer, type, number, date, subject).
type SeedDocument = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);
const DOCUMENTS: [SeedDocument; 9] = [
    (
        "party",
        "TW",
        "CT",
        "41",
        None,
        "Tăng cường phối hợp và triển khai đồng bộ các biện pháp đảm bảo an toàn, an ninh mạng",
    ),
    (
        "party",
        "TW",
        "CT",
        "42",
        None,
        "Tăng cường sự lãnh đạo của Đảng đối với công tác phòng ngừa, ứng phó, khắc phục hậu quả thiên tai",
    ),
    (
        "party",
        "TW",
        "CT",
        "43",
        None,
        "Tăng cường sự lãnh đạo của Đảng đối với hoạt động của Hội Nhà báo Việt Nam trong tình hình mới",
    ),
    (
        "party",
        "TW",
        "CT",
        "44",
        None,
        "Đổi mới, nâng cao chất lượng hiệu quả công tác xuất bản, phát hành và nghiên cứu, học tập sách lý luận, chính trị",
    ),
    (
        "party",
        "TW",
        "KL",
        "102",
        Some("2014-09-22"),
        "Hội quần chúng trong tình hình mới",
    ),
    (
        "party",
        "TW",
        "CT",
        "05",
        Some("2016-05-15"),
        "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    ),
    (
        "party",
        "TW",
        "NQ",
        "35",
        Some("2018-10-22"),
        "Tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình hình mới",
    ),
    (
        "party",
        "ĐUK",
        "NQ",
        "01",
        Some("2009-05-15"),
        "Tăng cường sự lãnh đạo của cấp ủy đảng đối với tổ chức Đoàn và phong trào thanh niên trong tình hình mới",
    ),
    (
        "party",
        "ĐUK",
        "KH",
        "81",
        Some("2019-08-15"),
        "Tuyên truyền Đại hội đại biểu Đảng bộ Khối các cơ quan tỉnh lần thứ VI, nhiệm kỳ 2020-2025",
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

/// Loads everything inside the caller's transaction; returns the top unit id.
pub async fn load_in(tx: &mut Tx, actor: &Actor) -> DbResult<i64> {
    let top = unit::create_in(
        tx,
        actor,
        unit_new(
            "DUK",
            "Đảng bộ Khối các cơ quan tỉnh",
            "cap_tren_co_so",
            None,
            Some("ĐUK"),
            "2000-01-01",
        ),
    )
    .await?
    .id;
    let mut boards = Vec::new();
    for name in [
        "Văn phòng Đảng ủy Khối",
        "Ban Tổ chức",
        "Ban Tuyên giáo",
        "Ủy ban Kiểm tra",
    ] {
        boards.push(
            unit::create_board_in(
                tx,
                actor,
                NewBoard {
                    unit_id: top,
                    name: name.into(),
                    kind: "board",
                    valid_from: "2000-01-01".into(),
                    valid_to: None,
                },
            )
            .await?,
        );
    }
    let tuyen_giao = boards[2];
    unit::create_board_in(
        tx,
        actor,
        NewBoard {
            unit_id: top,
            name: "Tiểu ban tuyên truyền Đại hội đại biểu Đảng bộ Khối lần thứ VI".into(),
            kind: "subcommittee",
            valid_from: "2019-09-15".into(),
            valid_to: Some("2020-10-31".into()),
        },
    )
    .await?;

    let term_v = person::add_term_in(
        tx,
        actor,
        NewTerm {
            unit_id: top,
            ordinal: "V",
            year_from: 2015,
            year_to: 2020,
            opened_on: Some("2015-07-20"),
            closed_on: Some("2020-07-15"),
        },
    )
    .await?;
    let term_vi = person::add_term_in(
        tx,
        actor,
        NewTerm {
            unit_id: top,
            ordinal: "VI",
            year_from: 2020,
            year_to: 2025,
            opened_on: Some("2020-07-15"),
            closed_on: None,
        },
    )
    .await?;

    for (f, m, g, title, from, to) in SECRETARIES {
        let pid = person::create_in(
            tx,
            actor,
            NewPerson {
                family_name: f.into(),
                middle_name: m.into(),
                given_name: g.into(),
                ..Default::default()
            },
        )
        .await?;
        let term = if from < "2020-07-15" { term_v } else { term_vi };
        person::add_position_in(
            tx,
            actor,
            NewPosition {
                person_id: pid,
                unit_id: top,
                board_id: None,
                term_id: Some(term),
                title,
                valid_from: from,
                valid_to: to,
            },
        )
        .await?;
    }
    let phuong = person::create_in(
        tx,
        actor,
        NewPerson {
            family_name: "Nguyễn".into(),
            middle_name: "Đức".into(),
            given_name: "Phương".into(),
            ..Default::default()
        },
    )
    .await?;
    for title in ["Ủy viên Ban Thường vụ", "Trưởng Ban Tuyên giáo"] {
        let board = (title == "Trưởng Ban Tuyên giáo").then_some(tuyen_giao);
        person::add_position_in(
            tx,
            actor,
            NewPosition {
                person_id: phuong,
                unit_id: top,
                board_id: board,
                term_id: Some(term_vi),
                title,
                valid_from: "2020-07-15",
                valid_to: None,
            },
        )
        .await?;
    }

    let mut rng = Lcg(20191);
    let mut secretary_unit = None;
    let mut member_person = None;
    for (code, name, kind, cells) in GRASSROOTS {
        let gid = unit::create_in(
            tx,
            actor,
            unit_new(code, name, kind, Some(top), Some("ĐU"), "2005-01-01"),
        )
        .await?
        .id;
        secretary_unit.get_or_insert(gid);
        let mut member_units = vec![gid];
        for i in 1..=cells {
            let cid = unit::create_in(
                tx,
                actor,
                unit_new(
                    &format!("{code}-CB{i}"),
                    &format!("Chi bộ {i}"),
                    "chi_bo_truc_thuoc",
                    Some(gid),
                    None,
                    "2005-01-01",
                ),
            )
            .await?
            .id;
            member_units.push(cid);
        }
        for (i, &u) in member_units.iter().enumerate() {
            let count = if i == 0 && cells > 0 {
                2
            } else {
                6 + rng.next(10)
            };
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
                };
                let pid = person::create_in(tx, actor, p).await?;
                let status = if rng.next(20) == 0 {
                    "probationary"
                } else {
                    "official"
                };
                person::add_membership_in(tx, pid, u, status, "2010-01-01").await?;
                member_person.get_or_insert(pid);
            }
        }
    }

    for (system, issuer, type_code, number, date, subject) in DOCUMENTS {
        let issuer_unit = (issuer == "ĐUK").then_some(top);
        document::create_in(
            tx,
            actor,
            NewDocument {
                system,
                issuer_code: issuer,
                issuer_unit_id: issuer_unit,
                type_code,
                number,
                issued_on: date,
                subject,
            },
        )
        .await?;
    }

    for (username, display, role) in ACCOUNTS {
        let (unit_id, board_id, person_id) = match role {
            Role::Staff => (Some(top), Some(tuyen_giao), Some(phuong)),
            Role::Secretary => (secretary_unit, None, None),
            _ => (secretary_unit, None, member_person),
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
