//! Shared page pieces: the navigation bar, field errors, rendering, redirects.
use askama::Template;
use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use trienkhai_core::{FieldError, Role, fmt};
use trienkhai_db::{Db, campaign::reminder, session::Current};

use crate::error::{WebError, WebResult};

/// The signed-in bar at the top of every page.
#[derive(Clone, Debug)]
pub struct Nav {
    pub name: String,
    pub role_label: &'static str,
    pub is_admin: bool,
    /// The committee office (admin, staff): campaigns instead of "my unit".
    pub is_office: bool,
    pub csrf: String,
    pub active: &'static str,
    /// Unread notifications, shown beside the campaigns or the unit's work.
    pub unread: i64,
}

impl Nav {
    pub fn new(cur: &Current, active: &'static str) -> Nav {
        let role = cur.role().unwrap_or(Role::Member);
        Nav {
            name: cur.display_name.clone(),
            role_label: role.label(),
            is_admin: role == Role::Admin,
            is_office: matches!(role, Role::Admin | Role::Staff),
            csrf: cur.csrf.clone(),
            active,
            unread: cur.unread,
        }
    }

    /// For the pages that list the notifications and mark them read.
    pub fn read(cur: &Current, active: &'static str) -> Nav {
        Nav {
            unread: 0,
            ..Nav::new(cur, active)
        }
    }
}

/// The notifications a page lists (see `reminder::for_page`), as (time,
/// text, link).
pub async fn notes(
    db: &Db,
    cur: &Current,
    unread_only: bool,
) -> WebResult<Vec<(String, String, String)>> {
    Ok(reminder::for_page(db, cur.user_id, cur.unread, unread_only)
        .await?
        .into_iter()
        .map(|n| (fmt::datetime_ms(n.at), n.text, n.link))
        .collect())
}

/// Field errors as a form shows them, next to each field.
#[derive(Clone, Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn get(&self, field: &str) -> &'static str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.code.message())
            .unwrap_or("")
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

pub fn render<T: Template>(t: &T) -> WebResult<Response> {
    render_status(t, StatusCode::OK)
}

pub fn render_status<T: Template>(t: &T, status: StatusCode) -> WebResult<Response> {
    let html = t
        .render()
        .map_err(|e| WebError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok((status, Html(html)).into_response())
}

pub fn redirect(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    let v = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/"));
    res.headers_mut().insert(header::LOCATION, v);
    res
}

pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Option<Nav>,
    message: &'a str,
    request_id: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "error_toast.html")]
struct ErrorToast<'a> {
    message: &'a str,
    request_id: Option<&'a str>,
}

pub fn error_html(message: &str, request_id: Option<&str>, partial: bool) -> String {
    let out = if partial {
        ErrorToast {
            message,
            request_id,
        }
        .render()
    } else {
        ErrorPage {
            nav: None,
            message,
            request_id,
        }
        .render()
    };
    out.unwrap_or_else(|_| message.to_string())
}

/// Only same-site paths are followed after login: one leading slash, then
/// visible ASCII with no backslash (browsers drop tabs and newlines, so
/// "/\t/evil" would otherwise become "//evil").
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            n
        }
        _ => "/dashboard",
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(
            safe_next(Some("/admin/users?after=b")),
            "/admin/users?after=b"
        );
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\nb",
            "/đ",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/dashboard");
    }
}
