use std::{io::Read, net::SocketAddr, time::Duration};

use anyhow::Context;
use tracing_subscriber::EnvFilter;
use trienkhai_db::{
    Actor, Db, demo, pool_engine_check, setting, setup, token, unit::NewUnit, user,
};
use trienkhai_web::{AppState, WebConfig};

use crate::config::{Cli, Cmd, Config, TokenCmd};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let cfg = Config::load(&cli)?;
    match cli.cmd.unwrap_or(Cmd::Serve { demo: false }) {
        Cmd::PrintConfig => {
            print!("{}", cfg.to_toml());
            Ok(())
        }
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
    let db = trienkhai_db::connect(&cfg.database_url).await?;
    db.migrate().await.context("không áp dụng được migration")?;
    Ok(db)
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
    let db = open(&cfg).await?;
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
    };
    let state = AppState::new(db.clone(), web);
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
