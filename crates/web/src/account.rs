//! The signed-in user's own page: profile, password change, API tokens.
use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use trienkhai_core::{Role, fmt, text};
use trienkhai_db::{DbError, token, unit, user};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Option<Nav>,
    csrf: String,
    display_name: String,
    username: String,
    role_label: &'static str,
    unit_name: Option<String>,
    must_change: bool,
    notice: Option<&'static str>,
    errors: Errors,
    new_token: Option<String>,
    /// (name, created, status, revocable, id)
    tokens: Vec<(String, String, &'static str, bool, i64)>,
}

async fn show(
    st: &AppState,
    viewer: &Viewer,
    errors: Errors,
    notice: Option<&'static str>,
    new_token: Option<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let unit_name = match cur.unit_id {
        Some(id) => unit::get(&st.db, id).await?.map(|u| u.name),
        None => None,
    };
    let tokens = token::list(&st.db, cur.user_id)
        .await?
        .into_iter()
        .map(|t| {
            let revoked = t.revoked_at.is_some();
            (
                t.name,
                fmt::datetime_ms(t.created_at),
                if revoked {
                    "Đã thu hồi"
                } else {
                    "Đang dùng"
                },
                !revoked,
                t.id,
            )
        })
        .collect();
    let p = AccountPage {
        nav: Some(Nav::new(cur, "account")),
        csrf: cur.csrf.clone(),
        display_name: cur.display_name.clone(),
        username: cur.username.clone(),
        role_label: cur.role().unwrap_or(Role::Member).label(),
        unit_name,
        must_change: cur.must_change_password,
        notice,
        errors,
        new_token,
        tokens,
    };
    page::render_status(&p, status)
}

pub async fn page(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    show(&st, &viewer, Errors::default(), None, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new_password: String,
    confirm: String,
}

pub async fn change_password(
    State(st): State<AppState>,
    viewer: Viewer,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    match user::change_password(
        &st.db,
        &viewer.actor(),
        cur.user_id,
        &cur.session_id,
        &f.current,
        &f.new_password,
        &f.confirm,
    )
    .await
    {
        Ok(()) => {
            // The password is changed: show the page without the "must change" banner.
            let mut v = viewer.clone();
            if let Some(c) = v.cur.as_mut() {
                c.must_change_password = false;
            }
            show(
                &st,
                &v,
                Errors::default(),
                Some("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(DbError::Invalid(errs)) => {
            show(
                &st,
                &viewer,
                Errors(errs),
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(WebError::from(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(st): State<AppState>,
    viewer: Viewer,
    Form(f): Form<TokenForm>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let name = text::clean(&f.name);
    if let Some(err) = text::check("name", &name, 80) {
        return show(
            &st,
            &viewer,
            Errors(vec![err]),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let t = token::create(&st.db, &viewer.actor(), cur.user_id, &name).await?;
    show(
        &st,
        &viewer,
        Errors::default(),
        None,
        Some(t),
        StatusCode::OK,
    )
    .await
}

pub async fn revoke_token(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    if !token::revoke(&st.db, &viewer.actor(), cur.user_id, id).await? {
        return Err(WebError::not_found());
    }
    show(
        &st,
        &viewer,
        Errors::default(),
        Some("Đã thu hồi khóa."),
        None,
        StatusCode::OK,
    )
    .await
}
