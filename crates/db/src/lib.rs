//! Storage: one SQL path for SQLite and PostgreSQL. Callers see domain
//! functions only; the engine enum and SQL stay inside this crate.
#[macro_use]
mod pool;
pub mod audit;
pub mod campaign;
pub mod counter;
pub mod dashboard;
pub mod demo;
pub mod document;
pub mod error;
pub mod member;
pub mod member_import;
pub mod nodelay;
pub mod password;
pub mod person;
mod read;
pub mod restructure;
pub mod roll;
pub mod scale;
pub mod session;
pub mod setting;
pub mod setup;
pub mod throttle;
pub mod token;
pub mod unit;
pub mod user;

pub use audit::Actor;
pub use error::{DbError, DbResult};
pub use pool::{
    Db, Engine, Tx, connect, connect_serving, migration_versions, now_ms, pool_engine_check,
};
