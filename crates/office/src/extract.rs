//! Text of attachments for full-text search. Attachments come from outside,
//! so every path is bounded: decompressed XML, output size and PDF time.

use std::path::Path;

use crate::sniff::Kind;

mod ooxml;
mod pdftext;

/// Upper bound of the returned text; enough for any real document, small
/// enough to index and keep in the DB.
pub const MAX_TEXT_BYTES: usize = 2 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("Tệp DOCX hỏng: {0}")]
    Docx(String),
    #[error("Tệp XLSX hỏng: {0}")]
    Xlsx(String),
    #[error("Không đọc được PDF: {0}")]
    Pdf(String),
    #[error("Không đọc được tệp: {0}")]
    Io(#[from] std::io::Error),
}

/// Plain text of a DOCX (paragraphs separated by '\n', tabs/breaks as spaces), the shared strings of
/// an XLSX, or the text of a PDF; None for images or when the PDF tool (`pdftotext`) is missing.
pub fn text_of(path: &Path, kind: Kind) -> Result<Option<String>, ExtractError> {
    match kind {
        Kind::Docx => match ooxml::text(path, "word/document.xml", ExtractError::Docx)? {
            Some(text) => Ok(Some(text)),
            None => Err(ExtractError::Docx("thiếu word/document.xml".into())),
        },
        // A workbook of numbers only has no shared strings: nothing to index.
        Kind::Xlsx => ooxml::text(path, "xl/sharedStrings.xml", ExtractError::Xlsx),
        Kind::Pdf => pdftext::text(path),
        Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp => Ok(None),
    }
}

/// Cuts to `MAX_TEXT_BYTES` at a char boundary and drops trailing blanks.
fn finish(mut text: String) -> String {
    text.truncate(text.floor_char_boundary(MAX_TEXT_BYTES));
    text.truncate(text.trim_end().len());
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sniff::fixtures::*;

    fn write(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn docx_paragraphs() {
        let (_dir, path) = write(&docx_bytes());
        let text = text_of(&path, Kind::Docx).unwrap().unwrap();
        assert_eq!(
            text,
            "Đảng ủy xã Tân Lập\nHọc tập & quán triệt Nghị quyết số 35\u{2011}NQ/TW"
        );
    }

    #[test]
    fn xlsx_shared_strings() {
        let (_dir, path) = write(&xlsx_bytes());
        let text = text_of(&path, Kind::Xlsx).unwrap().unwrap();
        assert_eq!(text, "Chi bộ 1\nĐảng viên & quần chúng");
        let (_dir, path) = write(&zip_bytes(&[("xl/workbook.xml", "<workbook/>")]));
        assert_eq!(text_of(&path, Kind::Xlsx).unwrap(), None);
    }

    #[test]
    fn broken_docx_is_an_error() {
        let (_dir, path) = write(b"PK\x03\x04 not a zip");
        assert!(matches!(
            text_of(&path, Kind::Docx),
            Err(ExtractError::Docx(_))
        ));
        let bad_xml = zip_bytes(&[("word/document.xml", "<w:p><w:t>a</w:x></w:p>")]);
        let (_dir, path) = write(&bad_xml);
        assert!(matches!(
            text_of(&path, Kind::Docx),
            Err(ExtractError::Docx(_))
        ));
        let (_dir, path) = write(&zip_bytes(&[("a.txt", "a")]));
        let err = text_of(&path, Kind::Docx).unwrap_err();
        assert!(err.to_string().starts_with("Tệp DOCX hỏng: "), "{err}");
    }

    #[test]
    fn images_have_no_text() {
        let (_dir, path) = write(&png_bytes());
        assert_eq!(text_of(&path, Kind::Png).unwrap(), None);
    }

    #[test]
    fn finish_cuts_at_char_boundary() {
        let s = "ă".repeat(MAX_TEXT_BYTES); // 2 bytes each
        let mut odd = String::from("x");
        odd.push_str(&s);
        let cut = finish(odd);
        assert!(cut.len() <= MAX_TEXT_BYTES && cut.len() >= MAX_TEXT_BYTES - 1);
        assert_eq!(finish("a \n\n".into()), "a");
    }
}
