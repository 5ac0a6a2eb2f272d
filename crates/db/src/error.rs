use trienkhai_core::{Code, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The user's input was wrong; nothing was written.
    #[error("dữ liệu không hợp lệ")]
    Invalid(Vec<FieldError>),
    /// A user-facing refusal with a stable code.
    #[error("{0:?}")]
    Refused(Code),
    /// Start-up configuration problem, printed as one line.
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    pub fn field(field: &'static str, code: Code) -> Self {
        DbError::Invalid(vec![FieldError::new(field, code)])
    }

    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
