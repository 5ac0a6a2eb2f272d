//! Domain vocabulary shared by storage and web: no IO here.
pub mod cite;
pub mod collate;
pub mod due;
pub mod error;
pub mod fmt;
pub mod name;
pub mod role;
pub mod term;
pub mod text;

pub use error::{Code, FieldError};
pub use role::Role;
