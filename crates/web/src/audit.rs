//! The audit log screen: filters, newest first, keyset paging, and the
//! table alone (htmx partial) when the filter form asks for it.
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time};
use trienkhai_core::{Code, FieldError, fmt};
use trienkhai_db::audit::{self, Entry, Filter};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
};

const PAGE: i64 = 50;

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub entity: String,
    pub action: String,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
}

fn some(s: &str) -> Option<String> {
    let t = trienkhai_core::text::clean(s);
    (!t.is_empty()).then_some(t)
}

/// A Viet Nam calendar day as UTC milliseconds at its start (or end).
fn day_ms(d: Date, end: bool) -> i64 {
    let t = if end {
        Time::from_hms_milli(23, 59, 59, 999).unwrap_or(Time::MIDNIGHT)
    } else {
        Time::MIDNIGHT
    };
    OffsetDateTime::new_in_offset(d, t, fmt::VN_OFFSET).unix_timestamp() * 1000
        + if end { 999 } else { 0 }
}

impl AuditQuery {
    /// Bad dates are field errors on `from` / `to`.
    pub fn filter(&self) -> WebResult<Filter> {
        let mut errs = Vec::new();
        let mut date = |field: &'static str, s: &str, end: bool| match some(s) {
            None => None,
            Some(v) => {
                let ms = fmt::parse_date(&v).map(|d| day_ms(d, end));
                if ms.is_none() {
                    errs.push(FieldError::new(field, Code::InvalidDate));
                }
                ms
            }
        };
        let (from_ms, to_ms) = (date("from", &self.from, false), date("to", &self.to, true));
        if !errs.is_empty() {
            return Err(WebError::Fields(errs));
        }
        Ok(Filter {
            actor: some(&self.actor),
            entity: some(&self.entity),
            action: some(&self.action),
            from_ms,
            to_ms,
            before_id: self.before,
        })
    }
}

/// Vietnamese names for the stored codes (codes stay stable in the database and API).
pub fn entity_label(code: &str) -> &str {
    match code {
        "user" => "Tài khoản",
        "session" => "Phiên đăng nhập",
        "api_token" => "Khóa API",
        "unit" => "Đơn vị",
        "board" => "Ban, tiểu ban",
        "person" => "Hồ sơ người",
        "term" => "Nhiệm kỳ",
        "position" => "Chức vụ",
        "document" => "Văn bản",
        other => other,
    }
}

pub fn action_label(code: &str) -> &str {
    match code {
        "create" => "Tạo mới",
        "update" => "Sửa",
        "login" => "Đăng nhập",
        "logout" => "Đăng xuất",
        "change_password" => "Đổi mật khẩu",
        "reset_password" => "Đặt lại mật khẩu",
        "revoke" => "Thu hồi",
        other => other,
    }
}

pub struct Row {
    at: String,
    actor: String,
    ip: String,
    entity: String,
    action: String,
    summary: String,
    diff: String,
}

fn row(e: Entry) -> Row {
    let diff = match (&e.before_json, &e.after_json) {
        (None, None) => String::new(),
        (b, a) => format!(
            "trước: {}\nsau: {}",
            b.as_deref().unwrap_or("—"),
            a.as_deref().unwrap_or("—")
        ),
    };
    Row {
        at: fmt::datetime_ms(e.at),
        actor: e.actor,
        ip: e.ip.unwrap_or_default(),
        entity: e.entity,
        action: e.action,
        summary: e.summary,
        diff,
    }
}

#[derive(Template)]
#[template(path = "audit_rows.html")]
struct Rows {
    rows: Vec<Row>,
    next_query: Option<String>,
}

#[derive(Template)]
#[template(path = "audit_list.html")]
struct ListPage {
    nav: Option<Nav>,
    errors: Errors,
    f_actor: String,
    f_entity: String,
    f_action: String,
    f_from: String,
    f_to: String,
    /// (code, label)
    entities: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    rows: String,
}

pub async fn list(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let (mut entries, errors) = match q.filter() {
        Ok(f) => (audit::list(&st.db, &f, PAGE + 1).await?, Errors::default()),
        // A full page shows the message at the date field; htmx gets a toast.
        Err(WebError::Fields(errs)) if !page::is_htmx(&headers) => (vec![], Errors(errs)),
        Err(e) => return Err(e),
    };
    let next_query = (entries.len() as i64 > PAGE).then(|| {
        entries.truncate(PAGE as usize);
        let next = AuditQuery {
            before: entries.last().map(|e| e.id),
            ..q.clone()
        };
        serde_urlencoded::to_string(&next).unwrap_or_default()
    });
    let rows = Rows {
        rows: entries.into_iter().map(row).collect(),
        next_query,
    };
    if page::is_htmx(&headers) {
        return page::render(&rows);
    }
    let (entities, actions) = audit::distinct(&st.db).await?;
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let p = ListPage {
        nav: Some(Nav::new(cur, "audit")),
        errors,
        rows: rows.render().map_err(|e| WebError::Internal(e.into()))?,
        f_actor: q.actor,
        f_entity: q.entity,
        f_action: q.action,
        f_from: q.from,
        f_to: q.to,
        entities: entities
            .into_iter()
            .map(|code| {
                let label = entity_label(&code).to_string();
                (code, label)
            })
            .collect(),
        actions: actions
            .into_iter()
            .map(|code| {
                let label = action_label(&code).to_string();
                (code, label)
            })
            .collect(),
    };
    page::render_status(&p, status)
}
