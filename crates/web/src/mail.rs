//! Outgoing e-mail over SMTP (lettre, async on tokio, rustls for TLS).
//!
//! Messages are plain-text UTF-8: lettre encodes a non-ASCII subject and
//! display names as RFC 2047 encoded-words and picks `7bit`,
//! `quoted-printable` or `base64` for the body, so Vietnamese text with
//! diacritics arrives intact.
//!
//! Recipients and bodies are member data: they are never logged, and
//! errors name neither.
use std::{fmt, time::Duration};

use anyhow::{Context, anyhow, bail};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};

/// How long one SMTP step (connect, each command, the data) may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How to reach the SMTP server, e.g. from the `[smtp]` table of the
/// configuration file.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    /// 0 picks the usual port for `security`: 25, 587 or 465.
    #[serde(default)]
    pub port: u16,
    /// The sender, `Tên hiển thị <dia.chi@mien>` or a bare address.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub security: Security,
}

/// Transport security toward the SMTP server.
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP, no TLS (a relay on the same host or a test sink).
    #[default]
    None,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    Starttls,
    /// TLS from the first byte, "SMTPS" (port 465).
    Tls,
}

impl Security {
    fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::Starttls => 587,
            Security::Tls => 465,
        }
    }
}

/// Sends plain-text messages through one SMTP server. Cheap to clone; each
/// message uses its own connection.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    // By hand: the transport holds the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks the configuration and builds the transport; connects to
    /// nothing yet.
    pub fn new(cfg: &SmtpConfig) -> anyhow::Result<Mailer> {
        Self::with_timeout(cfg, TIMEOUT)
    }

    /// As [`Mailer::new`], with another limit for each SMTP step (and twice
    /// that for a whole message).
    pub fn with_timeout(cfg: &SmtpConfig, timeout: Duration) -> anyhow::Result<Mailer> {
        let host = cfg.host.trim();
        if host.is_empty() {
            bail!("Chưa cấu hình máy chủ thư (SMTP)");
        }
        let from: Mailbox = cfg
            .from
            .trim()
            .parse()
            .map_err(|_| anyhow!("Địa chỉ người gửi không hợp lệ: {:?}", cfg.from))?;
        let port = if cfg.port == 0 {
            cfg.security.default_port()
        } else {
            cfg.port
        };

        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(timeout));
        let tls_params = || {
            TlsParameters::new(host.to_owned())
                .with_context(|| format!("Không dựng được kết nối TLS tới {host}"))
        };
        let tls = match cfg.security {
            Security::None => Tls::None,
            Security::Starttls => Tls::Required(tls_params()?),
            Security::Tls => Tls::Wrapper(tls_params()?),
        };
        builder = builder.tls(tls);

        let username = cfg.username.as_deref().filter(|s| !s.is_empty());
        let password = cfg.password.as_deref().filter(|s| !s.is_empty());
        match (username, password) {
            (Some(user), Some(pass)) => {
                builder = builder.credentials(Credentials::new(user.to_owned(), pass.to_owned()));
            }
            (None, None) => {}
            (Some(_), None) => bail!("Có tên đăng nhập SMTP nhưng thiếu mật khẩu"),
            (None, Some(_)) => bail!("Có mật khẩu SMTP nhưng thiếu tên đăng nhập"),
        }

        Ok(Mailer {
            transport: builder.build(),
            from,
            host: host.to_owned(),
            port,
            timeout,
        })
    }

    /// Sends one plain-text UTF-8 message to `to` (`dia.chi@mien` or
    /// `Tên <dia.chi@mien>`). Fails if the server does not accept it within
    /// the time limit.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let to: Mailbox = to
            .trim()
            .parse()
            .map_err(|_| anyhow!("Địa chỉ người nhận không hợp lệ"))?;
        // lettre adds no Message-ID unless asked; one in the sender's domain
        // looks less like spam than one naming this host.
        let message_id = format!(
            "<{:032x}@{}>",
            rand::random::<u128>(),
            self.from.email.domain()
        );
        let message = Message::builder()
            .message_id(Some(message_id))
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .context("Không soạn được thư")?;

        tracing::debug!(recipients = 1, host = %self.host, "gửi thư qua SMTP");
        // lettre bounds each step; this bounds the whole exchange.
        match tokio::time::timeout(self.timeout * 2, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(anyhow!(
                "Không gửi được thư qua {}:{}: {}",
                self.host,
                self.port,
                cause(&e)
            )),
            Err(_) => bail!(
                "Không gửi được thư qua {}:{}: quá thời gian chờ",
                self.host,
                self.port
            ),
        }
    }
}

/// What went wrong, without the server's own words: a refusal often quotes
/// the recipient's address, and the error goes to the log and the outbox.
fn cause(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) => format!("máy chủ thư trả mã {code}"),
        None if e.is_timeout() => "quá thời gian chờ".into(),
        None if e.is_tls() => "lỗi TLS".into(),
        None => "lỗi kết nối hoặc giao thức".into(),
    }
}
