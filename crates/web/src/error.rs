//! Errors become responses in one place: a handler returns `WebError`, which
//! travels as a response extension; `render_errors` turns it into a page,
//! an htmx toast or JSON, with the request id for anything unexpected.
use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use trienkhai_core::{Code, FieldError};
use trienkhai_db::DbError;

use crate::page;

#[derive(Debug)]
pub enum WebError {
    /// A refusal the user can understand.
    Code(StatusCode, Code),
    /// Field errors for the API (forms re-render themselves instead).
    Fields(Vec<FieldError>),
    /// Anything unexpected: logged with the request id, never shown in detail.
    Internal(anyhow::Error),
}

pub type WebResult<T> = Result<T, WebError>;

#[derive(Clone, Debug)]
struct ErrorInfo {
    status: StatusCode,
    code: Code,
    fields: Vec<FieldError>,
    detail: Option<String>,
}

impl WebError {
    pub fn status(status: StatusCode, code: Code) -> Self {
        WebError::Code(status, code)
    }
    pub fn not_found() -> Self {
        WebError::Code(StatusCode::NOT_FOUND, Code::NotFound)
    }
    pub fn forbidden() -> Self {
        WebError::Code(StatusCode::FORBIDDEN, Code::Forbidden)
    }
}

impl From<DbError> for WebError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Invalid(f) => WebError::Fields(f),
            DbError::Refused(code) => WebError::Code(status_of(code), code),
            other => WebError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<anyhow::Error> for WebError {
    fn from(e: anyhow::Error) -> Self {
        WebError::Internal(e)
    }
}

pub fn status_of(code: Code) -> StatusCode {
    match code {
        Code::NotFound | Code::UnitNotFound | Code::ObligationNotFound | Code::CampaignNotFound => {
            StatusCode::NOT_FOUND
        }
        Code::Forbidden | Code::CsrfFailed => StatusCode::FORBIDDEN,
        Code::Unauthenticated | Code::BadCredentials => StatusCode::UNAUTHORIZED,
        Code::Throttled => StatusCode::TOO_MANY_REQUESTS,
        Code::AlreadySetUp
        | Code::StaleForm
        | Code::UsernameTaken
        | Code::UnitCodeTaken
        | Code::DocumentExists
        | Code::AlreadySubmitted
        | Code::PeriodLocked => StatusCode::CONFLICT,
        Code::PayloadTooLarge | Code::FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Code::UnsupportedFile => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let info = match self {
            WebError::Code(status, code) => ErrorInfo {
                status,
                code,
                fields: vec![],
                detail: None,
            },
            WebError::Fields(fields) => ErrorInfo {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: fields.first().map(|f| f.code).unwrap_or(Code::Required),
                fields,
                detail: None,
            },
            WebError::Internal(e) => ErrorInfo {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: Code::Internal,
                fields: vec![],
                detail: Some(format!("{e:#}")),
            },
        };
        let mut res = info.status.into_response();
        res.extensions_mut().insert(info);
        res
    }
}

/// Outer middleware: renders `ErrorInfo`, and replaces framework plain-text
/// errors (bad form, 404, 405, 413, panics) with the same Vietnamese pages.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let is_htmx = page::is_htmx(req.headers());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let res = next.run(req).await;
    let status = res.status();
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if status.is_client_error() || status.is_server_error() => {
            let is_ours = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| {
                    ct.starts_with("text/html") || ct.starts_with("application/json")
                });
            if is_ours {
                return res;
            }
            ErrorInfo {
                status,
                code: fallback_code(status),
                fields: vec![],
                detail: None,
            }
        }
        None => return res,
    };
    if let Some(detail) = &info.detail {
        tracing::error!(request_id = %request_id, error = %detail, "lỗi không mong đợi");
    }
    let show_id = info.status.is_server_error().then_some(request_id.as_str());
    let mut out = if is_api {
        let fields: Vec<_> = info
            .fields
            .iter()
            .map(|f| serde_json::json!({"field": f.field, "code": f.code, "message": f.code.message()}))
            .collect();
        let body = serde_json::json!({
            "error": info.code, "message": info.code.message(), "fields": fields, "request_id": request_id,
        });
        (info.status, axum::Json(body)).into_response()
    } else {
        let html = page::error_html(info.code.message(), show_id, is_htmx);
        let mut r = Response::new(Body::from(html));
        *r.status_mut() = info.status;
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if is_htmx {
            // Show the message in the toast area instead of swapping the target.
            r.headers_mut()
                .insert("hx-retarget", HeaderValue::from_static("#toast"));
            r.headers_mut()
                .insert("hx-reswap", HeaderValue::from_static("innerHTML"));
        }
        r
    };
    if let Some(v) = res.headers().get(crate::guard::DENIED_HEADER) {
        out.headers_mut()
            .insert(crate::guard::DENIED_HEADER, v.clone());
    }
    if info.status == StatusCode::UNAUTHORIZED && is_api {
        out.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    out
}

fn fallback_code(status: StatusCode) -> Code {
    match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Code::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => Code::PayloadTooLarge,
        StatusCode::FORBIDDEN => Code::Forbidden,
        StatusCode::UNAUTHORIZED => Code::Unauthenticated,
        s if s.is_server_error() => Code::Internal,
        _ => Code::BadRequest,
    }
}
