use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::error::{DbError, DbResult};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The engine is chosen by the URL scheme (as vaultwarden does).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A write transaction on either engine.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Expands the body once per engine with `$p` bound to that engine's pool,
/// so the SQL text is written once and each arm is concretely typed.
macro_rules! with_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::pool::Db::Sqlite($p) => $body,
            $crate::pool::Db::Postgres($p) => $body,
        }
    };
}

/// Same as `with_db!` for a transaction; `$c` is the engine's connection.
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::pool::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::pool::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

fn engine_of(url: &str) -> Option<Engine> {
    if url.starts_with("sqlite:") {
        Some(Engine::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Some(Engine::Postgres)
    } else {
        None
    }
}

/// Refuses an unknown scheme before anything else is touched.
pub fn pool_engine_check(url: &str) -> DbResult<()> {
    engine_of(url).map(drop).ok_or_else(|| bad_scheme(url))
}

fn bad_scheme(url: &str) -> DbError {
    DbError::Config(format!(
        "TRIENKHAI_DATABASE_URL phải bắt đầu bằng sqlite:// hoặc postgres:// (nhận được \"{}\")",
        url.chars().take(60).collect::<String>()
    ))
}

/// Opens the pool for `url`. Unknown schemes are refused with one clear line.
pub async fn connect(url: &str) -> DbResult<Db> {
    match engine_of(url) {
        Some(Engine::Sqlite) => {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbError::Config(format!("địa chỉ SQLite không hợp lệ: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            if let Some(dir) = opts.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    DbError::Config(format!(
                        "không tạo được thư mục {} cho CSDL SQLite: {e}",
                        dir.display()
                    ))
                })?;
            }
            // An in-process file cannot drop a connection the way a network can,
            // so skip sqlx's ping before each acquire (a worker-thread round trip).
            let pool = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(2)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(|e| DbError::Config(format!("không mở được CSDL SQLite {url}: {e}")))?;
            Ok(Db::Sqlite(pool))
        }
        Some(Engine::Postgres) => {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| DbError::Config(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?;
            let port = opts.get_port();
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(move |_, _| {
                    Box::pin(async move {
                        crate::nodelay::set_for_port(port);
                        Ok(())
                    })
                })
                .connect_with(opts)
                .await
                .map_err(|e| DbError::Config(format!("không kết nối được PostgreSQL: {e}")))?;
            Ok(Db::Postgres(pool))
        }
        None => Err(bad_scheme(url)),
    }
}

pub fn migration_versions(engine: Engine) -> Vec<(i64, String)> {
    let m = match engine {
        Engine::Sqlite => &SQLITE_MIGRATIONS,
        Engine::Postgres => &PG_MIGRATIONS,
    };
    m.iter()
        .map(|m| (m.version, m.description.to_string()))
        .collect()
}

impl Db {
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn migrate(&self) -> DbResult<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => PG_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// SQLite takes the write lock up front (BEGIN IMMEDIATE) so two writers
    /// never deadlock upgrading from a read lock; busy_timeout then queues them.
    pub async fn begin(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Liveness of the database itself, for /healthz.
    pub async fn ping(&self) -> DbResult<()> {
        with_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        with_db!(self, p => p.close().await)
    }
}

impl Tx {
    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// Page sizes go into the SQL as integer literals, never as `LIMIT $n`:
/// SQLite reads a bound LIMIT value while planning, so it recompiles the
/// statement on the first step after every re-bind (27% of the dashboard's
/// CPU before this). Clamped here so the literal is always safe and small.
pub(crate) fn limit(n: i64) -> i64 {
    n.clamp(1, 1000)
}

pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}
