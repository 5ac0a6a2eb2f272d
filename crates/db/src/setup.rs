//! First start: the top committee and the first administrator, in one
//! transaction, exactly once even when two browsers submit together.
use trienkhai_core::{Code, FieldError, Role};

use crate::{
    Actor, Db, DbError, DbResult, demo, setting,
    unit::{self, NewUnit},
    user::{self, NewUser, User},
};

pub struct Setup {
    /// Ignored when `demo` is set: the demo committee becomes the top unit.
    pub unit: NewUnit,
    pub admin: NewUser,
    pub confirm: String,
    pub demo: bool,
}

pub const INITIALIZED: &str = "initialized";

pub async fn is_done(db: &Db) -> DbResult<bool> {
    Ok(setting::get(db, INITIALIZED).await?.is_some())
}

pub async fn run(db: &Db, mut s: Setup) -> DbResult<User> {
    s.admin.role = Role::Admin.as_str().into();
    s.admin.normalise();
    let mut errs: Vec<FieldError> = s.admin.validate();
    if s.admin.password != s.confirm {
        errs.push(FieldError::new("confirm", Code::PasswordMismatch));
    }
    if !s.demo {
        errs.extend(s.unit.validate());
    }
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let actor = Actor::system("Khởi tạo hệ thống");
    let mut tx = db.begin().await?;
    // The setting's primary key makes a second, concurrent setup fail here.
    let claimed =
        crate::setting::set_once_in(&mut tx, INITIALIZED, &crate::now_ms().to_string()).await?;
    if !claimed {
        return Err(DbError::Refused(Code::AlreadySetUp));
    }
    let top = if s.demo {
        demo::load_in(&mut tx, &actor).await?
    } else {
        unit::create_in(&mut tx, &actor, s.unit).await?.id
    };
    setting::set(&mut tx, unit::TOP, &top.to_string()).await?;
    s.admin.unit_id = Some(top);
    let admin = user::create_in(&mut tx, &actor, s.admin).await?;
    tx.commit().await?;
    Ok(admin)
}
