//! The four roles of issue #2. Their scopes are enforced in web::authz.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Quản trị hệ thống.
    Admin,
    /// Cán bộ cơ quan cấp ủy, optionally limited to one board.
    Staff,
    /// Bí thư / phó bí thư cơ sở: their unit and its sub-units.
    Secretary,
    /// Đảng viên: own data and documents circulated to them.
    Member,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Staff, Role::Secretary, Role::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Secretary => "secretary",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Staff => "Cán bộ cơ quan cấp ủy",
            Role::Secretary => "Bí thư, phó bí thư cơ sở",
            Role::Member => "Đảng viên",
        }
    }
}
