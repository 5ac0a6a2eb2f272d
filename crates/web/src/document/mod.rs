//! The document register screens: the list with filters and keyset paging,
//! a document's page (what it cites, what cites it, relations, files), and
//! the list as XLSX.
pub mod api;
pub mod file;
pub mod form;
pub mod output;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::{Deserialize, Serialize};
use trienkhai_core::{Code, Role, fmt, text};
use trienkhai_db::{
    counter,
    document::{self, Document, Filter, Listed, citation, file as doc_file, relation},
    session::Current,
};
use trienkhai_sheet::OutFormat;

use crate::{
    AppState, authz,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Nav},
    transfer,
};

const PAGE: i64 = 50;

/// Registering, issuing, linking and attaching are office work (the route
/// rules say so; this only decides whether the page shows the forms).
fn may_edit(cur: &Current) -> bool {
    matches!(cur.role(), Some(Role::Admin | Role::Staff))
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub direction: String,
    #[serde(rename = "type")]
    pub type_code: String,
    pub issuer: String,
    pub year: String,
    /// Keyset cursor "YYYY-MM-DD~id".
    #[serde(skip_serializing_if = "String::is_empty")]
    pub after: String,
}

fn some(s: &str) -> Option<String> {
    let t = text::clean(s);
    (!t.is_empty()).then_some(t)
}

impl ListQuery {
    pub fn filter(&self, cur: &Current) -> WebResult<Filter> {
        let bad = || WebError::status(StatusCode::BAD_REQUEST, Code::InvalidChoice);
        let direction = some(&self.direction);
        if direction
            .as_deref()
            .is_some_and(|d| d != "in" && d != "out")
        {
            return Err(bad());
        }
        let year = match some(&self.year) {
            None => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .ok()
                    .filter(|y| (1930..=2100).contains(y))
                    .ok_or_else(bad)?,
            ),
        };
        let after = match self.after.split_once('~') {
            None if self.after.is_empty() => None,
            Some((on, id)) => Some((on.to_string(), id.parse().map_err(|_| bad())?)),
            None => return Err(bad()),
        };
        Ok(Filter {
            direction,
            type_code: some(&self.type_code),
            issuer_code: some(&self.issuer),
            year,
            see_secret: authz::may_see_secret(cur),
            after,
        })
    }

    fn is_filtered(&self) -> bool {
        !(self.direction.is_empty()
            && self.type_code.is_empty()
            && self.issuer.is_empty()
            && self.year.is_empty())
    }
}

/// One row as shown.
pub struct Row {
    pub id: i64,
    pub symbol: String,
    pub type_name: String,
    pub date: String,
    pub subject: String,
    pub secrecy: String,
    pub outgoing: bool,
}

pub fn row(d: &Listed) -> Row {
    Row {
        id: d.id,
        symbol: d.symbol.clone(),
        type_name: d.type_name.clone(),
        date: fmt::date_text(d.issued_on.as_deref()),
        subject: d.subject.clone(),
        secrecy: d.secrecy.clone(),
        outgoing: d.direction == "out",
    }
}

#[derive(Template)]
#[template(path = "document_rows.html")]
struct Rows {
    rows: Vec<Row>,
    next_query: Option<String>,
}

#[derive(Template)]
#[template(path = "document_list.html")]
struct ListPage {
    nav: Option<Nav>,
    rows: String,
    q: ListQuery,
    total: Option<String>,
    issuers: Vec<String>,
    types: Vec<(String, String)>,
    export_query: String,
    may_edit: bool,
}

pub async fn list(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let f = q.filter(cur)?;
    let mut items = document::list(&st.db, &f, PAGE + 1).await?;
    let next_query = (items.len() as i64 > PAGE).then(|| {
        items.truncate(PAGE as usize);
        let last = items.last().expect("a full page");
        let next = ListQuery {
            after: format!("{}~{}", last.issued_on.as_deref().unwrap_or(""), last.id),
            ..q.clone()
        };
        serde_urlencoded::to_string(&next).unwrap_or_default()
    });
    let rows = Rows {
        rows: items.iter().map(row).collect(),
        next_query,
    };
    if page::is_htmx(&headers) {
        return page::render(&rows);
    }
    // The kept total counts secret documents too: shown to the office only.
    let total = if q.is_filtered() || !authz::may_see_secret(cur) {
        None
    } else {
        let all = counter::all(&st.db).await?;
        Some(fmt::int(all.get(counter::DOCUMENTS).copied().unwrap_or(0)))
    };
    let today = fmt::iso(fmt::today_vn());
    let types = document::kind::in_force(&st.db, &today).await?;
    // One entry per code; a shared code (QĐ) is labelled by both names.
    let mut by_code: Vec<(String, String)> = Vec::new();
    for document::kind::Kind { code, name, .. } in types {
        match by_code.iter_mut().find(|t| t.0 == code) {
            Some(t) => t.1 = format!("{}, {}", t.1, name),
            None => by_code.push((code, name)),
        }
    }
    let types = by_code;
    let export_query = serde_urlencoded::to_string(ListQuery {
        after: String::new(),
        ..q.clone()
    })
    .unwrap_or_default();
    let p = ListPage {
        nav: Some(Nav::new(cur, "documents")),
        rows: rows.render().map_err(|e| WebError::Internal(e.into()))?,
        q,
        total,
        issuers: document::issuers(&st.db).await?,
        types,
        export_query,
        may_edit: may_edit(cur),
    };
    page::render(&p)
}

/// The filtered register as XLSX, streamed from a scratch file.
pub async fn export(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let f = q.filter(cur)?;
    let path = transfer::scratch(&st, "exports", "", "xlsx").map_err(anyhow::Error::from)?;
    let written = document::export(&st.db, &f, &path, OutFormat::Xlsx).await;
    let opened = tokio::fs::File::open(&path).await;
    // The open handle keeps the data; the name can go now.
    let _ = std::fs::remove_file(&path);
    written?;
    let f = opened.map_err(anyhow::Error::from)?;
    let name = format!("so-van-ban-{}.xlsx", fmt::iso(fmt::today_vn()));
    Ok(transfer::stream(f, OutFormat::Xlsx.content_type(), &name))
}

/// A piece of a document's text: plain, or a citation linked to its target
/// (or to a search when it is not in the register).
pub struct Segment {
    pub text: String,
    pub href: Option<String>,
}

/// Splits `content` at the stored citations (offsets are into the
/// subject + "\n\n" + content text the finder read).
pub fn segments(subject: &str, content: &str, cited: &[citation::Cited]) -> Vec<Vec<Segment>> {
    let base = citation::source_text(subject, "").len();
    let mut out: Vec<Segment> = Vec::new();
    let mut at = 0;
    for c in cited {
        let (Ok(s), Ok(e)) = (
            usize::try_from(c.start_at - base as i64),
            usize::try_from(c.end_at - base as i64),
        ) else {
            continue;
        };
        if s < at
            || e > content.len()
            || !content.is_char_boundary(s)
            || !content.is_char_boundary(e)
        {
            continue;
        }
        out.push(Segment {
            text: content[at..s].to_string(),
            href: None,
        });
        let href = match c.target_id {
            Some(id) => format!("/documents/{id}"),
            None => format!(
                "/search?{}",
                serde_urlencoded::to_string([("q", &c.text)]).unwrap_or_default()
            ),
        };
        out.push(Segment {
            text: content[s..e].to_string(),
            href: Some(href),
        });
        at = e;
    }
    out.push(Segment {
        text: content[at..].to_string(),
        href: None,
    });
    // One Vec per line, so the template can make paragraphs.
    let mut lines: Vec<Vec<Segment>> = vec![Vec::new()];
    for seg in out {
        let mut parts = seg.text.split('\n').peekable();
        while let Some(p) = parts.next() {
            if !p.is_empty() {
                lines.last_mut().expect("one line").push(Segment {
                    text: p.to_string(),
                    href: seg.href.clone(),
                });
            }
            if parts.peek().is_some() {
                lines.push(Vec::new());
            }
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// A citation as listed on the page, with what it resolved to.
pub struct CitedView {
    pub text: String,
    pub target: Option<(i64, String)>,
    /// Registered documents it may mean, when it is ambiguous.
    pub candidates: Vec<(i64, String, String)>,
    pub short: bool,
}

#[derive(Template)]
#[template(path = "document_show.html")]
pub struct ShowPage {
    pub nav: Option<Nav>,
    pub csrf: String,
    pub d: Document,
    pub date: String,
    pub lines: Vec<Vec<Segment>>,
    pub cited: Vec<CitedView>,
    pub cited_by: Vec<Row>,
    pub related: Vec<(String, i64, String, String)>,
    pub files: Vec<(i64, String, String, String)>,
    pub relation_kinds: Vec<(&'static str, &'static str)>,
    pub may_edit: bool,
    pub notice: String,
    pub upload_error: String,
    pub relation_error: String,
    pub max_mb: u64,
}

/// The document if the viewer may see it. A secret one is "not found" for
/// the others, so ids cannot be probed for secret documents.
pub async fn visible(st: &AppState, cur: &Current, id: i64) -> WebResult<Document> {
    document::get(&st.db, id)
        .await?
        .filter(|d| d.secrecy.is_empty() || authz::may_see_secret(cur))
        .ok_or_else(WebError::not_found)
}

pub async fn show_page(st: &AppState, cur: &Current, id: i64) -> WebResult<ShowPage> {
    let d = visible(st, cur, id).await?;
    let secret = authz::may_see_secret(cur);
    let cited = citation::of(&st.db, id, secret).await?;
    let candidates = citation::candidates(&st.db, &cited, secret).await?;
    let cited_view = cited
        .iter()
        .map(|c| CitedView {
            text: c.text.clone(),
            target: c.target_id.zip(c.target_symbol.clone()),
            candidates: candidates
                .iter()
                .filter(|k| {
                    c.target_id.is_none()
                        && k.type_code == c.type_code
                        && k.number_key == c.number
                        && c.issuer_code.as_ref().is_none_or(|i| *i == k.issuer_code)
                })
                .map(|k| {
                    (
                        k.id,
                        k.symbol.clone(),
                        fmt::date_text(k.issued_on.as_deref()),
                    )
                })
                .collect(),
            short: c.short,
        })
        .collect();
    let cited_by = citation::by(&st.db, id, secret)
        .await?
        .into_iter()
        .map(|c| Row {
            id: c.id,
            symbol: c.symbol,
            type_name: c.type_name,
            date: fmt::date_text(c.issued_on.as_deref()),
            subject: c.subject,
            secrecy: String::new(),
            outgoing: false,
        })
        .collect();
    let related = relation::of(&st.db, id, secret)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.label().to_string(),
                r.id,
                r.symbol.clone(),
                fmt::date_text(r.issued_on.as_deref()),
            )
        })
        .collect();
    let files = doc_file::of(&st.db, id)
        .await?
        .into_iter()
        .map(|f| {
            let label = trienkhai_office::sniff::Kind::parse(&f.kind)
                .map(|k| k.label())
                .unwrap_or("");
            (f.id, f.name, label.to_string(), file::size_text(f.size))
        })
        .collect();
    Ok(ShowPage {
        nav: Some(Nav::new(cur, "documents")),
        csrf: cur.csrf.clone(),
        date: fmt::date_text(d.issued_on.as_deref()),
        lines: segments(&d.subject, &d.content, &cited),
        d,
        cited: cited_view,
        cited_by,
        related,
        files,
        relation_kinds: relation::KINDS.iter().map(|k| (k.0, k.1)).collect(),
        may_edit: may_edit(cur),
        notice: String::new(),
        upload_error: String::new(),
        relation_error: String::new(),
        max_mb: st.cfg.max_attachment / (1024 * 1024),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    issued: String,
}

pub async fn show(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let mut p = show_page(&st, cur, id).await?;
    if !q.issued.is_empty() {
        p.notice = format!("Đã ban hành văn bản số {}.", p.d.symbol);
    }
    page::render(&p)
}
