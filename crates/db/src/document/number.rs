//! Numbers for the committee's own documents (36-HD/VPTW 1.3.1): one
//! sequence per issuer, type and term; one shared by every congress body.
//! The counter row is bumped in the issuing transaction, so a rolled-back
//! document returns its number and two clerks never get the same one.
use trienkhai_core::{Code, term};

use crate::{DbError, DbResult, Tx};

/// Congress documents of all types share one series.
pub fn series(body: &str, type_code: &str) -> String {
    if body == "ĐH" { "ĐH" } else { type_code }.to_string()
}

/// Numbers below 10 are printed with a leading zero ("Số 01-KH/ĐUK").
fn printed(n: i64) -> String {
    format!("{n:02}")
}

pub async fn issuer_of(tx: &mut Tx, unit_id: i64) -> DbResult<String> {
    let row: Option<(Option<String>,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT issuer_code FROM unit WHERE id = $1").bind(unit_id).fetch_optional(&mut *c).await)?;
    match row {
        None => Err(DbError::Refused(Code::UnitNotFound)),
        Some((code,)) => code
            .filter(|c| !c.is_empty())
            .ok_or(DbError::Refused(Code::NoIssuerCode)),
    }
}

/// The issuer's term on a day: its own term on file when there is one
/// ("2020-2025"), else the estimate from the calendar.
pub async fn term_of(tx: &mut Tx, unit_id: i64, issuer: &str, iso: &str) -> DbResult<String> {
    let row: Option<(i64, i64)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT CAST(year_from AS BIGINT), CAST(year_to AS BIGINT) FROM term
         WHERE unit_id = $1 AND COALESCE(opened_on, '') <= $2
           AND (closed_on IS NULL OR closed_on >= $2)
         ORDER BY year_from DESC LIMIT 1")
        .bind(unit_id).bind(iso).fetch_optional(&mut *c).await)?;
    Ok(match row {
        Some((from, to)) => format!("{from}-{to}"),
        None => term::key("party", issuer, iso),
    })
}

/// The next free number of the series. A number already on a document of
/// this type (a congress document in the shared series, or one of the
/// committee's own documents entered as received) is passed over, so the
/// series never sticks on a taken number.
pub async fn next_in(
    tx: &mut Tx,
    issuer: &str,
    type_code: &str,
    series: &str,
    term: &str,
) -> DbResult<String> {
    loop {
        let (n,): (i64,) = with_tx!(tx, c => sqlx::query_as(
            "INSERT INTO doc_number (issuer_code, series, term_key, last) VALUES ($1, $2, $3, 1)
             ON CONFLICT (issuer_code, series, term_key) DO UPDATE SET last = doc_number.last + 1
             RETURNING last")
            .bind(issuer).bind(series).bind(term).fetch_one(&mut *c).await)?;
        let (taken,): (i64,) = with_tx!(tx, c => sqlx::query_as(
            "SELECT COUNT(*) FROM document WHERE issuer_code = $1 AND type_code = $2
               AND term_key = $3 AND number_key = $4")
            .bind(issuer).bind(type_code).bind(term).bind(n.to_string())
            .fetch_one(&mut *c).await)?;
        if taken == 0 {
            return Ok(printed(n));
        }
    }
}

/// A number typed by the clerk (a paper register catching up, say). The
/// series moves past it so the next automatic number does not collide.
pub async fn claim_in(
    tx: &mut Tx,
    issuer: &str,
    series: &str,
    term: &str,
    number: &str,
) -> DbResult<String> {
    let n: i64 = number
        .parse()
        .map_err(|_| DbError::field("manual_number", Code::InvalidNumber))?;
    if n < 1 {
        return Err(DbError::field("manual_number", Code::InvalidNumber));
    }
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO doc_number (issuer_code, series, term_key, last) VALUES ($1, $2, $3, $4)
         ON CONFLICT (issuer_code, series, term_key) DO UPDATE
         SET last = CASE WHEN doc_number.last < excluded.last THEN excluded.last ELSE doc_number.last END")
        .bind(issuer).bind(series).bind(term).bind(n).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(printed(n))
}
