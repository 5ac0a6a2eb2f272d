//! Member lists in and out: export as CSV/XLSX, and import with a preview
//! that writes nothing, then a confirmation that writes all or nothing.
use askama::Template;
use axum::{
    Form,
    extract::{Multipart, Path, Query, State, multipart::MultipartRejection},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use trienkhai_core::{Code, fmt};
use trienkhai_db::{
    DbError, member,
    member_import::{self, ImportError, Report},
    unit::{self, Unit},
};
use trienkhai_sheet::OutFormat;

use crate::{
    AppState, authz,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Nav},
    transfer,
    unit::Day,
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    format: String,
    as_of: String,
}

pub async fn export(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let u = unit::get(&st.db, id)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !authz::may_list_members(cur, u.id, &u.path) {
        return Err(WebError::forbidden());
    }
    let format = match q.format.as_str() {
        "csv" => OutFormat::Csv,
        "xlsx" | "" => OutFormat::Xlsx,
        _ => {
            return Err(WebError::status(
                StatusCode::BAD_REQUEST,
                Code::InvalidChoice,
            ));
        }
    };
    let day = Day::from(&q.as_of);
    if day.errors.any() {
        return Err(WebError::status(StatusCode::BAD_REQUEST, Code::InvalidDate));
    }
    let then = unit::at(&st.db, id, day.date)
        .await?
        .ok_or_else(WebError::not_found)?;
    let path =
        transfer::scratch(&st, "exports", "", format.extension()).map_err(anyhow::Error::from)?;
    let written = member::export(&st.db, &then.path, day.date, &path, format).await;
    let file = tokio::fs::File::open(&path).await;
    // The open handle keeps the data; the name can go now.
    let _ = std::fs::remove_file(&path);
    written?;
    let file = file.map_err(anyhow::Error::from)?;
    let name = format!(
        "dang-vien-{}-{}.{}",
        u.code.to_lowercase(),
        day.iso(),
        format.extension()
    );
    Ok(transfer::stream(file, format.content_type(), &name))
}

#[derive(Template)]
#[template(path = "member_import.html")]
struct ImportPage {
    nav: Option<Nav>,
    csrf: String,
    unit: Unit,
    max_mb: u64,
    error: String,
    report: Option<Report>,
    token: String,
    done: bool,
    summary: String,
    more_errors: bool,
}

async fn manageable(st: &AppState, viewer: &Viewer, id: i64) -> WebResult<Unit> {
    let cur = viewer.signed()?;
    let u = unit::get(&st.db, id)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !authz::may_manage_members(cur, &u.path) {
        return Err(WebError::forbidden());
    }
    Ok(u)
}

fn page_for(st: &AppState, viewer: &Viewer, unit: Unit) -> WebResult<ImportPage> {
    let cur = viewer.signed()?;
    Ok(ImportPage {
        nav: Some(Nav::new(cur, "units")),
        csrf: cur.csrf.clone(),
        unit,
        max_mb: st.cfg.max_import / (1024 * 1024),
        error: String::new(),
        report: None,
        token: String::new(),
        done: false,
        summary: String::new(),
        more_errors: false,
    })
}

pub async fn form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let u = manageable(&st, &viewer, id).await?;
    page::render(&page_for(&st, &viewer, u)?)
}

/// Runs the importer and shows its report; file problems are shown on the
/// form, never as a server error.
async fn run(
    st: &AppState,
    viewer: &Viewer,
    p: &mut ImportPage,
    file: &std::path::Path,
    commit: bool,
) -> WebResult<StatusCode> {
    let actor = viewer.actor();
    let code = p.unit.code.clone();
    match member_import::run(
        &st.db,
        &actor,
        file,
        &code,
        member_import::Limits::new(st.cfg.max_import),
        commit,
    )
    .await
    {
        Ok(r) => {
            let status = if r.error_count > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            p.done = r.written;
            p.summary = summary(&r);
            p.more_errors = r.error_count > r.errors.len() as u64;
            p.report = Some(r);
            Ok(status)
        }
        Err(ImportError::Db(DbError::Invalid(e))) => {
            p.error = e
                .first()
                .map(|f| f.code.message().to_string())
                .unwrap_or_default();
            Ok(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(ImportError::Db(e)) => Err(e.into()),
        Err(e) => {
            p.error = e.to_string();
            Ok(StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// Drops uploads nobody confirmed within a day.
fn purge_old_uploads(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let day = std::time::Duration::from_secs(86_400);
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

pub async fn upload(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let u = manageable(&st, &viewer, id).await?;
    let mut p = page_for(&st, &viewer, u)?;
    let Ok(mut form) = form else {
        p.error = "Hãy chọn tệp danh sách (CSV hoặc XLSX).".into();
        return page::render_status(&p, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let too_large = format!("Tệp quá lớn: tối đa {} MB.", p.max_mb);
    purge_old_uploads(&st.cfg.data_dir.join("imports"));
    // The token names the upload and binds it to its uploader.
    let prefix = format!("{}-", cur.user_id);
    let path = transfer::scratch(&st, "imports", &prefix, "upload").map_err(anyhow::Error::from)?;
    let failed = match transfer::receive(&mut form, &path, st.cfg.max_import).await {
        Ok(_) => None,
        Err(transfer::Refused::Io(e)) => {
            let _ = std::fs::remove_file(&path);
            return Err(anyhow::Error::from(e).into());
        }
        Err(transfer::Refused::Code(Code::FileTooLarge)) => Some(too_large.clone()),
        Err(transfer::Refused::Code(Code::Required)) => {
            Some("Hãy chọn tệp danh sách (CSV hoặc XLSX).".to_string())
        }
        Err(transfer::Refused::Code(c)) => Some(c.message().to_string()),
    };
    if let Some(msg) = failed {
        let _ = std::fs::remove_file(&path);
        p.error = msg;
        let status = if p.error == too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return page::render_status(&p, status);
    }
    let status = run(&st, &viewer, &mut p, &path, false).await?;
    if p.report.as_ref().is_some_and(|r| r.error_count == 0) {
        p.token = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .trim_start_matches(&prefix)
            .to_string();
    } else {
        let _ = std::fs::remove_file(&path);
    }
    page::render_status(&p, status)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    token: String,
}

pub async fn confirm(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let u = manageable(&st, &viewer, id).await?;
    let mut p = page_for(&st, &viewer, u)?;
    let valid = f.token.len() == 32 && f.token.bytes().all(|b| b.is_ascii_hexdigit());
    let path = st
        .cfg
        .data_dir
        .join("imports")
        .join(format!("{}-{}.upload", cur.user_id, f.token));
    if !valid || !path.exists() {
        p.error = Code::StaleForm.message().to_string();
        return page::render_status(&p, StatusCode::CONFLICT);
    }
    let status = run(&st, &viewer, &mut p, &path, true).await?;
    if p.done {
        let _ = std::fs::remove_file(&path);
    } else {
        p.token = f.token;
    }
    page::render_status(&p, status)
}

fn summary(r: &Report) -> String {
    format!(
        "{} dòng: {} người mới, {} lượt sinh hoạt mới, {} đã có trong danh sách",
        fmt::int(r.rows as i64),
        fmt::int(r.new_people as i64),
        fmt::int(r.new_members as i64),
        fmt::int(r.unchanged as i64)
    )
}
