//! Every route in one table. The guard looks up each route's rule in
//! `authz`; the matrix test walks `route_list()`.
use std::time::Duration;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderName, HeaderValue, Method, header},
    middleware::{self, Next},
    response::Response,
    routing::{MethodRouter, get, post},
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer,
    set_header::SetResponseHeaderLayer, timeout::TimeoutLayer, trace::TraceLayer,
};

use crate::{
    AppState, account, api, assets, audit, campaign, dashboard, document, error, guard, health,
    member, obligation, person, restructure, search, session, setup, unit, user,
};

#[derive(Clone, Debug)]
pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub summary: &'static str,
}

type H = MethodRouter<AppState>;

fn table() -> Vec<(Method, &'static str, &'static str, H)> {
    use Method as M;
    vec![
        (
            M::GET,
            "/",
            "Trang chủ: chuyển tới khởi tạo, đăng nhập hoặc tổng quan",
            get(dashboard::home),
        ),
        (M::GET, "/livez", "Tiến trình còn chạy", get(health::livez)),
        (M::GET, "/healthz", "CSDL trả lời", get(health::healthz)),
        (
            M::GET,
            "/static/{file}",
            "CSS và htmx nhúng trong chương trình",
            get(assets::file),
        ),
        (M::GET, "/setup", "Khởi tạo hệ thống", get(setup::form)),
        (M::POST, "/setup", "Khởi tạo hệ thống", post(setup::submit)),
        (M::GET, "/login", "Đăng nhập", get(session::login_form)),
        (M::POST, "/login", "Đăng nhập", post(session::login)),
        (M::POST, "/logout", "Đăng xuất", post(session::logout)),
        (M::GET, "/dashboard", "Tổng quan", get(dashboard::show)),
        (M::GET, "/account", "Tài khoản của tôi", get(account::page)),
        (
            M::POST,
            "/account/password",
            "Đổi mật khẩu",
            post(account::change_password),
        ),
        (
            M::POST,
            "/account/tokens",
            "Tạo khóa API",
            post(account::create_token),
        ),
        (
            M::POST,
            "/account/tokens/{id}/revoke",
            "Thu hồi khóa API",
            post(account::revoke_token),
        ),
        (
            M::GET,
            "/admin/users",
            "Danh sách tài khoản",
            get(user::list),
        ),
        (
            M::GET,
            "/admin/users/new",
            "Thêm tài khoản",
            get(user::new_form),
        ),
        (
            M::POST,
            "/admin/users",
            "Thêm tài khoản",
            post(user::create),
        ),
        (
            M::GET,
            "/admin/users/{id}",
            "Sửa tài khoản",
            get(user::edit_form),
        ),
        (
            M::POST,
            "/admin/users/{id}",
            "Sửa tài khoản",
            post(user::update),
        ),
        (
            M::POST,
            "/admin/users/{id}/password",
            "Đặt lại mật khẩu",
            post(user::reset_password),
        ),
        (M::GET, "/admin/audit", "Nhật ký thay đổi", get(audit::list)),
        (M::GET, "/units", "Cây tổ chức theo ngày", get(unit::tree)),
        (M::GET, "/units/{id}", "Trang đơn vị", get(unit::show)),
        (
            M::GET,
            "/units/{id}/children",
            "Mở các đơn vị trực thuộc trên cây",
            get(unit::subunits),
        ),
        (
            M::GET,
            "/units/{id}/members",
            "Trang tiếp theo của danh sách đảng viên",
            get(unit::members),
        ),
        (
            M::GET,
            "/units/{id}/export",
            "Xuất danh sách đảng viên (CSV, XLSX)",
            get(member::export),
        ),
        (
            M::GET,
            "/units/{id}/import",
            "Nhập danh sách đảng viên",
            get(member::form),
        ),
        (
            M::POST,
            "/units/{id}/import",
            "Tải tệp danh sách lên để kiểm tra",
            post(member::upload),
        ),
        (
            M::POST,
            "/units/{id}/import/confirm",
            "Ghi danh sách đã kiểm tra",
            post(member::confirm),
        ),
        (M::GET, "/people/{id}", "Hồ sơ một người", get(person::show)),
        (
            M::GET,
            "/restructure",
            "Sắp xếp, kiện toàn tổ chức",
            get(restructure::start),
        ),
        (
            M::GET,
            "/restructure/units",
            "Gợi ý đơn vị theo mã hoặc tên",
            get(restructure::units),
        ),
        (
            M::POST,
            "/restructure/preview",
            "Xem trước thay đổi tổ chức",
            post(restructure::preview),
        ),
        (
            M::POST,
            "/restructure",
            "Ghi thay đổi tổ chức",
            post(restructure::commit),
        ),
        (M::GET, "/documents", "Sổ văn bản", get(document::list)),
        (
            M::GET,
            "/documents/export",
            "Xuất sổ văn bản (XLSX)",
            get(document::export),
        ),
        (
            M::GET,
            "/documents/new",
            "Vào sổ văn bản đến",
            get(document::form::register_form),
        ),
        (
            M::POST,
            "/documents",
            "Vào sổ văn bản đến",
            post(document::form::register),
        ),
        (
            M::GET,
            "/documents/issue",
            "Ban hành văn bản",
            get(document::form::issue_form),
        ),
        (
            M::POST,
            "/documents/issue",
            "Ban hành văn bản (cấp số)",
            post(document::form::issue),
        ),
        (
            M::GET,
            "/documents/{id}",
            "Trang văn bản",
            get(document::show),
        ),
        (
            M::GET,
            "/documents/{id}/docx",
            "Văn bản dạng Word theo thể thức 36-HD/VPTW",
            get(document::output::docx),
        ),
        (
            M::GET,
            "/documents/{id}/pdf",
            "Văn bản dạng PDF",
            get(document::output::pdf),
        ),
        (
            M::POST,
            "/documents/{id}/files",
            "Đính kèm tệp",
            post(document::file::upload),
        ),
        (
            M::GET,
            "/documents/{id}/files/{file}",
            "Tải tệp đính kèm",
            get(document::file::download),
        ),
        (
            M::POST,
            "/documents/{id}/relations",
            "Liên kết văn bản",
            post(document::form::relate),
        ),
        (M::GET, "/search", "Tìm kiếm", get(search::page)),
        (
            M::GET,
            "/campaigns",
            "Các đợt học tập, quán triệt",
            get(campaign::list),
        ),
        (
            M::GET,
            "/campaigns/new",
            "Triển khai đợt mới",
            get(campaign::new_form),
        ),
        (
            M::GET,
            "/campaigns/committees",
            "Gợi ý cấp ủy theo mã hoặc tên",
            get(campaign::committee_options),
        ),
        (
            M::POST,
            "/campaigns",
            "Triển khai đợt mới",
            post(campaign::launch),
        ),
        (
            M::GET,
            "/campaigns/{id}",
            "Bảng theo dõi đợt (unit, status, after)",
            get(campaign::board),
        ),
        (
            M::POST,
            "/campaigns/{id}/lock",
            "Khóa sổ báo cáo của đợt",
            post(campaign::lock),
        ),
        (
            M::GET,
            "/campaigns/{id}/report.docx",
            "Báo cáo kết quả (Word)",
            get(campaign::report::docx),
        ),
        (
            M::GET,
            "/campaigns/{id}/report.xlsx",
            "Bảng tổng hợp kết quả (Excel)",
            get(campaign::report::xlsx),
        ),
        (
            M::GET,
            "/obligations",
            "Việc của đơn vị tôi",
            get(obligation::mine),
        ),
        (
            M::GET,
            "/obligations/{id}",
            "Báo cáo của đơn vị trong đợt",
            get(obligation::show),
        ),
        (
            M::POST,
            "/obligations/{id}",
            "Lưu tiến độ, gửi hoặc đính chính báo cáo",
            post(obligation::save),
        ),
        (
            M::POST,
            "/obligations/{id}/collect",
            "Tổng hợp hay báo cáo chung",
            post(obligation::collect),
        ),
        (
            M::GET,
            "/obligations/{id}/parts/{unit}",
            "Phần báo cáo của một chi bộ",
            get(obligation::part_form),
        ),
        (
            M::POST,
            "/obligations/{id}/parts/{unit}",
            "Gửi phần báo cáo của một chi bộ",
            post(obligation::part_save),
        ),
        (
            M::POST,
            "/obligations/{id}/draft",
            "Lưu bản nháp báo cáo",
            post(obligation::draft),
        ),
        (
            M::POST,
            "/obligations/{id}/files",
            "Đính kèm minh chứng",
            post(obligation::upload),
        ),
        (
            M::GET,
            "/obligations/{id}/files/{file}",
            "Tải minh chứng",
            get(obligation::download),
        ),
        (
            M::GET,
            "/api/v1/campaigns",
            "Các đợt và số liệu tổng",
            get(campaign::api::list),
        ),
        (
            M::POST,
            "/api/v1/campaigns",
            "Triển khai đợt mới",
            post(campaign::api::launch),
        ),
        (
            M::GET,
            "/api/v1/campaigns/{id}/board",
            "Số liệu tổng hợp của một đơn vị và các đơn vị trực thuộc (unit)",
            get(campaign::api::board),
        ),
        (
            M::GET,
            "/api/v1/obligations",
            "Việc của các đơn vị thuộc tài khoản",
            get(obligation::api_mine),
        ),
        (
            M::GET,
            "/api/v1/obligations/{id}",
            "Một báo cáo và các lần gửi",
            get(obligation::api_show),
        ),
        (
            M::POST,
            "/api/v1/obligations/{id}/report",
            "Lưu tiến độ, gửi hoặc đính chính báo cáo (action)",
            post(obligation::api_report),
        ),
        (
            M::GET,
            "/api/v1/openapi.json",
            "Tài liệu OpenAPI",
            get(api::openapi),
        ),
        (
            M::GET,
            "/api/v1/me",
            "Tài khoản đang dùng khóa",
            get(api::me),
        ),
        (
            M::GET,
            "/api/v1/dashboard",
            "Số liệu tổng quan",
            get(api::dashboard),
        ),
        (
            M::GET,
            "/api/v1/units",
            "Đơn vị trong phạm vi, theo ngày (as_of)",
            get(api::units),
        ),
        (
            M::GET,
            "/api/v1/units/{id}",
            "Một đơn vị và các ban",
            get(api::unit),
        ),
        (
            M::GET,
            "/api/v1/units/{id}/members",
            "Đảng viên của đơn vị theo ngày (as_of, after)",
            get(api::members),
        ),
        (
            M::GET,
            "/api/v1/people/{id}",
            "Hồ sơ, quá trình sinh hoạt và chức vụ của một người",
            get(api::person),
        ),
        (
            M::POST,
            "/api/v1/restructure",
            "Sắp xếp tổ chức (dry_run để xem trước)",
            post(api::restructure),
        ),
        (
            M::GET,
            "/api/v1/users",
            "Danh sách tài khoản",
            get(api::users),
        ),
        (
            M::POST,
            "/api/v1/users",
            "Thêm tài khoản",
            post(api::create_user),
        ),
        (M::GET, "/api/v1/audit", "Nhật ký thay đổi", get(api::audit)),
        (
            M::GET,
            "/api/v1/search",
            "Tìm văn bản theo số, ký hiệu, trích yếu, nội dung (q, limit)",
            get(search::api),
        ),
        (
            M::GET,
            "/api/v1/documents",
            "Sổ văn bản (direction, type, issuer, year, after)",
            get(document::api::list),
        ),
        (
            M::POST,
            "/api/v1/documents",
            "Vào sổ văn bản đến",
            post(document::api::register),
        ),
        (
            M::POST,
            "/api/v1/documents/issue",
            "Ban hành văn bản (cấp số tự động hoặc manual_number)",
            post(document::api::issue),
        ),
        (
            M::GET,
            "/api/v1/documents/{id}",
            "Một văn bản: trích dẫn, được dẫn, liên kết, tệp",
            get(document::api::show),
        ),
    ]
}

pub fn route_list() -> Vec<RouteDef> {
    table()
        .into_iter()
        .map(|(method, path, summary, _)| RouteDef {
            method,
            path,
            summary,
        })
        .collect()
}

/// A fresh id per request, in the logs and on error pages; a client's own
/// X-Request-Id is replaced so it cannot forge log lines.
async fn request_id(mut req: Request, next: Next) -> Response {
    let id = {
        use rand::RngCore;
        let mut b = [0u8; 8];
        rand::rng().fill_bytes(&mut b);
        hex::encode(b)
    };
    let v = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("-"));
    req.headers_mut().insert("x-request-id", v.clone());
    let mut res = next.run(req).await;
    res.headers_mut().insert("x-request-id", v);
    res
}

pub fn app(state: AppState) -> Router {
    let max_body = state.cfg.max_body;
    // Uploads of member lists may exceed the general limit; the handler
    // streams them to disk and stops at the import limit.
    let upload_limit = (state.cfg.max_import as usize).saturating_add(64 * 1024);
    let attachment_limit = (state.cfg.max_attachment as usize).saturating_add(64 * 1024);
    let mut router = Router::new();
    for (method, path, _, handler) in table() {
        let handler = match (&method, path) {
            (&Method::POST, "/units/{id}/import") => {
                handler.layer(DefaultBodyLimit::max(upload_limit))
            }
            (&Method::POST, "/documents/{id}/files" | "/obligations/{id}/files") => {
                handler.layer(DefaultBodyLimit::max(attachment_limit))
            }
            _ => handler,
        };
        router = router.route(path, handler);
    }
    let security = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    router
        .route_layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        .fallback(|| async { error::WebError::not_found() })
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(request_id))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    // Path only: query strings may carry names of members.
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(CompressionLayer::new())
                .layer(security("x-content-type-options", "nosniff"))
                .layer(security("x-frame-options", "DENY"))
                .layer(security("referrer-policy", "same-origin"))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
                ))
                .layer(middleware::from_fn(error::render_errors))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
                .layer(DefaultBodyLimit::max(max_body)),
        )
}
