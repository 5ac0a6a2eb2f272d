//! The binary itself: configuration, start-up failures, admin and token commands.
use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::Duration,
};

use crate::support::{TempDir, TestApp, location};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trienkhai"));
    for (k, _) in std::env::vars() {
        if k.starts_with("TRIENKHAI_") {
            c.env_remove(k);
        }
    }
    c.env("TRIENKHAI_LOG", "error");
    c
}

/// Runs to completion; returns (success, stdout, stderr).
fn run(c: &mut Command) -> (bool, String, String) {
    let out = c.output().expect("run trienkhai");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn assert_one_line_failure(ok: bool, stderr: &str, needle: &str) {
    assert!(!ok, "must exit non-zero");
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one clear line, got: {stderr}");
    assert!(
        lines[0].contains(needle),
        "{:?} should mention {needle:?}",
        lines[0]
    );
}

#[test]
fn print_config_shows_the_defaults_and_honours_env() {
    let dir = TempDir::new();
    let (ok, out, _) = run(bin().current_dir(&dir.0).arg("print-config"));
    assert!(ok);
    assert!(out.contains("database_url = \"sqlite://data/trienkhai.db\""));
    assert!(out.contains("listen = \"127.0.0.1:8080\""));
    assert!(out.contains("data_dir = \"data\""));
    let file = dir.0.join("tk.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/tk\"\n",
    )
    .unwrap();
    let (ok, out, _) = run(bin()
        .arg("print-config")
        .env("TRIENKHAI_CONFIG", &file)
        .env("TRIENKHAI_DATABASE_URL", "postgres://tk:bimat@db/tk")
        .env("TRIENKHAI_LISTEN", "0.0.0.0:8081"));
    assert!(ok);
    assert!(
        out.contains("listen = \"0.0.0.0:8081\""),
        "env beats the file"
    );
    assert!(
        out.contains("data_dir = \"/srv/tk\""),
        "file beats the default"
    );
    assert!(
        out.contains("postgres://tk:***@db/tk") && !out.contains("bimat"),
        "password masked"
    );
    std::fs::write(&file, "lissten = 1\n").unwrap();
    let (ok, _, err) = run(bin().arg("print-config").arg("--config").arg(&file));
    assert_one_line_failure(ok, &err, "tk.toml");
}

#[test]
fn garbage_database_url_is_one_line() {
    let dir = TempDir::new();
    let (ok, _, err) = run(bin()
        .current_dir(&dir.0)
        .env("TRIENKHAI_DATABASE_URL", "mysql://nope")
        .env("TRIENKHAI_LISTEN", "127.0.0.1:0"));
    assert_one_line_failure(ok, &err, "sqlite:// hoặc postgres://");
    let (ok, _, err) = run(bin()
        .current_dir(&dir.0)
        .arg("migrate")
        .env("TRIENKHAI_DATABASE_URL", "khong-phai-url"));
    assert_one_line_failure(ok, &err, "sqlite:// hoặc postgres://");
}

#[test]
fn unwritable_data_folder_is_one_line() {
    let dir = TempDir::new();
    // A path under a regular file cannot be created, even as root.
    std::fs::write(dir.0.join("tep"), b"x").unwrap();
    let (ok, _, err) = run(bin()
        .current_dir(&dir.0)
        .env("TRIENKHAI_DATA_DIR", dir.0.join("tep/du-lieu"))
        .env("TRIENKHAI_LISTEN", "127.0.0.1:0"));
    assert_one_line_failure(ok, &err, "thư mục dữ liệu");
}

#[test]
fn port_in_use_is_one_line() {
    let dir = TempDir::new();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let (ok, _, err) = run(bin().current_dir(&dir.0).env("TRIENKHAI_LISTEN", &addr));
    assert_one_line_failure(ok, &err, &addr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_admin_and_token_from_the_command_line() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}/cli.db", dir.0.display());
    let mut child = bin()
        .args(["create-admin", "--username", "vanthu", "--password-stdin"])
        .env("TRIENKHAI_DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"mat-khau-dai-1\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let mut short = bin()
        .args(["create-admin", "--username", "b", "--password-stdin"])
        .env("TRIENKHAI_DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    short.stdin.take().unwrap().write_all(b"ngan\n").unwrap();
    let out = short.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ít nhất 10 ký tự"));

    let (ok, token, _) = run(bin()
        .args(["token", "create", "--username", "vanthu"])
        .env("TRIENKHAI_DATABASE_URL", &url));
    assert!(ok);
    let token = token.trim().to_string();
    assert!(token.starts_with("tk_") && token.len() > 40);
    let (ok, _, err) = run(bin()
        .args(["token", "create", "--username", "khongco"])
        .env("TRIENKHAI_DATABASE_URL", &url));
    assert_one_line_failure(ok, &err, "khongco");

    let db = trienkhai_db::connect(&url).await.unwrap();
    let app = TestApp::spawn(&db).await;
    let me = app.api_json(&token, "/api/v1/me").await;
    assert_eq!(me["username"], "vanthu");
    assert_eq!(me["role"], "admin");
    // The command-line admin can log in before setup has run.
    // Setup is closed to strangers once an account exists ...
    let stranger = app.client();
    assert_eq!(
        location(&stranger.get("/setup").await),
        "/login?next=%2Fsetup"
    );
    let r = stranger
        .submit(
            "/login",
            "/setup",
            &[
                ("unit_name", "X"),
                ("username", "kexau"),
                ("password", "mat-khau-dai-9"),
                ("confirm", "mat-khau-dai-9"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    // ... and that administrator sets up the committee after logging in.
    let admin = app.client();
    admin.login_ok("vanthu", "mat-khau-dai-1").await;
    assert_eq!(location(&admin.get("/dashboard").await), "/setup");
    let (s, html) = admin.text("/setup").await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("Quản trị viên đầu tiên"),
        "no second first administrator"
    );
    let r = admin
        .submit(
            "/setup",
            "/setup",
            &[
                ("unit_name", "Đảng bộ xã Hòa Bình"),
                ("type_code", "cap_tren_co_so"),
                ("unit_code", "XHB"),
                ("issuer_code", "ĐU"),
                ("valid_from", "2025-07-01"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/dashboard");
    let (_, html) = admin.text("/dashboard").await;
    assert!(html.contains("Đảng bộ xã Hòa Bình"));
    assert!(
        trienkhai_db::user::by_username(&db, "kexau")
            .await
            .unwrap()
            .is_none()
    );
    db.close().await;
}

#[test]
fn serve_demo_prints_the_login_and_answers() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}/demo.db", dir.0.display());
    let mut child = bin()
        .args(["serve", "--demo"])
        .current_dir(&dir.0)
        .env("TRIENKHAI_DATABASE_URL", &url)
        .env("TRIENKHAI_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("quantri") && first.contains("trienkhai-demo"),
        "{first}"
    );
    let second = lines.next().unwrap().unwrap();
    let addr = second.rsplit("http://").next().unwrap().trim().to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let mut last = 0;
        for _ in 0..50 {
            if let Ok(r) = reqwest::get(format!("http://{addr}/healthz")).await {
                last = r.status().as_u16();
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        last
    });
    child.kill().ok();
    child.wait().ok();
    assert_eq!(status, 200);
    assert!(dir.0.join("data").is_dir(), "default data folder created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_export_members_from_the_command_line() {
    let t = crate::support::TestDb::demo(trienkhai_db::Engine::Sqlite).await;
    let dir = TempDir::new();
    let cli = || {
        let mut c = bin();
        c.current_dir(&dir.0).env("TRIENKHAI_DATABASE_URL", &t.url);
        c
    };
    let (ok, out, err) = run(cli().args(["export", "members", "--unit", "SCT"]));
    assert!(ok, "{err}");
    assert!(out.starts_with("\u{feff}Họ,Tên đệm,Tên,Ngày sinh"));
    let rows = out.lines().count() - 1;
    assert!(rows > 40, "{rows}");
    let (ok, _, err) = run(cli().args([
        "export",
        "members",
        "--unit",
        "DUK",
        "--as-of",
        "01/01/2020",
        "--format",
        "xlsx",
        "--output",
        "duk.xlsx",
    ]));
    assert!(ok && err.contains("Đã xuất"), "{err}");
    assert_eq!(&std::fs::read(dir.0.join("duk.xlsx")).unwrap()[..2], b"PK");
    let (ok, _, err) = run(cli().args(["export", "members", "--unit", "SCT", "--format", "pdf"]));
    assert_one_line_failure(ok, &err, "csv hoặc xlsx");

    let people = || {
        let (ok, out, _) = run(cli().args(["export", "members", "--unit", "TINH"]));
        assert!(ok);
        out.lines().count() - 1
    };
    let before = people();
    std::fs::write(
        dir.0.join("bad.csv"),
        "Họ và tên,Ngày sinh\nLê Thị Hoà,01/02/1990\nTrần Văn Bình,30/02/1991\n",
    )
    .unwrap();
    let (ok, _, err) = run(cli().args(["import", "members", "bad.csv", "--unit", "SCT"]));
    assert!(!ok);
    assert!(
        err.contains("Dòng 3") && err.contains("chưa ghi dữ liệu nào"),
        "{err}"
    );
    assert_eq!(people(), before, "all or nothing");
    std::fs::write(
        dir.0.join("good.csv"),
        "Họ và tên,Ngày sinh\nLê Thị Hoà,01/02/1990\nTrần Văn Bình,28/02/1991\n",
    )
    .unwrap();
    let (ok, out, err) = run(cli().args([
        "import",
        "members",
        "good.csv",
        "--unit",
        "SCT",
        "--dry-run",
    ]));
    assert!(ok && out.contains("Chạy thử"), "{out}{err}");
    assert_eq!(people(), before);
    let (ok, out, err) = run(cli().args(["import", "members", "good.csv", "--unit", "SCT"]));
    assert!(ok && out.contains("2 người mới"), "{out}{err}");
    assert_eq!(people(), before + 2);
    t.cleanup().await;
}

#[test]
fn refs_prints_one_json_line_per_citation() {
    let dir = TempDir::new();
    let text = "Thực hiện Kết luận số 100 - KL/TW ngày 18/8/2014 và Chỉ thị 35; \
                hotline 0912-345-678, giai đoạn 2020-2025, đạt 35/36 chi bộ.";
    let f = dir.0.join("bai.txt");
    std::fs::write(&f, text).unwrap();
    let (ok, out, err) = run(bin().arg("refs").arg(&f));
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    let (s, e) = (
        lines[0]["start"].as_u64().unwrap() as usize,
        lines[0]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], "Kết luận số 100 - KL/TW ngày 18/8/2014");
    assert_eq!(lines[0]["date"], "2014-08-18");
    assert_eq!(
        (lines[1]["short"].as_bool(), lines[1]["issuer"].is_null()),
        (Some(true), true)
    );

    // Standard input, and text that is not UTF-8.
    let mut c = bin()
        .arg("refs")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all("Số 15-KH/ĐU".as_bytes())
        .unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"issuer\":\"ĐU\""));
    let bad = dir.0.join("tcvn3.txt");
    std::fs::write(&bad, b"Ch\xd8 th\xde 35").unwrap();
    let (ok, _, err) = run(bin().arg("refs").arg(&bad));
    assert_one_line_failure(ok, &err, "UTF-8");
}
