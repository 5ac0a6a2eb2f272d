//! The register over JSON: list, one document with its links, register,
//! issue. Field errors come back as `fields`, as everywhere in the API.
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use trienkhai_db::document::{self, Incoming, citation, file as doc_file, relation};

use super::{ListQuery, form::IssueForm};
use crate::{AppState, error::WebResult, guard::Viewer};

pub async fn list(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> WebResult<Json<Value>> {
    let f = q.filter(viewer.signed()?)?;
    let items = document::list(&st.db, &f, 100).await?;
    let next = (items.len() == 100)
        .then(|| {
            items
                .last()
                .map(|d| format!("{}~{}", d.issued_on.as_deref().unwrap_or(""), d.id))
        })
        .flatten();
    Ok(Json(json!({"items": items, "next_after": next})))
}

pub async fn show(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Json<Value>> {
    let cur = viewer.signed()?;
    let d = super::visible(&st, cur, id).await?;
    let secret = crate::authz::may_see_secret(cur);
    let cites = citation::of(&st.db, id, secret).await?;
    let candidates = citation::candidates(&st.db, &cites, secret).await?;
    Ok(Json(json!({
        "document": d,
        "cites": cites,
        "candidates": candidates,
        "cited_by": citation::by(&st.db, id, secret).await?,
        "relations": relation::of(&st.db, id, secret).await?,
        "files": doc_file::of(&st.db, id).await?,
    })))
}

pub async fn register(
    State(st): State<AppState>,
    viewer: Viewer,
    Json(d): Json<Incoming>,
) -> WebResult<Response> {
    let id = document::register(&st.db, &viewer.actor(), d).await?;
    created(&st, id).await
}

pub async fn issue(
    State(st): State<AppState>,
    viewer: Viewer,
    Json(f): Json<IssueForm>,
) -> WebResult<Response> {
    let d = f
        .outgoing()
        .map_err(|e| crate::error::WebError::Fields(vec![e]))?;
    let id = document::issue(&st.db, &viewer.actor(), d).await?;
    created(&st, id).await
}

async fn created(st: &AppState, id: i64) -> WebResult<Response> {
    let d = document::get(&st.db, id).await?;
    Ok((StatusCode::CREATED, Json(json!({"document": d}))).into_response())
}
