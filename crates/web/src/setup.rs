//! First start: shown only while the database has no committee and no administrator.
use askama::Template;
use axum::{
    Form,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use serde::Deserialize;
use trienkhai_core::Code;
use trienkhai_db::{
    DbError,
    setup::{self, Setup},
    unit::{self, NewUnit, UnitType},
    user::NewUser,
};

use crate::{
    AppState,
    error::{WebError, WebResult},
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
    errors: Errors,
    status: StatusCode,
) -> WebResult<Response> {
    let (csrf, set) = anon_csrf(st, headers);
    let p = SetupPage {
        nav: None,
        csrf,
        types: unit::types(&st.db).await?,
        errors,
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

pub async fn form(State(st): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    if st.is_initialized().await? {
        return Ok(page::redirect("/login"));
    }
    show(
        &st,
        &headers,
        SetupForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SetupForm>,
) -> WebResult<Response> {
    if st.is_initialized().await? {
        return Err(WebError::status(StatusCode::CONFLICT, Code::AlreadySetUp));
    }
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
        admin: NewUser {
            username: f.username.clone(),
            display_name: f.display_name.clone(),
            password: f.password.clone(),
            ..Default::default()
        },
        confirm: f.confirm.clone(),
        demo: f.demo.is_some(),
    };
    match setup::run(&st.db, s).await {
        Ok(_) => {
            st.is_initialized().await?;
            Ok(page::redirect("/login?ready=1"))
        }
        Err(DbError::Invalid(errs)) => {
            show(
                &st,
                &headers,
                f,
                Errors(errs),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(WebError::from(e)),
    }
}
