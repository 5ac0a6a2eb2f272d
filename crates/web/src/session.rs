//! Logging in and out. Failed logins are throttled per account and per address.
use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use trienkhai_core::Code;
use trienkhai_db::{Actor, audit, password, session, throttle, user};

use crate::{
    AppState,
    error::WebResult,
    guard::{CSRF_COOKIE, SESSION_COOKIE, Viewer, cookie},
    page::{self, Nav},
};

#[derive(Template)]
#[template(path = "session_login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    username: String,
    next: String,
    error: &'static str,
    notice: Option<&'static str>,
}

/// `max_age_s: None` makes a browser-session cookie: the session's lifetime
/// is decided by the database (idle and absolute limits), not by the browser.
pub fn set_cookie(name: &str, value: &str, max_age_s: Option<i64>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let age = max_age_s
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{age}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

/// Anonymous forms (login, setup) use a double-submit token: the cookie and
/// the hidden field must match. Returns the token and a cookie to set if new.
pub fn anon_csrf(st: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE) {
        Some(v) if v.len() == 64 => (v.to_string(), None),
        _ => {
            let t = password::random_hex(32);
            let c = set_cookie(CSRF_COOKIE, &t, Some(86_400), st.cfg.secure_cookies);
            (t, Some(c))
        }
    }
}

fn with_cookie(mut res: Response, c: Option<HeaderValue>) -> Response {
    if let Some(c) = c {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    next: Option<String>,
    bye: Option<String>,
    ready: Option<String>,
}

pub async fn login_form(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> WebResult<Response> {
    // Until setup has run, only an account made with `create-admin` may log in.
    if !st.is_initialized().await? && !user::any_exists(&st.db).await? {
        return Ok(page::redirect("/setup"));
    }
    if viewer.cur.is_some() {
        return Ok(page::redirect("/dashboard"));
    }
    let (csrf, set) = anon_csrf(&st, &headers);
    let notice = if q.bye.is_some() {
        Some("Bạn đã đăng xuất.")
    } else if q.ready.is_some() {
        Some("Đã khởi tạo hệ thống. Vui lòng đăng nhập bằng tài khoản quản trị vừa tạo.")
    } else {
        None
    };
    let p = LoginPage {
        nav: None,
        csrf,
        username: String::new(),
        next: q.next.unwrap_or_default(),
        error: "",
        notice,
    };
    Ok(with_cookie(page::render(&p)?, set))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

pub async fn login(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> WebResult<Response> {
    let username = f.username.trim().to_lowercase();
    let again = |error: Code, status: StatusCode| -> WebResult<Response> {
        let (csrf, set) = anon_csrf(&st, &headers);
        let p = LoginPage {
            nav: None,
            csrf,
            username: username.clone(),
            next: f.next.clone(),
            error: error.message(),
            notice: None,
        };
        Ok(with_cookie(page::render_status(&p, status)?, set))
    };
    // Counted before the password is checked; kept as a failure unless it succeeds.
    let attempt = throttle::attempt(&st.db, &username, &viewer.ip).await?;
    if attempt.throttled {
        return again(Code::Throttled, StatusCode::TOO_MANY_REQUESTS);
    }
    let Some(u) = user::authenticate(&st.db, &username, &f.password).await? else {
        return again(Code::BadCredentials, StatusCode::UNAUTHORIZED);
    };
    throttle::succeeded(&st.db, attempt).await?;
    let mut tx = st.db.begin().await?;
    let token = session::create_in(&mut tx, u.id, st.cfg.session_idle_ms).await?;
    let actor = Actor {
        user_id: Some(u.id),
        name: u.username.clone(),
        ip: Some(viewer.ip.clone()),
    };
    audit::record(
        &mut tx,
        &actor,
        audit::Change {
            action: "login",
            entity: "session",
            entity_id: None,
            summary: "Đăng nhập".into(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    let to = if u.must_change_password {
        "/account"
    } else {
        page::safe_next(Some(&f.next))
    };
    let mut res = page::redirect(to);
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, None, st.cfg.secure_cookies),
    );
    Ok(res)
}

pub async fn logout(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let mut tx = st.db.begin().await?;
    session::revoke_in(&mut tx, &cur.session_id).await?;
    audit::record(
        &mut tx,
        &viewer.actor(),
        audit::Change {
            action: "logout",
            entity: "session",
            entity_id: None,
            summary: "Đăng xuất".into(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    let mut res = page::redirect("/login?bye=1");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), st.cfg.secure_cookies),
    );
    Ok(res.into_response())
}
