//! Baseline for bench/lists.sh: the document register's list SQL behind a
//! bare axum handler. No session, no guard, no middleware, no template
//! engine: the rows the app would fetch for an office account, written out
//! as a plain HTML table. What the app's GET /documents costs beyond this is
//! its own overhead (session lookup, filters, askama, the page around).
//!
//! Use: cargo run --release -p bare_list -- sqlite:///abs/bench.db 127.0.0.1:8081
//! (or postgres://user@host/db) then GET /documents or
//! /documents?after=2024-05-01~123 (the keyset cursor).
use std::{fmt::Write as _, str::FromStr, time::Duration};

use axum::{
    Router,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

// The app's allocator, so the comparison is not about malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The engine, picked from the URL's scheme as the app picks it.
#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// Page 1, or the page after `after`, from either pool.
macro_rules! fetch {
    ($pool:expr, $after:expr) => {
        match $after {
            None => sqlx::query_as::<_, Listed>(PAGE_1).fetch_all($pool).await,
            Some((on, id)) => {
                sqlx::query_as::<_, Listed>(AFTER)
                    .bind(on)
                    .bind(id)
                    .fetch_all($pool)
                    .await
            }
        }
    };
}

/// Rows per page, as crates/web/src/document/mod.rs (PAGE).
const PAGE: i64 = 50;

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    after: String,
}

#[derive(sqlx::FromRow)]
struct Listed {
    id: i64,
    direction: String,
    symbol: String,
    type_name: String,
    issued_on: Option<String>,
    subject: String,
    secrecy: String,
}

/// The SQL of trienkhai_db::document::list as it runs for an office
/// account (who sees secret documents: no `secrecy = ''`) with no filter:
/// page 1, or the page after a keyset cursor. The LIMIT literal is PAGE + 1,
/// as the app asks for, to know whether there is a next page.
const PAGE_1: &str =
    "SELECT id, direction, symbol, type_name, issued_on, subject, secrecy FROM document
         ORDER BY issued_on DESC, id DESC LIMIT 51";
const AFTER: &str =
    "SELECT id, direction, symbol, type_name, issued_on, subject, secrecy FROM document
         WHERE (issued_on, id) < ($1, $2) ORDER BY issued_on DESC, id DESC LIMIT 51";

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// "2024-05-01" → "01/05/2024", as the app shows dates.
fn date(iso: Option<&str>) -> String {
    match iso.map(|s| s.split('-').collect::<Vec<_>>()).as_deref() {
        Some([y, m, d]) => format!("{d}/{m}/{y}"),
        _ => String::new(),
    }
}

async fn list(State(db): State<Db>, Query(q): Query<ListQuery>) -> Response {
    let after = match q.after.split_once('~') {
        None if q.after.is_empty() => None,
        Some((on, id)) => match id.parse::<i64>() {
            Ok(id) => Some((on.to_string(), id)),
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        },
        None => return StatusCode::BAD_REQUEST.into_response(),
    };
    let fetched = match &db {
        Db::Sqlite(p) => fetch!(p, &after),
        Db::Pg(p) => fetch!(p, &after),
    };
    let mut rows = match fetched {
        Ok(rows) => rows,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);

    let mut html = String::with_capacity(16 * 1024);
    html.push_str("<table><thead><tr><th>Số và ký hiệu</th><th>Ngày</th><th>Loại</th><th>Trích yếu</th></tr></thead><tbody>\n");
    for r in &rows {
        let _ = write!(html, "<tr><td><a href=\"/documents/{}\">", r.id);
        escape(&mut html, &r.symbol);
        html.push_str("</a>");
        if r.direction == "out" {
            html.push_str(" <span>ban hành</span>");
        }
        if !r.secrecy.is_empty() {
            html.push_str(" <span>");
            escape(&mut html, &r.secrecy);
            html.push_str("</span>");
        }
        html.push_str("</td><td>");
        escape(&mut html, &date(r.issued_on.as_deref()));
        html.push_str("</td><td>");
        escape(&mut html, &r.type_name);
        html.push_str("</td><td>");
        escape(&mut html, &r.subject);
        html.push_str("</td></tr>\n");
    }
    html.push_str("</tbody></table>\n");
    if let (true, Some(last)) = (more, rows.last()) {
        // The cursor is digits, dashes and '~': nothing to escape.
        let _ = writeln!(
            html,
            "<p><a href=\"/documents?after={}~{}\">Trang sau →</a></p>",
            last.issued_on.as_deref().unwrap_or(""),
            last.id
        );
    }
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(listen)) = (args.next(), args.next()) else {
        eprintln!("dùng: bare_list sqlite:///đường/dẫn/bench.db|postgres://… 127.0.0.1:8081");
        std::process::exit(2);
    };
    // The app's pool settings (crates/db/src/pool.rs). SQLite: WAL, two
    // pooled connections, no ping before each acquire. PostgreSQL: up to
    // 16 connections, no JIT, TCP_NODELAY on each.
    let db = if url.starts_with("postgres") {
        let opts = PgConnectOptions::from_str(&url)?.options([("jit", "off")]);
        let port = opts.get_port();
        Db::Pg(
            PgPoolOptions::new()
                .test_before_acquire(false)
                .max_connections(16)
                .min_connections(1)
                .after_connect(move |_, _| {
                    Box::pin(async move {
                        trienkhai_db::nodelay::set_for_port(port);
                        Ok(())
                    })
                })
                .connect_with(opts)
                .await?,
        )
    } else {
        let opts = SqliteConnectOptions::from_str(&url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        Db::Sqlite(
            SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(2)
                .min_connections(1)
                .connect_with(opts)
                .await?,
        )
    };
    let app = Router::new()
        .route("/documents", get(list))
        .route("/livez", get(|| async { "ok" }))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!(
        "bare_list đang phục vụ tại http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
