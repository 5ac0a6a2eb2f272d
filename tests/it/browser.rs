//! Browser smoke test: Debian's Chromium through chromedriver (thirtyfour):
//! first-run setup, log in, the dashboard, log out.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_login_dashboard_logout_in_chromium() {
    let Some(path) = chromedriver_path() else {
        assert!(
            std::env::var("CI").is_err(),
            "chromedriver is required in CI (apt-get install chromium-driver)"
        );
        eprintln!("browser test skipped: no chromedriver (install chromium-driver)");
        return;
    };
    let t = TestDb::new(Engine::Sqlite).await;
    let app = TestApp::spawn(&t.db).await;
    let (_driver, url) = start_driver(&path).await;
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
        fill(&d, "username", "admin").await?;
        fill(&d, "password", "mat-khau-dai-1").await?;
        d.find(By::Css("#login-form button[type=submit]"))
            .await?
            .click()
            .await?;
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
