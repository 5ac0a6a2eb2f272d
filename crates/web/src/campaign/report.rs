//! The committee's report upward (báo cáo kết quả học tập, quán triệt):
//! a DOCX in the Party layout with the roll-up table, and the same table
//! as XLSX. Both read the kept roll-ups only.
use axum::{
    body::Body,
    extract::{Path, State},
    response::Response,
};
use trienkhai_core::fmt;
use trienkhai_db::{
    campaign::{self, Campaign, tally},
    document,
};
use trienkhai_office::docx;
use trienkhai_sheet::{OutFormat, Writer};

use super::{behind, load};
use crate::{
    AppState,
    document::output::{DOCX_TYPE, committee},
    error::{WebError, WebResult},
    guard::Viewer,
    transfer,
};

const HEADER: [&str; 9] = [
    "Đơn vị",
    "Số đơn vị",
    "Đã học tập",
    "Có chương trình hành động",
    "Đã báo cáo",
    "Đảng viên tham gia / phải học",
    "Tỷ lệ",
    "Học bù",
    "Bài thu hoạch",
];

fn line(name: &str, l: &tally::Line) -> Vec<String> {
    vec![
        name.to_string(),
        fmt::int(l.units),
        fmt::int(l.held),
        fmt::int(l.programme),
        fmt::int(l.reported),
        format!("{}/{}", fmt::int(l.present), fmt::int(l.in_scope)),
        fmt::percent(l.present, l.in_scope),
        fmt::int(l.makeup),
        fmt::int(l.reflections),
    ]
}

/// The roll-up table: a row per unit directly under the committee, then the total.
async fn table(st: &AppState, c: &Campaign) -> WebResult<(tally::Line, Vec<Vec<String>>)> {
    let (node, children) = tally::board(&st.db, c, c.unit_id).await?;
    let node = node.ok_or_else(WebError::not_found)?;
    let mut rows = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    rows.extend(children.iter().map(|l| line(&l.name, l)));
    rows.push(line("Tổng cộng", &node));
    Ok((node, rows))
}

fn body(c: &Campaign, docs: &[(i64, String, String)], n: &tally::Line, today: &str) -> String {
    let symbols: Vec<&str> = docs.iter().map(|d| d.1.as_str()).collect();
    let plan = c
        .plan_symbol
        .as_deref()
        .map(|p| format!("Thực hiện Kế hoạch số {p}, "))
        .unwrap_or_default();
    format!(
        "{plan}Ban Thường vụ báo cáo kết quả học tập, quán triệt, triển khai {} như sau:\n\
         I. KẾT QUẢ TRIỂN KHAI\n\
         Tính đến ngày {}, {}/{} đơn vị đã tổ chức học tập, quán triệt; {} đơn vị đã ban hành chương trình hành động; {} đơn vị đã báo cáo kết quả.\n\
         Số đảng viên tham gia học tập: {}/{} đồng chí, đạt {}; {} đồng chí vắng có lý do, {} đồng chí vắng không có lý do, {} đồng chí đã học bù. Có {} quần chúng tham dự; {} bài thu hoạch.\n\
         II. ĐÁNH GIÁ CHUNG\n\
         Còn {} đơn vị chưa hoàn thành theo tiến độ; Văn phòng tiếp tục đôn đốc. Số liệu chi tiết theo bảng dưới đây.",
        symbols.join(", "),
        fmt::date_text(Some(today)),
        fmt::int(n.held),
        fmt::int(n.units),
        fmt::int(n.programme),
        fmt::int(n.reported),
        fmt::int(n.present),
        fmt::int(n.in_scope),
        fmt::percent(n.present, n.in_scope),
        fmt::int(n.absent_excused),
        fmt::int(n.absent_unexcused),
        fmt::int(n.makeup),
        fmt::int(n.non_members),
        fmt::int(n.reflections),
        fmt::int(behind(n, c.required(today)))
    )
}

fn file_name(c: &Campaign, ext: &str) -> String {
    format!("bao-cao-ket-qua-dot-{}.{ext}", c.id)
}

pub async fn docx(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.signed()?;
    let c = load(&st, id).await?;
    let (node, rows) = table(&st, &c).await?;
    let docs = campaign::documents(&st.db, id).await?;
    let unit = document::issuer_unit(&st.db, c.unit_id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let today = fmt::today_vn();
    let report = match c.report_document_id {
        Some(d) => document::get(&st.db, d).await?,
        None => None,
    };
    // Until the report is issued (numbered) the number is left blank, as on a draft.
    let symbol = report
        .as_ref()
        .map(|d| d.symbol.clone())
        .unwrap_or_else(|| format!("     -BC/{}", unit.issuer_code));
    let issuer = committee(&unit.name);
    let subject = format!(
        "Kết quả học tập, quán triệt, triển khai {}",
        c.title.trim_start_matches("Học tập, quán triệt ")
    );
    let text = body(&c, &docs, &node, &fmt::iso(today));
    let recipients = vec![
        "- Ban Thường vụ cấp trên (để báo cáo),".to_string(),
        "- Lưu Văn phòng.".to_string(),
    ];
    let letter = docx::Letter {
        superior: unit.parent_name.as_deref(),
        issuer_body: &issuer,
        symbol: &symbol,
        place: "",
        date: today,
        secrecy: None,
        urgency: None,
        type_name: "Báo cáo",
        subject: &subject,
        body: &text,
        authority: Some("T/M BAN THƯỜNG VỤ"),
        signer_title: "",
        signer_name: "",
        recipients: &recipients,
        table: &rows,
        margins: st.cfg.margins,
    };
    let bytes = docx::write(&letter);
    Ok(transfer::attachment(
        Body::from(bytes),
        DOCX_TYPE,
        &file_name(&c, "docx"),
    ))
}

pub async fn xlsx(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    viewer.signed()?;
    let c = load(&st, id).await?;
    let (_, rows) = table(&st, &c).await?;
    let path = transfer::scratch(&st, "exports", "", "xlsx").map_err(anyhow::Error::from)?;
    let p = path.clone();
    let written =
        tokio::task::spawn_blocking(move || -> Result<(), trienkhai_sheet::SheetError> {
            let mut w = Writer::create(&p, OutFormat::Xlsx)?;
            for r in &rows {
                w.write_row(r)?;
            }
            w.finish()
        })
        .await
        .map_err(anyhow::Error::from)?;
    let opened = tokio::fs::File::open(&path).await;
    let _ = std::fs::remove_file(&path);
    written.map_err(|e| anyhow::anyhow!("{e}"))?;
    let f = opened.map_err(anyhow::Error::from)?;
    Ok(transfer::stream(
        f,
        OutFormat::Xlsx.content_type(),
        &file_name(&c, "xlsx"),
    ))
}
