//! Authorization, decided here and nowhere else. Every route has a rule;
//! a route without one is refused (and the route × role matrix test fails).
use axum::http::Method;
use trienkhai_core::Role;
use trienkhai_db::session::Current;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    User,
    /// The committee office: administrators and staff.
    Office,
    /// Administrators only.
    Admin,
}

/// The rule for a route, keyed by method and the route's pattern.
pub fn rule(method: &Method, path: &str) -> Option<Access> {
    use Access::*;
    // axum answers HEAD with the GET handler; so does the rule.
    let m = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    Some(match (m, path) {
        ("GET", "/" | "/livez" | "/healthz" | "/static/{file}" | "/login" | "/setup") => Public,
        ("POST", "/login" | "/setup") => Public,
        ("GET", "/api/v1/openapi.json") => Public,
        ("POST", "/logout") => User,
        ("GET", "/dashboard" | "/account") => User,
        ("POST", "/account/password" | "/account/tokens" | "/account/tokens/{id}/revoke") => User,
        ("GET", "/admin/users" | "/admin/users/new" | "/admin/users/{id}" | "/admin/audit") => {
            Admin
        }
        ("POST", "/admin/users" | "/admin/users/{id}" | "/admin/users/{id}/password") => Admin,
        ("GET", "/api/v1/me" | "/api/v1/dashboard" | "/api/v1/units" | "/api/v1/units/{id}") => {
            User
        }
        ("GET", "/units" | "/units/{id}" | "/units/{id}/children" | "/units/{id}/members") => User,
        ("GET", "/units/{id}/export") => User,
        ("GET", "/units/{id}/import" | "/people/{id}") => User,
        ("POST", "/units/{id}/import" | "/units/{id}/import/confirm") => User,
        ("GET", "/restructure" | "/restructure/units") => Office,
        ("POST", "/restructure/preview" | "/restructure") => Office,
        ("GET", "/api/v1/units/{id}/members" | "/api/v1/people/{id}") => User,
        ("POST", "/api/v1/restructure") => Office,
        ("GET", "/documents" | "/documents/export" | "/documents/{id}" | "/search") => User,
        (
            "GET",
            "/documents/{id}/docx" | "/documents/{id}/pdf" | "/documents/{id}/files/{file}",
        ) => User,
        ("GET", "/documents/new" | "/documents/issue") => Office,
        ("POST", "/documents" | "/documents/issue" | "/documents/{id}/files") => Office,
        ("POST", "/documents/{id}/relations") => Office,
        ("GET", "/api/v1/search" | "/api/v1/documents" | "/api/v1/documents/{id}") => User,
        ("POST", "/api/v1/documents" | "/api/v1/documents/issue") => Office,
        ("GET", "/campaigns" | "/campaigns/new" | "/campaigns/committees" | "/campaigns/{id}") => {
            Office
        }
        ("GET", "/campaigns/{id}/report.docx" | "/campaigns/{id}/report.xlsx") => Office,
        ("POST", "/campaigns" | "/campaigns/{id}/lock") => Office,
        ("GET", "/api/v1/campaigns" | "/api/v1/campaigns/{id}/board") => Office,
        ("POST", "/api/v1/campaigns") => Office,
        // Obligations: the handler checks the unit (a secretary's own subtree).
        ("GET", "/obligations" | "/obligations/{id}" | "/obligations/{id}/files/{file}") => User,
        ("POST", "/obligations/{id}" | "/obligations/{id}/draft" | "/obligations/{id}/files") => {
            User
        }
        ("GET", "/api/v1/obligations" | "/api/v1/obligations/{id}") => User,
        ("POST", "/api/v1/obligations/{id}/report") => User,
        ("POST", "/obligations/{id}/collect" | "/obligations/{id}/parts/{unit}") => User,
        ("GET", "/obligations/{id}/parts/{unit}") => User,
        ("GET", "/api/v1/users" | "/api/v1/audit") => Admin,
        ("POST", "/api/v1/users") => Admin,
        _ => return None,
    })
}

pub fn allows(access: Access, role: Option<Role>) -> bool {
    match (access, role) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::User, Some(_)) => true,
        (Access::Office, Some(r)) => matches!(r, Role::Admin | Role::Staff),
        (Access::Admin, Some(r)) => r == Role::Admin,
    }
}

/// First-start setup is open to anyone only while no account exists; once
/// `create-admin` has made one, only a signed-in administrator may run it.
pub fn may_set_up(users_exist: bool, role: Option<Role>) -> bool {
    !users_exist || role == Some(Role::Admin)
}

/// Which units a signed-in account may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// A unit and everything below it (materialized path prefix).
    Subtree(String),
    /// One unit only (a member's own).
    Own(i64),
    Nothing,
}

pub fn scope(cur: &Current) -> Scope {
    match cur.role() {
        Some(Role::Admin | Role::Staff) => Scope::All,
        Some(Role::Secretary) => match &cur.unit_path {
            Some(p) => Scope::Subtree(p.clone()),
            None => Scope::Nothing,
        },
        Some(Role::Member) => cur.unit_id.map(Scope::Own).unwrap_or(Scope::Nothing),
        None => Scope::Nothing,
    }
}

pub fn can_see_unit(cur: &Current, unit_id: i64, unit_path: &str) -> bool {
    match scope(cur) {
        Scope::All => true,
        Scope::Subtree(p) => unit_path.starts_with(&p),
        Scope::Own(id) => id == unit_id,
        Scope::Nothing => false,
    }
}

/// Member rolls are personal data: a member sees their unit, not its roll.
pub fn may_list_members(cur: &Current, unit_id: i64, unit_path: &str) -> bool {
    cur.role() != Some(Role::Member) && can_see_unit(cur, unit_id, unit_path)
}

/// Importing a roll: the committee office anywhere, a secretary in their subtree.
pub fn may_manage_members(cur: &Current, unit_path: &str) -> bool {
    match scope(cur) {
        Scope::All => true,
        Scope::Subtree(p) => unit_path.starts_with(&p),
        Scope::Own(_) | Scope::Nothing => false,
    }
}

/// Reporting for a unit in a campaign: the office for any unit, a
/// secretary for their own unit and those under it.
pub fn may_report(cur: &Current, unit_path: &str) -> bool {
    may_manage_members(cur, unit_path)
}

/// A person's record: the office, or a secretary whose subtree holds one
/// of the units the person belongs or belonged to.
pub fn may_see_person(cur: &Current, unit_paths: &[String]) -> bool {
    match scope(cur) {
        Scope::All => true,
        Scope::Subtree(p) => unit_paths.iter().any(|u| u.starts_with(&p)),
        Scope::Own(_) | Scope::Nothing => false,
    }
}

/// Documents marked secret (Mật, Tối mật, Tuyệt mật) are for the committee
/// office only: in lists, pages, search and every list of related documents.
pub fn may_see_secret(cur: &Current) -> bool {
    matches!(cur.role(), Some(Role::Admin | Role::Staff))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(role: Role, unit: Option<(i64, &str)>) -> Current {
        Current {
            session_id: String::new(),
            csrf: String::new(),
            last_seen_at: 0,
            user_id: 1,
            username: "x".into(),
            display_name: "x".into(),
            role: role.as_str().into(),
            unit_id: unit.map(|u| u.0),
            unit_path: unit.map(|u| u.1.to_string()),
            board_id: None,
            must_change_password: false,
            unread: 0,
        }
    }

    #[test]
    fn scopes_follow_the_tree() {
        let sec = cur(Role::Secretary, Some((7, "/1/7/")));
        assert!(can_see_unit(&sec, 7, "/1/7/"));
        assert!(can_see_unit(&sec, 9, "/1/7/9/"));
        assert!(!can_see_unit(&sec, 1, "/1/"));
        assert!(!can_see_unit(&sec, 71, "/1/71/"));
        let mem = cur(Role::Member, Some((9, "/1/7/9/")));
        assert!(can_see_unit(&mem, 9, "/1/7/9/"));
        assert!(!can_see_unit(&mem, 10, "/1/7/9/10/"));
        assert!(can_see_unit(&cur(Role::Staff, None), 1, "/1/"));
    }

    #[test]
    fn unknown_routes_have_no_rule() {
        assert_eq!(rule(&Method::GET, "/nowhere"), None);
        assert_eq!(rule(&Method::DELETE, "/login"), None);
        assert_eq!(rule(&Method::HEAD, "/livez"), Some(Access::Public));
        assert!(!allows(Access::User, None));
        assert!(allows(Access::User, Some(Role::Member)));
        assert!(!allows(Access::Admin, Some(Role::Staff)));
    }
}
