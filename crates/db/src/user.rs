//! Accounts. Validation happens here, before anything is written.
use serde::Serialize;
use serde_json::json;
use trienkhai_core::{Code, FieldError, Role, text};

use crate::{
    Actor, Db, DbError, DbResult, Tx,
    audit::{self, Change},
    counter, now_ms, password,
};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub board_id: Option<i64>,
    pub person_id: Option<i64>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }

    fn audit_view(&self) -> serde_json::Value {
        json!({
            "username": self.username, "display_name": self.display_name, "role": self.role,
            "unit_id": self.unit_id, "board_id": self.board_id, "person_id": self.person_id,
            "disabled": self.disabled, "must_change_password": self.must_change_password,
        })
    }
}

const COLS: &str = "id, username, display_name, role, unit_id, board_id, person_id,
    must_change_password, disabled, version, created_at, updated_at";

/// What a form or the CLI submits to create an account.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub board_id: Option<i64>,
    pub person_id: Option<i64>,
    pub must_change_password: bool,
}

pub fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn check_password(field: &'static str, pw: &str, errs: &mut Vec<FieldError>) {
    if pw.chars().count() < password::MIN_LEN {
        errs.push(FieldError::new(field, Code::PasswordTooShort));
    }
}

/// Role-specific scope rules: a secretary needs a unit; staff may name a board.
fn check_scope(role: Option<Role>, unit_id: Option<i64>, errs: &mut Vec<FieldError>) {
    match role {
        None => errs.push(FieldError::new("role", Code::InvalidChoice)),
        Some(Role::Secretary) if unit_id.is_none() => {
            errs.push(FieldError::new("unit_id", Code::Required))
        }
        _ => {}
    }
}

impl NewUser {
    pub fn normalise(&mut self) {
        self.username = self.username.trim().to_lowercase();
        self.display_name = text::clean(&self.display_name);
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if !valid_username(&self.username) {
            errs.push(FieldError::new("username", Code::UsernameFormat));
        }
        errs.extend(text::check("display_name", &self.display_name, 120));
        check_password("password", &self.password, &mut errs);
        check_scope(Role::parse(&self.role), self.unit_id, &mut errs);
        errs
    }
}

/// A validated account with its password already hashed, ready to insert.
pub struct Prepared {
    new: NewUser,
    hash: String,
}

impl Prepared {
    pub fn in_unit(mut self, unit_id: i64) -> Prepared {
        self.new.unit_id = Some(unit_id);
        self
    }
}

/// Normalises, validates and hashes, all before any transaction begins.
pub async fn prepare(mut new: NewUser) -> DbResult<Prepared> {
    new.normalise();
    let errs = new.validate();
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let hash = password::hash_async(&new.password).await?;
    Ok(Prepared { new, hash })
}

pub async fn create(db: &Db, actor: &Actor, new: NewUser) -> DbResult<User> {
    let prepared = prepare(new).await?;
    let mut tx = db.begin().await?;
    let user = create_in(&mut tx, actor, prepared).await?;
    tx.commit().await?;
    Ok(user)
}

/// Creates an account inside the caller's transaction (setup, demo).
pub async fn create_in(tx: &mut Tx, actor: &Actor, p: Prepared) -> DbResult<User> {
    let Prepared { new, hash } = p;
    if exists_in(tx, &new.username).await? {
        return Err(DbError::field("username", Code::UsernameTaken));
    }
    check_refs_in(tx, new.unit_id, new.board_id).await?;
    let now = now_ms();
    let sql = format!(
        "INSERT INTO app_user (username, display_name, password_hash, role, unit_id, board_id,
            person_id, must_change_password, disabled, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, 1, $9, $9) RETURNING {COLS}"
    );
    let inserted = with_tx!(tx, c => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(&new.username).bind(&new.display_name).bind(&hash).bind(&new.role)
        .bind(new.unit_id).bind(new.board_id).bind(new.person_id)
        .bind(new.must_change_password).bind(now)
        .fetch_one(&mut *c).await)
    .map_err(DbError::from);
    // Two clerks creating the same name at once: the loser hears "taken", not a 500.
    let user = match inserted {
        Err(e) if e.is_unique_violation() => {
            return Err(DbError::field("username", Code::UsernameTaken));
        }
        other => other?,
    };
    counter::add(tx, counter::USERS, 1).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "user",
            entity_id: Some(user.id.to_string()),
            summary: format!(
                "Tạo tài khoản {} ({})",
                user.username,
                Role::parse(&user.role).map(|r| r.label()).unwrap_or("")
            ),
            before: None,
            after: Some(user.audit_view()),
        },
    )
    .await?;
    Ok(user)
}

/// The unit and board an account points at must exist (a board must be a board).
async fn check_refs_in(tx: &mut Tx, unit_id: Option<i64>, board_id: Option<i64>) -> DbResult<()> {
    if let Some(unit) = unit_id
        && !crate::unit::exists_in(tx, unit).await?
    {
        return Err(DbError::field("unit_id", Code::UnitNotFound));
    }
    if let Some(board) = board_id
        && !crate::unit::board_exists_in(tx, board).await?
    {
        return Err(DbError::field("board_id", Code::InvalidChoice));
    }
    Ok(())
}

async fn exists_in(tx: &mut Tx, username: &str) -> DbResult<bool> {
    let row: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT id FROM app_user WHERE username = $1").bind(username).fetch_optional(&mut *c).await)?;
    Ok(row.is_some())
}

pub async fn any_exists_in(tx: &mut Tx) -> DbResult<bool> {
    let row: Option<(i64,)> = with_tx!(tx, c => sqlx::query_as("SELECT id FROM app_user LIMIT 1").fetch_optional(&mut *c).await)?;
    Ok(row.is_some())
}

pub async fn any_exists(db: &Db) -> DbResult<bool> {
    let row: Option<(i64,)> = with_db!(db, p => sqlx::query_as("SELECT id FROM app_user LIMIT 1").fetch_optional(p).await)?;
    Ok(row.is_some())
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<User>> {
    let sql = format!("SELECT {COLS} FROM app_user WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await)?,
    )
}

pub async fn by_username(db: &Db, username: &str) -> DbResult<Option<User>> {
    let sql = format!("SELECT {COLS} FROM app_user WHERE username = $1");
    Ok(
        with_db!(db, p => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(username.trim().to_lowercase()).fetch_optional(p).await)?,
    )
}

/// Sorted by username (ASCII by construction), keyset-paged.
pub async fn list(db: &Db, after: Option<&str>, limit: i64) -> DbResult<Vec<User>> {
    let sql = format!(
        "SELECT {COLS} FROM app_user WHERE ($1 IS NULL OR username > $1) ORDER BY username LIMIT {}",
        crate::pool::limit(limit)
    );
    Ok(
        with_db!(db, p => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql.as_str())).bind(after).fetch_all(p).await)?,
    )
}

/// Checks the password; None for unknown, disabled or wrong. Burns the same
/// time for unknown users so timing does not reveal account names.
pub async fn authenticate(db: &Db, username: &str, pw: &str) -> DbResult<Option<User>> {
    let name = username.trim().to_lowercase();
    let row: Option<(i64, String, bool)> = with_db!(db, p => sqlx::query_as(
        "SELECT id, password_hash, disabled FROM app_user WHERE username = $1")
        .bind(&name).fetch_optional(p).await)?;
    let Some((id, hash, disabled)) = row else {
        tokio::task::spawn_blocking(password::burn).await.ok();
        return Ok(None);
    };
    let ok = password::verify_async(pw, hash).await;
    if !ok || disabled {
        return Ok(None);
    }
    get(db, id).await
}

/// The user changes their own password; other sessions are ended.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    keep_session: &str,
    current: &str,
    new: &str,
    confirm: &str,
) -> DbResult<()> {
    let mut errs = Vec::new();
    check_password("new_password", new, &mut errs);
    if new != confirm {
        errs.push(FieldError::new("confirm", Code::PasswordMismatch));
    }
    let row: Option<(String,)> = with_db!(db, p => sqlx::query_as(
        "SELECT password_hash FROM app_user WHERE id = $1").bind(user_id).fetch_optional(p).await)?;
    let Some((hash,)) = row else {
        return Err(DbError::Refused(Code::NotFound));
    };
    let ok = password::verify_async(current, hash).await;
    if !ok {
        errs.insert(0, FieldError::new("current", Code::WrongPassword));
    }
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let hash = password::hash_async(new).await?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(
        "UPDATE app_user SET password_hash = $1, must_change_password = FALSE,
            version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(&hash).bind(now_ms()).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    crate::session::revoke_others_in(&mut tx, user_id, keep_session).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "change_password",
            entity: "user",
            entity_id: Some(user_id.to_string()),
            summary: "Đổi mật khẩu".into(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await
}

/// An administrator sets a temporary password; the user must change it and
/// every session of theirs ends.
pub async fn reset_password(db: &Db, actor: &Actor, user_id: i64, new: &str) -> DbResult<()> {
    let mut errs = Vec::new();
    check_password("password", new, &mut errs);
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let Some(user) = get(db, user_id).await? else {
        return Err(DbError::Refused(Code::NotFound));
    };
    let hash = password::hash_async(new).await?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(
        "UPDATE app_user SET password_hash = $1, must_change_password = TRUE,
            version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(&hash).bind(now_ms()).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    // A reset is what an administrator does to a compromised account: every
    // session and every API token stops working.
    crate::session::revoke_all_in(&mut tx, user_id).await?;
    crate::token::revoke_all_in(&mut tx, user_id).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "reset_password",
            entity: "user",
            entity_id: Some(user_id.to_string()),
            summary: format!("Đặt lại mật khẩu cho {}", user.username),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await
}

/// Fields an administrator may edit, with the version the form was loaded at.
#[derive(Clone, Debug)]
pub struct Edit {
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub board_id: Option<i64>,
    pub disabled: bool,
    pub version: i64,
}

pub async fn update(db: &Db, actor: &Actor, id: i64, mut e: Edit) -> DbResult<User> {
    e.display_name = text::clean(&e.display_name);
    let mut errs = Vec::new();
    errs.extend(text::check("display_name", &e.display_name, 120));
    check_scope(Role::parse(&e.role), e.unit_id, &mut errs);
    if actor.user_id == Some(id) && (e.disabled || e.role != Role::Admin.as_str()) {
        // An administrator cannot lock themselves out.
        errs.push(FieldError::new("role", Code::Forbidden));
    }
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let Some(before) = get(db, id).await? else {
        return Err(DbError::Refused(Code::NotFound));
    };
    let mut tx = db.begin().await?;
    check_refs_in(&mut tx, e.unit_id, e.board_id).await?;
    let sql = format!(
        "UPDATE app_user SET display_name = $1, role = $2, unit_id = $3, board_id = $4, disabled = $5,
            version = version + 1, updated_at = $6
         WHERE id = $7 AND version = $8 RETURNING {COLS}"
    );
    let after = with_tx!(&mut tx, c => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(&e.display_name).bind(&e.role).bind(e.unit_id).bind(e.board_id).bind(e.disabled)
        .bind(now_ms()).bind(id).bind(e.version)
        .fetch_optional(&mut *c).await)?;
    // No row means someone saved first: the form is stale.
    let Some(after) = after else {
        return Err(DbError::Refused(Code::StaleForm));
    };
    if after.disabled {
        crate::session::revoke_all_in(&mut tx, id).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "update",
            entity: "user",
            entity_id: Some(id.to_string()),
            summary: format!("Sửa tài khoản {}", after.username),
            before: Some(before.audit_view()),
            after: Some(after.audit_view()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
