//! Page reads on the calling thread. sqlx runs each SQLite connection on a
//! worker thread of its own and hands every row across: on a server with
//! one core a page of 50 rows cost about a hundred thread switches, a
//! quarter of its time. Here SQLite's rows are stepped where the request
//! runs, on connections this module opens itself and keeps with their
//! prepared statements. PostgreSQL goes through sqlx with the same SQL.
//! For short reads only: the thread is held while SQLite works.
use std::collections::HashMap;
use std::ffi::{CStr, CString, c_int};
use std::path::Path;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use sqlx::{postgres::PgRow, sqlite::SqliteRow};

use crate::member_import::sqlite_rows::check;
use crate::pool::Db;

mod pg;
use crate::{DbError, DbResult};
pub use pg::PgReaders;

/// A bound parameter (`$1`, `$2`… in order).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    /// NULL, typed for PostgreSQL as the value it stands for.
    NoText,
    NoInt,
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(Arg::NoText, Arg::Text)
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(n: Option<i64>) -> Self {
        n.map_or(Arg::NoInt, Arg::Int)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s)
    }
}

impl From<bool> for Arg<'_> {
    fn from(b: bool) -> Self {
        Arg::Bool(b)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

/// A row type: decoded by its serde fields on SQLite's read connections,
/// by its `FromRow` through sqlx otherwise; both name the same columns.
/// A flattened part may not hold a `bool` (serde buffers it, and SQLite's
/// 0 or 1 then stays an integer).
pub(crate) trait Rowed:
    DeserializeOwned
    + for<'r> sqlx::FromRow<'r, PgRow>
    + for<'r> sqlx::FromRow<'r, SqliteRow>
    + Send
    + Unpin
{
}

impl<T> Rowed for T where
    T: DeserializeOwned
        + for<'r> sqlx::FromRow<'r, PgRow>
        + for<'r> sqlx::FromRow<'r, SqliteRow>
        + Send
        + Unpin
{
}

/// Every row of `sql`.
pub(crate) async fn all<T: Rowed>(db: &Db, sql: &str, args: &[Arg<'_>]) -> DbResult<Vec<T>> {
    fetch(db, sql, args, usize::MAX).await
}

/// The first row of `sql`, if any.
pub(crate) async fn first<T: Rowed>(db: &Db, sql: &str, args: &[Arg<'_>]) -> DbResult<Option<T>> {
    Ok(fetch(db, sql, args, 1).await?.into_iter().next())
}

/// Every row of `sql` through sqlx on either engine: on SQLite on its
/// worker thread, for a read that may take long and so must not hold the
/// request's own.
pub(crate) async fn all_on_worker<T: Rowed>(
    db: &Db,
    sql: &str,
    args: &[Arg<'_>],
) -> DbResult<Vec<T>> {
    through_sqlx(db, sql, args, usize::MAX, true).await
}

/// Every row of `sql` through sqlx, not kept among the connection's
/// prepared statements: for a statement written anew with its values in
/// it, which kept there would push the pages' own statements out.
pub(crate) async fn all_once<T: Rowed>(db: &Db, sql: &str, args: &[Arg<'_>]) -> DbResult<Vec<T>> {
    through_sqlx(db, sql, args, usize::MAX, false).await
}

async fn fetch<T: Rowed>(db: &Db, sql: &str, args: &[Arg<'_>], max: usize) -> DbResult<Vec<T>> {
    if let Db::Sqlite(_, _, readers) = db
        && let Some(path) = &readers.path
    {
        return readers.with(path, |c| c.rows(sql, args, max));
    }
    through_sqlx(db, sql, args, max, true).await
}

async fn through_sqlx<T: Rowed>(
    db: &Db,
    sql: &str,
    args: &[Arg<'_>],
    max: usize,
    kept: bool,
) -> DbResult<Vec<T>> {
    // Binds the arguments and fetches on `$e`, either engine's executor.
    macro_rules! run {
        ($e:expr) => {{
            let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)).persistent(kept);
            for a in args {
                q = match *a {
                    Arg::Text(s) => q.bind(s),
                    Arg::Int(n) => q.bind(n),
                    Arg::Bool(b) => q.bind(b),
                    Arg::NoText => q.bind(None::<&str>),
                    Arg::NoInt => q.bind(None::<i64>),
                };
            }
            // `first` stops at one row here too.
            match max {
                1 => q.fetch_optional($e).await.map(Vec::from_iter),
                _ => q.fetch_all($e).await,
            }
        }};
    }
    let rows = match db {
        Db::Sqlite(p, ..) => run!(p),
        Db::Postgres(_, readers) => {
            let mut taken = readers.take().await?;
            let out = run!(&mut taken.conn);
            taken.done(&out);
            out
        }
    }?;
    Ok(rows)
}

/// Idle read connections of one SQLite database file.
#[derive(Debug)]
pub struct Readers {
    /// None for a database in memory or one with URL options: those are
    /// read through sqlx, which opens them as the URL says.
    path: Option<CString>,
    idle: Mutex<Vec<Conn>>,
    closed: AtomicBool,
}

/// Connections kept idle at most; a busier moment opens more and closes them.
const KEEP: usize = 4;
/// Prepared statements kept per connection: the pages' SQL, some built
/// from the filters in use.
const STATEMENTS: usize = 64;

impl Readers {
    pub(crate) fn for_url(url: &str, file: &Path) -> DbResult<Arc<Self>> {
        let plain = !url.contains('?') && !url.contains(":memory:");
        let path = plain
            .then(|| CString::new(file.as_os_str().as_encoded_bytes()))
            .transpose()
            .map_err(|e| DbError::Config(format!("đường dẫn CSDL SQLite không hợp lệ: {e}")))?;
        Ok(Arc::new(Readers {
            path,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        }))
    }

    fn with<R>(&self, path: &CStr, f: impl FnOnce(&mut Conn) -> DbResult<R>) -> DbResult<R> {
        if self.closed.load(Ordering::Acquire) {
            return Err(sqlx::Error::PoolClosed.into());
        }
        let taken = self.idle.lock().expect("never poisoned").pop();
        let mut conn = match taken {
            Some(c) => c,
            None => Conn::open(path)?,
        };
        let out = f(&mut conn);
        conn.used = Instant::now();
        let mut idle = self.idle.lock().expect("never poisoned");
        if idle.len() < KEEP && !self.closed.load(Ordering::Acquire) {
            idle.push(conn);
        }
        out
    }

    /// As the pool's close: later reads fail, and the connections go now,
    /// so the last one sqlx closes can checkpoint and remove the WAL.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        drop(std::mem::take(
            &mut *self.idle.lock().expect("never poisoned"),
        ));
    }

    /// Closes connections unused for `after`: each holds cached pages.
    fn reap(&self, after: Duration) {
        let stale: Vec<Conn> = {
            let mut idle = self.idle.lock().expect("never poisoned");
            let (keep, stale) = idle.drain(..).partition(|c| c.used.elapsed() < after);
            *idle = keep;
            stale
        };
        drop(stale);
    }

    /// A server closes idle readers, as its pool does, so memory goes back
    /// after a busy spell. Stops when the database is dropped.
    pub(crate) fn reap_while_open(this: &Arc<Self>, after: Duration) {
        every_while_open(this, after / 2, move |r| async move { r.reap(after) });
    }
}

/// Runs `tick` on `this` every `period` until the last other handle to it
/// is dropped: how both kinds of readers close their idle connections.
pub(crate) fn every_while_open<T, F>(
    this: &Arc<T>,
    period: Duration,
    tick: impl Fn(Arc<T>) -> F + Send + 'static,
) where
    T: Send + Sync + 'static,
    F: Future<Output = ()> + Send,
{
    let weak: Weak<T> = Arc::downgrade(this);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        loop {
            every.tick().await;
            match weak.upgrade() {
                Some(r) => tick(r).await,
                None => return,
            }
        }
    });
}

#[derive(Debug)]
struct Conn {
    db: NonNull<ffi::sqlite3>,
    statements: HashMap<String, NonNull<ffi::sqlite3_stmt>>,
    used: Instant,
}

// SAFETY: a Conn is used by one thread at a time (taken out of the idle
// list for the call) and SQLite is built thread-safe.
unsafe impl Send for Conn {}

impl Conn {
    fn open(path: &CStr) -> DbResult<Self> {
        let mut db = ptr::null_mut();
        // SAFETY: `path` is NUL-terminated; `db` receives the handle,
        // closed on drop (or below if opening failed).
        let rc = unsafe {
            ffi::sqlite3_open_v2(
                path.as_ptr(),
                &mut db,
                ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_NOMUTEX,
                ptr::null(),
            )
        };
        let conn = Conn {
            db: NonNull::new(db)
                .ok_or_else(|| DbError::Other(anyhow::anyhow!("SQLite: hết bộ nhớ")))?,
            statements: HashMap::new(),
            used: Instant::now(),
        };
        check(conn.db, rc)?;
        // Reads only; a writer still waits its turn behind the write queue.
        let setup = c"PRAGMA query_only = 1; PRAGMA busy_timeout = 10000;";
        // SAFETY: an open handle and a NUL-terminated script.
        let rc = unsafe {
            ffi::sqlite3_exec(
                conn.db.as_ptr(),
                setup.as_ptr(),
                None,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        check(conn.db, rc)?;
        Ok(conn)
    }

    fn statement(&mut self, sql: &str) -> DbResult<NonNull<ffi::sqlite3_stmt>> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(*s);
        }
        if self.statements.len() >= STATEMENTS {
            for (_, s) in self.statements.drain() {
                // SAFETY: reset after every use, finalized once.
                unsafe { ffi::sqlite3_finalize(s.as_ptr()) };
            }
        }
        let mut stmt = ptr::null_mut();
        // SAFETY: an open handle; the text's length is passed, so no NUL.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                self.db.as_ptr(),
                sql.as_ptr().cast(),
                sql.len() as c_int,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                ptr::null_mut(),
            )
        };
        check(self.db, rc)?;
        let stmt = NonNull::new(stmt)
            .ok_or_else(|| DbError::Other(anyhow::anyhow!("SQLite: câu lệnh rỗng")))?;
        self.statements.insert(sql.to_owned(), stmt);
        Ok(stmt)
    }

    fn rows<T: DeserializeOwned>(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        max: usize,
    ) -> DbResult<Vec<T>> {
        let stmt = self.statement(sql)?;
        let s = stmt.as_ptr();
        let out = self.step(s, args, max);
        // SAFETY: a live statement; the reset ends its read transaction, so
        // the next call sees what has been committed since.
        unsafe {
            ffi::sqlite3_reset(s);
            ffi::sqlite3_clear_bindings(s);
        }
        out
    }

    fn step<T: DeserializeOwned>(
        &self,
        s: *mut ffi::sqlite3_stmt,
        args: &[Arg<'_>],
        max: usize,
    ) -> DbResult<Vec<T>> {
        // SAFETY: a live statement.
        let count = unsafe { ffi::sqlite3_bind_parameter_count(s) };
        for i in 1..=count {
            let a = args.get(number(s, i)?).ok_or_else(|| {
                DbError::Other(anyhow::anyhow!("SQLite: thiếu tham số {i} cho câu lệnh"))
            })?;
            // SAFETY: a live statement; text is copied by SQLite (TRANSIENT).
            let rc = unsafe {
                match *a {
                    Arg::Text(t) => ffi::sqlite3_bind_text64(
                        s,
                        i,
                        t.as_ptr().cast(),
                        t.len() as u64,
                        ffi::SQLITE_TRANSIENT(),
                        ffi::SQLITE_UTF8 as u8,
                    ),
                    Arg::Int(n) => ffi::sqlite3_bind_int64(s, i, n),
                    Arg::Bool(b) => ffi::sqlite3_bind_int64(s, i, b.into()),
                    Arg::NoText | Arg::NoInt => ffi::sqlite3_bind_null(s, i),
                }
            };
            check(self.db, rc)?;
        }
        let mut out = Vec::new();
        while out.len() < max {
            // SAFETY: a live statement with its parameters bound.
            match unsafe { ffi::sqlite3_step(s) } {
                ffi::SQLITE_ROW => out.push(T::deserialize(Row { s, next: 0 })?),
                ffi::SQLITE_DONE => break,
                rc => {
                    check(self.db, rc)?;
                    return Err(DbError::Other(anyhow::anyhow!("SQLite: bước {rc} lỗi")));
                }
            }
        }
        Ok(out)
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // SAFETY: each statement finalized once, then the handle closed.
        unsafe {
            for (_, s) in self.statements.drain() {
                ffi::sqlite3_finalize(s.as_ptr());
            }
            ffi::sqlite3_close(self.db.as_ptr());
        }
    }
}

/// The argument a parameter takes: `$3` the third, wherever it stands in
/// the text (SQLite numbers parameters by first appearance, and a query
/// may use `$2` before `$1`), as sqlx binds them.
fn number(s: *mut ffi::sqlite3_stmt, i: c_int) -> DbResult<usize> {
    // SAFETY: a live statement and an index within its parameter count.
    let name = unsafe { ffi::sqlite3_bind_parameter_name(s, i) };
    if name.is_null() {
        return Ok(i as usize - 1);
    }
    // SAFETY: SQLite's NUL-terminated copy, alive with the statement.
    let name = unsafe { CStr::from_ptr(name) }.to_bytes();
    std::str::from_utf8(&name[1..])
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| n.checked_sub(1))
        .ok_or_else(|| {
            DbError::Other(anyhow::anyhow!(
                "SQLite: tham số lạ {}",
                String::from_utf8_lossy(name)
            ))
        })
}

/// A decoding failure: the row type does not fit the query's columns.
#[derive(Debug)]
struct DeError(String);

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        DeError(msg.to_string())
    }
}

impl From<DeError> for DbError {
    fn from(e: DeError) -> Self {
        DbError::Other(anyhow::anyhow!("SQLite: dòng không khớp kiểu: {e}"))
    }
}

/// The current row: a struct takes its columns by name, a tuple in order.
struct Row {
    s: *mut ffi::sqlite3_stmt,
    next: c_int,
}

impl Row {
    /// Whether a column is left to read.
    fn left(&self) -> bool {
        // SAFETY: a live statement on a row.
        self.next < unsafe { ffi::sqlite3_column_count(self.s) }
    }

    /// The next column, moving past it.
    fn take(&mut self) -> Column {
        self.next += 1;
        Column {
            s: self.s,
            i: self.next - 1,
        }
    }
}

impl<'de> de::Deserializer<'de> for Row {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_map(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        v.visit_seq(self)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_seq(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq
        map struct enum identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for Row {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if !self.left() {
            return Ok(None);
        }
        // SAFETY: a column index below the count; the name lives as long
        // as the statement, and is copied by the key's visitor if kept.
        let name = unsafe { ffi::sqlite3_column_name(self.s, self.next) };
        if name.is_null() {
            return Err(de::Error::custom("SQLite hết bộ nhớ"));
        }
        // SAFETY: non-null, NUL-terminated, alive with the statement.
        let name = unsafe { CStr::from_ptr(name) }
            .to_str()
            .map_err(de::Error::custom)?;
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        seed.deserialize(self.take())
    }
}

impl<'de> SeqAccess<'de> for Row {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if !self.left() {
            return Ok(None);
        }
        seed.deserialize(self.take()).map(Some)
    }
}

/// One value of the current row, read as its storage class says; a
/// boolean field takes SQLite's 0 or 1.
struct Column {
    s: *mut ffi::sqlite3_stmt,
    i: c_int,
}

impl Column {
    fn kind(&self) -> c_int {
        // SAFETY: a live statement on a row, a column below the count.
        unsafe { ffi::sqlite3_column_type(self.s, self.i) }
    }

    fn int(&self) -> i64 {
        // SAFETY: as in `kind`.
        unsafe { ffi::sqlite3_column_int64(self.s, self.i) }
    }

    /// A value that must be there: NULL is an error, as in sqlx.
    fn present(&self) -> Result<(), DeError> {
        match self.kind() {
            ffi::SQLITE_NULL => Err(de::Error::custom("NULL ở cột không nhận NULL")),
            _ => Ok(()),
        }
    }

    fn text(&self) -> Result<&str, DeError> {
        self.present()?;
        // SAFETY: as in `kind`; SQLite's copy of the value stays valid
        // until the next step, after this column has been decoded.
        unsafe {
            let p = ffi::sqlite3_column_text(self.s, self.i);
            if p.is_null() {
                return Err(de::Error::custom("SQLite hết bộ nhớ"));
            }
            let len = ffi::sqlite3_column_bytes(self.s, self.i) as usize;
            std::str::from_utf8(std::slice::from_raw_parts(p, len)).map_err(de::Error::custom)
        }
    }
}

impl<'de> de::Deserializer<'de> for Column {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.kind() {
            ffi::SQLITE_NULL => v.visit_none(),
            ffi::SQLITE_INTEGER => v.visit_i64(self.int()),
            // SAFETY: as in `kind`.
            ffi::SQLITE_FLOAT => v.visit_f64(unsafe { ffi::sqlite3_column_double(self.s, self.i) }),
            _ => v.visit_str(self.text()?),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        if self.kind() == ffi::SQLITE_NULL {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.present()?;
        v.visit_bool(self.int() != 0)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_str(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_str(self.text()?)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize, sqlx::FromRow)]
    struct Probe {
        n: i64,
        s: String,
        maybe: Option<String>,
        yes: bool,
    }

    /// The decoder and the parameter numbering on SQLite, against one file.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_decode_by_name_and_parameters_by_number() {
        let dir = std::env::temp_dir().join(format!("trienkhai-read-{}", std::process::id()));
        let db = crate::connect(&format!("sqlite://{}/t.db", dir.display()))
            .await
            .expect("connect");
        // `$2` stands before `$1` in the text: each still takes its own.
        let sql = "SELECT $2 AS s, $1 + 1 AS n, NULL AS maybe, 1 = 1 AS yes, 'extra' AS ignored";
        let row: Option<Probe> = first(&db, sql, &[41.into(), "bốn mươi hai".into()])
            .await
            .unwrap();
        let want = Probe {
            n: 42,
            s: "bốn mươi hai".into(),
            maybe: None,
            yes: true,
        };
        assert_eq!(row, Some(want));
        let tuples: Vec<(i64, Option<String>)> = all(
            &db,
            "SELECT 1, 'a' UNION ALL SELECT 2, NULL ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
        assert_eq!(tuples, vec![(1, Some("a".into())), (2, None)]);
        // A row that does not fit its type is an error, not a panic.
        let bad: DbResult<Vec<Probe>> = all(&db, "SELECT 'x' AS n, 's' AS s, 0 AS yes", &[]).await;
        assert!(bad.is_err());
        // Readers may not write.
        let write: DbResult<Vec<(i64,)>> = all(&db, "CREATE TABLE t (x) STRICT", &[]).await;
        assert!(write.is_err());
        // NULL where a value must be is an error, as through sqlx.
        let null: DbResult<Vec<(String,)>> = all(&db, "SELECT NULL", &[]).await;
        assert!(null.is_err());
        db.close().await;
        let closed: DbResult<Vec<(i64,)>> = all(&db, "SELECT 1", &[]).await;
        assert!(closed.is_err(), "reads after close fail, as the pool's do");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A database in memory is read through sqlx, which opens it as the URL says.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory_is_read_through_sqlx() {
        let db = crate::connect("sqlite::memory:").await.expect("connect");
        let rows: Vec<(i64, String)> = all(&db, "SELECT $1 + 1, $2", &[1.into(), "một".into()])
            .await
            .unwrap();
        assert_eq!(rows, vec![(2, "một".into())]);
    }
}
