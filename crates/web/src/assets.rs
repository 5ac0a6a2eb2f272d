//! CSS and htmx are compiled into the binary: no CDN, works on an office LAN.
use axum::{
    extract::Path,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use crate::error::WebError;

const APP_CSS: &str = include_str!("../static/app.css");
const HTMX: &str = include_str!("../static/htmx.min.js");
const DRAFT: &str = include_str!("../static/draft.js");

pub async fn file(Path(name): Path<String>) -> Result<Response, WebError> {
    let (body, ctype) = match name.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "draft.js" => (DRAFT, "text/javascript; charset=utf-8"),
        _ => return Err(WebError::not_found()),
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(res)
}
