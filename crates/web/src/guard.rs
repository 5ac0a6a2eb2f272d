//! The one gate every matched route passes: who is asking (session cookie,
//! or bearer token under /api), whether the route's rule lets them in, and,
//! for state changes made with a cookie, whether the CSRF token matches.
use std::net::SocketAddr;

use axum::{
    body::{Body, to_bytes},
    extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use subtle::ConstantTimeEq;
use trienkhai_core::{Code, Role};
use trienkhai_db::{Actor, session::Current};

use crate::{
    AppState,
    authz::{self, Access},
    error::WebError,
    page,
};

pub const SESSION_COOKIE: &str = "tk_session";
pub const CSRF_COOKIE: &str = "tk_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const DENIED_HEADER: &str = "x-trienkhai-denied";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
    Anonymous,
}

/// What handlers learn about the caller.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub cur: Option<Current>,
    pub ip: String,
}

impl Viewer {
    pub fn role(&self) -> Option<Role> {
        self.cur.as_ref().and_then(Current::role)
    }

    pub fn actor(&self) -> Actor {
        match &self.cur {
            Some(c) => Actor {
                user_id: Some(c.user_id),
                name: c.username.clone(),
                ip: Some(self.ip.clone()),
            },
            None => Actor {
                user_id: None,
                name: "khách".into(),
                ip: Some(self.ip.clone()),
            },
        }
    }

    /// The signed-in account; the guard has already refused anonymous callers
    /// on every route that is not public, so this only fails on public routes.
    pub fn signed(&self) -> Result<&Current, WebError> {
        self.cur.as_ref().ok_or(WebError::status(
            StatusCode::UNAUTHORIZED,
            Code::Unauthenticated,
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| {
            WebError::Internal(anyhow::anyhow!("route registered without the guard"))
        })
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    // The rightmost entry is the one our proxy appended; those to its left
    // come from the client and can be anything.
    if trust_proxy
        && let Some(last) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return last.to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Routes an account that must change its password may still use.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/account" | "/account/password" | "/logout" | "/static/{file}" | "/livez" | "/healthz"
    )
}

pub async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    match check(&st, req).await {
        Ok(req) => next.run(req).await,
        Err(res) => res,
    }
}

async fn check(st: &AppState, req: Request) -> Result<Request, Response> {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let method = req.method().clone();
    let Some(access) = authz::rule(&method, &path) else {
        tracing::error!(%method, %path, "route has no authorization rule");
        let mut res = WebError::forbidden().into_response();
        res.headers_mut()
            .insert(DENIED_HEADER, HeaderValue::from_static("no-rule"));
        return Err(res);
    };
    let is_api = path.starts_with("/api/");
    let ip = client_ip(&req, st.cfg.trust_proxy);
    // Assets and probes never need the caller: no session lookup for them.
    let (cur, via) = if matches!(path.as_str(), "/static/{file}" | "/livez" | "/healthz") {
        (None, Via::Anonymous)
    } else {
        resolve(st, req.headers(), is_api && access != Access::Public)
            .await
            .map_err(IntoResponse::into_response)?
    };
    let role = cur.as_ref().and_then(Current::role);
    if !authz::allows(access, role) {
        let mut res = if cur.is_some() {
            WebError::forbidden().into_response()
        } else if is_api {
            WebError::status(StatusCode::UNAUTHORIZED, Code::Unauthenticated).into_response()
        } else {
            login_redirect(&req)
        };
        // Tells clients (and the matrix test) the refusal came from the rule, not the handler.
        res.headers_mut()
            .insert(DENIED_HEADER, HeaderValue::from_static("rule"));
        return Err(res);
    }
    if let Some(c) = &cur
        && c.must_change_password
        && via == Via::Session
        && !allowed_before_password_change(&path)
    {
        return Err(page::redirect("/account"));
    }
    let mut req = req;
    if !is_safe(&method) && via != Via::Token {
        // The session's token; on the anonymous forms (login, setup) also the
        // double-submit cookie's, which such a form carries even when a
        // session exists (a login tab left open, setup by a CLI-made admin).
        let anonymous_form = matches!(path.as_str(), "/login" | "/setup");
        let session_token = cur.as_ref().map(|c| c.csrf.clone());
        let cookie_token = (anonymous_form || cur.is_none())
            .then(|| cookie(req.headers(), CSRF_COOKIE).map(str::to_string))
            .flatten();
        let (r, provided) = csrf_token(req, st.cfg.max_body).await?;
        req = r;
        let matches = |t: &Option<String>| {
            t.as_deref().is_some_and(|t| {
                !t.is_empty() && bool::from(t.as_bytes().ct_eq(provided.as_bytes()))
            })
        };
        if !(matches(&session_token) || matches(&cookie_token)) {
            return Err(WebError::status(StatusCode::FORBIDDEN, Code::CsrfFailed).into_response());
        }
    }
    req.extensions_mut().insert(Viewer { cur, ip });
    Ok(req)
}

/// API routes read only the bearer token; pages read only the session cookie.
async fn resolve(
    st: &AppState,
    headers: &HeaderMap,
    api: bool,
) -> Result<(Option<Current>, Via), WebError> {
    if api {
        let Some(auth) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Ok((None, Via::Anonymous));
        };
        let token = auth.strip_prefix("Bearer ").unwrap_or("").trim();
        let cur = trienkhai_db::token::lookup(&st.db, token).await?;
        return Ok(match cur {
            Some(c) => (Some(c), Via::Token),
            None => (None, Via::Anonymous),
        });
    }
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok((None, Via::Anonymous));
    };
    match trienkhai_db::session::lookup(&st.db, token, st.cfg.session_idle_ms).await? {
        Some(c) => Ok((Some(c), Via::Session)),
        None => Ok((None, Via::Anonymous)),
    }
}

fn login_redirect(req: &Request) -> Response {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let to = if req.method() == Method::GET && target != "/" {
        format!(
            "/login?next={}",
            form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
        )
    } else {
        "/login".to_string()
    };
    if page::is_htmx(req.headers()) {
        // htmx would swap the login page into a fragment; ask for a full navigation.
        let mut res = StatusCode::OK.into_response();
        res.headers_mut().insert(
            "hx-redirect",
            HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/login")),
        );
        return res;
    }
    page::redirect(&to)
}

/// The token comes from the `X-CSRF-Token` header (htmx) or the `_csrf` field of
/// an urlencoded form; the body is buffered (within the size limit) and put back.
async fn csrf_token(req: Request, max_body: usize) -> Result<(Request, String), Response> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return Ok((req, v));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // An upload carries the token in its action URL: buffering a whole
    // file here just to find one field would double the memory it takes.
    if content_type.starts_with("multipart/form-data") {
        let token = req
            .uri()
            .query()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v.into_owned())
            })
            .unwrap_or_default();
        return Ok((req, token));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((req, String::new()));
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, max_body).await.map_err(|_| {
        WebError::status(StatusCode::PAYLOAD_TOO_LARGE, Code::PayloadTooLarge).into_response()
    })?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}
