//! One search box over the register, on the engines' own full-text indexes
//! (SQLite FTS5, PostgreSQL tsvector) kept over two copies of the text: a
//! folded one ("quan triet" finds "quán triệt", "dang uy" finds "Đảng ủy")
//! and an exact one (lower case, one tone placement), so hits with the
//! query's own diacritics come first.
use serde::Serialize;
use trienkhai_core::text;

use crate::{Db, DbResult, Engine, Tx};

/// Text beyond this is not indexed: tsvector caps positions, and a long
/// annex adds little to finding the document.
const INDEXED_BYTES: usize = 256 * 1024;
/// Words of a query that count; the rest are dropped.
const QUERY_WORDS: usize = 8;

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Hit {
    pub id: i64,
    pub symbol: String,
    pub type_name: String,
    pub issued_on: Option<String>,
    pub subject: String,
}

/// Letters and digits only, one space between words: both engines then
/// split the same way (PostgreSQL's parser would keep "ct/tw" as a path).
pub(crate) fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The form stored in the index: `words` joined by single spaces.
pub(crate) fn indexed(s: &str) -> String {
    words(s).join(" ")
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// (Re)writes a document's index entry from its row and attachment text.
pub async fn index_in(tx: &mut Tx, id: i64) -> DbResult<()> {
    let (symbol, subject, content): (String, String, String) = with_tx!(tx, c => sqlx::query_as(
        "SELECT symbol, subject, content FROM document WHERE id = $1")
        .bind(id).fetch_one(&mut *c).await)?;
    let files: Vec<(String,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT text FROM document_file WHERE document_id = $1 ORDER BY id")
        .bind(id).fetch_all(&mut *c).await)?;
    let mut all = format!("{symbol}\n{subject}\n{content}");
    for (t,) in files {
        all.push('\n');
        all.push_str(&t);
    }
    let all = cut(&all, INDEXED_BYTES);
    let folded = indexed(&text::fold(all));
    let exact = indexed(&text::exact(all));
    match tx.engine() {
        Engine::Sqlite => {
            with_tx!(tx, c => sqlx::query("DELETE FROM document_fts WHERE rowid = $1")
                .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            with_tx!(tx, c => sqlx::query(
                "INSERT INTO document_fts (rowid, folded, exact) VALUES ($1, $2, $3)")
                .bind(id).bind(&folded).bind(&exact).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Engine::Postgres => {
            with_tx!(tx, c => sqlx::query(
                "INSERT INTO document_fts (document_id, folded, exact)
                 VALUES ($1, to_tsvector('simple', $2), to_tsvector('simple', $3))
                 ON CONFLICT (document_id) DO UPDATE SET folded = excluded.folded, exact = excluded.exact")
                .bind(id).bind(&folded).bind(&exact).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

/// The engine's query text: every word must occur; with `prefix` the last
/// one may be the start of a word (the box is typed into).
fn query(engine: Engine, ws: &[&str], prefix: bool) -> String {
    let last = ws.len().saturating_sub(1);
    let parts: Vec<String> = ws
        .iter()
        .enumerate()
        .map(|(i, w)| match (engine, prefix && i == last) {
            (Engine::Sqlite, false) => format!("\"{w}\""),
            (Engine::Sqlite, true) => format!("\"{w}\"*"),
            (Engine::Postgres, false) => (*w).to_string(),
            (Engine::Postgres, true) => format!("{w}:*"),
        })
        .collect();
    match engine {
        Engine::Sqlite => parts.join(" "),
        Engine::Postgres => parts.join(" & "),
    }
}

async fn phase(
    db: &Db,
    column: &str,
    ws: &[&str],
    prefix: bool,
    see_secret: bool,
    limit: i64,
) -> DbResult<Vec<Hit>> {
    let engine = db.engine();
    let q = query(engine, ws, prefix);
    // `words` keeps letters and digits only: PostgreSQL's statement can
    // hold the query as a literal (below), nothing in it leaves the quotes.
    debug_assert!(!q.contains('\''));
    let lim = crate::pool::limit(limit);
    let fts;
    let (sql, args): (String, Vec<crate::read::Arg>) = match engine {
        Engine::Sqlite => {
            fts = format!("{column} : ({q})");
            (
                format!(
                    "SELECT d.id, d.symbol, d.type_name, d.issued_on, d.subject
                     FROM document_fts JOIN document d ON d.id = document_fts.rowid
                     WHERE document_fts MATCH $1 AND ($2 OR d.secrecy = '')
                     ORDER BY document_fts.rowid DESC LIMIT {lim}"
                ),
                vec![fts.as_str().into(), see_secret.into()],
            )
        }
        // The words are written into the statement, so that it is planned
        // for them: walking the newest rows back suits a common word and
        // reads every row for a rare one (a lone "t" took 30 s on a million
        // documents), while a plan made once for any words (PostgreSQL's
        // generic plan) cannot tell the two apart.
        Engine::Postgres => (
            format!(
                "SELECT d.id, d.symbol, d.type_name, d.issued_on, d.subject
                 FROM document_fts f JOIN document d ON d.id = f.document_id
                 WHERE f.{column} @@ to_tsquery('simple', '{q}') AND ($1 OR d.secrecy = '')
                 ORDER BY f.document_id DESC LIMIT {lim}"
            ),
            vec![see_secret.into()],
        ),
    };
    match engine {
        // Its text is new for each search: not kept as a prepared statement.
        Engine::Postgres => crate::read::all_once(db, &sql, &args).await,
        // A prefix gathers every matching word before the first row: it
        // may take long, so not on the request's thread.
        Engine::Sqlite if prefix => crate::read::all_on_worker(db, &sql, &args).await,
        Engine::Sqlite => crate::read::all(db, &sql, &args).await,
    }
}

/// (column, words, last word as a prefix).
type Phase<'a> = (&'static str, &'a [&'a str], bool);

/// Runs phases in order until the page is full, each hit once.
async fn run(
    db: &Db,
    phases: &[Phase<'_>],
    see_secret: bool,
    limit: i64,
    hits: &mut Vec<Hit>,
) -> DbResult<()> {
    for (column, ws, prefix) in phases {
        if hits.len() as i64 >= limit {
            break;
        }
        for h in phase(db, column, ws, *prefix, see_secret, limit).await? {
            if !hits.iter().any(|k| k.id == h.id) {
                hits.push(h);
            }
        }
    }
    Ok(())
}

/// A last word shorter than this is not read as a prefix: "t" would expand
/// to most of the vocabulary (half a second on 100.000 documents).
const PREFIX_FROM: usize = 3;

/// Most recently registered first within each group: whole words with the
/// query's own diacritics, whole words folded, then the same two with the
/// last word as a prefix (or, when it is too short for one, without it). A
/// prefix makes the engine gather every matching word before it can return
/// the newest, so it runs only when whole words did not fill the page.
pub async fn search(db: &Db, q: &str, see_secret: bool, limit: i64) -> DbResult<Vec<Hit>> {
    let folded = text::fold(q);
    let fw: Vec<&str> = words(&folded).into_iter().take(QUERY_WORDS).collect();
    let Some(last) = fw.last() else {
        return Ok(Vec::new());
    };
    let exact = text::exact(q);
    let ew: Vec<&str> = words(&exact).into_iter().take(QUERY_WORDS).collect();
    let short = last.chars().count() < PREFIX_FROM;
    let mut phases: Vec<Phase> = Vec::new();
    for prefix in if short {
        vec![false]
    } else {
        vec![false, true]
    } {
        if ew != fw {
            phases.push(("exact", &ew, prefix));
        }
        phases.push(("folded", &fw, prefix));
    }
    let mut hits = Vec::new();
    run(db, &phases, see_secret, limit, &mut hits).await?;
    // "nghị q" while typing finds nothing as whole words: the words before
    // a short last one still count.
    if hits.is_empty() && short && fw.len() > 1 {
        let (ew, fw) = (&ew[..ew.len() - 1], &fw[..fw.len() - 1]);
        let mut phases: Vec<Phase> = Vec::new();
        if ew != fw {
            phases.push(("exact", ew, false));
        }
        phases.push(("folded", fw, false));
        run(db, &phases, see_secret, limit, &mut hits).await?;
    }
    hits.truncate(limit.max(0) as usize);
    Ok(hits)
}
