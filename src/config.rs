//! Configuration: flags, then `TRIENKHAI_*` environment variables, then an
//! optional TOML file, then defaults. `print-config` shows the result.
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::{Deserialize, Serialize};

#[derive(Parser, Debug)]
#[command(
    name = "trienkhai",
    version,
    about = "Theo dõi học tập, quán triệt, triển khai văn bản của Đảng"
)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, env = "TRIENKHAI_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// sqlite://… (default) or postgres://…
    #[arg(long, env = "TRIENKHAI_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Address and port to listen on.
    #[arg(long, env = "TRIENKHAI_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Folder for attachments and other files.
    #[arg(long, env = "TRIENKHAI_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Mark cookies Secure (set when served over HTTPS).
    #[arg(long, env = "TRIENKHAI_SECURE_COOKIES", global = true)]
    pub secure_cookies: Option<bool>,
    /// Trust X-Forwarded-For from a reverse proxy for the client address.
    #[arg(long, env = "TRIENKHAI_TRUST_PROXY", global = true)]
    pub trust_proxy: Option<bool>,
    /// Minutes of inactivity before a session ends.
    #[arg(long, env = "TRIENKHAI_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<i64>,
    /// Largest request body in MiB.
    #[arg(long, env = "TRIENKHAI_MAX_BODY_MB", global = true)]
    pub max_body_mb: Option<usize>,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "TRIENKHAI_LOG", global = true)]
    pub log: Option<String>,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Run the web server (the default).
    Serve {
        /// Load the demo committee into a fresh database and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create an administrator; the password is read from standard input.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Personal API tokens.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// Print the effective configuration (the defaults when nothing is set).
    PrintConfig,
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Print a new token for the user on standard output.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "dòng lệnh")]
        name: String,
    },
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    secure_cookies: Option<bool>,
    trust_proxy: Option<bool>,
    session_idle_minutes: Option<i64>,
    max_body_mb: Option<usize>,
    log: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: String,
    pub data_dir: PathBuf,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub session_idle_minutes: i64,
    pub max_body_mb: usize,
    pub log: String,
}

impl Config {
    pub fn load(cli: &Cli) -> anyhow::Result<Config> {
        let file = match &cli.config {
            Some(p) => read_file(p)?,
            None => FileConfig::default(),
        };
        let cfg = Config {
            database_url: cli
                .database_url
                .clone()
                .or(file.database_url)
                .unwrap_or_else(|| "sqlite://data/trienkhai.db".into()),
            listen: cli
                .listen
                .clone()
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: cli
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| "data".into()),
            secure_cookies: cli.secure_cookies.or(file.secure_cookies).unwrap_or(false),
            trust_proxy: cli.trust_proxy.or(file.trust_proxy).unwrap_or(false),
            session_idle_minutes: cli
                .session_idle_minutes
                .or(file.session_idle_minutes)
                .unwrap_or(480),
            max_body_mb: cli.max_body_mb.or(file.max_body_mb).unwrap_or(2),
            log: cli
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info,sqlx=warn,tower_http=warn".into()),
        };
        anyhow::ensure!(
            cfg.session_idle_minutes > 0,
            "session_idle_minutes phải lớn hơn 0"
        );
        anyhow::ensure!(cfg.max_body_mb > 0, "max_body_mb phải lớn hơn 0");
        Ok(cfg)
    }

    /// TOML, with any database password masked.
    pub fn to_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = mask_password(&self.database_url);
        toml::to_string(&shown).unwrap_or_default()
    }
}

fn read_file(p: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(p)
        .with_context(|| format!("không đọc được tệp cấu hình {}", p.display()))?;
    toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("tệp cấu hình {} sai: {}", p.display(), e.message()))
}

fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((cred, host)) if cred.contains(':') => {
            let user = cred.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_password("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(mask_password("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
