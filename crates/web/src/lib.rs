//! HTTP: askama pages with htmx partials (chosen by `HX-Request`), a JSON
//! API under /api/v1, and one guard that authenticates, authorizes and
//! checks CSRF for every route.
mod account;
mod api;
mod assets;
mod audit;
pub mod authz;
mod campaign;
mod dashboard;
mod document;
mod error;
mod guard;
mod health;
pub mod mail;
mod member;
mod obligation;
mod page;
mod person;
pub mod reminder;
mod restructure;
mod routes;
mod search;
mod session;
mod setup;
mod transfer;
mod unit;
// Tests size a tree just past it.
pub use unit::TREE_WHOLE;
mod user;

use std::sync::{
    Arc, OnceLock,
    atomic::{AtomicBool, Ordering},
};

pub use routes::{app, route_list};
use trienkhai_db::Db;

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Adds `Secure` to cookies; turn on behind TLS.
    pub secure_cookies: bool,
    /// Sessions end after this much inactivity.
    pub session_idle_ms: i64,
    /// Take the client address from X-Forwarded-For (behind a reverse proxy).
    pub trust_proxy: bool,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Largest member list accepted for import, in bytes.
    pub max_import: u64,
    /// Largest document attachment accepted, in bytes.
    pub max_attachment: u64,
    /// Page margins of the DOCX the committee issues.
    pub margins: trienkhai_office::docx::Margins,
    /// Uploads waiting for confirmation and exports being sent live here.
    pub data_dir: std::path::PathBuf,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_idle_ms: 8 * 3600 * 1000,
            trust_proxy: false,
            max_body: 2 * 1024 * 1024,
            max_import: 20 * 1024 * 1024,
            max_attachment: 20 * 1024 * 1024,
            margins: trienkhai_office::docx::Margins::default(),
            data_dir: "data".into(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cfg: Arc<WebConfig>,
    /// Flips once to true after setup; instances that still see false ask the DB.
    initialized: Arc<AtomicBool>,
    /// The top committee's id never changes after setup: read it once.
    top_unit: Arc<OnceLock<i64>>,
}

impl AppState {
    pub fn new(db: Db, cfg: WebConfig) -> Self {
        AppState {
            db,
            cfg: Arc::new(cfg),
            initialized: Arc::new(AtomicBool::new(false)),
            top_unit: Arc::new(OnceLock::new()),
        }
    }

    /// The top committee's id, read once (it never changes after setup).
    pub async fn top_unit_id(&self) -> Result<Option<i64>, trienkhai_db::DbError> {
        if let Some(id) = self.top_unit.get() {
            return Ok(Some(*id));
        }
        let id = trienkhai_db::unit::top_id(&self.db).await?;
        if let Some(id) = id {
            let _ = self.top_unit.set(id);
        }
        Ok(id)
    }

    /// Whether first-start setup has run (cached once true).
    pub async fn is_initialized(&self) -> Result<bool, trienkhai_db::DbError> {
        if self.initialized.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let done = trienkhai_db::setup::is_done(&self.db).await?;
        if done {
            self.initialized.store(true, Ordering::Relaxed);
        }
        Ok(done)
    }
}
