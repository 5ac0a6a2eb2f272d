//! Units of the org tree. `path` ("/1/7/") makes "this unit and its
//! sub-units" one indexed prefix match, used for role scopes.
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;
use trienkhai_core::{Code, FieldError, fmt, text};

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms, read,
};

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub type_name: String,
    pub parent_id: Option<i64>,
    pub issuer_code: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub path: String,
}

const SELECT: &str = "SELECT u.id, u.code, u.name, u.type_code, t.name AS type_name, u.parent_id,
    u.issuer_code, u.valid_from, u.valid_to, u.path
    FROM unit u JOIN unit_type t ON t.code = u.type_code";

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct UnitType {
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, Default)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub parent_id: Option<i64>,
    pub issuer_code: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

fn valid_code(c: &str) -> bool {
    (2..=32).contains(&c.len())
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}

impl NewUnit {
    /// Normalises text and checks every field; returns all problems at once.
    pub fn validate(&mut self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        self.code = self.code.trim().to_uppercase();
        self.name = text::clean(&self.name);
        self.issuer_code = self
            .issuer_code
            .as_deref()
            .map(text::clean)
            .filter(|s| !s.is_empty());
        if !valid_code(&self.code) {
            errs.push(FieldError::new("unit_code", Code::InvalidText));
        }
        errs.extend(text::check("unit_name", &self.name, 200));
        if let Some(ic) = &self.issuer_code
            && (ic.chars().count() > 16 || ic.contains('/') || ic.contains(' '))
        {
            errs.push(FieldError::new("issuer_code", Code::InvalidText));
        }
        match fmt::parse_date(&self.valid_from) {
            Some(d) => self.valid_from = fmt::iso(d),
            None => errs.push(FieldError::new("valid_from", Code::InvalidDate)),
        }
        errs
    }
}

pub async fn create_in(tx: &mut Tx, actor: &Actor, mut new: NewUnit) -> DbResult<Unit> {
    let errs = new.validate();
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let taken: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as("SELECT id FROM unit WHERE code = $1")
        .bind(&new.code).fetch_optional(&mut *c).await)?;
    if taken.is_some() {
        return Err(DbError::field("unit_code", Code::UnitCodeTaken));
    }
    let type_ok: Option<(String,)> = with_tx!(tx, c => sqlx::query_as("SELECT code FROM unit_type WHERE code = $1")
        .bind(&new.type_code).fetch_optional(&mut *c).await)?;
    if type_ok.is_none() {
        return Err(DbError::field("type_code", Code::InvalidChoice));
    }
    let parent_path = match new.parent_id {
        None => "/".to_string(),
        Some(pid) => {
            let row: Option<(String,)> = with_tx!(tx, c => sqlx::query_as("SELECT path FROM unit WHERE id = $1")
                .bind(pid).fetch_optional(&mut *c).await)?;
            row.ok_or(DbError::field("parent_id", Code::UnitNotFound))?
                .0
        }
    };
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO unit (code, name, name_fold, type_code, parent_id, issuer_code, valid_from, valid_to, path, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9) RETURNING id")
        .bind(&new.code).bind(&new.name).bind(text::fold(&new.name)).bind(&new.type_code)
        .bind(new.parent_id).bind(&new.issuer_code).bind(&new.valid_from).bind(&new.valid_to).bind(now_ms())
        .fetch_one(&mut *c).await)?;
    let path = format!("{parent_path}{id}/");
    with_tx!(tx, c => sqlx::query("UPDATE unit SET path = $1 WHERE id = $2")
        .bind(&path).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO unit_version (unit_id, name, parent_id, path, valid_from, valid_to)
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id).bind(&new.name).bind(new.parent_id).bind(&path).bind(&new.valid_from).bind(&new.valid_to)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    crate::roll::dated(tx, &new.valid_from).await?;
    if let Some(to) = &new.valid_to {
        crate::roll::ended(tx, to).await?;
    }
    counter::add(tx, counter::UNITS, 1).await?;
    audit::record(tx, actor, Change {
        action: "create",
        entity: "unit",
        entity_id: Some(id.to_string()),
        summary: format!("Tạo đơn vị {}", new.name),
        before: None,
        after: Some(json!({"code": new.code, "name": new.name, "type": new.type_code,
            "parent_id": new.parent_id, "issuer_code": new.issuer_code, "valid_from": new.valid_from})),
    }).await?;
    let sql = format!("{SELECT} WHERE u.id = $1");
    Ok(
        with_tx!(tx, c => sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_one(&mut *c).await)?,
    )
}

pub async fn exists_in(tx: &mut Tx, id: i64) -> DbResult<bool> {
    let row: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as("SELECT id FROM unit WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    Ok(row.is_some())
}

pub async fn board_exists_in(tx: &mut Tx, id: i64) -> DbResult<bool> {
    let row: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT id FROM board WHERE id = $1 AND kind = 'board'").bind(id).fetch_optional(&mut *c).await)?;
    Ok(row.is_some())
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Unit>> {
    let sql = format!("{SELECT} WHERE u.id = $1");
    read::first(db, &sql, &[id.into()]).await
}

/// The same shape as `Unit`, read from the version `v` valid on a day: the
/// name and place the unit had then. Its columns, and its tables.
const AT_COLUMNS: &str = "u.id, u.code, v.name, u.type_code, t.name AS type_name, v.parent_id,
    u.issuer_code, u.valid_from, u.valid_to, v.path";
const AT_FROM: &str =
    "FROM unit_version v JOIN unit u ON u.id = v.unit_id JOIN unit_type t ON t.code = u.type_code";
/// The members on unit `u`'s own roll on day `$2`, as a column.
const OWN_MEMBERS: &str = "(SELECT COUNT(*) FROM membership m WHERE m.unit_id = u.id
    AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to >= $2))";

/// The end of a subtree's path range: "/1/7/" .. "/1/70" ('/' sorts just
/// before '0'), so a subtree is one indexed range scan.
pub fn path_upper(path: &str) -> String {
    format!("{}0", path.trim_end_matches('/'))
}

/// Units as they stood on `as_of` inside `scope` (a path prefix of that day;
/// None = everything), parents before children. Keyset-paged by path.
pub async fn list(
    db: &Db,
    scope: Option<&str>,
    as_of: Date,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<Unit>> {
    let sql = format!(
        "SELECT {AT_COLUMNS} {AT_FROM} WHERE ($1 IS NULL OR (v.path >= $1 AND v.path < $4))
           AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2)
           AND ($3 IS NULL OR v.path > $3)
         ORDER BY v.path LIMIT {}",
        crate::pool::limit(limit)
    );
    let upper = scope.map(path_upper);
    let day = fmt::iso(as_of);
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(scope).bind(&day).bind(after).bind(&upper).fetch_all(p).await)?,
    )
}

/// The unit types that run campaigns: provincial and intermediate committees.
const COMMITTEE: &str = "u.type_code IN ('dang_bo_tinh', 'cap_tren_co_so')";

/// Committees open on `as_of`, in their latest state, parents first:
/// (id, name) for the campaign form's list, or None when there are more
/// than `cap` (3.641 at national size made a 245 KB form; it offers a
/// picker instead). The latest state spares a join to every version:
/// PostgreSQL hashed all 326.000 of them at national size (100 ms).
pub async fn committees(db: &Db, as_of: Date, cap: i64) -> DbResult<Option<Vec<(i64, String)>>> {
    let sql = format!(
        "SELECT u.id, u.name FROM unit u
         WHERE {COMMITTEE} AND u.valid_from <= $1 AND (u.valid_to IS NULL OR u.valid_to >= $1)
         ORDER BY u.path LIMIT {}",
        crate::pool::limit(cap + 1)
    );
    let day = fmt::iso(as_of);
    let rows: Vec<(i64, String)> = read::all(db, &sql, &[day.as_str().into()]).await?;
    Ok((rows.len() as i64 <= cap).then_some(rows))
}

/// Which units a picker offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Any,
    Committee,
}

/// Up to `limit` units open on `as_of` (latest state, as `committees`)
/// whose code or folded name holds the folded `q`, codes first; for the
/// pickers of the restructuring wizard and the campaign form.
pub async fn suggest(db: &Db, q: &str, pick: Pick, as_of: Date, limit: i64) -> DbResult<Vec<Unit>> {
    let folded = text::fold(q.trim());
    if folded.is_empty() {
        return Ok(vec![]);
    }
    // LIKE's wildcards in what was typed are literal.
    let lit: String = folded
        .chars()
        .flat_map(|c| match c {
            '\\' | '%' | '_' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let sql = format!(
        "{SELECT} WHERE (lower(u.code) LIKE $1 ESCAPE '\\' OR u.name_fold LIKE $2 ESCAPE '\\')
           AND {} AND u.valid_from <= $3 AND (u.valid_to IS NULL OR u.valid_to >= $3)
         ORDER BY lower(u.code) LIKE $1 ESCAPE '\\' DESC, u.path LIMIT {}",
        match pick {
            Pick::Any => "TRUE",
            Pick::Committee => COMMITTEE,
        },
        crate::pool::limit(limit)
    );
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(format!("{lit}%")).bind(format!("%{lit}%")).bind(fmt::iso(as_of))
        .fetch_all(p).await)?,
    )
}

/// One unit as it stood on a day; None if it did not exist then.
pub async fn at(db: &Db, id: i64, as_of: Date) -> DbResult<Option<Unit>> {
    let sql = format!(
        "SELECT {AT_COLUMNS} {AT_FROM} WHERE v.unit_id = $1 AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2)"
    );
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id).bind(fmt::iso(as_of)).fetch_optional(p).await)?,
    )
}

/// A unit page's head: the unit as it stood on a day, its parent's name
/// that day and its own direct members (not its sub-units').
#[derive(Clone, Debug, Deserialize, sqlx::FromRow)]
pub struct Head {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub unit: Unit,
    pub parent_name: Option<String>,
    pub direct: i64,
}

/// `at` with the parent's name and the direct members, in one statement:
/// on PostgreSQL each statement is a round trip and a plan of its own.
pub async fn head(db: &Db, id: i64, as_of: Date) -> DbResult<Option<Head>> {
    let sql = format!(
        "SELECT {AT_COLUMNS}, pv.name AS parent_name, {OWN_MEMBERS} AS direct
         {AT_FROM} LEFT JOIN unit_version pv ON pv.unit_id = v.parent_id
           AND pv.valid_from <= $2 AND (pv.valid_to IS NULL OR pv.valid_to >= $2)
         WHERE v.unit_id = $1 AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2)"
    );
    read::first(db, &sql, &[id.into(), fmt::iso(as_of).as_str().into()]).await
}

/// A node of the tree page: the unit of that day and its members that day.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Node {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub unit: Unit,
    pub members: i64,
    /// Whether it had sub-units that day (read by `children` only).
    #[sqlx(default)]
    #[serde(default)]
    pub has_children: bool,
}

impl Node {
    /// Depth below `root_path` (0 for the root itself).
    pub fn depth(&self, root_path: &str) -> usize {
        self.unit.path[root_path.len().min(self.unit.path.len())..]
            .matches('/')
            .count()
    }
}

/// The whole subtree under `root` as of a day, each unit with its own roll,
/// in one query; None if it holds more than `cap` units (a province holds
/// thousands, the nation 326.000), so a page never reads more than that.
pub async fn tree(db: &Db, root_path: &str, as_of: Date, cap: i64) -> DbResult<Option<Vec<Node>>> {
    let sql = format!(
        "SELECT {AT_COLUMNS}, {OWN_MEMBERS} AS members {AT_FROM}
        WHERE v.path >= $1 AND v.path < $3
          AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2)
        ORDER BY v.path LIMIT {}",
        crate::pool::limit(cap + 1)
    );
    let nodes = with_db!(db, p => sqlx::query_as::<_, Node>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(root_path).bind(fmt::iso(as_of)).bind(path_upper(root_path)).fetch_all(p).await)?;
    Ok((nodes.len() as i64 <= cap).then_some(nodes))
}

/// Whose members a sub-unit's count holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Members {
    /// The sub-unit's whole subtree (the unit page's figures).
    Subtree,
    /// The sub-unit's own roll (the API's, as on the tree page).
    Own,
}

/// A unit's direct sub-units as of a day, each with its members. A unit
/// page or the API needs only these (and `head`), so it reads a few rows
/// however large the subtree (the whole tree crossed sqlx's row channel at
/// 10 µs a row: 80 ms for a province; 326.000 rows at the national root).
pub async fn children(db: &Db, u: &Unit, as_of: Date, count: Members) -> DbResult<Vec<Node>> {
    let members = match count {
        // From the kept roll sizes (`roll`) on a day they are exact for:
        // a sum over the subtree's units, not a count over its members.
        Members::Subtree => format!(
            "CASE WHEN $2 >= (SELECT value FROM setting WHERE key = '{}')
             THEN (SELECT CAST(COALESCE(SUM(d.members), 0) AS BIGINT) FROM unit d
               WHERE d.path >= u.path AND d.path < substr(u.path, 1, length(u.path) - 1) || '0')
             ELSE (SELECT COUNT(*) FROM unit_version d JOIN membership m ON m.unit_id = d.unit_id
               WHERE d.path >= v.path AND d.path < substr(v.path, 1, length(v.path) - 1) || '0'
                 AND d.valid_from <= $2 AND (d.valid_to IS NULL OR d.valid_to >= $2)
                 AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to >= $2)) END",
            crate::roll::EXACT_FROM
        ),
        Members::Own => OWN_MEMBERS.to_string(),
    };
    let sql = format!(
        "SELECT {AT_COLUMNS}, {members} AS members,
          EXISTS (SELECT 1 FROM unit_version c WHERE c.parent_id = v.unit_id
            AND c.valid_from <= $2 AND (c.valid_to IS NULL OR c.valid_to >= $2)) AS has_children
        {AT_FROM}
        WHERE v.path > $1 AND v.path < $3 AND v.parent_id = $4
          AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2)
        ORDER BY v.path"
    );
    let day = fmt::iso(as_of);
    // SQLite reads on the request's own thread, which must not be held
    // long. These go to sqlx's worker: the root's sub-units, whose sums
    // span every unit (326.000 at national size), and any day before the
    // kept sizes are exact, which counts whole subtrees (seconds at the
    // national root). Should that day move between the check and the
    // read, the CASE still counts, on the thread, for that one page.
    let on_thread = db.engine() == crate::Engine::Sqlite
        && (count == Members::Own
            || (u.parent_id.is_some() && crate::roll::exact(db, &day).await?));
    let upper = path_upper(&u.path);
    let args = [
        u.path.as_str().into(),
        day.as_str().into(),
        upper.as_str().into(),
        u.id.into(),
    ];
    if on_thread {
        read::all(db, &sql, &args).await
    } else {
        read::all_on_worker(db, &sql, &args).await
    }
}

pub async fn types(db: &Db) -> DbResult<Vec<UnitType>> {
    read::all(db, "SELECT code, name FROM unit_type ORDER BY sort", &[]).await
}

/// The committee this installation serves, set once at first start.
pub async fn top_id(db: &Db) -> DbResult<Option<i64>> {
    Ok(crate::setting::get(db, TOP)
        .await?
        .and_then(|v| v.parse().ok()))
}

pub const TOP: &str = "top_unit_id";

#[derive(Clone, Debug, Default)]
pub struct NewBoard {
    pub unit_id: i64,
    pub name: String,
    pub kind: &'static str,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

pub async fn create_board_in(tx: &mut Tx, actor: &Actor, b: NewBoard) -> DbResult<i64> {
    let name = text::clean(&b.name);
    let (id,): (i64,) = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO board (unit_id, name, kind, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(b.unit_id).bind(&name).bind(b.kind).bind(&b.valid_from).bind(&b.valid_to)
        .fetch_one(&mut *c).await)?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "board",
            entity_id: Some(id.to_string()),
            summary: format!("Tạo {name}"),
            before: None,
            after: Some(json!({"unit_id": b.unit_id, "name": name, "kind": b.kind})),
        },
    )
    .await?;
    Ok(id)
}

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Board {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

pub async fn boards(db: &Db, unit_id: i64) -> DbResult<Vec<Board>> {
    crate::read::all(db,
        "SELECT id, unit_id, name, kind, valid_from, valid_to FROM board WHERE unit_id = $1 ORDER BY kind, id",
        &[unit_id.into()]).await
}

/// The id behind a unit code typed by a clerk: None for an empty code, a
/// field error (reported as `field`) for an unknown one.
pub async fn id_by_code(db: &Db, code: &str, field: &'static str) -> DbResult<Option<i64>> {
    if code.trim().is_empty() {
        return Ok(None);
    }
    match by_code(db, code).await? {
        Some(u) => Ok(Some(u.id)),
        None => Err(DbError::field(field, Code::UnitNotFound)),
    }
}

pub async fn by_code(db: &Db, code: &str) -> DbResult<Option<Unit>> {
    let sql = format!("{SELECT} WHERE u.code = $1");
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(code.trim().to_uppercase()).fetch_optional(p).await)?,
    )
}
