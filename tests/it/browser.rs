//! Browser tests: Debian's Chromium through chromedriver (thirtyfour):
//! first-run setup, log in, the dashboard, log out; and a merge carried
//! out in the restructuring wizard, then its lineage on the successor, then a
//! large tree opened a level at a time.
use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use thirtyfour::prelude::*;
use trienkhai_db::Engine;

use crate::support::{TempDir, TestApp, TestDb};

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver_path() -> Option<String> {
    let p = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    std::path::Path::new(&p).exists().then_some(p)
}

async fn start_driver(path: &str) -> (Driver, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (Driver(child), url)
}

async fn fill(d: &WebDriver, id: &str, value: &str) -> WebDriverResult<()> {
    let e = d.find(By::Id(id)).await?;
    e.clear().await?;
    e.send_keys(value).await
}

/// Chromium with a fresh profile, or None (and a note) without chromedriver;
/// in CI a missing driver is a failure.
async fn browser() -> Option<(Driver, WebDriver, TempDir)> {
    let Some(path) = chromedriver_path() else {
        assert!(
            std::env::var("CI").is_err(),
            "chromedriver is required in CI (apt-get install chromium-driver)"
        );
        eprintln!("browser test skipped: no chromedriver (install chromium-driver)");
        return None;
    };
    let (driver, url) = start_driver(&path).await;
    let profile = TempDir::new();
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,900",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.0.display()))
        .unwrap();
    let d = WebDriver::new(&url, caps).await.expect("start chromium");
    Some((driver, d, profile))
}

async fn login(d: &WebDriver, app: &TestApp, user: &str, password: &str) -> WebDriverResult<()> {
    d.goto(app.url("/login")).await?;
    fill(d, "username", user).await?;
    fill(d, "password", password).await?;
    d.find(By::Css("#login-form button[type=submit]"))
        .await?
        .click()
        .await?;
    d.query(By::Id("dashboard-title")).first().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_login_dashboard_logout_in_chromium() {
    let Some((_driver, d, _profile)) = browser().await else {
        return;
    };
    let t = TestDb::new(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let result = async {
        d.goto(app.url("/")).await?;
        d.query(By::Id("setup-form")).first().await?;
        fill(&d, "unit_name", "Đảng bộ Khối các cơ quan tỉnh").await?;
        fill(&d, "unit_code", "DUK").await?;
        fill(&d, "issuer_code", "ĐUK").await?;
        d.execute(
            "document.getElementById('valid_from').value = '2000-01-01'",
            vec![],
        )
        .await?;
        fill(&d, "display_name", "Nguyễn Thị Hoà").await?;
        fill(&d, "username", "admin").await?;
        fill(&d, "password", "mat-khau-dai-1").await?;
        fill(&d, "confirm", "mat-khau-dai-1").await?;
        d.find(By::Css("#setup-form button[type=submit]"))
            .await?
            .click()
            .await?;
        d.query(By::Id("login-form")).first().await?;
        login(&d, &app, "admin", "mat-khau-dai-1").await?;
        let title = d.query(By::Id("dashboard-title")).first().await?;
        assert_eq!(title.text().await?, "Đảng bộ Khối các cơ quan tỉnh");
        let body = d.find(By::Tag("body")).await?.text().await?;
        assert!(
            body.contains("Nguyễn Thị Hoà") && body.contains("Lãnh đạo hiện nay"),
            "{body}"
        );
        d.find(By::Id("logout")).await?.click().await?;
        d.query(By::Id("login-form")).first().await?;
        let body = d.find(By::Tag("body")).await?.text().await?;
        assert!(body.contains("Bạn đã đăng xuất"));
        d.goto(app.url("/dashboard")).await?;
        d.query(By::Id("login-form")).first().await?;
        WebDriverResult::Ok(())
    }
    .await;
    d.quit().await.ok();
    result.expect("browser flow");
    t.cleanup().await;
}

/// Saves a screenshot when TRIENKHAI_SCREENSHOTS names a folder (README images).
async fn snap(d: &WebDriver, name: &str) -> WebDriverResult<()> {
    if let Ok(dir) = std::env::var("TRIENKHAI_SCREENSHOTS") {
        d.screenshot(&std::path::Path::new(&dir).join(name)).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_in_the_wizard_then_lineage_on_the_successor() {
    let Some((_driver, d, _profile)) = browser().await else {
        return;
    };
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let result = async {
        login(&d, &app, "canbo", trienkhai_db::demo::PASSWORD).await?;
        d.goto(app.url("/units")).await?;
        d.query(By::Id("tree")).first().await?;
        snap(&d, "tree.png").await?;
        d.find(By::LinkText("Sắp xếp, kiện toàn tổ chức"))
            .await?
            .click()
            .await?;
        d.find(By::Id("kind-merge")).await?.click().await?;
        d.query(By::Id("wizard")).first().await?;
        // The code picker suggests units by name, keeping the codes typed.
        fill(&d, "source_codes", "SCT, tài ch").await?;
        d.query(By::Css("#unit-codes option[value='SCT, STC']"))
            .first()
            .await?;
        fill(&d, "source_codes", "SCT, STC").await?;
        fill(&d, "new_code", "SCTC").await?;
        fill(&d, "new_name", "Đảng bộ Sở Công Thương và Tài chính").await?;
        d.find(By::Css("#new_type option[value=dang_bo_co_so]"))
            .await?
            .click()
            .await?;
        fill(&d, "new_issuer", "ĐU").await?;
        fill(&d, "effective_on", "01/03/2026").await?;
        fill(&d, "decision", "45-QĐ/ĐU").await?;
        d.find(By::Id("preview")).await?.click().await?;

        // The preview names what will end, start and move; nothing is written yet.
        let plan = d.query(By::Id("plan")).first().await?.text().await?;
        assert!(
            plan.contains("Đảng bộ Sở Công Thương và Tài chính"),
            "{plan}"
        );
        let ended = d.find(By::Id("plan-ended")).await?.text().await?;
        assert!(
            ended.contains("Đảng bộ Sở Công Thương") && ended.contains("Đảng bộ Sở Tài chính"),
            "{ended}"
        );
        let moved = d.find(By::Id("plan-moved")).await?.text().await?;
        assert!(moved.contains("Chi bộ 1"), "{moved}");
        assert!(
            trienkhai_db::unit::by_code(&t.db, "SCTC")
                .await
                .unwrap()
                .is_none(),
            "a preview writes nothing"
        );
        snap(&d, "restructure-preview.png").await?;
        d.find(By::Id("confirm")).await?.click().await?;

        // The successor's page shows where it came from.
        let name = d.query(By::Id("unit-name")).first().await?.text().await?;
        assert_eq!(name, "Đảng bộ Sở Công Thương và Tài chính");
        let history = d.find(By::Id("history")).await?.text().await?;
        assert!(history.contains("Hợp nhất theo 45-QĐ/ĐU"), "{history}");
        assert!(
            history.contains("Tiếp nhận từ Đảng bộ Sở Công Thương")
                && history.contains("Tiếp nhận từ Đảng bộ Sở Tài chính"),
            "{history}"
        );
        let children = d.find(By::Id("children")).await?.text().await?;
        assert!(children.contains("Chi bộ 1"), "{children}");
        snap(&d, "unit-lineage.png").await?;
        d.set_window_rect(0, 0, 390, 844).await?;
        snap(&d, "unit-phone.png").await?;
        d.set_window_rect(0, 0, 1280, 900).await?;
        // The predecessor's page points to the successor.
        d.find(By::LinkText("Tiếp nhận từ Đảng bộ Sở Công Thương"))
            .await?
            .click()
            .await?;
        let history = d.query(By::Id("history")).first().await?.text().await?;
        assert!(
            history.contains("Chuyển sang Đảng bộ Sở Công Thương và Tài chính"),
            "{history}"
        );

        // Past 400 units the tree opens by level: ▸ puts a unit's sub-units
        // into the table in place.
        let dcqd = trienkhai_db::unit::by_code(&t.db, "DCQD")
            .await
            .unwrap()
            .unwrap();
        let n = trienkhai_web::TREE_WHOLE;
        crate::support::add_units(&t.db, dcqd.id, n, "CBT", "Chi bộ thôn Đông", "chi_bo_co_so")
            .await;
        d.goto(app.url("/units")).await?;
        let before = d.find_all(By::Css("#tree tbody tr")).await?.len();
        let toggle = format!("a.toggle[href^='/units/{}?']", dcqd.id);
        d.find(By::Css(&toggle)).await?.click().await?;
        d.query(By::XPath("//td[contains(., 'Chi bộ thôn Đông 017')]"))
            .first()
            .await?;
        let after = d.find_all(By::Css("#tree tbody tr")).await?.len();
        assert!(after >= before + n as usize, "{before} → {after} rows");
        WebDriverResult::Ok(())
    }
    .await;
    d.quit().await.ok();
    result.expect("browser flow");
    t.cleanup().await;
}

/// The cascade end to end: staff launch a campaign, a secretary on a
/// phone-sized window fills the report (the draft survives a reload),
/// attaches a photo and submits, the board counts it, and staff get the
/// report upward as DOCX and XLSX.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_cycle_with_a_secretary_on_a_phone() {
    let Some((_driver, d, profile)) = browser().await else {
        return;
    };
    let t = TestDb::demo(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let today = trienkhai_core::fmt::iso(trienkhai_core::fmt::today_vn());
    let title = "Học tập, quán triệt Chỉ thị 43-CT/TW (thử nghiệm)";
    let result = async {
        login(&d, &app, "canbo", trienkhai_db::demo::PASSWORD).await?;
        d.goto(app.url("/campaigns/new")).await?;
        d.find(By::Css("#unit_id option:nth-child(1)")).await?;
        for o in d.find_all(By::Css("#unit_id option")).await? {
            if o.text().await?.contains("Ủy ban nhân dân") {
                o.click().await?;
            }
        }
        fill(&d, "title", title).await?;
        d.find(By::Css("input[name=documents]")).await?.click().await?;
        d.find(By::Id("launch")).await?.click().await?;
        d.query(By::Id("board-title")).first().await?;
        snap(&d, "campaign-board-new.png").await?;
        let url = d.current_url().await?;
        let campaign: i64 = url.path().rsplit('/').next().unwrap().parse().unwrap();

        // The secretary, on a phone.
        d.delete_all_cookies().await?;
        d.set_window_rect(0, 0, 390, 844).await?;
        login(&d, &app, "bithu", trienkhai_db::demo::PASSWORD).await?;
        d.goto(app.url("/obligations")).await?;
        d.find(By::LinkText(title)).await?.click().await?;
        d.query(By::Id("report-form")).first().await?;
        d.execute(
            &format!("document.getElementById('held_on').value = '{today}'; document.getElementById('held_on').dispatchEvent(new Event('change', {{bubbles: true}}));"),
            vec![],
        )
        .await?;
        d.find(By::Css("#form option[value=in_person]")).await?.click().await?;
        let in_scope: i64 = d.find(By::Id("in_scope")).await?.value().await?.unwrap_or_default().parse().unwrap();
        fill(&d, "present", &(in_scope - 1).to_string()).await?;
        fill(&d, "absent_excused", "1").await?;
        fill(&d, "reflections", &(in_scope - 1).to_string()).await?;
        // A reload (or a dropped connection) keeps what was typed.
        d.refresh().await?;
        d.query(By::Id("report-form")).first().await?;
        let present = d.find(By::Id("present")).await?.value().await?.unwrap_or_default();
        assert_eq!(present, (in_scope - 1).to_string(), "the draft survives a reload");
        // Evidence: a photo of the sign-in sheet.
        let photo = profile.0.join("so-ky.png");
        std::fs::write(&photo, PNG).unwrap();
        d.find(By::Id("file")).await?.send_keys(photo.display().to_string()).await?;
        d.find(By::Id("attach")).await?.click().await?;
        d.query(By::Id("files")).first().await?;
        let present = d.find(By::Id("present")).await?.value().await?.unwrap_or_default();
        assert_eq!(present, (in_scope - 1).to_string(), "the draft survives the upload's reload");
        d.find(By::Id("submit")).await?.click().await?;
        // The form's own #status is there until the answer replaces the
        // page: wait for the new one's text, not for any #status.
        d.query(By::Id("status"))
            .ignore_errors(true)
            .with_text("Đã báo cáo")
            .first()
            .await?;
        snap(&d, "obligation-phone.png").await?;

        // Staff see it on the board.
        d.delete_all_cookies().await?;
        d.set_window_rect(0, 0, 1280, 900).await?;
        login(&d, &app, "canbo", trienkhai_db::demo::PASSWORD).await?;
        d.goto(app.url(&format!("/campaigns/{campaign}"))).await?;
        let reported = d.query(By::Id("reported")).first().await?.text().await?;
        assert!(reported.starts_with("1/"), "{reported}");
        Ok::<i64, WebDriverError>(campaign)
    }
    .await;
    d.quit().await.ok();
    let campaign = result.expect("the whole cycle in Chromium");
    let c = app.client();
    c.login_ok("canbo", trienkhai_db::demo::PASSWORD).await;
    for (ext, magic) in [("docx", b"PK"), ("xlsx", b"PK")] {
        let r = c.get(&format!("/campaigns/{campaign}/report.{ext}")).await;
        assert_eq!(r.status(), 200, "{ext}");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..2], magic, "{ext} is a zip");
    }
    t.cleanup().await;
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];
