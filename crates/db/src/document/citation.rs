//! Citations found in a document's text, resolved to registered documents:
//! by date when the text gives one, else when exactly one document has that
//! type, number and issuer. A citation left open is resolved later, when a
//! matching document is registered.
use serde::Serialize;
use trienkhai_core::cite;

use crate::{Db, DbResult, Tx, document::number_key};

/// Citations are found in the subject and the body, read as one text.
pub fn source_text(subject: &str, content: &str) -> String {
    format!("{subject}\n\n{content}")
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Cited {
    pub text: String,
    pub start_at: i64,
    pub end_at: i64,
    pub type_code: String,
    pub number: String,
    pub issuer_code: Option<String>,
    pub issued_on: Option<String>,
    pub short: bool,
    pub target_id: Option<i64>,
    pub target_symbol: Option<String>,
}

/// A document that cites this one.
#[derive(Clone, Debug, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct CitedBy {
    pub id: i64,
    pub symbol: String,
    pub type_name: String,
    pub issued_on: Option<String>,
    pub subject: String,
}

/// A registered document a citation may mean.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub type_code: String,
    pub number_key: String,
    pub issuer_code: String,
    pub symbol: String,
    pub issued_on: Option<String>,
    pub term_key: String,
}

/// Distinct (type, number) keys per query; a long text is read in chunks so
/// the bind count stays far below the engines' limits.
const KEYS_PER_QUERY: usize = 400;

/// Registered documents with the type and number of any of `keys`; the
/// caller narrows by issuer and date. Binds: whether secret documents
/// count, then (type, number) pairs.
fn candidate_sql(keys: usize) -> String {
    let ors: Vec<String> = (0..keys)
        .map(|i| {
            format!(
                "(type_code = ${} AND number_key = ${})",
                2 * i + 2,
                2 * i + 3
            )
        })
        .collect();
    format!(
        "SELECT id, type_code, number_key, issuer_code, symbol, issued_on, term_key
         FROM document WHERE ($1 OR secrecy = '') AND ({})",
        ors.join(" OR ")
    )
}

async fn candidates_in(tx: &mut Tx, keys: &[(String, String)]) -> DbResult<Vec<Candidate>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut all = Vec::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let sql = candidate_sql(chunk.len());
        all.extend(with_tx!(tx, c => {
            let mut q = sqlx::query_as::<_, Candidate>(sqlx::AssertSqlSafe(sql.as_str())).bind(true);
            for (t, n) in chunk {
                q = q.bind(t).bind(n);
            }
            q.fetch_all(&mut *c).await
        })?);
    }
    Ok(all)
}

/// Whether `d` could be cited by a text dated `on`: a text cannot cite a
/// document issued after it. Unknown dates do not rule anything out.
fn not_later(d: &Candidate, on: &str) -> bool {
    match d.issued_on.as_deref() {
        Some(i) if !i.is_empty() && !on.is_empty() => i <= on,
        _ => true,
    }
}

/// The one document a citation means, if it is clear.
fn pick(c: &cite::Citation, all: &[Candidate], self_id: i64, on: &str) -> Option<i64> {
    let key = number_key(&c.number);
    let fits: Vec<&Candidate> = all
        .iter()
        .filter(|d| d.id != self_id && d.type_code == c.kind && d.number_key == key)
        .filter(|d| c.issuer.as_ref().is_none_or(|i| *i == d.issuer_code))
        .filter(|d| not_later(d, on))
        .collect();
    let dated: Vec<&&Candidate> = match &c.date {
        Some(date) => fits
            .iter()
            .filter(|d| d.issued_on.as_deref() == Some(date))
            .collect(),
        None => fits.iter().collect(),
    };
    match dated.as_slice() {
        [one] => Some(one.id),
        _ => None,
    }
}

/// Finds and stores the citations of document `id`, resolving what it can.
pub async fn record_in(tx: &mut Tx, id: i64) -> DbResult<()> {
    let (subject, content, on): (String, String, String) = with_tx!(tx, c => sqlx::query_as(
        "SELECT subject, content, issued_on FROM document WHERE id = $1")
        .bind(id).fetch_one(&mut *c).await)?;
    let found = cite::find(&source_text(&subject, &content));
    with_tx!(tx, c => sqlx::query("DELETE FROM citation WHERE source = 'document' AND source_id = $1")
        .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let mut keys: Vec<(String, String)> = found
        .iter()
        .map(|c| (c.kind.clone(), number_key(&c.number)))
        .collect();
    keys.sort();
    keys.dedup();
    let all = candidates_in(tx, &keys).await?;
    for c in &found {
        let target = pick(c, &all, id, &on);
        with_tx!(tx, x => sqlx::query(
            "INSERT INTO citation (source, source_id, text, start_at, end_at, system, type_code,
                number, issuer_code, issued_on, short, target_id)
             VALUES ('document', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(id).bind(&c.text).bind(c.start as i64).bind(c.end as i64)
            .bind(c.system.as_str()).bind(&c.kind).bind(number_key(&c.number))
            .bind(&c.issuer).bind(&c.date).bind(c.short).bind(target)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Citations the newly registered document `id` affects. An undated one
/// that had settled on another document of the same type and number is
/// open again (it is now ambiguous); open ones it settles are resolved:
/// same type and number, issuer if given, its date, or no date and no other
/// document it could be. A text never cites a document issued after it.
pub async fn resolve_waiting_in(tx: &mut Tx, id: i64) -> DbResult<()> {
    // The citing text's date, and "this document is not later than it".
    const ON: &str = "(SELECT NULLIF(s.issued_on, '') FROM document s
        WHERE citation.source = 'document' AND s.id = citation.source_id)";
    let not_later = |alias: &str| {
        format!(
            "({alias}.issued_on = '' OR {alias}.issued_on <= COALESCE({ON}, {alias}.issued_on))"
        )
    };
    let reopen = format!(
        "UPDATE citation SET target_id = NULL
         WHERE issued_on IS NULL AND target_id IN (
            SELECT o.id FROM document o JOIN document d ON d.id = $1
            WHERE o.id <> d.id AND o.type_code = d.type_code AND o.number_key = d.number_key)
           AND EXISTS (SELECT 1 FROM document d WHERE d.id = $1
                AND (citation.issuer_code IS NULL OR citation.issuer_code = d.issuer_code)
                AND {})",
        not_later("d")
    );
    with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(reopen.as_str()))
        .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let settle = format!(
        "UPDATE citation SET target_id = d.id
         FROM document d
         WHERE d.id = $1 AND citation.target_id IS NULL
           AND citation.type_code = d.type_code AND citation.number = d.number_key
           AND (citation.issuer_code IS NULL OR citation.issuer_code = d.issuer_code)
           AND NOT (citation.source = 'document' AND citation.source_id = d.id)
           AND {}
           AND (citation.issued_on = d.issued_on OR (citation.issued_on IS NULL AND NOT EXISTS (
                SELECT 1 FROM document o WHERE o.id <> d.id AND o.type_code = d.type_code
                  AND o.number_key = d.number_key AND {}
                  AND (citation.issuer_code IS NULL OR o.issuer_code = citation.issuer_code))))",
        not_later("d"),
        not_later("o")
    );
    with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(settle.as_str()))
        .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What document `id` cites, in text order, with the target's symbol. A
/// secret target is left out for those who may not see it.
pub async fn of(db: &Db, id: i64, see_secret: bool) -> DbResult<Vec<Cited>> {
    crate::read::all(
        db,
        "SELECT c.text, c.start_at, c.end_at, c.type_code, c.number, c.issuer_code, c.issued_on,
                c.short, d.id AS target_id, d.symbol AS target_symbol
         FROM citation c LEFT JOIN document d ON d.id = c.target_id AND ($2 OR d.secrecy = '')
         WHERE c.source = 'document' AND c.source_id = $1 ORDER BY c.start_at",
        &[id.into(), see_secret.into()],
    )
    .await
}

/// Documents whose text cites document `id` (secret ones only for those
/// who may see them).
pub async fn by(db: &Db, id: i64, see_secret: bool) -> DbResult<Vec<CitedBy>> {
    crate::read::all(
        db,
        "SELECT DISTINCT d.id, d.symbol, d.type_name, d.issued_on, d.subject
         FROM citation c JOIN document d ON d.id = c.source_id
         WHERE c.source = 'document' AND c.target_id = $1 AND ($2 OR d.secrecy = '')
         ORDER BY d.issued_on DESC, d.id DESC",
        &[id.into(), see_secret.into()],
    )
    .await
}

/// Registered documents an open citation may mean (same type and number),
/// secret ones only for those who may see them.
pub async fn candidates(db: &Db, cited: &[Cited], see_secret: bool) -> DbResult<Vec<Candidate>> {
    let mut keys: Vec<(&str, &str)> = cited
        .iter()
        .filter(|c| c.target_id.is_none())
        .map(|c| (c.type_code.as_str(), c.number.as_str()))
        .collect();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut all = Vec::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let sql = candidate_sql(chunk.len());
        all.extend(with_db!(db, p => {
            let mut q = sqlx::query_as::<_, Candidate>(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(see_secret);
            for (t, n) in chunk {
                q = q.bind(*t).bind(*n);
            }
            q.fetch_all(p).await
        })?);
    }
    Ok(all)
}
