//! First start: the top committee, and the first administrator unless one
//! was made with `create-admin` (then only that administrator may run it).
use askama::Template;
use axum::{
    Form,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use trienkhai_core::Code;
use trienkhai_db::{
    Actor, DbError,
    setup::{self, Setup},
    unit::{self, NewUnit, UnitType},
    user::{self, NewUser},
};

use crate::{
    AppState, authz,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
    session::anon_csrf,
};

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    nav: Option<Nav>,
    csrf: String,
    types: Vec<UnitType>,
    errors: Errors,
    /// False when an administrator made with `create-admin` is setting up.
    with_admin: bool,
    demo: bool,
    unit_name: String,
    type_code: String,
    unit_code: String,
    issuer_code: String,
    valid_from: String,
    display_name: String,
    username: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SetupForm {
    unit_name: String,
    type_code: String,
    unit_code: String,
    issuer_code: String,
    valid_from: String,
    display_name: String,
    username: String,
    password: String,
    confirm: String,
    demo: Option<String>,
}

async fn show(
    st: &AppState,
    headers: &HeaderMap,
    f: SetupForm,
    with_admin: bool,
    errors: Errors,
    status: StatusCode,
) -> WebResult<Response> {
    let (csrf, set) = anon_csrf(st, headers);
    let p = SetupPage {
        nav: None,
        csrf,
        types: unit::types(&st.db).await?,
        errors,
        with_admin,
        demo: f.demo.is_some(),
        unit_name: f.unit_name,
        type_code: if f.type_code.is_empty() {
            "cap_tren_co_so".into()
        } else {
            f.type_code
        },
        unit_code: f.unit_code,
        issuer_code: f.issuer_code,
        valid_from: f.valid_from,
        display_name: f.display_name,
        username: f.username,
    };
    let mut res = page::render_status(&p, status)?;
    if let Some(c) = set {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// Whether the form may be used, and whether it creates the administrator.
/// Err carries the response for a caller who may not use it.
async fn gate(
    st: &AppState,
    viewer: &Viewer,
    method_is_get: bool,
) -> WebResult<Result<bool, Response>> {
    if st.is_initialized().await? {
        return Ok(Err(if method_is_get {
            page::redirect("/login")
        } else {
            WebError::status(StatusCode::CONFLICT, Code::AlreadySetUp).into_response()
        }));
    }
    let users_exist = user::any_exists(&st.db).await?;
    if !authz::may_set_up(users_exist, viewer.role()) {
        return Ok(Err(if method_is_get {
            page::redirect("/login?next=%2Fsetup")
        } else {
            WebError::forbidden().into_response()
        }));
    }
    Ok(Ok(!users_exist))
}

pub async fn form(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> WebResult<Response> {
    let with_admin = match gate(&st, &viewer, true).await? {
        Ok(w) => w,
        Err(res) => return Ok(res),
    };
    show(
        &st,
        &headers,
        SetupForm::default(),
        with_admin,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn submit(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(f): Form<SetupForm>,
) -> WebResult<Response> {
    let with_admin = match gate(&st, &viewer, false).await? {
        Ok(w) => w,
        Err(res) => return Ok(res),
    };
    let s = Setup {
        unit: NewUnit {
            code: f.unit_code.clone(),
            name: f.unit_name.clone(),
            type_code: f.type_code.clone(),
            parent_id: None,
            issuer_code: Some(f.issuer_code.clone()),
            valid_from: f.valid_from.clone(),
            valid_to: None,
        },
        admin: with_admin.then(|| NewUser {
            username: f.username.clone(),
            display_name: f.display_name.clone(),
            password: f.password.clone(),
            ..Default::default()
        }),
        confirm: f.confirm.clone(),
        demo: f.demo.is_some(),
    };
    let actor = if with_admin {
        Actor::system("Khởi tạo hệ thống")
    } else {
        viewer.actor()
    };
    match setup::run(&st.db, &actor, s).await {
        Ok(_) => {
            st.is_initialized().await?;
            Ok(page::redirect(if with_admin {
                "/login?ready=1"
            } else {
                "/dashboard"
            }))
        }
        Err(DbError::Invalid(errs)) => {
            show(
                &st,
                &headers,
                f,
                with_admin,
                Errors(errs),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(WebError::from(e)),
    }
}
