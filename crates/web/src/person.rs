//! A person's page: name, contact, memberships over time and positions.
use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};
use trienkhai_core::fmt;
use trienkhai_db::{member, person};

use crate::{
    AppState, authz,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Nav},
    unit::span,
};

#[derive(Template)]
#[template(path = "person_show.html")]
struct ShowPage {
    nav: Option<Nav>,
    name: String,
    /// (label, value) of the filled-in details
    details: Vec<(&'static str, String)>,
    /// (unit id, unit name, status, span, moved by a restructuring)
    stints: Vec<(i64, String, &'static str, String, bool)>,
    /// (unit id, unit name, title, board, span)
    positions: Vec<(i64, String, String, String, String)>,
}

pub async fn show(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let p = person::get(&st.db, id)
        .await?
        .ok_or_else(WebError::not_found)?;
    let stints = person::memberships(&st.db, id).await?;
    let paths: Vec<String> = stints.iter().map(|s| s.unit_path.clone()).collect();
    if !authz::may_see_person(cur, &paths) {
        return Err(WebError::forbidden());
    }
    let d = |s: &Option<String>| fmt::date_text(s.as_deref());
    let details: Vec<(&'static str, String)> = [
        ("Ngày sinh", d(&p.birth_date)),
        ("Giới tính", p.gender.clone().unwrap_or_default()),
        ("Số thẻ đảng viên", p.card_no.clone().unwrap_or_default()),
        ("Ngày vào Đảng", d(&p.admitted_on)),
        ("Ngày chính thức", d(&p.official_on)),
        ("Điện thoại", p.phone.clone().unwrap_or_default()),
        ("Email", p.email.clone().unwrap_or_default()),
        ("Địa chỉ", p.address.clone().unwrap_or_default()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let positions = person::positions_of(&st.db, id)
        .await?
        .into_iter()
        .map(|h| {
            let s = span(&h.valid_from, h.valid_to.as_deref());
            (
                h.unit_id,
                h.unit_name,
                h.title,
                h.board_name.unwrap_or_default(),
                s,
            )
        })
        .collect();
    page::render(&ShowPage {
        nav: Some(Nav::new(cur, "units")),
        name: p.full_name(),
        details,
        stints: stints
            .into_iter()
            .map(|s| {
                let sp = span(&s.valid_from, s.valid_to.as_deref());
                let label = member::status_label(&s.status);
                (s.unit_id, s.unit_name, label, sp, s.event_id.is_some())
            })
            .collect(),
        positions,
    })
}
