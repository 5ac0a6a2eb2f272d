//! The campaign part of the JSON API: list, launch, and the board of any unit.
use axum::{
    Json,
    extract::{Path, Query, State},
};
use serde::Deserialize;
use serde_json::{Value, json};
use trienkhai_core::fmt;
use trienkhai_db::campaign::{self, Listed, NewCampaign, tally};

use super::{BoardQuery, load};
use crate::{AppState, error::WebResult, guard::Viewer};

pub async fn list(State(st): State<AppState>, viewer: Viewer) -> WebResult<Json<Vec<Listed>>> {
    viewer.signed()?;
    Ok(Json(campaign::list(&st.db, None, 100).await?))
}

/// As the form, with documents and unit ids as numbers.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Launch {
    pub unit_id: i64,
    pub title: String,
    pub documents: Vec<i64>,
    pub plan_document_id: Option<i64>,
    pub launched_on: String,
    pub session_due: String,
    pub programme_due: String,
    pub report_due: String,
    pub add: Vec<i64>,
    pub remove: Vec<i64>,
    pub remind_days: Option<i64>,
}

pub async fn launch(
    State(st): State<AppState>,
    viewer: Viewer,
    Json(l): Json<Launch>,
) -> WebResult<Json<Value>> {
    let n = NewCampaign {
        unit_id: l.unit_id,
        title: l.title,
        documents: l.documents,
        plan_document_id: l.plan_document_id,
        launched_on: l.launched_on,
        session_due: l.session_due,
        programme_due: l.programme_due,
        report_due: l.report_due,
        add: l.add,
        remove: l.remove,
        remind_days: l.remind_days.unwrap_or(3),
    };
    let id = campaign::launch(&st.db, &viewer.actor(), n).await?;
    Ok(Json(json!({"id": id})))
}

/// The kept roll-ups of a unit (default: the committee) and its sub-units,
/// with the units behind schedule at each.
pub async fn board(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> WebResult<Json<Value>> {
    viewer.signed()?;
    let c = load(&st, id).await?;
    let (node, children) = tally::board(&st.db, &c, q.unit.unwrap_or(c.unit_id)).await?;
    let req = c.required(&fmt::iso(fmt::today_vn()));
    let with_behind = |l: &tally::Line| {
        let mut v = json!(l);
        v["behind"] = json!(super::behind(l, req));
        v["rate"] = json!(fmt::percent(l.present, l.in_scope));
        v
    };
    Ok(Json(json!({
        "campaign": c,
        "unit": node.as_ref().map(with_behind),
        "children": children.iter().map(with_behind).collect::<Vec<_>>(),
    })))
}
