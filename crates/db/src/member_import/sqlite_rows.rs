//! Many rows into one SQLite table through one prepared statement, stepped
//! once a row with the values bound in place: what the sqlite3 shell's
//! `.import` does. Through sqlx a batch became one statement of 30.000
//! parameters, each value copied twice and the whole list cleared and
//! freed again; that was half of an import's time on the connection.
//! And the way back out for exports: a query's rows read on this thread
//! (`select`), not handed over one by one from sqlx's worker thread.
use std::ffi::{CStr, CString, c_int};
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;

use crate::{DbError, DbResult};

/// One bound value; text is bound without a copy, borrowed for the call.
pub(crate) enum Value<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Text(s)
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(Value::Null, Value::Text)
    }
}

/// Runs `sql` (one row's INSERT with `?` parameters) once per row. Returns
/// the rowid of the last row inserted. Stops at the first failure, which
/// the caller's transaction then rolls back.
pub(crate) async fn insert<'a, const N: usize>(
    conn: &mut SqliteConnection,
    sql: &str,
    rows: impl Iterator<Item = [Value<'a>; N]>,
) -> DbResult<i64> {
    let sql = CString::new(sql).map_err(|e| DbError::Other(e.into()))?;
    let mut locked = conn.lock_handle().await?;
    let db = locked.as_raw_handle();
    let stmt = Statement::prepare(db, &sql)?;
    for row in rows {
        stmt.run(&row)?;
    }
    // SAFETY: `db` is the open handle this task holds locked.
    Ok(unsafe { ffi::sqlite3_last_insert_rowid(db.as_ptr()) })
}

/// Steps `sql` with `params` bound and calls `each` with every row's first
/// N columns as text (NULL as None), on this thread, the connection held
/// meanwhile. Through sqlx's stream each row crossed from its worker thread
/// and was decoded under the connection's mutex: half of an export's time
/// went to switching threads. Returns the number of rows.
pub(crate) async fn select<const N: usize>(
    conn: &mut SqliteConnection,
    sql: &str,
    params: &[Value<'_>],
    mut each: impl FnMut([Option<&str>; N]) -> DbResult<()>,
) -> DbResult<u64> {
    let sql = CString::new(sql).map_err(|e| DbError::Other(e.into()))?;
    let mut locked = conn.lock_handle().await?;
    let db = locked.as_raw_handle();
    let stmt = Statement::prepare(db, &sql)?;
    stmt.bind(params)?;
    // The loop runs for seconds on a large roll: let the runtime move this
    // worker's other tasks elsewhere meanwhile (not possible, nor needed,
    // on a current-thread runtime).
    let multi = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let mut rows = || {
        let mut n = 0;
        loop {
            // SAFETY: a live statement on the handle this task holds locked.
            let rc = unsafe { ffi::sqlite3_step(stmt.stmt.as_ptr()) };
            match rc {
                ffi::SQLITE_ROW => {
                    each(std::array::from_fn(|i| stmt.text(i as c_int)))?;
                    n += 1;
                }
                ffi::SQLITE_DONE => return Ok(n),
                _ => {
                    check(db, rc)?;
                    return Err(DbError::Other(anyhow::anyhow!("SQLite: bước {rc} lỗi")));
                }
            }
        }
    };
    if multi {
        tokio::task::block_in_place(rows)
    } else {
        rows()
    }
}

/// A prepared statement, finalized on drop.
struct Statement {
    db: NonNull<ffi::sqlite3>,
    stmt: NonNull<ffi::sqlite3_stmt>,
}

impl Statement {
    fn prepare(db: NonNull<ffi::sqlite3>, sql: &CStr) -> DbResult<Self> {
        let mut stmt = ptr::null_mut();
        // SAFETY: `db` is open and locked for this task; `sql` is
        // NUL-terminated and outlives the call.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(db.as_ptr(), sql.as_ptr(), -1, &mut stmt, ptr::null_mut())
        };
        check(db, rc)?;
        let stmt = NonNull::new(stmt)
            .ok_or_else(|| DbError::Other(anyhow::anyhow!("SQLite: câu lệnh rỗng")))?;
        Ok(Statement { db, stmt })
    }

    /// Binds one value per parameter, in order, without copying text.
    fn bind(&self, row: &[Value<'_>]) -> DbResult<()> {
        let s = self.stmt.as_ptr();
        for (i, v) in row.iter().enumerate() {
            let i = i as c_int + 1;
            // SAFETY: `s` is a live statement; text pointers are valid for
            // `len` bytes until the reset.
            let rc = unsafe {
                match v {
                    Value::Text(t) => ffi::sqlite3_bind_text64(
                        s,
                        i,
                        t.as_ptr().cast(),
                        t.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as u8,
                    ),
                    Value::Int(n) => ffi::sqlite3_bind_int64(s, i, *n),
                    Value::Null => ffi::sqlite3_bind_null(s, i),
                }
            };
            check(self.db, rc)?;
        }
        Ok(())
    }

    /// Column `i` of the current row as text; valid until the next step,
    /// so `select` hands a row to its callback and steps only after.
    fn text(&self, i: c_int) -> Option<&str> {
        let s = self.stmt.as_ptr();
        // SAFETY: the statement is on a row; the pointer and length are
        // SQLite's copy of the value, alive until the next step or reset.
        unsafe {
            let p = ffi::sqlite3_column_text(s, i);
            if p.is_null() {
                return None;
            }
            let len = ffi::sqlite3_column_bytes(s, i) as usize;
            std::str::from_utf8(std::slice::from_raw_parts(p, len)).ok()
        }
    }

    /// Binds one row and steps it. SQLITE_STATIC is sound because the row
    /// outlives the step, and the reset below runs before it is dropped;
    /// every parameter is bound again for the next row.
    fn run<const N: usize>(&self, row: &[Value<'_>; N]) -> DbResult<()> {
        let s = self.stmt.as_ptr();
        self.bind(row)?;
        // SAFETY: as in `bind`.
        let rc = unsafe { ffi::sqlite3_step(s) };
        // SAFETY: as above; reset reports the step's error again, read
        // from `rc` instead.
        unsafe { ffi::sqlite3_reset(s) };
        if rc == ffi::SQLITE_DONE {
            Ok(())
        } else {
            check(self.db, rc).and(Err(DbError::Other(anyhow::anyhow!(
                "SQLite: bước {rc} không xong"
            ))))
        }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: finalized once; the handle is still locked (the guard in
        // `insert` is dropped after this).
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// SQLite's message for a failed call; shared with `read`.
pub(crate) fn check(db: NonNull<ffi::sqlite3>, rc: c_int) -> DbResult<()> {
    if rc == ffi::SQLITE_OK {
        return Ok(());
    }
    // SAFETY: `db` is open; the message is copied before any other call.
    let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) };
    Err(DbError::Other(anyhow::anyhow!(
        "SQLite ({rc}): {}",
        msg.to_string_lossy()
    )))
}
