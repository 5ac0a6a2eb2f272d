//! Attachments: streamed to the store's scratch folder under the size
//! limit, typed by sniffing the bytes, text extracted for search, then
//! moved into the store. Downloads stream back from it.
use std::path::PathBuf;

use axum::{
    body::Body,
    extract::{Multipart, Path, State, multipart::MultipartRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
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
};

/// A random file name in a folder under the data folder; the caller removes it.
pub fn scratch(st: &AppState, dir: &str, ext: &str) -> std::io::Result<PathBuf> {
    use rand::RngCore;
    let d = st.cfg.data_dir.join(dir);
    std::fs::create_dir_all(&d)?;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    Ok(d.join(format!("{}.{ext}", hex::encode(b))))
}

pub fn store(st: &AppState) -> Store {
    Store::local(st.cfg.data_dir.join("files"))
}

/// RFC 6266: an ASCII fallback plus the UTF-8 name, so Vietnamese names survive.
pub fn disposition(name: &str) -> String {
    let ascii: String = text::fold(name)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let utf8: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8.replace('+', "%20")
    )
}

pub fn attachment(body: Body, content_type: &str, name: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
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

/// Why an upload was refused, as the form shows it.
enum Refusal {
    Code(Code),
    Message(String),
}

/// Streams the "file" field to `path`; the field's name comes back.
async fn receive(
    form: &mut Multipart,
    path: &std::path::Path,
    max: u64,
) -> Result<String, Refusal> {
    let io = |e: std::io::Error| Refusal::Message(e.to_string());
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(Refusal::Code(Code::Required)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Refusal::Code(Code::FileTooLarge));
            }
            Err(_) => return Err(Refusal::Code(Code::BadRequest)),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        let mut out = tokio::fs::File::create(path).await.map_err(io)?;
        let mut field = field;
        let mut size = 0u64;
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    size += c.len() as u64;
                    if size > max {
                        return Err(Refusal::Code(Code::FileTooLarge));
                    }
                    tokio::io::AsyncWriteExt::write_all(&mut out, &c)
                        .await
                        .map_err(io)?;
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(Refusal::Code(Code::FileTooLarge));
                }
                Err(_) => return Err(Refusal::Code(Code::BadRequest)),
            }
        }
        tokio::io::AsyncWriteExt::flush(&mut out)
            .await
            .map_err(io)?;
        if size == 0 {
            return Err(Refusal::Code(Code::Required));
        }
        return Ok(name);
    }
}

/// Sniffs, extracts and stores a received file (blocking work).
fn keep(store: &Store, tmp: &std::path::Path) -> Result<(Kind, String, u64, String), Refusal> {
    let kind = sniff::sniff_file(tmp).map_err(|e| match e {
        sniff::SniffError::Unsupported => Refusal::Code(Code::UnsupportedFile),
        other => Refusal::Message(other.to_string()),
    })?;
    // A file whose text cannot be read is still kept; it is just not searchable.
    let text = match extract::text_of(tmp, kind) {
        Ok(t) => t.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "attachment text not extracted");
            String::new()
        }
    };
    let stored = store
        .put(tmp)
        .map_err(|e| Refusal::Message(e.to_string()))?;
    Ok((kind, stored.key, stored.size, text::nfc(&text)))
}

pub async fn upload(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let cur = viewer.signed()?;
    let mut p = super::show_page(&st, cur, id).await?;
    let store = store(&st);
    let tmp = store
        .temp_dir()
        .join(format!("{}.part", hex::encode(rand::random::<[u8; 16]>())));
    std::fs::create_dir_all(store.temp_dir()).map_err(anyhow::Error::from)?;
    let received = match form {
        Ok(mut form) => receive(&mut form, &tmp, st.cfg.max_attachment).await,
        Err(_) => Err(Refusal::Code(Code::Required)),
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
    let (name, (kind, key, size, text)) = match kept {
        Ok(k) => k,
        Err(Refusal::Code(code)) => {
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
        Err(Refusal::Message(m)) => return Err(WebError::Internal(anyhow::anyhow!(m))),
    };
    let new = NewFile {
        document_id: id,
        name: &name,
        kind: kind.as_str(),
        size: size as i64,
        store_key: &key,
        text: &text,
    };
    doc_file::add(&st.db, &viewer.actor(), new).await?;
    Ok(page::redirect(&format!("/documents/{id}#tep")))
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
    let path = store(&st).path(&f.store_key).map_err(anyhow::Error::from)?;
    let opened = tokio::fs::File::open(&path)
        .await
        .map_err(|_| WebError::not_found())?;
    let mime = Kind::parse(&f.kind)
        .map(|k| k.mime())
        .unwrap_or("application/octet-stream");
    Ok(attachment(
        Body::from_stream(tokio_util::io::ReaderStream::new(opened)),
        mime,
        &f.name,
    ))
}
