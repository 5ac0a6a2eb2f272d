//! The database side of an import: the transaction's settings, who is
//! already on file, and the batch inserts.
use std::borrow::Cow;
use std::collections::HashMap;

use super::pg_copy;
use super::sqlite_rows::{self, Value};
use super::{Parsed, Report};
use crate::{DbResult, Tx, now_ms};

/// Page cache for the import's connection while it runs, KiB. The file's
/// rows land in one transaction; with SQLite's default 2 MiB, pages spilled
/// to the WAL mid-transaction and were read back again and again (345.000
/// reads and writes of the WAL for 100.000 rows). 100.000 rows take about
/// 45 MiB; larger files spill past this, which is slower but still right.
const SQLITE_IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// Settings for the import transaction only; none touches durability (the
/// journal mode, `synchronous` and the single commit stay as they are).
/// Returns what `untune` puts back on the SQLite connection.
pub(super) async fn tune(tx: &mut Tx, bulk: bool) -> DbResult<Option<i64>> {
    match tx {
        Tx::Postgres(t, _) => {
            // The tables grow by the whole file inside this transaction,
            // which the planner's statistics (none at all on a new
            // database) do not know: it then picks sequential scans for
            // the per-batch lookups and foreign-key checks, and an import
            // goes quadratic (200 s for 100.000 rows). SET LOCAL ends with
            // the transaction.
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut **t)
                .await?;
            Ok(None)
        }
        // A bulk load appends to tables without indexes: no pages to
        // spill, and the default cache is as fast.
        Tx::Sqlite(..) if bulk => Ok(None),
        Tx::Sqlite(t, ..) => {
            let (cache,): (i64,) = sqlx::query_as("PRAGMA cache_size")
                .fetch_one(&mut **t)
                .await?;
            let sql = format!("PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await?;
            Ok(Some(cache))
        }
    }
}

/// Puts the SQLite connection's page cache back before the connection
/// returns to the pool; best effort, the outcome does not depend on it.
pub(super) async fn untune(tx: &mut Tx, was: Option<i64>) {
    if let (Tx::Sqlite(t, ..), Some(cache)) = (tx, was) {
        let sql = format!("PRAGMA cache_size = {cache}");
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **t)
            .await;
    }
}

/// Who is on file when the import starts, if few enough to hold: dedupe
/// key → (person id, open unit ids). Rows are then classified in memory
/// and no batch looks anything up. Nobody else adds people meanwhile:
/// SQLite's BEGIN IMMEDIATE, and on PostgreSQL the lock taken here first,
/// which also keeps two imports from adding the same person twice. A key
/// of this file's own earlier rows is refused as a repeat on reading.
pub(super) type Known = HashMap<String, (i64, Vec<i64>)>;

pub(super) async fn on_file(tx: &mut Tx, hold: i64) -> DbResult<Option<Known>> {
    if let Tx::Postgres(t, _) = tx {
        // Readers go on; writers of these tables wait for the commit.
        sqlx::query("LOCK TABLE person, membership IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **t)
            .await?;
    }
    const TOP: &str = "SELECT max(id) FROM person";
    const ALL: &str = "SELECT p.dedupe_key, p.id, m.unit_id FROM person p
         LEFT JOIN membership m ON m.person_id = p.id AND m.valid_to IS NULL";
    let (top,): (Option<i64>,) = with_tx!(tx, c => sqlx::query_as(TOP).fetch_one(c).await?);
    if top.unwrap_or(0) > hold {
        return Ok(None);
    }
    let rows: Vec<(String, i64, Option<i64>)> =
        with_tx!(tx, c => sqlx::query_as(ALL).fetch_all(c).await?);
    let mut known = Known::with_capacity(rows.len());
    for (key, id, unit) in rows {
        let e = known.entry(key).or_insert((id, Vec::new()));
        e.1.extend(unit);
    }
    Ok(Some(known))
}

/// Indexes and foreign keys set aside for a first large load and put back
/// before the commit. Maintaining five B-trees row by row (and, on
/// PostgreSQL, two foreign-key triggers a row) was most of an import into a
/// new database; building them once at the end is several times cheaper.
/// Only when everyone on file is held in memory (`on_file`), since nothing
/// can then look up by the missing indexes, and when the file is at least
/// as large as what is on file, so rebuilding costs no more than it saves.
/// Both engines run DDL inside the transaction: a refused file rolls the
/// indexes back with its rows. On PostgreSQL the tables stay locked until
/// the commit; on SQLite readers keep their snapshot.
#[derive(Default)]
pub(super) struct Bulk {
    /// CREATE INDEX statements, as the catalogue has them.
    indexes: Vec<String>,
    /// (constraint, definition) of membership's foreign keys (PostgreSQL).
    foreign_keys: Vec<(String, String)>,
}

/// Rows a file of `bytes` holds at most, roughly: a bare member row (name
/// and birth date) takes about this many bytes.
const BYTES_PER_ROW: u64 = 48;

pub(super) fn bulk_worth(known: &Option<Known>, file_bytes: u64, from_rows: u64) -> bool {
    let rows = file_bytes / BYTES_PER_ROW;
    known
        .as_ref()
        .is_some_and(|k| rows >= from_rows && rows >= k.len() as u64)
}

pub(super) async fn set_aside(tx: &mut Tx) -> DbResult<Bulk> {
    // Unique indexes stay: they are rules, not just access paths.
    type Named = Vec<(String, String)>;
    let (indexes, foreign_keys): (Named, Named) = match tx {
        Tx::Sqlite(t, ..) => {
            let indexes = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('person', 'membership') AND sql NOT LIKE 'CREATE UNIQUE%'",
            )
            .fetch_all(&mut **t)
            .await?;
            // SQLite checks a foreign key by the parent's primary key: cheap.
            (indexes, Vec::new())
        }
        Tx::Postgres(t, _) => {
            let indexes = sqlx::query_as(
                "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 WHERE x.indrelid IN ('person'::regclass, 'membership'::regclass)
                   AND NOT x.indisunique",
            )
            .fetch_all(&mut **t)
            .await?;
            let foreign_keys = sqlx::query_as(
                "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE conrelid = 'membership'::regclass AND contype = 'f'
                   AND confrelid IN ('person'::regclass, 'unit'::regclass)",
            )
            .fetch_all(&mut **t)
            .await?;
            (indexes, foreign_keys)
        }
    };
    let drops = foreign_keys
        .iter()
        .map(|(name, _)| format!("ALTER TABLE membership DROP CONSTRAINT \"{name}\""))
        .chain(
            indexes
                .iter()
                .map(|(name, _)| format!("DROP INDEX \"{name}\"")),
        );
    for sql in drops {
        with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(c).await.map(|_| ())?);
    }
    Ok(Bulk {
        indexes: indexes.into_iter().map(|(_, sql)| sql).collect(),
        foreign_keys,
    })
}

/// Builds the indexes again and re-adds the foreign keys, which checks
/// every membership row at once.
pub(super) async fn put_back(tx: &mut Tx, bulk: Bulk) -> DbResult<()> {
    let mut sql = Vec::new();
    if let Tx::Sqlite(..) = tx {
        // Sort each index's keys on a second thread as well.
        sql.push("PRAGMA threads = 2".to_string());
    }
    sql.extend(bulk.indexes);
    sql.extend(
        bulk.foreign_keys
            .into_iter()
            .map(|(name, def)| format!("ALTER TABLE membership ADD CONSTRAINT \"{name}\" {def}")),
    );
    for s in sql {
        with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(s)).execute(c).await.map(|_| ())?);
    }
    Ok(())
}

/// People already on file for these rows, from the database.
/// Two lookups, each on its own index: a join let PostgreSQL hash the whole
/// membership table once per batch while it had no statistics for it yet.
/// The second is skipped when nobody is on file (a first import).
async fn known(tx: &mut Tx, rows: &[Parsed]) -> DbResult<Known> {
    let mut out = Known::new();
    if rows.is_empty() {
        return Ok(out);
    }
    let people: Vec<(String, i64)> = match tx {
        Tx::Sqlite(t, ..) => {
            let sql = format!(
                "SELECT dedupe_key, id FROM person WHERE dedupe_key IN ({})",
                placeholders_sqlite(rows.len(), 1)
            );
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for r in rows {
                q = q.bind(r.key.as_str());
            }
            q.fetch_all(&mut **t).await?
        }
        Tx::Postgres(t, _) => {
            let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
            sqlx::query_as("SELECT dedupe_key, id FROM person WHERE dedupe_key = ANY($1)")
                .bind(keys)
                .fetch_all(&mut **t)
                .await?
        }
    };
    if people.is_empty() {
        return Ok(out);
    }
    let mut key_of: HashMap<i64, usize> = HashMap::with_capacity(people.len());
    for (i, (key, id)) in people.iter().enumerate() {
        key_of.insert(*id, i);
        out.entry(key.clone()).or_insert((*id, Vec::new()));
    }
    let ids: Vec<i64> = people.iter().map(|p| p.1).collect();
    let open: Vec<(i64, i64)> = match tx {
        Tx::Sqlite(t, ..) => {
            let sql = format!(
                "SELECT person_id, unit_id FROM membership
                 WHERE valid_to IS NULL AND person_id IN ({})",
                placeholders_sqlite(ids.len(), 1)
            );
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **t).await?
        }
        Tx::Postgres(t, _) => {
            sqlx::query_as(
                "SELECT person_id, unit_id FROM membership
                 WHERE valid_to IS NULL AND person_id = ANY($1)",
            )
            .bind(ids)
            .fetch_all(&mut **t)
            .await?
        }
    };
    for (person, unit) in open {
        if let Some(&i) = key_of.get(&person)
            && let Some(e) = out.get_mut(&people[i].0)
        {
            e.1.push(unit);
        }
    }
    Ok(out)
}

/// "(?, ?), (?, ?)": `rows` groups of `width` anonymous placeholders. Not
/// "$1": sqlx asks SQLite for the name of every parameter while binding,
/// and SQLite finds a numbered one by walking the statement's parameter
/// list, so binding a batch was quadratic in its size (62% of an import's
/// CPU time); anonymous ones have no name to look up.
fn placeholders_sqlite(rows: usize, width: usize) -> String {
    let mut s = String::with_capacity(rows * (width * 3 + 2));
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        if width > 1 {
            s.push('(');
        }
        for c in 0..width {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('?');
        }
        if width > 1 {
            s.push(')');
        }
    }
    s
}

/// Sorts rows into new people, new memberships and unchanged; a person on
/// another unit's roll is an error (a transfer is not an import).
fn classify(
    rows: Vec<Parsed>,
    known: &Known,
    report: &mut Report,
) -> (Vec<Parsed>, Vec<(i64, Parsed)>) {
    let mut fresh = Vec::new();
    let mut join = Vec::new();
    for p in rows {
        match known.get(&p.key) {
            None => fresh.push(p),
            Some((_, units)) if units.contains(&p.unit_id) => report.unchanged += 1,
            Some((id, units)) if units.is_empty() => join.push((*id, p)),
            Some(_) => report.fail(p.row, ELSEWHERE.into()),
        }
    }
    (fresh, join)
}

/// A person on another unit's roll: a transfer is not an import.
const ELSEWHERE: &str =
    "đảng viên này đang sinh hoạt ở đơn vị khác; hãy làm thủ tục chuyển sinh hoạt";

/// Who is on file for these rows: held for the whole import, or looked up.
async fn for_rows<'a>(
    tx: &mut Tx,
    on_file: &'a Option<Known>,
    rows: &[Parsed],
) -> DbResult<Cow<'a, Known>> {
    Ok(match on_file {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(known(tx, rows).await?),
    })
}

pub(super) async fn check_batch(
    tx: &mut Tx,
    on_file: &Option<Known>,
    rows: &[Parsed],
    report: &mut Report,
) -> DbResult<()> {
    let k = for_rows(tx, on_file, rows).await?;
    for p in rows {
        if let Some((_, units)) = k.get(&p.key)
            && !units.is_empty()
            && !units.contains(&p.unit_id)
        {
            report.fail(p.row, ELSEWHERE.into());
        }
    }
    Ok(())
}

pub(super) async fn write_batch(
    tx: &mut Tx,
    on_file: &Option<Known>,
    rows: Vec<Parsed>,
    report: &mut Report,
) -> DbResult<()> {
    let k = for_rows(tx, on_file, &rows).await?;
    let (fresh, mut join) = classify(rows, &k, report);
    if report.error_count > 0 {
        return Ok(());
    }
    if !fresh.is_empty() {
        let ids = insert_people(tx, &fresh).await?;
        report.new_people += fresh.len() as u64;
        join.extend(ids.into_iter().zip(fresh));
    }
    if !join.is_empty() {
        insert_memberships(tx, &join).await?;
        report.new_members += join.len() as u64;
    }
    Ok(())
}

const PERSON_COLUMNS: &str = "family_name, middle_name, given_name, name_fold, birth_date, \
    created_at, sort_key, dedupe_key, card_no, gender, phone, email, address, admitted_on, \
    official_on";

/// Inserts the people of a batch; returns their ids in the same order.
async fn insert_people(tx: &mut Tx, rows: &[Parsed]) -> DbResult<Vec<i64>> {
    let now = now_ms();
    fn by_key(rows: &[Parsed], found: Vec<(i64, String)>) -> Vec<i64> {
        let ids: HashMap<String, i64> = found.into_iter().map(|(id, k)| (k, id)).collect();
        rows.iter()
            .map(|r| ids.get(&r.key).copied().unwrap_or_default())
            .collect()
    }
    Ok(match tx {
        Tx::Sqlite(t, ..) => {
            // OR FAIL rather than the default ABORT: both stop at a bad row
            // and the import then rolls back the whole transaction, but
            // ABORT keeps a journal of each statement's pages so that it
            // alone can be undone. No NOT NULL column is ever bound a NULL.
            let sql = format!(
                "INSERT OR FAIL INTO person ({PERSON_COLUMNS}) VALUES {}",
                placeholders_sqlite(1, 15)
            );
            // A new row's id is one more than the largest in the table: so
            // the ids are `top + 1 ..= top + n`, which the last id confirms.
            let (top,): (Option<i64>,) = sqlx::query_as("SELECT max(id) FROM person")
                .fetch_one(&mut **t)
                .await?;
            let top = top.unwrap_or(0);
            let values = rows.iter().map(|r| {
                let p = &r.person;
                [
                    p.family_name.as_str().into(),
                    p.middle_name.as_str().into(),
                    p.given_name.as_str().into(),
                    r.fold.as_str().into(),
                    p.birth_date.as_deref().into(),
                    Value::Int(now),
                    r.sort_key.as_str().into(),
                    r.key.as_str().into(),
                    p.card_no.as_deref().into(),
                    p.gender.as_deref().into(),
                    p.phone.as_deref().into(),
                    p.email.as_deref().into(),
                    p.address.as_deref().into(),
                    p.admitted_on.as_deref().into(),
                    p.official_on.as_deref().into(),
                ]
            });
            let last = sqlite_rows::insert(t, &sql, values).await?;
            let n = rows.len() as i64;
            if last == top + n {
                (top + 1..=top + n).collect()
            } else {
                by_key(
                    rows,
                    sqlx::query_as("SELECT id, dedupe_key FROM person WHERE id > $1")
                        .bind(top)
                        .fetch_all(&mut **t)
                        .await?,
                )
            }
        }
        Tx::Postgres(t, _) => {
            let ids = pg_ids(t, "person", rows.len()).await?;
            let mut out = pg_copy::Rows::new();
            for (id, r) in ids.iter().zip(rows) {
                let p = &r.person;
                out.int(*id)
                    .text(&p.family_name)
                    .text(&p.middle_name)
                    .text(&p.given_name)
                    .text(&r.fold)
                    .opt(p.birth_date.as_deref())
                    .int(now)
                    .text(&r.sort_key)
                    .text(&r.key)
                    .opt(p.card_no.as_deref())
                    .opt(p.gender.as_deref())
                    .opt(p.phone.as_deref())
                    .opt(p.email.as_deref())
                    .opt(p.address.as_deref())
                    .opt(p.admitted_on.as_deref())
                    .opt(p.official_on.as_deref())
                    .end();
            }
            pg_copy::copy(t, "person", &format!("id, {PERSON_COLUMNS}"), out).await?;
            ids
        }
    })
}

/// Ids for `n` new rows of `table`, taken from its sequence as one block
/// so that rows can be copied with them (a default id per row was a third
/// of a COPY's time). Safe under the lock `on_file` takes: nobody else
/// inserts into these tables meanwhile.
async fn pg_ids(t: &mut sqlx::PgConnection, table: &str, n: usize) -> DbResult<Vec<i64>> {
    let (last,): (i64,) = sqlx::query_as(
        "SELECT setval(pg_get_serial_sequence($1, 'id'),
             nextval(pg_get_serial_sequence($1, 'id')) + $2 - 1)",
    )
    .bind(table)
    .bind(n as i64)
    .fetch_one(t)
    .await?;
    Ok((last - n as i64 + 1..=last).collect())
}

/// Opens the memberships of a batch: (person id, row).
async fn insert_memberships(tx: &mut Tx, rows: &[(i64, Parsed)]) -> DbResult<()> {
    match tx {
        Tx::Sqlite(t, ..) => {
            let values = rows.iter().map(|(id, p)| {
                [
                    Value::Int(*id),
                    Value::Int(p.unit_id),
                    p.status.into(),
                    p.since.as_str().into(),
                ]
            });
            sqlite_rows::insert(
                t,
                "INSERT INTO membership (person_id, unit_id, status, valid_from)
                 VALUES (?, ?, ?, ?)",
                values,
            )
            .await?;
        }
        Tx::Postgres(t, _) => {
            let ids = pg_ids(t, "membership", rows.len()).await?;
            let mut out = pg_copy::Rows::new();
            for (id, (person, p)) in ids.into_iter().zip(rows) {
                out.int(id)
                    .int(*person)
                    .int(p.unit_id)
                    .text(p.status)
                    .text(&p.since)
                    .end();
            }
            pg_copy::copy(
                t,
                "membership",
                "id, person_id, unit_id, status, valid_from",
                out,
            )
            .await?;
        }
    }
    // The kept roll sizes: a batch is one unit's file, mostly one unit.
    let mut per_unit: std::collections::BTreeMap<i64, i64> = Default::default();
    for (_, p) in rows {
        *per_unit.entry(p.unit_id).or_default() += 1;
    }
    for (unit, n) in per_unit {
        crate::roll::add(tx, unit, n).await?;
    }
    if let Some(last) = rows.iter().map(|(_, p)| p.since.as_str()).max() {
        crate::roll::dated(tx, last).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_placeholders() {
        assert_eq!(placeholders_sqlite(2, 2), "(?, ?), (?, ?)");
        assert_eq!(placeholders_sqlite(3, 1), "?, ?, ?");
    }
}
