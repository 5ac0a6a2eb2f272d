//! Argon2id with the crate's defaults (19 MiB, t=2, p=1: the OWASP minimum).
use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};

pub const MIN_LEN: usize = 10;

/// Passwords are hashed as NFC, so "Mật khẩu" typed on macOS (NFD) and on
/// Windows (NFC) is the same password (as RFC 8265 advises).
pub fn hash(password: &str) -> anyhow::Result<String> {
    let password = trienkhai_core::text::nfc(password);
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Hashing takes tens of milliseconds of CPU: off the async runtime.
pub async fn hash_async(password: &str) -> anyhow::Result<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || hash(&pw)).await?
}

/// Verification is as slow as hashing: off the async runtime too.
pub async fn verify_async(password: &str, phc: String) -> bool {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || verify(&pw, &phc))
        .await
        .unwrap_or(false)
}

pub fn verify(password: &str, phc: &str) -> bool {
    let password = trienkhai_core::text::nfc(password);
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spent on unknown usernames so response time does not reveal which exist.
pub fn burn() {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("trienkhai-dummy-password").unwrap_or_default());
    let _ = verify("not-the-password", phc);
}

/// Random secret as lowercase hex (session cookies, CSRF, API tokens).
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}
