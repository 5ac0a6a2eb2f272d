//! A document the committee issued, as Word in the 36-HD/VPTW layout, and
//! as PDF where LibreOffice is installed.
use axum::{
    body::Body,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use trienkhai_core::{Code, fmt, text};
use trienkhai_db::document::{self, Document};
use trienkhai_office::{docx, pdf};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    transfer,
};

/// LibreOffice takes a core and ~200 MB per conversion: one at a time per
/// instance; a request waits up to 10 s for its turn, then is told to retry.
static PDF_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The letterhead names the committee, not the Party organisation:
/// "Đảng bộ Khối …" issues as "Đảng ủy Khối …".
pub fn committee(name: &str) -> String {
    match name.strip_prefix("Đảng bộ ") {
        Some(rest) => format!("Đảng ủy {rest}"),
        None => name.to_string(),
    }
}

async fn build(st: &AppState, d: &Document) -> WebResult<Vec<u8>> {
    let unit = match d.issuer_unit_id {
        Some(u) => document::issuer_unit(&st.db, u).await?,
        None => None,
    };
    let Some(unit) = unit.filter(|_| d.direction == "out") else {
        // Received documents are kept as their files, not re-typeset.
        return Err(WebError::not_found());
    };
    let date = d
        .issued_on
        .as_deref()
        .and_then(fmt::parse_date)
        .ok_or_else(WebError::not_found)?;
    let recipients: Vec<String> = d.recipients.lines().map(str::to_string).collect();
    let issuer = committee(&unit.name);
    let letter = docx::Letter {
        superior: unit.parent_name.as_deref(),
        issuer_body: &issuer,
        symbol: &d.symbol,
        place: &d.place,
        date,
        secrecy: Some(d.secrecy.as_str()).filter(|s| !s.is_empty()),
        urgency: Some(d.urgency.as_str()).filter(|s| !s.is_empty()),
        type_name: &d.type_name,
        subject: &d.subject,
        body: &d.content,
        authority: Some(d.authority.as_str()).filter(|s| !s.is_empty()),
        signer_title: &d.signer_title,
        signer_name: &d.signer,
        recipients: &recipients,
        table: &[],
        margins: st.cfg.margins,
    };
    Ok(docx::write(&letter))
}

/// "12-BC-ĐUK" as a file name.
fn file_name(d: &Document, ext: &str) -> String {
    format!("{}.{ext}", text::clean(&d.symbol).replace('/', "-"))
}

/// The document if the viewer may see it, with its DOCX.
async fn built(st: &AppState, viewer: &Viewer, id: i64) -> WebResult<(Document, Vec<u8>)> {
    let d = super::visible(st, viewer.signed()?, id).await?;
    let bytes = build(st, &d).await?;
    Ok((d, bytes))
}

pub async fn docx(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (d, bytes) = built(&st, &viewer, id).await?;
    let name = file_name(&d, "docx");
    Ok(transfer::attachment(Body::from(bytes), DOCX_TYPE, &name))
}

pub async fn pdf(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (d, bytes) = built(&st, &viewer, id).await?;
    let turn = tokio::time::timeout(std::time::Duration::from_secs(10), PDF_SLOTS.acquire());
    let Ok(Ok(slot)) = turn.await else {
        return Err(WebError::status(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::PdfBusy,
        ));
    };
    let made = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        pdf::convert(&bytes)
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(anyhow::Error::from)?;
    let Some(pdf) = made else {
        return Err(WebError::status(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::PdfUnavailable,
        ));
    };
    let name = file_name(&d, "pdf");
    Ok(transfer::attachment(
        Body::from(pdf),
        "application/pdf",
        &name,
    ))
}
