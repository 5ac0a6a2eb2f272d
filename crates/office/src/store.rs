//! Attachment bytes, content-addressed by SHA-256. Behind an enum so an
//! S3-compatible backend can be added without touching callers.
//! Synchronous std::fs: callers run it on `spawn_blocking`.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// Where attachment bytes live. One variant now; an S3-compatible one can be added later without touching callers.
#[derive(Debug, Clone)]
pub enum Store {
    Local(LocalStore),
}

/// Files under `<root>/ab/cd/<key>`, temporary files under `<root>/tmp`.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Lowercase hex SHA-256 of the content.
    pub key: String,
    pub size: u64,
}

impl Store {
    pub fn local(root: impl Into<PathBuf>) -> Store {
        Store::Local(LocalStore { root: root.into() })
    }

    /// Moves a finished temporary file (already size-checked and sniffed) into the store; returns its key,
    /// the lowercase hex SHA-256 of the content (content-addressed: the same file stored twice is kept once).
    pub fn put(&self, tmp: &Path) -> io::Result<StoredFile> {
        match self {
            Store::Local(s) => s.put(tmp),
        }
    }

    /// Path of a stored file for reading/streaming (existence is not checked:
    /// opening it reports NotFound). Rejects keys that are not 64 lowercase
    /// hex chars, so a key can never reach outside the store.
    pub fn path(&self, key: &str) -> io::Result<PathBuf> {
        match self {
            Store::Local(s) => s.path(key),
        }
    }

    /// `root/tmp`, created on demand; on the store's filesystem so `put` can rename.
    pub fn temp_dir(&self) -> PathBuf {
        match self {
            Store::Local(s) => s.temp_dir(),
        }
    }
}

impl LocalStore {
    fn put(&self, tmp: &Path) -> io::Result<StoredFile> {
        let (key, size) = {
            let mut file = File::open(tmp)?;
            let stored = hash(&mut file)?;
            // Durable before it becomes visible under its key.
            file.sync_all()?;
            stored
        };
        let target = self.path(&key)?;
        // Same key means same bytes; a size mismatch can only be damage.
        if fs::metadata(&target).is_ok_and(|m| m.is_file() && m.len() == size) {
            fs::remove_file(tmp)?;
            return Ok(StoredFile { key, size });
        }
        let dir = target.parent().expect("key path has a parent");
        fs::create_dir_all(dir)?;
        match fs::rename(tmp, &target) {
            Err(e) if e.kind() == io::ErrorKind::CrossesDevices => self.copy_in(tmp, &target)?,
            r => r?,
        }
        // Make the new directory entry itself durable.
        File::open(dir)?.sync_all()?;
        Ok(StoredFile { key, size })
    }

    /// Fallback when the caller's temp file is on another filesystem: copy
    /// next to the store, then rename, so the key never names a partial file.
    fn copy_in(&self, tmp: &Path, target: &Path) -> io::Result<()> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let staged = (self.temp_dir()).join(format!("put-{}-{seq}", std::process::id()));
        fs::copy(tmp, &staged)?;
        File::open(&staged)?.sync_all()?;
        fs::rename(&staged, target)?;
        fs::remove_file(tmp)
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let valid = key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !valid {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "mã tệp đính kèm không hợp lệ",
            ));
        }
        Ok(self.root.join(&key[..2]).join(&key[2..4]).join(key))
    }

    fn temp_dir(&self) -> PathBuf {
        let dir = self.root.join("tmp");
        // Errors surface when the caller creates its file there.
        let _ = fs::create_dir_all(&dir);
        dir
    }
}

fn hash(file: &mut File) -> io::Result<(String, u64)> {
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        sha.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(sha.finalize()), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp_file(store: &Store, name: &str, bytes: &[u8]) -> PathBuf {
        let path = store.temp_dir().join(name);
        fs::write(&path, bytes).unwrap();
        path
    }

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn put_is_content_addressed() {
        let root = tempfile::tempdir().unwrap();
        let store = Store::local(root.path());
        let a = tmp_file(&store, "a", b"Nghi quyet 35");
        let first = store.put(&a).unwrap();
        assert_eq!(first.size, 13);
        let expected = hex::encode(Sha256::digest(b"Nghi quyet 35"));
        assert_eq!(first.key, expected);
        let b = tmp_file(&store, "b", b"Nghi quyet 35");
        let second = store.put(&b).unwrap();
        assert_eq!(second, first);
        assert!(!a.exists() && !b.exists());
        let path = store.path(&first.key).unwrap();
        assert_eq!(
            path,
            root.path()
                .join(&expected[..2])
                .join(&expected[2..4])
                .join(&expected)
        );
        assert_eq!(fs::read(&path).unwrap(), b"Nghi quyet 35");
        let stored: Vec<_> = files_under(root.path())
            .into_iter()
            .filter(|p| !p.starts_with(root.path().join("tmp")))
            .collect();
        assert_eq!(stored, vec![path]);
    }

    #[test]
    fn put_from_another_dir() {
        let root = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let store = Store::local(root.path().join("data"));
        let src = elsewhere.path().join("x");
        fs::write(&src, b"").unwrap();
        let got = store.put(&src).unwrap();
        assert_eq!(got.size, 0);
        assert!(!src.exists());
        assert!(store.path(&got.key).unwrap().is_file());
    }

    #[test]
    fn path_rejects_bad_keys() {
        let store = Store::local("/srv/trienkhai");
        let good = "ab".repeat(32);
        assert!(store.path(&good).is_ok());
        for bad in [
            "../x",
            "abcd",
            "",
            &"AB".repeat(32),
            &format!("../{}", &good[3..]),
            &format!("{}/", &good[1..]),
            &"ab".repeat(33),
            &"gg".repeat(32),
        ] {
            let err = store.path(bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn missing_temp_file_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        let store = Store::local(root.path());
        let err = store.put(&store.temp_dir().join("khong-co")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
