//! Campaign screens for the committee office: the list, the launch form,
//! the board (roll-ups per level, drill-down, the units × status matrix)
//! and the report upward as DOCX and XLSX.
pub mod api;
pub mod report;

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Deserialize;
use trienkhai_core::{Code, fmt, text};
use trienkhai_db::{
    DbError,
    campaign::{
        self, Campaign, NewCampaign,
        obligation::{self, Obligation, STATUSES},
        tally::{self, Line},
    },
    document::{self, Filter},
    unit,
};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
};

const PAGE: i64 = 50;

/// A roll-up line as shown: counts with their percentages.
pub struct Shown {
    pub unit_id: i64,
    pub name: String,
    pub held: String,
    pub programme: String,
    pub reported: String,
    pub behind: String,
    pub members: String,
    pub rate: String,
    pub makeup: String,
    pub non_members: String,
    pub reflections: String,
}

/// Units behind at this level: those short of the step due by today.
pub fn behind(l: &Line, required: i64) -> i64 {
    let done = match required {
        4 => l.reported,
        3 => l.programme,
        2 => l.held,
        _ => l.units,
    };
    l.units - done
}

pub fn shown(l: &Line, required: i64) -> Shown {
    let of = |n: i64| format!("{}/{}", fmt::int(n), fmt::int(l.units));
    Shown {
        unit_id: l.unit_id,
        name: l.name.clone(),
        held: of(l.held),
        programme: of(l.programme),
        reported: of(l.reported),
        behind: fmt::int(behind(l, required)),
        members: format!("{}/{}", fmt::int(l.present), fmt::int(l.in_scope)),
        rate: fmt::percent(l.present, l.in_scope),
        makeup: fmt::int(l.makeup),
        non_members: fmt::int(l.non_members),
        reflections: fmt::int(l.reflections),
    }
}

/// One row of the matrix.
pub struct Cell {
    pub id: i64,
    pub unit_name: String,
    pub status: &'static str,
    pub label: &'static str,
    pub held_on: String,
    pub attendance: String,
    pub version: i64,
}

pub fn cell(o: &Obligation, today: &str) -> Cell {
    let status = o.status(today);
    Cell {
        id: o.id,
        unit_name: o.unit_name.clone(),
        status,
        label: obligation::status_label(status),
        held_on: fmt::date_text(o.figures.held_on.as_deref()),
        attendance: if o.figures.in_scope > 0 {
            format!(
                "{}/{} ({})",
                fmt::int(o.figures.present),
                fmt::int(o.figures.in_scope),
                fmt::percent(o.figures.present, o.figures.in_scope)
            )
        } else {
            String::new()
        },
        version: o.version,
    }
}

pub async fn load(st: &AppState, id: i64) -> WebResult<Campaign> {
    campaign::get(&st.db, id)
        .await?
        .ok_or_else(WebError::not_found)
}

#[derive(Template)]
#[template(path = "campaign_list.html")]
struct ListPage {
    nav: Option<Nav>,
    rows: Vec<(Campaign, String, String)>,
    /// The office's reminders (units newly overdue): (when, text, link).
    notes: Vec<(String, String, String)>,
}

pub async fn list(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let rows = campaign::list(&st.db, None, 100)
        .await?
        .into_iter()
        .map(|l| {
            let held = format!("{}/{}", fmt::int(l.held), fmt::int(l.units));
            let reported = format!(
                "{} ({})",
                fmt::int(l.reported),
                fmt::percent(l.reported, l.units)
            );
            (l.campaign, held, reported)
        })
        .collect();
    let notes = page::notes(&st.db, cur, true).await?;
    page::render(&ListPage {
        nav: Some(Nav::read(cur, "campaigns")),
        rows,
        notes,
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LaunchForm {
    pub unit_id: String,
    /// The committee's code, from the picker shown instead of the list
    /// when there are too many committees to list.
    pub unit_code: String,
    pub title: String,
    /// Checked documents arrive as repeated `documents` fields.
    #[serde(skip)]
    pub documents: Vec<i64>,
    pub plan_document_id: String,
    pub launched_on: String,
    pub session_due: String,
    pub programme_due: String,
    pub report_due: String,
    pub remind_days: String,
    /// Unit codes, separated by commas or spaces.
    pub add: String,
    pub remove: String,
}

#[derive(Template)]
#[template(path = "campaign_form.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    f: LaunchForm,
    errors: Errors,
    /// None: too many to list; the form shows the code picker.
    committees: Option<Vec<(i64, String)>>,
    documents: Vec<(i64, String, String)>,
}

/// Committees listed in the form; past this many it offers a picker.
const LISTED_COMMITTEES: i64 = 200;

async fn form_page(
    st: &AppState,
    viewer: &Viewer,
    mut f: LaunchForm,
    errors: Vec<trienkhai_core::FieldError>,
) -> WebResult<FormPage> {
    let cur = viewer.signed()?;
    let today = fmt::today_vn();
    let committees = unit::committees(&st.db, today, LISTED_COMMITTEES).await?;
    // The picker starts at this installation's own committee, as the list does.
    if committees.is_none()
        && f.unit_code.is_empty()
        && f.unit_id.is_empty()
        && let Some(top) = unit::top_id(&st.db).await?
        && let Some(u) = unit::at(&st.db, top, today).await?
    {
        f.unit_code = u.code;
    }
    let filter = Filter {
        see_secret: crate::authz::may_see_secret(cur),
        ..Default::default()
    };
    let documents = document::list(&st.db, &filter, 100)
        .await?
        .into_iter()
        .map(|d| (d.id, d.symbol, d.subject))
        .collect();
    Ok(FormPage {
        nav: Some(Nav::new(cur, "campaigns")),
        csrf: cur.csrf.clone(),
        f,
        errors: Errors(errors),
        committees,
        documents,
    })
}

pub async fn new_form(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let f = LaunchForm {
        launched_on: fmt::iso(fmt::today_vn()),
        session_due: "trong 30 ngày".into(),
        programme_due: "trong 45 ngày".into(),
        report_due: "trong 60 ngày".into(),
        remind_days: "3".into(),
        ..Default::default()
    };
    page::render(&form_page(&st, &viewer, f, vec![]).await?)
}

async fn codes(st: &AppState, typed: &str, field: &'static str) -> Result<Vec<i64>, DbError> {
    let mut out = Vec::new();
    for code in typed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
    {
        out.extend(unit::id_by_code(&st.db, code, field).await?);
    }
    Ok(out)
}

/// The committee picker's options as the user types a code or a name.
pub async fn committee_options(
    State(st): State<AppState>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> WebResult<Response> {
    crate::unit::options(&st, &q, &["unit_code"], unit::Pick::Committee).await
}

impl LaunchForm {
    /// The form's values as the storage layer takes them.
    pub async fn campaign(&self, st: &AppState) -> Result<NewCampaign, DbError> {
        let num = |s: &str| s.trim().parse::<i64>().ok();
        Ok(NewCampaign {
            unit_id: match num(&self.unit_id) {
                Some(id) => id,
                None => unit::id_by_code(&st.db, &self.unit_code, "unit_id")
                    .await?
                    .ok_or(DbError::field("unit_id", Code::Required))?,
            },
            title: text::clean(&self.title),
            documents: self.documents.clone(),
            plan_document_id: num(&self.plan_document_id),
            launched_on: self.launched_on.clone(),
            session_due: self.session_due.clone(),
            programme_due: self.programme_due.clone(),
            report_due: self.report_due.clone(),
            add: codes(st, &self.add, "add").await?,
            remove: codes(st, &self.remove, "remove").await?,
            remind_days: match self.remind_days.trim() {
                "" => 3,
                s => s.parse().unwrap_or(-1),
            },
        })
    }
}

/// The launch form, with its repeated `documents` checkboxes.
pub fn parse_launch(body: &[u8]) -> LaunchForm {
    let mut f: LaunchForm = serde_urlencoded::from_bytes(body).unwrap_or_default();
    f.documents = form_urlencoded::parse(body)
        .filter(|(k, _)| k == "documents")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    f
}

pub async fn launch(
    State(st): State<AppState>,
    viewer: Viewer,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let f = parse_launch(&body);
    let made = match f.campaign(&st).await {
        Ok(n) => campaign::launch(&st.db, &viewer.actor(), n).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(id) => Ok(page::redirect(&format!("/campaigns/{id}"))),
        Err(DbError::Invalid(errs)) => {
            let p = form_page(&st, &viewer, f, errs).await?;
            page::render_status(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    pub unit: Option<i64>,
    pub status: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "campaign_rows.html")]
struct Rows {
    id: i64,
    cells: Vec<Cell>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "campaign_board.html")]
struct BoardPage {
    nav: Option<Nav>,
    csrf: String,
    c: Campaign,
    documents: Vec<(i64, String, String)>,
    node: Option<Shown>,
    up: Option<i64>,
    children: Vec<Shown>,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    unit: i64,
    rows: String,
    dues: (String, String, String),
    required_label: &'static str,
}

fn required_label(req: i64) -> &'static str {
    match req {
        4 => "Đơn vị chưa báo cáo (quá hạn)",
        3 => "Đơn vị chưa có chương trình hành động (chậm)",
        2 => "Đơn vị chưa học tập (chậm)",
        _ => "Đơn vị chậm tiến độ",
    }
}

pub async fn board(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let c = load(&st, id).await?;
    let node_id = q.unit.unwrap_or(c.unit_id);
    let today = fmt::iso(fmt::today_vn());
    let req = c.required(&today);
    let status = Some(q.status.as_str()).filter(|s| !s.is_empty());
    if status.is_some_and(|s| !STATUSES.iter().any(|x| x.0 == s)) {
        return Err(WebError::status(
            StatusCode::BAD_REQUEST,
            Code::InvalidChoice,
        ));
    }
    let path = if node_id == c.unit_id {
        c.unit_path.clone()
    } else {
        unit::get(&st.db, node_id)
            .await?
            .map(|u| u.path)
            .ok_or_else(WebError::not_found)?
    };
    let after = Some(q.after.as_str()).filter(|s| !s.is_empty());
    let htmx = page::is_htmx(&headers);
    // Independent reads side by side: on PostgreSQL each is a round trip on
    // a connection of its own, so the page waits for the slowest, not the sum.
    let ((node, children), mut list, documents) = tokio::try_join!(
        tally::board(&st.db, &c, node_id),
        obligation::under(&st.db, &c, &path, status, &today, after, PAGE + 1),
        async {
            match htmx {
                true => Ok(Vec::new()),
                false => campaign::documents(&st.db, id).await,
            }
        },
    )?;
    let node = node.ok_or_else(WebError::not_found)?;
    let next = (list.len() as i64 > PAGE).then(|| {
        list.truncate(PAGE as usize);
        let last = &list.last().expect("a full page").path;
        serde_urlencoded::to_string([
            ("unit", node_id.to_string()),
            ("status", q.status.clone()),
            ("after", last.clone()),
        ])
        .unwrap_or_default()
    });
    let rows = Rows {
        id,
        cells: list.iter().map(|o| cell(o, &today)).collect(),
        next,
    };
    if htmx {
        return page::render(&rows);
    }
    let p = BoardPage {
        nav: Some(Nav::new(cur, "campaigns")),
        csrf: cur.csrf.clone(),
        documents,
        up: node.parent_id,
        node: Some(shown(&node, req)),
        children: children.iter().map(|l| shown(l, req)).collect(),
        statuses: STATUSES.to_vec(),
        status: q.status,
        unit: node_id,
        rows: rows.render().map_err(|e| WebError::Internal(e.into()))?,
        dues: (
            fmt::date_text(Some(&c.session_due)),
            fmt::date_text(Some(&c.programme_due)),
            fmt::date_text(Some(&c.report_due)),
        ),
        required_label: required_label(req),
        c,
    };
    page::render(&p)
}

pub async fn lock(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    _f: Form<std::collections::HashMap<String, String>>,
) -> WebResult<Response> {
    campaign::lock(&st.db, &viewer.actor(), id).await?;
    Ok(page::redirect(&format!("/campaigns/{id}")))
}
