//! trienkhai: one binary. `serve` is the default subcommand.
mod commands;
mod config;

use std::process::ExitCode;

use clap::Parser;

use crate::config::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::anyhow!("không khởi động được bộ chạy tokio: {e}")),
    };
    match rt.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Start-up problems are one line on stderr and a non-zero exit.
fn fail(e: &anyhow::Error) -> ExitCode {
    let line = format!("{e:#}").replace('\n', " ");
    eprintln!("trienkhai: lỗi: {line}");
    ExitCode::FAILURE
}
