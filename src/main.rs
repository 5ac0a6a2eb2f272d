//! trienkhai: one binary. `serve` is the default subcommand.
mod commands;
mod config;

use std::process::ExitCode;

use clap::Parser;

use crate::config::Cli;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    keep_memory_low();
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

/// Argon2 allocates 19 MiB per hash. glibc raises its mmap threshold after
/// the first such buffer is freed, so later ones stay on the heap and RSS
/// grows by tens of MB; a fixed threshold keeps large buffers returned.
fn keep_memory_low() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt is called once, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        // Fixing the threshold also fixes trimming at 128 KiB; trim less often.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 8 * 1024 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
