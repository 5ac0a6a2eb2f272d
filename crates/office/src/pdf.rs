//! DOCX → PDF through LibreOffice in headless mode.
//!
//! Each conversion runs in its own temporary folder with its own LibreOffice
//! profile (`-env:UserInstallation`), so conversions can run side by side and
//! never touch — or get blocked by — a desktop LibreOffice of the same user.
//! Blocking: callers on an async runtime wrap it in `spawn_blocking`.

use std::ffi::OsString;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long one conversion may take; a first start with a fresh profile
/// takes a few seconds, a stuck one is killed.
/// Under the web layer's 30 s request timeout, so a slow conversion is
/// killed rather than left running after the client got its answer.
const TIMEOUT: Duration = Duration::from_secs(25);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("Không chuyển được sang PDF: lỗi đọc/ghi tệp tạm: {0}")]
    Io(#[from] std::io::Error),
    #[error("Không chuyển được sang PDF: LibreOffice chạy quá {} giây nên đã bị dừng", .0.as_secs())]
    Timeout(Duration),
    #[error("Không chuyển được sang PDF: LibreOffice báo lỗi ({status}){detail}")]
    Failed { status: ExitStatus, detail: String },
    #[error("Không chuyển được sang PDF: LibreOffice không tạo ra tệp PDF{0}")]
    NoOutput(String),
}

/// Whether LibreOffice is installed.
pub fn available() -> bool {
    find_soffice().is_some()
}

/// Converts a DOCX to PDF. `Ok(None)` when LibreOffice is not installed.
pub fn convert(docx: &[u8]) -> Result<Option<Vec<u8>>, PdfError> {
    let Some(soffice) = find_soffice() else {
        return Ok(None);
    };
    let dir = TempDir::new()?;
    let input = dir.0.join("vanban.docx");
    let out_dir = dir.0.join("out");
    let profile = dir.0.join("profile");
    fs::write(&input, docx)?;
    fs::create_dir(&out_dir)?;
    fs::create_dir(&profile)?;
    let log_path = dir.0.join("soffice.log");
    let log = File::create(&log_path)?;

    let mut cmd = Command::new(&soffice);
    cmd.arg(profile_arg(&profile))
        .args([
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
        ])
        .args([
            "--nologo",
            "--nofirststartwizard",
            "--convert-to",
            "pdf:writer_pdf_Export",
        ])
        .arg("--outdir")
        .arg(&out_dir)
        .arg(&input)
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        // Output goes to a file: an unread pipe could fill up and hang LibreOffice.
        .stdout(log.try_clone()?)
        .stderr(log);
    // Without HOME LibreOffice refuses to start (service accounts may lack it).
    if std::env::var_os("HOME").is_none() {
        cmd.env("HOME", &dir.0);
    }
    #[cfg(unix)]
    {
        // `soffice` is a launcher script that starts soffice.bin as a child;
        // a process group of its own lets a timeout kill both.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn()?;
    let status = wait_or_kill(&mut child, TIMEOUT)?;

    let detail = || {
        let log = fs::read_to_string(&log_path).unwrap_or_default();
        let tail: String = log
            .trim()
            .lines()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .join(" | ");
        if tail.is_empty() {
            String::new()
        } else {
            format!(": {tail}")
        }
    };
    if !status.success() {
        return Err(PdfError::Failed {
            status,
            detail: detail(),
        });
    }
    // LibreOffice exits 0 even when it could not load the file; only the
    // output tells.
    match fs::read(out_dir.join("vanban.pdf")) {
        Ok(pdf) if pdf.starts_with(b"%PDF") => Ok(Some(pdf)),
        Ok(_) => Err(PdfError::NoOutput(
            ": tệp kết quả không phải PDF".to_owned(),
        )),
        Err(_) => Err(PdfError::NoOutput(detail())),
    }
}

/// Waits for `child`; past `timeout` kills it (and its process group on unix,
/// which the caller must have created) and reports a timeout.
fn wait_or_kill(child: &mut Child, timeout: Duration) -> Result<ExitStatus, PdfError> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if started.elapsed() > timeout {
            #[cfg(unix)]
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::Timeout(timeout));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `soffice` or `libreoffice` on PATH, else the usual install locations.
fn find_soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["soffice", "libreoffice"] {
            let candidate = dir.join(name);
            if is_executable(&candidate) {
                return Some(candidate);
            }
        }
    }
    [
        "/usr/lib/libreoffice/program/soffice",
        "/opt/libreoffice/program/soffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// `-env:UserInstallation=file:///…` with the path percent-encoded as a URL.
fn profile_arg(profile: &Path) -> OsString {
    let mut url = String::from("-env:UserInstallation=file://");
    let path = profile.to_string_lossy();
    if !path.starts_with('/') {
        // Windows: file:///C:/…
        url.push('/');
    }
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                url.push(b as char)
            }
            b'\\' => url.push('/'),
            b':' => url.push(':'),
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url.into()
}

/// Kills the launcher's whole process group, soffice.bin included. std has
/// no killpg and this crate avoids a libc dependency for one call.
#[cfg(unix)]
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "trienkhai-pdf-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        // create_dir (not _all) fails if the name exists: the folder is ours alone.
        fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_url_is_encoded() {
        let arg = profile_arg(Path::new("/tmp/a b/Tệp"));
        assert_eq!(
            arg,
            OsString::from("-env:UserInstallation=file:///tmp/a%20b/T%E1%BB%87p")
        );
    }

    #[test]
    fn temp_dirs_are_unique_and_removed() {
        let a = TempDir::new().unwrap();
        let b = TempDir::new().unwrap();
        assert_ne!(a.0, b.0);
        let path = a.0.clone();
        drop(a);
        assert!(!path.exists());
    }

    #[test]
    fn converts_a_generated_docx_when_libreoffice_is_installed() {
        let recipients = vec!["Lưu Văn phòng.".to_owned()];
        let letter = crate::docx::Letter {
            superior: Some("Đảng bộ tỉnh Bình Thuận"),
            issuer_body: "Đảng ủy Khối các cơ quan tỉnh",
            symbol: "12-BC/ĐUK",
            place: "Phan Thiết",
            date: time::macros::date!(2019 - 08 - 02),
            secrecy: None,
            urgency: None,
            type_name: "Báo cáo",
            subject: "Kết quả học tập nghị quyết",
            body: "I. TÌNH HÌNH\nNội dung báo cáo.",
            authority: Some("T/M Ban Thường vụ"),
            signer_title: "Bí thư",
            signer_name: "Nguyễn Văn An",
            recipients: &recipients,
            table: &[],
            margins: crate::docx::Margins::default(),
        };
        match convert(&crate::docx::write(&letter)) {
            Ok(None) => {
                assert!(!available());
                eprintln!("LibreOffice is not installed; conversion skipped");
            }
            Ok(Some(pdf)) => assert!(pdf.starts_with(b"%PDF")),
            Err(e) => panic!("{e}"),
        }
    }

    /// The launcher and everything it started die on timeout.
    #[cfg(target_os = "linux")]
    #[test]
    fn timeout_kills_the_process_group() {
        use std::os::unix::process::CommandExt;
        let dir = TempDir::new().unwrap();
        let pid_file = dir.0.join("pid");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "sleep 30 & echo $! > '{}'; wait",
                pid_file.display()
            ))
            .process_group(0)
            .spawn()
            .unwrap();
        let started = Instant::now();
        let err = wait_or_kill(&mut child, Duration::from_millis(500)).unwrap_err();
        assert!(matches!(err, PdfError::Timeout(_)), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let grandchild = fs::read_to_string(&pid_file).unwrap();
        let stat = PathBuf::from(format!("/proc/{}/stat", grandchild.trim()));
        // Gone, or a zombie waiting for init to reap it.
        let dead = (0..50).any(|_| {
            let alive = fs::read_to_string(&stat).is_ok_and(|s| !s.contains(") Z "));
            if alive {
                std::thread::sleep(Duration::from_millis(20));
            }
            !alive
        });
        assert!(dead, "sleep {} survived the timeout", grandchild.trim());
    }

    #[test]
    fn broken_docx_is_an_error() {
        if !available() {
            return;
        }
        // A truncated zip: LibreOffice exits 0 but writes nothing.
        match convert(b"PK\x03\x04broken") {
            Err(e @ PdfError::NoOutput(_)) => {
                assert!(e.to_string().starts_with("Không chuyển được sang PDF"))
            }
            other => panic!("expected NoOutput, got {other:?}"),
        }
    }
}
