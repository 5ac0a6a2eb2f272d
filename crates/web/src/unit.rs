//! The org tree as of a day, and a unit's page: sub-units, boards,
//! members, positions by term and restructuring history.
use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::HeaderMap,
    response::Response,
};
use serde::Deserialize;
use time::Date;
use trienkhai_core::{Code, FieldError, fmt};
use trienkhai_db::{
    member, person,
    restructure::{self, kind_label},
    unit::{self, Unit},
};

use crate::{
    AppState,
    authz::{self, Scope},
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
};

pub const MEMBER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayQuery {
    pub as_of: String,
    pub after: Option<String>,
}

/// The day a page is read as of: today unless the user picked one; a bad
/// date is reported at the date picker and today is shown instead.
pub struct Day {
    pub date: Date,
    pub typed: String,
    pub errors: Errors,
}

impl Day {
    pub fn from(q: &str) -> Day {
        let today = fmt::today_vn();
        if q.trim().is_empty() {
            return Day {
                date: today,
                typed: fmt::date(today),
                errors: Errors::default(),
            };
        }
        match fmt::parse_date(q) {
            Some(d) => Day {
                date: d,
                typed: fmt::date(d),
                errors: Errors::default(),
            },
            None => Day {
                date: today,
                typed: q.to_string(),
                errors: Errors(vec![FieldError::new("as_of", Code::InvalidDate)]),
            },
        }
    }

    pub fn iso(&self) -> String {
        fmt::iso(self.date)
    }
}

/// "01/01/2000 – nay" for a dated span.
pub fn span(from: &str, to: Option<&str>) -> String {
    let from = fmt::date_text(Some(from));
    match to {
        Some(t) => format!("{from} – {}", fmt::date_text(Some(t))),
        None => format!("{from} – nay"),
    }
}

pub struct TreeRow {
    id: i64,
    depth: usize,
    name: String,
    code: String,
    type_name: String,
    members: String,
    /// Its sub-units are not shown yet: a ▸ opens them.
    expand: bool,
    /// Its sub-units were opened below it.
    open: bool,
}

impl TreeRow {
    fn new(u: Unit, depth: usize, members: i64) -> TreeRow {
        TreeRow {
            id: u.id,
            depth,
            name: u.name,
            code: u.code,
            type_name: u.type_name,
            members: fmt::int(members),
            expand: false,
            open: false,
        }
    }
}

/// Up to this many units the tree page shows the viewer's whole subtree;
/// past it (a province holds thousands, the nation 326.000) it shows the
/// root's sub-units and opens the rest a level at a time.
pub const TREE_WHOLE: i64 = 400;
/// The deepest indentation an opened level is drawn at.
const MAX_DEPTH: usize = 12;

#[derive(Template)]
#[template(path = "unit_tree.html")]
struct TreePage {
    nav: Option<Nav>,
    day: String,
    day_iso: String,
    errors: Errors,
    root_name: String,
    rows: Vec<TreeRow>,
    summary: String,
    /// Only the first levels are shown.
    by_level: bool,
    is_office: bool,
}

/// Members of each node's whole subtree, summed up the path.
fn subtree_totals(nodes: &[unit::Node]) -> HashMap<i64, i64> {
    let mut totals: HashMap<i64, i64> = HashMap::new();
    for n in nodes {
        for id in n.unit.path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
            *totals.entry(id).or_default() += n.members;
        }
    }
    totals
}

/// A unit's row, opened, then its direct sub-units' rows, each with its
/// whole subtree's members and a ▸ where it has sub-units of its own:
/// one statement more than the unit's `head`, however large the subtree.
async fn opened(
    st: &AppState,
    head: unit::Head,
    depth: usize,
    day: Date,
) -> WebResult<Vec<TreeRow>> {
    let children = unit::children(&st.db, &head.unit, day, unit::Members::Subtree).await?;
    let total = head.direct + children.iter().map(|c| c.members).sum::<i64>();
    let mut rows = vec![TreeRow {
        open: true,
        ..TreeRow::new(head.unit, depth, total)
    }];
    rows.extend(children.into_iter().map(|n| TreeRow {
        expand: n.has_children,
        ..TreeRow::new(n.unit, depth + 1, n.members)
    }));
    Ok(rows)
}

/// The root the viewer may see: the committee for the office, their own
/// unit otherwise (as it stood on the day, with its own roll).
async fn root_for(st: &AppState, viewer: &Viewer, day: Date) -> WebResult<Option<unit::Head>> {
    let cur = viewer.signed()?;
    let id = match authz::scope(cur) {
        Scope::All => st.top_unit_id().await?,
        Scope::Subtree(_) | Scope::Own(_) => cur.unit_id,
        Scope::Nothing => None,
    };
    match id {
        Some(id) => Ok(unit::head(&st.db, id, day).await?),
        None => Ok(None),
    }
}

pub async fn tree(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DayQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let day = Day::from(&q.as_of);
    let root = root_for(&st, &viewer, day.date).await?;
    let root_name = root
        .as_ref()
        .map(|r| r.unit.name.clone())
        .unwrap_or_default();
    let root_path = root
        .as_ref()
        .map(|r| r.unit.path.clone())
        .unwrap_or_default();
    let whole = match &root {
        Some(_) => unit::tree(&st.db, &root_path, day.date, TREE_WHOLE).await?,
        None => Some(vec![]),
    };
    let (rows, summary, by_level) = match (whole, root) {
        (Some(nodes), _) => {
            let totals = subtree_totals(&nodes);
            let summary = format!(
                "{} đơn vị, {} đảng viên",
                fmt::int(nodes.len() as i64),
                fmt::int(nodes.iter().map(|n| n.members).sum())
            );
            let rows = nodes
                .into_iter()
                .map(|n| {
                    let (id, depth) = (n.unit.id, n.depth(&root_path));
                    TreeRow::new(n.unit, depth, totals.get(&id).copied().unwrap_or(0))
                })
                .collect();
            (rows, summary, false)
        }
        (None, Some(r)) => {
            let mut rows = opened(&st, r, 0, day.date).await?;
            let summary = format!(
                "{} đảng viên, {} đơn vị trực thuộc",
                rows.first().map(|r| r.members.as_str()).unwrap_or("0"),
                fmt::int(rows.len().saturating_sub(1) as i64)
            );
            // A lone sub-unit (the province under a national root) is
            // opened too: a ▸ with nothing beside it is a wasted click.
            let mut last = 0;
            while rows.len() == last + 2 && rows[last + 1].expand {
                let (id, depth) = (rows[last + 1].id, rows[last + 1].depth);
                let Some(head) = unit::head(&st.db, id, day.date).await? else {
                    break;
                };
                let below = opened(&st, head, depth, day.date).await?;
                rows.truncate(last + 1);
                rows.extend(below);
                last += 1;
            }
            (rows, summary, true)
        }
        (None, None) => (vec![], String::new(), false),
    };
    let p = TreePage {
        nav: Some(Nav::new(cur, "units")),
        day_iso: day.iso(),
        day: day.typed,
        errors: day.errors,
        root_name,
        rows,
        summary,
        by_level,
        is_office: authz::scope(cur) == Scope::All,
    };
    page::render(&p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenQuery {
    as_of: String,
    /// The opened row's depth on the page.
    depth: String,
}

#[derive(Template)]
#[template(path = "unit_tree_rows.html")]
struct TreeRows {
    day_iso: String,
    rows: Vec<TreeRow>,
}

/// A ▸ on the tree page: the unit's row, opened, with its sub-units.
pub async fn subunits(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<OpenQuery>,
) -> WebResult<Response> {
    visible_unit(&st, &viewer, id).await?;
    if !page::is_htmx(&headers) {
        return Ok(page::redirect(&format!("/units/{id}?as_of={}", q.as_of)));
    }
    let day = Day::from(&q.as_of);
    let depth = q.depth.trim().parse().unwrap_or(0).min(MAX_DEPTH);
    let head = unit::head(&st.db, id, day.date)
        .await?
        .ok_or_else(WebError::not_found)?;
    let rows = opened(&st, head, depth, day.date).await?;
    page::render(&TreeRows {
        day_iso: day.iso(),
        rows,
    })
}

pub struct MemberRow {
    pub person_id: i64,
    pub name: String,
    pub birth: String,
    pub status: &'static str,
    pub unit_code: String,
    pub unit_name: String,
}

pub fn member_rows(list: &[member::Member]) -> Vec<MemberRow> {
    list.iter()
        .map(|m| MemberRow {
            person_id: m.person.id,
            name: m.full_name(),
            birth: fmt::date_text(m.person.birth_date.as_deref()),
            status: member::status_label(&m.status),
            unit_code: m.unit_code.clone(),
            unit_name: m.unit_name.clone(),
        })
        .collect()
}

pub struct LineageRow {
    date: String,
    kind: &'static str,
    decision: String,
    text: String,
    other_id: Option<i64>,
}

pub struct TermBlock {
    label: String,
    span: String,
    /// (person id, name, title, board, span)
    held: Vec<(i64, String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "unit_show.html")]
struct ShowPage {
    nav: Option<Nav>,
    unit_id: i64,
    unit: Unit,
    lifetime: String,
    day: String,
    day_iso: String,
    errors: Errors,
    existed: bool,
    name_then: String,
    parent: Option<(i64, String)>,
    children: Vec<TreeRow>,
    total_members: String,
    /// (name, kind label, span, current)
    boards: Vec<(String, &'static str, String, bool)>,
    terms: Vec<TermBlock>,
    history: Vec<LineageRow>,
    /// Campaigns the unit owed (or carried from a predecessor): the
    /// obligation, the campaign, status, its label, attendance, versions.
    obligations: Vec<(i64, String, &'static str, &'static str, String, i64)>,
    show_members: bool,
    may_import: bool,
    members: Vec<MemberRow>,
    next_after: Option<String>,
}

async fn visible_unit(st: &AppState, viewer: &Viewer, id: i64) -> WebResult<Unit> {
    let cur = viewer.signed()?;
    let u = unit::get(&st.db, id)
        .await?
        .ok_or_else(WebError::not_found)?;
    if !authz::can_see_unit(cur, u.id, &u.path) {
        return Err(WebError::forbidden());
    }
    Ok(u)
}

pub async fn show(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<DayQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let u = visible_unit(&st, &viewer, id).await?;
    let day = Day::from(&q.as_of);
    let (then, parent, direct) = match unit::head(&st.db, id, day.date).await? {
        Some(h) => {
            let parent = h.unit.parent_id.zip(h.parent_name);
            (Some(h.unit), parent, h.direct)
        }
        None => (None, None, 0),
    };
    let children = match &then {
        Some(t) => unit::children(&st.db, t, day.date, unit::Members::Subtree).await?,
        None => vec![],
    };
    let total_members = direct + children.iter().map(|c| c.members).sum::<i64>();
    let show_members = authz::may_list_members(cur, u.id, &u.path) && then.is_some();
    let mut members = match (&then, show_members) {
        (Some(t), true) => member::list(&st.db, &t.path, day.date, None, MEMBER_PAGE + 1).await?,
        _ => vec![],
    };
    let next_after = (members.len() as i64 > MEMBER_PAGE).then(|| {
        members.truncate(MEMBER_PAGE as usize);
        members.last().map(|m| m.cursor()).unwrap_or_default()
    });
    let today = fmt::iso(fmt::today_vn());
    let boards = unit::boards(&st.db, id)
        .await?
        .into_iter()
        .map(|b| {
            let current = b.valid_to.as_deref().is_none_or(|t| t >= today.as_str());
            let kind = if b.kind == "board" {
                "Ban"
            } else {
                "Tiểu ban"
            };
            (
                b.name,
                kind,
                span(&b.valid_from, b.valid_to.as_deref()),
                current,
            )
        })
        .collect();
    let held = person::positions_in_unit(&st.db, id).await?;
    let mut terms: Vec<TermBlock> = person::terms(&st.db, id)
        .await?
        .into_iter()
        .map(|t| TermBlock {
            label: t.label(),
            span: span(t.opened_on.as_deref().unwrap_or(""), t.closed_on.as_deref()),
            held: held
                .iter()
                .filter(|h| h.term_id == Some(t.id))
                .map(|h| {
                    (
                        h.person_id,
                        h.full_name(),
                        h.title.clone(),
                        h.board_name.clone().unwrap_or_default(),
                        span(&h.valid_from, h.valid_to.as_deref()),
                    )
                })
                .collect(),
        })
        .collect();
    let loose: Vec<_> = held
        .iter()
        .filter(|h| h.term_id.is_none())
        .map(|h| {
            let s = span(&h.valid_from, h.valid_to.as_deref());
            let board = h.board_name.clone().unwrap_or_default();
            (h.person_id, h.full_name(), h.title.clone(), board, s)
        })
        .collect();
    if !loose.is_empty() {
        terms.push(TermBlock {
            label: "Ngoài nhiệm kỳ".into(),
            span: String::new(),
            held: loose,
        });
    }
    let history = restructure::history(&st.db, id)
        .await?
        .into_iter()
        .map(|e| {
            let date = fmt::parse_date(&e.effective_on)
                .map(fmt::date)
                .unwrap_or_default();
            let (text, other_id) = lineage_text(&e, id);
            LineageRow {
                date,
                kind: kind_label(&e.kind),
                decision: e.decision,
                text,
                other_id,
            }
        })
        .collect();
    let obligations = if authz::may_report(cur, &u.path) {
        trienkhai_db::campaign::obligation::of_unit(&st.db, id)
            .await?
            .iter()
            .map(|o| {
                let c = crate::campaign::cell(o, &today);
                let status = if o.active { c.status } else { "carried" };
                let label = if o.active {
                    c.label
                } else {
                    "Đã chuyển cho đơn vị kế thừa"
                };
                (
                    o.id,
                    o.title.clone(),
                    status,
                    label,
                    c.attendance,
                    o.version,
                )
            })
            .collect()
    } else {
        vec![]
    };
    let p = ShowPage {
        nav: Some(Nav::new(cur, "units")),
        unit_id: id,
        lifetime: span(&u.valid_from, u.valid_to.as_deref()),
        day_iso: day.iso(),
        day: day.typed,
        errors: day.errors,
        existed: then.is_some(),
        name_then: then.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
        parent,
        children: children
            .into_iter()
            .map(|n| TreeRow::new(n.unit, 1, n.members))
            .collect(),
        total_members: fmt::int(total_members),
        boards,
        terms,
        history,
        obligations,
        may_import: authz::may_manage_members(cur, &u.path) && u.valid_to.is_none(),
        show_members,
        members: member_rows(&members),
        next_after,
        unit: u,
    };
    page::render(&p)
}

/// How one lineage edge reads from this unit's side.
fn lineage_text(e: &restructure::Event, me: i64) -> (String, Option<i64>) {
    let to = e.to_name.clone().unwrap_or_default();
    match (e.role.as_str(), e.from_unit_id == me) {
        ("same", _) => (e.summary.clone(), None),
        ("successor", true) if e.to_unit_id.is_some() => {
            (format!("Chuyển sang {to}"), e.to_unit_id)
        }
        ("successor", true) => ("Chấm dứt hoạt động".into(), None),
        _ => (
            format!("Tiếp nhận từ {}", e.from_name),
            Some(e.from_unit_id),
        ),
    }
}

#[derive(Template)]
#[template(path = "member_rows.html")]
struct RowsPartial {
    unit_id: i64,
    day_iso: String,
    members: Vec<MemberRow>,
    next_after: Option<String>,
}

/// The next page of a unit's roll, for the "Xem thêm" button.
pub async fn members(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<DayQuery>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let u = visible_unit(&st, &viewer, id).await?;
    if !authz::may_list_members(cur, u.id, &u.path) {
        return Err(WebError::forbidden());
    }
    if !page::is_htmx(&headers) {
        let to = format!("/units/{id}?as_of={}", q.as_of);
        return Ok(page::redirect(&to));
    }
    let day = Day::from(&q.as_of);
    let then = unit::at(&st.db, id, day.date)
        .await?
        .ok_or_else(WebError::not_found)?;
    let mut list = member::list(
        &st.db,
        &then.path,
        day.date,
        q.after.as_deref(),
        MEMBER_PAGE + 1,
    )
    .await?;
    let next_after = (list.len() as i64 > MEMBER_PAGE).then(|| {
        list.truncate(MEMBER_PAGE as usize);
        list.last().map(|m| m.cursor()).unwrap_or_default()
    });
    page::render(&RowsPartial {
        unit_id: id,
        day_iso: day.iso(),
        members: member_rows(&list),
        next_after,
    })
}

#[derive(Template)]
#[template(path = "unit_options.html")]
struct UnitOptions {
    /// (value to put in the field, unit name)
    units: Vec<(String, String)>,
}

/// A code picker's datalist options for whichever of `fields` htmx sent
/// (the restructuring wizard, the campaign form's committee).
pub(crate) async fn options(
    st: &AppState,
    q: &HashMap<String, String>,
    fields: &[&str],
    pick: unit::Pick,
) -> WebResult<Response> {
    let typed = fields
        .iter()
        .find_map(|f| q.get(*f))
        .map(|t| trienkhai_core::text::nfc(t))
        .unwrap_or_default();
    let (before, last) = match typed.rsplit_once(',') {
        Some((b, l)) => (format!("{}, ", b.trim_end()), l),
        None => (String::new(), typed.as_str()),
    };
    let units = unit::suggest(&st.db, last, pick, fmt::today_vn(), 20)
        .await?
        .into_iter()
        .map(|u| {
            (
                format!("{before}{}", u.code),
                format!("{} ({})", u.name, u.code),
            )
        })
        .collect();
    page::render(&UnitOptions { units })
}
