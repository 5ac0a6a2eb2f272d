//! PostgreSQL read connections the server keeps itself. sqlx's pool pings
//! a connection each time it takes one back (and each time it hands one
//! out, unless told not to): two round trips beside every statement a
//! page reads. In the national mixed load that was half of PostgreSQL's
//! round trips. Here a connection serves one statement and goes back as
//! it is. One whose statement did not finish (the request was dropped)
//! or failed is closed instead, which is what the ping was for.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::{
    ConnectOptions,
    postgres::{PgConnectOptions, PgConnection},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{DbError, DbResult};

/// Read connections open at most, beside the pool's (for writes).
const MAX: usize = 16;

#[derive(Debug)]
pub struct PgReaders {
    opts: PgConnectOptions,
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    slots: Arc<Semaphore>,
}

/// A connection taken for one statement; dropped without `keep`, it closes.
pub(crate) struct Taken<'a> {
    pub(crate) conn: PgConnection,
    from: &'a PgReaders,
    _slot: OwnedSemaphorePermit,
}

impl Taken<'_> {
    /// Back to the idle list after a statement that succeeded. After any
    /// error it closes: a killed backend first answers with an error of
    /// its own, and only the next statement would meet the closed socket.
    pub(crate) fn done<T>(self, out: &Result<T, sqlx::Error>) {
        if out.is_err() {
            return;
        }
        if !self.from.slots.is_closed() {
            let mut idle = self.from.idle.lock().expect("never poisoned");
            idle.push((self.conn, Instant::now()));
        }
    }
}

impl PgReaders {
    pub(crate) fn new(opts: PgConnectOptions) -> Arc<Self> {
        Arc::new(PgReaders {
            opts,
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(MAX)),
        })
    }

    pub(crate) async fn take(&self) -> DbResult<Taken<'_>> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| DbError::from(sqlx::Error::PoolClosed))?;
        // The most recently used one: its backend's caches are warm.
        let idle = self.idle.lock().expect("never poisoned").pop();
        let conn = match idle {
            Some((c, _)) => c,
            None => {
                let c = self.opts.connect().await?;
                crate::nodelay::set_for_port(self.opts.get_port());
                c
            }
        };
        Ok(Taken {
            conn,
            from: self,
            _slot: slot,
        })
    }

    /// Later reads fail; the idle connections close now.
    pub(crate) fn close(&self) {
        self.slots.close();
        drop(std::mem::take(
            &mut *self.idle.lock().expect("never poisoned"),
        ));
    }

    /// A server keeps the `warm` connections used last until idle for
    /// `after` (a new backend starts with cold caches), and closes the rest,
    /// opened for a busy spell, once idle for `sooner`: each holds memory
    /// here and on PostgreSQL. Stops with the database.
    pub(crate) fn reap_while_open(
        this: &Arc<Self>,
        warm: usize,
        after: Duration,
        sooner: Duration,
    ) {
        super::every_while_open(this, sooner / 2, move |r| async move {
            let stale: Vec<_> = {
                let mut idle = r.idle.lock().expect("never poisoned");
                // Last used at the end: `take` pops from there.
                let n = idle.len();
                let (keep, stale): (Vec<_>, Vec<_>) =
                    idle.drain(..).enumerate().partition(|(i, (_, t))| {
                        let limit = if n - i <= warm { after } else { sooner };
                        t.elapsed() < limit
                    });
                *idle = keep.into_iter().map(|(_, c)| c).collect();
                stale
            };
            for (_, (c, _)) in stale {
                // Terminate, so the server does not see a dropped client.
                let _ = sqlx::Connection::close(c).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn idle(r: &PgReaders) -> usize {
        r.idle.lock().expect("never poisoned").len()
    }

    /// Needs PostgreSQL, as the integration tests do (TRIENKHAI_TEST_PG).
    #[tokio::test]
    async fn a_busy_spells_connections_close_and_the_warm_ones_stay() {
        let url = std::env::var("TRIENKHAI_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let r = PgReaders::new(PgConnectOptions::from_str(&url).expect("url"));
        PgReaders::reap_while_open(&r, 2, Duration::from_secs(60), Duration::from_millis(200));
        let mut taken = Vec::new();
        for _ in 0..6 {
            taken.push(r.take().await.expect("connect"));
        }
        for t in taken {
            t.done(&Ok::<(), sqlx::Error>(()));
        }
        assert_eq!(idle(&r), 6);
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(idle(&r), 2, "the two used last stay warm");
        r.close();
    }
}
