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
    /// The first administrator; None when one was made with `create-admin`
    /// (the web layer then requires that administrator to be signed in).
    pub admin: Option<NewUser>,
    pub confirm: String,
    pub demo: bool,
}

pub const INITIALIZED: &str = "initialized";

pub async fn is_done(db: &Db) -> DbResult<bool> {
    Ok(setting::get(db, INITIALIZED).await?.is_some())
}

pub struct Done {
    pub top_unit_id: i64,
    pub admin: Option<User>,
}

pub async fn run(db: &Db, actor: &Actor, mut s: Setup) -> DbResult<Done> {
    let mut errs: Vec<FieldError> = Vec::new();
    if let Some(admin) = s.admin.as_mut() {
        admin.role = Role::Admin.as_str().into();
        admin.normalise();
        errs.extend(admin.validate());
        if admin.password != s.confirm {
            errs.push(FieldError::new("confirm", Code::PasswordMismatch));
        }
    }
    if !s.demo {
        errs.extend(s.unit.validate());
    }
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let prepared = match s.admin {
        Some(a) => Some(user::prepare(a).await?),
        None => None,
    };
    let mut tx = db.begin().await?;
    // The setting's primary key makes a second, concurrent setup fail here.
    let claimed = setting::set_once_in(&mut tx, INITIALIZED, &crate::now_ms().to_string()).await?;
    if !claimed {
        return Err(DbError::Refused(Code::AlreadySetUp));
    }
    // With an account already there, only that administrator may set up,
    // and no second "first administrator" is made.
    let users_exist = user::any_exists_in(&mut tx).await?;
    if users_exist == prepared.is_some() {
        return Err(DbError::Refused(if users_exist {
            Code::AlreadySetUp
        } else {
            Code::Forbidden
        }));
    }
    let top = if s.demo {
        demo::load_in(&mut tx, actor).await?
    } else {
        unit::create_in(&mut tx, actor, s.unit).await?.id
    };
    setting::set(&mut tx, unit::TOP, &top.to_string()).await?;
    let admin = match prepared {
        Some(p) => Some(user::create_in(&mut tx, actor, p.in_unit(top)).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(Done {
        top_unit_id: top,
        admin,
    })
}
