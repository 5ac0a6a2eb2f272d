//! trienkhai: one binary. `serve` is the default subcommand.
mod commands;
mod config;
mod sqlite_heap;

use std::process::ExitCode;

use clap::Parser;

use crate::config::Cli;

// mimalloc: rows allocated by an import's reader thread are freed by its
// writer, and glibc's arenas (capped at two, below) made both wait on one
// lock, a fifth of an import's CPU time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    keep_memory_low();
    sqlite_heap::configure();
    let cli = Cli::parse();
    if matches!(cli.cmd, None | Some(config::Cmd::Serve { .. })) {
        return_memory_promptly();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(collect_when_idle)
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

/// A server lives for months and is judged by its resident memory; a
/// one-shot command such as an import exits and returns everything, and
/// runs about 10% faster with mimalloc's defaults.
fn return_memory_promptly() {
    // mimalloc's option numbers in the vendored v3 header (the crate pins
    // the version): give freed memory back at once and commit arenas as
    // they are used. Otherwise Argon2's 19 MiB buffers stayed resident
    // (44 MB at start rather than 24 MB).
    const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: plain option setters, called before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

/// glibc still serves C code outside SQLite (see `sqlite_heap`). It raises
/// its mmap threshold after the first large buffer is freed, so later ones
/// stay on the heap and RSS grows by tens of MB; a fixed threshold keeps
/// large buffers returned.
fn keep_memory_low() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt is called once, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        // Fixing the threshold also fixes trimming at 128 KiB; trim less often.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 8 * 1024 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
        // No transparent huge pages: mimalloc's arena (reserved before main
        // runs, so its own option comes too late) was backed by 2 MiB pages
        // that a few live objects kept whole: 32 MB at start rather than
        // 18, 42 MB after load rather than 25.
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// A worker that runs out of tasks hands its heap's free pages back, at
/// most once a second: mimalloc keeps them per thread, and only the owning
/// thread can collect them (1,5 MB more resident per idle worker).
fn collect_when_idle() {
    use std::{cell::Cell, time::Instant};
    thread_local!(static LAST: Cell<Option<Instant>> = const { Cell::new(None) });
    let now = Instant::now();
    if LAST
        .get()
        .is_some_and(|t| now.duration_since(t).as_secs() < 1)
    {
        return;
    }
    LAST.set(Some(now));
    // SAFETY: collects the calling thread's own heap.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
