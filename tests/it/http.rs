//! HTTP-level tests of each route: first start, login, pages, bad input,
//! the API, and two instances sharing one PostgreSQL.
use trienkhai_core::Code;
use trienkhai_db::{Engine, audit, demo, token, unit, user};
use trienkhai_web::WebConfig;

use crate::{
    both_engines,
    support::{Client, TestApp, TestDb, location, top_unit},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_setup_then_login() {
    let t = TestDb::new(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let c = app.client();
    let r = c.get("/").await;
    assert_eq!(location(&r), "/setup");
    let (s, html) = c.text("/setup").await;
    assert_eq!(s, 200);
    assert!(html.contains("Khởi tạo hệ thống") && html.contains("Đảng bộ cấp trên cơ sở"));

    // Mistakes are shown at the field, in Vietnamese, and nothing is written.
    let bad = c
        .submit(
            "/setup",
            "/setup",
            &[
                ("unit_name", ""),
                ("type_code", "cap_tren_co_so"),
                ("unit_code", "DUK"),
                ("issuer_code", "ĐUK"),
                ("valid_from", "31/02/2020"),
                ("display_name", "Nguyễn Văn An"),
                ("username", "admin"),
                ("password", "ngan"),
                ("confirm", "khac"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let html = bad.text().await.unwrap();
    for code in [
        Code::Required,
        Code::InvalidDate,
        Code::PasswordTooShort,
        Code::PasswordMismatch,
    ] {
        assert!(
            html.contains(code.message()),
            "missing message: {}",
            code.message()
        );
    }
    assert!(
        html.contains("id=\"valid_from-err\""),
        "message sits at its field"
    );
    assert!(
        html.contains("value=\"Nguyễn Văn An\""),
        "typed values are kept"
    );
    assert!(!trienkhai_db::setup::is_done(&t.db).await.unwrap());
    assert!(!user::any_exists(&t.db).await.unwrap());

    let ok = c
        .submit(
            "/setup",
            "/setup",
            &[
                ("unit_name", "Đảng bộ Khối các cơ quan tỉnh"),
                ("type_code", "cap_tren_co_so"),
                ("unit_code", "duk"),
                ("issuer_code", "ĐUK"),
                ("valid_from", "2000-01-01"),
                ("display_name", "Nguyễn Văn An"),
                ("username", "admin"),
                ("password", "mat-khau-dai-1"),
                ("confirm", "mat-khau-dai-1"),
            ],
        )
        .await;
    assert_eq!(ok.status().as_u16(), 303);
    assert_eq!(location(&ok), "/login?ready=1");
    assert_eq!(
        location(&c.get("/setup").await),
        "/login",
        "setup is gone once done"
    );
    let again = c.submit("/login", "/setup", &[("username", "x")]).await;
    assert_eq!(again.status().as_u16(), 409);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains(Code::AlreadySetUp.message())
    );

    c.login_ok("admin", "mat-khau-dai-1").await;
    let (s, html) = c.text("/dashboard").await;
    assert_eq!(s, 200);
    assert!(html.contains("Đảng bộ Khối các cơ quan tỉnh") && html.contains("Lãnh đạo hiện nay"));
    assert!(html.contains("lang=\"vi\""));
    t.cleanup().await;
}

async fn login_dashboard_logout(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let app = TestApp::spawn(&t.db).await;
    let c = app.client();
    assert!(location(&c.get("/dashboard").await).starts_with("/login?next=%2Fdashboard"));
    let r = c.login(demo::ADMIN, demo::PASSWORD).await;
    assert_eq!(location(&r), "/dashboard");
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure")
    );
    assert!(
        !cookie.contains("Max-Age"),
        "lifetime is kept in the database, not the browser"
    );
    let (s, html) = c.text("/dashboard").await;
    assert_eq!(s, 200);
    assert!(html.contains("Đảng bộ tỉnh"));
    assert!(
        html.contains("Đảng bộ các cơ quan Đảng tỉnh"),
        "today's tree: the committees of 2025"
    );
    assert!(html.contains("35-NQ/TW"), "documents from the seeds");
    let token = c.csrf("/dashboard").await;
    let out = c.post_form("/logout", &[("_csrf", &token)]).await;
    assert_eq!(location(&out), "/login?bye=1");
    assert!(
        location(&c.get("/dashboard").await).starts_with("/login"),
        "session ended"
    );
    t.cleanup().await;
}
both_engines!(login_and_logout, login_dashboard_logout);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_next_stays_on_site_and_cookies_can_be_secure() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn_with(
        &t.db,
        WebConfig {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await;
    let c = app.client();
    let token = c.csrf("/login").await;
    let r = c
        .post_form(
            "/login",
            &[
                ("_csrf", &token),
                ("username", "quantri"),
                ("password", demo::PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/dashboard");
    assert!(
        r.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_csrf_are_refused() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let c = app.client();
    // Anonymous form: no token, then a token that does not match the cookie.
    let r = c
        .post_form(
            "/login",
            &[("username", "quantri"), ("password", demo::PASSWORD)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains(Code::CsrfFailed.message()));
    c.csrf("/login").await;
    let r = c
        .post_form(
            "/login",
            &[
                ("_csrf", "0".repeat(64).as_str()),
                ("username", "quantri"),
                ("password", demo::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    // Signed in: every state change needs the session's token.
    c.login_ok(demo::ADMIN, demo::PASSWORD).await;
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = c
        .post_form(
            "/admin/users",
            &[
                ("username", "x"),
                ("display_name", "X"),
                ("role", "staff"),
                ("password", "mat-khau-dai-1"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(user::by_username(&t.db, "x").await.unwrap().is_none());
    // The htmx header form works too.
    let token = c.csrf("/dashboard").await;
    let r = c
        .http
        .post(app.url("/logout"))
        .header("x-csrf-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    // A login tab left open while logging in elsewhere still submits.
    let stale = c.csrf("/login").await;
    c.login_ok("canbo", demo::PASSWORD).await;
    let r = c
        .post_form(
            "/login",
            &[
                ("_csrf", &stale),
                ("username", "quantri"),
                ("password", demo::PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_wrong_passwords_are_throttled() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let c = app.client();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(c.login(demo::ADMIN, "sai-mat-khau").await.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert_eq!(&statuses[5..], &[429; 5], "throttled after five failures");
    let r = c.login(demo::ADMIN, demo::PASSWORD).await;
    assert_eq!(r.status().as_u16(), 429, "even the right password waits");
    assert!(r.text().await.unwrap().contains(Code::Throttled.message()));
    // Another account from the same address is not locked yet.
    app.client().login_ok("canbo", demo::PASSWORD).await;
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_an_attacker_cannot_lock_out_the_real_user() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let cfg = WebConfig {
        trust_proxy: true,
        ..Default::default()
    };
    let app = TestApp::spawn_with(&t.db, cfg).await;
    // The attacker forges the left part of the chain; the proxy appends the real address.
    let attacker = Client::forwarded_for(&app.base, "1.2.3.4, 203.0.113.7");
    for _ in 0..6 {
        attacker.login(demo::ADMIN, "doan-mo").await;
    }
    assert_eq!(
        attacker
            .login(demo::ADMIN, demo::PASSWORD)
            .await
            .status()
            .as_u16(),
        429
    );
    let forged = Client::forwarded_for(&app.base, "5.6.7.8, 203.0.113.7");
    assert_eq!(
        forged.login(demo::ADMIN, "doan-mo").await.status().as_u16(),
        429,
        "forging the left part does not help"
    );
    Client::forwarded_for(&app.base, "198.51.100.2")
        .login_ok(demo::ADMIN, demo::PASSWORD)
        .await;
    let who = audit::list(
        &t.db,
        &audit::Filter {
            action: Some("login".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(who[0].ip.as_deref(), Some("198.51.100.2"));
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_needs_a_valid_token() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let http = reqwest::Client::new();
    let r = http.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers().get("www-authenticate").unwrap(), "Bearer");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unauthenticated");
    assert_eq!(body["message"], Code::Unauthenticated.message());
    let r = http
        .get(app.url("/api/v1/me"))
        .bearer_auth("tk_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // A browser session is not an API credential.
    let c = app.client();
    c.login_ok(demo::ADMIN, demo::PASSWORD).await;
    assert_eq!(c.get("/api/v1/me").await.status().as_u16(), 401);

    let admin = user::by_username(&t.db, demo::ADMIN)
        .await
        .unwrap()
        .unwrap();
    let tok = token::create(&t.db, &trienkhai_db::Actor::system("test"), admin.id, "t")
        .await
        .unwrap();
    let me = app.api_json(&tok, "/api/v1/me").await;
    assert_eq!(me["username"], "quantri");
    let dash = app.api_json(&tok, "/api/v1/dashboard").await;
    assert_eq!(dash["unit"]["name"], "Đảng bộ tỉnh");
    assert_eq!(dash["counters"]["documents"], 12);

    // Bad JSON and invalid fields: clear JSON errors, never a 500.
    let r = http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&tok)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"],
        "bad_request"
    );
    let r = http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"username": "ab cd", "display_name": "X", "password": "ngan", "role": "secretary", "unit_code": "KHONGCO"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "unit_code");
    let r = http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"username": "canbo2", "display_name": "Cán bộ", "password": "mat-khau-dai-1", "role": "staff", "board_id": 99999}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        422,
        "an unknown board is a field error, not a 500"
    );
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["fields"][0]["field"],
        "board_id"
    );
    let r = http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"username": "bithu2", "display_name": "Phó Bí thư", "password": "mat-khau-dai-1", "role": "secretary", "unit_code": "sct"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    // The OpenAPI document lists every API route.
    let spec: serde_json::Value = http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for r in trienkhai_web::route_list()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
    {
        assert!(
            spec["paths"][r.path][r.method.as_str().to_lowercase()].is_object(),
            "{} missing from openapi",
            r.path
        );
    }
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secretaries_and_members_see_only_their_units() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let actor = trienkhai_db::Actor::system("test");
    let tok = |name: &'static str| {
        let db = t.db.clone();
        let actor = actor.clone();
        async move {
            let u = user::by_username(&db, name).await.unwrap().unwrap();
            token::create(&db, &actor, u.id, "t").await.unwrap()
        }
    };
    let (sec, mem, staff) = (
        tok("bithu").await,
        tok("dangvien").await,
        tok("canbo").await,
    );
    let top = top_unit(&t.db).await.unwrap();
    let sct = unit::by_code(&t.db, "SCT").await.unwrap().unwrap();
    let stc = unit::by_code(&t.db, "STC").await.unwrap().unwrap();
    assert_eq!(
        app.api_status(&sec, &format!("/api/v1/units/{}", sct.id))
            .await,
        200
    );
    assert_eq!(
        app.api_status(&sec, &format!("/api/v1/units/{}", top.id))
            .await,
        403
    );
    assert_eq!(
        app.api_status(&sec, &format!("/api/v1/units/{}", stc.id))
            .await,
        403
    );
    assert_eq!(
        app.api_status(&staff, &format!("/api/v1/units/{}", stc.id))
            .await,
        200
    );
    let list = app.api_json(&sec, "/api/v1/units").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(
        items
            .iter()
            .all(|u| u["path"].as_str().unwrap().starts_with(&sct.path))
    );
    let list = app.api_json(&mem, "/api/v1/units?limit=1").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(
        list["next"].is_null(),
        "a member's single page has no next cursor"
    );
    assert_eq!(
        app.api_status(&sec, "/api/v1/units?as_of=30/02/2020").await,
        422
    );
    // A secretary's dashboard is their own unit, without committee totals.
    let c = app.client();
    c.login_ok("bithu", demo::PASSWORD).await;
    let (_, html) = c.text("/dashboard").await;
    assert!(html.contains("Đảng bộ Sở Công Thương") && html.contains("phạm vi của bạn"));
    assert!(!html.contains("hồ sơ đảng viên"));
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_admin_stale_forms_and_forced_password_change() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let admin = app.client();
    admin.login_ok(demo::ADMIN, demo::PASSWORD).await;
    let (s, html) = admin.text("/admin/users").await;
    assert_eq!(s, 200);
    assert!(html.contains("canbo") && html.contains("Tổng số: 4 tài khoản"));

    // Create with NFD input and a bad unit code first.
    let nfd = "Tra\u{302}\u{300}n Thi\u{323} Mai";
    let create = |unit: &'static str| {
        let admin = admin.clone();
        async move {
            let form = [
                ("username", "mai"),
                ("display_name", nfd),
                ("role", "secretary"),
                ("unit_code", unit),
                ("password", "tam-thoi-12345"),
            ];
            admin
                .submit("/admin/users/new", "/admin/users", &form)
                .await
        }
    };
    let r = create("KHONGCO").await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(Code::UnitNotFound.message())
    );
    let r = create("stc").await;
    assert_eq!(r.status().as_u16(), 303);
    let mai = user::by_username(&t.db, "mai").await.unwrap().unwrap();
    assert_eq!(mai.display_name, "Trần Thị Mai");
    assert!(mai.must_change_password);

    // Two tabs edit the same account; the second save is refused as stale.
    let path = format!("/admin/users/{}", mai.id);
    let v = mai.version.to_string();
    let form = |name: &'static str| {
        vec![
            ("display_name", name),
            ("role", "secretary"),
            ("unit_code", "STC"),
            ("board_id", ""),
            ("version", v.as_str()),
        ]
    };
    let r = admin.submit(&path, &path, &form("Trần Thị Mai A")).await;
    assert_eq!(r.status().as_u16(), 200);
    let r = admin.submit(&path, &path, &form("Trần Thị Mai B")).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains(Code::StaleForm.message()));
    assert_eq!(
        user::get(&t.db, mai.id)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Trần Thị Mai A"
    );

    // First login must change the temporary password before anything else.
    let m = app.client();
    let r = m.login("mai", "tam-thoi-12345").await;
    assert_eq!(location(&r), "/account");
    assert_eq!(location(&m.get("/dashboard").await), "/account");
    let r = m
        .submit(
            "/account",
            "/account/password",
            &[
                ("current", "tam-thoi-12345"),
                ("new_password", "ngan"),
                ("confirm", "khac"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(Code::PasswordTooShort.message())
            && html.contains(Code::PasswordMismatch.message())
    );
    let r = m
        .submit(
            "/account",
            "/account/password",
            &[
                ("current", "tam-thoi-12345"),
                ("new_password", "mat-khau-moi-99"),
                ("confirm", "mat-khau-moi-99"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(m.get("/dashboard").await.status().as_u16(), 200);

    // Administrator reset logs the user out everywhere.
    let r = admin
        .submit(
            &path,
            &format!("{path}/password"),
            &[("password", "lai-tam-thoi-1")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(location(&m.get("/dashboard").await).starts_with("/login"));

    // The audit screen filters, and answers htmx with the table alone.
    let (s, html) = admin
        .text("/admin/audit?entity=user&action=reset_password")
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Đặt lại mật khẩu cho mai") && html.contains("<html"));
    let r = admin
        .http
        .get(app.url("/admin/audit?entity=user"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    let part = r.text().await.unwrap();
    assert!(part.contains("audit-table") && !part.contains("<html"));
    let (s, html) = admin.text("/admin/audit?from=2026-13-40").await;
    assert_eq!(s, 422);
    assert!(
        html.contains(Code::InvalidDate.message()) && html.contains("id=\"from-err\""),
        "message at the field"
    );
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_vietnamese_pages_never_raw() {
    let t = TestDb::demo(Engine::Sqlite).await;
    // A small body limit: an over-limit body that still fits in the socket
    // buffers, so the client always reads the 413 instead of a reset.
    let cfg = WebConfig {
        max_body: 64 * 1024,
        ..Default::default()
    };
    let app = TestApp::spawn_with(&t.db, cfg).await;
    let c = app.client();
    let (s, html) = c.text("/khong-co-trang-nay").await;
    assert_eq!(s, 404);
    assert!(html.contains(Code::NotFound.message()));
    let (s, _) = c.text("/static/../../etc/passwd").await;
    assert_eq!(s, 404);
    let head = c.http.head(app.url("/livez")).send().await.unwrap();
    assert_eq!(head.status().as_u16(), 200, "HEAD follows the GET rule");
    c.login_ok(demo::ADMIN, demo::PASSWORD).await;
    let token = c.csrf("/account").await;
    let big = "x".repeat(100 * 1024);
    let r = c
        .post_form("/account/tokens", &[("_csrf", &token), ("name", &big)])
        .await;
    assert_eq!(r.status().as_u16(), 413);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(Code::PayloadTooLarge.message())
    );
    let r = c
        .post_form("/account/tokens", &[("_csrf", &token), ("name", "a\u{0}b")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = c
        .http
        .post(app.url("/admin/users/abc"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    assert!(r.text().await.unwrap().contains("lang=\"vi\""));

    // An unexpected failure (the database goes away) shows a request id.
    assert_eq!(c.get("/healthz").await.status().as_u16(), 200);
    t.db.close().await;
    let r = c.get("/dashboard").await;
    assert_eq!(r.status().as_u16(), 500);
    let id = r
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let html = r.text().await.unwrap();
    assert!(
        html.contains(Code::Internal.message()) && html.contains(&id),
        "request id on the page"
    );
    assert_eq!(c.get("/healthz").await.status().as_u16(), 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_light_and_self_contained() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let c = app.client();
    c.login_ok(demo::ADMIN, demo::PASSWORD).await;
    let (_, html) = c.text("/dashboard").await;
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );
    let mut total = html.len();
    for asset in ["/static/app.css", "/static/htmx.min.js"] {
        let r = c.get(asset).await;
        assert_eq!(r.status().as_u16(), 200);
        total += r.bytes().await.unwrap().len();
    }
    assert!(
        total < 100 * 1024,
        "dashboard weighs {total} bytes uncompressed"
    );
    let (_, js) = c.text("/static/htmx.min.js").await;
    assert!(
        js.contains("htmx") && js.contains("2.0.11"),
        "vendored htmx 2.0.x"
    );
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_share_sessions() {
    let t = TestDb::demo(Engine::Postgres).await;
    // Two separate pools, as two processes behind a load balancer would have.
    let db_b = trienkhai_db::connect(&t.url).await.unwrap();
    let a = TestApp::spawn(&t.db).await;
    let b = TestApp::spawn(&db_b).await;
    let c: Client = a.client();
    c.login_ok(demo::ADMIN, demo::PASSWORD).await;
    let via_b = c.on(&b.base);
    let (s, html) = via_b.text("/dashboard").await;
    assert_eq!(s, 200, "a login made through A continues through B");
    assert!(html.contains("Đảng bộ tỉnh"));
    // A form rendered by B is accepted by A, and logging out on A ends it on B.
    let token = via_b.csrf("/dashboard").await;
    let r = c.post_form("/logout", &[("_csrf", &token)]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(location(&via_b.get("/dashboard").await).starts_with("/login"));
    db_b.close().await;
    t.cleanup().await;
}
