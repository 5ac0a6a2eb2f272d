//! The restructuring wizard: pick the kind of change, fill in the units,
//! date and decision, preview exactly what will move, then commit. The
//! preview's fingerprint makes a commit refuse if the tree changed since.
use std::collections::HashMap;

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use trienkhai_core::{Code, FieldError, fmt};
use trienkhai_db::{
    DbError,
    restructure::{self, Change, Order, Plan, Target, kind_label},
    unit::{self, NewUnit, Pick, UnitType},
};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
};

pub const KINDS: [&str; 5] = ["merge", "split", "rename", "transfer", "dissolve"];

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct WizardForm {
    pub kind: String,
    pub effective_on: String,
    pub decision: String,
    pub unit_code: String,
    pub source_codes: String,
    pub target_code: String,
    pub new_code: String,
    pub new_name: String,
    pub new_type: String,
    pub new_issuer: String,
    pub new2_code: String,
    pub new2_name: String,
    pub part2_children: String,
    pub name: String,
    pub parent_code: String,
    pub receiver_code: String,
    pub fingerprint: String,
}

#[derive(Template)]
#[template(path = "restructure_form.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    kinds: Vec<(&'static str, &'static str)>,
    kind_name: &'static str,
    f: WizardForm,
    types: Vec<UnitType>,
    errors: Errors,
    form_error: &'static str,
}

#[derive(Template)]
#[template(path = "restructure_preview.html")]
struct PreviewPage {
    nav: Option<Nav>,
    csrf: String,
    kind_name: &'static str,
    date: String,
    f: WizardForm,
    plan: Plan,
    /// (unit, from, to, sub-units)
    moved: Vec<(String, String, String, String)>,
    members: Vec<(String, String, String)>,
    form_error: &'static str,
}

async fn form_page(
    st: &AppState,
    viewer: &Viewer,
    f: WizardForm,
    errors: Errors,
    form_error: &'static str,
) -> WebResult<FormPage> {
    let cur = viewer.signed()?;
    Ok(FormPage {
        nav: Some(Nav::new(cur, "units")),
        csrf: cur.csrf.clone(),
        kinds: KINDS.iter().map(|k| (*k, kind_label(k))).collect(),
        kind_name: if KINDS.contains(&f.kind.as_str()) {
            kind_label(&f.kind)
        } else {
            ""
        },
        f,
        types: unit::types(&st.db).await?,
        errors,
        form_error,
    })
}

/// The fields that take unit codes; a list field takes them comma-separated.
const CODE_FIELDS: [&str; 6] = [
    "unit_code",
    "source_codes",
    "target_code",
    "part2_children",
    "parent_code",
    "receiver_code",
];

/// Options for a code field's datalist as the user types: htmx sends the
/// field under its own name. In a list, the last code is the one matched
/// and the ones before it are kept in each option's value.
pub async fn units(
    State(st): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    crate::unit::options(&st, &q, &CODE_FIELDS, Pick::Any).await
}

pub async fn start(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(f): Query<WizardForm>,
) -> WebResult<Response> {
    page::render(&form_page(&st, &viewer, f, Errors::default(), "").await?)
}

async fn unit_id(
    st: &AppState,
    code: &str,
    field: &'static str,
) -> WebResult<Result<i64, FieldError>> {
    match unit::id_by_code(&st.db, code, field).await {
        Ok(Some(id)) => Ok(Ok(id)),
        Ok(None) => Ok(Err(FieldError::new(field, Code::Required))),
        Err(DbError::Invalid(mut e)) if !e.is_empty() => Ok(Err(e.remove(0))),
        Err(e) => Err(e.into()),
    }
}

fn codes(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '\n'])
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect()
}

fn new_unit(code: &str, name: &str, type_code: &str, issuer: &str) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        type_code: type_code.into(),
        parent_id: None,
        issuer_code: Some(issuer.to_string()).filter(|s| !s.trim().is_empty()),
        valid_from: String::new(),
        valid_to: None,
    }
}

/// The form as a storage order; unknown codes become field errors.
pub async fn to_order(st: &AppState, f: &WizardForm) -> WebResult<Result<Order, Errors>> {
    let mut errs = Vec::new();
    macro_rules! id {
        ($code:expr, $field:expr) => {
            match unit_id(st, $code, $field).await? {
                Ok(id) => id,
                Err(e) => {
                    errs.push(e);
                    0
                }
            }
        };
    }
    let change = match f.kind.as_str() {
        "merge" => {
            let mut sources = Vec::new();
            for c in codes(&f.source_codes) {
                sources.push(id!(&c, "source_codes"));
            }
            let target = if f.target_code.trim().is_empty() {
                Target::New(new_unit(
                    &f.new_code,
                    &f.new_name,
                    &f.new_type,
                    &f.new_issuer,
                ))
            } else {
                Target::Existing(id!(&f.target_code, "target_code"))
            };
            Change::Merge { sources, target }
        }
        "split" => {
            let source = id!(&f.unit_code, "unit_code");
            let to_second = codes(&f.part2_children);
            let children = if source > 0 {
                let mut list = Vec::new();
                for (cid, _) in restructure::current_children(&st.db, source).await? {
                    let code = unit::get(&st.db, cid)
                        .await?
                        .map(|u| u.code)
                        .unwrap_or_default();
                    list.push((cid, usize::from(to_second.contains(&code))));
                }
                list
            } else {
                vec![]
            };
            let parts = vec![
                new_unit(&f.new_code, &f.new_name, &f.new_type, &f.new_issuer),
                new_unit(&f.new2_code, &f.new2_name, &f.new_type, &f.new_issuer),
            ];
            Change::Split {
                source,
                parts,
                children,
                members_to: 0,
            }
        }
        "rename" => Change::Rename {
            unit: id!(&f.unit_code, "unit_code"),
            name: f.name.clone(),
        },
        "transfer" => Change::Transfer {
            unit: id!(&f.unit_code, "unit_code"),
            parent: id!(&f.parent_code, "parent_code"),
        },
        "dissolve" => {
            let id = id!(&f.unit_code, "unit_code");
            let receiver = if f.receiver_code.trim().is_empty() {
                None
            } else {
                Some(id!(&f.receiver_code, "receiver_code"))
            };
            let mut children = Vec::new();
            if id > 0 {
                for (cid, _) in restructure::current_children(&st.db, id).await? {
                    children.push((cid, receiver.unwrap_or(0)));
                }
            }
            let children = if receiver.is_some() { children } else { vec![] };
            Change::Dissolve {
                unit: id,
                children,
                members_to: receiver,
            }
        }
        _ => {
            return Ok(Err(Errors(vec![FieldError::new(
                "kind",
                Code::InvalidChoice,
            )])));
        }
    };
    if !errs.is_empty() {
        return Ok(Err(Errors(errs)));
    }
    Ok(Ok(Order {
        change,
        effective_on: f.effective_on.clone(),
        decision: f.decision.clone(),
    }))
}

/// Storage refusals as the form shows them: fields, or one line on top.
fn refusal(e: DbError) -> WebResult<(Errors, &'static str)> {
    match e {
        DbError::Invalid(errs) => Ok((Errors(errs), "")),
        DbError::Refused(code) => Ok((Errors::default(), code.message())),
        other => Err(WebError::from(other)),
    }
}

async fn back_to_form(
    st: &AppState,
    viewer: &Viewer,
    f: WizardForm,
    errors: Errors,
    form_error: &'static str,
) -> WebResult<Response> {
    let p = form_page(st, viewer, f, errors, form_error).await?;
    page::render_status(&p, StatusCode::UNPROCESSABLE_ENTITY)
}

fn preview_page(
    viewer: &Viewer,
    f: WizardForm,
    plan: Plan,
    form_error: &'static str,
) -> WebResult<PreviewPage> {
    let cur = viewer.signed()?;
    let date = fmt::parse_date(&plan.effective_on)
        .map(fmt::date)
        .unwrap_or_default();
    Ok(PreviewPage {
        nav: Some(Nav::new(cur, "units")),
        csrf: cur.csrf.clone(),
        kind_name: kind_label(plan.kind),
        date,
        moved: plan
            .moved
            .iter()
            .map(|m| (m.0.clone(), m.1.clone(), m.2.clone(), fmt::int(m.3)))
            .collect(),
        members: plan
            .members
            .iter()
            .map(|m| (m.0.clone(), m.1.clone(), fmt::int(m.2)))
            .collect(),
        f: WizardForm {
            fingerprint: plan.fingerprint(),
            ..f
        },
        plan,
        form_error,
    })
}

pub async fn preview(
    State(st): State<AppState>,
    viewer: Viewer,
    Form(f): Form<WizardForm>,
) -> WebResult<Response> {
    let order = match to_order(&st, &f).await? {
        Ok(o) => o,
        Err(errs) => return back_to_form(&st, &viewer, f, errs, "").await,
    };
    match restructure::preview(&st.db, &viewer.actor(), order).await {
        Ok(plan) => page::render(&preview_page(&viewer, f, plan, "")?),
        Err(e) => {
            let (errs, msg) = refusal(e)?;
            back_to_form(&st, &viewer, f, errs, msg).await
        }
    }
}

pub async fn commit(
    State(st): State<AppState>,
    viewer: Viewer,
    Form(f): Form<WizardForm>,
) -> WebResult<Response> {
    let order = match to_order(&st, &f).await? {
        Ok(o) => o,
        Err(errs) => return back_to_form(&st, &viewer, f, errs, "").await,
    };
    let day = fmt::parse_date(&f.effective_on)
        .map(fmt::date)
        .unwrap_or_default();
    match restructure::apply(&st.db, &viewer.actor(), order.clone(), Some(&f.fingerprint)).await {
        Ok(done) => {
            let to = match done.successor {
                Some(id) => format!("/units/{id}?as_of={day}"),
                None => format!("/units?as_of={day}"),
            };
            Ok(page::redirect(&to))
        }
        Err(DbError::Refused(Code::StaleForm)) => {
            // Show the plan as it is now, to be confirmed again.
            match restructure::preview(&st.db, &viewer.actor(), order).await {
                Ok(plan) => {
                    let p = preview_page(&viewer, f, plan, Code::StaleForm.message())?;
                    page::render_status(&p, StatusCode::CONFLICT)
                }
                Err(e) => {
                    let (errs, msg) = refusal(e)?;
                    back_to_form(&st, &viewer, f, errs, msg).await
                }
            }
        }
        Err(e) => {
            let (errs, msg) = refusal(e)?;
            back_to_form(&st, &viewer, f, errs, msg).await
        }
    }
}
