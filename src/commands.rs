use std::{io::Read, net::SocketAddr, time::Duration};

use anyhow::Context;
use tracing_subscriber::EnvFilter;
use trienkhai_core::fmt;
use trienkhai_db::{
    Actor, Db, demo, document, member_import, pool_engine_check, setting, setup, token,
    unit::NewUnit, user,
};
use trienkhai_sheet::OutFormat;
use trienkhai_web::{AppState, WebConfig};

use crate::config::{Cli, Cmd, Config, ExportCmd, GenArgs, ImportCmd, TokenCmd};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let cfg = Config::load(&cli)?;
    match cli.cmd.unwrap_or(Cmd::Serve { demo: false }) {
        Cmd::PrintConfig => {
            print!("{}", cfg.to_toml());
            Ok(())
        }
        Cmd::Refs { file } => refs(file.as_deref()),
        Cmd::GenData(args) => gen_data(&cfg, args).await,
        Cmd::Serve { demo } => serve(cfg, demo).await,
        Cmd::Migrate => {
            let db = open(&cfg).await?;
            println!("Đã cập nhật lược đồ CSDL.");
            db.close().await;
            Ok(())
        }
        Cmd::CreateAdmin {
            username,
            password_stdin,
            display_name,
        } => {
            anyhow::ensure!(
                password_stdin,
                "cần --password-stdin (mật khẩu đọc từ đầu vào chuẩn, không để lộ trên dòng lệnh)"
            );
            let mut pw = String::new();
            std::io::stdin()
                .read_to_string(&mut pw)
                .context("không đọc được mật khẩu từ đầu vào chuẩn")?;
            let pw = pw.lines().next().unwrap_or("").to_string();
            let db = open(&cfg).await?;
            let new = user::NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                password: pw,
                role: trienkhai_core::Role::Admin.as_str().into(),
                ..Default::default()
            };
            let u = user::create(&db, &Actor::system("dòng lệnh"), new)
                .await
                .map_err(describe)?;
            println!("Đã tạo quản trị viên {}.", u.username);
            db.close().await;
            Ok(())
        }
        Cmd::Import {
            what:
                ImportCmd::Members {
                    file,
                    unit,
                    dry_run,
                },
        } => import_members(&cfg, &file, &unit, dry_run).await,
        Cmd::Export {
            what:
                ExportCmd::Members {
                    unit,
                    format,
                    as_of,
                    output,
                },
        } => export_members(&cfg, &unit, &format, as_of.as_deref(), output).await,
        Cmd::Token {
            cmd: TokenCmd::Create { username, name },
        } => {
            let db = open(&cfg).await?;
            let u = user::by_username(&db, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("không có tài khoản {username}"))?;
            let t = token::create(&db, &Actor::system("dòng lệnh"), u.id, &name).await?;
            println!("{t}");
            db.close().await;
            Ok(())
        }
    }
}

/// Field errors from the storage layer as one readable line.
fn describe(e: trienkhai_db::DbError) -> anyhow::Error {
    match e {
        trienkhai_db::DbError::Invalid(errs) => anyhow::anyhow!(
            "{}",
            errs.iter()
                .map(|f| format!("{}: {}", f.field, f.code.message()))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        trienkhai_db::DbError::Refused(c) => anyhow::anyhow!("{}", c.message()),
        other => anyhow::Error::new(other),
    }
}

async fn open(cfg: &Config) -> anyhow::Result<Db> {
    prepare(cfg, trienkhai_db::connect(&cfg.database_url).await?).await
}

/// Brings a freshly opened database up to date for this configuration.
async fn prepare(cfg: &Config, db: Db) -> anyhow::Result<Db> {
    db.migrate().await.context("không áp dụng được migration")?;
    if let Some(order) = cfg.order() {
        trienkhai_db::person::sync_name_order(&db, order).await?;
    }
    Ok(db)
}

/// All or nothing: prints the report; exits non-zero when a row is bad.
async fn import_members(
    cfg: &Config,
    file: &std::path::Path,
    unit: &str,
    dry_run: bool,
) -> anyhow::Result<()> {
    let db = open(cfg).await?;
    let actor = Actor::system("dòng lệnh");
    let max = cfg.max_import_mb * 1024 * 1024;
    let r = member_import::run(
        &db,
        &actor,
        file,
        unit,
        member_import::Limits::new(max),
        !dry_run,
    )
    .await;
    db.close().await;
    let r = match r {
        Ok(r) => r,
        Err(member_import::ImportError::Db(e)) => return Err(describe(e)),
        Err(e) => anyhow::bail!("{e}"),
    };
    println!(
        "Tệp {} ({}): {} dòng dữ liệu; {} người mới, {} lượt sinh hoạt mới, {} đã có.",
        r.format,
        r.encoding,
        fmt::int(r.rows as i64),
        fmt::int(r.new_people as i64),
        fmt::int(r.new_members as i64),
        fmt::int(r.unchanged as i64)
    );
    for e in &r.errors {
        eprintln!("Dòng {}: {}", e.row, e.message);
    }
    if r.error_count > r.errors.len() as u64 {
        eprintln!(
            "… và {} dòng lỗi khác.",
            r.error_count - r.errors.len() as u64
        );
    }
    anyhow::ensure!(
        r.error_count == 0,
        "{} dòng không hợp lệ; chưa ghi dữ liệu nào.",
        fmt::int(r.error_count as i64)
    );
    if r.written {
        println!("Đã ghi vào CSDL.");
    } else {
        println!("Chạy thử (--dry-run): tệp hợp lệ, chưa ghi gì.");
    }
    Ok(())
}

async fn export_members(
    cfg: &Config,
    unit: &str,
    format: &str,
    as_of: Option<&str>,
    output: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let format = match format {
        "csv" => OutFormat::Csv,
        "xlsx" => OutFormat::Xlsx,
        other => anyhow::bail!("--format phải là csv hoặc xlsx, không phải {other}"),
    };
    let day = match as_of {
        Some(s) => fmt::parse_date(s)
            .ok_or_else(|| anyhow::anyhow!("--as-of: ngày không hợp lệ (dd/mm/yyyy)"))?,
        None => fmt::today_vn(),
    };
    let db = open(cfg).await?;
    let found = trienkhai_db::unit::by_code(&db, unit).await?;
    let u = found.ok_or_else(|| anyhow::anyhow!("không có đơn vị mã {unit}"))?;
    let then = trienkhai_db::unit::at(&db, u.id, day).await?;
    let then = then.ok_or_else(|| {
        anyhow::anyhow!("đơn vị {unit} không tồn tại vào ngày {}", fmt::date(day))
    })?;
    // XLSX needs a seekable file; stdout gets a copy of a temporary one.
    let (path, temp) = match &output {
        Some(p) => (p.clone(), false),
        None => (
            std::env::temp_dir().join(format!(
                "trienkhai-export-{}.{}",
                std::process::id(),
                format.extension()
            )),
            true,
        ),
    };
    let n = trienkhai_db::member::export(&db, &then.path, day, &path, format).await;
    db.close().await;
    let n = n?;
    if temp {
        let copied = std::fs::File::open(&path)
            .and_then(|mut f| std::io::copy(&mut f, &mut std::io::stdout().lock()));
        let _ = std::fs::remove_file(&path);
        copied.context("không ghi được ra đầu ra chuẩn")?;
    } else {
        eprintln!(
            "Đã xuất {} đảng viên vào {}.",
            fmt::int(n as i64),
            path.display()
        );
    }
    Ok(())
}

/// `trienkhai refs [FILE]`: one JSON object per citation, byte offsets into
/// the text as read.
fn refs(file: Option<&std::path::Path>) -> anyhow::Result<()> {
    use std::io::Write;
    let mut bytes = Vec::new();
    match file {
        Some(f) => {
            bytes = std::fs::read(f).with_context(|| format!("không đọc được {}", f.display()))?
        }
        None => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("không đọc được stdin")?;
        }
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("văn bản không phải UTF-8; hãy lưu lại dưới dạng Unicode"))?;
    let mut out = std::io::stdout().lock();
    for c in trienkhai_core::cite::find(&text) {
        writeln!(out, "{}", serde_json::to_string(&c)?)?;
    }
    Ok(())
}

/// `trienkhai gen-data`: an org tree with its members (`--scale`), then
/// generated documents (`--documents`), with progress on stdout and the
/// totals at the end.
async fn gen_data(cfg: &Config, args: GenArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.scale.is_some() || args.documents.is_some() || args.campaigns,
        "cần --scale ci|province|nation, --campaigns hoặc --documents N"
    );
    let db = open(cfg).await?;
    let actor = Actor::system("Sinh dữ liệu");
    let done = gen_all(&db, &actor, &args).await;
    db.close().await;
    done
}

async fn gen_all(db: &Db, actor: &Actor, args: &GenArgs) -> anyhow::Result<()> {
    if let Some(scale) = args.scale {
        let mut progress = Progress::new(1);
        let stats = trienkhai_db::scale::org(db, actor, scale, args.seed, |phase, done, total| {
            progress.show(phase, done, total)
        })
        .await;
        progress.finish();
        let stats = stats.map_err(describe)?;
        let s = scale.shape();
        let int = |n: u64| fmt::int(n as i64);
        println!(
            "Đã tạo {} đơn vị (1 gốc, {} cấp tỉnh, {} cấp trên cơ sở, {} tổ chức cơ sở đảng, {} chi bộ trực thuộc) và {} đảng viên trong {} s ({} đảng viên/s)",
            int(stats.units),
            int(s.top),
            int(s.intermediate),
            int(s.grassroots),
            int(s.cells),
            int(stats.members),
            seconds(stats.seconds),
            int(per_second(stats.members, stats.seconds))
        );
    }
    if args.campaigns {
        let mut progress = Progress::new(1);
        let made = trienkhai_db::campaign::generate::campaigns(
            db,
            actor,
            args.seed,
            |phase, done, total| progress.show(phase, done, total),
        )
        .await;
        progress.finish();
        let made = made.map_err(describe)?;
        println!(
            "Đã triển khai {} đợt trên cả cây, kèm tiến độ và báo cáo",
            made.len()
        );
    }
    if let Some(count) = args.documents {
        let mut progress = Progress::new(10);
        let stats = document::generate::documents(db, actor, count, args.seed, |done| {
            progress.show("Đang tạo văn bản", done, count)
        })
        .await;
        progress.finish();
        let stats = stats.map_err(describe)?;
        println!(
            "Đã tạo {} văn bản trong {} s ({} văn bản/s)",
            fmt::int(stats.documents as i64),
            seconds(stats.seconds),
            fmt::int(stats.per_second().round() as i64)
        );
    }
    Ok(())
}

/// "12,3": seconds with one decimal, Vietnamese style.
fn seconds(s: f64) -> String {
    format!("{s:.1}").replace('.', ",")
}

fn per_second(n: u64, seconds: f64) -> u64 {
    if seconds > 0.0 {
        (n as f64 / seconds).round() as u64
    } else {
        0
    }
}

/// Progress of a long run on stdout, phase by phase: on a terminal one
/// line rewritten in place (kept, with the phase's time, when the next
/// phase starts); otherwise `lines` lines a phase, at each 1/`lines` of it,
/// so that a log gets a few lines rather than thousands.
struct Progress {
    tty: bool,
    lines: u64,
    phase: String,
    /// Lines printed for this phase (not on a terminal).
    shown: u64,
    /// A terminal line is waiting for its newline.
    open: bool,
    started: std::time::Instant,
}

impl Progress {
    fn new(lines: u64) -> Self {
        use std::io::IsTerminal;
        Progress {
            tty: std::io::stdout().is_terminal(),
            lines: lines.max(1),
            phase: String::new(),
            shown: 0,
            open: false,
            started: std::time::Instant::now(),
        }
    }

    /// `done` of `total` in `phase`; a total of 1 is a step without a count.
    fn show(&mut self, phase: &str, done: u64, total: u64) {
        use std::io::Write;
        if phase != self.phase {
            self.finish();
            if !self.phase.is_empty() {
                self.started = std::time::Instant::now();
            }
            self.phase = phase.to_string();
            self.shown = 0;
        }
        let complete = done >= total;
        let mut line = if total == 1 {
            format!("{phase}{}", if complete { ": xong" } else { "…" })
        } else {
            format!(
                "{phase}: {} / {} ({}%)",
                fmt::int(done as i64),
                fmt::int(total as i64),
                (done * 100).checked_div(total).unwrap_or(100)
            )
        };
        if complete {
            line.push_str(&format!(
                ", {} s",
                seconds(self.started.elapsed().as_secs_f64())
            ));
        }
        if self.tty {
            print!("\r\x1b[K{line}");
            let _ = std::io::stdout().flush();
            self.open = true;
        } else {
            let step = (done * self.lines).checked_div(total).unwrap_or(self.lines);
            if step > self.shown {
                self.shown = step;
                println!("{line}");
            }
        }
    }

    /// Ends the terminal line, if one is open.
    fn finish(&mut self) {
        if self.open {
            println!();
            self.open = false;
        }
    }
}

fn check_data_dir(cfg: &Config) -> anyhow::Result<()> {
    let dir = &cfg.data_dir;
    let probe = dir.join(".trienkhai-write-test");
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&probe, b"ok"))
        .and_then(|_| std::fs::remove_file(&probe))
        .with_context(|| {
            format!(
                "thư mục dữ liệu {} không ghi được (TRIENKHAI_DATA_DIR)",
                dir.display()
            )
        })
}

async fn serve(cfg: Config, demo_mode: bool) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&cfg.log).context("TRIENKHAI_LOG không hợp lệ")?)
        .with_writer(std::io::stderr)
        .init();
    pool_engine_check(&cfg.database_url)?;
    check_data_dir(&cfg)?;
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| {
            format!(
                "không mở được địa chỉ {} (cổng đang bận hoặc địa chỉ sai)",
                cfg.listen
            )
        })?;
    let db = prepare(
        &cfg,
        trienkhai_db::connect_serving(&cfg.database_url).await?,
    )
    .await?;
    if demo_mode {
        load_demo(&db).await?;
        println!(
            "Dữ liệu mẫu: đăng nhập tại http://{}/login bằng {} / {} (quản trị); các tài khoản canbo, bithu, dangvien dùng cùng mật khẩu.",
            cfg.listen,
            demo::ADMIN,
            demo::PASSWORD
        );
    }
    let web = WebConfig {
        secure_cookies: cfg.secure_cookies,
        session_idle_ms: cfg.session_idle_minutes * 60_000,
        trust_proxy: cfg.trust_proxy,
        max_body: cfg.max_body_mb * 1024 * 1024,
        max_import: cfg.max_import_mb * 1024 * 1024,
        max_attachment: cfg.max_attachment_mb * 1024 * 1024,
        margins: cfg.margins().unwrap_or_default(),
        data_dir: cfg.data_dir.clone(),
    };
    let state = AppState::new(db.clone(), web);
    // SMTP is checked at start, so a wrong sender fails here, not at 3 a.m.
    let mailer = cfg
        .smtp
        .as_ref()
        .map(trienkhai_web::mail::Mailer::new)
        .transpose()?;
    trienkhai_web::reminder::spawn(
        db.clone(),
        mailer,
        Duration::from_secs(cfg.reminder_minutes * 60),
    );
    let purge_db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = trienkhai_db::session::purge_expired(&purge_db).await {
                tracing::warn!(error = %e, "không dọn được phiên hết hạn");
            }
            if let Err(e) = trienkhai_db::throttle::purge(&purge_db).await {
                tracing::warn!(error = %e, "không dọn được bộ đếm đăng nhập");
            }
        }
    });
    let addr = listener.local_addr()?;
    tracing::info!(%addr, engine = ?db.engine(), "trienkhai đang phục vụ");
    println!("trienkhai đang phục vụ tại http://{addr}");
    axum::serve(
        listener,
        trienkhai_web::app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    db.close().await;
    Ok(())
}

async fn load_demo(db: &Db) -> anyhow::Result<()> {
    if setup::is_done(db).await? {
        anyhow::ensure!(
            setting::get(db, setting::DEMO).await?.is_some(),
            "--demo chỉ dùng với CSDL mới: CSDL này đã được khởi tạo với dữ liệu thật"
        );
        return Ok(());
    }
    let s = setup::Setup {
        unit: NewUnit::default(),
        admin: Some(user::NewUser {
            username: demo::ADMIN.into(),
            display_name: "Quản trị hệ thống".into(),
            password: demo::PASSWORD.into(),
            ..Default::default()
        }),
        confirm: demo::PASSWORD.into(),
        demo: true,
    };
    setup::run(db, &Actor::system("Khởi tạo hệ thống"), s)
        .await
        .map_err(describe)?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
