//! Configuration: flags, then `TRIENKHAI_*` environment variables, then an
//! optional TOML file, then defaults. `print-config` shows the result.
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::{Deserialize, Serialize};

#[derive(Parser, Debug)]
#[command(
    name = "trienkhai",
    version,
    about = "Theo dõi học tập, quán triệt, triển khai văn bản của Đảng"
)]
pub struct Cli {
    /// Tệp cấu hình TOML.
    #[arg(long, env = "TRIENKHAI_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Địa chỉ CSDL: sqlite://… (mặc định) hoặc postgres://…
    #[arg(long, env = "TRIENKHAI_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Địa chỉ và cổng phục vụ.
    #[arg(long, env = "TRIENKHAI_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Thư mục tệp đính kèm và dữ liệu khác.
    #[arg(long, env = "TRIENKHAI_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Đánh dấu cookie Secure (bật khi phục vụ qua HTTPS): `--secure-cookies` hoặc `--secure-cookies=false`.
    #[arg(long, env = "TRIENKHAI_SECURE_COOKIES", global = true, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub secure_cookies: Option<bool>,
    /// Lấy địa chỉ máy khách từ X-Forwarded-For của reverse proxy.
    #[arg(long, env = "TRIENKHAI_TRUST_PROXY", global = true, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub trust_proxy: Option<bool>,
    /// Số phút không thao tác thì phiên đăng nhập kết thúc.
    #[arg(long, env = "TRIENKHAI_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<i64>,
    /// Dung lượng tối đa của một yêu cầu, MiB.
    #[arg(long, env = "TRIENKHAI_MAX_BODY_MB", global = true)]
    pub max_body_mb: Option<usize>,
    /// Dung lượng tối đa của tệp danh sách đảng viên khi nhập, MiB.
    #[arg(long, env = "TRIENKHAI_MAX_IMPORT_MB", global = true)]
    pub max_import_mb: Option<u64>,
    /// Dung lượng tối đa của một tệp đính kèm văn bản, MiB.
    #[arg(long, env = "TRIENKHAI_MAX_ATTACHMENT_MB", global = true)]
    pub max_attachment_mb: Option<u64>,
    /// Lề trang văn bản DOCX, mm: "trên,dưới,trái,phải" (mặc định 25,25,35,15).
    #[arg(long, env = "TRIENKHAI_DOCX_MARGINS", global = true)]
    pub docx_margins: Option<String>,
    /// Thứ tự xếp tên: official (tên, họ, tên đệm) hoặc given_middle_family (tên, tên đệm, họ).
    #[arg(long, env = "TRIENKHAI_NAME_ORDER", global = true)]
    pub name_order: Option<String>,
    /// Bộ lọc nhật ký (cú pháp tracing EnvFilter).
    #[arg(long, env = "TRIENKHAI_LOG", global = true)]
    pub log: Option<String>,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Chạy máy chủ web (mặc định).
    Serve {
        /// Nạp dữ liệu mẫu vào CSDL mới và in tài khoản đăng nhập.
        #[arg(long)]
        demo: bool,
    },
    /// Cập nhật lược đồ CSDL rồi thoát.
    Migrate,
    /// Tạo quản trị viên; mật khẩu đọc từ đầu vào chuẩn.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Khóa API cá nhân.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// In cấu hình đang dùng (giá trị mặc định khi chưa đặt gì).
    PrintConfig,
    /// Nhập danh sách đảng viên từ tệp CSV hoặc XLSX.
    Import {
        #[command(subcommand)]
        what: ImportCmd,
    },
    /// Xuất danh sách đảng viên ra CSV hoặc XLSX.
    Export {
        #[command(subcommand)]
        what: ExportCmd,
    },
    /// Tìm trích dẫn văn bản trong tệp (không có tệp thì đọc stdin); mỗi
    /// trích dẫn in một dòng JSON.
    Refs { file: Option<PathBuf> },
    /// Sinh dữ liệu thử (cây tổ chức, đảng viên, văn bản) để đo hiệu năng.
    GenData(GenArgs),
}

/// What `gen-data` writes: an org tree with its members (`--scale`),
/// documents (`--documents`), or both.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["scale", "documents"])))]
pub struct GenArgs {
    /// Cây tổ chức và đảng viên: ci (3.000 đảng viên), province (140.000) hoặc nation (5,6 triệu).
    #[arg(long, value_parser = scale_parser())]
    pub scale: Option<trienkhai_db::scale::Scale>,
    /// Số văn bản cần sinh.
    #[arg(long)]
    pub documents: Option<u64>,
    /// Triển khai một đợt học tập trên cả cây vừa sinh, kèm tiến độ và báo cáo.
    #[arg(long)]
    pub campaigns: bool,
    /// Hạt giống: cùng hạt giống, cùng dữ liệu (trên CSDL mới).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `--scale`: the names listed in `--help`, parsed by `Scale`'s FromStr.
fn scale_parser() -> impl clap::builder::TypedValueParser<Value = trienkhai_db::scale::Scale> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["ci", "province", "nation"])
        .try_map(|s| s.parse::<trienkhai_db::scale::Scale>())
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Kiểm tra cả tệp; chỉ ghi khi mọi dòng hợp lệ (tất cả hoặc không gì cả).
    Members {
        file: PathBuf,
        /// Mã đơn vị nhận danh sách (các dòng có thể ghi mã đơn vị trực thuộc).
        #[arg(long)]
        unit: String,
        /// Chỉ kiểm tra, không ghi.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// Đảng viên của đơn vị và các đơn vị trực thuộc, theo thứ tự tên.
    Members {
        #[arg(long)]
        unit: String,
        /// csv hoặc xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Danh sách vào ngày này (dd/mm/yyyy); mặc định hôm nay.
        #[arg(long)]
        as_of: Option<String>,
        /// Ghi ra tệp thay vì đầu ra chuẩn.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// In một khóa mới của tài khoản ra đầu ra chuẩn.
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
    max_import_mb: Option<u64>,
    max_attachment_mb: Option<u64>,
    docx_margins: Option<String>,
    name_order: Option<String>,
    log: Option<String>,
    reminder_minutes: Option<u64>,
    smtp: Option<trienkhai_web::mail::SmtpConfig>,
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
    pub max_import_mb: u64,
    pub max_attachment_mb: u64,
    pub docx_margins: String,
    pub name_order: String,
    pub log: String,
    /// How often each instance looks for reminders due.
    pub reminder_minutes: u64,
    /// Outgoing mail for reminders; none: in-app notifications only.
    #[serde(skip)]
    pub smtp: Option<trienkhai_web::mail::SmtpConfig>,
}

impl Config {
    pub fn load(cli: &Cli) -> anyhow::Result<Config> {
        let file = match &cli.config {
            Some(p) => read_file(p)?,
            None => FileConfig::default(),
        };
        // The web layer owns its defaults; the command line shows the same ones.
        let web = trienkhai_web::WebConfig::default();
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
                .unwrap_or(web.session_idle_ms / 60_000),
            max_body_mb: cli
                .max_body_mb
                .or(file.max_body_mb)
                .unwrap_or(web.max_body / (1024 * 1024)),
            max_import_mb: cli.max_import_mb.or(file.max_import_mb).unwrap_or(20),
            max_attachment_mb: cli
                .max_attachment_mb
                .or(file.max_attachment_mb)
                .unwrap_or(web.max_attachment / (1024 * 1024)),
            docx_margins: cli
                .docx_margins
                .clone()
                .or(file.docx_margins)
                .unwrap_or_else(|| "25,25,35,15".into()),
            name_order: cli
                .name_order
                .clone()
                .or(file.name_order)
                .unwrap_or_else(|| "official".into()),
            log: cli
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info,sqlx=warn,tower_http=warn".into()),
            reminder_minutes: file.reminder_minutes.unwrap_or(15),
            smtp: file.smtp.filter(|s| !s.host.trim().is_empty()),
        };
        anyhow::ensure!(cfg.reminder_minutes > 0, "reminder_minutes phải lớn hơn 0");
        anyhow::ensure!(
            cfg.session_idle_minutes > 0,
            "session_idle_minutes phải lớn hơn 0"
        );
        anyhow::ensure!(cfg.max_body_mb > 0, "max_body_mb phải lớn hơn 0");
        anyhow::ensure!(cfg.max_import_mb > 0, "max_import_mb phải lớn hơn 0");
        anyhow::ensure!(
            cfg.max_attachment_mb > 0,
            "max_attachment_mb phải lớn hơn 0"
        );
        anyhow::ensure!(
            cfg.margins().is_some(),
            "docx_margins phải là bốn số mm: trên,dưới,trái,phải (ví dụ 25,25,35,15)"
        );
        anyhow::ensure!(
            cfg.order().is_some(),
            "name_order phải là official hoặc given_middle_family"
        );
        Ok(cfg)
    }

    pub fn margins(&self) -> Option<trienkhai_office::docx::Margins> {
        let v: Vec<f32> = self
            .docx_margins
            .split(',')
            .map(|p| {
                p.trim()
                    .parse()
                    .ok()
                    .filter(|m: &f32| (0.0..=80.0).contains(m))
            })
            .collect::<Option<_>>()?;
        let [top_mm, bottom_mm, left_mm, right_mm] = v[..] else {
            return None;
        };
        Some(trienkhai_office::docx::Margins {
            top_mm,
            bottom_mm,
            left_mm,
            right_mm,
        })
    }

    pub fn order(&self) -> Option<trienkhai_core::name::NameOrder> {
        trienkhai_core::name::NameOrder::parse(&self.name_order)
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
