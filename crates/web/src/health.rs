use std::time::Duration;

use axum::{extract::State, http::StatusCode, response::IntoResponse};

use crate::AppState;

/// Liveness of the process only; also the static baseline of the benchmarks.
pub async fn livez() -> &'static str {
    "ok"
}

/// 200 when the database answers within 2 s, 503 otherwise.
pub async fn healthz(State(st): State<AppState>) -> impl IntoResponse {
    let engine = match st.db.engine() {
        trienkhai_db::Engine::Sqlite => "sqlite",
        trienkhai_db::Engine::Postgres => "postgres",
    };
    match tokio::time::timeout(Duration::from_secs(2), st.db.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "engine": engine})),
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable", "engine": engine})),
        ),
    }
}
