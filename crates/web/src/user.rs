//! Account administration (administrators only, by the rule in authz).
use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use trienkhai_core::{Code, FieldError, Role, fmt};
use trienkhai_db::{
    DbError, counter,
    unit::{self, Board},
    user::{self, Edit, NewUser},
};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
};

const PAGE: i64 = 50;

pub struct Row {
    id: i64,
    username: String,
    display_name: String,
    role_label: &'static str,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "user_list.html")]
struct ListPage {
    nav: Option<Nav>,
    total: String,
    users: Vec<Row>,
    next_after: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    after: Option<String>,
}

pub async fn list(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let mut users = user::list(&st.db, q.after.as_deref(), PAGE + 1).await?;
    let next_after = (users.len() as i64 > PAGE).then(|| {
        users.truncate(PAGE as usize);
        users.last().map(|u| u.username.clone()).unwrap_or_default()
    });
    let total = counter::all(&st.db)
        .await?
        .get(counter::USERS)
        .copied()
        .unwrap_or(0);
    let p = ListPage {
        nav: Some(Nav::new(cur, "users")),
        total: fmt::int(total),
        users: users
            .into_iter()
            .map(|u| Row {
                id: u.id,
                role_label: u.role().label(),
                username: u.username,
                display_name: u.display_name,
                disabled: u.disabled,
            })
            .collect(),
        next_after,
    };
    page::render(&p)
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    is_new: bool,
    id: i64,
    version: i64,
    username: String,
    display_name: String,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
    unit_code: String,
    /// (id, name, selected)
    boards: Vec<(i64, String, bool)>,
    disabled: bool,
    errors: Errors,
    form_error: &'static str,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    unit_code: String,
    board_id: String,
    password: String,
    disabled: Option<String>,
    version: i64,
}

impl UserForm {
    fn board(&self) -> Option<i64> {
        self.board_id.parse().ok()
    }
}

struct View {
    is_new: bool,
    id: i64,
    errors: Errors,
    form_error: &'static str,
    notice: Option<&'static str>,
    status: StatusCode,
}

async fn show(st: &AppState, viewer: &Viewer, f: UserForm, v: View) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let boards = match st.top_unit_id().await? {
        Some(top) => unit::boards(&st.db, top)
            .await?
            .into_iter()
            .filter(|b| b.kind == "board")
            .collect(),
        None => vec![],
    };
    let p = FormPage {
        nav: Some(Nav::new(cur, "users")),
        csrf: cur.csrf.clone(),
        is_new: v.is_new,
        id: v.id,
        version: f.version,
        boards: boards
            .into_iter()
            .map(|b: Board| (b.id, b.name, Some(b.id) == f.board()))
            .collect(),
        username: f.username,
        display_name: f.display_name,
        role: if f.role.is_empty() {
            Role::Staff.as_str().into()
        } else {
            f.role
        },
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        unit_code: f.unit_code,
        disabled: f.disabled.is_some(),
        errors: v.errors,
        form_error: v.form_error,
        notice: v.notice,
    };
    page::render_status(&p, v.status)
}

fn view(is_new: bool, id: i64) -> View {
    View {
        is_new,
        id,
        errors: Errors::default(),
        form_error: "",
        notice: None,
        status: StatusCode::OK,
    }
}

pub async fn new_form(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    show(&st, &viewer, UserForm::default(), view(true, 0)).await
}

/// Unit codes are what clerks know; an unknown code is a field error
/// (the inner Err), a database failure is not (the outer one).
async fn unit_id(st: &AppState, code: &str) -> WebResult<Result<Option<i64>, FieldError>> {
    match unit::id_by_code(&st.db, code, "unit_id").await {
        Ok(id) => Ok(Ok(id)),
        Err(DbError::Invalid(mut errs)) if !errs.is_empty() => Ok(Err(errs.remove(0))),
        Err(e) => Err(e.into()),
    }
}

fn refused(e: DbError) -> Result<Errors, WebError> {
    match e {
        DbError::Invalid(errs) => Ok(Errors(errs)),
        other => Err(WebError::from(other)),
    }
}

pub async fn create(
    State(st): State<AppState>,
    viewer: Viewer,
    Form(f): Form<UserForm>,
) -> WebResult<Response> {
    let unit_id = match unit_id(&st, &f.unit_code).await? {
        Ok(u) => u,
        Err(e) => {
            return show(
                &st,
                &viewer,
                f,
                View {
                    errors: Errors(vec![e]),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..view(true, 0)
                },
            )
            .await;
        }
    };
    let new = NewUser {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: f.password.clone(),
        role: f.role.clone(),
        unit_id,
        board_id: f.board(),
        person_id: None,
        must_change_password: true,
    };
    match user::create(&st.db, &viewer.actor(), new).await {
        Ok(u) => Ok(page::redirect(&format!("/admin/users/{}?created=1", u.id))),
        Err(e) => {
            let errors = refused(e)?;
            show(
                &st,
                &viewer,
                f,
                View {
                    errors,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..view(true, 0)
                },
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditQuery {
    created: Option<String>,
}

async fn form_of(st: &AppState, id: i64) -> WebResult<UserForm> {
    let Some(u) = user::get(&st.db, id).await? else {
        return Err(WebError::not_found());
    };
    let unit_code = match u.unit_id {
        Some(uid) => unit::get(&st.db, uid)
            .await?
            .map(|x| x.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(UserForm {
        username: u.username,
        display_name: u.display_name,
        role: u.role,
        unit_code,
        board_id: u.board_id.map(|b| b.to_string()).unwrap_or_default(),
        password: String::new(),
        disabled: u.disabled.then(|| "1".into()),
        version: u.version,
    })
}

pub async fn edit_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> WebResult<Response> {
    let f = form_of(&st, id).await?;
    let notice = q
        .created
        .map(|_| "Đã tạo tài khoản. Người dùng sẽ phải đổi mật khẩu ở lần đăng nhập đầu.");
    show(
        &st,
        &viewer,
        f,
        View {
            notice,
            ..view(false, id)
        },
    )
    .await
}

pub async fn update(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> WebResult<Response> {
    let current = form_of(&st, id).await?;
    let unit_id = match unit_id(&st, &f.unit_code).await? {
        Ok(u) => u,
        Err(e) => {
            let f = UserForm {
                username: current.username,
                ..f
            };
            return show(
                &st,
                &viewer,
                f,
                View {
                    errors: Errors(vec![e]),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..view(false, id)
                },
            )
            .await;
        }
    };
    let edit = Edit {
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        unit_id,
        board_id: f.board(),
        disabled: f.disabled.is_some(),
        version: f.version,
    };
    match user::update(&st.db, &viewer.actor(), id, edit).await {
        Ok(_) => {
            let f = form_of(&st, id).await?;
            show(
                &st,
                &viewer,
                f,
                View {
                    notice: Some("Đã lưu."),
                    ..view(false, id)
                },
            )
            .await
        }
        Err(DbError::Refused(Code::StaleForm)) => {
            // Show the newer data and say why the save was refused.
            show(
                &st,
                &viewer,
                current,
                View {
                    form_error: Code::StaleForm.message(),
                    status: StatusCode::CONFLICT,
                    ..view(false, id)
                },
            )
            .await
        }
        Err(e) => {
            let errors = refused(e)?;
            let f = UserForm {
                username: current.username,
                ..f
            };
            show(
                &st,
                &viewer,
                f,
                View {
                    errors,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..view(false, id)
                },
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

pub async fn reset_password(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(r): Form<ResetForm>,
) -> WebResult<Response> {
    let f = form_of(&st, id).await?;
    match user::reset_password(&st.db, &viewer.actor(), id, &r.password).await {
        Ok(()) => {
            show(
                &st,
                &viewer,
                f,
                View {
                    notice: Some("Đã đặt lại mật khẩu; mọi phiên của người dùng đã bị đăng xuất."),
                    ..view(false, id)
                },
            )
            .await
        }
        Err(e) => {
            let errors = refused(e)?;
            show(
                &st,
                &viewer,
                f,
                View {
                    errors,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..view(false, id)
                },
            )
            .await
        }
    }
}
