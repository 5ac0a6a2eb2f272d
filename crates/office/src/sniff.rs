//! Attachment type by content. The file name is the uploader's claim and is
//! never trusted: a renamed executable must not be served as a PDF.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

#[cfg(test)]
pub(crate) mod fixtures;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Docx,
    Xlsx,
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Pdf,
        Kind::Docx,
        Kind::Xlsx,
        Kind::Png,
        Kind::Jpeg,
        Kind::Gif,
        Kind::Webp,
    ];

    pub fn mime(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Png => "png",
            Kind::Jpeg => "jpg",
            Kind::Gif => "gif",
            Kind::Webp => "webp",
        }
    }

    /// Stored in the DB; kept equal to the extension so rows read naturally.
    pub fn as_str(self) -> &'static str {
        self.ext()
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Pdf => "PDF",
            Kind::Docx => "Word (DOCX)",
            Kind::Xlsx => "Excel (XLSX)",
            Kind::Png => "Ảnh PNG",
            Kind::Jpeg => "Ảnh JPEG",
            Kind::Gif => "Ảnh GIF",
            Kind::Webp => "Ảnh WebP",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SniffError {
    #[error("Loại tệp không được hỗ trợ: chỉ nhận PDF, DOCX, XLSX và ảnh (PNG, JPEG, GIF, WebP)")]
    Unsupported,
    #[error("Không đọc được tệp: {0}")]
    Io(#[from] io::Error),
}

/// Readers accept `%PDF-` anywhere in the first 1024 bytes.
const PDF_JUNK: usize = 1024;

/// Sniffs a file on disk. A ZIP is a DOCX only if it has `[Content_Types].xml` and `word/document.xml`,
/// an XLSX only with `xl/workbook.xml`; any other ZIP (and legacy .doc/.xls OLE files, executables, text) is Unsupported.
pub fn sniff_file(path: &Path) -> Result<Kind, SniffError> {
    let mut file = File::open(path)?;
    let mut head = Vec::with_capacity(PDF_JUNK + 5);
    (&mut file)
        .take((PDF_JUNK + 5) as u64)
        .read_to_end(&mut head)?;
    match sniff_head(&head) {
        Head::Kind(k) => Ok(k),
        Head::Zip => {
            file.rewind()?;
            sniff_zip(file)
        }
        Head::Unsupported => Err(SniffError::Unsupported),
    }
}

enum Head {
    Kind(Kind),
    Zip,
    Unsupported,
}

fn sniff_head(h: &[u8]) -> Head {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    // OLE (.doc/.xls), PE and ELF can carry a PDF inside their first KB
    // (polyglots); their own signature wins so they are never let through.
    const DENY: [&[u8]; 3] = [b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", b"MZ", b"\x7FELF"];
    if h.starts_with(PNG) {
        Head::Kind(Kind::Png)
    } else if h.starts_with(b"\xFF\xD8\xFF") {
        Head::Kind(Kind::Jpeg)
    } else if h.starts_with(b"GIF87a") || h.starts_with(b"GIF89a") {
        Head::Kind(Kind::Gif)
    } else if h.len() >= 12 && h.starts_with(b"RIFF") && &h[8..12] == b"WEBP" {
        Head::Kind(Kind::Webp)
    } else if h.starts_with(b"PK\x03\x04") {
        Head::Zip
    } else if DENY.iter().any(|d| h.starts_with(d)) {
        Head::Unsupported
    } else if h.windows(5).take(PDF_JUNK + 1).any(|w| w == b"%PDF-") {
        Head::Kind(Kind::Pdf)
    } else {
        Head::Unsupported
    }
}

fn sniff_zip(file: File) -> Result<Kind, SniffError> {
    // A corrupt archive is not a usable DOCX/XLSX either.
    let zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|_| SniffError::Unsupported)?;
    let has = |name: &str| zip.index_for_name(name).is_some();
    // Macro documents renamed to .docx/.xlsx carry VBA; they are not taken.
    if !has("[Content_Types].xml") || has("word/vbaProject.bin") || has("xl/vbaProject.bin") {
        Err(SniffError::Unsupported)
    } else if has("word/document.xml") {
        Ok(Kind::Docx)
    } else if has("xl/workbook.xml") {
        Ok(Kind::Xlsx)
    } else {
        Err(SniffError::Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn sniff_bytes(name: &str, bytes: &[u8]) -> Result<Kind, SniffError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        sniff_file(&path)
    }

    fn unsupported(name: &str, bytes: &[u8]) -> bool {
        matches!(sniff_bytes(name, bytes), Err(SniffError::Unsupported))
    }

    #[test]
    fn sniffs_each_kind() {
        let cases: [(&str, Vec<u8>, Kind); 8] = [
            ("a.bin", pdf_bytes("Nghi quyet 35"), Kind::Pdf),
            ("a.bin", docx_bytes(), Kind::Docx),
            ("a.bin", xlsx_bytes(), Kind::Xlsx),
            ("a.bin", png_bytes(), Kind::Png),
            (
                "a.bin",
                b"\xFF\xD8\xFF\xE0\0\x10JFIF\0".to_vec(),
                Kind::Jpeg,
            ),
            ("a.bin", b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(), Kind::Gif),
            ("a.bin", b"GIF87a\x01\0\x01\0\0\0\0;".to_vec(), Kind::Gif),
            (
                "a.bin",
                b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0".to_vec(),
                Kind::Webp,
            ),
        ];
        for (name, bytes, kind) in cases {
            assert_eq!(sniff_bytes(name, &bytes).unwrap(), kind);
        }
    }

    #[test]
    fn pdf_after_junk_within_1024_bytes() {
        let mut ok = vec![b' '; 1024];
        ok.extend(pdf_bytes("x"));
        assert_eq!(sniff_bytes("a", &ok).unwrap(), Kind::Pdf);
        let mut late = vec![b' '; 1025];
        late.extend(pdf_bytes("x"));
        assert!(unsupported("a.pdf", &late));
    }

    #[test]
    fn rejects_other_content_whatever_the_name() {
        let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        ole.resize(512, 0);
        ole.extend(b"%PDF-1.4");
        assert!(unsupported("cong-van.doc", &ole));
        assert!(unsupported("cong-van.pdf", &ole));
        assert!(unsupported("nghi-quyet.pdf", "Nghị quyết số 35".as_bytes()));
        assert!(unsupported("a.pdf", b"MZ\x90\0%PDF-1.4"));
        assert!(unsupported("a.png", b"\x7FELF\x02\x01\x01"));
        assert!(unsupported("empty.pdf", b""));
        assert!(unsupported("a.png", b"\x89PNG"));
        assert!(unsupported("a.webp", b"RIFF\0\0\0\0WAVEfmt "));
    }

    #[test]
    fn zip_must_be_office_open_xml() {
        let plain = zip_bytes(&[("readme.txt", "xin chào")]);
        assert!(unsupported("a.docx", &plain));
        let no_types = zip_bytes(&[("word/document.xml", DOCUMENT_XML)]);
        assert!(unsupported("a.docx", &no_types));
        let types_only = zip_bytes(&[("[Content_Types].xml", CONTENT_TYPES)]);
        assert!(unsupported("a.xlsx", &types_only));
        let mut truncated = docx_bytes();
        truncated.truncate(40);
        assert!(unsupported("a.docx", &truncated));
    }

    #[test]
    fn kind_strings_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert!(!k.mime().is_empty() && !k.label().is_empty());
        }
        assert_eq!(Kind::parse("doc"), None);
        assert_eq!(Kind::Docx.label(), "Word (DOCX)");
        assert_eq!(Kind::Png.label(), "Ảnh PNG");
    }

    #[test]
    fn missing_file_is_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let r = sniff_file(&dir.path().join("khong-co"));
        assert!(matches!(r, Err(SniffError::Io(_))));
    }
}
