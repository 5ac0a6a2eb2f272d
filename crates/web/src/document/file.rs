//! Attachments: streamed to the store's scratch folder under the size
//! limit, typed by sniffing the bytes, text extracted for search, then
//! moved into the store. Downloads stream back from it.
use axum::{
    extract::{Multipart, Path, State, multipart::MultipartRejection},
    http::StatusCode,
    response::Response,
};
use trienkhai_core::{Code, text};
use trienkhai_db::document::file::{self as doc_file, NewFile};
use trienkhai_office::{
    extract,
    sniff::{self, Kind},
    store::Store,
};

use crate::{
    AppState,
    error::{WebError, WebResult},
    guard::Viewer,
    page,
    transfer::{self, Refused},
};

pub fn store(st: &AppState) -> Store {
    Store::local(st.cfg.data_dir.join("files"))
}

/// "1,5 MB", "320 KB".
pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        let tenths = bytes * 10 / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// Sniffs, extracts and stores a received file (blocking work).
fn keep(store: &Store, tmp: &std::path::Path) -> Result<(Kind, String, u64, String), Refused> {
    let kind = sniff::sniff_file(tmp).map_err(|e| match e {
        sniff::SniffError::Unsupported => Refused::Code(Code::UnsupportedFile),
        sniff::SniffError::Io(e) => Refused::Io(e),
    })?;
    // A file whose text cannot be read is still kept; it is just not searchable.
    let text = match extract::text_of(tmp, kind) {
        Ok(t) => t.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "attachment text not extracted");
            String::new()
        }
    };
    let stored = store.put(tmp).map_err(Refused::Io)?;
    Ok((kind, stored.key, stored.size, text::nfc(&text)))
}

/// A received file, sniffed, its text extracted, and stored.
pub struct Kept {
    pub name: String,
    pub kind: Kind,
    pub key: String,
    pub size: u64,
    pub text: String,
}

/// Streams the upload to scratch under the attachment limit, then keeps
/// it; a refusal the user can act on comes back as its code.
pub async fn receive_kept(
    st: &AppState,
    form: Result<Multipart, MultipartRejection>,
) -> WebResult<Result<Kept, Code>> {
    let store = store(st);
    let tmp = store
        .temp_dir()
        .join(format!("{}.part", hex::encode(rand::random::<[u8; 16]>())));
    std::fs::create_dir_all(store.temp_dir()).map_err(anyhow::Error::from)?;
    let received = match form {
        Ok(mut form) => match transfer::receive(&mut form, &tmp, st.cfg.max_attachment).await {
            Ok((_, 0)) => Err(Refused::Code(Code::Required)),
            Ok((name, _)) => Ok(name),
            Err(e) => Err(e),
        },
        Err(_) => Err(Refused::Code(Code::Required)),
    };
    let kept = match received {
        Ok(name) => {
            let (s, t) = (store.clone(), tmp.clone());
            let kept = tokio::task::spawn_blocking(move || keep(&s, &t))
                .await
                .map_err(anyhow::Error::from)?;
            kept.map(|k| (name, k))
        }
        Err(r) => Err(r),
    };
    let _ = std::fs::remove_file(&tmp);
    match kept {
        Ok((name, (kind, key, size, text))) => Ok(Ok(Kept {
            name,
            kind,
            key,
            size,
            text,
        })),
        Err(Refused::Code(code)) => Ok(Err(code)),
        Err(Refused::Io(e)) => Err(WebError::Internal(e.into())),
    }
}

pub async fn upload(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    super::visible(&st, cur, id).await?;
    let k = match receive_kept(&st, form).await? {
        Ok(k) => k,
        Err(code) => {
            let mut p = super::show_page(&st, cur, id).await?;
            p.upload_error = match code {
                Code::FileTooLarge => format!("{} Tối đa {} MB.", code.message(), p.max_mb),
                Code::Required => "Hãy chọn tệp để đính kèm.".into(),
                c => c.message().to_string(),
            };
            let status = match code {
                Code::FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Code::UnsupportedFile => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return page::render_status(&p, status);
        }
    };
    let new = NewFile {
        document_id: id,
        name: &k.name,
        kind: k.kind.as_str(),
        size: k.size as i64,
        store_key: &k.key,
        text: &k.text,
    };
    doc_file::add(&st.db, &viewer.actor(), new).await?;
    Ok(page::redirect(&format!("/documents/{id}#tep")))
}

/// A stored file opened for streaming, with the type it was sniffed as;
/// a file missing from the store is a 404.
pub async fn open_stored(
    st: &AppState,
    key: &str,
    kind: &str,
) -> WebResult<(tokio::fs::File, Option<Kind>)> {
    let path = store(st).path(key).map_err(anyhow::Error::from)?;
    let opened = tokio::fs::File::open(&path)
        .await
        .map_err(|_| WebError::not_found())?;
    Ok((opened, Kind::parse(kind)))
}

pub fn mime_of(kind: Option<Kind>) -> &'static str {
    kind.map(|k| k.mime()).unwrap_or("application/octet-stream")
}

pub async fn download(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((id, file_id)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    super::visible(&st, cur, id).await?;
    let f = doc_file::get(&st.db, file_id)
        .await?
        .filter(|f| f.document_id == id)
        .ok_or_else(WebError::not_found)?;
    let (opened, kind) = open_stored(&st, &f.store_key, &f.kind).await?;
    // The saved name ends as what the bytes are, whatever it was uploaded as.
    let name = match kind {
        Some(k) => {
            let stem = f.name.rsplit_once('.').map_or(f.name.as_str(), |(s, _)| s);
            format!("{stem}.{}", k.ext())
        }
        None => f.name.clone(),
    };
    Ok(transfer::stream(opened, mime_of(kind), &name))
}
