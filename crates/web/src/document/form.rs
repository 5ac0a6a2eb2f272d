//! Two ways into the register: a document received (typed symbol), and a
//! document the committee issues (number allocated, then its DOCX). Plus
//! linking two documents.
use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use trienkhai_core::{Code, FieldError, fmt};
use trienkhai_db::{
    DbError,
    document::{
        self, BODIES, Common, Incoming, Issuer, Outgoing, SECRECY, URGENCY, kind, relation,
    },
};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    page::{self, Errors, Nav},
};

/// A form sends the unit as text, a JSON client as a number: both are taken.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(i64),
    }
    Ok(match Id::deserialize(d)? {
        Id::Text(s) => s,
        Id::Number(n) => n.to_string(),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct IssueForm {
    #[serde(deserialize_with = "text_or_number")]
    pub unit_id: String,
    /// "CODE|kind" from the type list (one code may name two types).
    #[serde(rename = "type")]
    pub type_key: String,
    pub manual_number: String,
    pub place: String,
    pub authority: String,
    pub signer_title: String,
    pub signer: String,
    pub recipients: String,
    #[serde(flatten)]
    pub c: Common,
}

impl IssueForm {
    pub fn outgoing(&self) -> Result<Outgoing, FieldError> {
        let unit_id = self
            .unit_id
            .parse()
            .map_err(|_| FieldError::new("unit_id", Code::Required))?;
        let (code, kind) = self
            .type_key
            .split_once('|')
            .unwrap_or((&self.type_key, ""));
        if code.is_empty() {
            return Err(FieldError::new("type", Code::Required));
        }
        Ok(Outgoing {
            unit_id,
            type_code: code.into(),
            type_kind: kind.into(),
            manual_number: self.manual_number.clone(),
            place: self.place.clone(),
            authority: self.authority.clone(),
            signer_title: self.signer_title.clone(),
            signer: self.signer.clone(),
            recipients: self.recipients.clone(),
            common: self.c.clone(),
        })
    }
}

/// Field errors stay on the form; other refusals go up as errors.
pub fn field_errors(e: DbError) -> WebResult<Errors> {
    match e {
        DbError::Invalid(f) => Ok(Errors(f)),
        other => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "document_form.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    issuing: bool,
    errors: Errors,
    r: Incoming,
    i: IssueForm,
    units: Vec<Issuer>,
    types: Vec<(String, String)>,
    bodies: Vec<(&'static str, &'static str)>,
    secrecy: Vec<&'static str>,
    urgency: Vec<&'static str>,
}

async fn form_page(
    st: &AppState,
    viewer: &Viewer,
    issuing: bool,
    errors: Errors,
    r: Incoming,
    i: IssueForm,
) -> WebResult<FormPage> {
    let cur = viewer.signed()?;
    let today = fmt::iso(fmt::today_vn());
    let types = kind::in_force(&st.db, &today)
        .await?
        .into_iter()
        .map(|k| {
            (
                format!("{}|{}", k.code, k.kind),
                format!("{} ({})", k.name, k.code),
            )
        })
        .collect();
    Ok(FormPage {
        nav: Some(Nav::new(cur, "documents")),
        csrf: cur.csrf.clone(),
        issuing,
        errors,
        r,
        i,
        units: if issuing {
            document::issuers_units(&st.db).await?
        } else {
            Vec::new()
        },
        types,
        bodies: BODIES.to_vec(),
        secrecy: SECRECY.to_vec(),
        urgency: URGENCY.to_vec(),
    })
}

fn status(errors: &Errors) -> StatusCode {
    if errors.0.iter().any(|e| e.code == Code::DocumentExists) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub async fn register_form(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let p = form_page(
        &st,
        &viewer,
        false,
        Errors::default(),
        Incoming::default(),
        IssueForm::default(),
    )
    .await?;
    page::render(&p)
}

pub async fn issue_form(State(st): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let i = IssueForm {
        unit_id: cur.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        authority: "T/M BAN THƯỜNG VỤ".into(),
        c: Common {
            issued_on: fmt::iso(fmt::today_vn()),
            body: "BTV".into(),
            ..Common::default()
        },
        ..IssueForm::default()
    };
    let p = form_page(
        &st,
        &viewer,
        true,
        Errors::default(),
        Incoming::default(),
        i,
    )
    .await?;
    page::render(&p)
}

pub async fn register(
    State(st): State<AppState>,
    viewer: Viewer,
    Form(f): Form<Incoming>,
) -> WebResult<Response> {
    match document::register(&st.db, &viewer.actor(), f.clone()).await {
        Ok(id) => Ok(page::redirect(&format!("/documents/{id}"))),
        Err(e) => {
            let errors = field_errors(e)?;
            let code = status(&errors);
            let p = form_page(&st, &viewer, false, errors, f, IssueForm::default()).await?;
            page::render_status(&p, code)
        }
    }
}

pub async fn issue(
    State(st): State<AppState>,
    viewer: Viewer,
    Form(f): Form<IssueForm>,
) -> WebResult<Response> {
    let result = match f.outgoing() {
        Ok(d) => document::issue(&st.db, &viewer.actor(), d).await,
        Err(fe) => Err(DbError::Invalid(vec![fe])),
    };
    match result {
        Ok(id) => Ok(page::redirect(&format!("/documents/{id}?issued=1"))),
        Err(DbError::Refused(code @ (Code::NoIssuerCode | Code::UnitNotFound))) => {
            let errors = Errors(vec![FieldError::new("unit_id", code)]);
            let p = form_page(&st, &viewer, true, errors, Incoming::default(), f).await?;
            page::render_status(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let code = status(&errors);
            let p = form_page(&st, &viewer, true, errors, Incoming::default(), f).await?;
            page::render_status(&p, code)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RelateForm {
    kind: String,
    symbol: String,
    issued_on: String,
}

/// The one registered document a typed symbol (and optional date) names.
pub async fn pick(st: &AppState, symbol: &str, issued_on: &str) -> WebResult<i64> {
    let found = document::by_symbol(&st.db, symbol).await?;
    let date = fmt::parse_date(issued_on).map(fmt::iso);
    let fits: Vec<_> = found
        .iter()
        .filter(|d| date.is_none() || d.issued_on == date)
        .collect();
    match fits.as_slice() {
        [one] => Ok(one.id),
        [] => Err(WebError::Fields(vec![FieldError::new(
            "symbol",
            Code::NotFound,
        )])),
        _ => Err(WebError::Fields(vec![FieldError::new(
            "symbol",
            Code::AmbiguousDocument,
        )])),
    }
}

pub async fn relate(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<RelateForm>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let linked = match pick(&st, &f.symbol, &f.issued_on).await {
        Ok(to) => relation::add(&st.db, &viewer.actor(), id, &f.kind, to)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match linked {
        Ok(()) => Ok(page::redirect(&format!("/documents/{id}#lien-quan"))),
        Err(WebError::Fields(errs)) => {
            let mut p = super::show_page(&st, cur, id).await?;
            p.relation_error = errs
                .first()
                .map(|e| e.code.message().to_string())
                .unwrap_or_default();
            page::render_status(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}
