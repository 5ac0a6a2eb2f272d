//! Rows into PostgreSQL by `COPY … FROM STDIN`, its own bulk path: one
//! message of tab-separated text a batch, parsed by the server without a
//! plan or a parameter per value.
use sqlx::PgConnection;

use crate::DbResult;

/// One batch in COPY's text format.
pub(crate) struct Rows {
    buf: Vec<u8>,
    /// No field written yet on the current line.
    fresh: bool,
}

impl Rows {
    pub(crate) fn new() -> Self {
        Rows {
            buf: Vec::with_capacity(256 * 1024),
            fresh: true,
        }
    }

    fn sep(&mut self) {
        if !self.fresh {
            self.buf.push(b'\t');
        }
        self.fresh = false;
    }

    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for &b in s.as_bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }

    pub(crate) fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => {
                self.sep();
                self.buf.extend_from_slice(b"\\N");
                self
            }
        }
    }

    pub(crate) fn int(&mut self, n: i64) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(n.to_string().as_bytes());
        self
    }

    pub(crate) fn end(&mut self) {
        self.buf.push(b'\n');
        self.fresh = true;
    }
}

/// Runs `COPY {table} ({columns}) FROM STDIN` with the batch.
pub(crate) async fn copy(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    rows: Rows,
) -> DbResult<u64> {
    let sql = format!("COPY {table} ({columns}) FROM STDIN");
    let mut copy = conn.copy_in_raw(&sql).await?;
    if let Err(e) = copy.send(rows.buf).await {
        let _ = copy.abort("trienkhai: gửi dữ liệu không được").await;
        return Err(e.into());
    }
    Ok(copy.finish().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_nulls() {
        let mut r = Rows::new();
        r.int(7).text("a\\b\tc").opt(None).text("");
        r.end();
        r.text("x").end();
        assert_eq!(r.buf, b"7\ta\\\\b\\tc\t\\N\t\nx\n");
    }
}
