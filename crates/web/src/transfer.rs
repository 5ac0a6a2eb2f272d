//! Files through the web layer: scratch names under the data folder,
//! multipart uploads streamed to disk under a size cap, and downloads with
//! a Content-Disposition that keeps Vietnamese names.
use std::path::{Path, PathBuf};

use axum::{
    body::Body,
    extract::Multipart,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use trienkhai_core::{Code, text};

use crate::AppState;

/// A random file name in `dir` under the data folder; the caller removes it.
pub fn scratch(st: &AppState, dir: &str, prefix: &str, ext: &str) -> std::io::Result<PathBuf> {
    use rand::RngCore;
    let d = st.cfg.data_dir.join(dir);
    std::fs::create_dir_all(&d)?;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    Ok(d.join(format!("{prefix}{}.{ext}", hex::encode(b))))
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

/// Streams an opened file as a download.
pub fn stream(file: tokio::fs::File, content_type: &str, name: &str) -> Response {
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    attachment(body, content_type, name)
}

/// Why an upload stopped: no file, over the cap, a broken request, or a
/// disk problem (the one case that is the server's).
#[derive(Debug)]
pub enum Refused {
    Code(Code),
    Io(std::io::Error),
}

/// Streams the multipart field `file` to `path`, at most `max` bytes;
/// returns the name the browser sent and the size.
pub async fn receive(
    form: &mut Multipart,
    path: &Path,
    max: u64,
) -> Result<(String, u64), Refused> {
    use tokio::io::AsyncWriteExt;
    let cut = |status: StatusCode| {
        Refused::Code(if status == StatusCode::PAYLOAD_TOO_LARGE {
            Code::FileTooLarge
        } else {
            Code::BadRequest
        })
    };
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(Refused::Code(Code::Required)),
            Err(e) => return Err(cut(e.status())),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        let mut out = tokio::fs::File::create(path).await.map_err(Refused::Io)?;
        let mut size = 0u64;
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    size += c.len() as u64;
                    if size > max {
                        return Err(Refused::Code(Code::FileTooLarge));
                    }
                    out.write_all(&c).await.map_err(Refused::Io)?;
                }
                Ok(None) => break,
                Err(e) => return Err(cut(e.status())),
            }
        }
        out.flush().await.map_err(Refused::Io)?;
        return Ok((name, size));
    }
}
