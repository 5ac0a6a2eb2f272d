//! The demo register: every numbered document the seed articles cite
//! (documents.tsv, relations.tsv), and plans and reports the bloc committee
//! issued under them, whose text cites them.
use crate::{
    Actor, DbResult, Tx,
    document::{self, Common, Incoming, Outgoing, relation},
};

const DOCUMENTS: &str = include_str!("documents.tsv");
const RELATIONS: &str = include_str!("relations.tsv");

/// (type, kind, date, subject, body text, relations to "SYMBOL@DATE" keys).
type Issued = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const ISSUED: [Issued; 3] = [
    (
        "KH",
        "ke_hoach",
        "2016-07-05",
        "Học tập, quán triệt và triển khai thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị",
        "I. MỤC ĐÍCH, YÊU CẦU\nTổ chức học tập, quán triệt Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh đến toàn thể cán bộ, đảng viên trong Đảng bộ Khối.\nII. NỘI DUNG, THỜI GIAN\nCác tổ chức cơ sở đảng hoàn thành việc học tập trước ngày 30/9/2016 và xây dựng chương trình hành động thực hiện Chỉ thị.",
        &[("implements", "05-CT/TW@2016-05-15")],
    ),
    (
        "CTr",
        "chuong_trinh",
        "2017-01-10",
        "Chương trình hành động thực hiện Nghị quyết Trung ương 4 khóa XII",
        "Thực hiện Nghị quyết số 04-NQ/TW ngày 30/10/2016 của Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XII về tăng cường xây dựng, chỉnh đốn Đảng, gắn với Chỉ thị số 05-CT/TW, Ban Thường vụ Đảng ủy Khối ban hành Chương trình hành động như sau.\nI. NHIỆM VỤ, GIẢI PHÁP\nCác cấp ủy tổ chức tự phê bình và phê bình gắn với Nghị quyết số 01-NQ/ĐUK ngày 15-5-2009 của Đảng ủy Khối về công tác thanh niên.",
        &[("implements", "04-NQ/TW@2016-10-30")],
    ),
    (
        "BC",
        "bao_cao",
        "2019-08-02",
        "Kết quả học tập, quán triệt Nghị quyết số 35-NQ/TW của Bộ Chính trị",
        "I. KẾT QUẢ HỌC TẬP, QUÁN TRIỆT\nThực hiện Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị về tăng cường bảo vệ nền tảng tư tưởng của Đảng, Ban Thường vụ Đảng ủy Khối đã tổ chức hội nghị học tập, quán triệt cho cán bộ chủ chốt; các tổ chức cơ sở đảng tổ chức học tập đến đảng viên.\nII. NHIỆM VỤ THỜI GIAN TỚI\nTiếp tục thực hiện Kết luận số 102-KL/TW ngày 22/9/2014 của Bộ Chính trị về hội quần chúng.",
        &[("reviews", "35-NQ/TW@2018-10-22")],
    ),
];

fn key(symbol: &str, date: &str) -> String {
    format!("{symbol}@{date}")
}

pub async fn load_in(tx: &mut Tx, actor: &Actor, duk: i64) -> DbResult<()> {
    let mut ids: Vec<(String, i64)> = Vec::new();
    for line in DOCUMENTS.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let [system, issuer, type_code, number, date, body, term, subject] = f[..] else {
            continue;
        };
        // The seeds name some documents without their number; a register
        // entry needs one, so those stay out.
        if number.is_empty() {
            continue;
        }
        let symbol = document::symbol(system, number, type_code, issuer);
        let body = if matches!(body, "BCH" | "BTV" | "ĐH") {
            body
        } else {
            ""
        };
        let d = Incoming {
            symbol: symbol.clone(),
            common: Common {
                issued_on: date.into(),
                body: body.into(),
                subject: subject.into(),
                term_key: term.into(),
                ..Common::default()
            },
        };
        let id = document::register_in(tx, actor, d).await?;
        ids.push((key(&symbol, date), id));
    }
    for (type_code, kind, date, subject, content, links) in ISSUED {
        let d = Outgoing {
            unit_id: duk,
            type_code: type_code.into(),
            type_kind: kind.into(),
            place: "Phan Thiết".into(),
            authority: "T/M BAN THƯỜNG VỤ".into(),
            signer_title: "Bí thư".into(),
            signer: "Trần Đình Quế".into(),
            recipients: "Ban Thường vụ Tỉnh ủy (để b/c)\nCác tổ chức cơ sở đảng trực thuộc\nLưu Văn phòng Đảng ủy Khối".into(),
            common: Common {
                issued_on: date.into(),
                body: "BTV".into(),
                subject: subject.into(),
                content: content.into(),
                ..Common::default()
            },
            ..Outgoing::default()
        };
        let id = document::issue_in(tx, actor, d).await?;
        for (kind, to) in links {
            if let Some((_, to)) = ids.iter().find(|(k, _)| k == to) {
                relation::add_in(tx, actor, id, kind, *to).await?;
            }
        }
    }
    for line in RELATIONS.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let [from, kind, to] = f[..] else { continue };
        let find = |k: &str| ids.iter().find(|(key, _)| key == k).map(|e| e.1);
        if let (Some(from), Some(to)) = (find(from), find(to)) {
            relation::add_in(tx, actor, from, kind, to).await?;
        }
    }
    Ok(())
}
