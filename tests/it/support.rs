//! Test harness: a fresh database per test on either engine, the real app on
//! 127.0.0.1:0, and a cookie-keeping client that knows the CSRF dance.
use std::net::SocketAddr;

use trienkhai_db::{Db, Engine, demo, setup, unit::NewUnit, user::NewUser};
use trienkhai_web::{AppState, WebConfig};

/// Runs the body once per engine as two #[tokio::test]s.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body(trienkhai_db::Engine::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body(trienkhai_db::Engine::Postgres).await;
            }
        }
    };
}

pub fn pg_admin_url() -> String {
    std::env::var("TRIENKHAI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn random_name(prefix: &str) -> String {
    use rand::RngCore;
    format!("{prefix}{:016x}", rand::rng().next_u64())
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Drops test databases more than an hour old, once per test run.
async fn sweep_stale_databases(pool: &sqlx::PgPool) {
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SWEPT.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let names: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'tk_it_%'")
            .fetch_all(pool)
            .await
            .unwrap_or_default();
    let cutoff = unix_secs().saturating_sub(3600);
    for (name,) in names {
        let born = name
            .rsplit('_')
            .next()
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        if born < cutoff {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(pool).await;
        }
    }
}

/// A database that exists for one test. PostgreSQL ones are dropped on `cleanup`.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<TempDir>,
}

pub struct TempDir(pub std::path::PathBuf);
impl TempDir {
    pub fn new() -> TempDir {
        let p = std::env::temp_dir().join(random_name("trienkhai-it-"));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = TempDir::new();
                let url = format!("sqlite://{}/t.db", dir.0.display());
                let db = trienkhai_db::connect(&url).await.expect("sqlite");
                db.migrate().await.expect("migrate");
                TestDb {
                    db,
                    url,
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Engine::Postgres => {
                let admin = pg_admin_url();
                // The creation time is in the name so a later run can drop what a
                // panicking test left behind.
                let name = format!("{}_{}", random_name("tk_it_"), unix_secs());
                let pool = sqlx::PgPool::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is required for the storage tests ({admin}): {e}. Set TRIENKHAI_TEST_PG.")
                });
                sweep_stale_databases(&pool).await;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .expect("create db");
                pool.close().await;
                let url = format!(
                    "{}/{name}",
                    admin.rsplit_once('/').map(|x| x.0).unwrap_or(&admin)
                );
                let db = trienkhai_db::connect(&url).await.expect("pg");
                db.migrate().await.expect("migrate");
                TestDb {
                    db,
                    url,
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }

    /// A fresh database with the demo committee loaded.
    pub async fn demo(engine: Engine) -> TestDb {
        let t = TestDb::new(engine).await;
        setup::run(&t.db, &setup_actor(), demo_setup())
            .await
            .expect("demo setup");
        t
    }

    pub async fn cleanup(self) {
        self.db.close().await;
        if let Some(name) = self.pg_name
            && let Ok(pool) = sqlx::PgPool::connect(&pg_admin_url()).await
        {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&pool).await;
            pool.close().await;
        }
    }
}

pub fn setup_actor() -> trienkhai_db::Actor {
    trienkhai_db::Actor::system("Khởi tạo hệ thống")
}

pub fn demo_setup() -> setup::Setup {
    setup::Setup {
        unit: NewUnit::default(),
        admin: Some(NewUser {
            username: demo::ADMIN.into(),
            display_name: "Quản trị".into(),
            password: demo::PASSWORD.into(),
            ..Default::default()
        }),
        confirm: demo::PASSWORD.into(),
        demo: true,
    }
}

pub fn plain_setup() -> setup::Setup {
    setup::Setup {
        unit: NewUnit {
            code: "DUK".into(),
            name: "Đảng bộ Khối các cơ quan tỉnh".into(),
            type_code: "cap_tren_co_so".into(),
            parent_id: None,
            issuer_code: Some("ĐUK".into()),
            valid_from: "2000-01-01".into(),
            valid_to: None,
        },
        admin: Some(NewUser {
            username: "admin".into(),
            display_name: "Nguyễn Văn An".into(),
            password: "mat-khau-dai-1".into(),
            ..Default::default()
        }),
        confirm: "mat-khau-dai-1".into(),
        demo: false,
    }
}

/// The real router served on a loopback port, as in production.
pub struct TestApp {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
    _data: Option<TempDir>,
}

impl TestApp {
    pub async fn spawn(db: &Db) -> TestApp {
        TestApp::spawn_with(db, WebConfig::default()).await
    }

    pub async fn spawn_with(db: &Db, mut cfg: WebConfig) -> TestApp {
        // Uploads and exports go to a folder of the test's own, not ./data.
        let data = (cfg.data_dir == WebConfig::default().data_dir).then(TempDir::new);
        if let Some(d) = &data {
            cfg.data_dir = d.0.clone();
        }
        let state = AppState::new(db.clone(), cfg);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = trienkhai_web::app(state);
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .ok();
        });
        TestApp {
            base: format!("http://{addr}"),
            task,
            _data: data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A browser-like client: keeps cookies, never follows redirects (tests look at them).
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(html[i..].split('"').next()?.to_string())
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client::with_headers(base, reqwest::header::HeaderMap::new())
    }

    /// A client that sends `X-Forwarded-For`, as if behind a reverse proxy.
    pub fn forwarded_for(base: &str, chain: &str) -> Client {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-forwarded-for", chain.parse().expect("header"));
        Client::with_headers(base, h)
    }

    fn with_headers(base: &str, headers: reqwest::header::HeaderMap) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Client {
            http,
            base: base.to_string(),
        }
    }

    pub fn on(&self, base: &str) -> Client {
        Client {
            http: self.http.clone(),
            base: base.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("get")
    }

    pub async fn text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let s = r.status().as_u16();
        (s, r.text().await.unwrap_or_default())
    }

    /// The CSRF token a page carries (logged-in pages carry the session's).
    pub async fn csrf(&self, path: &str) -> String {
        let (_, html) = self.text(path).await;
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, path))
            .form(form)
            .send()
            .await
            .expect("post")
    }

    /// Posts with the token taken from `page` first.
    pub async fn submit(&self, page: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf(page).await;
        let mut f: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        f.extend_from_slice(form);
        self.post_form(path, &f).await
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.submit(
            "/login",
            "/login",
            &[("username", username), ("password", password), ("next", "")],
        )
        .await
    }

    pub async fn login_ok(&self, username: &str, password: &str) {
        let r = self.login(username, password).await;
        assert_eq!(r.status().as_u16(), 303, "login of {username} failed");
    }
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

impl TestApp {
    /// GET an API path with a bearer token; returns the status.
    pub async fn api_status(&self, token: &str, path: &str) -> u16 {
        reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("api")
            .status()
            .as_u16()
    }

    /// GET an API path with a bearer token; returns the JSON body.
    pub async fn api_json(&self, token: &str, path: &str) -> serde_json::Value {
        let r = reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("api");
        r.json().await.expect("json body")
    }
}

/// The committee set at first start.
pub async fn top_unit(db: &Db) -> Option<trienkhai_db::unit::Unit> {
    let id = trienkhai_db::unit::top_id(db).await.expect("top id")?;
    trienkhai_db::unit::get(db, id).await.expect("top unit")
}

/// Every unit's kept roll size equals a count of its open memberships.
pub async fn assert_roll_kept(db: &Db) {
    let drift = trienkhai_db::roll::drift(db).await.unwrap();
    assert!(drift.is_empty(), "(unit, kept, counted): {drift:?}");
}

/// Adds `n` units under `parent` in one transaction: codes `{code}000`…,
/// names `{name} 000`…, of one type, since 2010.
pub async fn add_units(db: &Db, parent: i64, n: i64, code: &str, name: &str, type_code: &str) {
    let mut tx = db.begin().await.unwrap();
    for i in 0..n {
        trienkhai_db::unit::create_in(
            &mut tx,
            &setup_actor(),
            NewUnit {
                code: format!("{code}{i:03}"),
                name: format!("{name} {i:03}"),
                type_code: type_code.into(),
                parent_id: Some(parent),
                issuer_code: None,
                valid_from: "2010-01-01".into(),
                valid_to: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}
