//! Roll-ups per campaign and per unit of every level. Each change to an
//! obligation adds its difference to the rows of the unit and of every
//! unit above it, in the same transaction; pages read these rows only.
//! The campaign's committee is the one exception: its row holds only
//! obligations of the committee itself, and its line is that row plus its
//! direct sub-units' rows, summed when read (`board`). Every report would
//! otherwise update that one row, and on PostgreSQL hold its lock through
//! the commit's flush to disk: concurrent reports then committed one at a
//! time (787/s flat out; p99 110–300 ms at a steady 500/s).
use std::collections::HashMap;

use serde::Serialize;

use super::Campaign;
use super::figures::{HELD, PROGRAMME, REPORTED, SCHEDULED};
use crate::{Db, DbResult, Tx};

pub const COLUMNS: [&str; 14] = [
    "units",
    "scheduled",
    "held",
    "programme",
    "reported",
    "late",
    "roll",
    "in_scope",
    "present",
    "absent_excused",
    "absent_unexcused",
    "makeup",
    "non_members",
    "reflections",
];

/// One obligation's share of every column, in `COLUMNS` order.
pub type Share = [i64; 14];

/// The columns of an obligation that make up its share.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Counted {
    pub id: i64,
    pub campaign_id: i64,
    pub path: String,
    pub state: i64,
    pub late: bool,
    pub roll: i64,
    pub in_scope: i64,
    pub present: i64,
    pub absent_excused: i64,
    pub absent_unexcused: i64,
    pub makeup: i64,
    pub non_members: i64,
    pub reflections: i64,
}

pub const COUNTED: &str =
    "o.id, o.campaign_id, o.path, o.state, o.late, o.roll, o.in_scope, o.present,
    o.absent_excused, o.absent_unexcused, o.makeup, o.non_members, o.reflections";

impl Counted {
    pub fn share(&self) -> Share {
        let at = |s: i64| i64::from(self.state >= s);
        [
            1,
            at(SCHEDULED),
            at(HELD),
            at(PROGRAMME),
            at(REPORTED),
            i64::from(self.late && self.state >= REPORTED),
            self.roll,
            self.in_scope,
            self.present,
            self.absent_excused,
            self.absent_unexcused,
            self.makeup,
            self.non_members,
            self.reflections,
        ]
    }
}

fn ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

/// The units a path rolls up into, each with the one above it: from the
/// campaign's committee (`root`, its path) down. A unit that now hangs
/// under another committee (the campaign's was dissolved) still rolls up
/// into the campaign's, from its old depth down.
pub fn ancestors(path: &str, root: &str) -> Vec<(i64, Option<i64>)> {
    let root_ids = ids(root);
    let ids = ids(path);
    let Some(&root_id) = root_ids.last() else {
        return Vec::new();
    };
    let below = match ids.iter().position(|&i| i == root_id) {
        Some(p) => &ids[p + 1..],
        None => &ids[root_ids.len().min(ids.len())..],
    };
    let mut out = vec![(root_id, None)];
    let mut parent = root_id;
    for &id in below {
        out.push((id, Some(parent)));
        parent = id;
    }
    out
}

/// The kept rows a path's change goes to: its ancestors, without the
/// committee's row unless the path is the committee's own.
fn kept_for(path: &str, root: &str) -> Vec<(i64, Option<i64>)> {
    let mut a = ancestors(path, root);
    if a.len() > 1 {
        a.remove(0);
    }
    a
}

/// A share of members on the roll only.
pub fn roll_share(n: i64) -> Share {
    let mut s = [0; 14];
    s[6] = n;
    s
}

fn minus(s: Share) -> Share {
    s.map(|v| -v)
}

/// Adds `share` (negated when `sign` < 0) to the rows of every unit the
/// path rolls up into (`kept_for`). Kept in the transaction and written by
/// `flush` as it commits, so a row's lock is held from that write to the
/// commit only: written early, it also spanned the report's later
/// statements (52–140 ms at p99 on PostgreSQL at national size).
pub async fn add(
    tx: &mut Tx,
    campaign: i64,
    root: &str,
    path: &str,
    share: Share,
    sign: i64,
) -> DbResult<()> {
    let share = if sign < 0 { minus(share) } else { share };
    if share.iter().all(|v| *v == 0) {
        return Ok(());
    }
    for (u, parent) in kept_for(path, root) {
        let row = tx
            .pending()
            .0
            .entry((campaign, u))
            .or_insert((parent, [0; 14]));
        // The unit above as the last change says: a unit that moved.
        row.0 = parent;
        for (k, v) in share.iter().enumerate() {
            row.1[k] += v;
        }
    }
    Ok(())
}

/// Roll-up changes a transaction has yet to write, by (campaign, unit).
#[derive(Debug, Default)]
pub struct Pending(HashMap<(i64, i64), (Option<i64>, Share)>);

/// Writes the pending changes: one statement per campaign, its rows in
/// unit order so that two transactions always lock them in the same order.
/// `Tx::commit` calls it.
pub(crate) async fn flush(tx: &mut Tx) -> DbResult<()> {
    let mut rows: Vec<_> = std::mem::take(&mut tx.pending().0).into_iter().collect();
    rows.sort_unstable_by_key(|(key, _)| *key);
    for chunk in rows.chunk_by(|a, b| a.0.0 == b.0.0) {
        let campaign = chunk[0].0.0;
        let rows: Vec<_> = chunk.iter().map(|((_, u), (p, s))| (*u, *p, *s)).collect();
        write(tx, campaign, &rows, true).await?;
    }
    Ok(())
}

/// Drops a campaign's pending changes, for a caller that replaces its
/// rows with a recount.
pub(crate) fn forget(tx: &mut Tx, campaign: i64) {
    tx.pending().0.retain(|(c, _), _| *c != campaign);
}

/// Rows (unit, unit above, share) of one campaign, 100 to a statement
/// (16 values each: see `launch` on statement size); `merge` adds them to
/// rows already there.
async fn write(
    tx: &mut Tx,
    campaign: i64,
    rows: &[(i64, Option<i64>, Share)],
    merge: bool,
) -> DbResult<()> {
    let cols = COLUMNS.join(", ");
    let set: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = campaign_tally.{c} + excluded.{c}"))
        .collect();
    let conflict = if merge {
        format!(
            " ON CONFLICT (campaign_id, unit_id) DO UPDATE SET parent_id = excluded.parent_id, {}",
            set.join(", ")
        )
    } else {
        String::new()
    };
    for chunk in rows.chunks(100) {
        let values: Vec<String> = (0..chunk.len())
            .map(|k| {
                let base = 2 + k * 16;
                let ps: Vec<String> = (base..base + 16).map(|i| format!("${i}")).collect();
                format!("($1, {})", ps.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO campaign_tally (campaign_id, unit_id, parent_id, {cols}) VALUES {}{conflict}",
            values.join(", ")
        );
        with_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(campaign);
            for (unit, parent, share) in chunk {
                q = q.bind(*unit).bind(*parent);
                for v in share {
                    q = q.bind(*v);
                }
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// A kept row: the unit above, and the sums.
pub type Sums = HashMap<i64, (Option<i64>, Share)>;

/// Rows for a whole campaign at once (launch): summed in memory, written in batches.
pub async fn insert_all(tx: &mut Tx, campaign: i64, sums: &Sums) -> DbResult<()> {
    let rows: Vec<_> = sums.iter().map(|(u, (p, s))| (*u, *p, *s)).collect();
    write(tx, campaign, &rows, false).await
}

/// Sums shares into the rows of every unit they roll up into.
pub fn sum_into(sums: &mut Sums, root: &str, path: &str, share: &Share) {
    for (u, parent) in kept_for(path, root) {
        let row = sums.entry(u).or_insert((parent, [0; 14]));
        row.0 = parent;
        for (a, b) in row.1.iter_mut().zip(share) {
            *a += b;
        }
    }
}

/// One row of the board: a unit and what its part of the tree has done.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Line {
    pub unit_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub units: i64,
    pub scheduled: i64,
    pub held: i64,
    pub programme: i64,
    pub reported: i64,
    pub late: i64,
    pub roll: i64,
    pub in_scope: i64,
    pub present: i64,
    pub absent_excused: i64,
    pub absent_unexcused: i64,
    pub makeup: i64,
    pub non_members: i64,
    pub reflections: i64,
}

const LINE: &str = "t.unit_id, '' AS name, t.parent_id, t.units, t.scheduled, t.held, t.programme,
    t.reported, t.late, t.roll, t.in_scope, t.present, t.absent_excused, t.absent_unexcused,
    t.makeup, t.non_members, t.reflections";

impl Line {
    /// The counts, in `COLUMNS` order.
    fn counts_mut(&mut self) -> [&mut i64; 14] {
        [
            &mut self.units,
            &mut self.scheduled,
            &mut self.held,
            &mut self.programme,
            &mut self.reported,
            &mut self.late,
            &mut self.roll,
            &mut self.in_scope,
            &mut self.present,
            &mut self.absent_excused,
            &mut self.absent_unexcused,
            &mut self.makeup,
            &mut self.non_members,
            &mut self.reflections,
        ]
    }

    pub fn share(&self) -> Share {
        self.clone().counts_mut().map(|v| *v)
    }
}

/// A unit's row and its direct sub-units' rows, from the kept roll-ups
/// only: a handful of primary-key reads whatever the size of the tree. The
/// committee's line is the sum of its own row and its sub-units' rows.
pub async fn board(db: &Db, c: &Campaign, unit: i64) -> DbResult<(Option<Line>, Vec<Line>)> {
    const SQL: &str =
        "SELECT t.unit_id, u.name, t.parent_id, t.units, t.scheduled, t.held, t.programme,
            t.reported, t.late, t.roll, t.in_scope, t.present, t.absent_excused, t.absent_unexcused,
            t.makeup, t.non_members, t.reflections
        FROM campaign_tally t JOIN unit u ON u.id = t.unit_id
        WHERE t.campaign_id = $1 AND t.unit_id = $2 AND t.units > 0
        UNION ALL
        SELECT t.unit_id, u.name, t.parent_id, t.units, t.scheduled, t.held, t.programme,
            t.reported, t.late, t.roll, t.in_scope, t.present, t.absent_excused, t.absent_unexcused,
            t.makeup, t.non_members, t.reflections
        FROM campaign_tally t JOIN unit u ON u.id = t.unit_id
        WHERE t.campaign_id = $1 AND t.parent_id = $2 AND t.units > 0";
    let mut rows: Vec<Line> = crate::read::all(db, SQL, &[c.id.into(), unit.into()]).await?;
    let mut node = rows
        .iter()
        .position(|l| l.unit_id == unit)
        .map(|i| rows.swap_remove(i));
    if unit == c.unit_id {
        node = committee_line(c, node, &rows);
    }
    rows.sort_by(|a, b| {
        trienkhai_core::collate::compare_vi(&a.name, &b.name).then(a.unit_id.cmp(&b.unit_id))
    });
    Ok((node, rows))
}

/// The committee's line: its own row (obligations of the committee itself,
/// rarely any) plus its sub-units' rows.
fn committee_line(c: &Campaign, own: Option<Line>, children: &[Line]) -> Option<Line> {
    let mut line = Line {
        unit_id: c.unit_id,
        name: c.unit_name.clone(),
        parent_id: None,
        ..own.unwrap_or_default()
    };
    for l in children {
        for (a, b) in line.counts_mut().into_iter().zip(l.share()) {
            *a += b;
        }
    }
    (line.units > 0).then_some(line)
}

/// The same numbers as `board`, computed from the obligations themselves:
/// what a page would cost without the kept roll-ups. Benchmarks and tests
/// compare against it.
pub async fn board_from_rows(db: &Db, campaign: i64, unit: i64) -> DbResult<Vec<(i64, Share)>> {
    const SQL: &str = "SELECT u.id, COUNT(o.id),
            CAST(SUM(CASE WHEN o.state >= 1 THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN o.state >= 2 THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN o.state >= 3 THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN o.state >= 4 THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN o.late AND o.state >= 4 THEN 1 ELSE 0 END) AS BIGINT),
            (SELECT COUNT(*) FROM unit_version v JOIN membership m ON m.unit_id = v.unit_id
               AND m.valid_from <= c.launched_on AND (m.valid_to IS NULL OR m.valid_to >= c.launched_on)
             WHERE v.path >= u.path AND v.path < rtrim(u.path, '/') || '0' AND v.valid_to IS NULL),
            CAST(SUM(o.in_scope) AS BIGINT), CAST(SUM(o.present) AS BIGINT), CAST(SUM(o.absent_excused) AS BIGINT), CAST(SUM(o.absent_unexcused) AS BIGINT),
            CAST(SUM(o.makeup) AS BIGINT), CAST(SUM(o.non_members) AS BIGINT), CAST(SUM(o.reflections) AS BIGINT)
        FROM unit u JOIN campaign c ON c.id = $1
        JOIN obligation o ON o.campaign_id = c.id AND o.active AND o.path >= u.path AND o.path < rtrim(u.path, '/') || '0'
        WHERE u.id = $2 OR u.parent_id = $2
        GROUP BY u.id, u.path, c.launched_on";
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = with_db!(db, p => sqlx::query_as::<_, Row>(SQL)
        .bind(campaign).bind(unit).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                [
                    r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14,
                ],
            )
        })
        .collect())
}

/// Every kept row of a campaign, for comparing with `recount`; rows that
/// dropped to all zeros count as absent.
pub async fn kept(db: &Db, campaign: i64) -> DbResult<Sums> {
    let sql = format!(
        "SELECT {} FROM campaign_tally t WHERE t.campaign_id = $1",
        LINE
    );
    let rows: Vec<Line> = with_db!(db, p => sqlx::query_as::<_, Line>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(campaign).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|l| (l.unit_id, (l.parent_id, l.share())))
        .filter(|(_, s)| s.1.iter().any(|v| *v != 0))
        .collect())
}

/// The roll-ups recomputed from the active obligations.
pub async fn recount(db: &Db, campaign: i64) -> DbResult<Sums> {
    let sql = format!("SELECT {COUNTED} FROM obligation o WHERE o.campaign_id = $1 AND o.active");
    let rows: Vec<Counted> = with_db!(db, p => sqlx::query_as::<_, Counted>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(campaign).fetch_all(p).await)?;
    let (root,): (String,) = with_db!(db, p => sqlx::query_as(
        "SELECT u.path FROM campaign c JOIN unit u ON u.id = c.unit_id WHERE c.id = $1")
        .bind(campaign).fetch_one(p).await)?;
    let mut sums = Sums::new();
    for o in &rows {
        sum_into(&mut sums, &root, &o.path, &o.share());
    }
    sums.retain(|_, s| s.1.iter().any(|v| *v != 0));
    Ok(sums)
}
