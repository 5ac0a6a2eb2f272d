//! The home page after login: the committee (or, for a secretary or member,
//! their own unit) with totals from counters, leaders, sub-units, new documents.
use askama::Template;
use axum::{extract::State, response::Response};
use trienkhai_core::{Role, fmt};
use trienkhai_db::{counter, dashboard};

use crate::{
    AppState,
    authz::{self, Scope},
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Nav},
};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    unit_name: String,
    unit_type: String,
    today: String,
    scope_note: Option<String>,
    stats: Vec<(&'static str, String)>,
    /// (title, full name)
    leaders: Vec<(String, String)>,
    /// (name, type, id)
    children: Vec<(String, String, i64)>,
    /// (symbol, date, subject)
    docs: Vec<(String, String, String)>,
    /// (time, actor, summary)
    audit: Vec<(String, String, String)>,
}

pub async fn home(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    Ok(if !st.is_initialized().await? {
        page::redirect("/setup")
    } else if viewer.cur.is_some() {
        page::redirect("/dashboard")
    } else {
        page::redirect("/login")
    })
}

pub async fn show(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let today = fmt::today_vn();
    let scope = authz::scope(cur);
    let is_all = scope == Scope::All;
    let unit_id = match (&scope, cur.unit_id) {
        // Committee staff see their own committee; an administrator made
        // with `create-admin` has none and sees the top one.
        (Scope::All, Some(id)) => Some(id),
        (Scope::All, None) => match st.top_unit_id().await? {
            Some(id) => Some(id),
            None => return Ok(page::redirect("/setup")),
        },
        (_, Some(id)) => Some(id),
        _ => None,
    };
    let Some(unit_id) = unit_id else {
        return Err(WebError::not_found());
    };
    let day = fmt::iso(today);
    let panels = dashboard::panels(&st.db, unit_id, &day, cur.role() == Some(Role::Admin)).await?;
    let Some((unit_name, unit_type)) = panels.header else {
        return Err(WebError::not_found());
    };
    let total = |k: &str| fmt::int(panels.totals.get(k).copied().unwrap_or(0));
    let stats = if is_all {
        vec![
            ("đơn vị", total(counter::UNITS)),
            ("hồ sơ đảng viên", total(counter::PERSONS)),
            ("văn bản", total(counter::DOCUMENTS)),
            ("tài khoản", total(counter::USERS)),
        ]
    } else {
        vec![("đơn vị trực thuộc", fmt::int(panels.children.len() as i64))]
    };
    let p = DashboardPage {
        nav: Some(Nav::new(cur, "dashboard")),
        scope_note: (!is_all).then(|| unit_name.clone()),
        unit_name,
        unit_type,
        today: fmt::date(today),
        stats,
        leaders: panels.leaders,
        children: panels.children,
        docs: panels
            .documents
            .into_iter()
            .map(|(symbol, date, subject)| {
                let shown = fmt::parse_date(&date).map(fmt::date).unwrap_or_default();
                (symbol, shown, subject)
            })
            .collect(),
        audit: panels
            .recent
            .into_iter()
            .map(|(at, who, what)| (fmt::datetime_ms(at), who, what))
            .collect(),
    };
    page::render(&p)
}
