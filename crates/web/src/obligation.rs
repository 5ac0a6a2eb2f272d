//! A unit's obligations, for its secretary on a phone: "my obligations",
//! and the report form that saves progress, keeps a draft as it is typed
//! (in the browser and on the server), takes evidence files and, once
//! submitted, only corrections with a reason.
use askama::Template;
use axum::{
    Json,
    extract::{Multipart, Path, State, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use trienkhai_core::{Code, FieldError, Role, fmt};
use trienkhai_db::{
    DbError,
    campaign::{
        figures::{FORMS, Figures, form_label},
        obligation::{self, Action, Obligation, Version},
        part,
    },
    session::Current,
};

use crate::{
    AppState, authz,
    campaign::{Cell, cell},
    document::file::{mime_of, open_stored, size_text},
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
    transfer,
};

/// The obligation if the account may report for its unit: the office for
/// any unit, a secretary for the units under theirs; others get 403.
pub async fn reportable(st: &AppState, cur: &Current, id: i64) -> WebResult<Obligation> {
    let o = obligation::get(&st.db, id)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !authz::may_report(cur, &o.path) {
        return Err(WebError::forbidden());
    }
    Ok(o)
}

#[derive(Template)]
#[template(path = "obligation_list.html")]
struct ListPage {
    nav: Option<Nav>,
    /// (the row, campaign, report deadline, where its form is)
    cells: Vec<(Cell, String, String, String)>,
    notes: Vec<(String, String, String)>,
}

pub async fn mine(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let Some(path) = cur
        .unit_path
        .clone()
        .filter(|_| cur.role() == Some(Role::Secretary))
    else {
        if authz::may_see_secret(cur) {
            return Ok(page::redirect("/campaigns"));
        }
        return Err(WebError::forbidden());
    };
    let today = fmt::iso(fmt::today_vn());
    let cells = obligation::mine(&st.db, &path)
        .await?
        .iter()
        .map(|o| {
            // A đảng bộ above that collects its chi bộ's parts: this unit's part.
            let href = match cur.unit_id {
                Some(u) if !o.path.starts_with(&path) => format!("/obligations/{}/parts/{u}", o.id),
                _ => format!("/obligations/{}", o.id),
            };
            (
                cell(o, &today),
                o.title.clone(),
                fmt::date_text(Some(&o.report_due)),
                href,
            )
        })
        .collect();
    let notes = page::notes(&st.db, cur, false).await?;
    page::render(&ListPage {
        nav: Some(Nav::read(cur, "obligations")),
        cells,
        notes,
    })
}

/// The report form as typed: every figure as text, so a wrong one comes
/// back to the field as it was typed.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
pub struct ReportForm {
    pub action: String,
    pub stamp: String,
    pub version: String,
    pub reason: String,
    pub scheduled_on: String,
    pub held_on: String,
    pub held_to: String,
    pub form: String,
    pub points: String,
    pub in_scope: String,
    pub present: String,
    pub absent_excused: String,
    pub absent_unexcused: String,
    pub makeup: String,
    pub non_members: String,
    pub reflections: String,
    pub programme: String,
    pub note: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl ReportForm {
    pub fn of(o: &Obligation) -> ReportForm {
        let mut r = ReportForm::of_figures(&o.figures);
        r.stamp = o.updated_at.to_string();
        r.version = o.version.to_string();
        if o.figures.in_scope == 0 {
            r.in_scope = o.roll.to_string();
        }
        r.programme = o.programme_symbol.clone().unwrap_or_default();
        r
    }

    /// The figures as the form shows them (zeros left blank).
    pub fn of_figures(f: &Figures) -> ReportForm {
        let n = |v: i64| if v == 0 { String::new() } else { v.to_string() };
        ReportForm {
            scheduled_on: f.scheduled_on.clone().unwrap_or_default(),
            held_on: f.held_on.clone().unwrap_or_default(),
            held_to: f.held_to.clone().unwrap_or_default(),
            form: f.form.clone().unwrap_or_default(),
            points: f.points.map(|p| p.to_string()).unwrap_or_default(),
            in_scope: n(f.in_scope),
            present: n(f.present),
            absent_excused: n(f.absent_excused),
            absent_unexcused: n(f.absent_unexcused),
            makeup: n(f.makeup),
            non_members: n(f.non_members),
            reflections: n(f.reflections),
            note: f.note.clone(),
            ..Default::default()
        }
    }

    /// Figures, or the fields whose numbers cannot be read.
    pub async fn figures(&self, st: &AppState) -> Result<Figures, DbError> {
        let mut errs = Vec::new();
        let mut num = |field: &'static str, s: &str| -> i64 {
            let t: String = s
                .trim()
                .chars()
                .filter(|c| *c != '.' && *c != ' ')
                .collect();
            if t.is_empty() {
                return 0;
            }
            t.parse().unwrap_or_else(|_| {
                errs.push(FieldError::new(field, Code::InvalidFigure));
                0
            })
        };
        let f = Figures {
            scheduled_on: opt(&self.scheduled_on),
            held_on: opt(&self.held_on),
            held_to: opt(&self.held_to),
            form: opt(&self.form),
            points: opt(&self.points).map(|p| num("points", &p)),
            in_scope: num("in_scope", &self.in_scope),
            present: num("present", &self.present),
            absent_excused: num("absent_excused", &self.absent_excused),
            absent_unexcused: num("absent_unexcused", &self.absent_unexcused),
            makeup: num("makeup", &self.makeup),
            non_members: num("non_members", &self.non_members),
            reflections: num("reflections", &self.reflections),
            programme_document_id: None,
            note: self.note.clone(),
        };
        if !errs.is_empty() {
            return Err(DbError::Invalid(errs));
        }
        // The action programme is named by its symbol, as printed.
        let programme_document_id = match opt(&self.programme) {
            None => None,
            Some(s) => Some(
                trienkhai_db::document::by_symbol(&st.db, &s)
                    .await?
                    .first()
                    .map(|d| d.id)
                    .ok_or(DbError::field("programme", Code::DocumentNotFound))?,
            ),
        };
        Ok(Figures {
            programme_document_id,
            ..f
        })
    }
}

#[derive(Template)]
#[template(path = "obligation_form.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    o: Obligation,
    status: &'static str,
    label: &'static str,
    f: ReportForm,
    errors: Errors,
    /// A refusal that belongs to no field (locked period, stale form).
    notice: String,
    forms: Vec<(&'static str, &'static str)>,
    form_label: &'static str,
    rate: String,
    dues: (String, String, String),
    versions: Vec<(i64, String, String, String)>,
    files: Vec<(i64, String, String)>,
    /// The server-side draft, for the script to offer back.
    draft: String,
    upload_error: String,
    /// Set on a chi bộ's part form: (unit id, name).
    part: Option<(i64, String)>,
    /// The đảng bộ's chi bộ and their parts: (unit id, name, held on, attendance).
    parts: Vec<(i64, String, String, String)>,
    /// Whether the unit has chi bộ whose parts it could collect.
    has_cells: bool,
}

fn versions(v: Vec<Version>) -> Vec<(i64, String, String, String)> {
    v.into_iter()
        .map(|v| {
            let reason = if v.reason.is_empty() {
                "Báo cáo lần đầu".to_string()
            } else {
                v.reason
            };
            (
                v.version,
                fmt::datetime_ms(v.submitted_at),
                v.user_name.unwrap_or_default(),
                reason,
            )
        })
        .collect()
}

async fn form_page(
    st: &AppState,
    cur: &Current,
    o: Obligation,
    f: Option<ReportForm>,
    errors: Vec<FieldError>,
    notice: String,
) -> WebResult<FormPage> {
    let today = fmt::iso(fmt::today_vn());
    let status = o.status(&today);
    let draft = obligation::draft(&st.db, o.id, cur.user_id)
        .await?
        .map(|d| d.0)
        .unwrap_or_default();
    let files = obligation::files(&st.db, o.id)
        .await?
        .into_iter()
        .map(|f| (f.id, f.name, size_text(f.size)))
        .collect();
    let cells = trienkhai_db::restructure::current_children(&st.db, o.unit_id).await?;
    let has_cells = !cells.is_empty();
    let filed = if o.collect {
        part::parts(&st.db, o.id).await?
    } else {
        vec![]
    };
    let parts = cells
        .into_iter()
        .filter(|_| o.collect)
        .map(|(u, name)| match filed.iter().find(|p| p.0 == u) {
            Some(p) => (
                u,
                name,
                fmt::date_text(p.2.held_on.as_deref()),
                attendance(&p.2),
            ),
            None => (u, name, String::new(), "Chưa báo cáo".into()),
        })
        .collect();
    Ok(FormPage {
        nav: Some(Nav::new(cur, "obligations")),
        csrf: cur.csrf.clone(),
        status,
        label: obligation::status_label(status),
        f: f.unwrap_or_else(|| ReportForm::of(&o)),
        errors: Errors(errors),
        notice,
        forms: FORMS.to_vec(),
        form_label: form_label(o.figures.form.as_deref().unwrap_or("")),
        rate: fmt::percent(o.figures.present, o.figures.in_scope),
        dues: (
            fmt::date_text(Some(&o.session_due)),
            fmt::date_text(Some(&o.programme_due)),
            fmt::date_text(Some(&o.report_due)),
        ),
        versions: versions(obligation::versions(&st.db, o.id).await?),
        files,
        draft,
        upload_error: String::new(),
        part: None,
        parts,
        has_cells,
        o,
    })
}

pub async fn show(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let o = reportable(&st, cur, id).await?;
    page::render(&form_page(&st, cur, o, None, vec![], String::new()).await?)
}

/// Saves or submits, or corrects (when `reason` is sent for a submitted report).
pub async fn save(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReportForm>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let o = reportable(&st, cur, id).await?;
    match apply(&st, &viewer, &o, &f).await {
        Ok(_) => Ok(page::redirect(&format!("/obligations/{id}?saved=1"))),
        Err(DbError::Invalid(errs)) => {
            let p = form_page(&st, cur, o, Some(f), errs, String::new()).await?;
            page::render_status(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(DbError::Refused(code)) => {
            // The page shows the row as it is now, with the reason on top.
            let o = reportable(&st, cur, id).await?;
            let p = form_page(&st, cur, o, None, vec![], code.message().into()).await?;
            page::render_status(&p, crate::error::status_of(code))
        }
        Err(e) => Err(e.into()),
    }
}

/// The one path every way of reporting takes (form and API).
pub async fn apply(
    st: &AppState,
    viewer: &Viewer,
    o: &Obligation,
    f: &ReportForm,
) -> Result<Obligation, DbError> {
    let figures = f.figures(st).await?;
    let today = fmt::today_vn();
    let actor = viewer.actor();
    let num = |s: &str| s.trim().parse::<i64>().unwrap_or(i64::MIN);
    match f.action.as_str() {
        "correct" => {
            obligation::correct(
                &st.db,
                &actor,
                o.id,
                figures,
                &f.reason,
                num(&f.version),
                today,
            )
            .await
        }
        "submit" => {
            obligation::report(
                &st.db,
                &actor,
                o.id,
                figures,
                Action::Submit,
                num(&f.stamp),
                today,
            )
            .await
        }
        "save" | "" => {
            obligation::report(
                &st.db,
                &actor,
                o.id,
                figures,
                Action::Save,
                num(&f.stamp),
                today,
            )
            .await
        }
        _ => Err(DbError::field("action", Code::InvalidChoice)),
    }
}

fn attendance(f: &Figures) -> String {
    format!(
        "{}/{} ({})",
        fmt::int(f.present),
        fmt::int(f.in_scope),
        fmt::percent(f.present, f.in_scope)
    )
}

/// A chi bộ's part of a collecting đảng bộ's report: the chi bộ's
/// secretary (or anyone who may report for it) fills it.
async fn part_page(
    st: &AppState,
    cur: &Current,
    id: i64,
    unit: i64,
    f: Option<ReportForm>,
    errors: Vec<FieldError>,
    notice: String,
) -> WebResult<FormPage> {
    let u = trienkhai_db::unit::get(&st.db, unit)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !authz::may_report(cur, &u.path) {
        return Err(WebError::forbidden());
    }
    let o = obligation::get(&st.db, id)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !u.path.starts_with(&o.path) || u.path == o.path {
        return Err(WebError::not_found());
    }
    let filed = part::parts(&st.db, id)
        .await?
        .into_iter()
        .find(|p| p.0 == unit);
    let f = f.unwrap_or_else(|| ReportForm::of_figures(&filed.map(|p| p.2).unwrap_or_default()));
    let mut p = form_page(st, cur, o, Some(f), errors, notice).await?;
    p.part = Some((unit, u.name));
    p.parts = vec![];
    Ok(p)
}

pub async fn part_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((id, unit)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    page::render(&part_page(&st, cur, id, unit, None, vec![], String::new()).await?)
}

pub async fn part_save(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((id, unit)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<ReportForm>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    // Checks the account may report for this chi bộ before anything else.
    part_page(&st, cur, id, unit, None, vec![], String::new()).await?;
    let saved = match f.figures(&st).await {
        Ok(g) => part::save(&st.db, &viewer.actor(), id, unit, g, fmt::today_vn()).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(page::redirect(&format!(
            "/obligations/{id}/parts/{unit}?saved=1"
        ))),
        Err(DbError::Invalid(errs)) => {
            let p = part_page(&st, cur, id, unit, Some(f), errs, String::new()).await?;
            page::render_status(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(DbError::Refused(code)) => {
            let p = part_page(&st, cur, id, unit, None, vec![], code.message().into()).await?;
            page::render_status(&p, crate::error::status_of(code))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CollectForm {
    pub on: String,
}

/// Switches between one report for the whole đảng bộ and its chi bộ's parts.
pub async fn collect(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CollectForm>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    reportable(&st, cur, id).await?;
    part::set_collect(&st.db, &viewer.actor(), id, f.on == "1").await?;
    Ok(page::redirect(&format!("/obligations/{id}#chi-bo")))
}

/// The draft as the form serialises it (urlencoded), kept per account.
pub async fn draft(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: String,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    reportable(&st, cur, id).await?;
    if body.len() > 16 * 1024 {
        return Err(WebError::status(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::PayloadTooLarge,
        ));
    }
    obligation::save_draft(&st.db, id, cur.user_id, &body).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn upload(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let o = reportable(&st, cur, id).await?;
    let kept = match crate::document::file::receive_kept(&st, form).await? {
        Ok(k) => k,
        Err(code) => return refuse_upload(&st, cur, id, code).await,
    };
    let new = obligation::NewFile {
        name: &kept.name,
        kind: kept.kind.as_str(),
        size: kept.size as i64,
        store_key: &kept.key,
    };
    match obligation::add_file(&st.db, &viewer.actor(), o.id, new).await {
        Ok(_) => Ok(page::redirect(&format!("/obligations/{id}#minh-chung"))),
        Err(DbError::Refused(code)) => refuse_upload(&st, cur, id, code).await,
        Err(e) => Err(e.into()),
    }
}

/// The form again, with why the file was not taken next to the file field.
async fn refuse_upload(st: &AppState, cur: &Current, id: i64, code: Code) -> WebResult<Response> {
    let o = reportable(st, cur, id).await?;
    let mut p = form_page(st, cur, o, None, vec![], String::new()).await?;
    p.upload_error = match code {
        Code::Required => "Hãy chọn tệp để đính kèm.".into(),
        c => c.message().to_string(),
    };
    let status = match code {
        Code::FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Code::UnsupportedFile => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        c => crate::error::status_of(c),
    };
    page::render_status(&p, status)
}

pub async fn download(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((id, file_id)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    reportable(&st, cur, id).await?;
    let f = obligation::file(&st.db, file_id)
        .await?
        .filter(|f| f.obligation_id == id)
        .ok_or_else(WebError::not_found)?;
    let (opened, kind) = open_stored(&st, &f.store_key, &f.kind).await?;
    Ok(transfer::stream(opened, mime_of(kind), &f.name))
}

/// JSON: `GET /api/v1/obligations` (the caller's units) and one obligation.
pub async fn api_mine(
    State(st): State<AppState>,
    viewer: Viewer,
) -> WebResult<Json<Vec<Obligation>>> {
    let cur = viewer.signed()?;
    // The office sees the first page of every unit's; a secretary their own.
    let path = match authz::scope(cur) {
        authz::Scope::All => "/".to_string(),
        authz::Scope::Subtree(p) => p,
        _ => return Err(WebError::forbidden()),
    };
    Ok(Json(obligation::mine(&st.db, &path).await?))
}

pub async fn api_show(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> WebResult<Json<serde_json::Value>> {
    let cur = viewer.signed()?;
    let o = reportable(&st, cur, id).await?;
    let v = obligation::versions(&st.db, id).await?;
    Ok(Json(serde_json::json!({"obligation": o, "versions": v})))
}

/// JSON report: the same fields as the form, figures as numbers or text.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApiReport {
    pub action: String,
    pub stamp: serde_json::Value,
    pub version: serde_json::Value,
    pub reason: String,
    #[serde(flatten)]
    pub rest: std::collections::HashMap<String, serde_json::Value>,
}

fn as_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub async fn api_report(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Json(r): Json<ApiReport>,
) -> WebResult<Json<Obligation>> {
    let cur = viewer.signed()?;
    let o = reportable(&st, cur, id).await?;
    let mut fields: serde_json::Map<String, serde_json::Value> = r
        .rest
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(as_text(v))))
        .collect();
    fields.insert("action".into(), r.action.into());
    fields.insert("stamp".into(), as_text(&r.stamp).into());
    fields.insert("version".into(), as_text(&r.version).into());
    fields.insert("reason".into(), r.reason.into());
    let f: ReportForm = serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|_| WebError::status(StatusCode::BAD_REQUEST, Code::BadRequest))?;
    Ok(Json(apply(&st, &viewer, &o, &f).await?))
}
