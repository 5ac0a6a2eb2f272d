//! JSON API under /api/v1, authenticated by personal tokens (Bearer). The
//! same rules and storage functions as the pages; no separate logic.
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};
use trienkhai_core::{Code, FieldError, fmt};
use trienkhai_db::{counter, member, person, restructure, unit, user};

use crate::{
    AppState,
    audit::AuditQuery,
    authz::{self, Scope},
    error::{WebError, WebResult},
    guard::Viewer,
    routes::route_list,
};

pub async fn me(viewer: Viewer) -> WebResult<Json<Value>> {
    let c = viewer.signed()?;
    Ok(Json(json!({
        "id": c.user_id, "username": c.username, "display_name": c.display_name, "role": c.role,
        "unit_id": c.unit_id, "board_id": c.board_id, "must_change_password": c.must_change_password,
    })))
}

pub async fn dashboard(State(st): State<AppState>, viewer: Viewer) -> WebResult<Json<Value>> {
    let c = viewer.signed()?;
    let scope = authz::scope(c);
    let unit_id = match (&scope, c.unit_id) {
        (Scope::All, _) => st.top_unit_id().await?,
        (_, id) => id,
    };
    let u = match unit_id {
        Some(id) => unit::get(&st.db, id).await?,
        None => None,
    };
    let counters = if scope == Scope::All {
        Some(counter::all(&st.db).await?)
    } else {
        None
    };
    Ok(Json(json!({"unit": u, "counters": counters})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnitQuery {
    as_of: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
}

pub async fn units(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<UnitQuery>,
) -> WebResult<Json<Value>> {
    let c = viewer.signed()?;
    let as_of = match q.as_of.as_deref() {
        None | Some("") => fmt::today_vn(),
        Some(s) => fmt::parse_date(s).ok_or(WebError::Fields(vec![FieldError::new(
            "as_of",
            Code::InvalidDate,
        )]))?,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let day = fmt::iso(as_of);
    let page = |items: Vec<unit::Unit>| {
        let next = (items.len() as i64 == limit)
            .then(|| items.last().map(|u| u.path.clone()))
            .flatten();
        (items, next)
    };
    let (items, next) = match authz::scope(c) {
        Scope::All => page(unit::list(&st.db, None, as_of, q.after.as_deref(), limit).await?),
        Scope::Subtree(p) => {
            page(unit::list(&st.db, Some(&p), as_of, q.after.as_deref(), limit).await?)
        }
        // A member's one unit: a single page, and only if it existed that day.
        Scope::Own(id) => {
            let own = unit::get(&st.db, id).await?.filter(|u| {
                q.after.is_none()
                    && u.valid_from <= day
                    && u.valid_to.as_ref().is_none_or(|t| *t >= day)
            });
            (own.into_iter().collect(), None)
        }
        Scope::Nothing => (vec![], None),
    };
    Ok(Json(
        json!({"as_of": fmt::iso(as_of), "items": items, "next": next}),
    ))
}

fn day_of(as_of: Option<&str>) -> WebResult<time::Date> {
    match as_of {
        None | Some("") => Ok(fmt::today_vn()),
        Some(s) => fmt::parse_date(s).ok_or(WebError::Fields(vec![FieldError::new(
            "as_of",
            Code::InvalidDate,
        )])),
    }
}

async fn visible(st: &AppState, viewer: &Viewer, id: i64) -> WebResult<unit::Unit> {
    let c = viewer.signed()?;
    let Some(u) = unit::get(&st.db, id).await? else {
        return Err(WebError::not_found());
    };
    if !authz::can_see_unit(c, u.id, &u.path) {
        return Err(WebError::forbidden());
    }
    Ok(u)
}

/// A unit now and as of a day, with its boards, terms, positions and lineage.
pub async fn unit(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> WebResult<Json<Value>> {
    let u = visible(&st, &viewer, id).await?;
    let day = day_of(q.as_of.as_deref())?;
    let then = unit::at(&st.db, id, day).await?;
    let children = match &then {
        Some(t) => unit::children(&st.db, t, day, unit::Members::Own).await?,
        None => vec![],
    };
    Ok(Json(json!({
        "unit": u,
        "as_of": fmt::iso(day),
        "then": then,
        "children": children,
        "boards": unit::boards(&st.db, id).await?,
        "terms": person::terms(&st.db, id).await?,
        "positions": person::positions_in_unit(&st.db, id).await?,
        "lineage": restructure::history(&st.db, id).await?,
    })))
}

/// One page of a unit's roll (its whole subtree) as of a day, in name order.
pub async fn members(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> WebResult<Json<Value>> {
    let c = viewer.signed()?;
    let u = visible(&st, &viewer, id).await?;
    if !authz::may_list_members(c, u.id, &u.path) {
        return Err(WebError::forbidden());
    }
    let day = day_of(q.as_of.as_deref())?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = match unit::at(&st.db, id, day).await? {
        Some(t) => member::list(&st.db, &t.path, day, q.after.as_deref(), limit).await?,
        None => vec![],
    };
    let next = (items.len() as i64 == limit)
        .then(|| items.last().map(|m| m.cursor()))
        .flatten();
    Ok(Json(
        json!({"as_of": fmt::iso(day), "items": items, "next": next}),
    ))
}

pub async fn person(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Json<Value>> {
    let c = viewer.signed()?;
    let Some(p) = person::get(&st.db, id).await? else {
        return Err(WebError::not_found());
    };
    let stints = person::memberships(&st.db, id).await?;
    let paths: Vec<String> = stints.iter().map(|s| s.unit_path.clone()).collect();
    if !authz::may_see_person(c, &paths) {
        return Err(WebError::forbidden());
    }
    Ok(Json(json!({
        "person": p,
        "memberships": stints,
        "positions": person::positions_of(&st.db, id).await?,
    })))
}

#[derive(Deserialize)]
pub struct RestructureBody {
    #[serde(flatten)]
    form: crate::restructure::WizardForm,
    #[serde(default)]
    dry_run: bool,
}

/// The wizard's fields as JSON; `dry_run` answers the plan only.
pub async fn restructure(
    State(st): State<AppState>,
    viewer: Viewer,
    Json(b): Json<RestructureBody>,
) -> WebResult<Response> {
    let order = match crate::restructure::to_order(&st, &b.form).await? {
        Ok(o) => o,
        Err(errs) => return Err(WebError::Fields(errs.0)),
    };
    let actor = viewer.actor();
    if b.dry_run {
        let plan = restructure::preview(&st.db, &actor, order).await?;
        let fp = plan.fingerprint();
        return Ok(Json(json!({"plan": plan, "fingerprint": fp})).into_response());
    }
    let expect = Some(b.form.fingerprint.as_str()).filter(|f| !f.is_empty());
    let done = restructure::apply(&st.db, &actor, order, expect).await?;
    let body = json!({"plan": done.plan, "event_id": done.event_id, "successor": done.successor});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserQuery {
    after: Option<String>,
    limit: Option<i64>,
}

pub async fn users(
    State(st): State<AppState>,
    Query(q): Query<UserQuery>,
) -> WebResult<Json<Value>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = user::list(&st.db, q.after.as_deref(), limit).await?;
    let next = (items.len() as i64 == limit)
        .then(|| items.last().map(|u| u.username.clone()))
        .flatten();
    Ok(Json(json!({"items": items, "next": next})))
}

#[derive(Deserialize)]
pub struct NewUserBody {
    username: String,
    display_name: String,
    password: String,
    role: String,
    #[serde(default)]
    unit_code: Option<String>,
    #[serde(default)]
    board_id: Option<i64>,
}

pub async fn create_user(
    State(st): State<AppState>,
    viewer: Viewer,
    Json(b): Json<NewUserBody>,
) -> WebResult<Response> {
    let code = b.unit_code.as_deref().unwrap_or("");
    let unit_id = unit::id_by_code(&st.db, code, "unit_code").await?;
    let new = user::NewUser {
        username: b.username,
        display_name: b.display_name,
        password: b.password,
        role: b.role,
        unit_id,
        board_id: b.board_id,
        person_id: None,
        must_change_password: true,
    };
    let u = user::create(&st.db, &viewer.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

pub async fn audit(
    State(st): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> WebResult<Json<Value>> {
    let items = trienkhai_db::audit::list(&st.db, &q.filter()?, 100).await?;
    let next = (items.len() == 100)
        .then(|| items.last().map(|e| e.id))
        .flatten();
    Ok(Json(json!({"items": items, "next_before": next})))
}

/// OpenAPI 3.1 built from the route table itself, so it cannot drift.
pub async fn openapi() -> Json<Value> {
    let mut paths = serde_json::Map::new();
    for r in route_list()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
    {
        let access = authz::rule(&r.method, r.path);
        let mut op = json!({
            "summary": r.summary,
            "responses": {
                "200": {"description": "Thành công", "content": {"application/json": {}}},
                "401": {"description": "Thiếu hoặc sai khóa API"},
                "403": {"description": "Không có quyền"},
                "422": {"description": "Dữ liệu không hợp lệ; `fields` chỉ rõ từng trường"},
            },
        });
        if access != Some(authz::Access::Public) {
            op["security"] = json!([{"bearer": []}]);
        }
        if r.path.contains("{id}") {
            op["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]);
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.as_str().to_lowercase()] = op;
    }
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "trienkhai API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Khóa API cá nhân tạo tại trang Tài khoản hoặc bằng `trienkhai token create`."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }))
}
