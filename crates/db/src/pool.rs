use std::{str::FromStr, sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use sqlx::{
    ConnectOptions, PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::campaign::tally::Pending;
use crate::error::{DbError, DbResult};
use crate::read::{PgReaders, Readers};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The engine is chosen by the URL scheme (as vaultwarden does).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, WriteQueue, Arc<Readers>),
    /// The pool for writes; reads go through the readers (see read::pg).
    Postgres(PgPool, Arc<PgReaders>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A write transaction on either engine, with the roll-up changes it
/// will write just before it commits (see `campaign::tally::add`).
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>, WriteTurn, Pending),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>, Pending),
}

/// SQLite has one writer at a time. Writers of this process wait their turn
/// here, in order, holding no connection; left to SQLite's busy handler
/// they would each hold one of the pool's connections and sleep 1, 2, 5,
/// 10, 15, 20, 25… ms between tries, so a burst of reports waited 50–90 ms
/// at p99 while the write lock sat free. Other processes (a CLI import)
/// still meet the busy timeout.
#[derive(Clone, Debug)]
pub struct WriteQueue(Arc<Semaphore>);

/// A writer's turn, held by its transaction until commit or rollback.
#[derive(Debug)]
pub struct WriteTurn {
    _turn: OwnedSemaphorePermit,
}

/// Expands the body once per engine with `$p` bound to that engine's pool,
/// so the SQL text is written once and each arm is concretely typed.
macro_rules! with_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::pool::Db::Sqlite($p, ..) => $body,
            $crate::pool::Db::Postgres($p, _) => $body,
        }
    };
}

/// Same as `with_db!` for a transaction; `$c` is the engine's connection.
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::pool::Tx::Sqlite(t, ..) => {
                let $c = &mut **t;
                $body
            }
            $crate::pool::Tx::Postgres(t, _) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// One statement as a write of its own: it takes its turn in the write
/// queue like any transaction, rather than waiting in SQLite's busy
/// handler while holding a connection. Evaluates to the body's value;
/// errors return from the calling function.
macro_rules! write_one {
    ($db:expr, $c:ident => $body:expr) => {{
        let mut tx = $db.begin().await?;
        let out = with_tx!(&mut tx, $c => $body)?;
        tx.commit().await?;
        out
    }};
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
    open(url, false).await
}

/// As `connect`, for a server that runs until stopped. On SQLite the WAL is
/// copied back into the database file by a background task: otherwise the
/// request whose commit crosses the 1.000th WAL page does it, and on a
/// multi-gigabyte file that user waits 10 ms or more.
pub async fn connect_serving(url: &str) -> DbResult<Db> {
    open(url, true).await
}

/// WAL pages after which a committing request checkpoints anyway (64 MB):
/// reached only if the background task falls behind.
const SERVING_AUTOCHECKPOINT: &str = "16384";
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// How long a server's database connection may sit unused before it is closed.
const SERVING_IDLE: Duration = Duration::from_secs(2);
/// The same for PostgreSQL's few warm read connections (`PG_WARM`): longer,
/// since a new backend starts with cold caches (the national board's p99 at
/// a steady 419/s went from 7 to 150 ms when connections idle for 2 s were
/// closed and opened again). The others, and the pool's beyond its one,
/// close after `SERVING_IDLE`: kept a minute, the 32 a busy spell opened
/// held the server's idle RSS at 19–21 MB, over its 20 (15,7 MB with eight warm).
const PG_SERVING_IDLE: Duration = Duration::from_secs(60);
const PG_WARM: usize = 8;

async fn open(url: &str, serving: bool) -> DbResult<Db> {
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
            let mut pool_opts = opts.clone();
            if serving {
                pool_opts = pool_opts.pragma("wal_autocheckpoint", SERVING_AUTOCHECKPOINT);
            }
            // An in-process file cannot drop a connection the way a network can,
            // so skip sqlx's ping before each acquire (a worker-thread round trip).
            // A server closes connections idle for a few seconds (one is
            // opened again at once): each holds up to 2 MB of cached pages
            // after a busy spell, and a reopen costs about a millisecond.
            let pool = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(2)
                .min_connections(1)
                .idle_timeout(serving.then_some(SERVING_IDLE))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(pool_opts)
                .await
                .map_err(|e| DbError::Config(format!("không mở được CSDL SQLite {url}: {e}")))?;
            let readers = Readers::for_url(url, opts.get_filename())?;
            if serving {
                spawn_checkpointer(&opts).await?;
                Readers::reap_while_open(&readers, SERVING_IDLE);
            }
            Ok(Db::Sqlite(
                pool,
                WriteQueue(Arc::new(Semaphore::new(1))),
                readers,
            ))
        }
        Some(Engine::Postgres) => {
            // No JIT: our queries take milliseconds, and a high cost estimate
            // (a count under a province) made PostgreSQL spend 1,2 s compiling
            // one of them at national size.
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| DbError::Config(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?
                .options([("jit", "off")]);
            let port = opts.get_port();
            // A server hands back idle connections (see PG_SERVING_IDLE). No ping
            // before each use: a connection that died while idle (a
            // restarted server) fails the one request that meets it and is
            // dropped, as the readers' are.
            let readers = PgReaders::new(opts.clone());
            if serving {
                PgReaders::reap_while_open(&readers, PG_WARM, PG_SERVING_IDLE, SERVING_IDLE);
            }
            let pool = PgPoolOptions::new()
                .test_before_acquire(false)
                .max_connections(16)
                .min_connections(u32::from(serving))
                .idle_timeout(serving.then_some(SERVING_IDLE))
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
            Ok(Db::Postgres(pool, readers))
        }
        None => Err(bad_scheme(url)),
    }
}

/// Checkpoints on a connection of its own, outside the pool, so no request
/// waits for a pool slot while pages are copied and the file is synced.
async fn spawn_checkpointer(opts: &SqliteConnectOptions) -> DbResult<()> {
    let mut conn = opts
        .connect()
        .await
        .map_err(|e| DbError::Config(format!("không mở được CSDL SQLite: {e}")))?;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // PASSIVE never blocks writers or readers; what a reader still
            // needs is left for the next round.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut conn)
                .await
            {
                tracing::warn!(error = %e, "không chép được nhật ký WAL vào tệp CSDL");
            }
        }
    });
    Ok(())
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
            Db::Sqlite(..) => Engine::Sqlite,
            Db::Postgres(..) => Engine::Postgres,
        }
    }

    pub async fn migrate(&self) -> DbResult<()> {
        match self {
            Db::Sqlite(p, ..) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p, _) => PG_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// SQLite takes the write lock up front (BEGIN IMMEDIATE) so two writers
    /// never deadlock upgrading from a read lock; busy_timeout then queues them.
    pub async fn begin(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Sqlite(p, WriteQueue(q), _) => {
                let turn = q
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the queue is never closed");
                Tx::Sqlite(
                    p.begin_with("BEGIN IMMEDIATE").await?,
                    WriteTurn { _turn: turn },
                    Pending::default(),
                )
            }
            Db::Postgres(p, _) => Tx::Postgres(p.begin().await?, Pending::default()),
        })
    }

    /// Liveness of the database itself, for /healthz.
    pub async fn ping(&self) -> DbResult<()> {
        with_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(_, _, readers) => readers.close(),
            Db::Postgres(_, readers) => readers.close(),
        }
        with_db!(self, p => p.close().await)
    }
}

impl Tx {
    pub(crate) fn pending(&mut self) -> &mut Pending {
        match self {
            Tx::Sqlite(_, _, p) | Tx::Postgres(_, p) => p,
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(..) => Engine::Sqlite,
            Tx::Postgres(..) => Engine::Postgres,
        }
    }

    pub async fn commit(mut self) -> DbResult<()> {
        crate::campaign::tally::flush(&mut self).await?;
        match self {
            Tx::Sqlite(t, ..) => t.commit().await?,
            Tx::Postgres(t, _) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(t, ..) => t.rollback().await?,
            Tx::Postgres(t, _) => t.rollback().await?,
        }
        Ok(())
    }
}

/// After a bulk load on PostgreSQL: fresh statistics (the planner knows
/// nothing of the new rows until autovacuum comes by, and a benchmark runs
/// at once) and the visibility map, without which an index-only scan reads
/// the table too (the large-subtree check of a province: 55 → 4 ms).
/// Outside any transaction, as VACUUM must be. Nothing to do on SQLite.
pub(crate) async fn settle(db: &Db, tables: &str) -> DbResult<()> {
    if let Db::Postgres(p, _) = db {
        let sql = format!("VACUUM (ANALYZE) {tables}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await?;
    }
    Ok(())
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
