//! Generated org trees with their members at three sizes, for benchmarks:
//! the "VN-NAT" data set of the performance reference (§5.2) at S = 1
//! (`nation`), one province, and a small tier for CI.
//!
//! One new root unit ("Đảng bộ toàn quốc") holds the tree: top units
//! (provinces and, at national size, the six central blocs), intermediate
//! committees (communes, wards, blocs, ministries), grassroots
//! organisations (about 60% đảng bộ cơ sở, the larger ones, and 40% chi bộ
//! cơ sở) and the chi bộ under the đảng bộ cơ sở. Grassroots sizes are
//! lognormal: at national size median 42, p99 about 1.050 (the reference's
//! p99 of 1.500 does not fit its median of 40 and mean of 5,6M / 52.000),
//! at most 8.000. Chi bộ: median 15, p99 about 85. Members sit in the chi
//! bộ where their organisation has them, else in the organisation itself.
//!
//! Deterministic: the tree and every member come from the seed (rand's
//! StdRng), and ids continue after the largest on file, so the same seed
//! gives the same data on a fresh database.
//!
//! Written in bulk, in one transaction, so that a failed run leaves
//! nothing behind: every id is chosen here, so paths are known without
//! reading anything back; SQLite gets one prepared statement stepped per
//! row and PostgreSQL gets COPY (the member import's two fast paths).
//! When the run adds at least as many people as are on file, the
//! non-unique indexes of `person` and `membership` (and, on PostgreSQL,
//! membership's foreign keys) are set aside and built once at the end.
//! Meanwhile other writers wait (SQLite's write lock; on PostgreSQL a
//! table lock), and on PostgreSQL a bulk run also holds off readers of
//! `person` and `membership` until the commit: generate before serving.
//! SQLite readers keep their snapshot throughout.
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use trienkhai_core::{
    fmt,
    name::NameOrder,
    text::{self, clean},
};

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms,
    person::{NewPerson, name_order_in},
};

// The member import's bulk paths.
use crate::member_import::{pg_copy, sqlite_rows, sqlite_rows::Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Ci,
    Province,
    Nation,
}

impl std::str::FromStr for Scale {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ci" => Ok(Scale::Ci),
            "province" => Ok(Scale::Province),
            "nation" => Ok(Scale::Nation),
            other => Err(format!(
                "quy mô \"{other}\" không có; chọn ci, province hoặc nation"
            )),
        }
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many of each level a scale has, below the one root unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Provinces and central blocs (dang_bo_tinh).
    pub top: u64,
    /// Committees above the grassroots (cap_tren_co_so).
    pub intermediate: u64,
    /// Grassroots organisations (dang_bo_co_so or chi_bo_co_so).
    pub grassroots: u64,
    /// Chi bộ under the đảng bộ cơ sở (chi_bo_truc_thuoc).
    pub cells: u64,
    pub members: u64,
}

impl Shape {
    /// Every unit the scale creates, the root included.
    pub fn units(&self) -> u64 {
        1 + self.top + self.intermediate + self.grassroots + self.cells
    }
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Ci => "ci",
            Scale::Province => "province",
            Scale::Nation => "nation",
        }
    }

    pub fn shape(self) -> Shape {
        match self {
            Scale::Ci => Shape {
                top: 2,
                intermediate: 6,
                grassroots: 60,
                cells: 150,
                members: 3_000,
            },
            Scale::Province => Shape {
                top: 1,
                intermediate: 30,
                grassroots: 1_300,
                cells: 6_700,
                members: 140_000,
            },
            // §5.2: 34 provinces and 6 central blocs, 3.321 communes and
            // about 280 blocs, 52.105 TCCS (2020), 270.046 chi bộ (2017),
            // more than 5,6 million members (2026).
            Scale::Nation => Shape {
                top: 40,
                intermediate: 3_600,
                grassroots: 52_000,
                cells: 270_000,
                members: 5_600_000,
            },
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub units: u64,
    pub members: u64,
    pub seconds: f64,
}

/// Phases reported to `phase`, in order.
pub const PHASE_UNITS: &str = "Ghi đơn vị";
pub const PHASE_MEMBERS: &str = "Ghi đảng viên";
pub const PHASE_INDEX: &str = "Lập chỉ mục";
pub const PHASE_COMMIT: &str = "Lưu vào CSDL";

/// Everything dates from here.
const SINCE: &str = "2020-01-01";
/// Rows a batch: one progress report, one COPY on PostgreSQL.
const BATCH: usize = 20_000;
/// SQLite page cache for the run's connection, KiB; building an index
/// sorts up to this much in memory (per sorting thread) before it spills
/// to temporary files. At national size 512 MiB built the indexes in 35 s
/// rather than 39,5 s, but took the run's peak memory from 0,7 to 1,4 GB.
const SQLITE_CACHE_KIB: i64 = 128 * 1024;
/// Share of grassroots organisations that are đảng bộ cơ sở.
const DANG_BO_SHARE: f64 = 0.6;

/// Creates the tree under one new national root unit and the members;
/// `phase` is called with (phase name in Vietnamese, done, total) for
/// progress. All or nothing: one transaction.
pub async fn org(
    db: &Db,
    actor: &Actor,
    scale: Scale,
    seed: u64,
    mut phase: impl FnMut(&str, u64, u64),
) -> DbResult<Stats> {
    let start = Instant::now();
    let shape = scale.shape();
    let mut tx = db.begin().await?;
    match run(&mut tx, actor, scale, shape, seed, &mut phase).await {
        Ok(()) => {
            phase(PHASE_COMMIT, 0, 1);
            tx.commit().await?;
        }
        Err(e) => {
            let _ = tx.rollback().await;
            return Err(e);
        }
    }
    crate::pool::settle(db, "unit, unit_version, person, membership").await?;
    phase(PHASE_COMMIT, 1, 1);
    Ok(Stats {
        units: shape.units(),
        members: shape.members,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The run inside its transaction.
async fn run(
    tx: &mut Tx,
    actor: &Actor,
    scale: Scale,
    shape: Shape,
    seed: u64,
    phase: &mut impl FnMut(&str, u64, u64),
) -> DbResult<()> {
    if let Tx::Postgres(t, _) = tx {
        // Ids are taken from MAX(id) + 1: nobody else inserts meanwhile
        // (readers go on). SQLite's BEGIN IMMEDIATE already holds the lock.
        sqlx::query(
            "LOCK TABLE unit, unit_version, person, membership IN SHARE ROW EXCLUSIVE MODE",
        )
        .execute(&mut **t)
        .await?;
    }
    let root_code = free_root_code(tx).await?;
    let next = Ids {
        unit: max_id(tx, "unit").await? + 1,
        version: max_id(tx, "unit_version").await? + 1,
        person: max_id(tx, "person").await? + 1,
        membership: max_id(tx, "membership").await? + 1,
    };
    let on_file = next.person - 1;
    let order = name_order_in(tx).await?;
    let tree = Tree::build(scale, shape, seed, &root_code, next.unit);
    debug_assert_eq!(tree.units.len() as u64, shape.units());
    // On a database not yet set up, the generated root is the committee,
    // as /setup would make it, so the dashboard serves it at once.
    if crate::setting::set_once_in(tx, crate::setup::INITIALIZED, &crate::now_ms().to_string())
        .await?
    {
        crate::setting::set(tx, crate::unit::TOP, &next.unit.to_string()).await?;
    }

    // Members are made on another thread while the units are written.
    let (send, mut batches) = tokio::sync::mpsc::channel::<Vec<Member>>(2);
    let holders = tree.holders();
    let (p0, m0) = (next.person, next.membership);
    let maker = tokio::task::spawn_blocking(move || {
        let mut people = People::new(seed, order);
        let mut batch = Vec::with_capacity(BATCH);
        let mut id = p0;
        for (unit_id, count, top) in holders {
            for _ in 0..count {
                batch.push(people.member(id, m0 + (id - p0), unit_id, top));
                id += 1;
                if batch.len() == BATCH
                    && send
                        .blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_err()
                {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = send.blocking_send(batch);
        }
    });

    let cache = tune(tx).await?;
    let bulk = shape.members as i64 >= on_file;
    let written = async {
        write_units(tx, &tree, next.version, phase).await?;
        let aside = if bulk {
            Some(set_aside(tx).await?)
        } else {
            None
        };
        let mut done = 0u64;
        phase(PHASE_MEMBERS, 0, shape.members);
        while let Some(b) = batches.recv().await {
            write_members(tx, &b).await?;
            done += b.len() as u64;
            phase(PHASE_MEMBERS, done, shape.members);
        }
        if done != shape.members {
            return Err(DbError::Other(anyhow::anyhow!(
                "sinh đảng viên dừng giữa chừng ({done} / {})",
                shape.members
            )));
        }
        if let Some(a) = aside {
            phase(PHASE_INDEX, 0, 1);
            put_back(tx, a).await?;
            phase(PHASE_INDEX, 1, 1);
        }
        Ok::<_, DbError>(())
    }
    .await;
    drop(batches);
    let made = maker.await;
    written?;
    made.map_err(|e| DbError::Other(anyhow::anyhow!("sinh đảng viên dừng giữa chừng: {e}")))?;
    untune(tx, cache).await?;

    if let Tx::Postgres(t, _) = tx {
        // Rows came with their ids: move the sequences past them.
        for table in ["unit", "unit_version", "person", "membership"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await?;
        }
    }
    counter::add(tx, counter::UNITS, shape.units() as i64).await?;
    counter::add(tx, counter::PERSONS, shape.members as i64).await?;
    let last_unit = next.unit + shape.units() as i64 - 1;
    crate::roll::recount_in(tx, next.unit, last_unit).await?;
    crate::roll::rebase_in(tx).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "unit",
            entity_id: Some(next.unit.to_string()),
            summary: format!(
                "Sinh dữ liệu thử quy mô {scale} (seed {seed}): {} đơn vị dưới {}, {} đảng viên",
                fmt::int(shape.units() as i64),
                root_code,
                fmt::int(shape.members as i64)
            ),
            before: None,
            after: Some(json!({
                "scale": scale.as_str(), "seed": seed, "root": root_code,
                "units": shape.units(), "members": shape.members,
            })),
        },
    )
    .await?;
    Ok(())
}

/// The first id of each table's new rows.
struct Ids {
    unit: i64,
    version: i64,
    person: i64,
    membership: i64,
}

async fn max_id(tx: &mut Tx, table: &str) -> DbResult<i64> {
    let sql = format!("SELECT MAX(id) FROM {table}");
    let (max,): (Option<i64>,) = with_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(&mut *c).await)?;
    Ok(max.unwrap_or(0))
}

/// "TQ", or "TQ2", "TQ3"… when an earlier run took it: every code of the
/// tree starts with the root's and a dash, so none can clash.
async fn free_root_code(tx: &mut Tx) -> DbResult<String> {
    for n in 1.. {
        let code = if n == 1 {
            "TQ".to_string()
        } else {
            format!("TQ{n}")
        };
        let (taken,): (i64,) = with_tx!(tx, c => sqlx::query_as(
            "SELECT COUNT(*) FROM unit WHERE code = $1 OR code LIKE $2")
            .bind(&code).bind(format!("{code}-%")).fetch_one(&mut *c).await)?;
        if taken == 0 {
            return Ok(code);
        }
    }
    unreachable!("an unbounded range ends only by returning")
}

/// Settings for the run's transaction. Returns the SQLite connection's
/// page cache size, to put back.
async fn tune(tx: &mut Tx) -> DbResult<Option<i64>> {
    match tx {
        Tx::Postgres(t, _) => {
            // Memory for sorting when the indexes are built again.
            sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
                .execute(&mut **t)
                .await?;
            Ok(None)
        }
        Tx::Sqlite(t, ..) => {
            let (was,): (i64,) = sqlx::query_as("PRAGMA cache_size")
                .fetch_one(&mut **t)
                .await?;
            let sql = format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await?;
            Ok(Some(was))
        }
    }
}

async fn untune(tx: &mut Tx, was: Option<i64>) -> DbResult<()> {
    if let (Tx::Sqlite(t, ..), Some(was)) = (tx, was) {
        let sql = format!("PRAGMA cache_size = {was}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// What `set_aside` took away, to put back.
struct Aside {
    /// CREATE INDEX statements as the catalogue has them.
    indexes: Vec<String>,
    /// (name, definition) of membership's foreign keys (PostgreSQL).
    foreign_keys: Vec<(String, String)>,
    /// SQLite's `PRAGMA threads` before the rebuild.
    threads: Option<i64>,
}

/// Drops the non-unique indexes of `person` and `membership` (and on
/// PostgreSQL membership's foreign keys to person and unit), inside the
/// transaction: a failed run rolls them back with its rows. As the member
/// import's bulk load does; unique indexes stay, they are rules.
async fn set_aside(tx: &mut Tx) -> DbResult<Aside> {
    type Named = Vec<(String, String)>;
    let (indexes, foreign_keys): (Named, Named) = match tx {
        Tx::Sqlite(t, ..) => {
            let indexes = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('person', 'membership') AND sql NOT LIKE 'CREATE UNIQUE%'",
            )
            .fetch_all(&mut **t)
            .await?;
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
    let threads = match tx {
        Tx::Sqlite(t, ..) => Some(
            sqlx::query_as::<_, (i64,)>("PRAGMA threads")
                .fetch_one(&mut **t)
                .await?
                .0,
        ),
        Tx::Postgres(..) => None,
    };
    Ok(Aside {
        indexes: indexes.into_iter().map(|(_, sql)| sql).collect(),
        foreign_keys,
        threads,
    })
}

/// Builds the indexes again and re-adds the foreign keys (which checks
/// every membership row at once).
async fn put_back(tx: &mut Tx, aside: Aside) -> DbResult<()> {
    let mut sql = Vec::new();
    if aside.threads.is_some() {
        // Sort each index's keys on a second thread as well.
        sql.push("PRAGMA threads = 2".to_string());
    }
    sql.extend(aside.indexes);
    sql.extend(
        aside
            .foreign_keys
            .into_iter()
            .map(|(name, def)| format!("ALTER TABLE membership ADD CONSTRAINT \"{name}\" {def}")),
    );
    if let Some(n) = aside.threads {
        sql.push(format!("PRAGMA threads = {n}"));
    }
    for s in sql {
        with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(s)).execute(c).await.map(|_| ())?);
    }
    Ok(())
}

async fn write_units(
    tx: &mut Tx,
    tree: &Tree,
    first_version: i64,
    phase: &mut impl FnMut(&str, u64, u64),
) -> DbResult<()> {
    let total = tree.units.len() as u64;
    let now = now_ms();
    let first = tree.first_id;
    phase(PHASE_UNITS, 0, total);
    let mut done = 0u64;
    for chunk in tree.units.chunks(BATCH) {
        let base = done as usize;
        let folds: Vec<String> = chunk.iter().map(|u| text::fold(&u.name)).collect();
        let parent = |u: &UnitRow| u.parent.map(|p| first + p as i64);
        match tx {
            Tx::Sqlite(t, ..) => {
                let rows = chunk.iter().zip(&folds).enumerate().map(|(i, (u, fold))| {
                    [
                        Value::Int(first + (base + i) as i64),
                        u.code.as_str().into(),
                        u.name.as_str().into(),
                        fold.as_str().into(),
                        u.type_code.into(),
                        parent(u).map_or(Value::Null, Value::Int),
                        SINCE.into(),
                        u.path.as_str().into(),
                        Value::Int(now),
                    ]
                });
                sqlite_rows::insert(
                    t,
                    "INSERT OR FAIL INTO unit (id, code, name, name_fold, type_code, parent_id,
                         valid_from, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                .await?;
                let rows = chunk.iter().enumerate().map(|(i, u)| {
                    let n = (base + i) as i64;
                    [
                        Value::Int(first_version + n),
                        Value::Int(first + n),
                        u.name.as_str().into(),
                        parent(u).map_or(Value::Null, Value::Int),
                        u.path.as_str().into(),
                        SINCE.into(),
                    ]
                });
                sqlite_rows::insert(
                    t,
                    "INSERT OR FAIL INTO unit_version (id, unit_id, name, parent_id, path, valid_from)
                     VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
                .await?;
            }
            Tx::Postgres(t, _) => {
                let mut units = pg_copy::Rows::new();
                let mut versions = pg_copy::Rows::new();
                for (i, (u, fold)) in chunk.iter().zip(&folds).enumerate() {
                    let n = (base + i) as i64;
                    let parent = parent(u).map(|p| p.to_string());
                    units
                        .int(first + n)
                        .text(&u.code)
                        .text(&u.name)
                        .text(fold)
                        .text(u.type_code)
                        .opt(parent.as_deref())
                        .text(SINCE)
                        .text(&u.path)
                        .int(now)
                        .end();
                    versions
                        .int(first_version + n)
                        .int(first + n)
                        .text(&u.name)
                        .opt(parent.as_deref())
                        .text(&u.path)
                        .text(SINCE)
                        .end();
                }
                pg_copy::copy(
                    t,
                    "unit",
                    "id, code, name, name_fold, type_code, parent_id, valid_from, path, created_at",
                    units,
                )
                .await?;
                pg_copy::copy(
                    t,
                    "unit_version",
                    "id, unit_id, name, parent_id, path, valid_from",
                    versions,
                )
                .await?;
            }
        }
        done += chunk.len() as u64;
        phase(PHASE_UNITS, done, total);
    }
    Ok(())
}

const PERSON_COLUMNS: &str = "id, family_name, middle_name, given_name, name_fold, birth_date, \
    created_at, sort_key, dedupe_key, card_no, gender, admitted_on, official_on";
const MEMBERSHIP_COLUMNS: &str = "id, person_id, unit_id, status, valid_from";

async fn write_members(tx: &mut Tx, batch: &[Member]) -> DbResult<()> {
    let now = now_ms();
    match tx {
        Tx::Sqlite(t, ..) => {
            let sql = format!(
                "INSERT OR FAIL INTO person ({PERSON_COLUMNS})
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            );
            let rows = batch.iter().map(|m| {
                [
                    Value::Int(m.id),
                    m.family.as_str().into(),
                    m.middle.as_str().into(),
                    m.given.as_str().into(),
                    m.fold.as_str().into(),
                    m.birth.as_str().into(),
                    Value::Int(now),
                    m.sort_key.as_str().into(),
                    m.key.as_str().into(),
                    m.card.as_str().into(),
                    m.gender.into(),
                    m.admitted.as_str().into(),
                    m.official.as_deref().into(),
                ]
            });
            sqlite_rows::insert(t, &sql, rows).await?;
            let sql = format!(
                "INSERT OR FAIL INTO membership ({MEMBERSHIP_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
            );
            let rows = batch.iter().map(|m| {
                [
                    Value::Int(m.membership_id),
                    Value::Int(m.id),
                    Value::Int(m.unit_id),
                    m.status.into(),
                    SINCE.into(),
                ]
            });
            sqlite_rows::insert(t, &sql, rows).await?;
        }
        Tx::Postgres(t, _) => {
            let mut people = pg_copy::Rows::new();
            let mut members = pg_copy::Rows::new();
            for m in batch {
                people
                    .int(m.id)
                    .text(&m.family)
                    .text(&m.middle)
                    .text(&m.given)
                    .text(&m.fold)
                    .text(&m.birth)
                    .int(now)
                    .text(&m.sort_key)
                    .text(&m.key)
                    .text(&m.card)
                    .text(m.gender)
                    .text(&m.admitted)
                    .opt(m.official.as_deref())
                    .end();
                members
                    .int(m.membership_id)
                    .int(m.id)
                    .int(m.unit_id)
                    .text(m.status)
                    .text(SINCE)
                    .end();
            }
            pg_copy::copy(t, "person", PERSON_COLUMNS, people).await?;
            pg_copy::copy(t, "membership", MEMBERSHIP_COLUMNS, members).await?;
        }
    }
    Ok(())
}

// ── The tree ─────────────────────────────────────────────────────────────

/// What a unit is, which decides the names below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Root,
    /// A province (false) or a centrally run city (true).
    Province(bool),
    /// One of the central blocs: index into `CENTRAL`.
    Central(usize),
    /// Commune (xã) or ward (phường): its place name is in the unit name.
    Commune,
    Ward,
    /// A provincial bloc committee or a central body: agencies below.
    Agency,
    /// An armed-forces or police committee: numbered units below.
    Armed,
    // Grassroots kinds, which decide the names of their chi bộ.
    Village,
    School,
    Health,
    Enterprise,
    Cooperative,
    Office,
    Troop,
    /// A chi bộ trực thuộc.
    Cell,
}

struct UnitRow {
    code: String,
    name: String,
    type_code: &'static str,
    /// Index of the parent in `Tree::units`.
    parent: Option<usize>,
    path: String,
    kind: Kind,
    /// Position of the top unit above (1-based; 0 for the root).
    top: u16,
    /// Members attached to this unit itself.
    members: u64,
    /// The place a commune or ward is named after.
    place: Option<String>,
    /// What villages are called in this part of the country.
    village: &'static str,
}

struct Tree {
    first_id: i64,
    /// Parents before children; ids are `first_id + index`.
    units: Vec<UnitRow>,
}

/// `weights` shared out as `total` whole parts, `min` each at least (as far
/// as the total allows); cumulative rounding makes the parts add up.
fn apportion(total: u64, weights: &[f64], min: u64) -> Vec<u64> {
    let n = weights.len() as u64;
    if n == 0 {
        return Vec::new();
    }
    let min = min.min(total / n);
    let rest = total - min * n;
    let sum: f64 = weights.iter().sum();
    let mut out = Vec::with_capacity(weights.len());
    let (mut acc, mut given) = (0.0, 0u64);
    for w in weights {
        acc += w;
        let upto = if sum > 0.0 {
            ((acc / sum) * rest as f64).round() as u64
        } else {
            0
        };
        let upto = upto.clamp(given, rest);
        out.push(min + upto - given);
        given = upto;
    }
    if let Some(last) = out.last_mut() {
        *last += rest - given;
    }
    out
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn lognormal(rng: &mut StdRng, sigma: f64) -> f64 {
    (sigma * normal(rng)).exp()
}

fn pick<'a>(rng: &mut StdRng, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

/// Grassroots sizes: lognormal with the national median of 40 members;
/// the spread makes the mean the national 5,6M / 52.000 ≈ 108. Capped at
/// the largest organisation's 8.000.
const SIZE_MEDIAN: f64 = 40.0;
const SIZE_SIGMA: f64 = 1.41;
const SIZE_MAX: f64 = 8_000.0;
/// Spread of the typical chi bộ size between đảng bộ cơ sở.
const ORG_CELL_SIGMA: f64 = 0.5;
/// Spread of chi bộ sizes within a đảng bộ cơ sở.
const CELL_SIGMA: f64 = 0.7;

impl Tree {
    fn build(scale: Scale, shape: Shape, seed: u64, root_code: &str, first_id: i64) -> Tree {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x7265_655f_7472_6565);
        let mut units = Vec::with_capacity(shape.units() as usize);
        units.push(UnitRow {
            code: root_code.to_string(),
            name: "Đảng bộ toàn quốc".into(),
            type_code: "dang_bo_tinh",
            parent: None,
            path: format!("/{first_id}/"),
            kind: Kind::Root,
            top: 0,
            members: 0,
            place: None,
            village: "thôn",
        });
        let mut t = Tree { first_id, units };

        // Top units: at national size every province and central bloc, else
        // provinces chosen by the seed.
        let tops: Vec<(String, Kind, f64)> = match scale {
            Scale::Nation => PROVINCES
                .iter()
                .map(|p| (p.0.to_string(), Kind::Province(p.1), p.2 as f64))
                .chain(
                    CENTRAL
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c.0.to_string(), Kind::Central(i), c.1.len() as f64)),
                )
                .take(shape.top as usize)
                .collect(),
            _ => {
                let from = rng.random_range(0..PROVINCES.len());
                (0..shape.top as usize)
                    .map(|i| {
                        let p = PROVINCES[(from + i) % PROVINCES.len()];
                        (p.0.to_string(), Kind::Province(p.1), p.2 as f64)
                    })
                    .collect()
            }
        };
        let top_ix: Vec<usize> = tops
            .iter()
            .enumerate()
            .map(|(i, (place, kind, _))| {
                let name = match kind {
                    Kind::Province(true) => format!("Đảng bộ thành phố {place}"),
                    Kind::Province(false) => format!("Đảng bộ tỉnh {place}"),
                    _ => format!("Đảng bộ {place}"),
                };
                let code = format!("{root_code}-{:02}", i + 1);
                t.push(
                    0,
                    code,
                    name,
                    "dang_bo_tinh",
                    *kind,
                    (i + 1) as u16,
                    Some(place.clone()),
                )
            })
            .collect();

        // Intermediate committees: a central bloc gets its listed bodies
        // (scaled), the provinces share the rest by their commune counts.
        let central: Vec<u64> = tops
            .iter()
            .map(|(_, k, w)| match k {
                Kind::Central(_) => ((*w as u64 * shape.intermediate) / 3_600).clamp(1, *w as u64),
                _ => 0,
            })
            .collect();
        let provinces: Vec<usize> = (0..tops.len())
            .filter(|&i| matches!(tops[i].1, Kind::Province(_)))
            .collect();
        let weights: Vec<f64> = provinces
            .iter()
            .map(|&i| tops[i].2 * lognormal(&mut rng, 0.1))
            .collect();
        let central_total: u64 = central.iter().sum();
        let mut counts = central;
        let shares = apportion(
            shape.intermediate.saturating_sub(central_total),
            &weights,
            1,
        );
        for (&i, n) in provinces.iter().zip(shares) {
            counts[i] = n;
        }
        let mut inter_ix = Vec::with_capacity(shape.intermediate as usize);
        for (i, &top) in top_ix.iter().enumerate() {
            let count = counts[i];
            let names = intermediate_names(&mut rng, &t.units[top], count as usize);
            let width = digits(count);
            for (k, (name, kind, place)) in names.into_iter().enumerate() {
                let code = format!("{}-{:0width$}", t.units[top].code, k + 1);
                let top_no = t.units[top].top;
                inter_ix.push(t.push(top, code, name, "cap_tren_co_so", kind, top_no, place));
            }
        }

        // Grassroots organisations: how many under each committee, their
        // sizes, and which are đảng bộ cơ sở (the larger 60%).
        let weights: Vec<f64> = inter_ix
            .iter()
            .map(|&i| {
                let f = match t.units[i].kind {
                    Kind::Agency | Kind::Armed => 2.5,
                    _ => 1.0,
                };
                f * lognormal(&mut rng, 0.5)
            })
            .collect();
        let per_inter = apportion(shape.grassroots, &weights, 1);
        let raw: Vec<f64> = (0..shape.grassroots)
            .map(|_| (SIZE_MEDIAN * lognormal(&mut rng, SIZE_SIGMA)).clamp(3.0, SIZE_MAX))
            .collect();
        let sizes = apportion(shape.members, &raw, 3);
        let mut by_size: Vec<usize> = (0..sizes.len()).collect();
        by_size.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
        let dang_bo_count = (shape.grassroots as f64 * DANG_BO_SHARE).round() as usize;
        let mut is_dang_bo = vec![false; sizes.len()];
        for &i in &by_size[..dang_bo_count.min(sizes.len())] {
            is_dang_bo[i] = true;
        }
        let mut grass_ix = Vec::with_capacity(shape.grassroots as usize);
        let mut g = 0usize;
        for (&inter, &count) in inter_ix.iter().zip(&per_inter) {
            let mut used = HashSet::new();
            let width = digits(count);
            for k in 0..count as usize {
                let dang_bo = is_dang_bo[g];
                let (name, kind) =
                    grassroots_name(&mut rng, &t.units[inter], dang_bo, sizes[g], &mut used);
                let code = format!("{}-{:0width$}", t.units[inter].code, k + 1);
                let type_code = if dang_bo {
                    "dang_bo_co_so"
                } else {
                    "chi_bo_co_so"
                };
                let top_no = t.units[inter].top;
                let ix = t.push(inter, code, name, type_code, kind, top_no, None);
                t.units[ix].members = sizes[g];
                grass_ix.push(ix);
                g += 1;
            }
        }

        // Chi bộ under the đảng bộ cơ sở, in proportion to their members;
        // at least two each (a đảng bộ has several), as the total allows.
        let dang_bo: Vec<usize> = grass_ix
            .iter()
            .copied()
            .filter(|&i| t.units[i].type_code == "dang_bo_co_so")
            .collect();
        let weights: Vec<f64> = dang_bo
            .iter()
            .map(|&i| t.units[i].members as f64 / lognormal(&mut rng, ORG_CELL_SIGMA))
            .collect();
        let cells = apportion(shape.cells, &weights, 2);
        for (&parent, &count) in dang_bo.iter().zip(&cells) {
            if count == 0 {
                continue;
            }
            let members = t.units[parent].members;
            let weights: Vec<f64> = (0..count)
                .map(|_| lognormal(&mut rng, CELL_SIGMA))
                .collect();
            let split = apportion(members, &weights, 3);
            t.units[parent].members = 0;
            let width = digits(count);
            let kind = t.units[parent].kind;
            for (k, m) in split.into_iter().enumerate() {
                let code = format!("{}-{:0width$}", t.units[parent].code, k + 1);
                let name = cell_name(kind, k);
                let top_no = t.units[parent].top;
                let ix = t.push(
                    parent,
                    code,
                    name,
                    "chi_bo_truc_thuoc",
                    Kind::Cell,
                    top_no,
                    None,
                );
                t.units[ix].members = m;
            }
        }
        t
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        parent: usize,
        code: String,
        name: String,
        type_code: &'static str,
        kind: Kind,
        top: u16,
        place: Option<String>,
    ) -> usize {
        let ix = self.units.len();
        let path = format!("{}{}/", self.units[parent].path, self.first_id + ix as i64);
        let village = match (kind, place.as_deref()) {
            (Kind::Province(_), Some(p)) => village_word(p),
            _ => self.units[parent].village,
        };
        self.units.push(UnitRow {
            code,
            name: clean(&name),
            type_code,
            parent: Some(parent),
            path,
            kind,
            top,
            members: 0,
            place,
            village,
        });
        ix
    }

    /// (unit id, members, top unit number) of every unit that holds members.
    fn holders(&self) -> Vec<(i64, u64, u16)> {
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.members > 0)
            .map(|(i, u)| (self.first_id + i as i64, u.members, u.top))
            .collect()
    }
}

/// "ấp" in the South, "bản" in the northern mountains, else "thôn".
fn village_word(province: &str) -> &'static str {
    const SOUTH: [&str; 8] = [
        "Hồ Chí Minh",
        "Cần Thơ",
        "Đồng Nai",
        "Tây Ninh",
        "Vĩnh Long",
        "Đồng Tháp",
        "Cà Mau",
        "An Giang",
    ];
    const MOUNTAINS: [&str; 7] = [
        "Lai Châu",
        "Điện Biên",
        "Sơn La",
        "Lạng Sơn",
        "Cao Bằng",
        "Tuyên Quang",
        "Lào Cai",
    ];
    if SOUTH.contains(&province) {
        "ấp"
    } else if MOUNTAINS.contains(&province) {
        "bản"
    } else {
        "thôn"
    }
}

/// Digits of the largest sibling number, two at least.
fn digits(count: u64) -> usize {
    count.max(1).to_string().len().max(2)
}

/// Names of `count` committees under a top unit: (name, kind, place).
fn intermediate_names(
    rng: &mut StdRng,
    top: &UnitRow,
    count: usize,
) -> Vec<(String, Kind, Option<String>)> {
    let mut out = Vec::with_capacity(count);
    match top.kind {
        Kind::Central(c) => {
            let list = CENTRAL[c].1;
            let armed = c >= 4;
            for k in 0..count {
                let name = match list.get(k) {
                    Some(body) => format!("Đảng bộ {body}"),
                    None => format!("Đảng bộ {} {}", list[k % list.len()], k / list.len() + 1),
                };
                out.push((name, if armed { Kind::Armed } else { Kind::Agency }, None));
            }
        }
        _ => {
            let place = top.place.as_deref().unwrap_or_default();
            let city = top.kind == Kind::Province(true);
            let level = if city { "thành phố" } else { "tỉnh" };
            // The bloc committees of a province, when it has room for them.
            let blocs = (count / 10).min(4);
            let bloc_names = [
                (
                    format!("Đảng bộ các cơ quan Đảng {level} {place}"),
                    Kind::Agency,
                ),
                (
                    format!("Đảng bộ Ủy ban nhân dân {level} {place}"),
                    Kind::Agency,
                ),
                (format!("Đảng bộ Quân sự {level} {place}"), Kind::Armed),
                (format!("Đảng bộ Công an {level} {place}"), Kind::Armed),
            ];
            for (name, kind) in bloc_names.into_iter().take(blocs) {
                out.push((name, kind, None));
            }
            // Communes and wards, each named after a place once.
            let mut places: Vec<String> = PLACE_A
                .iter()
                .flat_map(|a| {
                    PLACE_B
                        .iter()
                        .filter(move |b| *b != a)
                        .map(move |b| format!("{a} {b}"))
                })
                .collect();
            let need = count - out.len();
            for k in 0..need {
                // A partial shuffle: the first `need` places, drawn without repeats.
                if k < places.len() {
                    let j = rng.random_range(k..places.len());
                    places.swap(k, j);
                }
                let ward = rng.random_bool(if city { 0.6 } else { 0.15 });
                let p = if k < places.len() {
                    places[k].clone()
                } else {
                    format!("{} {}", places[k % places.len()], k / places.len() + 1)
                };
                let (name, kind) = if ward {
                    (format!("Đảng bộ phường {p}"), Kind::Ward)
                } else {
                    (format!("Đảng bộ xã {p}"), Kind::Commune)
                };
                out.push((name, kind, Some(p)));
            }
        }
    }
    out
}

/// A grassroots organisation's name under `parent`, unique among its
/// siblings (a repeat gets a number, as "Trường Tiểu học Hòa Bình 2").
/// What it is follows its size: a few hundred members and more are a
/// corporation, a hospital or a university, not a village or a school.
fn grassroots_name(
    rng: &mut StdRng,
    parent: &UnitRow,
    dang_bo: bool,
    size: u64,
    used: &mut HashSet<String>,
) -> (String, Kind) {
    const LARGE: u64 = 400;
    let head = if dang_bo { "Đảng bộ" } else { "Chi bộ" };
    let local = parent.place.clone();
    let place = |rng: &mut StdRng| -> String {
        match &local {
            Some(p) if rng.random_bool(0.5) => p.clone(),
            _ => format!("{} {}", pick(rng, &PLACE_A), pick(rng, &PLACE_B)),
        }
    };
    let (body, kind) = match parent.kind {
        Kind::Commune | Kind::Ward => {
            let ward = parent.kind == Kind::Ward;
            let seat = format!(
                "{} {}",
                if ward { "phường" } else { "xã" },
                local.as_deref().unwrap_or_default()
            );
            let roll = rng.random_range(0..100);
            if size > LARGE {
                let p = place(rng);
                large(rng, roll, p)
            } else if dang_bo {
                match roll {
                    0..35 => (
                        format!(
                            "Công ty {} {} {}",
                            pick(rng, &COMPANY_FORM),
                            pick(rng, &INDUSTRY),
                            place(rng)
                        ),
                        Kind::Enterprise,
                    ),
                    35..50 => (
                        format!("Trường THPT {}", pick(rng, &NOTABLES)),
                        Kind::School,
                    ),
                    50..60 => (
                        format!("{} {}", pick(rng, &HOSPITAL), place(rng)),
                        Kind::Health,
                    ),
                    60..78 => (format!("{} {seat}", pick(rng, &LOCAL_OFFICE)), Kind::Office),
                    78..88 => (
                        if ward {
                            format!("khu phố {}", rng.random_range(1..30))
                        } else {
                            format!("{} {}", parent.village, place(rng))
                        },
                        Kind::Village,
                    ),
                    _ => (format!("Quân sự {seat}"), Kind::Troop),
                }
            } else {
                match roll {
                    0..40 => (
                        if ward {
                            format!("tổ dân phố {}", rng.random_range(1..40))
                        } else {
                            format!("{} {}", parent.village, place(rng))
                        },
                        Kind::Village,
                    ),
                    40..65 => (
                        format!("Trường {} {}", pick(rng, &SCHOOL), place(rng)),
                        Kind::School,
                    ),
                    65..73 => (format!("Trạm Y tế {seat}"), Kind::Health),
                    73..80 => (
                        format!("Hợp tác xã {} {}", pick(rng, &COOPERATIVE), place(rng)),
                        Kind::Cooperative,
                    ),
                    80..92 => (
                        format!("Công ty TNHH {} {}", pick(rng, &INDUSTRY), place(rng)),
                        Kind::Enterprise,
                    ),
                    _ => (format!("Công an {seat}"), Kind::Troop),
                }
            }
        }
        Kind::Armed => {
            let n = rng.random_range(1..200);
            let kind = if dang_bo { &TROOP } else { &SQUAD };
            (format!("{} {n}", pick(rng, kind)), Kind::Troop)
        }
        _ if size > LARGE => {
            let roll = rng.random_range(0..100);
            let p = place(rng);
            large(rng, roll, p)
        }
        _ => {
            let roll = rng.random_range(0..100);
            match roll {
                0..70 => (
                    format!("{} {}", pick(rng, &AGENCY), pick(rng, &FIELD)),
                    Kind::Office,
                ),
                70..85 => (
                    format!("Trường {} {}", pick(rng, &ACADEMY), pick(rng, &FIELD)),
                    Kind::School,
                ),
                _ => (
                    format!("Tổng công ty {} {}", pick(rng, &INDUSTRY), place(rng)),
                    Kind::Enterprise,
                ),
            }
        }
    };
    let mut name = format!("{head} {body}");
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{head} {body} {n}");
        n += 1;
    }
    (name, kind)
}

/// A large organisation: a corporation, a hospital or a university.
fn large(rng: &mut StdRng, roll: i32, place: String) -> (String, Kind) {
    match roll {
        0..60 => (
            format!(
                "{} {} {place}",
                pick(rng, &["Tổng công ty", "Công ty Cổ phần"]),
                pick(rng, &INDUSTRY)
            ),
            Kind::Enterprise,
        ),
        60..80 => (format!("Bệnh viện Đa khoa {place}"), Kind::Health),
        _ => (
            format!(
                "Trường {} {}",
                pick(rng, &["Đại học", "Cao đẳng"]),
                pick(rng, &FIELD)
            ),
            Kind::School,
        ),
    }
}

/// The `k`th chi bộ of an organisation of `kind`: its named sections first,
/// then numbered ones.
fn cell_name(kind: Kind, k: usize) -> String {
    let (named, numbered): (&[&str], &str) = match kind {
        Kind::Village => (&["Hưu trí"], "xóm"),
        Kind::School => (
            &[
                "Tổ Toán - Tin",
                "Tổ Ngữ văn",
                "Tổ Ngoại ngữ",
                "Tổ Khoa học tự nhiên",
                "Tổ Khoa học xã hội",
                "Văn phòng",
            ],
            "Khối",
        ),
        Kind::Health => (
            &[
                "Khoa Nội",
                "Khoa Ngoại",
                "Khoa Nhi",
                "Khoa Sản",
                "Khoa Hồi sức cấp cứu",
                "Khoa Khám bệnh",
                "Khoa Xét nghiệm",
                "Khoa Chẩn đoán hình ảnh",
                "Khoa Dược",
                "Phòng Kế hoạch tổng hợp",
                "Phòng Điều dưỡng",
            ],
            "Khoa lâm sàng",
        ),
        Kind::Enterprise | Kind::Cooperative => (
            &[
                "Phòng Tổ chức - Hành chính",
                "Phòng Kế toán",
                "Phòng Kinh doanh",
                "Phòng Kỹ thuật",
            ],
            "Phân xưởng",
        ),
        Kind::Troop => (&["Chỉ huy"], "Đội"),
        _ => (
            &[
                "Văn phòng",
                "Phòng Tổ chức cán bộ",
                "Phòng Kế hoạch - Tài chính",
                "Thanh tra",
                "Phòng Pháp chế",
            ],
            "Phòng",
        ),
    };
    match named.get(k) {
        Some(s) => format!("Chi bộ {s}"),
        None => format!("Chi bộ {numbered} {}", k - named.len() + 1),
    }
}

// ── Members ──────────────────────────────────────────────────────────────

struct Member {
    id: i64,
    membership_id: i64,
    unit_id: i64,
    family: String,
    middle: String,
    given: String,
    fold: String,
    birth: String,
    sort_key: String,
    key: String,
    card: String,
    gender: &'static str,
    admitted: String,
    official: Option<String>,
    status: &'static str,
}

/// Draws from weighted lists: cumulative weights, one binary search.
struct Weighted {
    items: Vec<&'static str>,
    cumulative: Vec<u32>,
}

impl Weighted {
    fn new(list: &[(&'static str, u32)]) -> Self {
        let mut total = 0;
        let cumulative = list
            .iter()
            .map(|(_, w)| {
                total += w;
                total
            })
            .collect();
        Weighted {
            items: list.iter().map(|(s, _)| *s).collect(),
            cumulative,
        }
    }

    fn draw(&self, rng: &mut StdRng) -> &'static str {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let r = rng.random_range(0..total);
        self.items[self.cumulative.partition_point(|&c| c <= r)]
    }
}

struct People {
    rng: StdRng,
    order: NameOrder,
    family: Weighted,
    middle: [Weighted; 2],
    given: [Weighted; 2],
    keys: NameKeys,
}

/// A name's `name_fold` and its sort key up to the birth date, by the
/// (họ, tên đệm, tên) drawn from the lists. Millions of members share a
/// few thousand names, and the keys (normalising, ICU collation) were the
/// larger part of making a member. Each is computed once, by
/// `NewPerson::sort_key` and `text::fold` themselves; `sort_key` ends with
/// the birth date, which is what varies. Every 1024th member (the first
/// included) is also computed directly; should they ever differ, every
/// member from then on is.
#[derive(Default)]
struct NameKeys {
    known: HashMap<(&'static str, &'static str, &'static str), (String, String)>,
    made: u64,
    off: bool,
}

impl NameKeys {
    /// (`name_fold`, `sort_key`) of `p`, whose name parts are `parts`
    /// cleaned.
    fn of(
        &mut self,
        parts: (&'static str, &'static str, &'static str),
        p: &NewPerson,
        order: NameOrder,
    ) -> (String, String) {
        let direct = || (text::fold(&p.full_name()), p.sort_key(order));
        let birth = p.birth_date.as_deref().unwrap_or_default();
        let check = self.made.is_multiple_of(1024);
        self.made += 1;
        if self.off {
            return direct();
        }
        let (fold, head) = self.known.entry(parts).or_insert_with(|| {
            let (fold, key) = direct();
            let head = key.strip_suffix(birth).unwrap_or_default().to_string();
            (fold, head)
        });
        let out = (fold.clone(), format!("{head}{birth}"));
        if check && out != direct() {
            self.off = true;
            return direct();
        }
        out
    }
}

/// Share of names that arrive decomposed (NFD), as macOS and some input
/// methods send them, per mille.
const NFD_PER_MILLE: u32 = 10;

impl People {
    fn new(seed: u64, order: NameOrder) -> Self {
        People {
            rng: StdRng::seed_from_u64(seed ^ 0x7065_6f70_6c65_2121),
            order,
            family: Weighted::new(&FAMILY),
            middle: [Weighted::new(&MIDDLE_MALE), Weighted::new(&MIDDLE_FEMALE)],
            given: [Weighted::new(&GIVEN_MALE), Weighted::new(&GIVEN_FEMALE)],
            keys: NameKeys::default(),
        }
    }

    fn member(&mut self, id: i64, membership_id: i64, unit_id: i64, top: u16) -> Member {
        let r = &mut self.rng;
        // About a third of members are women.
        let female = r.random_range(0..100) < 36;
        let g = female as usize;
        let mut family = self.family.draw(r);
        if family == "Tôn Nữ" && !female {
            family = "Tôn Thất";
        }
        let (middle, given) = (self.middle[g].draw(r), self.given[g].draw(r));
        let parts = (family, middle, given);
        // The normal path for a name: whatever form it arrives in, `clean`
        // stores NFC (as person::create_in and the import do).
        let nfd_input = r.random_range(0..1000) < NFD_PER_MILLE;
        let raw = |s: &str| if nfd_input { nfd(s) } else { s.to_string() };
        let (family, middle, given) =
            (clean(&raw(family)), clean(&raw(middle)), clean(&raw(given)));
        // Admitted in 2019, so still probationary on 01/01/2020: about one
        // in thirty, young. The others are 20 to about 85, most in middle
        // age, admitted from 18 on.
        let probationary = r.random_range(0..1000) < 35;
        let age = if probationary {
            r.random_range(19..=40u32)
        } else {
            20 + (0..3).map(|_| r.random_range(0..=22u32)).sum::<u32>()
        };
        let birth = day(r, 2020 - age as i32);
        let (admitted, official) = if probationary {
            (day(r, 2019), None)
        } else {
            let born = 2020 - age as i32;
            let from = (born + 18 + 1).min(2018);
            let to = (born + 18 + 25).clamp(from, 2018);
            let year = r.random_range(from..=to);
            let admitted = day(r, year);
            let official = format!("{}{}", year + 1, &admitted[4..]);
            let official = if official.ends_with("-02-29") {
                format!("{}-03-01", year + 1)
            } else {
                official
            };
            (admitted, Some(official))
        };
        let person = NewPerson {
            family_name: family,
            middle_name: middle,
            given_name: given,
            birth_date: Some(birth),
            gender: Some(if female { "Nữ" } else { "Nam" }.into()),
            card_no: Some(format!("{top:02}{id:08}")),
            ..Default::default()
        };
        let (fold, sort_key) = self.keys.of(parts, &person, self.order);
        let key = person.dedupe_key();
        let NewPerson {
            family_name,
            middle_name,
            given_name,
            birth_date,
            card_no,
            ..
        } = person;
        Member {
            id,
            membership_id,
            unit_id,
            family: family_name,
            middle: middle_name,
            given: given_name,
            fold,
            birth: birth_date.unwrap_or_default(),
            sort_key,
            key,
            card: card_no.unwrap_or_default(),
            gender: if female { "Nữ" } else { "Nam" },
            admitted,
            official,
            status: if probationary {
                "probationary"
            } else {
                "official"
            },
        }
    }
}

/// A day of `year` as ISO text.
fn day(rng: &mut StdRng, year: i32) -> String {
    let days: u16 = if time::util::is_leap_year(year) {
        366
    } else {
        365
    };
    let n = rng.random_range(1..=days);
    time::Date::from_ordinal_date(year, n).map_or_else(|_| format!("{year}-01-01"), fmt::iso)
}

/// Vietnamese letters with their marks, one row per base letter: the
/// plain letter, then with huyền, sắc, hỏi, ngã, nặng.
const VOWELS: [(&str, &str); 12] = [
    ("aàáảãạ", "a"),
    ("ăằắẳẵặ", "a\u{306}"),
    ("âầấẩẫậ", "a\u{302}"),
    ("eèéẻẽẹ", "e"),
    ("êềếểễệ", "e\u{302}"),
    ("iìíỉĩị", "i"),
    ("oòóỏõọ", "o"),
    ("ôồốổỗộ", "o\u{302}"),
    ("ơờớởỡợ", "o\u{31b}"),
    ("uùúủũụ", "u"),
    ("ưừứửữự", "u\u{31b}"),
    ("yỳýỷỹỵ", "y"),
];
const TONE_MARKS: [char; 6] = ['\0', '\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'];

/// Canonical combining class of the marks Vietnamese uses.
fn combining_class(c: char) -> u8 {
    match c {
        '\u{31b}' => 216,
        '\u{323}' => 220,
        _ => 230,
    }
}

/// Vietnamese text in Unicode NFD (base letter, then its marks in
/// canonical order): how generated names arrive decomposed. Other
/// characters are kept as they are.
pub fn nfd(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let found = VOWELS.iter().find_map(|(row, base)| {
            row.chars()
                .position(|x| x == lower)
                .map(|tone| (*base, TONE_MARKS[tone]))
        });
        let Some((base, tone)) = found else {
            out.push(c);
            continue;
        };
        if tone == '\0' && base.chars().count() == 1 {
            out.push(c);
            continue;
        }
        let mut chars = base.chars();
        let letter = chars.next().unwrap_or(lower);
        if c.is_uppercase() {
            out.extend(letter.to_uppercase());
        } else {
            out.push(letter);
        }
        let mut marks: Vec<char> = chars.collect();
        if tone != '\0' {
            marks.push(tone);
        }
        marks.sort_by_key(|&m| combining_class(m));
        out.extend(marks);
    }
    out
}

// ── Word lists ───────────────────────────────────────────────────────────

/// The 34 provinces and centrally run cities since July 2025 (Decision
/// 341-QĐ/TW): (name, is a city, commune-level units, roughly).
const PROVINCES: [(&str, bool, u32); 34] = [
    ("Thanh Hóa", false, 166),
    ("Hà Nội", true, 126),
    ("Hồ Chí Minh", true, 168),
    ("Nghệ An", false, 130),
    ("Phú Thọ", false, 148),
    ("Gia Lai", false, 135),
    ("Ninh Bình", false, 129),
    ("Tuyên Quang", false, 124),
    ("Lâm Đồng", false, 124),
    ("Vĩnh Long", false, 124),
    ("Hải Phòng", true, 114),
    ("Hưng Yên", false, 104),
    ("Cần Thơ", true, 103),
    ("Đắk Lắk", false, 102),
    ("Đồng Tháp", false, 102),
    ("An Giang", false, 102),
    ("Lào Cai", false, 99),
    ("Bắc Ninh", false, 99),
    ("Quảng Ngãi", false, 96),
    ("Tây Ninh", false, 96),
    ("Đồng Nai", false, 95),
    ("Đà Nẵng", true, 94),
    ("Thái Nguyên", false, 92),
    ("Quảng Trị", false, 78),
    ("Sơn La", false, 75),
    ("Hà Tĩnh", false, 69),
    ("Lạng Sơn", false, 65),
    ("Khánh Hòa", false, 65),
    ("Cà Mau", false, 64),
    ("Cao Bằng", false, 56),
    ("Quảng Ninh", false, 54),
    ("Điện Biên", false, 45),
    ("Huế", true, 40),
    ("Lai Châu", false, 38),
];

/// The central blocs (the last two armed) and the bodies under each.
const CENTRAL: [(&str, &[&str]); 6] = [
    (
        "các cơ quan Đảng Trung ương",
        &[
            "Văn phòng Trung ương Đảng",
            "Ban Tổ chức Trung ương",
            "Ủy ban Kiểm tra Trung ương",
            "Ban Tuyên giáo và Dân vận Trung ương",
            "Ban Nội chính Trung ương",
            "Ban Chính sách, chiến lược Trung ương",
            "Ban Đối ngoại Trung ương",
            "Học viện Chính trị quốc gia Hồ Chí Minh",
            "Báo Nhân Dân",
            "Tạp chí Cộng sản",
            "Nhà xuất bản Chính trị quốc gia Sự thật",
        ],
    ),
    (
        "Chính phủ",
        &[
            "Bộ Tài chính",
            "Bộ Công Thương",
            "Bộ Xây dựng",
            "Bộ Nông nghiệp và Môi trường",
            "Bộ Khoa học và Công nghệ",
            "Bộ Giáo dục và Đào tạo",
            "Bộ Y tế",
            "Bộ Văn hóa, Thể thao và Du lịch",
            "Bộ Nội vụ",
            "Bộ Tư pháp",
            "Bộ Ngoại giao",
            "Bộ Dân tộc và Tôn giáo",
            "Ngân hàng Nhà nước Việt Nam",
            "Thanh tra Chính phủ",
            "Văn phòng Chính phủ",
            "Đài Truyền hình Việt Nam",
            "Đài Tiếng nói Việt Nam",
            "Thông tấn xã Việt Nam",
            "Bảo hiểm xã hội Việt Nam",
            "Tập đoàn Điện lực Việt Nam",
            "Tập đoàn Dầu khí Việt Nam",
            "Tập đoàn Công nghiệp Than - Khoáng sản Việt Nam",
            "Tập đoàn Bưu chính Viễn thông Việt Nam",
            "Tổng công ty Đường sắt Việt Nam",
            "Tổng công ty Hàng không Việt Nam",
            "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam",
            "Đại học Quốc gia Hà Nội",
            "Đại học Quốc gia Thành phố Hồ Chí Minh",
        ],
    ),
    (
        "Quốc hội",
        &[
            "Văn phòng Quốc hội",
            "Kiểm toán Nhà nước",
            "Tòa án nhân dân tối cao",
            "Viện Kiểm sát nhân dân tối cao",
            "Văn phòng Chủ tịch nước",
        ],
    ),
    (
        "Mặt trận Tổ quốc, các đoàn thể Trung ương",
        &[
            "Cơ quan Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam",
            "Tổng Liên đoàn Lao động Việt Nam",
            "Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh",
            "Trung ương Hội Liên hiệp Phụ nữ Việt Nam",
            "Trung ương Hội Nông dân Việt Nam",
            "Trung ương Hội Cựu chiến binh Việt Nam",
            "Liên minh Hợp tác xã Việt Nam",
            "Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam",
        ],
    ),
    (
        "Quân đội",
        &[
            "Quân khu 1",
            "Quân khu 2",
            "Quân khu 3",
            "Quân khu 4",
            "Quân khu 5",
            "Quân khu 7",
            "Quân khu 9",
            "Quân đoàn 12",
            "Quân đoàn 34",
            "Quân chủng Phòng không - Không quân",
            "Quân chủng Hải quân",
            "Bộ đội Biên phòng",
            "Cảnh sát biển Việt Nam",
            "Bộ Tổng Tham mưu",
            "Tổng cục Chính trị",
            "Tổng cục Hậu cần - Kỹ thuật",
            "Tổng cục Công nghiệp quốc phòng",
            "Binh chủng Pháo binh",
            "Binh chủng Công binh",
            "Binh chủng Thông tin liên lạc",
            "Binh chủng Tăng - Thiết giáp",
            "Binh chủng Đặc công",
            "Binh chủng Hóa học",
            "Học viện Quốc phòng",
            "Học viện Lục quân",
            "Học viện Chính trị",
            "Học viện Quân y",
            "Tập đoàn Công nghiệp - Viễn thông Quân đội",
            "Tổng công ty Tân Cảng Sài Gòn",
            "Bệnh viện Trung ương Quân đội 108",
        ],
    ),
    (
        "Công an Trung ương",
        &[
            "Văn phòng Bộ Công an",
            "Cục An ninh chính trị nội bộ",
            "Cục Cảnh sát hình sự",
            "Cục Cảnh sát giao thông",
            "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
            "Cục Quản lý xuất nhập cảnh",
            "Cục Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
            "Cục Cảnh sát điều tra tội phạm về ma túy",
            "Học viện An ninh nhân dân",
            "Học viện Cảnh sát nhân dân",
            "Bộ Tư lệnh Cảnh vệ",
            "Bộ Tư lệnh Cảnh sát cơ động",
            "Bệnh viện 19-8",
        ],
    ),
];

/// Place names are two of these, as most commune names are.
const PLACE_A: [&str; 32] = [
    "An", "Bình", "Phú", "Tân", "Hòa", "Đông", "Tây", "Nam", "Bắc", "Thanh", "Xuân", "Vĩnh",
    "Long", "Phước", "Hưng", "Yên", "Quảng", "Thạch", "Cẩm", "Đức", "Minh", "Hải", "Sơn", "Lâm",
    "Trung", "Thái", "Hiệp", "Mỹ", "Lộc", "Thuận", "Định", "Kim",
];
const PLACE_B: [&str; 30] = [
    "Bình", "Phú", "Lợi", "Lộc", "Thành", "Hòa", "An", "Hưng", "Thịnh", "Tiến", "Sơn", "Lâm",
    "Hải", "Xuân", "Yên", "Mỹ", "Đông", "Tây", "Phong", "Trung", "Quang", "Long", "Khánh", "Hiệp",
    "Thuận", "Đức", "Tân", "Lập", "Định", "Hà",
];
const SCHOOL: [&str; 3] = ["Mầm non", "Tiểu học", "THCS"];
const HOSPITAL: [&str; 3] = [
    "Bệnh viện Đa khoa khu vực",
    "Trung tâm Y tế khu vực",
    "Bệnh viện Y học cổ truyền",
];
const LOCAL_OFFICE: [&str; 3] = [
    "Cơ quan Ủy ban nhân dân",
    "Cơ quan Đảng ủy - Mặt trận",
    "Công an",
];
const COMPANY_FORM: [&str; 2] = ["Cổ phần", "TNHH MTV"];
const INDUSTRY: [&str; 20] = [
    "Xi măng",
    "May",
    "Dệt",
    "Cơ khí",
    "Xây dựng",
    "Vận tải",
    "Cao su",
    "Chè",
    "Thủy sản",
    "Lương thực",
    "Dược phẩm",
    "Bia",
    "Gạch Tuynel",
    "Thủy điện",
    "Cấp nước",
    "Môi trường đô thị",
    "Điện lực",
    "Phân bón",
    "Lâm nghiệp",
    "Thép",
];
const COOPERATIVE: [&str; 3] = ["Nông nghiệp", "Dịch vụ nông nghiệp", "Thủy sản"];
const NOTABLES: [&str; 24] = [
    "Lê Quý Đôn",
    "Nguyễn Du",
    "Trần Hưng Đạo",
    "Lê Lợi",
    "Nguyễn Trãi",
    "Chu Văn An",
    "Phan Bội Châu",
    "Nguyễn Huệ",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Nguyễn Bỉnh Khiêm",
    "Hàn Thuyên",
    "Lương Thế Vinh",
    "Võ Thị Sáu",
    "Hùng Vương",
    "Trần Phú",
    "Lê Hồng Phong",
    "Nguyễn Thị Minh Khai",
    "Phan Chu Trinh",
    "Ngô Quyền",
    "Hai Bà Trưng",
    "Nguyễn Đình Chiểu",
    "Phạm Văn Đồng",
    "Võ Nguyên Giáp",
];
const AGENCY: [&str; 6] = ["Sở", "Vụ", "Cục", "Viện", "Ban", "Trung tâm"];
const ACADEMY: [&str; 3] = ["Đại học", "Cao đẳng", "Bồi dưỡng cán bộ"];
const FIELD: [&str; 18] = [
    "Tài chính",
    "Xây dựng",
    "Y tế",
    "Giáo dục và Đào tạo",
    "Nội vụ",
    "Tư pháp",
    "Công Thương",
    "Nông nghiệp và Môi trường",
    "Khoa học và Công nghệ",
    "Văn hóa, Thể thao và Du lịch",
    "Dân tộc và Tôn giáo",
    "Ngoại vụ",
    "Kế hoạch",
    "Pháp chế",
    "Tổ chức cán bộ",
    "Hợp tác quốc tế",
    "Thanh tra",
    "Công nghệ thông tin",
];
/// Armed units with a đảng bộ, and with a chi bộ.
const TROOP: [&str; 4] = [
    "Sư đoàn",
    "Trung đoàn",
    "Lữ đoàn",
    "Bộ Chỉ huy Quân sự khu vực",
];
const SQUAD: [&str; 4] = ["Tiểu đoàn", "Đại đội", "Đồn Biên phòng", "Trạm Ra-đa"];

/// Family names with their rough shares (per mille) in the population.
const FAMILY: [(&str, u32); 31] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 30),
    ("Huỳnh", 21),
    ("Phan", 45),
    ("Vũ", 25),
    ("Võ", 14),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 8),
    ("Đoàn", 7),
    ("Trương", 8),
    ("Lương", 6),
    ("Mai", 5),
    ("Trịnh", 6),
    ("Lâm", 4),
    ("Tạ", 3),
    ("Cao", 4),
    ("Hà", 5),
    ("Chu", 3),
    ("Tô", 3),
    ("Đào", 5),
    ("Kiều", 2),
    ("Tôn Nữ", 1),
];
const MIDDLE_MALE: [(&str, u32); 28] = [
    ("Văn", 300),
    ("Đức", 60),
    ("Minh", 60),
    ("Hữu", 50),
    ("Quang", 45),
    ("Công", 40),
    ("Đình", 40),
    ("Xuân", 30),
    ("Thanh", 35),
    ("Ngọc", 25),
    ("Quốc", 35),
    ("Anh", 20),
    ("Duy", 20),
    ("Hoàng", 15),
    ("Mạnh", 15),
    ("Trọng", 20),
    ("Tiến", 15),
    ("Thế", 20),
    ("Bá", 15),
    ("Trung", 10),
    ("Hồng", 10),
    ("Tuấn", 10),
    ("Việt", 10),
    ("Gia", 8),
    ("Khắc", 8),
    ("Đăng", 8),
    ("Kim", 4),
    ("", 5),
];
const MIDDLE_FEMALE: [(&str, u32); 22] = [
    ("Thị", 450),
    ("Thị Thu", 30),
    ("Thị Thanh", 30),
    ("Thị Hồng", 25),
    ("Thị Minh", 20),
    ("Thị Ngọc", 20),
    ("Thu", 25),
    ("Thanh", 25),
    ("Ngọc", 25),
    ("Hồng", 20),
    ("Phương", 15),
    ("Kim", 15),
    ("Bích", 10),
    ("Thúy", 8),
    ("Mai", 8),
    ("Minh", 15),
    ("Diệu", 5),
    ("Khánh", 8),
    ("Quỳnh", 6),
    ("Thùy", 8),
    ("Hoài", 6),
    ("", 3),
];
/// Given names; "Hoà" and "Thuỷ" are the old tone placement, kept as typed.
const GIVEN_MALE: [(&str, u32); 62] = [
    ("An", 15),
    ("Anh", 40),
    ("Bảo", 15),
    ("Bình", 30),
    ("Cường", 30),
    ("Chiến", 15),
    ("Dũng", 45),
    ("Duy", 15),
    ("Đạt", 20),
    ("Định", 10),
    ("Đức", 35),
    ("Giang", 10),
    ("Hải", 40),
    ("Hào", 10),
    ("Hiếu", 25),
    ("Hiệp", 15),
    ("Hòa", 15),
    ("Hoà", 5),
    ("Hoàng", 20),
    ("Hùng", 50),
    ("Hưng", 30),
    ("Huy", 35),
    ("Khánh", 15),
    ("Khoa", 15),
    ("Kiên", 15),
    ("Lâm", 10),
    ("Lợi", 10),
    ("Long", 35),
    ("Lộc", 10),
    ("Mạnh", 20),
    ("Minh", 45),
    ("Nam", 40),
    ("Nghĩa", 20),
    ("Nhân", 10),
    ("Phong", 25),
    ("Phú", 15),
    ("Phúc", 15),
    ("Phương", 15),
    ("Quân", 20),
    ("Quang", 30),
    ("Quý", 10),
    ("Quyết", 10),
    ("Sơn", 40),
    ("Tài", 15),
    ("Tâm", 20),
    ("Tân", 15),
    ("Thái", 15),
    ("Thắng", 35),
    ("Thành", 45),
    ("Thanh", 20),
    ("Thịnh", 15),
    ("Thuận", 10),
    ("Tiến", 25),
    ("Toàn", 20),
    ("Trí", 10),
    ("Trung", 35),
    ("Trường", 20),
    ("Tú", 15),
    ("Tuấn", 50),
    ("Tùng", 25),
    ("Việt", 20),
    ("Vinh", 25),
];
const GIVEN_FEMALE: [(&str, u32); 50] = [
    ("Anh", 35),
    ("Ánh", 15),
    ("Bích", 10),
    ("Chi", 20),
    ("Dung", 30),
    ("Duyên", 15),
    ("Giang", 20),
    ("Hà", 35),
    ("Hạnh", 30),
    ("Hằng", 35),
    ("Hiền", 30),
    ("Hoa", 35),
    ("Hòa", 10),
    ("Hoà", 4),
    ("Hồng", 25),
    ("Huệ", 15),
    ("Hương", 50),
    ("Huyền", 35),
    ("Lan", 40),
    ("Liên", 20),
    ("Linh", 40),
    ("Loan", 20),
    ("Lý", 10),
    ("Mai", 35),
    ("My", 15),
    ("Nga", 35),
    ("Ngân", 15),
    ("Ngọc", 25),
    ("Nhung", 25),
    ("Oanh", 20),
    ("Phương", 35),
    ("Quyên", 10),
    ("Quỳnh", 20),
    ("Tâm", 15),
    ("Thảo", 40),
    ("Thắm", 10),
    ("Thanh", 20),
    ("Thơ", 10),
    ("Thu", 30),
    ("Thủy", 40),
    ("Thuỷ", 10),
    ("Thúy", 20),
    ("Trang", 45),
    ("Tuyết", 15),
    ("Uyên", 15),
    ("Vân", 30),
    ("Xuân", 15),
    ("Yến", 30),
    ("Diệu", 5),
    ("Khuê", 5),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_add_up() {
        let parts = apportion(100, &[1.0, 2.0, 3.0, 0.5], 3);
        assert_eq!(parts.iter().sum::<u64>(), 100);
        assert!(parts.iter().all(|&p| p >= 3));
        assert_eq!(apportion(5, &[1.0, 1.0, 1.0], 3).iter().sum::<u64>(), 5);
        assert!(apportion(7, &[], 1).is_empty());
    }

    #[test]
    fn shapes_add_up() {
        for scale in [Scale::Ci, Scale::Province, Scale::Nation] {
            let shape = scale.shape();
            let t = Tree::build(scale, shape, 1, "TQ", 1);
            assert_eq!(t.units.len() as u64, shape.units(), "{scale}");
            let members: u64 = t.units.iter().map(|u| u.members).sum();
            assert_eq!(members, shape.members, "{scale}");
            let count = |ty: &str| t.units.iter().filter(|u| u.type_code == ty).count() as u64;
            assert_eq!(count("cap_tren_co_so"), shape.intermediate);
            assert_eq!(count("chi_bo_truc_thuoc"), shape.cells);
            assert_eq!(
                count("dang_bo_co_so") + count("chi_bo_co_so"),
                shape.grassroots
            );
            let codes: HashSet<&str> = t.units.iter().map(|u| u.code.as_str()).collect();
            assert_eq!(codes.len(), t.units.len(), "codes are unique");
            assert!(t.units.iter().all(|u| u.code.len() <= 32));
            // Members sit in chi bộ where there are some.
            for (i, u) in t.units.iter().enumerate() {
                if u.type_code == "dang_bo_co_so" && u.members > 0 {
                    assert!(!t.units.iter().any(|c| c.parent == Some(i)), "{}", u.name);
                }
            }
        }
    }

    #[test]
    fn decomposed_names_compose_back() {
        for (row, _) in VOWELS {
            for c in row.chars().chain(row.to_uppercase().chars()) {
                let s = c.to_string();
                assert_eq!(text::nfc(&nfd(&s)), s, "{c}");
            }
        }
        for name in ["Nguyễn Thị Ngọc Huyền", "ĐẶNG Quốc Thắng", "Thuỷ", "Hoà"] {
            let d = nfd(name);
            assert_ne!(d, name);
            assert_eq!(text::nfc(&d), name);
            assert_eq!(text::fold(&d), text::fold(name));
        }
        // ậ: the dot below (class 220) comes before the circumflex (230).
        assert_eq!(nfd("ậ"), "a\u{323}\u{302}");
        assert_eq!(nfd("ợ"), "o\u{31b}\u{323}");
    }

    #[test]
    fn remembered_keys_match_direct() {
        for order in [NameOrder::Official, NameOrder::GivenMiddleFamily] {
            let mut people = People::new(9, order);
            for i in 1..3000 {
                let m = people.member(i, i, 1, 1);
                let p = NewPerson {
                    family_name: m.family.clone(),
                    middle_name: m.middle.clone(),
                    given_name: m.given.clone(),
                    birth_date: Some(m.birth.clone()),
                    ..Default::default()
                };
                assert_eq!(m.sort_key, p.sort_key(order), "{}", p.full_name());
                assert_eq!(m.fold, text::fold(&p.full_name()));
            }
            assert!(!people.keys.off);
            assert!(people.keys.known.len() < 3000);
        }
    }

    #[test]
    fn same_seed_same_people() {
        let mut a = People::new(5, NameOrder::Official);
        let mut b = People::new(5, NameOrder::Official);
        for i in 1..50 {
            let (x, y) = (a.member(i, i, 1, 1), b.member(i, i, 1, 1));
            assert_eq!((x.family, x.given, x.birth), (y.family, y.given, y.birth));
        }
    }
}
