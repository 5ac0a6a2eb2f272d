//! The home page after login: the committee (or, for a secretary or member,
//! their own unit) with totals from counters, leaders, sub-units, new documents.
use askama::Template;
use axum::{extract::State, response::Response};
use trienkhai_core::fmt;
use trienkhai_db::{audit, counter, document, person, unit};

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
    leaders: Vec<person::Holder>,
    children: Vec<unit::Unit>,
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
    let unit = match (&scope, cur.unit_id) {
        (Scope::All, _) => unit::top(&st.db).await?,
        (_, Some(id)) => unit::get(&st.db, id).await?,
        _ => None,
    };
    let Some(unit) = unit else {
        return Err(WebError::not_found());
    };
    let is_all = scope == Scope::All;
    let day = fmt::iso(today);
    let (counters, leaders, children, docs) = tokio::try_join!(
        async {
            if is_all {
                counter::all(&st.db).await.map(Some)
            } else {
                Ok(None)
            }
        },
        person::leaders(&st.db, unit.id, &day),
        unit::children(&st.db, unit.id, today),
        document::recent(&st.db, 5),
    )?;
    let stats = match counters {
        Some(c) => {
            let n = |k: &str| fmt::int(c.get(k).copied().unwrap_or(0));
            vec![
                ("đơn vị", n(counter::UNITS)),
                ("hồ sơ đảng viên", n(counter::PERSONS)),
                ("văn bản", n(counter::DOCUMENTS)),
                ("tài khoản", n(counter::USERS)),
            ]
        }
        None => vec![("đơn vị trực thuộc", fmt::int(children.len() as i64))],
    };
    let audit = if page::nav_is_admin(cur) {
        audit::list(&st.db, &audit::Filter::default(), 5)
            .await?
            .into_iter()
            .map(|a| (fmt::datetime_ms(a.at), a.actor, a.summary))
            .collect()
    } else {
        vec![]
    };
    let p = DashboardPage {
        nav: Some(Nav::new(cur, "dashboard")),
        scope_note: (!is_all).then(|| unit.name.clone()),
        unit_name: unit.name,
        unit_type: unit.type_name,
        today: fmt::date(today),
        stats,
        leaders,
        children,
        docs: docs
            .into_iter()
            .map(|d| {
                let date = d
                    .issued_on
                    .as_deref()
                    .and_then(fmt::parse_date)
                    .map(fmt::date)
                    .unwrap_or_default();
                (d.symbol, date, d.subject)
            })
            .collect(),
        audit,
    };
    page::render(&p)
}
