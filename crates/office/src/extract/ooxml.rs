//! Streaming text of one XML part of a DOCX/XLSX package.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::Event;

use super::{ExtractError, MAX_TEXT_BYTES, finish};

/// A zip bomb inflates to gigabytes; real document.xml files stay far below.
const MAX_XML_BYTES: u64 = 20 << 20;

/// Text of `part`, or None if the package has no such part. Collects `t`
/// elements (w:t, a:t, m:t, shared-string t), newline after each paragraph
/// (`p`) or shared string (`si`), space for `tab`/`br`/`cr`.
pub(super) fn text(
    path: &Path,
    part: &str,
    corrupt: fn(String) -> ExtractError,
) -> Result<Option<String>, ExtractError> {
    let bad = |e: &dyn std::fmt::Display| corrupt(e.to_string());
    let file = BufReader::new(File::open(path)?);
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(&e))?;
    if zip.index_for_name(part).is_none() {
        return Ok(None);
    }
    let entry = zip.by_name(part).map_err(|e| bad(&e))?;
    let mut xml = Reader::from_reader(BufReader::new(Capped::new(entry)));
    let mut out = String::new();
    let mut buf = Vec::new();
    let (mut in_t, mut skip) = (0u32, 0u32);
    while out.len() < MAX_TEXT_BYTES {
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            // Past the cap the XML is cut mid-way; keep what was read.
            Err(_) if xml.get_ref().get_ref().hit => break,
            Err(e) => return Err(bad(&e)),
        };
        let keep = in_t > 0 && skip == 0;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_t += 1,
                // Tab stops, phonetic guides, duplicated fallback drawings.
                "pPr" | "rPh" | "Fallback" => skip += 1,
                "tab" | "br" | "cr" if skip == 0 => out.push(' '),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" | "br" | "cr" if skip == 0 => out.push(' '),
                "p" if skip == 0 => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_t = in_t.saturating_sub(1),
                "pPr" | "rPh" | "Fallback" => skip = skip.saturating_sub(1),
                "p" | "si" if skip == 0 => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if keep => out.push_str(&t.xml10_content()),
            Event::CData(t) if keep => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if keep => {
                // Only predefined and character references: custom entities
                // are never expanded (no billion laughs).
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) = resolve_xml_entity(&r) {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(Some(finish(out)))
}

/// Ends the stream after `MAX_XML_BYTES` and remembers that it did.
struct Capped<R> {
    inner: R,
    left: u64,
    hit: bool,
}

impl<R: Read> Capped<R> {
    fn new(inner: R) -> Self {
        Capped {
            inner,
            left: MAX_XML_BYTES,
            hit: false,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            self.hit |= self.inner.read(&mut [0u8])? > 0;
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sniff::fixtures::zip_bytes;

    fn docx_with(body: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.docx");
        std::fs::write(&path, zip_bytes(&[("word/document.xml", body)])).unwrap();
        (dir, path)
    }

    #[test]
    fn stops_after_xml_cap() {
        // Past 20 MB of markup, the unclosed document is not an error and
        // text after the cap is not read.
        let mut body = String::from("<w:document><w:body><w:p><w:t>đầu</w:t></w:p>");
        let filler = "<w:p><w:r><w:rPr><w:b/></w:rPr></w:r></w:p>";
        body.push_str(&filler.repeat((MAX_XML_BYTES as usize) / filler.len() + 1));
        body.push_str("<w:p><w:t>cuối</w:t></w:p></w:body></w:document>");
        let (_dir, path) = docx_with(&body);
        let text = text(&path, "word/document.xml", ExtractError::Docx)
            .unwrap()
            .unwrap();
        assert!(text.starts_with("đầu") && !text.contains("cuối"));
    }

    #[test]
    fn text_is_capped() {
        let para = format!("<w:p><w:t>{}</w:t></w:p>", "Đảng ủy ".repeat(1000));
        let body = format!("<w:body>{}</w:body>", para.repeat(400));
        let (_dir, path) = docx_with(&body);
        let text = text(&path, "word/document.xml", ExtractError::Docx)
            .unwrap()
            .unwrap();
        assert!(text.len() <= MAX_TEXT_BYTES && text.len() > MAX_TEXT_BYTES - 16);
    }

    #[test]
    fn custom_entities_are_not_expanded() {
        let body = r#"<!DOCTYPE d [<!ENTITY x "BOM">]><w:p><w:t>a&x;b&#x110;</w:t></w:p>"#;
        let (_dir, path) = docx_with(body);
        let text = text(&path, "word/document.xml", ExtractError::Docx)
            .unwrap()
            .unwrap();
        assert_eq!(text, "abĐ");
    }
}
