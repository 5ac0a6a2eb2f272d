//! PDF text through poppler's `pdftotext`: a separate process, so a hostile
//! PDF can at worst crash or stall it, and a stall is killed.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::{ExtractError, MAX_TEXT_BYTES, finish};

const TIMEOUT: Duration = Duration::from_secs(30);

pub(super) fn text(path: &Path) -> Result<Option<String>, ExtractError> {
    // A relative name starting with '-' would be read as an option.
    let path = if path.is_relative() {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    };
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-enc", "UTF-8", "-q"]).arg(path).arg("-");
    run(cmd, TIMEOUT)
}

/// Runs `cmd`, keeping at most `MAX_TEXT_BYTES` of stdout; Ok(None) if the
/// program is not installed.
fn run(mut cmd: Command, timeout: Duration) -> Result<Option<String>, ExtractError> {
    let deadline = Instant::now() + timeout;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = match cmd.spawn() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        r => r?,
    };
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    // Reading on a thread lets the deadline apply even if the pipe stalls.
    thread::spawn(move || {
        let mut out = Vec::new();
        let r = stdout
            .take(MAX_TEXT_BYTES as u64 + 4)
            .read_to_end(&mut out)
            .map(|_| out);
        let _ = tx.send(r);
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let out = match rx.recv_timeout(left) {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => {
            kill(&mut child);
            return Err(e.into());
        }
        Err(_) => {
            kill(&mut child);
            return Err(timed_out(timeout));
        }
    };
    let truncated = out.len() > MAX_TEXT_BYTES;
    if truncated {
        // The rest is not wanted; don't wait for it to be written.
        kill(&mut child);
    } else {
        let status = wait_until(&mut child, deadline)?.ok_or_else(|| timed_out(timeout))?;
        if !status.success() {
            return Err(ExtractError::Pdf(match status.code() {
                Some(1) => "tệp hỏng hoặc được đặt mật khẩu".into(),
                Some(3) => "tệp không cho phép trích nội dung".into(),
                _ => format!("pdftotext dừng bất thường ({status})"),
            }));
        }
    }
    let text = String::from_utf8_lossy(&out).replace('\x0c', "\n");
    Ok(Some(finish(text)))
}

fn timed_out(timeout: Duration) -> ExtractError {
    ExtractError::Pdf(format!("quá {} giây", timeout.as_secs_f32()))
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Exit status, or None (child killed) once the deadline has passed.
fn wait_until(
    child: &mut Child,
    deadline: Instant,
) -> io::Result<Option<std::process::ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            kill(child);
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sniff::fixtures::pdf_bytes;

    fn installed() -> bool {
        Command::new("pdftotext")
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    }

    fn write(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("-nghi-quyet.pdf");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn pdf_text() {
        let (_dir, path) = write(&pdf_bytes("Nghi quyet 35"));
        let got = text(&path).unwrap();
        if installed() {
            assert_eq!(got.as_deref(), Some("Nghi quyet 35"));
        } else {
            assert_eq!(got, None);
        }
    }

    #[test]
    fn relative_path_starting_with_dash() {
        if !installed() {
            return;
        }
        let (dir, _path) = write(&pdf_bytes("Chi bo"));
        let mut cmd = Command::new("pdftotext");
        cmd.current_dir(dir.path())
            .args(["-enc", "UTF-8", "-q"])
            .arg(Path::new(".").join("-nghi-quyet.pdf"))
            .arg("-");
        assert_eq!(run(cmd, TIMEOUT).unwrap().as_deref(), Some("Chi bo"));
    }

    #[test]
    fn broken_pdf_is_an_error() {
        if !installed() {
            return;
        }
        let (_dir, path) = write(b"%PDF-1.4\nnot really\n");
        let err = text(&path).unwrap_err();
        assert!(err.to_string().starts_with("Không đọc được PDF: "), "{err}");
    }

    #[test]
    fn missing_tool_gives_none() {
        let cmd = Command::new("trienkhai-khong-co-chuong-trinh-nay");
        assert_eq!(run(cmd, TIMEOUT).unwrap(), None);
    }

    #[test]
    fn stalled_tool_is_killed() {
        let mut cmd = Command::new("sleep");
        cmd.arg("20");
        let start = Instant::now();
        let err = run(cmd, Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, ExtractError::Pdf(_)));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn endless_output_is_capped() {
        let text = run(Command::new("yes"), TIMEOUT).unwrap().unwrap();
        assert!(text.len() <= MAX_TEXT_BYTES && text.len() > MAX_TEXT_BYTES - 4);
    }
}
