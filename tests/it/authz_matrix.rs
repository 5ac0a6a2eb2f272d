//! Every route × every role, against the real server. The expected table
//! lives here, apart from `authz`, so a new route without a rule (or without
//! a row here) fails this test.
use trienkhai_core::Code;
use trienkhai_db::{Engine, demo, token, user};

use crate::support::{Client, TestApp, TestDb};

/// Roles in column order.
const ROLES: [&str; 5] = ["anonymous", "admin", "staff", "secretary", "member"];

/// (method, route, allowed for [anonymous, admin, staff, secretary, member]).
const EXPECTED: &[(&str, &str, [bool; 5])] = &[
    ("GET", "/", [true, true, true, true, true]),
    ("GET", "/livez", [true, true, true, true, true]),
    ("GET", "/healthz", [true, true, true, true, true]),
    ("GET", "/static/{file}", [true, true, true, true, true]),
    ("GET", "/setup", [true, true, true, true, true]),
    ("POST", "/setup", [true, true, true, true, true]),
    ("GET", "/login", [true, true, true, true, true]),
    ("POST", "/login", [true, true, true, true, true]),
    ("GET", "/dashboard", [false, true, true, true, true]),
    ("GET", "/account", [false, true, true, true, true]),
    ("POST", "/account/password", [false, true, true, true, true]),
    ("POST", "/account/tokens", [false, true, true, true, true]),
    (
        "POST",
        "/account/tokens/{id}/revoke",
        [false, true, true, true, true],
    ),
    ("GET", "/admin/users", [false, true, false, false, false]),
    (
        "GET",
        "/admin/users/new",
        [false, true, false, false, false],
    ),
    ("POST", "/admin/users", [false, true, false, false, false]),
    (
        "GET",
        "/admin/users/{id}",
        [false, true, false, false, false],
    ),
    (
        "POST",
        "/admin/users/{id}",
        [false, true, false, false, false],
    ),
    (
        "POST",
        "/admin/users/{id}/password",
        [false, true, false, false, false],
    ),
    ("GET", "/admin/audit", [false, true, false, false, false]),
    (
        "GET",
        "/api/v1/openapi.json",
        [true, true, true, true, true],
    ),
    ("GET", "/api/v1/me", [false, true, true, true, true]),
    ("GET", "/api/v1/dashboard", [false, true, true, true, true]),
    ("GET", "/api/v1/units", [false, true, true, true, true]),
    ("GET", "/api/v1/units/{id}", [false, true, true, true, true]),
    ("GET", "/units", [false, true, true, true, true]),
    ("GET", "/units/{id}", [false, true, true, true, true]),
    (
        "GET",
        "/units/{id}/children",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/units/{id}/members",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/units/{id}/export",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/units/{id}/import",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/units/{id}/import",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/units/{id}/import/confirm",
        [false, true, true, true, false],
    ),
    ("GET", "/people/{id}", [false, true, true, true, false]),
    ("GET", "/restructure", [false, true, true, false, false]),
    (
        "GET",
        "/restructure/units",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/restructure/preview",
        [false, true, true, false, false],
    ),
    ("POST", "/restructure", [false, true, true, false, false]),
    (
        "GET",
        "/api/v1/units/{id}/members",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/people/{id}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/restructure",
        [false, true, true, false, false],
    ),
    ("GET", "/api/v1/users", [false, true, false, false, false]),
    ("POST", "/api/v1/users", [false, true, false, false, false]),
    ("GET", "/api/v1/audit", [false, true, false, false, false]),
    ("GET", "/documents", [false, true, true, true, true]),
    ("GET", "/documents/export", [false, true, true, true, true]),
    ("GET", "/documents/new", [false, true, true, false, false]),
    ("POST", "/documents", [false, true, true, false, false]),
    ("GET", "/documents/issue", [false, true, true, false, false]),
    (
        "POST",
        "/documents/issue",
        [false, true, true, false, false],
    ),
    ("GET", "/documents/{id}", [false, true, true, true, true]),
    (
        "GET",
        "/documents/{id}/docx",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/documents/{id}/pdf",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/documents/{id}/files",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/documents/{id}/files/{file}",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/documents/{id}/relations",
        [false, true, true, false, false],
    ),
    ("GET", "/search", [false, true, true, true, true]),
    ("GET", "/api/v1/search", [false, true, true, true, true]),
    ("GET", "/api/v1/documents", [false, true, true, true, true]),
    (
        "POST",
        "/api/v1/documents",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/documents/issue",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/api/v1/documents/{id}",
        [false, true, true, true, true],
    ),
    ("GET", "/campaigns", [false, true, true, false, false]),
    ("GET", "/campaigns/new", [false, true, true, false, false]),
    (
        "GET",
        "/campaigns/committees",
        [false, true, true, false, false],
    ),
    ("POST", "/campaigns", [false, true, true, false, false]),
    ("GET", "/campaigns/{id}", [false, true, true, false, false]),
    (
        "POST",
        "/campaigns/{id}/lock",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/campaigns/{id}/report.docx",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/campaigns/{id}/report.xlsx",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/api/v1/campaigns",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/campaigns",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/api/v1/campaigns/{id}/board",
        [false, true, true, false, false],
    ),
    // The secretary's own unit's obligation; members report nothing.
    ("GET", "/obligations", [false, true, true, true, false]),
    ("GET", "/obligations/{id}", [false, true, true, true, false]),
    (
        "POST",
        "/obligations/{id}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/obligations/{id}/collect",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/obligations/{id}/parts/{unit}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/obligations/{id}/parts/{unit}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/obligations/{id}/draft",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/obligations/{id}/files",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/obligations/{id}/files/{file}",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/obligations",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/obligations/{id}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/obligations/{id}/report",
        [false, true, true, true, false],
    ),
    // Last, because it ends each role's session.
    ("POST", "/logout", [false, true, true, true, true]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_has_a_rule_and_the_expected_roles() {
    let registered: Vec<(String, String)> = trienkhai_web::route_list()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    for r in &registered {
        assert!(
            trienkhai_web::authz::rule(&r.0.parse().unwrap(), &r.1).is_some(),
            "route {} {} has no authorization rule in authz.rs",
            r.0,
            r.1
        );
        assert!(
            expected.contains(r),
            "route {} {} is missing from the matrix test",
            r.0,
            r.1
        );
    }
    for e in &expected {
        assert!(
            registered.contains(e),
            "matrix lists {} {} but no such route exists",
            e.0,
            e.1
        );
    }

    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let member = user::by_username(&t.db, "dangvien").await.unwrap().unwrap();
    let unit_id = member.unit_id.unwrap();
    let person_id = member.person_id.unwrap();
    let actor = trienkhai_db::Actor::system("test");
    // A received document: its DOCX and PDF routes answer 404 without
    // running LibreOffice, which is all the matrix needs.
    let received = trienkhai_db::document::by_symbol(&t.db, "35-NQ/TW")
        .await
        .unwrap()[0]
        .id;

    // The running demo campaign and the secretary's unit's obligation in it.
    let secretary = user::by_username(&t.db, "bithu").await.unwrap().unwrap();
    let unit_path = trienkhai_db::unit::get(&t.db, secretary.unit_id.unwrap())
        .await
        .unwrap()
        .unwrap()
        .path;
    let own = trienkhai_db::campaign::obligation::mine(&t.db, &unit_path)
        .await
        .unwrap()[0]
        .clone();
    let lock_last = own.campaign_id;
    let cell = trienkhai_db::restructure::current_children(&t.db, own.unit_id)
        .await
        .unwrap()[0]
        .0;

    // One browser session and one API token per role.
    let mut clients = Vec::new();
    let mut tokens = Vec::new();
    for role in ROLES {
        let c = app.client();
        let username = match role {
            "anonymous" => None,
            "admin" => Some(demo::ADMIN),
            "staff" => Some("canbo"),
            "secretary" => Some("bithu"),
            _ => Some("dangvien"),
        };
        let tok = match username {
            Some(u) => {
                c.login_ok(u, demo::PASSWORD).await;
                let uid = user::by_username(&t.db, u).await.unwrap().unwrap().id;
                Some(token::create(&t.db, &actor, uid, "matrix").await.unwrap())
            }
            None => None,
        };
        clients.push(c);
        tokens.push(tok);
    }

    let mut failures = Vec::new();
    for (method, route, allowed) in EXPECTED {
        let path = route
            .replace("/static/{file}", "/static/app.css")
            .replace("/users/{id}", &format!("/users/{}", member.id))
            .replace("/tokens/{id}", "/tokens/999999")
            .replace("/units/{id}", &format!("/units/{unit_id}"))
            .replace("/people/{id}", &format!("/people/{person_id}"))
            .replace("/documents/{id}", &format!("/documents/{received}"))
            .replace("/parts/{unit}", &format!("/parts/{cell}"))
            .replace("/obligations/{id}", &format!("/obligations/{}", own.id))
            // Locking the running campaign would close it for the routes after.
            .replace(
                "/campaigns/{id}/lock",
                &format!("/campaigns/{}/lock", lock_last + 1000),
            )
            .replace(
                "/campaigns/{id}",
                &format!("/campaigns/{}", own.campaign_id),
            )
            .replace("{file}", "999999");
        for (i, role) in ROLES.iter().enumerate() {
            let c: &Client = &clients[i];
            let mut req = c.http.request(method.parse().unwrap(), app.url(&path));
            if path.starts_with("/api/") {
                if let Some(tok) = &tokens[i] {
                    req = req.bearer_auth(tok);
                }
                if *method == "POST" {
                    req = req.json(&serde_json::json!({}));
                }
            } else if *method == "POST" {
                let page = if *role == "anonymous" {
                    "/login"
                } else {
                    "/account"
                };
                let csrf = c.csrf(page).await;
                req = req.form(&[("_csrf", csrf.as_str())]);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            // Denied by the rule (the guard's header) or by a scope check
            // in authz that the handler applies (403).
            let denied = res.headers().get("x-trienkhai-denied").is_some() || status == 403;
            let body = res.text().await.unwrap_or_default();
            assert!(
                !body.contains(Code::CsrfFailed.message()),
                "{method} {path} as {role}: CSRF refused"
            );
            assert!(
                status < 500,
                "{method} {path} as {role}: server error {status}"
            );
            if denied == allowed[i] {
                failures.push(format!(
                    "{method} {route} as {role}: expected {}, got {status}",
                    if allowed[i] { "allowed" } else { "denied" }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix mismatches:\n{}",
        failures.join("\n")
    );
    t.cleanup().await;
}
