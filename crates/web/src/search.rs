//! One search box: documents now (by symbol, subject and text, with or
//! without diacritics; exact-diacritic hits first, then the most recently
//! registered); meetings, tasks and news join it later.
use askama::Template;
use axum::{
    Json,
    extract::{Query, State},
    http::HeaderMap,
    response::Response,
};
use serde::Deserialize;
use serde_json::{Value, json};
use trienkhai_core::{fmt, text};
use trienkhai_db::document::search::{self, Hit};

use crate::{
    AppState,
    authz::may_see_secret,
    error::WebResult,
    guard::Viewer,
    page::{self, Nav},
};

const LIMIT: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    limit: Option<i64>,
}

pub struct HitRow {
    pub id: i64,
    pub symbol: String,
    pub type_name: String,
    pub date: String,
    pub subject: String,
}

fn row(h: Hit) -> HitRow {
    HitRow {
        id: h.id,
        date: fmt::date_text(h.issued_on.as_deref()),
        symbol: h.symbol,
        type_name: h.type_name,
        subject: h.subject,
    }
}

#[derive(Template)]
#[template(path = "search_rows.html")]
struct Rows {
    q: String,
    hits: Vec<HitRow>,
    more: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Option<Nav>,
    rows: String,
    q: String,
}

pub async fn page(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let query = text::clean(&q.q);
    let mut hits = search::search(&st.db, &query, may_see_secret(cur), LIMIT + 1).await?;
    let more = hits.len() as i64 > LIMIT;
    hits.truncate(LIMIT as usize);
    let rows = Rows {
        q: query.clone(),
        hits: hits.into_iter().map(row).collect(),
        more,
    };
    if page::is_htmx(&headers) {
        return page::render(&rows);
    }
    let p = SearchPage {
        nav: Some(Nav::new(cur, "search")),
        rows: rows
            .render()
            .map_err(|e| crate::error::WebError::Internal(e.into()))?,
        q: query,
    };
    page::render(&p)
}

pub async fn api(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> WebResult<Json<Value>> {
    let cur = viewer.signed()?;
    let query = text::clean(&q.q);
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let hits = search::search(&st.db, &query, may_see_secret(cur), limit).await?;
    Ok(Json(json!({"query": query, "results": hits})))
}
